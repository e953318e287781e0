"""The service between botocore's serializers and parsers, through the endpoint's wire (decode, model validation,
encode) in the three protocols CloudWatch speaks: what boto3, the AWS CLI and `simulate stats` send and read."""

from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.parsers
import botocore.serialize
import botocore.session
import pytest

from localaws import wire
from localaws.clock import Clock
from localaws.cloudwatch import CloudWatchService, MetricStore
from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.runtime import Runtime
from localaws.settings import Settings

ACCOUNT, REGION = "123456789012", "us-east-1"
MODEL = botocore.session.get_session().get_service_model("cloudwatch")
BOTOCORE_PROTOCOL = {"rpcv2cbor": "smithy-rpc-v2-cbor", "json": "json", "query": "query"}


class Client:
    """A botocore-shaped client whose transport is the endpoint's wire and the CloudWatch service, in-process."""

    def __init__(self, tmp_path: Any, protocol: str) -> None:
        self.protocol = protocol
        self.clock = Clock()
        self.store = MetricStore(self.clock)
        self.runtime = Runtime(Settings(state_dir=tmp_path), clock=self.clock, metrics=self.store)
        self.service = CloudWatchService(self.runtime, self.store)

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        model = MODEL.operation_model(operation)
        serializer = botocore.serialize.create_serializer(BOTOCORE_PROTOCOL[self.protocol], include_validation=True)
        body = serializer.serialize_to_request(params, model)["body"]
        if self.protocol == "query":
            body = {key: [str(value)] for key, value in body.items()}
        ctx = RequestContext(
            service="cloudwatch",
            operation=operation,
            region=REGION,
            account_id=ACCOUNT,
            principal=None,
            request_id="wire-test",
            clock=self.clock,
            settings=self.runtime.settings,
        )
        try:
            decoded = wire.decode_request("cloudwatch", operation, self.protocol, body)
            wire.validate("cloudwatch", operation, decoded)
            result = self.service.call(ctx, decoded)
            status, headers, payload = wire.encode_response("cloudwatch", operation, self.protocol, result, "wire-test")
        except AwsError as error:
            status, headers, payload = wire.encode_error("cloudwatch", self.protocol, error, "wire-test")
        parser = botocore.parsers.create_parser(BOTOCORE_PROTOCOL[self.protocol])
        response = {"status_code": status, "headers": headers, "body": payload}
        parsed = parser.parse(response, model.output_shape)
        parsed.pop("ResponseMetadata", None)
        return parsed


@pytest.fixture(params=sorted(BOTOCORE_PROTOCOL))
def client(request, tmp_path) -> Client:
    return Client(tmp_path, request.param)


def test_stats_reads_what_kinesis_published(client):
    """simulate stats' call, as it makes it: datetimes in, Sum per period out, Timestamps as datetimes."""
    end = datetime.fromtimestamp(client.clock.time(), UTC)
    start = datetime.fromtimestamp(int((end - timedelta(minutes=15)).timestamp()) // 60 * 60, UTC)
    moment = start + timedelta(minutes=2, seconds=7)
    for name, value in (("IncomingRecords", 20.0), ("PutRecords.SuccessfulRecords", 20.0), ("PutRecord.Success", 1.0)):
        client.runtime.metrics.put(
            ACCOUNT, REGION, "AWS/Kinesis", name, {"StreamName": "wildrydes"}, value, "Count", moment.timestamp()
        )
    for name, expected in (
        ("IncomingRecords", 20.0),
        ("PutRecords.SuccessfulRecords", 20.0),
        ("PutRecord.Success", 1.0),
    ):
        reply = client.call(
            "GetMetricStatistics",
            Namespace="AWS/Kinesis",
            MetricName=name,
            Dimensions=[{"Name": "StreamName", "Value": "wildrydes"}],
            StartTime=start,
            EndTime=end,
            Period=60,
            Statistics=["Sum", "SampleCount"],
        )
        assert reply["Label"] == name
        (point,) = reply["Datapoints"]
        assert point["Timestamp"] == start + timedelta(minutes=2)
        assert (point["Sum"], point["SampleCount"], point["Unit"]) == (expected, 1.0, "Count")


def test_put_then_percentiles_and_metric_data(client):
    at = datetime.fromtimestamp(int(client.clock.time()) // 60 * 60 - 120, UTC)
    assert (
        client.call(
            "PutMetricData",
            Namespace="Lab",
            MetricData=[
                {
                    "MetricName": "RideSeconds",
                    "Dimensions": [{"Name": "Unicorn", "Value": "Shadowfax"}],
                    "Timestamp": at,
                    "Values": [10.0, 20.0, 30.0],
                    "Counts": [1.0, 1.0, 2.0],
                    "Unit": "Seconds",
                    "StorageResolution": 1,
                }
            ],
        )
        == {}
    )
    common = {
        "Namespace": "Lab",
        "MetricName": "RideSeconds",
        "Dimensions": [{"Name": "Unicorn", "Value": "Shadowfax"}],
    }
    stats = client.call(
        "GetMetricStatistics", StartTime=at, EndTime=at + timedelta(minutes=1), Period=60, ExtendedStatistics=["p50"],
        **common,
    )  # fmt: skip
    (point,) = stats["Datapoints"]
    assert point["ExtendedStatistics"]["p50"] == pytest.approx(20.0, rel=0.02)
    data = client.call(
        "GetMetricData",
        MetricDataQueries=[{"Id": "avg", "MetricStat": {"Metric": common, "Period": 60, "Stat": "Average"}}],
        StartTime=at,
        EndTime=at + timedelta(minutes=1),
    )
    (result,) = data["MetricDataResults"]
    assert (result["Id"], result["Timestamps"], result["Values"], result["StatusCode"]) == (
        "avg",
        [at],
        [22.5],
        "Complete",
    )
    listed = client.call("ListMetrics", Namespace="Lab")
    assert listed["Metrics"] == [{**common}]


def test_errors_reach_the_caller_with_their_code_and_message(client):
    reply = client.call(
        "GetMetricStatistics",
        Namespace="Lab",
        MetricName="m",
        StartTime=datetime(2026, 1, 1, tzinfo=UTC),
        EndTime=datetime(2026, 1, 2, tzinfo=UTC),
        Period=1,
        Statistics=["Sum"],
    )
    assert reply["Error"]["Code"] == "InvalidParameterCombination"
    assert reply["Error"]["Message"].startswith("You have requested up to 86400 datapoints")
