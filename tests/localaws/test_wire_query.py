"""The query protocol (STS, IAM, CloudWatch): forms in, XML out; checked against botocore's own query serializer
and response parser, the way the SDKs and the CLI speak it."""

from datetime import UTC, datetime
from urllib.parse import parse_qs
from xml.etree import ElementTree

import botocore.parsers
import botocore.serialize
import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localaws import wire
from localaws.errors import AwsError

ROLE_ARN = "arn:aws:iam::123456789012:role/wildrydes-guest"
_SESSION = botocore.session.get_session()


def form_of(service: str, operation: str, params: dict) -> dict[str, list[str]]:
    """The form botocore sends for `params` (Action and Version included), as the front door parses it."""
    model = _SESSION.get_service_model(service).operation_model(operation)
    request = botocore.serialize.create_serializer("query").serialize_to_request(params, model)
    body = request["body"]
    return {k: [str(v)] for k, v in body.items()} if isinstance(body, dict) else parse_qs(body, keep_blank_values=True)


def parsed_by_botocore(service: str, operation: str, body: bytes, status: int = 200) -> dict:
    model = _SESSION.get_service_model(service).operation_model(operation)
    parser = botocore.parsers.create_parser("query")
    return parser.parse({"body": body, "headers": {}, "status_code": status}, model.output_shape)


def test_assume_role_nested_members_round_trip():
    params = {
        "RoleArn": ROLE_ARN,
        "RoleSessionName": "unicorn-1",
        "DurationSeconds": 900,
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, {"arn": "arn:aws:iam::aws:policy/X"}],
        "Tags": [{"Key": "team", "Value": "wild"}, {"Key": "k2", "Value": ""}],
        "TransitiveTagKeys": ["team"],
        "Policy": '{"Version":"2012-10-17"}',
    }
    form = form_of("sts", "AssumeRole", params)
    assert form["Tags.member.1.Key"] == ["team"] and form["PolicyArns.member.2.arn"] == ["arn:aws:iam::aws:policy/X"]
    decoded = wire.decode_request("sts", "AssumeRole", "query", form)
    assert decoded == params
    wire.validate("sts", "AssumeRole", decoded)


def test_hand_written_form_with_gaps_and_order_is_read_by_index():
    form = {
        "Action": ["AssumeRole"],
        "Version": ["2011-06-15"],
        "RoleArn": [ROLE_ARN],
        "RoleSessionName": ["s1"],
        "Tags.member.2.Key": ["b"],
        "Tags.member.2.Value": ["2"],
        "Tags.member.10.Key": ["c"],
        "Tags.member.10.Value": ["3"],
        "Tags.member.1.Key": ["a"],
        "Tags.member.1.Value": ["1"],
        "Unknown.member.1": ["x"],
    }
    decoded = wire.decode_request("sts", "AssumeRole", "query", form)
    assert decoded["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}, {"Key": "c", "Value": "3"}]
    assert "Unknown" not in decoded


def test_assume_role_with_web_identity_validation_is_a_validation_error_in_aws_words():
    form = {"RoleArn": ["arn"], "RoleSessionName": ["x"], "WebIdentityToken": ["t" * 3], "DurationSeconds": ["899"]}
    params = wire.decode_request("sts", "AssumeRoleWithWebIdentity", "query", form)
    with pytest.raises(AwsError) as caught:
        wire.validate("sts", "AssumeRoleWithWebIdentity", params)
    assert caught.value.code == "ValidationError"
    assert caught.value.message == (
        "4 validation errors detected: "
        "Value 'arn' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20; "
        "Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal "
        "to 2; "
        "Value 'ttt' at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or "
        "equal to 4; "
        "Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal "
        "to 900"
    )


def test_missing_required_query_member_is_null():
    params = wire.decode_request("sts", "AssumeRoleWithWebIdentity", "query", {"RoleSessionName": ["ab"]})
    with pytest.raises(AwsError) as caught:
        wire.validate("sts", "AssumeRoleWithWebIdentity", params)
    assert caught.value.message == (
        "2 validation errors detected: "
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null; "
        "Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null"
    )


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        (
            "CreateRole",
            {
                "RoleName": "wildrydes-guest",
                "Path": "/lab/",
                "AssumeRolePolicyDocument": '{"Version":"2012-10-17","Statement":[]}',
                "MaxSessionDuration": 3600,
                "Tags": [{"Key": "course", "Value": "streaming"}],
            },
        ),
        ("PutRolePolicy", {"RoleName": "r", "PolicyName": "p", "PolicyDocument": '{"Version":"2012-10-17"}'}),
        ("TagRole", {"RoleName": "r", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]}),
        ("UntagRole", {"RoleName": "r", "TagKeys": ["a", "b"]}),
    ],
)
def test_iam_forms_round_trip(operation, params):
    decoded = wire.decode_request("iam", operation, "query", form_of("iam", operation, params))
    assert decoded == params
    wire.validate("iam", operation, decoded)


def test_iam_pattern_with_unicode_categories_is_checked():
    params = wire.decode_request(
        "iam", "TagRole", "query", {"RoleName": ["r"], "Tags.member.1.Key": ["bad;key"], "Tags.member.1.Value": ["v"]}
    )
    with pytest.raises(AwsError) as caught:
        wire.validate("iam", "TagRole", params)
    assert caught.value.message == (
        "1 validation error detected: Value 'bad;key' at 'tags.1.member.key' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+"
    )
    ok = wire.decode_request(
        "iam", "TagRole", "query", {"RoleName": ["r"], "Tags.member.1.Key": ["Ünï cörn:1"], "Tags.member.1.Value": [""]}
    )
    wire.validate("iam", "TagRole", ok)


def test_empty_list_marker_and_maps_with_entries():
    # botocore sends `Name=` for an empty list; maps go as Name.entry.N.key / .value.
    assert wire.decode_request("iam", "UntagRole", "query", {"RoleName": ["r"], "TagKeys": [""]}) == {
        "RoleName": "r",
        "TagKeys": [],
    }
    form = {
        "Namespace": ["WildRydes"],
        "EntityMetricData.member.1.Entity.Attributes.entry.1.key": ["Name"],
        "EntityMetricData.member.1.Entity.Attributes.entry.1.value": ["Shadowfax"],
        "EntityMetricData.member.1.Entity.Attributes.entry.2.key": ["Kind"],
        "EntityMetricData.member.1.Entity.Attributes.entry.2.value": ["unicorn"],
        "MetricData.member.1.MetricName": ["Distance"],
        "MetricData.member.1.Value": ["1.5"],
        "MetricData.member.1.Timestamp": ["2026-11-30T19:00:00Z"],
        "MetricData.member.1.Dimensions.member.1.Name": ["Unicorn"],
        "MetricData.member.1.Dimensions.member.1.Value": ["Shadowfax"],
    }
    decoded = wire.decode_request("cloudwatch", "PutMetricData", "query", form)
    assert decoded["EntityMetricData"] == [{"Entity": {"Attributes": {"Name": "Shadowfax", "Kind": "unicorn"}}}]
    assert decoded["MetricData"] == [
        {
            "MetricName": "Distance",
            "Value": 1.5,
            "Timestamp": datetime(2026, 11, 30, 19, tzinfo=UTC).timestamp(),
            "Dimensions": [{"Name": "Unicorn", "Value": "Shadowfax"}],
        }
    ]


def test_query_values_of_the_wrong_type_are_refused():
    with pytest.raises(AwsError) as caught:
        wire.decode_request("sts", "AssumeRole", "query", {"DurationSeconds": ["an hour"]})
    assert (caught.value.code, caught.value.message) == (
        "ValidationError",
        "1 validation error detected: Value 'an hour' at 'durationSeconds' failed to satisfy constraint: "
        "Member must be an integer",
    )
    with pytest.raises(AwsError) as caught:
        wire.decode_request("iam", "CreateRole", "query", {"Tags.member.2.Key": ["k"], "MaxSessionDuration": ["9e9"]})
    assert "at 'maxSessionDuration'" in caught.value.message


def test_names_that_do_not_fit_the_shape_are_ignored():
    form = {"RoleSessionName.x": ["a"], "RoleArn": [ROLE_ARN], "Tags.member.x.Key": ["k"], "Tags.member.1": ["v"]}
    assert wire.decode_request("sts", "AssumeRole", "query", form) == {"RoleArn": ROLE_ARN, "Tags": [{}]}
    form = {"RoleArn.": ["x"], "Tags": [""], "Tags.": [""], "Tags..1.Key": ["k"], "Policy": []}
    assert wire.decode_request("sts", "AssumeRole", "query", form) == {"Tags": []}


QUERY_OPERATIONS = [("sts", "AssumeRole"), ("iam", "CreateRole"), ("iam", "TagRole"), ("cloudwatch", "PutMetricData")]
FORM_STEPS = ["Tags", "member", "entry", "key", "Key", "Value", "1", "2", "0", "-1", "RoleArn", "x", ""]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(
        [("sts", "AssumeRole"), ("iam", "CreateRole"), ("iam", "TagRole"), ("cloudwatch", "PutMetricData")]
    ),
    st.dictionaries(
        st.lists(
            st.sampled_from(
                ["Tags", "member", "entry", "key", "Key", "Value", "1", "2", "0", "-1", "RoleArn", "x", ""]
            ),
            min_size=1,
            max_size=5,
        ).map(".".join),
        st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["9" * 30, "1e400", "true", ""])), max_size=2),
        max_size=10,
    ),
)
def test_random_forms_give_params_or_aws_errors(operation, form):
    service, name = operation
    try:
        wire.validate(service, name, wire.decode_request(service, name, "query", form))
    except AwsError as error:
        assert error.code == "ValidationError"


def test_assume_role_with_web_identity_xml_parses_in_botocore():
    expiration = datetime(2026, 11, 30, 20, 35, 8, tzinfo=UTC)
    result = {
        "Credentials": {
            "AccessKeyId": "ASIAEXAMPLE000000001",
            "SecretAccessKey": "secret<&>",
            "SessionToken": "token",
            "Expiration": expiration.timestamp(),
        },
        "SubjectFromWebIdentityToken": "us-east-1:1234",
        "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:web", "Arn": f"{ROLE_ARN}/web"},
        "PackedPolicySize": 6,
        "Provider": "cognito-identity.amazonaws.com",
        "Audience": "us-east-1:pool",
    }
    status, headers, body = wire.encode_response("sts", "AssumeRoleWithWebIdentity", "query", result, "req-9")
    assert (status, headers["Content-Type"]) == (200, "text/xml")
    text = body.decode()
    assert text.startswith(
        '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>"
    )
    assert "<Expiration>2026-11-30T20:35:08Z</Expiration>" in text
    assert text.endswith(
        "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>req-9</RequestId></ResponseMetadata>"
        "</AssumeRoleWithWebIdentityResponse>"
    )
    parsed = parsed_by_botocore("sts", "AssumeRoleWithWebIdentity", body)
    assert parsed["Credentials"]["SecretAccessKey"] == "secret<&>"
    assert parsed["Credentials"]["Expiration"] == expiration
    assert parsed["PackedPolicySize"] == 6
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"


def test_get_caller_identity_xml():
    result = {"UserId": "AIDAEXAMPLE", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/admin"}
    _, _, body = wire.encode_response("sts", "GetCallerIdentity", "query", result, "r1")
    assert body.decode() == (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
        "<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>"
        "<Arn>arn:aws:iam::123456789012:user/admin</Arn></GetCallerIdentityResult>"
        "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    )
    assert parsed_by_botocore("sts", "GetCallerIdentity", body)["Account"] == "123456789012"


def test_iam_lists_and_booleans_in_xml():
    result = {
        "Roles": [
            {
                "Path": "/",
                "RoleName": "r",
                "RoleId": "AROA1234567890123456",
                "Arn": "arn:aws:iam::123456789012:role/r",
                "CreateDate": datetime(2026, 1, 2, 3, 4, 5, 250000, tzinfo=UTC),
                "Tags": [{"Key": "a", "Value": "1"}],
            }
        ],
        "IsTruncated": False,
    }
    _, _, body = wire.encode_response("iam", "ListRoles", "query", result, "r2")
    text = body.decode()
    assert "<Roles><member><Path>/</Path>" in text
    assert "<CreateDate>2026-01-02T03:04:05.250Z</CreateDate>" in text
    assert "<IsTruncated>false</IsTruncated>" in text
    parsed = parsed_by_botocore("iam", "ListRoles", body)
    assert parsed["Roles"][0]["Tags"] == [{"Key": "a", "Value": "1"}]
    assert parsed["IsTruncated"] is False


def test_operation_without_output_answers_bare_response_metadata():
    _, _, body = wire.encode_response("iam", "DeleteRole", "query", None, "r3")
    assert body.decode() == (
        '<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        "<ResponseMetadata><RequestId>r3</RequestId></ResponseMetadata></DeleteRoleResponse>"
    )


def test_query_error_document():
    status, headers, body = wire.encode_error(
        "sts", "query", AwsError("ExpiredTokenException", "Token expired: current date/time > 1"), "r4"
    )
    assert (status, headers["Content-Type"]) == (400, "text/xml")
    assert body.decode() == (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        "<Code>ExpiredTokenException</Code><Message>Token expired: current date/time &gt; 1</Message></Error>"
        "<RequestId>r4</RequestId></ErrorResponse>"
    )
    root = ElementTree.fromstring(body)
    assert root.tag == "{https://sts.amazonaws.com/doc/2011-06-15/}ErrorResponse"
    model = _SESSION.get_service_model("sts").operation_model("GetCallerIdentity")
    error = botocore.parsers.create_parser("query").parse(
        {"body": body, "headers": {}, "status_code": 400}, model.output_shape
    )
    assert error["Error"]["Code"] == "ExpiredTokenException"
    _, _, body = wire.encode_error("iam", "query", AwsError("ServiceFailure", None, 500, sender_fault=False), "r5")
    assert "<Type>Receiver</Type><Code>ServiceFailure</Code></Error>" in body.decode()
    assert 'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"' in body.decode()


def test_assume_role_with_web_identity_and_lists_of_strings_round_trip():
    params = {
        "RoleArn": ROLE_ARN,
        "RoleSessionName": "web-session",
        "WebIdentityToken": "eyJhbGciOiJSUzI1NiJ9.e30.sig",
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        "DurationSeconds": 3600,
    }
    form = form_of("sts", "AssumeRoleWithWebIdentity", params)
    assert form["PolicyArns.member.1.arn"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert wire.decode_request("sts", "AssumeRoleWithWebIdentity", "query", form) == params
    policies = {
        "PolicyInputList": ['{"Version":"2012-10-17"}', '{"Statement":[]}'],
        "ActionNames": ["kinesis:PutRecord"],
    }
    form = form_of("iam", "SimulateCustomPolicy", policies)
    assert form["PolicyInputList.member.2"] == ['{"Statement":[]}']
    decoded = wire.decode_request("iam", "SimulateCustomPolicy", "query", form)
    assert decoded == policies
    wire.validate("iam", "SimulateCustomPolicy", decoded)


def test_java_word_class_is_ascii_as_in_java():
    # IAM role names: [\w+=,.@-]+ — Java's \w is [a-zA-Z_0-9], so a non-ASCII letter is refused.
    params = wire.decode_request("iam", "PutRolePolicy", "query", {"RoleName": ["Ünicorn"], "PolicyName": ["p_1"]})
    with pytest.raises(AwsError) as caught:
        wire.validate("iam", "PutRolePolicy", params)
    assert "Value 'Ünicorn' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression" in (
        caught.value.message
    )
