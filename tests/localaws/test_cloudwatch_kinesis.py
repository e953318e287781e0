"""Kinesis and CloudWatch in-process, wired as the server wires them (the store is the runtime's metrics sink):
the put metrics a stream publishes are what `simulate stats` and the console's Monitoring tab read."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from localaws.clock import Clock
from localaws.cloudwatch import CloudWatchService, MetricStore
from localaws.context import RequestContext
from localaws.kinesis import KinesisService
from localaws.runtime import Runtime
from localaws.settings import Settings

ACCOUNT, REGION = "123456789012", "us-east-1"


class Endpoint:
    def __init__(self, tmp_path: Any) -> None:
        self.clock = Clock()
        self.store = MetricStore(self.clock)
        self.runtime = Runtime(Settings(state_dir=tmp_path), clock=self.clock, metrics=self.store)
        self.services = {
            "kinesis": KinesisService(self.runtime),
            "cloudwatch": CloudWatchService(self.runtime, self.store),
        }

    def call(self, service: str, operation: str, **params: Any) -> Any:
        ctx = RequestContext(
            service=service,
            operation=operation,
            region=REGION,
            account_id=ACCOUNT,
            principal=None,
            request_id="test",
            clock=self.clock,
            settings=self.runtime.settings,
        )
        return self.services[service].call(ctx, params)


@pytest.fixture
def endpoint(tmp_path) -> Endpoint:
    endpoint = Endpoint(tmp_path)
    endpoint.call("kinesis", "CreateStream", StreamName="wildrydes", ShardCount=1)
    endpoint.clock.advance(5)  # past CREATING
    return endpoint


def total(endpoint: Endpoint, metric: str, start: float, end: float, period: int) -> list[tuple[float, float]]:
    reply = endpoint.call(
        "cloudwatch",
        "GetMetricStatistics",
        Namespace="AWS/Kinesis",
        MetricName=metric,
        Dimensions=[{"Name": "StreamName", "Value": "wildrydes"}],
        StartTime=start,
        EndTime=end,
        Period=period,
        Statistics=["Sum", "SampleCount"],
    )
    return [(point["Timestamp"], point["Sum"]) for point in reply["Datapoints"]]


def test_puts_show_as_incoming_records_and_put_success_counts(endpoint):
    hour = (int(endpoint.clock.time()) // 3600 + 1) * 3600
    endpoint.clock.advance(hour + 1800 - endpoint.clock.time())  # half an hour from any hour's turn
    for n in range(3):
        endpoint.call(
            "kinesis", "PutRecords", StreamName="wildrydes", Records=[{"Data": b"x", "PartitionKey": str(n)}] * 2
        )
    endpoint.call("kinesis", "PutRecord", StreamName="wildrydes", Data=b"x", PartitionKey="k")
    now = endpoint.clock.time()
    # The old fidelity test's question: one hour-long bucket from the hour's start, EndTime just after now.
    assert total(endpoint, "IncomingRecords", hour, now + 1e-6, 3600) == [(hour, 7.0)]
    successes = total(endpoint, "PutRecords.SuccessfulRecords", hour, now + 1e-6, 3600)
    successes += total(endpoint, "PutRecord.Success", hour, now + 1e-6, 3600)
    assert sum(value for _, value in successes) == 7.0


def test_stats_bars_per_period_follow_the_clock(endpoint):
    start = datetime.fromtimestamp(int(endpoint.clock.time()) // 60 * 60 + 60, UTC)
    endpoint.clock.advance(start.timestamp() - endpoint.clock.time())
    for minute in range(3):
        for _ in range(minute + 1):
            endpoint.call("kinesis", "PutRecord", StreamName="wildrydes", Data=b"unicorn", PartitionKey="k")
        endpoint.clock.advance(60)
    bars = total(endpoint, "IncomingRecords", start.timestamp(), endpoint.clock.time(), 60)
    assert bars == [(start.timestamp() + 60.0 * m, float(m + 1)) for m in range(3)]
    later = start + timedelta(days=16)
    endpoint.clock.advance(later.timestamp() - endpoint.clock.time())
    assert total(endpoint, "IncomingRecords", start.timestamp(), start.timestamp() + 180, 60) == []
