"""The workshop's sign-in, end to end in-process: CreateIdentityPool -> roles -> SetIdentityPoolRoles -> GetId
(unsigned) -> GetOpenIdToken -> AssumeRoleWithWebIdentity -> role credentials; and what must be refused on the way
(expired, tampered or foreign tokens, made-up logins, unknown pools, the wrong role). Also the enhanced flow."""

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from moto import mock_aws

from localaws.cognito_identity.scope_down import UNAUTHENTICATED_SESSION_POLICY
from localaws.errors import AwsError
from tests.localaws.test_sts_cognito_fakes import (
    ACCOUNT_A,
    ACCOUNT_B,
    COGNITO,
    REGION,
    World,
    admin,
    cognito_trust,
    create_role,
    make_world,
    signed,
    unsigned,
)

UNKNOWN_POOL = "us-east-1:00000000-0000-0000-0000-000000000000"
UNKNOWN_IDENTITY = "us-east-1:11111111-1111-1111-1111-111111111111"


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    with mock_aws():
        yield make_world(tmp_path)


@dataclass
class Lab:
    """What setup.yml makes in one account: the pool (guests, basic flow) and its two roles."""

    account_id: str
    pool_id: str
    unauth_role_arn: str
    auth_role_arn: str


def make_lab(world: World, account_id: str = ACCOUNT_A, name: str = "wildrydes", region: str = REGION, **pool) -> Lab:
    pool.setdefault("AllowUnauthenticatedIdentities", True)
    pool.setdefault("AllowClassicFlow", True)
    ctx = signed(world.runtime, "cognito-identity", "CreateIdentityPool", admin(account_id), region)
    pool_id = world.cognito_call(ctx, IdentityPoolName=name, **pool)["IdentityPoolId"]
    unauth = create_role(account_id, f"Cognito_{name}Unauth_Role", cognito_trust(pool_id, "unauthenticated"))
    auth = create_role(account_id, f"Cognito_{name}Auth_Role", cognito_trust(pool_id, "authenticated"))
    ctx = signed(world.runtime, "cognito-identity", "SetIdentityPoolRoles", admin(account_id), region)
    world.cognito_call(ctx, IdentityPoolId=pool_id, Roles={"authenticated": auth, "unauthenticated": unauth})
    return Lab(account_id, pool_id, unauth, auth)


def public(world: World, operation: str, **params):
    service = "sts" if operation.startswith("Assume") else "cognito-identity"
    ctx = unsigned(world.runtime, service, operation)
    return (world.sts if service == "sts" else world.cognito).call(ctx, params)


def refused(call, *args, **kwargs) -> AwsError:
    with pytest.raises(AwsError) as raised:
        call(*args, **kwargs)
    return raised.value


def guest_token(world: World, pool_id: str) -> tuple[str, str]:
    identity_id = public(world, "GetId", IdentityPoolId=pool_id)["IdentityId"]
    return identity_id, public(world, "GetOpenIdToken", IdentityId=identity_id)["Token"]


def assume(world: World, role_arn: str, token: str, **params):
    return public(
        world,
        "AssumeRoleWithWebIdentity",
        RoleArn=role_arn,
        RoleSessionName="wildrydes-dashboard",
        WebIdentityToken=token,
        **params,
    )


def test_the_workshop_sign_in_end_to_end(world):
    lab = make_lab(world)
    identity_id = public(world, "GetId", IdentityPoolId=lab.pool_id)["IdentityId"]
    assert identity_id.startswith(f"{REGION}:")
    opened = public(world, "GetOpenIdToken", IdentityId=identity_id)
    assert opened["IdentityId"] == identity_id

    now = world.runtime.clock.time()
    assumed = assume(world, lab.unauth_role_arn, opened["Token"])
    session_arn = f"arn:aws:sts::{ACCOUNT_A}:assumed-role/Cognito_wildrydesUnauth_Role/wildrydes-dashboard"
    assert assumed["AssumedRoleUser"]["Arn"] == session_arn
    assert assumed["SubjectFromWebIdentityToken"] == identity_id
    assert assumed["Audience"] == lab.pool_id
    assert assumed["Provider"] == COGNITO
    assert now + 3600 <= assumed["Credentials"]["Expiration"] <= world.runtime.clock.time() + 3600

    credential = world.sessions.lookup(assumed["Credentials"]["AccessKeyId"])
    assert credential.session_token == assumed["Credentials"]["SessionToken"]
    principal = credential.principal
    assert (principal.kind, principal.arn, principal.account_id, principal.role_arn) == (
        "assumed-role",
        session_arn,
        ACCOUNT_A,
        lab.unauth_role_arn,
    )
    assert principal.session_context[f"{COGNITO}:aud"] == lab.pool_id
    assert principal.session_context[f"{COGNITO}:amr"] == ["unauthenticated"]
    assert principal.session_context[f"{COGNITO}:sub"] == identity_id
    assert "session_policy" not in principal.session_context  # the basic flow is not scoped down

    # The trust policy was asked about the token's claims, as a Cognito federated principal.
    asked = world.judge.calls[-1]
    assert (asked["role"], asked["action"], asked["federated"]) == (
        lab.unauth_role_arn,
        "sts:AssumeRoleWithWebIdentity",
        COGNITO,
    )
    assert asked["context"][f"{COGNITO}:aud"] == lab.pool_id

    who = world.sts.call(signed(world.runtime, "sts", "GetCallerIdentity", principal), {})
    assert (who["Account"], who["Arn"]) == (ACCOUNT_A, session_arn)


def test_a_token_expires_after_ten_minutes_on_the_endpoint_clock(world):
    lab = make_lab(world)
    _, token = guest_token(world, lab.pool_id)
    world.runtime.clock.advance(599)
    assert assume(world, lab.unauth_role_arn, token)["Credentials"]
    world.runtime.clock.advance(1)
    expired = refused(assume, world, lab.unauth_role_arn, token)
    assert (expired.code, expired.status) == ("ExpiredTokenException", 400)
    assert expired.message.startswith("Token expired: current date/time ")
    # A fresh token works again.
    assert assume(world, lab.unauth_role_arn, guest_token(world, lab.pool_id)[1])["Credentials"]


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        (899, "Member must have value greater than or equal to 900"),
        (43201, "Member must have value less than or equal to 43200"),
        (3601, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."),
    ],
)
def test_web_identity_duration_bounds(world, duration, message):
    lab = make_lab(world)
    error = refused(assume, world, lab.unauth_role_arn, guest_token(world, lab.pool_id)[1], DurationSeconds=duration)
    assert (error.code, error.status) == ("ValidationError", 400)
    assert message in error.message


def test_made_up_logins_are_not_authorized(world):
    lab = make_lab(world)
    error = refused(public, world, "GetId", IdentityPoolId=lab.pool_id, Logins={"graph.facebook.com": "x"})
    assert (error.code, error.message) == (
        "NotAuthorizedException",
        "Token is not from a supported provider of this identity pool.",
    )
    # A provider the pool has: its token cannot be checked offline, so it is not accepted either.
    facebook = make_lab(world, name="social", SupportedLoginProviders={"graph.facebook.com": "1234"})
    error = refused(public, world, "GetId", IdentityPoolId=facebook.pool_id, Logins={"graph.facebook.com": "x"})
    assert error.code == "NotAuthorizedException"
    assert error.message.startswith("Invalid login token.")
    # Nor on the later calls of the flow.
    identity_id, _ = guest_token(world, lab.pool_id)
    for operation in ("GetOpenIdToken", "GetCredentialsForIdentity"):
        error = refused(public, world, operation, IdentityId=identity_id, Logins={"accounts.google.com": "y"})
        assert error.code == "NotAuthorizedException", operation


def test_a_token_of_pool_a_cannot_assume_pool_bs_role(world):
    lab_a = make_lab(world, name="a")
    lab_b = make_lab(world, name="b")
    _, token_a = guest_token(world, lab_a.pool_id)
    error = refused(assume, world, lab_b.unauth_role_arn, token_a)
    assert (error.code, error.message, error.status) == (
        "AccessDenied",
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        403,
    )
    assert assume(world, lab_a.unauth_role_arn, token_a)["Credentials"]


def test_a_guest_token_cannot_assume_the_authenticated_role(world):
    lab = make_lab(world)
    error = refused(assume, world, lab.auth_role_arn, guest_token(world, lab.pool_id)[1])
    assert (error.code, error.status) == ("AccessDenied", 403)


def test_tampered_or_foreign_tokens_are_refused(world):
    lab = make_lab(world)
    _, token = guest_token(world, lab.pool_id)
    header, claims, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    forged_claims = base64.urlsafe_b64encode(json.dumps({**payload, "exp": payload["exp"] + 86400}).encode())
    for bad in (
        f"{header}.{forged_claims.rstrip(b'=').decode()}.{signature}",
        f"{header}.{claims}.{signature[:-4]}AAAA",
        "not-a-jwt",
    ):
        error = refused(assume, world, lab.unauth_role_arn, bad)
        assert (error.code, error.status) == ("InvalidIdentityToken", 400), bad
    # A token another endpoint (another secret) issued.
    other = make_world(world.runtime.settings.state_dir)
    other_lab = make_lab(other, name="elsewhere")
    _, foreign = guest_token(other, other_lab.pool_id)
    assert refused(assume, world, lab.unauth_role_arn, foreign).code == "InvalidIdentityToken"


def test_unknown_role_and_malformed_role_arn(world):
    lab = make_lab(world)
    _, token = guest_token(world, lab.pool_id)
    missing = refused(assume, world, f"arn:aws:iam::{ACCOUNT_A}:role/NoSuchRole", token)
    assert (missing.code, missing.status) == ("AccessDenied", 403)
    malformed = refused(assume, world, "arn:aws:s3:::not-a-role-at-all", token)
    assert malformed.code == "ValidationError"


def test_unknown_pool_and_identity_are_resource_not_found(world):
    error = refused(public, world, "GetId", IdentityPoolId=UNKNOWN_POOL)
    assert (error.code, error.message, error.status) == (
        "ResourceNotFoundException",
        f"IdentityPool '{UNKNOWN_POOL}' not found.",
        400,
    )
    for operation in ("GetOpenIdToken", "GetCredentialsForIdentity"):
        error = refused(public, world, operation, IdentityId=UNKNOWN_IDENTITY)
        assert (error.code, error.message) == (
            "ResourceNotFoundException",
            f"Identity '{UNKNOWN_IDENTITY}' not found.",
        ), operation


def test_pools_of_two_accounts_are_reached_unsigned_each_in_its_own_account(world):
    lab_a = make_lab(world, ACCOUNT_A)
    lab_b = make_lab(world, ACCOUNT_B)
    lab_b_eu = make_lab(world, ACCOUNT_B, name="europe", region="eu-west-1")
    for lab, region in ((lab_a, REGION), (lab_b, REGION), (lab_b_eu, "eu-west-1")):
        identity_id, token = guest_token(world, lab.pool_id)  # always asked "in" us-east-1, unsigned
        assert identity_id.startswith(f"{region}:")
        ctx = signed(world.runtime, "cognito-identity", "ListIdentities", admin(lab.account_id), region)
        listed = world.cognito_call(ctx, IdentityPoolId=lab.pool_id, MaxResults=10)
        assert [each["IdentityId"] for each in listed["Identities"]] == [identity_id]
        arn = assume(world, lab.unauth_role_arn, token)["AssumedRoleUser"]["Arn"]
        assert arn.startswith(f"arn:aws:sts::{lab.account_id}:assumed-role/")
    # GetId's AccountId, when given, must be the pool's.
    error = refused(public, world, "GetId", IdentityPoolId=lab_a.pool_id, AccountId=ACCOUNT_B)
    assert error.code == "ResourceNotFoundException"
    assert public(world, "GetId", IdentityPoolId=lab_a.pool_id, AccountId=ACCOUNT_A)["IdentityId"]


def test_guests_only_while_the_pool_allows_them(world):
    closed = make_lab(world, name="closed", AllowUnauthenticatedIdentities=False)
    error = refused(public, world, "GetId", IdentityPoolId=closed.pool_id)
    assert (error.code, error.message) == (
        "NotAuthorizedException",
        "Unauthenticated access is not supported for this identity pool.",
    )
    lab = make_lab(world)
    identity_id, _ = guest_token(world, lab.pool_id)
    ctx = signed(world.runtime, "cognito-identity", "UpdateIdentityPool", admin(ACCOUNT_A))
    world.cognito_call(
        ctx, IdentityPoolId=lab.pool_id, IdentityPoolName="wildrydes", AllowUnauthenticatedIdentities=False
    )
    for operation in ("GetOpenIdToken", "GetCredentialsForIdentity"):
        assert refused(public, world, operation, IdentityId=identity_id).code == "NotAuthorizedException"


def test_basic_flow_refused_when_allow_classic_flow_is_false(world):
    lab = make_lab(world, AllowClassicFlow=False)
    identity_id = public(world, "GetId", IdentityPoolId=lab.pool_id)["IdentityId"]
    error = refused(public, world, "GetOpenIdToken", IdentityId=identity_id)
    assert (error.code, error.message) == (
        "InvalidParameterException",
        "Basic (classic) flow is not enabled, please use enhanced flow.",
    )
    # Never set: AWS allows it.
    unset = make_lab(world, name="unset", AllowClassicFlow=None)
    assert guest_token(world, unset.pool_id)[1]


def test_enhanced_flow_guest_credentials_are_scoped_down(world):
    lab = make_lab(world)
    identity_id = public(world, "GetId", IdentityPoolId=lab.pool_id)["IdentityId"]
    answer = public(world, "GetCredentialsForIdentity", IdentityId=identity_id)
    assert answer["IdentityId"] == identity_id
    assert set(answer["Credentials"]) == {"AccessKeyId", "SecretKey", "SessionToken", "Expiration"}
    principal = world.sessions.lookup(answer["Credentials"]["AccessKeyId"]).principal
    assert principal.arn == (
        f"arn:aws:sts::{ACCOUNT_A}:assumed-role/Cognito_wildrydesUnauth_Role/CognitoIdentityCredentials"
    )
    assert principal.session_context["session_policy"] == UNAUTHENTICATED_SESSION_POLICY
    actions = UNAUTHENTICATED_SESSION_POLICY["Statement"][0]["Action"]
    assert not any(action.startswith("kinesis:") for action in actions)


def test_enhanced_flow_needs_a_role_that_trusts_the_pool(world):
    ctx = signed(world.runtime, "cognito-identity", "CreateIdentityPool", admin(ACCOUNT_A))
    pool_id = world.cognito_call(ctx, IdentityPoolName="noroles", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    identity_id = public(world, "GetId", IdentityPoolId=pool_id)["IdentityId"]
    error = refused(public, world, "GetCredentialsForIdentity", IdentityId=identity_id)
    assert (error.code, error.message) == (
        "InvalidIdentityPoolConfigurationException",
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )
    # A role trusting another pool is no better.
    other = make_lab(world, name="other")
    ctx = signed(world.runtime, "cognito-identity", "SetIdentityPoolRoles", admin(ACCOUNT_A))
    world.cognito_call(ctx, IdentityPoolId=pool_id, Roles={"unauthenticated": other.unauth_role_arn})
    error = refused(public, world, "GetCredentialsForIdentity", IdentityId=identity_id)
    assert error.code == "InvalidIdentityPoolConfigurationException"
