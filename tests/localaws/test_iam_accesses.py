"""accesses_for: the resources IAM and KMS calls (forwarded to moto) are authorised on, and the guide's instructor
policy judged on them."""

import json
import uuid

import pytest
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends

from localaws.context import Principal, RequestContext
from localaws.errors import AwsError
from localaws.iam import Authorizer, IamView, accesses_for
from localaws.runtime import Runtime
from localaws.services import Access
from localaws.settings import Settings

REGION = "us-east-1"


@pytest.fixture
def account() -> str:
    return f"{uuid.uuid4().int % 10**12:012d}"


@pytest.fixture
def runtime(tmp_path) -> Runtime:
    return Runtime(Settings(state_dir=tmp_path))


@pytest.fixture
def view(runtime) -> IamView:
    return IamView(runtime)


def admin(account_id: str) -> Principal:
    return Principal(account_id, "admin", f"arn:aws:iam::{account_id}:root", "admin", account_id)


def call(runtime: Runtime, principal: Principal, service: str, operation: str) -> RequestContext:
    return RequestContext(
        service=service,
        operation=operation,
        region=REGION,
        account_id=principal.account_id,
        principal=principal,
        request_id="r",
        clock=runtime.clock,
        settings=runtime.settings,
    )


def accesses(runtime, view, principal, service, operation, **params) -> list[tuple[str, str]]:
    found = accesses_for(call(runtime, principal, service, operation), params, view)
    return [(access.action, access.resource) for access in found]


def iam(account_id: str):
    return iam_backends[account_id]["global"]


# --- IAM ---------------------------------------------------------------------------------------------


def test_role_operations_name_the_role_with_its_path(runtime, view, account):
    me = admin(account)
    role = f"arn:aws:iam::{account}:role/service/Cognito_wildrydesUnauth_Role"
    assert accesses(
        runtime, view, me, "iam", "CreateRole", RoleName="Cognito_wildrydesUnauth_Role", Path="/service/"
    ) == [("iam:CreateRole", role)]
    iam(account).create_role("Cognito_wildrydesUnauth_Role", "{}", "/service/", None, "", [], None)
    for operation in (
        "GetRole",
        "PutRolePolicy",
        "DeleteRolePolicy",
        "UpdateAssumeRolePolicy",
        "DeleteRole",
        "TagRole",
    ):
        assert accesses(runtime, view, me, "iam", operation, RoleName="Cognito_wildrydesUnauth_Role") == [
            (f"iam:{operation}", role)
        ]
    # The attached policy is a condition key of AttachRolePolicy, not a resource of it.
    policy_arn = f"arn:aws:iam::{account}:policy/Read"
    assert accesses(
        runtime, view, me, "iam", "AttachRolePolicy", RoleName="Cognito_wildrydesUnauth_Role", PolicyArn=policy_arn
    ) == [("iam:AttachRolePolicy", role)]
    # A role IAM does not have: no path known.
    assert accesses(runtime, view, me, "iam", "GetRole", RoleName="Missing") == [
        ("iam:GetRole", f"arn:aws:iam::{account}:role/Missing")
    ]


def test_listing_and_account_operations_are_on_star(runtime, view, account):
    me = admin(account)
    for operation in ("ListRoles", "ListUsers", "ListPolicies", "ListAccountAliases", "GetAccountSummary"):
        assert accesses(runtime, view, me, "iam", operation) == [(f"iam:{operation}", "*")]


def test_policy_user_group_and_instance_profile_operations(runtime, view, account):
    me = admin(account)
    backend = iam(account)
    backend.create_user(REGION, "ivy", path="/attendees/")
    backend.create_group("teachers", "/staff/")
    ivy = f"arn:aws:iam::{account}:user/attendees/ivy"
    assert accesses(runtime, view, me, "iam", "CreatePolicy", PolicyName="Read", Path="/lab/") == [
        ("iam:CreatePolicy", f"arn:aws:iam::{account}:policy/lab/Read")
    ]
    policy_arn = f"arn:aws:iam::{account}:policy/lab/Read"
    assert accesses(runtime, view, me, "iam", "CreatePolicyVersion", PolicyArn=policy_arn) == [
        ("iam:CreatePolicyVersion", policy_arn)
    ]
    assert accesses(runtime, view, me, "iam", "PutUserPolicy", UserName="ivy") == [("iam:PutUserPolicy", ivy)]
    assert accesses(runtime, view, me, "iam", "AddUserToGroup", GroupName="teachers", UserName="ivy") == [
        ("iam:AddUserToGroup", f"arn:aws:iam::{account}:group/staff/teachers")
    ]
    assert accesses(runtime, view, me, "iam", "CreateInstanceProfile", InstanceProfileName="web") == [
        ("iam:CreateInstanceProfile", f"arn:aws:iam::{account}:instance-profile/web")
    ]
    backend.create_role("web", "{}", "/", None, "", [], None)
    assert accesses(
        runtime, view, me, "iam", "AddRoleToInstanceProfile", InstanceProfileName="web", RoleName="web"
    ) == [
        ("iam:AddRoleToInstanceProfile", f"arn:aws:iam::{account}:instance-profile/web"),
        ("iam:PassRole", f"arn:aws:iam::{account}:role/web"),
    ]
    assert accesses(runtime, view, me, "iam", "GenerateServiceLastAccessedDetails", Arn=ivy) == [
        ("iam:GenerateServiceLastAccessedDetails", ivy)
    ]
    # Renaming: the old and the new name.
    assert accesses(runtime, view, me, "iam", "UpdateUser", UserName="ivy", NewUserName="ivy2") == [
        ("iam:UpdateUser", ivy),
        ("iam:UpdateUser", f"arn:aws:iam::{account}:user/attendees/ivy2"),
    ]
    key = backend.create_access_key("ivy")
    assert accesses(runtime, view, me, "iam", "GetAccessKeyLastUsed", AccessKeyId=key.access_key_id) == [
        ("iam:GetAccessKeyLastUsed", ivy)
    ]


def test_user_operations_without_a_user_name_act_on_the_caller(runtime, view, account):
    iam(account).create_user(REGION, "ivy", path="/attendees/")
    user = iam(account).users["ivy"]
    ivy = Principal(account, "user", user.arn, "ivy", user.id)
    for operation in ("GetUser", "CreateAccessKey", "ListAccessKeys", "ChangePassword"):
        assert accesses(runtime, view, ivy, "iam", operation) == [(f"iam:{operation}", user.arn)]
    assert accesses(runtime, view, admin(account), "iam", "GetUser") == [("iam:GetUser", "*")]


# --- KMS ---------------------------------------------------------------------------------------------


def test_kms_key_ids_aliases_and_arns(runtime, view, account):
    me = admin(account)
    key = kms_backends[account][REGION].create_key(None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "", None)
    kms_backends[account][REGION].create_alias(key.id, "alias/wildrydes")
    key_arn = f"arn:aws:kms:{REGION}:{account}:key/{key.id}"
    for key_id in (key.id, key_arn, "alias/wildrydes", f"arn:aws:kms:{REGION}:{account}:alias/wildrydes"):
        assert accesses(runtime, view, me, "kms", "Encrypt", KeyId=key_id) == [("kms:Encrypt", key_arn)], key_id
    unknown_alias = f"arn:aws:kms:{REGION}:{account}:alias/nothing"
    assert accesses(runtime, view, me, "kms", "DescribeKey", KeyId="alias/nothing") == [
        ("kms:DescribeKey", unknown_alias)
    ]
    assert accesses(runtime, view, me, "kms", "CreateAlias", AliasName="alias/x", TargetKeyId=key.id) == [
        ("kms:CreateAlias", f"arn:aws:kms:{REGION}:{account}:alias/x"),
        ("kms:CreateAlias", key_arn),
    ]
    assert accesses(runtime, view, me, "kms", "DeleteAlias", AliasName="alias/wildrydes") == [
        ("kms:DeleteAlias", f"arn:aws:kms:{REGION}:{account}:alias/wildrydes"),
        ("kms:DeleteAlias", key_arn),
    ]
    other = f"arn:aws:kms:{REGION}:{account}:key/other"
    assert accesses(runtime, view, me, "kms", "ReEncrypt", SourceKeyId=key.id, DestinationKeyId=other) == [
        ("kms:ReEncryptFrom", key_arn),
        ("kms:ReEncryptTo", other),
    ]
    assert accesses(runtime, view, me, "kms", "CreateKey") == [("kms:CreateKey", "*")]
    assert accesses(runtime, view, me, "kms", "ListKeys") == [("kms:ListKeys", "*")]


# --- the guide's instructor policy, on these resources -------------------------------------------------

INSTRUCTOR_ROLES = {
    "Effect": "Allow",
    "Action": ["iam:CreateRole", "iam:GetRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole"],
    "Resource": ["arn:aws:iam::*:role/Cognito_wildrydesAuth_Role", "arn:aws:iam::*:role/Cognito_wildrydesUnauth_Role"],
}


def test_instructor_policy_on_the_two_roles_only(runtime, view, account):
    backend = iam(account)
    backend.create_user(REGION, "instructor")
    backend.put_user_policy("instructor", "p", json.dumps({"Version": "2012-10-17", "Statement": [INSTRUCTOR_ROLES]}))
    user = backend.users["instructor"]
    instructor = Principal(account, "user", user.arn, "instructor", user.id)
    authorizer = Authorizer(runtime, view)

    def check(operation: str, **params) -> None:
        ctx = call(runtime, instructor, "iam", operation)
        authorizer.authorize(ctx, accesses_for(ctx, params, view))

    check("CreateRole", RoleName="Cognito_wildrydesUnauth_Role")
    check("PutRolePolicy", RoleName="Cognito_wildrydesAuth_Role")
    with pytest.raises(AwsError) as denied:
        check("CreateRole", RoleName="Admin")
    assert (denied.value.code, denied.value.status) == ("AccessDenied", 403)
    assert denied.value.message == (
        f"User: {user.arn} is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::{account}:role/Admin "
        "because no identity-based policy allows the iam:CreateRole action"
    )
    with pytest.raises(AwsError):
        check("CreateRole", RoleName="Cognito_wildrydesUnauth_Role", Path="/elsewhere/")
    with pytest.raises(AwsError):
        check("ListRoles")
    authorizer.authorize(call(runtime, instructor, "sts", "GetCallerIdentity"), [Access("sts:GetCallerIdentity", "*")])
