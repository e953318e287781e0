"""IAM's eventual consistency (settings.iam_propagation_delay): a change the front door reports to IamView.observe
takes effect for callers that many seconds later on the endpoint's clock (moved here with clock.advance)."""

import json
import uuid

import pytest
from moto.iam.models import iam_backends

from localaws.context import Principal, RequestContext
from localaws.errors import AwsError
from localaws.iam import Authorizer, IamView
from localaws.runtime import Runtime
from localaws.services import Access
from localaws.settings import Settings

REGION = "us-east-1"
DELAY = 10.0
WEB = "sts:AssumeRoleWithWebIdentity"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:*"}]}


def document(action: str, resource: str = "*", effect: str = "Allow") -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}
    )


@pytest.fixture
def account() -> str:
    return f"{uuid.uuid4().int % 10**12:012d}"


@pytest.fixture
def runtime(tmp_path) -> Runtime:
    return Runtime(Settings(state_dir=tmp_path, iam_propagation_delay=DELAY))


@pytest.fixture
def view(runtime) -> IamView:
    return IamView(runtime)


@pytest.fixture
def authorizer(runtime, view) -> Authorizer:
    return Authorizer(runtime, view)


def iam(account_id: str):
    return iam_backends[account_id]["global"]


def role_arn(account_id: str, name: str = "Herd") -> str:
    return f"arn:aws:iam::{account_id}:role/{name}"


def stream(account_id: str) -> str:
    return f"arn:aws:kinesis:{REGION}:{account_id}:stream/wildrydes"


def create_role(view: IamView, account_id: str, name: str = "Herd", *policies: tuple[str, str]) -> None:
    """What the front door does for CreateRole (and PutRolePolicy): moto stores it, IamView hears of it."""
    iam(account_id).create_role(name, json.dumps(TRUST), "/", None, "", [], None)
    view.observe(account_id, "CreateRole", {"RoleName": name})
    for policy_name, policy_json in policies:
        iam(account_id).put_role_policy(name, policy_name, policy_json)
        view.observe(account_id, "PutRolePolicy", {"RoleName": name, "PolicyName": policy_name})


def session_of(view: IamView, account_id: str, name: str = "Herd") -> Principal:
    role = iam(account_id).get_role(name)
    return Principal(
        account_id,
        "assumed-role",
        f"arn:aws:sts::{account_id}:assumed-role/{name}/s",
        name,
        f"{role.id}:s",
        session_name="s",
        role_arn=role.arn,
    )


def allowed(runtime: Runtime, authorizer: Authorizer, principal: Principal, access: Access) -> bool:
    ctx = RequestContext(
        service="kinesis",
        operation="X",
        region=REGION,
        account_id=principal.account_id,
        principal=principal,
        request_id="r",
        clock=runtime.clock,
        settings=runtime.settings,
    )
    try:
        authorizer.authorize(ctx, [access])
    except AwsError:
        return False
    return True


def test_a_new_role_is_invisible_for_the_delay(runtime, view, account):
    create_role(view, account)
    assert iam(account).get_role("Herd")  # moto has it at once...
    assert view.role(role_arn(account)) is None  # ...callers do not see it yet
    assert view.role_by_name(account, "Herd") is None
    runtime.clock.advance(DELAY - 0.1)
    assert view.role(role_arn(account)) is None
    runtime.clock.advance(0.2)
    assert view.role(role_arn(account)).name == "Herd"
    assert view.role_by_name(account, "Herd").arn == role_arn(account)


def test_a_policy_change_applies_after_the_delay(runtime, view, authorizer, account):
    create_role(view, account, "Herd", ("read", document("kinesis:GetRecords")))
    runtime.clock.advance(DELAY)
    herd = session_of(view, account)
    put = Access("kinesis:PutRecords", stream(account))
    assert allowed(runtime, authorizer, herd, Access("kinesis:GetRecords", stream(account)))
    assert not allowed(runtime, authorizer, herd, put)

    iam(account).put_role_policy("Herd", "write", document("kinesis:PutRecords"))
    view.observe(account, "PutRolePolicy", {"RoleName": "Herd", "PolicyName": "write"})
    assert not allowed(runtime, authorizer, herd, put)
    runtime.clock.advance(DELAY / 2)
    assert not allowed(runtime, authorizer, herd, put)
    runtime.clock.advance(DELAY / 2)
    assert allowed(runtime, authorizer, herd, put)

    # Taking it away takes as long.
    iam(account).delete_role_policy("Herd", "write")
    view.observe(account, "DeleteRolePolicy", {"RoleName": "Herd", "PolicyName": "write"})
    assert allowed(runtime, authorizer, herd, put)
    runtime.clock.advance(DELAY)
    assert not allowed(runtime, authorizer, herd, put)


def test_a_deleted_role_disappears_after_the_delay(runtime, view, authorizer, account):
    create_role(view, account, "Herd", ("all", document("kinesis:*")))
    runtime.clock.advance(DELAY)
    herd = session_of(view, account)
    iam(account).delete_role_policy("Herd", "all")
    view.observe(account, "DeleteRolePolicy", {"RoleName": "Herd", "PolicyName": "all"})
    iam(account).delete_role("Herd")
    view.observe(account, "DeleteRole", {"RoleName": "Herd"})
    assert view.role(role_arn(account)).policies  # still there, policy and all
    assert allowed(runtime, authorizer, herd, Access("kinesis:PutRecords", stream(account)))
    runtime.clock.advance(DELAY)
    assert view.role(role_arn(account)) is None
    assert not allowed(runtime, authorizer, herd, Access("kinesis:PutRecords", stream(account)))


def test_a_trust_policy_change_applies_after_the_delay(runtime, view, account):
    create_role(view, account)
    runtime.clock.advance(DELAY)
    statement = {"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": WEB}
    closed = {"Version": "2012-10-17", "Statement": [statement]}
    iam(account).update_assume_role_policy("Herd", json.dumps(closed))
    view.observe(account, "UpdateAssumeRolePolicy", {"RoleName": "Herd"})
    assert view.role(role_arn(account)).trust_policy == TRUST
    runtime.clock.advance(DELAY)
    assert view.role(role_arn(account)).trust_policy == closed


def test_changes_take_effect_in_the_order_made(runtime, view, account):
    create_role(view, account)
    runtime.clock.advance(4)
    iam(account).put_role_policy("Herd", "p", document("kinesis:GetRecords"))
    view.observe(account, "PutRolePolicy", {"RoleName": "Herd", "PolicyName": "p"})
    assert view.pending(account) == 2
    runtime.clock.advance(6)  # the role is in effect, its policy not yet
    assert view.role(role_arn(account)).policies == ()
    assert view.pending(account) == 1
    runtime.clock.advance(4)
    assert len(view.role(role_arn(account)).policies) == 1
    assert view.pending(account) == 0


def test_managed_policy_and_user_changes_propagate_too(runtime, view, authorizer, account):
    backend = iam(account)
    backend.create_user(REGION, "ivy")
    view.observe(account, "CreateUser", {"UserName": "ivy"})
    managed = backend.create_policy("", "/", document("kinesis:GetRecords"), "Read", [])
    view.observe(account, "CreatePolicy", {"PolicyName": "Read"})
    backend.attach_user_policy(managed.arn, "ivy")
    view.observe(account, "AttachUserPolicy", {"UserName": "ivy", "PolicyArn": managed.arn})
    user = backend.users["ivy"]
    ivy = Principal(account, "user", user.arn, "ivy", user.id)
    read = Access("kinesis:GetRecords", stream(account))
    assert not allowed(runtime, authorizer, ivy, read)
    runtime.clock.advance(DELAY)
    assert allowed(runtime, authorizer, ivy, read)

    backend.create_policy_version(managed.arn, document("kinesis:ListShards"), True)
    view.observe(account, "CreatePolicyVersion", {"PolicyArn": managed.arn, "SetAsDefault": True})
    assert allowed(runtime, authorizer, ivy, read)
    runtime.clock.advance(DELAY)
    assert not allowed(runtime, authorizer, ivy, read)


def test_reads_are_not_changes(runtime, view, account):
    create_role(view, account)
    runtime.clock.advance(DELAY)
    view.observe(account, "GetRole", {"RoleName": "Herd"})
    view.observe(account, "ListRoles", {})
    assert view.pending(account) == 0
    assert view.role(role_arn(account)) is not None


def test_switching_the_delay_on_and_off_while_running(tmp_path, account):
    runtime = Runtime(Settings(state_dir=tmp_path))
    view = IamView(runtime)
    create_role(view, account, "Before")
    assert view.role(role_arn(account, "Before")) is not None  # no delay: at once

    runtime.update({"iam_propagation_delay": DELAY})
    assert view.role(role_arn(account, "Before")) is not None  # what was there stays visible
    create_role(view, account, "After")
    assert view.role(role_arn(account, "After")) is None
    runtime.update({"iam_propagation_delay": 0.0})
    assert view.role(role_arn(account, "After")) is not None  # no delay: everything in effect at once


def test_an_account_without_reported_changes_is_read_live(runtime, view, account):
    # Made before anyone reported anything (say, while the endpoint started): nothing pending, read from moto.
    iam(account).create_role("Quiet", json.dumps(TRUST), "/", None, "", [], None)
    assert view.role(role_arn(account, "Quiet")) is not None
