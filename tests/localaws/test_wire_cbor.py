"""CBOR: the codec, Kinesis over application/x-amz-cbor-1.1 (the Java SDK's default: blobs as byte strings,
timestamps as tag 1 around epoch milliseconds) and CloudWatch over Smithy's rpcv2Cbor (tag 1 around epoch
seconds), checked against botocore's own rpcv2Cbor serializer and parser."""

import math
from datetime import UTC, datetime

import botocore.parsers
import botocore.serialize
import botocore.session
import pytest

from localaws import wire
from localaws.errors import AwsError
from localaws.wire import cbor
from localaws.wire.cbor import Tagged

_SESSION = botocore.session.get_session()


@pytest.mark.parametrize(
    "value",
    [
        0,
        23,
        24,
        255,
        256,
        65536,
        2**32,
        2**64 - 1,
        -1,
        -(2**64),
        2**64,
        -(2**200),
        1.5,
        -0.0,
        math.inf,
        "",
        "ünïcörn",
        b"",
        b"\x00\xff",
        [],
        [1, [2, [3]]],
        {},
        {"a": {"b": [True, False, None]}},
        Tagged(1, 1700000000123),
    ],
)
def test_codec_round_trip(value):
    assert cbor.loads(cbor.dumps(value)) == value


def test_indefinite_lengths_half_floats_and_undefined_decode():
    # {_ "a": [_ 1, 2], "b": (_ h'01', h'02'), "c": (_ "x", "y")} then a half float and undefined in a list
    data = bytes.fromhex("bf6161 9f0102ff 6162 5f41014102ff 6163 7f61786179ff ff".replace(" ", ""))
    assert cbor.loads(data) == {"a": [1, 2], "b": b"\x01\x02", "c": "xy"}
    assert cbor.loads(bytes.fromhex("83f93e00f7f6")) == [1.5, None, None]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x18",
        b"\x62a",
        b"\xa1\x61a",
        b"\x9f\x01",
        b"\x01\x02",
        b"\x63\xff\xfe\xfd",
        b"\xff",
        b"\x1c",
        b"\xbf\x80\x01\xff",
    ],
)
def test_malformed_cbor_is_refused(data):
    with pytest.raises(cbor.CborError):
        cbor.loads(data)


def test_deep_nesting_is_refused_not_a_crash():
    with pytest.raises(cbor.CborError):
        cbor.loads(b"\x81" * 100_000 + b"\x01")


def test_kinesis_put_records_from_the_java_sdk_keeps_blobs_raw():
    body = cbor.dumps({"StreamName": "wildrydes", "Records": [{"Data": b'\x00{"x":1}', "PartitionKey": "Shadowfax"}]})
    params = wire.decode_request("kinesis", "PutRecords", "cbor", body)
    assert params == {"StreamName": "wildrydes", "Records": [{"Data": b'\x00{"x":1}', "PartitionKey": "Shadowfax"}]}
    wire.validate("kinesis", "PutRecords", params)


def test_kinesis_cbor_timestamps_are_epoch_milliseconds_under_tag_1():
    body = cbor.dumps(
        {
            "StreamName": "w",
            "ShardId": "shardId-0",
            "ShardIteratorType": "AT_TIMESTAMP",
            "Timestamp": Tagged(1, 1787036486712),
        }
    )
    assert wire.decode_request("kinesis", "GetShardIterator", "cbor", body)["Timestamp"] == 1787036486.712

    arrival = datetime(2026, 11, 30, 19, 35, 8, 250000, tzinfo=UTC)
    result = {
        "Records": [
            {"SequenceNumber": "1", "ApproximateArrivalTimestamp": arrival, "Data": b"\x01\x02", "PartitionKey": "p"},
            {
                "SequenceNumber": "2",
                "ApproximateArrivalTimestamp": arrival.timestamp(),
                "Data": b"",
                "PartitionKey": "q",
            },
        ],
        "NextShardIterator": "it",
        "MillisBehindLatest": 0,
    }
    status, headers, body = wire.encode_response("kinesis", "GetRecords", "cbor", result, "r")
    assert (status, headers["Content-Type"]) == (200, "application/x-amz-cbor-1.1")
    decoded = cbor.loads(body)
    assert decoded["Records"][0] == {
        "SequenceNumber": "1",
        "ApproximateArrivalTimestamp": Tagged(1, 1796067308250),
        "Data": b"\x01\x02",
        "PartitionKey": "p",
    }
    assert decoded["Records"][1]["ApproximateArrivalTimestamp"] == Tagged(1, 1796067308250)
    assert decoded["MillisBehindLatest"] == 0


def test_kinesis_json_timestamps_are_epoch_seconds_and_blobs_base64():
    arrival = datetime(2026, 11, 30, 19, 35, 8, 250000, tzinfo=UTC)
    result = {
        "Records": [{"SequenceNumber": "1", "ApproximateArrivalTimestamp": arrival, "Data": b"hi", "PartitionKey": "p"}]
    }
    _, _, body = wire.encode_response("kinesis", "GetRecords", "json", result, "r")
    assert body == (
        b'{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1796067308.25,"Data":"aGk=",'
        b'"PartitionKey":"p"}]}'
    )


def test_cbor_wrong_types_get_the_json_messages():
    body = cbor.dumps({"StreamName": 23})
    with pytest.raises(AwsError) as caught:
        wire.decode_request("kinesis", "CreateStream", "cbor", body)
    assert caught.value.message == (
        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"
    )
    with pytest.raises(AwsError) as caught:
        wire.decode_request("kinesis", "PutRecord", "cbor", cbor.dumps({"Data": "+/+="}))
    assert (
        caught.value.message == "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"
    )
    with pytest.raises(AwsError) as caught:
        wire.decode_request("kinesis", "PutRecord", "cbor", b"\xa1\x64Data")
    assert (caught.value.code, caught.value.message) == ("SerializationException", None)


def test_cbor_errors_and_empty_outputs():
    status, headers, body = wire.encode_error("kinesis", "cbor", AwsError("ResourceNotFoundException", "Stream x"), "r")
    assert (status, headers["Content-Type"]) == (400, "application/x-amz-cbor-1.1")
    assert cbor.loads(body) == {"__type": "ResourceNotFoundException", "message": "Stream x"}
    status, headers, body = wire.encode_response("kinesis", "CreateStream", "cbor", None, "r")
    assert (status, headers["Content-Length"], body) == (200, "0", b"")


# --- CloudWatch over rpcv2Cbor ----------------------------------------------------------------------------------


def _cloudwatch(operation: str):
    return _SESSION.get_service_model("cloudwatch").operation_model(operation)


def test_get_metric_statistics_request_from_botocore():
    params = {
        "Namespace": "AWS/Kinesis",
        "MetricName": "IncomingRecords",
        "Dimensions": [{"Name": "StreamName", "Value": "wildrydes"}],
        "StartTime": datetime(2026, 11, 30, 19, tzinfo=UTC),
        "EndTime": datetime(2026, 11, 30, 20, 0, 0, 500000, tzinfo=UTC),
        "Period": 60,
        "Statistics": ["Sum", "Average"],
    }
    request = botocore.serialize.create_serializer("smithy-rpc-v2-cbor").serialize_to_request(
        params, _cloudwatch("GetMetricStatistics")
    )
    assert request["headers"]["Content-Type"] == "application/cbor"
    decoded = wire.decode_request("cloudwatch", "GetMetricStatistics", "rpcv2cbor", request["body"])
    assert decoded == {
        **params,
        "StartTime": params["StartTime"].timestamp(),
        "EndTime": params["EndTime"].timestamp(),
    }
    wire.validate("cloudwatch", "GetMetricStatistics", decoded)


def test_get_metric_statistics_response_parses_in_botocore():
    when = datetime(2026, 11, 30, 19, 1, tzinfo=UTC)
    result = {
        "Label": "IncomingRecords",
        "Datapoints": [{"Timestamp": when, "Sum": 42, "Average": 1.5, "Unit": "Count"}],
    }
    status, headers, body = wire.encode_response("cloudwatch", "GetMetricStatistics", "rpcv2cbor", result, "r7")
    assert (status, headers["Content-Type"], headers["smithy-protocol"]) == (200, "application/cbor", "rpc-v2-cbor")
    assert cbor.loads(body)["Datapoints"][0]["Timestamp"] == Tagged(1, when.timestamp())
    parsed = botocore.parsers.create_parser("smithy-rpc-v2-cbor").parse(
        {"body": body, "headers": headers, "status_code": 200}, _cloudwatch("GetMetricStatistics").output_shape
    )
    assert parsed["Datapoints"] == [{"Timestamp": when, "Sum": 42.0, "Average": 1.5, "Unit": "Count"}]
    assert parsed["Label"] == "IncomingRecords"


def test_cloudwatch_validation_error_carries_the_query_code_in_every_protocol():
    params = wire.decode_request(
        "cloudwatch", "GetMetricStatistics", "rpcv2cbor", cbor.dumps({"Namespace": "N", "MetricName": "M", "Period": 0})
    )
    with pytest.raises(AwsError) as caught:
        wire.validate("cloudwatch", "GetMetricStatistics", params)
    error = caught.value
    assert error.code == "ValidationError"
    assert error.message.startswith("3 validation errors detected: Value null at 'startTime' failed to satisfy")
    status, headers, body = wire.encode_error("cloudwatch", "rpcv2cbor", error, "r8")
    assert (status, headers["smithy-protocol"], headers["x-amzn-query-error"]) == (
        400,
        "rpc-v2-cbor",
        "ValidationError;Sender",
    )
    assert cbor.loads(body) == {"__type": "ValidationException", "message": error.message}
    parsed = botocore.parsers.create_parser("smithy-rpc-v2-cbor").parse(
        {"body": body, "headers": headers, "status_code": 400}, _cloudwatch("GetMetricStatistics").output_shape
    )
    assert parsed["Error"]["Code"] == "ValidationError"
    _, headers, body = wire.encode_error("cloudwatch", "json", error, "r8")
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    _, _, body = wire.encode_error("cloudwatch", "query", error, "r8")
    assert b"<Code>ValidationError</Code>" in body
    assert b'xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"' in body


def test_rpcv2cbor_operation_without_output_and_empty_input():
    assert wire.decode_request("cloudwatch", "PutMetricData", "rpcv2cbor", b"") == {}
    status, headers, body = wire.encode_response("cloudwatch", "PutMetricData", "rpcv2cbor", None, "r")
    assert (status, body, headers["smithy-protocol"]) == (200, b"", "rpc-v2-cbor")
