"""The endpoint's settings: one model for the CLI, the launcher, the server and the control API.

The launcher hands the server its settings as JSON; the control API changes the run-time ones through
`Settings.changed()`, which validates like the start did (a bad value changes nothing).
"""

from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_PORT = 4566
# AWS's default Kinesis shard quota per account and region: 500 in these regions, 200 elsewhere.
LARGE_SHARD_QUOTA_REGIONS = frozenset({"us-east-1", "us-west-2", "eu-west-1"})
LARGE_SHARD_QUOTA = 500
SHARD_QUOTA = 200

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Seconds = Annotated[float, Field(ge=0.0, le=86_400.0, allow_inf_nan=False)]


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=True)

    # --- fixed at start --------------------------------------------------------------------------
    port: Annotated[int, Field(ge=1, le=65535)] = DEFAULT_PORT
    # Where the pid file, the log, the control token and the generated credentials live.
    state_dir: Path
    # Requests are checked against IAM policies, as on AWS. Off only when asked (--no-iam-enforcement).
    iam_enforcement: bool = True
    # Simulated accounts made at start (more can be added while it runs: `simulate local account add`).
    accounts: list[Annotated[str, Field(pattern=r"^\d{12}$")]] = Field(default_factory=lambda: ["123456789012"])

    # --- changeable while it runs (POST /_wildrydes/settings) --------------------------------------
    # Open shards per account and region; None: AWS's default for the region (500 or 200).
    shard_quota: Annotated[int, Field(ge=1, le=100_000)] | None = None
    # How long a stream stays CREATING, UPDATING or DELETING (AWS: seconds to minutes).
    state_transition_seconds: Seconds = 0.5
    # How long a new role, policy or trust change takes to take effect (IAM is eventually consistent).
    iam_propagation_delay: Seconds = 0.0
    # Records kept per shard before the oldest are dropped, whatever the retention period says.
    max_records_per_shard: Annotated[int, Field(ge=1)] = 5_000_000
    # Kinesis shard throughput limits (1,000 records and 1 MiB/s written, 5 reads and 2 MiB/s read per shard).
    kinesis_limits: bool = False
    # Fraction of GetRecords and PutRecord calls answered ProvisionedThroughputExceededException.
    inject_throttle: Fraction = 0.0
    # Fraction of PutRecords entries failed (not stored), alternately throttled and InternalFailure.
    inject_put_failures: Fraction = 0.0
    # Seed of the injected faults' random choices: the same seed and calls give the same faults.
    inject_seed: int = 0
    # How long a SubscribeToShard subscription lasts before the endpoint ends it (AWS: 5 minutes); shorter for tests.
    subscription_seconds: Annotated[float, Field(gt=0.0, le=86_400.0, allow_inf_nan=False)] = 300.0

    RUNTIME_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {
            "shard_quota",
            "state_transition_seconds",
            "iam_propagation_delay",
            "max_records_per_shard",
            "kinesis_limits",
            "inject_throttle",
            "inject_put_failures",
            "inject_seed",
            "subscription_seconds",
        }
    )

    def shard_quota_for(self, region: str) -> int:
        if self.shard_quota is not None:
            return self.shard_quota
        return LARGE_SHARD_QUOTA if region in LARGE_SHARD_QUOTA_REGIONS else SHARD_QUOTA

    def changed(self, changes: Any) -> "Settings":
        """These settings with `changes` (a JSON object of run-time settings) applied; ValueError names the
        first problem (an unknown or fixed setting, a wrong type, a value out of range) and nothing changes."""
        if not isinstance(changes, dict):
            raise ValueError("settings must be a JSON object")
        for name in changes:
            if name not in self.RUNTIME_FIELDS:
                known = ", ".join(sorted(self.RUNTIME_FIELDS))
                raise ValueError(f"{name!r} cannot be changed while the endpoint runs (run-time settings: {known})")
        try:
            return Settings.model_validate({**self.model_dump(), **changes}, strict=True)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ValueError(f"{where}: {first['msg']}") from None

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> "Settings":
        return cls.model_validate_json(text)
