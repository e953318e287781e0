"""The sign-in flows against the real localaws.iam (IamView reading moto's IAM backend, Authorizer judging trust
and permissions), with the playbooks' trust policy and WildrydesDashboardPolicy rendered as Ansible renders them:
the basic flow's guest may read the stream; the enhanced flow's guest may not (AWS's scope-down session policy)."""

import json
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
import yaml
from moto import mock_aws
from moto.iam.models import iam_backends

from localaws.errors import AwsError
from localaws.iam import Authorizer, IamView
from localaws.runtime import Runtime
from localaws.services import Access
from tests.localaws.test_sts_cognito_fakes import (
    ACCOUNT_A,
    ACCOUNT_B,
    REGION,
    World,
    account_trust,
    admin,
    create_role,
    make_world,
    signed,
    unsigned,
)

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "wildrydes_identity_pool"
STREAM_ACTIONS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())["wildrydes_identity_pool_stream_actions"]


def render(template: str, **variables) -> dict:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters["to_json"] = json.dumps
    return json.loads(environment.from_string((ROLE / "templates" / template).read_text()).render(**variables))


def stream(account_id: str, name: str = "wildrydes") -> str:
    return f"arn:aws:kinesis:{REGION}:{account_id}:stream/{name}"


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    def real_iam(runtime: Runtime) -> tuple[IamView, Authorizer]:
        view = IamView(runtime)
        return view, Authorizer(runtime, view)

    with mock_aws():
        yield make_world(tmp_path, iam=real_iam)


def setup_lab(world: World, account_id: str = ACCOUNT_A) -> tuple[str, str]:
    """setup.yml's identity pool step: (pool id, unauth role ARN)."""
    ctx = signed(world.runtime, "cognito-identity", "CreateIdentityPool", admin(account_id))
    pool_id = world.cognito_call(
        ctx, IdentityPoolName="wildrydes", AllowUnauthenticatedIdentities=True, AllowClassicFlow=True
    )["IdentityPoolId"]
    roles = {}
    for amr, name in (("authenticated", "Auth"), ("unauthenticated", "Unauth")):
        trust = render("trust-policy.json.j2", wildrydes_identity_pool_id=pool_id, wildrydes_identity_pool_amr=amr)
        roles[amr] = create_role(account_id, f"Cognito_wildrydes{name}_Role", trust)
    policy = render(
        "dashboard-policy.json.j2",
        wildrydes_identity_pool_stream_actions=STREAM_ACTIONS,
        wildrydes_identity_pool_stream_arn=stream(account_id),
    )
    iam_backends[account_id]["global"].put_role_policy(
        "Cognito_wildrydesUnauth_Role", "WildrydesDashboardPolicy", json.dumps(policy)
    )
    ctx = signed(world.runtime, "cognito-identity", "SetIdentityPoolRoles", admin(account_id))
    world.cognito_call(ctx, IdentityPoolId=pool_id, Roles=roles)
    return pool_id, roles["unauthenticated"]


def kinesis_check(world: World, principal, action: str, resource: str) -> None:
    ctx = signed(world.runtime, "kinesis", action.split(":")[1], principal)
    world.judge.authorize(ctx, [Access(action, resource)])


def refused(call, *args, **kwargs) -> AwsError:
    with pytest.raises(AwsError) as raised:
        call(*args, **kwargs)
    return raised.value


def guest(world: World, pool_id: str) -> str:
    ctx = unsigned(world.runtime, "cognito-identity", "GetId")
    identity_id = world.cognito_call(ctx, IdentityPoolId=pool_id)["IdentityId"]
    ctx = unsigned(world.runtime, "cognito-identity", "GetOpenIdToken")
    return world.cognito_call(ctx, IdentityId=identity_id)["Token"]


def test_basic_flow_guest_reads_the_stream_and_nothing_else(world):
    pool_id, unauth = setup_lab(world)
    ctx = unsigned(world.runtime, "sts", "AssumeRoleWithWebIdentity")
    answer = world.sts_call(ctx, RoleArn=unauth, RoleSessionName="dashboard", WebIdentityToken=guest(world, pool_id))
    principal = world.sessions.lookup(answer["Credentials"]["AccessKeyId"]).principal
    assert principal.arn == f"arn:aws:sts::{ACCOUNT_A}:assumed-role/Cognito_wildrydesUnauth_Role/dashboard"
    kinesis_check(world, principal, "kinesis:GetRecords", stream(ACCOUNT_A))
    kinesis_check(world, principal, "kinesis:ListShards", stream(ACCOUNT_A))
    denied = refused(kinesis_check, world, principal, "kinesis:PutRecord", stream(ACCOUNT_A))
    assert denied.code == "AccessDeniedException"
    assert refused(kinesis_check, world, principal, "kinesis:GetRecords", stream(ACCOUNT_A, "secret")).code == (
        "AccessDeniedException"
    )


def test_real_trust_policy_refuses_the_wrong_pool_and_the_auth_role(world):
    pool_a, unauth_a = setup_lab(world, ACCOUNT_A)
    pool_b, unauth_b = setup_lab(world, ACCOUNT_B)
    ctx = unsigned(world.runtime, "sts", "AssumeRoleWithWebIdentity")
    for role_arn, token in (
        (unauth_b, guest(world, pool_a)),
        (unauth_a.replace("Unauth", "Auth"), guest(world, pool_a)),
    ):
        error = refused(world.sts_call, ctx, RoleArn=role_arn, RoleSessionName="x", WebIdentityToken=token)
        assert (error.code, error.status) == ("AccessDenied", 403), role_arn
    answer = world.sts_call(ctx, RoleArn=unauth_b, RoleSessionName="x", WebIdentityToken=guest(world, pool_b))
    assert answer["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{ACCOUNT_B}:")


def test_enhanced_flow_guest_is_scoped_away_from_kinesis(world):
    pool_id, _ = setup_lab(world)
    ctx = unsigned(world.runtime, "cognito-identity", "GetId")
    identity_id = world.cognito_call(ctx, IdentityPoolId=pool_id)["IdentityId"]
    ctx = unsigned(world.runtime, "cognito-identity", "GetCredentialsForIdentity")
    answer = world.cognito_call(ctx, IdentityId=identity_id)
    principal = world.sessions.lookup(answer["Credentials"]["AccessKeyId"]).principal
    # The role allows it; the session policy does not: every Kinesis call is refused, as on AWS today.
    for action in ("kinesis:GetRecords", "kinesis:ListShards", "kinesis:DescribeStreamSummary"):
        assert refused(kinesis_check, world, principal, action, stream(ACCOUNT_A)).code == "AccessDeniedException"


def test_assume_role_with_the_real_trust_policy(world):
    role_arn = create_role(ACCOUNT_A, "Operator", account_trust(ACCOUNT_A))
    ctx = signed(world.runtime, "sts", "AssumeRole", admin(ACCOUNT_A))
    answer = world.sts_call(ctx, RoleArn=role_arn, RoleSessionName="ops")
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT_A}:assumed-role/Operator/ops"
    outsider = admin(ACCOUNT_B)
    ctx = signed(world.runtime, "sts", "AssumeRole", outsider)
    error = refused(world.sts_call, ctx, RoleArn=role_arn, RoleSessionName="ops")
    assert (error.code, error.status) == ("AccessDenied", 403)


def test_a_new_role_and_a_trust_change_take_the_propagation_delay(world):
    """IAM is eventually consistent: with iam_propagation_delay 10 s, a role just made cannot be assumed for 10 s on
    the endpoint's clock, and a trust policy changed to another pool keeps admitting the old one for 10 s."""
    world.runtime.update({"iam_propagation_delay": 10.0})
    ctx = signed(world.runtime, "cognito-identity", "CreateIdentityPool", admin(ACCOUNT_A))
    pools = [
        world.cognito_call(ctx, IdentityPoolName=name, AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
        for name in ("first", "second")
    ]
    trust = [
        render("trust-policy.json.j2", wildrydes_identity_pool_id=p, wildrydes_identity_pool_amr="unauthenticated")
        for p in pools
    ]
    role_arn = create_role(ACCOUNT_A, "Cognito_delayedUnauth_Role", trust[0])
    world.view.observe(ACCOUNT_A, "CreateRole", {"RoleName": "Cognito_delayedUnauth_Role"})
    sts = unsigned(world.runtime, "sts", "AssumeRoleWithWebIdentity")

    def assume(pool_id: str):
        return world.sts_call(sts, RoleArn=role_arn, RoleSessionName="s1", WebIdentityToken=guest(world, pool_id))

    assert refused(assume, pools[0]).code == "AccessDenied"
    world.runtime.clock.advance(10)
    assert assume(pools[0])["Credentials"]

    iam_backends[ACCOUNT_A]["global"].update_assume_role_policy("Cognito_delayedUnauth_Role", json.dumps(trust[1]))
    world.view.observe(ACCOUNT_A, "UpdateAssumeRolePolicy", {"RoleName": "Cognito_delayedUnauth_Role"})
    assert assume(pools[0])["Credentials"]
    assert refused(assume, pools[1]).code == "AccessDenied"
    world.runtime.clock.advance(10)
    assert refused(assume, pools[0]).code == "AccessDenied"
    assert assume(pools[1])["Credentials"]
