"""In-process harness for the Kinesis tests (no tests here): a Runtime on a movable clock, request contexts for
an account's admin, and a client-like `call` that asks for authorization first, as the front door does."""

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from localaws.clock import Clock
from localaws.context import Principal, RequestContext
from localaws.errors import AwsError
from localaws.kinesis import KinesisService
from localaws.runtime import Runtime
from localaws.services import Access
from localaws.settings import Settings

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
REGION = "us-east-1"


@dataclass
class Metrics:
    points: list[tuple] = field(default_factory=list)

    def put(self, account_id, region, namespace, name, dimensions, value, unit, timestamp) -> None:
        self.points.append((account_id, region, namespace, name, dict(dimensions), value, unit, timestamp))

    def names(self) -> set[str]:
        return {point[3] for point in self.points}


@dataclass
class Kinesis:
    runtime: Runtime
    service: KinesisService
    metrics: Metrics
    clock: Clock
    last_access: list[Access] = field(default_factory=list)

    def context(self, operation: str, account_id: str = ACCOUNT, region: str = REGION) -> RequestContext:
        principal = Principal(account_id, "admin", f"arn:aws:iam::{account_id}:root", "admin", account_id)
        return RequestContext(
            service="kinesis",
            operation=operation,
            region=region,
            account_id=account_id,
            principal=principal,
            request_id=str(uuid.uuid4()),
            clock=self.clock,
            settings=self.runtime.settings,
        )

    def call(self, operation: str, account_id: str = ACCOUNT, region: str = REGION, **params: Any) -> Any:
        ctx = self.context(operation, account_id, region)
        self.last_access = self.service.authorization(ctx, params)
        return self.service.call(ctx, params)

    def error(self, operation: str, **params: Any) -> AwsError:
        with pytest.raises(AwsError) as raised:
            self.call(operation, **params)
        return raised.value

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def create(self, name: str, shards: int = 1, **params: Any) -> None:
        """A stream, ACTIVE."""
        self.call("CreateStream", StreamName=name, ShardCount=shards, **params)
        self.settle()

    def settle(self) -> None:
        self.advance(self.runtime.settings.state_transition_seconds + 0.001)

    def iterator(self, name: str, shard: str = "shardId-000000000000", kind: str = "TRIM_HORIZON", **params) -> str:
        return self.call("GetShardIterator", StreamName=name, ShardId=shard, ShardIteratorType=kind, **params)[
            "ShardIterator"
        ]

    def read_all(self, iterator: str, limit: int = 10_000) -> tuple[list[dict], dict]:
        records: list[dict] = []
        while True:
            reply = self.call("GetRecords", ShardIterator=iterator, Limit=limit)
            records += reply["Records"]
            if not reply["Records"] or not reply.get("NextShardIterator"):
                return records, reply
            iterator = reply["NextShardIterator"]

    def put(self, name: str, count: int, key: str = "k", prefix: str = "r", **entry: Any) -> list[dict]:
        records = [{"Data": f"{prefix}-{n}".encode(), "PartitionKey": key, **entry} for n in range(count)]
        replies = []
        for start in range(0, count, 500):
            replies += self.call("PutRecords", StreamName=name, Records=records[start : start + 500])["Records"]
        return replies


class StoppedClock(Clock):
    """A clock that moves only when advanced: rates and buckets then do not depend on how fast a loaded machine
    runs the test."""

    def __init__(self) -> None:
        super().__init__()
        self._wall, self._mono = time.time(), time.monotonic()

    def time(self) -> float:
        return self._wall + self.offset

    def monotonic(self) -> float:
        return self._mono + self.offset


def make_kinesis(tmp_path: Path, clock: Clock | None = None, **settings: Any) -> Kinesis:
    clock = clock or Clock()
    metrics = Metrics()
    runtime = Runtime(Settings(state_dir=tmp_path, **settings), clock=clock, metrics=metrics)
    return Kinesis(runtime, KinesisService(runtime), metrics, clock)
