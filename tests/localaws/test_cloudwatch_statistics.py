"""GetMetricStatistics through the service, as `simulate stats` and the console's Monitoring tab ask it: sums per
period of the Kinesis put metrics, buckets from StartTime, EndTime exclusive, units, percentiles, AWS's errors."""

from typing import Any

import pytest

from localaws.clock import Clock
from localaws.cloudwatch import CloudWatchService, MetricStore
from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.runtime import Runtime
from localaws.services import Access
from localaws.settings import Settings

ACCOUNT, REGION = "123456789012", "us-east-1"
STREAM = [{"Name": "StreamName", "Value": "wildrydes"}]


class Endpoint:
    """The CloudWatch service in-process, with a runtime whose metrics sink is the store (as the server wires it)."""

    def __init__(self, tmp_path: Any) -> None:
        self.clock = Clock()
        self.store = MetricStore(self.clock)
        self.runtime = Runtime(Settings(state_dir=tmp_path), clock=self.clock, metrics=self.store)
        self.service = CloudWatchService(self.runtime, self.store)

    def context(self, operation: str, account_id: str = ACCOUNT, region: str = REGION) -> RequestContext:
        return RequestContext(
            service="cloudwatch",
            operation=operation,
            region=region,
            account_id=account_id,
            principal=None,
            request_id="test",
            clock=self.clock,
            settings=self.runtime.settings,
        )

    def call(self, operation: str, **params: Any) -> Any:
        return self.service.call(self.context(operation), params)

    def kinesis_put(self, name: str, value: float, timestamp: float, stream: str = "wildrydes") -> None:
        """What the Kinesis service publishes after a put."""
        self.runtime.metrics.put(
            ACCOUNT, REGION, "AWS/Kinesis", name, {"StreamName": stream}, value, "Count", timestamp
        )


@pytest.fixture
def cw(tmp_path) -> Endpoint:
    return Endpoint(tmp_path)


def hour_start(cw: Endpoint) -> int:
    return int(cw.clock.time()) // 3600 * 3600


def sums(reply: dict) -> list[tuple[float, float]]:
    return [(point["Timestamp"], point["Sum"]) for point in reply["Datapoints"]]


def statistics(cw: Endpoint, metric: str, start: float, end: float, period: int, **extra: Any) -> dict:
    return cw.call(
        "GetMetricStatistics",
        Namespace="AWS/Kinesis",
        MetricName=metric,
        Dimensions=STREAM,
        StartTime=start,
        EndTime=end,
        Period=period,
        **({"Statistics": ["Sum", "SampleCount"]} | extra),
    )


def test_stats_sums_per_period_of_the_put_metrics(cw):
    start = hour_start(cw) - 3600
    for minute in range(3):
        for second in (0, 20, 40):
            moment = start + 60 * minute + second
            cw.kinesis_put("IncomingRecords", 10.0, moment)
            cw.kinesis_put("PutRecords.SuccessfulRecords", 9.0, moment)
            cw.kinesis_put("PutRecord.Success", 1.0, moment)
    for metric, each in (("IncomingRecords", 10), ("PutRecords.SuccessfulRecords", 9), ("PutRecord.Success", 1)):
        reply = statistics(cw, metric, start, start + 180, 60)
        assert reply["Label"] == metric
        assert sums(reply) == [(start + 60.0 * m, 3.0 * each) for m in range(3)]
        assert {point["SampleCount"] for point in reply["Datapoints"]} == {3.0}
        assert {point["Unit"] for point in reply["Datapoints"]} == {"Count"}


def test_the_first_bucket_is_at_start_time_and_the_last_second_counts(cw):
    start = hour_start(cw) - 3600
    cw.kinesis_put("IncomingRecords", 1.0, start)  # the first second
    cw.kinesis_put("IncomingRecords", 2.0, start + 3599.5)  # the last second
    cw.kinesis_put("IncomingRecords", 4.0, start + 3600)  # EndTime is exclusive
    assert sums(statistics(cw, "IncomingRecords", start, start + 3600, 3600)) == [(start, 3.0)]
    # `simulate stats` asks up to now; the fidelity test up to now plus a microsecond.
    assert sums(statistics(cw, "IncomingRecords", start, start + 3600.000001, 3600)) == [
        (start, 3.0),
        (start + 3600, 4.0),
    ]


def test_ten_second_bars_as_stats_period_10_draws_them(cw):
    start = hour_start(cw) - 600
    for second in range(60):
        cw.kinesis_put("IncomingRecords", 1.0, start + second)
    reply = statistics(cw, "IncomingRecords", start, start + 60, 10)
    assert sums(reply) == [(start + 10.0 * k, 10.0) for k in range(6)]


def test_empty_periods_have_no_datapoint(cw):
    start = hour_start(cw) - 3600
    cw.kinesis_put("IncomingRecords", 5.0, start + 30)
    cw.kinesis_put("IncomingRecords", 5.0, start + 150)
    assert sums(statistics(cw, "IncomingRecords", start, start + 300, 60)) == [(start, 5.0), (start + 120, 5.0)]


def test_start_time_is_rounded_down_as_aws_documents(cw):
    start = hour_start(cw) - 3600
    cw.kinesis_put("IncomingRecords", 1.0, start + 5)
    # StartTime 12:00:34 with Period 60 is read from 12:00:00: the datapoint at 12:00:05 counts.
    assert sums(statistics(cw, "IncomingRecords", start + 34, start + 120, 60)) == [(start, 1.0)]
    # With a period under a minute, to a whole number of periods: 12:00:07 → 12:00:05.
    assert sums(statistics(cw, "IncomingRecords", start + 7, start + 20, 5)) == [(start + 5, 1.0)]


def test_every_basic_statistic(cw):
    start = hour_start(cw) - 3600
    for value in (1.0, 2.0, 6.0):
        cw.kinesis_put("IncomingBytes", value, start + 10)
    reply = statistics(
        cw, "IncomingBytes", start, start + 60, 60, Statistics=["SampleCount", "Average", "Sum", "Minimum", "Maximum"]
    )
    (point,) = reply["Datapoints"]
    assert point == {
        "Timestamp": float(start),
        "Unit": "Count",
        "SampleCount": 3.0,
        "Average": 3.0,
        "Sum": 9.0,
        "Minimum": 1.0,
        "Maximum": 6.0,
    }


def test_percentiles_as_extended_statistics(cw):
    start = hour_start(cw) - 3600
    for value in range(1, 101):
        cw.kinesis_put("GetRecords.Latency", float(value), start + value % 60)
    reply = statistics(
        cw, "GetRecords.Latency", start, start + 60, 60, Statistics=[], ExtendedStatistics=["p50", "p99"]
    )
    (point,) = reply["Datapoints"]
    assert set(point) == {"Timestamp", "Unit", "ExtendedStatistics"}
    assert point["ExtendedStatistics"]["p50"] == pytest.approx(50, rel=0.02)
    assert point["ExtendedStatistics"]["p99"] == pytest.approx(99, rel=0.02)


def test_unit_filter_and_datapoints_per_unit(cw):
    start = hour_start(cw) - 3600
    cw.store.put(ACCOUNT, REGION, "Lab", "Size", {}, 3.0, "Count", start + 1)
    cw.store.put(ACCOUNT, REGION, "Lab", "Size", {}, 700.0, "Bytes", start + 1)
    common = {"Namespace": "Lab", "MetricName": "Size", "StartTime": start, "EndTime": start + 60, "Period": 60}
    every = cw.call("GetMetricStatistics", Statistics=["Sum"], **common)
    assert sorted((p["Unit"], p["Sum"]) for p in every["Datapoints"]) == [("Bytes", 700.0), ("Count", 3.0)]
    only = cw.call("GetMetricStatistics", Statistics=["Sum"], Unit="Bytes", **common)
    assert [(p["Unit"], p["Sum"]) for p in only["Datapoints"]] == [("Bytes", 700.0)]
    assert cw.call("GetMetricStatistics", Statistics=["Sum"], Unit="Seconds", **common)["Datapoints"] == []


def test_dimensions_must_match_exactly(cw):
    start = hour_start(cw) - 3600
    cw.store.put(
        ACCOUNT, REGION, "AWS/Kinesis", "IncomingRecords", {"StreamName": "s", "ShardId": "0"}, 1.0, "Count", start
    )
    cw.kinesis_put("IncomingRecords", 2.0, start, stream="s")
    one = [{"Name": "StreamName", "Value": "s"}]
    both = [*one, {"Name": "ShardId", "Value": "0"}]
    common = {"Namespace": "AWS/Kinesis", "MetricName": "IncomingRecords", "StartTime": start, "EndTime": start + 60}
    assert sums(cw.call("GetMetricStatistics", Dimensions=one, Period=60, Statistics=["Sum"], **common)) == [
        (start, 2.0)
    ]
    assert sums(cw.call("GetMetricStatistics", Dimensions=both, Period=60, Statistics=["Sum"], **common)) == [
        (start, 1.0)
    ]
    assert cw.call("GetMetricStatistics", Period=60, Statistics=["Sum"], **common)["Datapoints"] == []


def test_accounts_and_regions_are_apart(cw):
    start = hour_start(cw) - 3600
    cw.kinesis_put("IncomingRecords", 2.0, start)
    params = {
        "Namespace": "AWS/Kinesis",
        "MetricName": "IncomingRecords",
        "Dimensions": STREAM,
        "StartTime": start,
        "EndTime": start + 60,
        "Period": 60,
        "Statistics": ["Sum"],
    }
    for account, region in (("210987654321", REGION), (ACCOUNT, "eu-west-1")):
        assert cw.service.call(cw.context("GetMetricStatistics", account, region), params)["Datapoints"] == []


def test_data_leaves_with_retention_on_a_moved_clock(cw):
    start = hour_start(cw) - 3600
    cw.kinesis_put("IncomingRecords", 2.0, start)
    cw.clock.advance(16 * 86_400)
    reply = statistics(cw, "IncomingRecords", start, start + 3600, 3600)
    assert reply["Datapoints"] == []


def error(cw: Endpoint, operation: str, **params: Any) -> AwsError:
    with pytest.raises(AwsError) as raised:
        cw.call(operation, **params)
    assert raised.value.status == 400
    return raised.value


def query(start: float, end: float, period: int = 60, **extra: Any) -> dict:
    return {
        "Namespace": "AWS/Kinesis",
        "MetricName": "IncomingRecords",
        "StartTime": start,
        "EndTime": end,
        "Period": period,
        "Statistics": ["Sum"],
    } | extra


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            {"Period": 1, "EndTime": 1441},
            "InvalidParameterCombination",
            "You have requested up to 1441 datapoints, which exceeds the limit of 1440. You may reduce the datapoints "
            "requested by increasing Period, or decreasing the time range.",
        ),
        ({"EndTime": 0}, "InvalidParameterValue", "The parameter StartTime must not equal parameter EndTime."),
        ({"EndTime": -60}, "InvalidParameterValue", "The parameter EndTime must be greater than StartTime."),
        (
            {"Period": 7},
            "InvalidParameterValue",
            "The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.",
        ),
        (
            {"Statistics": [], "ExtendedStatistics": []},
            "InvalidParameterCombination",
            "Must specify either Statistics or ExtendedStatistics",
        ),
        (
            {"ExtendedStatistics": ["p99"]},
            "InvalidParameterCombination",
            "The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.",
        ),
        (
            {"Statistics": [], "ExtendedStatistics": ["tm99"]},
            "InvalidParameterValue",
            "The value tm99 for parameter ExtendedStatistics is not supported.",
        ),
        (
            {"Statistics": [], "ExtendedStatistics": ["p100.1"]},
            "InvalidParameterValue",
            "The value p100.1 for parameter ExtendedStatistics is not supported.",
        ),
    ],
)
def test_refusals_in_aws_words(cw, change, code, message):
    base = hour_start(cw) - 86_400
    params = query(base, base + 3600)
    for key, value in change.items():
        params[key] = base + value if key in ("StartTime", "EndTime") else value
    refused = error(cw, "GetMetricStatistics", **params)
    assert (refused.code, refused.message) == (code, message)


def test_1440_datapoints_are_allowed(cw):
    base = hour_start(cw) - 86_400
    assert cw.call("GetMetricStatistics", **query(base, base + 1440, period=1))["Datapoints"] == []


def test_a_missing_member_is_named(cw):
    params = query(0, 60)
    del params["MetricName"]
    refused = error(cw, "GetMetricStatistics", **params)
    assert (refused.code, refused.message) == ("MissingParameter", "The parameter MetricName is required.")


def test_iam_checks_the_operation_on_every_resource(cw):
    assert cw.service.authorization(cw.context("GetMetricStatistics"), {}) == [
        Access("cloudwatch:GetMetricStatistics", "*")
    ]
    assert cw.service.authorization(cw.context("PutMetricData"), {}) == [Access("cloudwatch:PutMetricData", "*")]


def test_operations_beyond_metrics_are_refused_clearly(cw):
    refused = error(cw, "DescribeAlarms")
    assert refused.code == "InvalidAction"
    assert "DescribeAlarms" in refused.message and "GetMetricStatistics" in refused.message
