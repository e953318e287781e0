"""Cognito Identity's signed operations in-process: pools, roles, tags, identities, pages, and the IAM checks each
call asks for."""

import uuid
from collections.abc import Iterator

import pytest
from moto import mock_aws

from localaws.cognito_identity.pools import POOLS_PER_ACCOUNT_AND_REGION
from localaws.errors import AwsError
from localaws.services import Access
from tests.localaws.test_sts_cognito_fakes import (
    ACCOUNT_A,
    ACCOUNT_B,
    REGION,
    World,
    admin,
    make_world,
    signed,
    unsigned,
)

UNKNOWN_POOL = "us-east-1:00000000-0000-0000-0000-000000000000"
UNAUTH_ROLE = f"arn:aws:iam::{ACCOUNT_A}:role/Cognito_wildrydesUnauth_Role"
AUTH_ROLE = f"arn:aws:iam::{ACCOUNT_A}:role/Cognito_wildrydesAuth_Role"


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    with mock_aws():
        yield make_world(tmp_path)


def call(world: World, operation: str, account_id: str = ACCOUNT_A, region: str = REGION, **params):
    return world.cognito_call(signed(world.runtime, "cognito-identity", operation, admin(account_id), region), **params)


def error_of(world: World, operation: str, account_id: str = ACCOUNT_A, region: str = REGION, **params) -> AwsError:
    with pytest.raises(AwsError) as raised:
        call(world, operation, account_id, region, **params)
    return raised.value


def new_pool(world: World, account_id: str = ACCOUNT_A, region: str = REGION, **options) -> str:
    options.setdefault("AllowUnauthenticatedIdentities", True)
    options.setdefault("IdentityPoolName", f"pool{uuid.uuid4().hex[:8]}")
    return call(world, "CreateIdentityPool", account_id, region, **options)["IdentityPoolId"]


def arn(pool_id: str, account_id: str = ACCOUNT_A, region: str = REGION) -> str:
    return f"arn:aws:cognito-identity:{region}:{account_id}:identitypool/{pool_id}"


def test_create_describe_update_delete(world):
    created = call(
        world,
        "CreateIdentityPool",
        IdentityPoolName="wildrydes",
        AllowUnauthenticatedIdentities=True,
        AllowClassicFlow=True,
        SupportedLoginProviders={"graph.facebook.com": "1234567890"},
        IdentityPoolTags={"project": "wildrydes"},
    )
    pool_id = created["IdentityPoolId"]
    region, _, rest = pool_id.partition(":")
    assert region == REGION and uuid.UUID(rest)
    assert created == {
        "IdentityPoolId": pool_id,
        "IdentityPoolName": "wildrydes",
        "AllowUnauthenticatedIdentities": True,
        "AllowClassicFlow": True,
        "SupportedLoginProviders": {"graph.facebook.com": "1234567890"},
        "IdentityPoolTags": {"project": "wildrydes"},
    }
    assert call(world, "DescribeIdentityPool", IdentityPoolId=pool_id) == created

    updated = call(
        world,
        "UpdateIdentityPool",
        IdentityPoolId=pool_id,
        IdentityPoolName="wildrydes2",
        AllowUnauthenticatedIdentities=False,
        AllowClassicFlow=False,
    )
    # Providers left out are removed; tags stay.
    assert updated == {
        "IdentityPoolId": pool_id,
        "IdentityPoolName": "wildrydes2",
        "AllowUnauthenticatedIdentities": False,
        "AllowClassicFlow": False,
        "IdentityPoolTags": {"project": "wildrydes"},
    }
    assert call(world, "DescribeIdentityPool", IdentityPoolId=pool_id) == updated

    assert call(world, "DeleteIdentityPool", IdentityPoolId=pool_id) is None
    assert error_of(world, "DescribeIdentityPool", IdentityPoolId=pool_id).code == "ResourceNotFoundException"


def test_allow_classic_flow_never_set_is_left_out(world):
    pool_id = new_pool(world)
    assert "AllowClassicFlow" not in call(world, "DescribeIdentityPool", IdentityPoolId=pool_id)
    # An update that does not name it leaves it as it was.
    pool_id = new_pool(world, AllowClassicFlow=True)
    call(
        world,
        "UpdateIdentityPool",
        IdentityPoolId=pool_id,
        IdentityPoolName="renamed",
        AllowUnauthenticatedIdentities=True,
    )
    assert call(world, "DescribeIdentityPool", IdentityPoolId=pool_id)["AllowClassicFlow"] is True


def test_developer_provider_name_cannot_change(world):
    pool_id = new_pool(world, DeveloperProviderName="login.wildrydes")
    refused = error_of(
        world,
        "UpdateIdentityPool",
        IdentityPoolId=pool_id,
        IdentityPoolName="x",
        AllowUnauthenticatedIdentities=True,
        DeveloperProviderName="login.other",
    )
    assert refused.code == "InvalidParameterException"


def test_list_identity_pools_is_per_account_and_region_with_pages(world):
    mine = [new_pool(world, IdentityPoolName=f"p{i}") for i in range(5)]
    new_pool(world, ACCOUNT_B)
    new_pool(world, region="eu-west-1")
    first = call(world, "ListIdentityPools", MaxResults=3)
    assert [entry["IdentityPoolId"] for entry in first["IdentityPools"]] == mine[:3]
    assert all(set(entry) == {"IdentityPoolId", "IdentityPoolName"} for entry in first["IdentityPools"])
    rest = call(world, "ListIdentityPools", MaxResults=3, NextToken=first["NextToken"])
    assert [entry["IdentityPoolId"] for entry in rest["IdentityPools"]] == mine[3:]
    assert "NextToken" not in rest
    # A token is for the list it came from.
    assert error_of(world, "ListIdentityPools", ACCOUNT_B, MaxResults=3, NextToken=first["NextToken"]).code == (
        "InvalidParameterException"
    )
    assert error_of(world, "ListIdentityPools", MaxResults=3, NextToken="garbage").code == "InvalidParameterException"


def test_pool_quota_is_limit_exceeded(world):
    for _ in range(POOLS_PER_ACCOUNT_AND_REGION):
        new_pool(world)
    refused = error_of(
        world, "CreateIdentityPool", IdentityPoolName="one-too-many", AllowUnauthenticatedIdentities=True
    )
    assert refused.code == "LimitExceededException"
    new_pool(world, region="eu-west-1")  # the quota is per region


def test_identity_pool_roles_round_trip(world):
    pool_id = new_pool(world)
    roles = {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE}
    mappings = {
        "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:client": {
            "Type": "Token",
            "AmbiguousRoleResolution": "AuthenticatedRole",
        }
    }
    assert call(world, "SetIdentityPoolRoles", IdentityPoolId=pool_id, Roles=roles, RoleMappings=mappings) is None
    assert call(world, "GetIdentityPoolRoles", IdentityPoolId=pool_id) == {
        "IdentityPoolId": pool_id,
        "Roles": roles,
        "RoleMappings": mappings,
    }
    # Set replaces both maps.
    call(world, "SetIdentityPoolRoles", IdentityPoolId=pool_id, Roles={"unauthenticated": UNAUTH_ROLE})
    assert call(world, "GetIdentityPoolRoles", IdentityPoolId=pool_id) == {
        "IdentityPoolId": pool_id,
        "Roles": {"unauthenticated": UNAUTH_ROLE},
    }
    bad = error_of(world, "SetIdentityPoolRoles", IdentityPoolId=pool_id, Roles={"guest": UNAUTH_ROLE})
    assert bad.code == "InvalidParameterException"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("DescribeIdentityPool", {}),
        ("UpdateIdentityPool", {"IdentityPoolName": "x", "AllowUnauthenticatedIdentities": True}),
        ("DeleteIdentityPool", {}),
        ("GetIdentityPoolRoles", {}),
        ("SetIdentityPoolRoles", {"Roles": {}}),
        ("ListIdentities", {"MaxResults": 10}),
    ],
)
def test_unknown_pool_is_resource_not_found(world, operation, params):
    refused = error_of(world, operation, IdentityPoolId=UNKNOWN_POOL, **params)
    assert (refused.code, refused.message, refused.status) == (
        "ResourceNotFoundException",
        f"IdentityPool '{UNKNOWN_POOL}' not found.",
        400,
    )


def test_another_accounts_or_regions_pool_is_not_found_by_signed_calls(world):
    pool_id = new_pool(world, ACCOUNT_B)
    assert error_of(world, "DescribeIdentityPool", IdentityPoolId=pool_id).code == "ResourceNotFoundException"
    assert error_of(world, "DeleteIdentityPool", IdentityPoolId=pool_id).code == "ResourceNotFoundException"
    assert error_of(world, "DescribeIdentityPool", ACCOUNT_B, "eu-west-1", IdentityPoolId=pool_id).code == (
        "ResourceNotFoundException"
    )
    assert call(world, "DescribeIdentityPool", ACCOUNT_B, IdentityPoolId=pool_id)["IdentityPoolId"] == pool_id


def test_identity_pool_tags(world):
    pool_id = new_pool(world, IdentityPoolTags={"project": "wildrydes", "stage": "lab"})
    pool = arn(pool_id)
    assert call(world, "ListTagsForResource", ResourceArn=pool) == {"Tags": {"project": "wildrydes", "stage": "lab"}}
    assert call(world, "TagResource", ResourceArn=pool, Tags={"stage": "local", "owner": "attendee"}) == {}
    assert call(world, "UntagResource", ResourceArn=pool, TagKeys=["project"]) == {}
    expected = {"stage": "local", "owner": "attendee"}
    assert call(world, "ListTagsForResource", ResourceArn=pool)["Tags"] == expected
    assert call(world, "DescribeIdentityPool", IdentityPoolId=pool_id)["IdentityPoolTags"] == expected

    assert error_of(world, "ListTagsForResource", ResourceArn=arn(UNKNOWN_POOL)).code == "ResourceNotFoundException"
    other = error_of(world, "TagResource", ResourceArn=arn(pool_id, ACCOUNT_B), Tags={"a": "b"})
    assert other.code == "ResourceNotFoundException"
    malformed = error_of(world, "ListTagsForResource", ResourceArn=f"arn:aws:cognito-idp:{REGION}:1:userpool/x")
    assert malformed.code == "InvalidParameterException"
    many = {f"k{i}": "v" for i in range(51)}
    assert error_of(world, "TagResource", ResourceArn=pool, Tags=many).code == "InvalidParameterException"


def test_identities_are_listed_described_and_deleted_with_their_pool(world):
    pool_id = new_pool(world)
    public = unsigned(world.runtime, "cognito-identity", "GetId")
    issued = [world.cognito_call(public, IdentityPoolId=pool_id)["IdentityId"] for _ in range(3)]
    listed = call(world, "ListIdentities", IdentityPoolId=pool_id, MaxResults=2)
    assert listed["IdentityPoolId"] == pool_id
    assert [each["IdentityId"] for each in listed["Identities"]] == issued[:2]
    more = call(world, "ListIdentities", IdentityPoolId=pool_id, MaxResults=2, NextToken=listed["NextToken"])
    assert [each["IdentityId"] for each in more["Identities"]] == issued[2:]

    described = call(world, "DescribeIdentity", IdentityId=issued[0])
    assert described["IdentityId"] == issued[0]
    assert described["Logins"] == []
    assert described["CreationDate"] == described["LastModifiedDate"]
    assert error_of(world, "DescribeIdentity", ACCOUNT_B, IdentityId=issued[0]).code == "ResourceNotFoundException"

    call(world, "DeleteIdentityPool", IdentityPoolId=pool_id)
    gone = error_of(world, "DescribeIdentity", IdentityId=issued[0])
    assert (gone.code, gone.message) == ("ResourceNotFoundException", f"Identity '{issued[0]}' not found.")


def test_authorization_names_the_pool_and_the_roles_passed(world):
    pool_id = new_pool(world)

    def accesses(operation: str, **params) -> list[Access]:
        ctx = signed(world.runtime, "cognito-identity", operation, admin(ACCOUNT_A))
        return world.cognito.authorization(ctx, params)

    pool = arn(pool_id)
    assert accesses("DescribeIdentityPool", IdentityPoolId=pool_id) == [
        Access("cognito-identity:DescribeIdentityPool", pool)
    ]
    assert accesses("CreateIdentityPool", IdentityPoolName="x", AllowUnauthenticatedIdentities=True) == [
        Access("cognito-identity:CreateIdentityPool", "*")
    ]
    assert accesses("ListIdentityPools", MaxResults=10) == [Access("cognito-identity:ListIdentityPools", "*")]
    rule_role = f"arn:aws:iam::{ACCOUNT_A}:role/Admins"
    mappings = {
        "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:client": {
            "Type": "Rules",
            "AmbiguousRoleResolution": "Deny",
            "RulesConfiguration": {
                "Rules": [{"Claim": "group", "MatchType": "Equals", "Value": "admins", "RoleArn": rule_role}]
            },
        }
    }
    roles = {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE}
    assert accesses("SetIdentityPoolRoles", IdentityPoolId=pool_id, Roles=roles, RoleMappings=mappings) == [
        Access("cognito-identity:SetIdentityPoolRoles", pool),
        Access("iam:PassRole", AUTH_ROLE),
        Access("iam:PassRole", UNAUTH_ROLE),
        Access("iam:PassRole", rule_role),
    ]
    assert accesses("TagResource", ResourceArn=pool, Tags={"a": "b"}) == [Access("cognito-identity:TagResource", pool)]
    with pytest.raises(AwsError) as malformed:
        accesses("TagResource", ResourceArn="arn:aws:s3:::bucket", Tags={"a": "b"})
    assert malformed.value.code == "InvalidParameterException"
    identity_id = world.cognito_call(unsigned(world.runtime, "cognito-identity", "GetId"), IdentityPoolId=pool_id)[
        "IdentityId"
    ]
    assert accesses("DescribeIdentity", IdentityId=identity_id) == [Access("cognito-identity:DescribeIdentity", pool)]
    # The public operations are authorised by what they carry, not by IAM.
    for operation in ("GetId", "GetOpenIdToken", "GetCredentialsForIdentity"):
        assert accesses(operation, IdentityPoolId=pool_id) == [], operation


def test_operations_not_implemented_say_so(world):
    refused = error_of(world, "MergeDeveloperIdentities", IdentityPoolId=UNKNOWN_POOL)
    assert refused.code == "UnknownOperationException"
