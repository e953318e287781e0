"""The wire's model lookups and the JSON responses and errors of every JSON service (Kinesis, Cognito Identity,
KMS, CloudWatch's JSON 1.0), checked against botocore's JSON parser where a client reads them."""

import base64
import json
from datetime import UTC, datetime

import botocore.parsers
import botocore.session
import pytest

from localaws import wire
from localaws.errors import AwsError

_SESSION = botocore.session.get_session()


def parsed(service: str, operation: str, status: int, headers: dict, body: bytes) -> dict:
    model = _SESSION.get_service_model(service).operation_model(operation)
    parser = botocore.parsers.create_parser(_SESSION.get_service_model(service).metadata["protocol"])
    if service == "cloudwatch":
        parser = botocore.parsers.create_parser("json")
    lowered = {k.lower(): v for k, v in headers.items()}
    return parser.parse({"body": body, "headers": lowered, "status_code": status}, model.output_shape)


def test_model_lookups():
    assert wire.PROTOCOLS == ("json", "cbor", "query", "rpcv2cbor")
    assert wire.operation_model("kinesis", "PutRecords").name == "PutRecords"
    assert wire.operation_model("kinesis", "PutRecords") is wire.operation_model("kinesis", "PutRecords")
    with pytest.raises(KeyError):
        wire.operation_model("kinesis", "PutRecord5")
    with pytest.raises(KeyError):
        wire.operation_model("no-such-service", "PutRecords")
    assert wire.find_operation("kinesis", "ListStreams") == "ListStreams"
    assert wire.find_operation("kinesis", "ListStream") is None
    assert wire.find_operation("kinesis", "liststreams") is None
    assert wire.find_operation("kinesis", "") is None
    assert wire.find_operation("no-such-service", "ListStreams") is None
    with pytest.raises(KeyError):
        wire.decode_request("kinesis", "Whatever", "json", b"{}")


def test_kinesis_operation_without_output_answers_an_empty_body():
    # kinesalite: res.body.should.equal('') for CreateStream, AddTagsToStream…; Content-Length 0.
    for operation in ("CreateStream", "AddTagsToStream", "DeleteStream"):
        status, headers, body = wire.encode_response("kinesis", operation, "json", None, "r")
        assert (status, body) == (200, b"")
        assert headers == {"Content-Type": "application/x-amz-json-1.1", "Content-Length": "0", "x-amzn-RequestId": "r"}


def test_output_leaves_out_nones_and_members_not_in_the_model():
    result = {"StreamNames": ["a", "b"], "HasMoreStreams": False, "NextToken": None, "internal": 1}
    status, headers, body = wire.encode_response("kinesis", "ListStreams", "json", result, "r")
    assert json.loads(body) == {"StreamNames": ["a", "b"], "HasMoreStreams": False}
    assert headers["Content-Length"] == str(len(body))
    assert parsed("kinesis", "ListStreams", status, headers, body)["StreamNames"] == ["a", "b"]
    _, _, body = wire.encode_response("kinesis", "ListStreams", "json", None, "r")
    assert body == b"{}"


def test_cognito_credentials_parse_in_botocore():
    expiration = datetime(2026, 11, 30, 20, 35, 8, tzinfo=UTC)
    result = {
        "IdentityId": "us-east-1:0e1d9a3c-1111-2222-3333-444455556666",
        "Credentials": {"AccessKeyId": "ASIA1", "SecretKey": "s", "SessionToken": "t", "Expiration": expiration},
    }
    status, headers, body = wire.encode_response("cognito-identity", "GetCredentialsForIdentity", "json", result, "r")
    assert json.loads(body)["Credentials"]["Expiration"] == expiration.timestamp()
    out = parsed("cognito-identity", "GetCredentialsForIdentity", status, headers, body)
    assert out["Credentials"]["Expiration"] == expiration


def test_cognito_validation_is_a_validation_exception():
    params = wire.decode_request(
        "cognito-identity", "GetId", "json", b'{"IdentityPoolId": "nope", "Logins": {"": "t"}}'
    )
    with pytest.raises(AwsError) as caught:
        wire.validate("cognito-identity", "GetId", params)
    assert caught.value.code == "ValidationException"
    assert caught.value.message.startswith(
        "2 validation errors detected: Value 'nope' at 'identityPoolId' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+; "
        "Value '{=t}' at 'logins' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 128, Member must have length greater than or equal to 1"
    )


def test_kms_blobs_in_and_out():
    plaintext = base64.b64encode(b"secret").decode()
    params = wire.decode_request(
        "kms", "Encrypt", "json", json.dumps({"KeyId": "alias/x", "Plaintext": plaintext}).encode()
    )
    assert params == {"KeyId": "alias/x", "Plaintext": b"secret"}
    wire.validate("kms", "Encrypt", params)
    result = {"CiphertextBlob": b"\x00\x01cipher", "KeyId": "arn:aws:kms:us-east-1:123456789012:key/k"}
    status, headers, body = wire.encode_response("kms", "Encrypt", "json", result, "r")
    assert json.loads(body)["CiphertextBlob"] == base64.b64encode(b"\x00\x01cipher").decode()
    assert parsed("kms", "Encrypt", status, headers, body)["CiphertextBlob"] == b"\x00\x01cipher"


def test_json_error_bodies():
    status, headers, body = wire.encode_error("kinesis", "json", AwsError("ResourceNotFoundException", "Stream x"), "r")
    assert (status, json.loads(body)) == (400, {"__type": "ResourceNotFoundException", "message": "Stream x"})
    assert headers["x-amzn-RequestId"] == "r"
    status, _, body = wire.encode_error(
        "kinesis", "json", AwsError("InternalFailure", None, 500, sender_fault=False), "r"
    )
    assert (status, json.loads(body)) == (500, {"__type": "InternalFailure"})
    _, headers, body = wire.encode_error("cognito-identity", "json", AwsError("NotAuthorizedException", "no"), "r")
    out = parsed("cognito-identity", "GetId", 400, headers, body)
    assert (out["Error"]["Code"], out["Error"]["Message"]) == ("NotAuthorizedException", "no")


def test_cloudwatch_json_1_0_and_query_compatible_error_header():
    _, headers, body = wire.encode_response("cloudwatch", "ListMetrics", "json", {"Metrics": []}, "r")
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    _, headers, body = wire.encode_error("cloudwatch", "json", AwsError("InvalidParameterValue", "bad"), "r")
    assert json.loads(body) == {"__type": "InvalidParameterValueException", "message": "bad"}
    assert headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    out = parsed("cloudwatch", "ListMetrics", 400, headers, body)
    assert out["Error"]["Code"] == "InvalidParameterValue"


def test_kinesis_refuses_a_timestamp_given_as_text():
    # JSON timestamps are epoch seconds; kinesalite recorded AWS refusing a string for one.
    with pytest.raises(AwsError) as caught:
        wire.decode_request("kinesis", "ListShards", "json", b'{"StreamCreationTimestamp": "2026-11-30T19:00:00Z"}')
    assert caught.value.message == "class java.lang.String can not be converted to milliseconds since epoch"


def test_wrong_protocol_inputs_are_programming_errors():
    with pytest.raises(ValueError):
        wire.decode_request("kinesis", "ListStreams", "json", {"a": ["b"]})
    with pytest.raises(ValueError):
        wire.decode_request("sts", "GetCallerIdentity", "query", b"Action=GetCallerIdentity")
    with pytest.raises(ValueError):
        wire.decode_request("kinesis", "ListStreams", "xml", b"{}")


def test_cloudwatch_doubles_and_maps_in_json_and_xml():
    when = datetime(2026, 11, 30, 19, 1, tzinfo=UTC)
    result = {"Label": "L", "Datapoints": [{"Timestamp": when, "Sum": 42, "ExtendedStatistics": {"p99": 3.0}}]}
    status, headers, body = wire.encode_response("cloudwatch", "GetMetricStatistics", "json", result, "r")
    assert json.loads(body)["Datapoints"] == [
        {"Timestamp": when.timestamp(), "Sum": 42.0, "ExtendedStatistics": {"p99": 3.0}}
    ]
    assert b'"Sum":42.0' in body
    out = parsed("cloudwatch", "GetMetricStatistics", status, headers, body)
    assert out["Datapoints"][0]["Timestamp"] == when
    _, _, xml = wire.encode_response("cloudwatch", "GetMetricStatistics", "query", result, "r")
    assert (
        b"<Datapoints><member><Timestamp>2026-11-30T19:01:00Z</Timestamp><Sum>42</Sum><ExtendedStatistics>"
        b"<entry><key>p99</key><value>3.0</value></entry></ExtendedStatistics></member></Datapoints>" in xml
    )
