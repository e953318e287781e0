"""The IAM policy language on its own (localaws/iam/policy.py, conditions.py, wildcards.py): Effect, Action and
NotAction, Resource and NotResource, wildcards, Condition operators, policy variables and policy versions."""

import pytest

from localaws.iam.conditions import conditions_hold
from localaws.iam.policy import Decision, evaluate, parse_document
from localaws.iam.wildcards import action_matches, arn_matches

STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/wildrydes"
OTHER_STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/secret"
CONSUMER = f"{STREAM}/consumer/dashboard:1700000000"
POOL = "us-east-1:3f1c2a9e-0000-4000-8000-000000000001"
COGNITO = "cognito-identity.amazonaws.com"


def policy(*statements: dict, version: str | None = "2012-10-17") -> dict:
    document: dict = {"Statement": list(statements)}
    if version is not None:
        document["Version"] = version
    return document


def allow(action, resource="*", **more) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def deny(action, resource="*", **more) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **more}


def keys(**values) -> dict[str, list[str]]:
    """Condition keys as the request carries them: lower-case names, list values."""
    return {name.lower(): value if isinstance(value, list) else [value] for name, value in values.items()}


USER_KEYS = {
    **keys(**{"aws:username": "ivy", "aws:PrincipalAccount": "123456789012", "aws:SourceIp": "127.0.0.1"}),
    **keys(**{"aws:CurrentTime": "2026-11-30T12:00:00Z", "aws:EpochTime": "1796040000"}),
    **keys(**{"aws:SecureTransport": "false"}),
}


def decide(documents, action, resource, context=USER_KEYS) -> Decision:
    return evaluate(documents, action, resource, context.get)


# --- actions and resources -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("kinesis:GetRecords", "kinesis:GetRecords", True),
        ("kinesis:getrecords", "kinesis:GetRecords", True),  # actions are case-insensitive
        ("KINESIS:Get*", "kinesis:GetShardIterator", True),
        ("kinesis:Describe*", "kinesis:DescribeStreamSummary", True),
        ("kinesis:Describe*", "kinesis:ListShards", False),
        ("kinesis:*", "kinesis:PutRecord", True),
        ("kinesis:*", "sts:AssumeRole", False),
        ("*", "iam:CreateRole", True),
        ("kinesis:PutRecord?", "kinesis:PutRecords", True),
        ("kinesis:PutRecord?", "kinesis:PutRecord", False),
        ("kinesis:PutRecord", "kinesis:PutRecords", False),
    ],
)
def test_action_wildcards(pattern, action, expected):
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "arn", "expected"),
    [
        (STREAM, STREAM, True),
        (STREAM.upper(), STREAM, False),  # resources are case-sensitive
        ("arn:aws:kinesis:*:*:stream/wildrydes", STREAM, True),
        ("arn:aws:kinesis:us-east-1:123456789012:stream/*", OTHER_STREAM, True),
        ("arn:aws:kinesis:us-east-1:123456789012:stream/wild*", OTHER_STREAM, False),
        ("arn:aws:kinesis:us-east-1:123456789012:stream/wildryde?", STREAM, True),
        ("arn:aws:kinesis:us-east-1:123456789012:*", CONSUMER, True),  # the resource part spans `/` and `:`
        (f"{STREAM}/consumer/*", CONSUMER, True),
        (STREAM, CONSUMER, False),
        # In a full ARN pattern a wildcard stays within its segment; a shorter pattern is matched as one string.
        ("arn:aws:kinesis:*:123456789012:stream/wildrydes", STREAM.replace(":123", ":000000000000:123"), False),
        ("arn:aws:kinesis:*", STREAM, True),
        ("*", STREAM, True),
        ("*", "*", True),
        ("arn:aws:kinesis:*:*:stream/*", "*", False),  # a scoped pattern does not match the literal "*"
    ],
)
def test_resource_wildcards(pattern, arn, expected):
    assert arn_matches(pattern, arn) is expected


def test_allow_applies_to_listed_actions_and_resources_only():
    read = policy(allow(["kinesis:GetRecords", "kinesis:ListShards"], [STREAM, f"{STREAM}/consumer/*"]))
    assert decide([read], "kinesis:GetRecords", STREAM) is Decision.ALLOW
    assert decide([read], "kinesis:listshards", STREAM) is Decision.ALLOW
    assert decide([read], "kinesis:GetRecords", OTHER_STREAM) is Decision.NONE
    assert decide([read], "kinesis:PutRecord", STREAM) is Decision.NONE
    assert decide([read], "kinesis:ListStreams", "*") is Decision.NONE


def test_explicit_deny_wins_over_allow_in_any_document():
    everything = policy(allow("kinesis:*"))
    no_puts = policy(deny("kinesis:Put*", STREAM))
    assert decide([everything, no_puts], "kinesis:PutRecord", STREAM) is Decision.DENY
    assert decide([no_puts, everything], "kinesis:PutRecords", STREAM) is Decision.DENY
    assert decide([everything, no_puts], "kinesis:PutRecord", OTHER_STREAM) is Decision.ALLOW
    # The Deny and the Allow in one document: still Deny.
    both = policy(allow("*"), deny("kinesis:PutRecord", STREAM))
    assert decide([both], "kinesis:PutRecord", STREAM) is Decision.DENY


def test_no_documents_or_no_statement_is_an_implicit_deny():
    assert decide([], "kinesis:GetRecords", STREAM) is Decision.NONE
    assert decide([policy()], "kinesis:GetRecords", STREAM) is Decision.NONE
    # A statement without Resource (or NotResource) names nothing in an identity policy.
    assert decide([policy({"Effect": "Allow", "Action": "*"})], "kinesis:GetRecords", STREAM) is Decision.NONE
    # Effect other than Allow or Deny does nothing.
    assert decide([policy({"Effect": "allow", "Action": "*", "Resource": "*"})], "x:Y", "*") is Decision.NONE


def test_not_action_and_not_resource():
    all_but_iam = policy({"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"})
    assert decide([all_but_iam], "kinesis:PutRecord", STREAM) is Decision.ALLOW
    assert decide([all_but_iam], "iam:CreateRole", "arn:aws:iam::123456789012:role/x") is Decision.NONE
    not_secret = policy({"Effect": "Allow", "Action": "kinesis:*", "NotResource": OTHER_STREAM})
    assert decide([not_secret], "kinesis:GetRecords", STREAM) is Decision.ALLOW
    assert decide([not_secret], "kinesis:GetRecords", OTHER_STREAM) is Decision.NONE
    deny_all_but_reads = policy(
        allow("kinesis:*"), {"Effect": "Deny", "NotAction": ["kinesis:Get*", "kinesis:List*"], "Resource": "*"}
    )
    assert decide([deny_all_but_reads], "kinesis:GetRecords", STREAM) is Decision.ALLOW
    assert decide([deny_all_but_reads], "kinesis:PutRecord", STREAM) is Decision.DENY


def test_single_statement_and_single_strings_are_accepted():
    document = {"Version": "2012-10-17", "Statement": allow("kinesis:GetRecords", STREAM)}
    assert decide([document], "kinesis:GetRecords", STREAM) is Decision.ALLOW


def test_parse_document_takes_json_text_and_refuses_non_objects():
    assert parse_document('{"Statement": []}') == {"Statement": []}
    assert parse_document("[1, 2]") is None
    assert parse_document("not json") is None
    assert parse_document(None) is None


# --- policy variables and versions ----------------------------------------------------------------


def test_policy_variables_in_resources():
    own = policy(allow("iam:GetUser", "arn:aws:iam::123456789012:user/${aws:username}"))
    assert decide([own], "iam:GetUser", "arn:aws:iam::123456789012:user/ivy") is Decision.ALLOW
    assert decide([own], "iam:GetUser", "arn:aws:iam::123456789012:user/jon") is Decision.NONE
    # No such key in the request (a role session has no aws:username): the entry names nothing.
    no_name = {k: v for k, v in USER_KEYS.items() if k != "aws:username"}
    assert decide([own], "iam:GetUser", "arn:aws:iam::123456789012:user/ivy", no_name) is Decision.NONE
    # ...unless the variable gives a default.
    fallback = policy(allow("iam:GetUser", "arn:aws:iam::123456789012:user/${aws:username, 'ivy'}"))
    assert decide([fallback], "iam:GetUser", "arn:aws:iam::123456789012:user/ivy", no_name) is Decision.ALLOW


def test_substituted_values_are_literal_not_wildcards():
    own = policy(allow("kinesis:GetRecords", "arn:aws:kinesis:us-east-1:123456789012:stream/${aws:username}"))
    starry = {**USER_KEYS, "aws:username": ["*"]}
    assert decide([own], "kinesis:GetRecords", STREAM, starry) is Decision.NONE
    assert decide([own], "kinesis:GetRecords", "arn:aws:kinesis:us-east-1:123456789012:stream/*", starry) is (
        Decision.ALLOW
    )
    escaped = policy(allow("kinesis:GetRecords", "arn:aws:kinesis:us-east-1:123456789012:stream/${*}"))
    assert decide([escaped], "kinesis:GetRecords", STREAM) is Decision.NONE


def test_variables_only_in_version_2012_10_17():
    arn = "arn:aws:iam::123456789012:user/${aws:username}"
    old = policy(allow("iam:GetUser", arn), version="2008-10-17")
    assert decide([old], "iam:GetUser", "arn:aws:iam::123456789012:user/ivy") is Decision.NONE
    assert decide([old], "iam:GetUser", arn) is Decision.ALLOW  # the text is literal there
    unversioned = policy(allow("iam:GetUser", arn), version=None)
    assert decide([unversioned], "iam:GetUser", "arn:aws:iam::123456789012:user/ivy") is Decision.NONE
    # 2008-10-17 is otherwise the same language.
    assert decide([policy(allow("kinesis:*"), version="2008-10-17")], "kinesis:GetRecords", STREAM) is Decision.ALLOW


def test_policy_variables_in_condition_values():
    own_prefix = policy(allow("kinesis:*", "*", Condition={"StringLike": {"aws:username": "${aws:username}"}}))
    assert decide([own_prefix], "kinesis:GetRecords", STREAM) is Decision.ALLOW
    other = policy(allow("kinesis:*", "*", Condition={"StringEquals": {"aws:PrincipalAccount": "${aws:username}"}}))
    assert decide([other], "kinesis:GetRecords", STREAM) is Decision.NONE


# --- conditions ----------------------------------------------------------------------------------

GUEST = keys(
    **{
        f"{COGNITO}:aud": POOL,
        f"{COGNITO}:amr": ["unauthenticated"],
        f"{COGNITO}:sub": "us-east-1:identity",
        "aws:SourceIp": "127.0.0.1",
        "aws:CurrentTime": "2026-11-30T12:00:00Z",
        "aws:EpochTime": "1796040000",
        "aws:SecureTransport": "false",
        "aws:PrincipalArn": "arn:aws:iam::123456789012:role/Cognito_wildrydesUnauth_Role",
        "aws:RequestedRegion": "us-east-1",
    }
)
SIGNED_IN = {**GUEST, f"{COGNITO}:amr": ["authenticated", "accounts.google.com"]}


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"StringEquals": {f"{COGNITO}:aud": POOL}}, GUEST, True),
        ({"StringEquals": {f"{COGNITO}:aud": ["x", POOL]}}, GUEST, True),
        ({"StringEquals": {f"{COGNITO}:aud": "us-east-1:other"}}, GUEST, False),
        ({"StringEquals": {f"{COGNITO.upper()}:AUD": POOL}}, GUEST, True),  # key names are case-insensitive
        ({"StringEquals": {f"{COGNITO}:aud": POOL.upper()}}, GUEST, False),  # values are not
        ({"StringEqualsIgnoreCase": {f"{COGNITO}:aud": POOL.upper()}}, GUEST, True),
        ({"StringNotEqualsIgnoreCase": {f"{COGNITO}:aud": POOL.upper()}}, GUEST, False),
        ({"StringNotEquals": {f"{COGNITO}:aud": "us-east-1:other"}}, GUEST, True),
        ({"StringNotEquals": {f"{COGNITO}:aud": POOL}}, GUEST, False),
        ({"StringLike": {f"{COGNITO}:aud": "us-east-?:*"}}, GUEST, True),
        ({"StringLike": {f"{COGNITO}:aud": "eu-*"}}, GUEST, False),
        ({"StringNotLike": {f"{COGNITO}:aud": "eu-*"}}, GUEST, True),
        ({"ForAnyValue:StringLike": {f"{COGNITO}:amr": "unauthenticated"}}, GUEST, True),
        ({"ForAnyValue:StringLike": {f"{COGNITO}:amr": "unauthenticated"}}, SIGNED_IN, False),
        ({"ForAnyValue:StringLike": {f"{COGNITO}:amr": "*google*"}}, SIGNED_IN, True),
        ({"ForAllValues:StringEquals": {f"{COGNITO}:amr": "authenticated"}}, SIGNED_IN, False),
        ({"ForAllValues:StringLike": {f"{COGNITO}:amr": ["authenticated", "*.com"]}}, SIGNED_IN, True),
        ({"ForAnyValue:StringNotEquals": {f"{COGNITO}:amr": "authenticated"}}, SIGNED_IN, True),
        ({"ForAllValues:StringNotEquals": {f"{COGNITO}:amr": "authenticated"}}, SIGNED_IN, False),
        # Absent keys: positive operators fail, negated ones and IfExists pass; ForAllValues passes, ForAnyValue fails.
        ({"StringEquals": {"aws:PrincipalTag/team": "x"}}, GUEST, False),
        ({"StringNotEquals": {"aws:PrincipalTag/team": "x"}}, GUEST, True),
        ({"StringEqualsIfExists": {"aws:PrincipalTag/team": "x"}}, GUEST, True),
        ({"StringEqualsIfExists": {f"{COGNITO}:aud": "x"}}, GUEST, False),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": "x"}}, GUEST, True),
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": "x"}}, GUEST, False),
        ({"Null": {"aws:PrincipalTag/team": "true"}}, GUEST, True),
        ({"Null": {f"{COGNITO}:aud": "true"}}, GUEST, False),
        ({"Null": {f"{COGNITO}:aud": "false"}}, GUEST, True),
        ({"Bool": {"aws:SecureTransport": "false"}}, GUEST, True),
        ({"Bool": {"aws:SecureTransport": True}}, GUEST, False),
        ({"Bool": {"aws:SecureTransport": False}}, GUEST, True),
        ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, GUEST, True),
        ({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, GUEST, True),
        ({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.1/32"]}}, GUEST, False),
        ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, GUEST, True),
        ({"ArnEquals": {"aws:PrincipalArn": GUEST["aws:principalarn"][0]}}, GUEST, True),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Cognito_*"}}, GUEST, True),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}, GUEST, False),
        ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}, GUEST, True),
        ({"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}, GUEST, False),
        ({"NumericLessThan": {"aws:EpochTime": 1796040001}}, GUEST, True),
        ({"NumericLessThan": {"aws:EpochTime": "1796040000"}}, GUEST, False),
        ({"NumericLessThanEquals": {"aws:EpochTime": "1796040000"}}, GUEST, True),
        ({"NumericGreaterThan": {"aws:EpochTime": "1796039999.5"}}, GUEST, True),
        ({"NumericGreaterThanEquals": {"aws:EpochTime": "1796040001"}}, GUEST, False),
        ({"NumericEquals": {"aws:EpochTime": "1796040000"}}, GUEST, True),
        ({"NumericNotEquals": {"aws:EpochTime": "1796040000"}}, GUEST, False),
        ({"NumericEquals": {f"{COGNITO}:aud": "1"}}, GUEST, False),  # not a number: never equal
        ({"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}, GUEST, True),
        ({"DateGreaterThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}, GUEST, False),
        ({"DateGreaterThanEquals": {"aws:CurrentTime": "2026-11-30T12:00:00+00:00"}}, GUEST, True),
        ({"DateLessThanEquals": {"aws:CurrentTime": "2026-11-30T11:59:59Z"}}, GUEST, False),
        ({"DateEquals": {"aws:CurrentTime": 1796040000}}, GUEST, True),  # epoch seconds work too
        ({"DateNotEquals": {"aws:CurrentTime": "2026-11-30T12:00:00Z"}}, GUEST, False),
        ({"DateLessThan": {"aws:EpochTime": "2026-12-01T00:00:00Z"}}, GUEST, True),
        ({"StringEquals": {"aws:RequestedRegion": "us-east-1"}, "Bool": {"aws:SecureTransport": "true"}}, GUEST, False),
        ({"StringEquals": {f"{COGNITO}:aud": POOL, f"{COGNITO}:sub": "other"}}, GUEST, False),  # every key holds
        ({"NoSuchOperator": {f"{COGNITO}:aud": POOL}}, GUEST, False),  # unknown operators never hold
        ({"ForSomeValues:StringEquals": {f"{COGNITO}:aud": POOL}}, GUEST, False),
        ({}, GUEST, True),
    ],
)
def test_conditions(condition, context, expected):
    assert conditions_hold(condition, context.get) is expected


def test_condition_applies_to_deny_and_allow_alike():
    region_only = policy(
        allow("kinesis:*"),
        deny("*", "*", Condition={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}),
    )
    assert decide([region_only], "kinesis:GetRecords", STREAM, GUEST) is Decision.ALLOW
    elsewhere = {**GUEST, "aws:requestedregion": ["ap-south-1"]}
    assert decide([region_only], "kinesis:GetRecords", STREAM, elsewhere) is Decision.DENY
