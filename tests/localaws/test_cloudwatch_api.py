"""PutMetricData, ListMetrics and GetMetricData through the service, in-process."""

from typing import Any

import pytest

from localaws.clock import Clock
from localaws.cloudwatch import CloudWatchService, MetricStore
from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.runtime import Runtime
from localaws.settings import Settings

ACCOUNT, REGION = "123456789012", "us-east-1"


class Endpoint:
    """The CloudWatch service in-process, with a runtime whose metrics sink is the store (as the server wires it)."""

    def __init__(self, tmp_path: Any) -> None:
        self.clock = Clock()
        self.store = MetricStore(self.clock)
        self.runtime = Runtime(Settings(state_dir=tmp_path), clock=self.clock, metrics=self.store)
        self.service = CloudWatchService(self.runtime, self.store)

    def call(self, operation: str, account_id: str = ACCOUNT, region: str = REGION, **params: Any) -> Any:
        ctx = RequestContext(
            service="cloudwatch",
            operation=operation,
            region=region,
            account_id=account_id,
            principal=None,
            request_id="test",
            clock=self.clock,
            settings=self.runtime.settings,
        )
        return self.service.call(ctx, params)

    def refused(self, operation: str, **params: Any) -> tuple[str, str | None]:
        with pytest.raises(AwsError) as raised:
            self.call(operation, **params)
        assert raised.value.status == 400
        return raised.value.code, raised.value.message


@pytest.fixture
def cw(tmp_path) -> Endpoint:
    return Endpoint(tmp_path)


def minute_start(cw: Endpoint) -> int:
    return int(cw.clock.time()) // 60 * 60


def sum_of(cw: Endpoint, name: str, start: float, end: float, namespace: str = "Lab", **extra: Any) -> list:
    reply = cw.call(
        "GetMetricStatistics",
        Namespace=namespace,
        MetricName=name,
        StartTime=start,
        EndTime=end,
        Period=60,
        Statistics=["Sum", "SampleCount", "Minimum", "Maximum"],
        **extra,
    )
    return [(p["Sum"], p["SampleCount"], p["Minimum"], p["Maximum"]) for p in reply["Datapoints"]]


# --- PutMetricData ------------------------------------------------------------------------------------------------


def test_put_value_values_counts_and_statistic_sets(cw):
    at = minute_start(cw) - 120.0
    assert (
        cw.call(
            "PutMetricData",
            Namespace="Lab",
            MetricData=[
                {"MetricName": "Rides", "Value": 2.0, "Timestamp": at, "Unit": "Count"},
                {"MetricName": "Rides", "Values": [1.0, 5.0], "Counts": [3.0, 1.0], "Timestamp": at, "Unit": "Count"},
                {
                    "MetricName": "Rides",
                    "StatisticValues": {"SampleCount": 4.0, "Sum": 10.0, "Minimum": 0.0, "Maximum": 7.0},
                    "Timestamp": at,
                    "Unit": "Count",
                },
            ],
        )
        is None
    )
    assert sum_of(cw, "Rides", at, at + 60) == [(2.0 + 8.0 + 10.0, 9.0, 0.0, 7.0)]


def test_put_without_timestamp_is_now_and_without_unit_is_none(cw):
    start = minute_start(cw)
    cw.call("PutMetricData", Namespace="Lab", MetricData=[{"MetricName": "Rides", "Value": 3.0}])
    reply = cw.call(
        "GetMetricStatistics",
        Namespace="Lab",
        MetricName="Rides",
        StartTime=start,
        EndTime=start + 120,  # a minute may turn between the two calls
        Period=120,
        Statistics=["Sum"],
    )
    assert reply["Datapoints"] == [{"Timestamp": float(start), "Unit": "None", "Sum": 3.0}]


def test_entity_metric_data_is_stored_too(cw):
    at = minute_start(cw) - 60.0
    cw.call(
        "PutMetricData",
        Namespace="Lab",
        EntityMetricData=[
            {
                "Entity": {"KeyAttributes": {"Type": "Service", "Name": "unicorns", "Environment": "lab"}},
                "MetricData": [{"MetricName": "Rides", "Value": 4.0, "Timestamp": at}],
            }
        ],
    )
    assert sum_of(cw, "Rides", at, at + 60) == [(4.0, 1.0, 4.0, 4.0)]


def test_a_refused_put_stores_nothing(cw):
    at = minute_start(cw) - 60.0
    code, _ = cw.refused(
        "PutMetricData",
        Namespace="Lab",
        MetricData=[{"MetricName": "Rides", "Value": 1.0, "Timestamp": at}, {"MetricName": "Rides", "Timestamp": at}],
    )
    assert code == "MissingParameter"
    assert cw.store.footprint() == (0, 0)


@pytest.mark.parametrize(
    ("datum", "code", "message"),
    [
        (
            {"MetricName": "m"},
            "MissingParameter",
            "At least one of the parameters MetricData.member.1.Value, MetricData.member.1.Values or "
            "MetricData.member.1.StatisticValues must be specified.",
        ),
        (
            {
                "MetricName": "m",
                "Value": 1.0,
                "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1},
            },
            "InvalidParameterCombination",
            "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive "
            "and you have specified both.",
        ),
        (
            {"MetricName": "m", "Value": 1.0, "Values": [1.0]},
            "InvalidParameterCombination",
            "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you "
            "have specified both.",
        ),
        (
            {"MetricName": "m", "Value": float("nan")},
            "InvalidParameterValue",
            "The value NaN for parameter MetricData.member.1.Value is invalid.",
        ),
        (
            {"MetricName": "m", "Value": float("inf")},
            "InvalidParameterValue",
            "The value Infinity for parameter MetricData.member.1.Value is invalid.",
        ),
        (
            {"MetricName": "m", "Value": 2.0**361},
            "InvalidParameterValue",
            f"The value {2.0**361} for parameter MetricData.member.1.Value is invalid.",
        ),
        (
            {"MetricName": "m", "Values": [1.0, 2.0], "Counts": [1.0]},
            "InvalidParameterValue",
            "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.",
        ),
        (
            {"MetricName": "m", "Values": [1.0] * 151},
            "InvalidParameterValue",
            "The collection MetricData.member.1.Values must not have a size greater than 150.",
        ),
        (
            {"MetricName": "m", "StatisticValues": {"SampleCount": 2, "Sum": 1, "Minimum": 3, "Maximum": 1}},
            "MissingParameter",
            "The parameter MetricData.member.1.StatisticValues.Maximum must be greater than "
            "MetricData.member.1.StatisticValues.Minimum.",
        ),
        (
            {"MetricName": "m", "StatisticValues": {"SampleCount": 0, "Sum": 0, "Minimum": 0, "Maximum": 0}},
            "MissingParameter",
            "The parameter MetricData.member.1.StatisticValues.SampleCount must not equal 0.",
        ),
        (
            {"MetricName": "m", "Value": 1.0, "StorageResolution": 30},
            "InvalidParameterValue",
            "The value 30 for parameter MetricData.member.1.StorageResolution is invalid.",
        ),
    ],
)
def test_put_refusals_in_aws_words(cw, datum, code, message):
    assert cw.refused("PutMetricData", Namespace="Lab", MetricData=[datum]) == (code, message)


def test_timestamps_more_than_two_weeks_old_or_two_hours_ahead_are_refused(cw):
    now = cw.clock.time()
    message = "The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks."
    for moment in (now - 15 * 86_400, now + 3 * 3600):
        datum = {"MetricName": "m", "Value": 1.0, "Timestamp": moment}
        assert cw.refused("PutMetricData", Namespace="Lab", MetricData=[datum]) == ("InvalidParameterValue", message)
    cw.call("PutMetricData", Namespace="Lab", MetricData=[{"MetricName": "m", "Value": 1.0, "Timestamp": now + 3600}])


def test_aws_namespaces_are_not_for_put_metric_data(cw):
    datum = {"MetricName": "IncomingRecords", "Value": 1.0}
    assert cw.refused("PutMetricData", Namespace="AWS/Kinesis", MetricData=[datum]) == (
        "InvalidParameterValue",
        "The value AWS/Kinesis for parameter Namespace is invalid.",
    )


def test_no_metric_data_is_a_missing_parameter(cw):
    assert cw.refused("PutMetricData", Namespace="Lab") == ("MissingParameter", "The parameter MetricData is required.")


def test_more_than_1000_metrics_are_refused(cw):
    data = [{"MetricName": "m", "Value": 1.0}] * 1001
    assert cw.refused("PutMetricData", Namespace="Lab", MetricData=data) == (
        "InvalidParameterValue",
        "The collection MetricData must not have a size greater than 1000.",
    )


# --- ListMetrics --------------------------------------------------------------------------------------------------


def publish(cw: Endpoint, namespace: str, name: str, dimensions: dict[str, str], account: str = ACCOUNT) -> None:
    cw.store.put(account, REGION, namespace, name, dimensions, 1.0, "Count", cw.clock.time())


def listed(reply: dict) -> list[tuple[str, str, dict[str, str]]]:
    return [
        (m["Namespace"], m["MetricName"], {d["Name"]: d["Value"] for d in m["Dimensions"]}) for m in reply["Metrics"]
    ]


@pytest.fixture
def published(cw):
    publish(cw, "AWS/Kinesis", "IncomingRecords", {"StreamName": "wildrydes"})
    publish(cw, "AWS/Kinesis", "IncomingRecords", {"StreamName": "other"})
    publish(cw, "AWS/Kinesis", "IncomingBytes", {"StreamName": "wildrydes"})
    publish(cw, "AWS/Kinesis", "IncomingBytes", {"StreamName": "wildrydes", "ShardId": "shardId-000000000000"})
    publish(cw, "Lab", "Rides", {})
    publish(cw, "Lab", "Rides", {}, account="210987654321")
    return cw


def test_list_metrics_of_the_callers_account_and_region(published):
    cw = published
    assert listed(cw.call("ListMetrics")) == [
        ("AWS/Kinesis", "IncomingBytes", {"ShardId": "shardId-000000000000", "StreamName": "wildrydes"}),
        ("AWS/Kinesis", "IncomingBytes", {"StreamName": "wildrydes"}),
        ("AWS/Kinesis", "IncomingRecords", {"StreamName": "other"}),
        ("AWS/Kinesis", "IncomingRecords", {"StreamName": "wildrydes"}),
        ("Lab", "Rides", {}),
    ]
    assert listed(cw.call("ListMetrics", region="eu-west-1")) == []


def test_list_metrics_filters(published):
    cw = published
    assert [m[1] for m in listed(cw.call("ListMetrics", Namespace="Lab"))] == ["Rides"]
    assert len(listed(cw.call("ListMetrics", MetricName="IncomingBytes"))) == 2
    # A dimension filter matches metrics having that dimension, with more dimensions or not.
    by_stream = listed(cw.call("ListMetrics", Dimensions=[{"Name": "StreamName", "Value": "wildrydes"}]))
    assert len(by_stream) == 3
    assert len(listed(cw.call("ListMetrics", Dimensions=[{"Name": "StreamName"}]))) == 4
    assert len(listed(cw.call("ListMetrics", Dimensions=[{"Name": "ShardId"}, {"Name": "StreamName"}]))) == 1
    assert listed(cw.call("ListMetrics", Namespace="AWS/Kinesis", Dimensions=[{"Name": "Nope"}])) == []


def test_list_metrics_pages_of_500(cw):
    for n in range(1203):
        publish(cw, "Lab", "Rides", {"Unicorn": f"u{n:04d}"})
    seen, token, pages = [], None, 0
    while True:
        reply = cw.call("ListMetrics", Namespace="Lab", **({"NextToken": token} if token else {}))
        pages += 1
        seen += [m["Dimensions"][0]["Value"] for m in reply["Metrics"]]
        token = reply.get("NextToken")
        if not token:
            break
    assert pages == 3
    assert seen == [f"u{n:04d}" for n in range(1203)]


def test_list_metrics_refuses_a_made_up_token(cw):
    assert cw.refused("ListMetrics", NextToken="garbage")[0] == "InvalidParameterValue"


def test_recently_active_and_two_weeks(cw):
    publish(cw, "Lab", "Old", {})
    cw.clock.advance(4 * 3600)
    publish(cw, "Lab", "New", {})
    assert [m[1] for m in listed(cw.call("ListMetrics", RecentlyActive="PT3H"))] == ["New"]
    assert [m[1] for m in listed(cw.call("ListMetrics"))] == ["New", "Old"]
    cw.clock.advance(14 * 86_400 - 3600)
    assert [m[1] for m in listed(cw.call("ListMetrics"))] == ["New"]


def test_linked_accounts_name_the_owner(published):
    reply = published.call("ListMetrics", Namespace="Lab", IncludeLinkedAccounts=True)
    assert reply["OwningAccounts"] == [ACCOUNT]


# --- GetMetricData ------------------------------------------------------------------------------------------------


def metric_query(query_id: str, name: str, stat: str = "Sum", period: int = 60, **extra: Any) -> dict:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/Kinesis",
                "MetricName": name,
                "Dimensions": [{"Name": "StreamName", "Value": "wildrydes"}],
            },
            "Period": period,
            "Stat": stat,
        },
    } | extra


@pytest.fixture
def three_minutes(cw):
    start = minute_start(cw) - 600
    for minute in range(3):
        for value in (1.0, 2.0, 3.0):
            cw.runtime.metrics.put(
                ACCOUNT, REGION, "AWS/Kinesis", "IncomingRecords", {"StreamName": "wildrydes"}, value * (minute + 1),
                "Count", start + 60 * minute + 5,
            )  # fmt: skip
    return cw, start


def test_get_metric_data_newest_first_by_default(three_minutes):
    cw, start = three_minutes
    reply = cw.call(
        "GetMetricData",
        MetricDataQueries=[
            metric_query("incoming", "IncomingRecords"),
            metric_query("peak", "IncomingRecords", "Maximum"),
        ],
        StartTime=start,
        EndTime=start + 180,
    )
    incoming, peak = reply["MetricDataResults"]
    assert incoming == {
        "Id": "incoming",
        "Label": "IncomingRecords",
        "Timestamps": [start + 120.0, start + 60.0, float(start)],
        "Values": [18.0, 12.0, 6.0],
        "StatusCode": "Complete",
        "Messages": [],
    }
    assert peak["Values"] == [9.0, 6.0, 3.0]
    assert "NextToken" not in reply


def test_get_metric_data_oldest_first_labels_percentiles_and_return_data(three_minutes):
    cw, start = three_minutes
    reply = cw.call(
        "GetMetricData",
        MetricDataQueries=[
            metric_query("median", "IncomingRecords", "p50", Label="median records"),
            metric_query("hidden", "IncomingRecords", ReturnData=False),
        ],
        StartTime=start,
        EndTime=start + 180,
        ScanBy="TimestampAscending",
    )
    (median,) = reply["MetricDataResults"]
    assert median["Label"] == "median records"
    assert median["Timestamps"] == [float(start), start + 60.0, start + 120.0]
    assert median["Values"] == pytest.approx([2.0, 4.0, 6.0], rel=0.02)


def test_get_metric_data_pages_by_max_datapoints(three_minutes):
    cw, start = three_minutes
    queries = [metric_query("a", "IncomingRecords"), metric_query("b", "IncomingRecords", "SampleCount")]
    common = {"MetricDataQueries": queries, "StartTime": start, "EndTime": start + 180, "MaxDatapoints": 4}
    first = cw.call("GetMetricData", **common)
    assert [r["Values"] for r in first["MetricDataResults"]] == [[18.0, 12.0, 6.0], [3.0]]
    assert [r["StatusCode"] for r in first["MetricDataResults"]] == ["Complete", "PartialData"]
    second = cw.call("GetMetricData", NextToken=first["NextToken"], **common)
    assert [r["Values"] for r in second["MetricDataResults"]] == [[], [3.0, 3.0]]
    assert "NextToken" not in second
    assert cw.refused("GetMetricData", NextToken="cw1.!!", **common)[0] == "InvalidNextToken"


def test_get_metric_data_refuses_expressions_clearly(cw):
    code, message = cw.refused(
        "GetMetricData",
        MetricDataQueries=[{"Id": "total", "Expression": "SUM(METRICS())"}],
        StartTime=0.0,
        EndTime=60.0,
    )
    assert code == "InvalidParameterValue"
    assert "MetricDataQueries.member.1.Expression" in message and "not supported" in message


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"Id": "Upper", "MetricStat": metric_query("x", "m")["MetricStat"]}, "MetricDataQueries.member.1.Id"),
        (metric_query("x", "m", stat="Median"), "The value Median for parameter MetricDataQueries.member.1.MetricStat"),
        (
            metric_query("x", "m", period=45),
            "The parameter MetricDataQueries.member.1.MetricStat.Period must be 1, 5, 10, 20, 30, or a multiple of 60.",
        ),
    ],
)
def test_get_metric_data_refusals(cw, query, message):
    code, text = cw.refused("GetMetricData", MetricDataQueries=[query], StartTime=0.0, EndTime=60.0)
    assert code == "InvalidParameterValue" and message in text


def test_get_metric_data_ids_must_be_unique_and_one_kind(cw):
    twice = [metric_query("x", "m"), metric_query("x", "n")]
    assert (
        cw.refused("GetMetricData", MetricDataQueries=twice, StartTime=0.0, EndTime=60.0)[0] == "InvalidParameterValue"
    )
    both = [metric_query("x", "m", Expression="m")]
    assert cw.refused("GetMetricData", MetricDataQueries=both, StartTime=0.0, EndTime=60.0)[0] == (
        "InvalidParameterCombination"
    )
    neither = [{"Id": "x"}]
    assert cw.refused("GetMetricData", MetricDataQueries=neither, StartTime=0.0, EndTime=60.0) == (
        "MissingParameter",
        "The parameter MetricDataQueries.member.1.MetricStat is required.",
    )
