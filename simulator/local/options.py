"""Options of one local endpoint run, passed from the launcher to the server process as JSON."""

import json
from dataclasses import asdict, dataclass


@dataclass
class EndpointOptions:
    port: int = 4566
    # Off only to show moto's own behaviour side by side (tests that prove a fix, benchmarks).
    fidelity: bool = True
    # Requests are checked against IAM policies, as on real AWS.
    iam_enforcement: bool = False
    # Records kept per shard before the oldest are trimmed, whatever the retention period says.
    max_records_per_shard: int = 5_000_000
    # Kinesis shard throughput limits (1,000 records and 1 MiB/s written, 5 reads and 2 MiB/s read), as on AWS.
    kinesis_limits: bool = False
    # Fraction (0..1) of Kinesis GetRecords and PutRecord calls answered ProvisionedThroughputExceededException.
    inject_throttle: float = 0.0
    # Fraction (0..1) of PutRecords entries failed (not stored), alternately throttled and InternalFailure.
    inject_put_failures: float = 0.0
    # Seed of the random choices of the injected faults: the same seed and calls give the same faults.
    inject_seed: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "EndpointOptions":
        return cls(**json.loads(text))
