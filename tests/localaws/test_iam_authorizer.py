"""IAM authorization in-process (localaws/iam): roles, users and policies made in moto's IAM backend, read by
IamView (no propagation delay here), evaluated by Authorizer against the resource each call acts on.

The lab's shape is the playbooks': the unauth role of the identity pool with the repository's trust policy and
WildrydesDashboardPolicy templates, rendered as Ansible renders them.
"""

import json
import uuid
from pathlib import Path

import jinja2
import pytest
import yaml
from moto.iam.models import iam_backends

from localaws.context import Principal, RequestContext
from localaws.errors import AwsError
from localaws.iam import Authorizer, IamUserKeys, IamView
from localaws.runtime import Runtime
from localaws.services import Access
from localaws.settings import Settings

REPO = Path(__file__).resolve().parents[2]
ROLE_TEMPLATES = REPO / "roles" / "wildrydes_identity_pool" / "templates"
STREAM_ACTIONS = yaml.safe_load((REPO / "roles" / "wildrydes_identity_pool" / "defaults" / "main.yml").read_text())[
    "wildrydes_identity_pool_stream_actions"
]
REGION = "us-east-1"
COGNITO = "cognito-identity.amazonaws.com"
POOL = "us-east-1:3f1c2a9e-0000-4000-8000-000000000001"
GUEST_CONTEXT = {
    f"{COGNITO}:aud": POOL,
    f"{COGNITO}:amr": ["unauthenticated"],
    f"{COGNITO}:sub": "us-east-1:aaaaaaaa-0000-4000-8000-000000000001",
}


def render(template: str, **variables) -> dict:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters["to_json"] = json.dumps
    return json.loads(environment.from_string((ROLE_TEMPLATES / template).read_text()).render(**variables))


def stream_arn(account_id: str, name: str = "wildrydes") -> str:
    return f"arn:aws:kinesis:{REGION}:{account_id}:stream/{name}"


def key_arn(account_id: str) -> str:
    return f"arn:aws:kms:{REGION}:{account_id}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def dashboard_policy(account_id: str) -> dict:
    return render(
        "dashboard-policy.json.j2",
        wildrydes_identity_pool_stream_actions=STREAM_ACTIONS,
        wildrydes_identity_pool_stream_arn=stream_arn(account_id),
    )


def lab_trust(amr: str = "unauthenticated") -> dict:
    return render("trust-policy.json.j2", wildrydes_identity_pool_id=POOL, wildrydes_identity_pool_amr=amr)


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def account() -> str:
    """A fresh simulated account: moto's IAM state is process-wide."""
    return f"{uuid.uuid4().int % 10**12:012d}"


@pytest.fixture
def runtime(tmp_path) -> Runtime:
    return Runtime(Settings(state_dir=tmp_path))


@pytest.fixture
def view(runtime) -> IamView:
    return IamView(runtime)


@pytest.fixture
def authorizer(runtime, view) -> Authorizer:
    return Authorizer(runtime, view)


def iam(account_id: str):
    return iam_backends[account_id]["global"]


def make_role(account_id: str, name: str, trust: dict, *policies: tuple[str, str], path: str = "/"):
    role = iam(account_id).create_role(name, json.dumps(trust), path, None, "", [], None)
    for policy_name, policy_json in policies:
        iam(account_id).put_role_policy(name, policy_name, policy_json)
    return role


def session(role, name: str = "dashboard", **context) -> Principal:
    """A role session as STS would make it."""
    return Principal(
        account_id=role.account_id,
        kind="assumed-role",
        arn=f"arn:aws:sts::{role.account_id}:assumed-role/{role.name}/{name}",
        name=role.name,
        user_id=f"{role.id}:{name}",
        session_name=name,
        role_arn=role.arn,
        session_context=context,
    )


def user_principal(account_id: str, name: str) -> Principal:
    user = iam(account_id).users[name]
    return Principal(account_id=account_id, kind="user", arn=user.arn, name=name, user_id=user.id)


def admin(account_id: str) -> Principal:
    return Principal(account_id, "admin", f"arn:aws:iam::{account_id}:root", "admin", account_id)


def request(runtime: Runtime, principal: Principal | None, service: str = "kinesis", operation: str = "X", **more):
    return RequestContext(
        service=service,
        operation=operation,
        region=REGION,
        account_id=principal.account_id if principal else None,
        principal=principal,
        request_id=str(uuid.uuid4()),
        clock=runtime.clock,
        settings=runtime.settings,
        **more,
    )


def refusal(authorizer: Authorizer, ctx: RequestContext, *accesses: Access) -> AwsError:
    with pytest.raises(AwsError) as raised:
        authorizer.authorize(ctx, list(accesses))
    return raised.value


@pytest.fixture
def guest(account) -> Principal:
    """A guest session of the lab's unauth role (its trust policy and WildrydesDashboardPolicy)."""
    role = make_role(
        account,
        "Cognito_wildrydesUnauth_Role",
        lab_trust(),
        ("WildrydesDashboardPolicy", json.dumps(dashboard_policy(account))),
    )
    return session(role, "CognitoIdentityCredentials", **GUEST_CONTEXT)


# --- the lab's dashboard policy ---------------------------------------------------------------------


def test_dashboard_policy_allows_the_dashboards_reads_on_its_stream(runtime, authorizer, account, guest):
    ctx = request(runtime, guest)
    reads = ["DescribeStreamSummary", "ListShards", "GetShardIterator", "GetRecords", "DescribeStream"]
    for operation in reads:
        authorizer.authorize(ctx, [Access(f"kinesis:{operation}", stream_arn(account))])
    consumer = f"{stream_arn(account)}/consumer/dashboard:1700000000"
    authorizer.authorize(ctx, [Access("kinesis:DescribeStreamConsumer", consumer)])
    authorizer.authorize(ctx, [Access("kinesis:SubscribeToShard", consumer)])


def test_dashboard_policy_allows_nothing_on_another_stream(runtime, authorizer, account, guest):
    ctx = request(runtime, guest)
    for operation in ("DescribeStreamSummary", "ListShards", "GetShardIterator", "GetRecords"):
        denied = refusal(authorizer, ctx, Access(f"kinesis:{operation}", stream_arn(account, "secret")))
        assert (denied.code, denied.status) == ("AccessDeniedException", 400)
        assert denied.message == (
            f"User: {guest.arn} is not authorized to perform: kinesis:{operation} on resource: "
            f"{stream_arn(account, 'secret')} because no identity-based policy allows the kinesis:{operation} action"
        )


def test_dashboard_policy_allows_no_writes_and_no_unscoped_calls(runtime, authorizer, account, guest):
    ctx = request(runtime, guest)
    for operation in ("PutRecord", "PutRecords", "DeleteStream", "UpdateShardCount"):
        denied = refusal(authorizer, ctx, Access(f"kinesis:{operation}", stream_arn(account)))
        assert denied.code == "AccessDeniedException", operation
    listing = refusal(authorizer, ctx, Access("kinesis:ListStreams", "*"))
    assert listing.message == (
        f"User: {guest.arn} is not authorized to perform: kinesis:ListStreams "
        "because no identity-based policy allows the kinesis:ListStreams action"
    )
    put = refusal(authorizer, ctx, Access("kinesis:PutRecord", stream_arn(account)))
    assert put.message == (
        f"User: {guest.arn} is not authorized to perform: kinesis:PutRecord on resource: {stream_arn(account)} "
        "because no identity-based policy allows the kinesis:PutRecord action"
    )


def test_every_access_of_a_call_is_checked(runtime, authorizer, account, guest):
    ctx = request(runtime, guest)
    denied = refusal(
        authorizer,
        ctx,
        Access("kinesis:GetRecords", stream_arn(account)),
        Access("kinesis:GetRecords", stream_arn(account, "secret")),
    )
    assert stream_arn(account, "secret") in denied.message


def test_iam_and_sts_refusals_are_access_denied_403(runtime, authorizer, account, guest):
    role_arn = f"arn:aws:iam::{account}:role/Cognito_wildrydesUnauth_Role"
    for service, action in (("iam", "iam:ListRoles"), ("iam", "iam:GetRole"), ("sts", "sts:AssumeRole")):
        denied = refusal(authorizer, request(runtime, guest, service), Access(action, role_arn))
        assert (denied.code, denied.status) == ("AccessDenied", 403), action
        assert denied.message.startswith(f"User: {guest.arn} is not authorized to perform: {action}")
    cognito = refusal(
        authorizer,
        request(runtime, guest, "cognito-identity"),
        Access(
            "cognito-identity:DescribeIdentityPool", f"arn:aws:cognito-identity:{REGION}:{account}:identitypool/{POOL}"
        ),
    )
    assert (cognito.code, cognito.status) == ("AccessDeniedException", 400)


# --- actions authorised only on "*" and actions on two resources ---------------------------------------


def test_action_without_resource_types_is_not_granted_by_a_scoped_statement(runtime, authorizer, account):
    pools = "arn:aws:cognito-identity:*:*:identitypool/*"
    make_role(
        account,
        "Provisioner",
        lab_trust(),
        (
            "scoped",
            document(
                {"Effect": "Allow", "Action": "cognito-identity:SetIdentityPoolRoles", "Resource": pools},
                {
                    "Effect": "Allow",
                    "Action": "kinesis:UpdateShardCount",
                    "Resource": "arn:aws:kinesis:*:*:stream/wildrydes",
                },
            ),
        ),
    )
    provisioner = session(iam(account).get_role("Provisioner"), "setup")
    pool_arn = f"arn:aws:cognito-identity:{REGION}:{account}:identitypool/{POOL}"
    denied = refusal(
        authorizer,
        request(runtime, provisioner, "cognito-identity"),
        Access("cognito-identity:SetIdentityPoolRoles", pool_arn),
    )
    assert denied.message == (
        f"User: {provisioner.arn} is not authorized to perform: cognito-identity:SetIdentityPoolRoles "
        "because no identity-based policy allows the cognito-identity:SetIdentityPoolRoles action"
    )
    refusal(authorizer, request(runtime, provisioner), Access("kinesis:UpdateShardCount", stream_arn(account)))

    iam(account).put_role_policy(
        "Provisioner",
        "unscoped",
        document(
            {
                "Effect": "Allow",
                "Action": ["cognito-identity:SetIdentityPoolRoles", "kinesis:UpdateShardCount"],
                "Resource": "*",
            }
        ),
    )
    authorizer.authorize(
        request(runtime, provisioner, "cognito-identity"), [Access("cognito-identity:SetIdentityPoolRoles", pool_arn)]
    )
    authorizer.authorize(request(runtime, provisioner), [Access("kinesis:UpdateShardCount", stream_arn(account))])


def test_start_stream_encryption_needs_the_stream_and_the_key(runtime, authorizer, account):
    encrypt = {"Effect": "Allow", "Action": "kinesis:StartStreamEncryption", "Resource": stream_arn(account)}
    make_role(account, "Encrypter", lab_trust(), ("stream-only", document(encrypt)))
    encrypter = session(iam(account).get_role("Encrypter"), "setup")
    accesses = [
        Access("kinesis:StartStreamEncryption", stream_arn(account)),
        Access("kinesis:StartStreamEncryption", key_arn(account)),
    ]
    denied = refusal(authorizer, request(runtime, encrypter), *accesses)
    assert f"on resource: {key_arn(account)} because" in denied.message

    iam(account).put_role_policy(
        "Encrypter", "stream-only", document({**encrypt, "Resource": [stream_arn(account), key_arn(account)]})
    )
    authorizer.authorize(request(runtime, encrypter), accesses)


def test_unknown_actions_are_denied(runtime, authorizer, account):
    make_role(
        account, "Everything", lab_trust(), ("all", document({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    )
    everything = session(iam(account).get_role("Everything"))
    authorizer.authorize(request(runtime, everything), [Access("kinesis:PutRecords", stream_arn(account))])
    denied = refusal(authorizer, request(runtime, everything), Access("kinesis:NoSuchAction", stream_arn(account)))
    assert "kinesis:NoSuchAction" in denied.message


# --- explicit deny, NotAction, conditions --------------------------------------------------------------


def test_explicit_deny_wins_and_is_named(runtime, authorizer, account):
    make_role(
        account,
        "Producer",
        lab_trust(),
        ("allow", document({"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"})),
        ("deny", document({"Effect": "Deny", "Action": "kinesis:PutRecord", "Resource": stream_arn(account)})),
    )
    producer = session(iam(account).get_role("Producer"), "herd")
    denied = refusal(authorizer, request(runtime, producer), Access("kinesis:PutRecord", stream_arn(account)))
    assert denied.message == (
        f"User: {producer.arn} is not authorized to perform: kinesis:PutRecord on resource: {stream_arn(account)} "
        "with an explicit deny in an identity-based policy"
    )
    authorizer.authorize(request(runtime, producer), [Access("kinesis:PutRecord", stream_arn(account, "other"))])
    authorizer.authorize(request(runtime, producer), [Access("kinesis:PutRecords", stream_arn(account))])


def test_not_action(runtime, authorizer, account):
    make_role(
        account, "NoIam", lab_trust(), ("p", document({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    )
    no_iam = session(iam(account).get_role("NoIam"))
    authorizer.authorize(request(runtime, no_iam), [Access("kinesis:PutRecord", stream_arn(account))])
    refusal(authorizer, request(runtime, no_iam, "iam"), Access("iam:CreateRole", f"arn:aws:iam::{account}:role/x"))


def test_conditions_see_the_request_and_the_session(runtime, authorizer, account):
    condition = {
        "StringEquals": {"aws:RequestedRegion": REGION, f"{COGNITO}:aud": POOL, "aws:PrincipalAccount": account},
        "ForAnyValue:StringLike": {f"{COGNITO}:amr": "unauthenticated"},
        "IpAddress": {"aws:SourceIp": "127.0.0.0/8"},
        "Bool": {"aws:SecureTransport": "false"},
        "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{account}:role/Conditional"},
        "StringLike": {"aws:userid": "AROA*:dashboard", "sts:RoleSessionName": "dash*"},
        "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
    }
    statement = {"Effect": "Allow", "Action": "kinesis:GetRecords", "Resource": "*", "Condition": condition}
    role = make_role(account, "Conditional", lab_trust(), ("p", document(statement)))
    access = Access("kinesis:GetRecords", stream_arn(account))
    authorizer.authorize(request(runtime, session(role, **GUEST_CONTEXT)), [access])
    signed_in = {**GUEST_CONTEXT, f"{COGNITO}:amr": ["authenticated", "cognito-idp"]}
    refusal(authorizer, request(runtime, session(role, **signed_in)), access)
    refusal(authorizer, request(runtime, session(role, **GUEST_CONTEXT), source_ip="10.1.2.3"), access)
    elsewhere = request(runtime, session(role, **GUEST_CONTEXT))
    elsewhere.region = "eu-west-1"
    refusal(authorizer, elsewhere, access)


def test_policy_variables_name_the_callers_own_resources(runtime, authorizer, account):
    backend = iam(account)
    backend.create_user(REGION, "ivy")
    own_stream = {
        "Effect": "Allow",
        "Action": "kinesis:*",
        "Resource": f"arn:aws:kinesis:*:{account}:stream/${{aws:username}}-*",
    }
    backend.put_user_policy("ivy", "own", document(own_stream))
    ivy = user_principal(account, "ivy")
    authorizer.authorize(request(runtime, ivy), [Access("kinesis:PutRecord", stream_arn(account, "ivy-rides"))])
    refusal(authorizer, request(runtime, ivy), Access("kinesis:PutRecord", stream_arn(account, "jon-rides")))


# --- who is calling -----------------------------------------------------------------------------------


def test_admin_is_allowed_everything_and_unsigned_callers_nothing(runtime, authorizer, account):
    authorizer.authorize(request(runtime, admin(account)), [Access("kinesis:DeleteStream", stream_arn(account))])
    authorizer.authorize(request(runtime, admin(account)), [Access("kinesis:NoSuchAction", "*")])
    denied = refusal(authorizer, request(runtime, None), Access("kinesis:ListStreams", "*"))
    assert denied.message.startswith("User: anonymous is not authorized to perform: kinesis:ListStreams")
    authorizer.authorize(request(runtime, None), [])  # a public operation needs no check


def test_get_caller_identity_needs_no_permission(runtime, authorizer, account):
    make_role(account, "Denied", lab_trust(), ("p", document({"Effect": "Deny", "Action": "*", "Resource": "*"})))
    denied = session(iam(account).get_role("Denied"))
    authorizer.authorize(request(runtime, denied, "sts"), [Access("sts:GetCallerIdentity", "*")])


def test_no_enforcement_allows_everything(tmp_path, account):
    runtime = Runtime(Settings(state_dir=tmp_path, iam_enforcement=False))
    authorizer = Authorizer(runtime, IamView(runtime))
    nobody = Principal(account, "user", f"arn:aws:iam::{account}:user/ghost", "ghost", "AIDAGHOST")
    authorizer.authorize(request(runtime, nobody), [Access("kinesis:DeleteStream", stream_arn(account))])


def test_user_policies_inline_attached_and_of_groups(runtime, authorizer, account):
    backend = iam(account)
    backend.create_user(REGION, "ivy", path="/attendees/")
    ivy = user_principal(account, "ivy")
    assert ivy.arn == f"arn:aws:iam::{account}:user/attendees/ivy"
    checks = {
        "inline": Access("kinesis:PutRecords", stream_arn(account)),
        "managed": Access("kinesis:GetRecords", stream_arn(account)),
        "group": Access("cloudwatch:GetMetricStatistics", "*"),
        "group managed": Access("kinesis:ListShards", stream_arn(account)),
    }
    for access in checks.values():
        refusal(authorizer, request(runtime, ivy), access)

    backend.put_user_policy(
        "ivy", "put", document({"Effect": "Allow", "Action": "kinesis:PutRecords", "Resource": stream_arn(account)})
    )
    managed = backend.create_policy(
        "",
        "/",
        document({"Effect": "Allow", "Action": "kinesis:GetRecords", "Resource": stream_arn(account)}),
        "Read",
        [],
    )
    backend.attach_user_policy(managed.arn, "ivy")
    backend.create_group("attendees")
    backend.add_user_to_group("attendees", "ivy")
    backend.put_group_policy(
        "attendees", "stats", document({"Effect": "Allow", "Action": "cloudwatch:GetMetricStatistics", "Resource": "*"})
    )
    shards = backend.create_policy(
        "", "/", document({"Effect": "Allow", "Action": "kinesis:ListShards", "Resource": "*"}), "Shards", []
    )
    backend.attach_group_policy(shards.arn, "attendees")
    for access in checks.values():
        authorizer.authorize(request(runtime, ivy), [access])

    # A managed policy's default version is the one in force.
    backend.create_policy_version(
        managed.arn, document({"Effect": "Allow", "Action": "kinesis:Describe*", "Resource": "*"}), True
    )
    refusal(authorizer, request(runtime, ivy), checks["managed"])
    backend.set_default_policy_version(managed.arn, "v1")
    authorizer.authorize(request(runtime, ivy), [checks["managed"]])


def test_a_gone_or_remade_role_allows_its_sessions_nothing(runtime, authorizer, account):
    everything = ("all", document({"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"}))
    old = session(make_role(account, "Herd", lab_trust(), everything))
    authorizer.authorize(request(runtime, old), [Access("kinesis:PutRecords", stream_arn(account))])
    iam(account).delete_role_policy("Herd", "all")
    iam(account).delete_role("Herd")
    refusal(authorizer, request(runtime, old), Access("kinesis:PutRecords", stream_arn(account)))
    new = session(make_role(account, "Herd", lab_trust(), everything))
    authorizer.authorize(request(runtime, new), [Access("kinesis:PutRecords", stream_arn(account))])
    refusal(authorizer, request(runtime, old), Access("kinesis:PutRecords", stream_arn(account)))


def test_session_policy_intersects_with_the_roles(runtime, authorizer, account):
    role = make_role(
        account, "Wide", lab_trust(), ("all", document({"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"}))
    )
    narrow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kinesis:Get*", "Resource": stream_arn(account)}],
    }
    scoped = session(role, session_policy=json.dumps(narrow))
    authorizer.authorize(request(runtime, scoped), [Access("kinesis:GetRecords", stream_arn(account))])
    denied = refusal(authorizer, request(runtime, scoped), Access("kinesis:PutRecord", stream_arn(account)))
    assert denied.message.endswith("because no session policy allows the kinesis:PutRecord action")
    refusal(authorizer, request(runtime, scoped), Access("kinesis:GetRecords", stream_arn(account, "secret")))
    # The session policy cannot grant what the role does not.
    wider = session(
        role,
        session_policy={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    )
    refusal(authorizer, request(runtime, wider, "iam"), Access("iam:CreateRole", f"arn:aws:iam::{account}:role/x"))
    denying = session(
        role,
        session_policy={
            "Statement": [
                {"Effect": "Deny", "Action": "kinesis:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
            ]
        },
    )
    denied = refusal(authorizer, request(runtime, denying), Access("kinesis:GetRecords", stream_arn(account)))
    assert denied.message.endswith("with an explicit deny in a session policy")
    # A session policy that is not a policy allows nothing.
    garbled = session(role, session_policy="not json")
    refusal(authorizer, request(runtime, garbled), Access("kinesis:GetRecords", stream_arn(account)))


def test_another_accounts_resource_needs_a_resource_policy(runtime, authorizer, account):
    role = make_role(
        account, "Wide", lab_trust(), ("all", document({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    )
    other = f"{(int(account) + 1) % 10**12:012d}"
    denied = refusal(authorizer, request(runtime, session(role)), Access("kinesis:GetRecords", stream_arn(other)))
    assert denied.message.endswith("because no resource-based policy allows the kinesis:GetRecords action")
    # A role's trust policy is its resource policy, which STS checks: the identity side is all that is asked here.
    authorizer.authorize(
        request(runtime, session(role), "sts"), [Access("sts:AssumeRole", f"arn:aws:iam::{other}:role/x")]
    )


# --- IAM users' access keys ----------------------------------------------------------------------------


def test_iam_user_keys_are_credentials_while_active(account):
    backend = iam(account)
    user = backend.create_user(REGION, "ivy", path="/attendees/")
    key = backend.create_access_key("ivy")
    keys = IamUserKeys()
    credential = keys.lookup(key.access_key_id)
    assert credential is not None
    assert (credential.access_key_id, credential.secret_access_key) == (key.access_key_id, key.secret_access_key)
    assert credential.session_token is None and credential.expires_at is None
    assert credential.principal == Principal(account, "user", user.arn, "ivy", user.id)

    backend.update_access_key("ivy", key.access_key_id, "Inactive")
    assert keys.lookup(key.access_key_id) is None
    backend.update_access_key("ivy", key.access_key_id, "Active")
    assert keys.lookup(key.access_key_id) is not None
    backend.delete_access_key(key.access_key_id, "ivy")
    assert keys.lookup(key.access_key_id) is None
    assert keys.lookup("AKIAUNKNOWNUNKNOWN00") is None


def test_a_roles_permissions_boundary_limits_its_sessions(runtime, authorizer, account):
    backend = iam(account)
    boundary = backend.create_policy(
        "", "/", document({"Effect": "Allow", "Action": "kinesis:Get*", "Resource": "*"}), "ReadOnlyBoundary", []
    )
    everything = ("all", document({"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"}))
    role = make_role(account, "Bounded", lab_trust(), everything)
    backend.put_role_permissions_boundary("Bounded", boundary.arn)
    bounded = session(role)
    authorizer.authorize(request(runtime, bounded), [Access("kinesis:GetRecords", stream_arn(account))])
    denied = refusal(authorizer, request(runtime, bounded), Access("kinesis:PutRecord", stream_arn(account)))
    assert denied.message.endswith("because no permissions boundary allows the kinesis:PutRecord action")
    backend.create_policy_version(
        boundary.arn,
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "kinesis:GetRecords", "Resource": stream_arn(account)},
                ],
            }
        ),
        True,
    )
    denied = refusal(authorizer, request(runtime, bounded), Access("kinesis:GetRecords", stream_arn(account)))
    assert denied.message.endswith("with an explicit deny in a permissions boundary")
    authorizer.authorize(request(runtime, bounded), [Access("kinesis:PutRecord", stream_arn(account))])
    # The boundary grants nothing by itself: the role's own policies still have to.
    backend.delete_role_policy("Bounded", "all")
    refusal(authorizer, request(runtime, bounded), Access("kinesis:PutRecord", stream_arn(account)))
    backend.delete_role_permissions_boundary("Bounded")
    backend.put_role_policy("Bounded", *everything)
    authorizer.authorize(request(runtime, bounded), [Access("kinesis:GetRecords", stream_arn(account))])
