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

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "EndpointOptions":
        return cls(**json.loads(text))
