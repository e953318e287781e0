"""STS in-process: AssumeRole, GetCallerIdentity, GetSessionToken and the DurationSeconds rules (the web identity
flow is in test_cognito_flow.py). Roles live in moto's IAM backend under mock_aws."""

import json
from collections.abc import Iterator

import pytest
from moto import mock_aws

from localaws.errors import AwsError
from localaws.services import Access
from tests.localaws.test_sts_cognito_fakes import (
    ACCOUNT_A,
    ACCOUNT_B,
    World,
    account_trust,
    admin,
    create_role,
    iam_user,
    make_world,
    signed,
)


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    with mock_aws():
        yield make_world(tmp_path)


def error_of(call, *args, **kwargs) -> AwsError:
    with pytest.raises(AwsError) as raised:
        call(*args, **kwargs)
    return raised.value


def assume(world: World, principal, role_arn: str, **params):
    ctx = signed(world.runtime, "sts", "AssumeRole", principal)
    return world.sts_call(ctx, RoleArn=role_arn, RoleSessionName="attendee", **params)


def test_assume_role_makes_a_role_session_of_the_role_account(world):
    role_arn = create_role(ACCOUNT_A, "Reader", account_trust(ACCOUNT_A))
    now = world.runtime.clock.time()
    answer = assume(world, admin(ACCOUNT_A), role_arn)
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert credentials["SecretAccessKey"] and credentials["SessionToken"]
    assert now + 3600 <= credentials["Expiration"] <= world.runtime.clock.time() + 3600
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT_A}:assumed-role/Reader/attendee"
    role = world.view.role(role_arn)
    assert answer["AssumedRoleUser"]["AssumedRoleId"] == f"{role.role_id}:attendee"

    credential = world.sessions.lookup(credentials["AccessKeyId"])
    assert credential.secret_access_key == credentials["SecretAccessKey"]
    assert credential.expires_at == credentials["Expiration"]
    principal = credential.principal
    assert (principal.kind, principal.account_id, principal.role_arn, principal.name) == (
        "assumed-role",
        ACCOUNT_A,
        role_arn,
        "Reader",
    )
    assert principal.session_context["sts:RoleSessionName"] == "attendee"

    # Calls signed with the new credentials are that session's.
    who = world.sts_call(signed(world.runtime, "sts", "GetCallerIdentity", principal))
    assert who == {
        "UserId": f"{role.role_id}:attendee",
        "Account": ACCOUNT_A,
        "Arn": f"arn:aws:sts::{ACCOUNT_A}:assumed-role/Reader/attendee",
    }


def test_assume_role_is_authorised_on_the_role(world):
    role_arn = f"arn:aws:iam::{ACCOUNT_A}:role/Reader"
    ctx = signed(world.runtime, "sts", "AssumeRole", iam_user(ACCOUNT_A))
    assert world.sts.authorization(ctx, {"RoleArn": role_arn, "RoleSessionName": "s1"}) == [
        Access("sts:AssumeRole", role_arn)
    ]
    for operation in ("GetCallerIdentity", "GetSessionToken", "AssumeRoleWithWebIdentity"):
        ctx = signed(world.runtime, "sts", operation, iam_user(ACCOUNT_A))
        assert world.sts.authorization(ctx, {}) == [], operation


def test_trust_policy_must_admit_the_caller(world):
    role_arn = create_role(ACCOUNT_A, "Reader", account_trust(ACCOUNT_A))
    caller = admin(ACCOUNT_B)
    denied = error_of(assume, world, caller, role_arn)
    assert (denied.code, denied.status) == ("AccessDenied", 403)
    assert denied.message == f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    assert world.judge.calls[-1]["action"] == "sts:AssumeRole"

    # Trusted across accounts: the session belongs to the role's account.
    shared = create_role(ACCOUNT_A, "Shared", account_trust(ACCOUNT_B))
    answer = assume(world, caller, shared)
    assert answer["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{ACCOUNT_A}:assumed-role/Shared/")


def test_a_role_that_does_not_exist_is_access_denied(world):
    missing = f"arn:aws:iam::{ACCOUNT_A}:role/NoSuchRole"
    denied = error_of(assume, world, admin(ACCOUNT_A), missing)
    assert (denied.code, denied.status) == ("AccessDenied", 403)


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        (
            899,
            "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must "
            "have value greater than or equal to 900",
        ),
        (
            43201,
            "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must "
            "have value less than or equal to 43200",
        ),
        (3601, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."),
    ],
)
def test_duration_out_of_bounds_is_refused(world, duration, message):
    role_arn = create_role(ACCOUNT_A, "Reader", account_trust(ACCOUNT_A), max_session_duration=3600)
    refused = error_of(assume, world, admin(ACCOUNT_A), role_arn, DurationSeconds=duration)
    assert (refused.code, refused.message, refused.status) == ("ValidationError", message, 400)


def test_duration_up_to_the_role_maximum_sets_the_expiry(world):
    role_arn = create_role(ACCOUNT_A, "Long", account_trust(ACCOUNT_A), max_session_duration=43200)
    before = world.runtime.clock.time()
    for duration in (900, 43200):
        expiration = assume(world, admin(ACCOUNT_A), role_arn, DurationSeconds=duration)["Credentials"]["Expiration"]
        assert before + duration <= expiration <= world.runtime.clock.time() + duration


def test_expiry_follows_the_endpoint_clock(world):
    role_arn = create_role(ACCOUNT_A, "Reader", account_trust(ACCOUNT_A))
    world.runtime.clock.advance(86_400)
    expiration = assume(world, admin(ACCOUNT_A), role_arn)["Credentials"]["Expiration"]
    assert expiration >= world.runtime.clock.time() + 3600 - 5


def test_role_chaining_is_limited_to_one_hour(world):
    first = create_role(ACCOUNT_A, "First", account_trust(ACCOUNT_A), max_session_duration=43200)
    second = create_role(ACCOUNT_A, "Second", account_trust(ACCOUNT_A), max_session_duration=43200)
    session = world.sessions.lookup(assume(world, admin(ACCOUNT_A), first)["Credentials"]["AccessKeyId"]).principal
    refused = error_of(assume, world, session, second, DurationSeconds=3601)
    assert (refused.code, refused.message) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    )
    chained = assume(world, session, second)
    assert chained["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT_A}:assumed-role/Second/attendee"


def test_an_inline_session_policy_goes_into_the_session_context(world):
    role_arn = create_role(ACCOUNT_A, "Reader", account_trust(ACCOUNT_A))
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kinesis:ListShards", "Resource": "*"}],
    }
    answer = assume(world, admin(ACCOUNT_A), role_arn, Policy=json.dumps(policy))
    assert 1 <= answer["PackedPolicySize"] <= 100
    principal = world.sessions.lookup(answer["Credentials"]["AccessKeyId"]).principal
    assert principal.session_context["session_policy"] == policy

    malformed = error_of(assume, world, admin(ACCOUNT_A), role_arn, Policy="{not json")
    assert (malformed.code, malformed.status) == ("MalformedPolicyDocument", 400)
    managed = error_of(
        assume, world, admin(ACCOUNT_A), role_arn, PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]
    )
    assert managed.code == "ValidationError"


def test_session_tags_become_principal_tags(world):
    role_arn = create_role(ACCOUNT_A, "Reader", account_trust(ACCOUNT_A))
    answer = assume(world, admin(ACCOUNT_A), role_arn, Tags=[{"Key": "team", "Value": "unicorns"}])
    principal = world.sessions.lookup(answer["Credentials"]["AccessKeyId"]).principal
    assert principal.session_context["aws:PrincipalTag/team"] == "unicorns"


def test_get_caller_identity_of_the_account_admin(world):
    caller = admin(ACCOUNT_B)
    answer = world.sts_call(signed(world.runtime, "sts", "GetCallerIdentity", caller))
    assert answer == {"UserId": caller.user_id, "Account": ACCOUNT_B, "Arn": caller.arn}


def test_get_session_token_for_an_iam_user(world):
    user = iam_user(ACCOUNT_A)
    now = world.runtime.clock.time()
    answer = world.sts_call(signed(world.runtime, "sts", "GetSessionToken", user))
    credential = world.sessions.lookup(answer["Credentials"]["AccessKeyId"])
    assert credential.principal == user
    assert now + 43200 <= credential.expires_at == answer["Credentials"]["Expiration"]

    answer = world.sts_call(signed(world.runtime, "sts", "GetSessionToken", user), DurationSeconds=129600)
    assert answer["Credentials"]["Expiration"] >= now + 129600
    refused = error_of(world.sts_call, signed(world.runtime, "sts", "GetSessionToken", user), DurationSeconds=129601)
    assert refused.code == "ValidationError"


def test_get_session_token_refuses_session_credentials(world):
    role_arn = create_role(ACCOUNT_A, "Reader", account_trust(ACCOUNT_A))
    session = world.sessions.lookup(assume(world, admin(ACCOUNT_A), role_arn)["Credentials"]["AccessKeyId"]).principal
    for ctx in (
        signed(world.runtime, "sts", "GetSessionToken", session),
        signed(world.runtime, "sts", "GetSessionToken", iam_user(ACCOUNT_A), headers={"x-amz-security-token": "t"}),
    ):
        refused = error_of(world.sts_call, ctx)
        assert (refused.code, refused.message, refused.status) == (
            "AccessDenied",
            "Cannot call GetSessionToken with session credentials",
            403,
        )


def test_operations_not_implemented_say_so(world):
    refused = error_of(world.sts_call, signed(world.runtime, "sts", "GetFederationToken", admin(ACCOUNT_A)), Name="x")
    assert (refused.code, refused.status) == ("InvalidAction", 400)


def test_a_role_arn_that_is_not_one_is_a_validation_error(world):
    refused = error_of(assume, world, admin(ACCOUNT_A), "arn:aws:s3:::wildrydes-bucket")
    assert (refused.code, refused.message, refused.status) == ("ValidationError", "Request ARN is invalid", 400)
