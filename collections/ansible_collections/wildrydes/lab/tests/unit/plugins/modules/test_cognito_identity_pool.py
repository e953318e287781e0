# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""cognito_identity_pool's ownership rule and tag semantics against stubbed Cognito and STS answers."""

from __future__ import annotations

import pytest
from ansible_collections.wildrydes.lab.plugins.modules.cognito_identity_pool import IdentityPool
from ansible_collections.wildrydes.lab.tests.unit.plugins.utils import Failed, FakeModule

POOL_ID = "us-east-1:8d3c1b0e-7d5b-4a51-9a3e-0c1f1b5e2a11"
POOL_ARN = f"arn:aws:cognito-identity:us-east-1:123456789012:identitypool/{POOL_ID}"
OWNER = {"ManagedBy": "wildrydes-lab"}
DEFAULTS = dict(
    name="wildrydes",
    state="present",
    identity_pool_id=None,
    allow_unauthenticated_identities=True,
    allow_classic_flow=True,
    roles=None,
    owner_tag=OWNER,
    force=False,
    tags=None,
    purge_tags=True,
)


def pools(stubbed, check_mode=False, **params):
    cognito, cognito_stub = stubbed("cognito-identity")
    sts, sts_stub = stubbed("sts")
    pool = IdentityPool(FakeModule({**DEFAULTS, **params}, check_mode=check_mode), cognito, sts)
    return pool, cognito_stub, sts_stub


def expect_pool(stub, tags, roles=None):
    stub.add_response(
        "list_identity_pools",
        {"IdentityPools": [{"IdentityPoolId": POOL_ID, "IdentityPoolName": "wildrydes"}]},
        {"MaxResults": 60},
    )
    stub.add_response(
        "describe_identity_pool",
        {
            "IdentityPoolId": POOL_ID,
            "IdentityPoolName": "wildrydes",
            "AllowUnauthenticatedIdentities": True,
            "AllowClassicFlow": True,
            "IdentityPoolTags": tags,
        },
        {"IdentityPoolId": POOL_ID},
    )


def expect_roles(stub, roles=None):
    stub.add_response(
        "get_identity_pool_roles", {"IdentityPoolId": POOL_ID, "Roles": roles or {}}, {"IdentityPoolId": POOL_ID}
    )


def expect_caller(stub):
    stub.add_response(
        "get_caller_identity",
        {"UserId": "AIDAUNITTEST", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/admin"},
        {},
    )


def test_tags_left_out_keep_the_pools_other_tags(stubbed):
    pool, stub, sts = pools(stubbed)
    expect_pool(stub, {**OWNER, "CostCentre": "42"})
    expect_roles(stub)
    stub.add_response(
        "describe_identity_pool",
        {
            "IdentityPoolId": POOL_ID,
            "IdentityPoolName": "wildrydes",
            "AllowUnauthenticatedIdentities": True,
            "AllowClassicFlow": True,
            "IdentityPoolTags": {**OWNER, "CostCentre": "42"},
        },
        {"IdentityPoolId": POOL_ID},
    )
    expect_roles(stub)
    expect_caller(sts)
    result = pool.present()
    assert result["changed"] is False
    assert result["identity_pool"]["tags"] == {"CostCentre": "42", **OWNER}


def test_tags_given_with_purge_remove_the_others_but_never_the_owner_tag(stubbed):
    pool, stub, sts = pools(stubbed, check_mode=True, tags={"Class": "2026-11"})
    expect_pool(stub, {**OWNER, "CostCentre": "42"})
    expect_roles(stub)
    expect_caller(sts)
    result = pool.present()
    assert result["changed"] is True
    assert result["diff"]["after"]["tags"] == {"Class": "2026-11", **OWNER}


def test_untags_and_tags_by_the_pools_arn(stubbed):
    pool, stub, sts = pools(stubbed, tags={}, purge_tags=True)
    expect_pool(stub, {**OWNER, "CostCentre": "42"})
    expect_roles(stub)
    expect_caller(sts)
    stub.add_response("untag_resource", {}, {"ResourceArn": POOL_ARN, "TagKeys": ["CostCentre"]})
    stub.add_response(
        "describe_identity_pool",
        {
            "IdentityPoolId": POOL_ID,
            "IdentityPoolName": "wildrydes",
            "AllowUnauthenticatedIdentities": True,
            "AllowClassicFlow": True,
            "IdentityPoolTags": OWNER,
        },
        {"IdentityPoolId": POOL_ID},
    )
    expect_roles(stub)
    expect_caller(sts)
    assert pool.present()["identity_pool"]["tags"] == OWNER


def test_a_same_named_pool_without_the_owner_tag_is_not_taken_over(stubbed):
    pool, stub, _sts = pools(stubbed)
    expect_pool(stub, {"ManagedBy": "someone-else"})
    with pytest.raises(Failed, match="not taking over it"):
        pool.present()


def test_teardown_leaves_a_foreign_pool_and_names_it(stubbed):
    pool, stub, _sts = pools(stubbed, state="absent")
    expect_pool(stub, {})
    result = pool.absent()
    assert result["changed"] is False
    assert result["kept_foreign_pool_id"] == POOL_ID


def test_check_mode_creation_calls_nothing_but_the_list(stubbed):
    pool, stub, _sts = pools(stubbed, check_mode=True, tags={"Class": "2026-11"})
    stub.add_response("list_identity_pools", {"IdentityPools": []}, {"MaxResults": 60})
    result = pool.present()
    assert result["changed"] is True
    assert result["identity_pool_id"] is None
    assert result["identity_pool"]["tags"] == {"Class": "2026-11", **OWNER}


def test_creates_with_the_owner_tag_and_sets_roles(stubbed):
    roles = {"unauthenticated": "arn:aws:iam::123456789012:role/Cognito_wildrydesUnauth_Role"}
    pool, stub, sts = pools(stubbed, roles=roles)
    stub.add_response("list_identity_pools", {"IdentityPools": []}, {"MaxResults": 60})
    stub.add_response(
        "create_identity_pool",
        {"IdentityPoolId": POOL_ID, "IdentityPoolName": "wildrydes", "AllowUnauthenticatedIdentities": True},
        {
            "IdentityPoolName": "wildrydes",
            "AllowUnauthenticatedIdentities": True,
            "AllowClassicFlow": True,
            "IdentityPoolTags": OWNER,
        },
    )
    stub.add_response("set_identity_pool_roles", {}, {"IdentityPoolId": POOL_ID, "Roles": roles})
    expect_caller(sts)
    result = pool.present()
    assert result["identity_pool_id"] == POOL_ID
    assert result["identity_pool_arn"] == POOL_ARN
