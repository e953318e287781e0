"""Reading moto's IAM backend (the store of roles, users, groups and policies), through its public attributes
only. moto is imported inside the functions: the server sets moto's environment before moto is imported."""

import sys
import urllib.parse
from typing import Any

from localaws.iam.facts import AccountFacts, RoleFacts, UserFacts
from localaws.iam.policy import parse_document

DEFAULT_MAX_SESSION_DURATION = 3600


def backend(account_id: str) -> Any:
    """The account's IAM backend (moto keeps IAM global: one per account)."""
    from moto.iam.models import iam_backends

    return iam_backends[account_id]["global"]


def accounts() -> list[str]:
    """Accounts whose IAM backend exists (moto makes one on first use). Before moto is imported there are none,
    and asking does not import it (which would fix moto's environment too early)."""
    if "moto.iam.models" not in sys.modules:
        return []
    from moto.iam.models import iam_backends

    return list(iam_backends.keys())


def _document(text: Any) -> dict[str, Any] | None:
    document = parse_document(text)
    if document is None and isinstance(text, str) and "%" in text:
        document = parse_document(urllib.parse.unquote(text))
    return document


def _managed_document(policy: Any) -> dict[str, Any] | None:
    for version in list(policy.versions):
        if version.version_id == policy.default_version_id:
            return _document(version.document)
    return None


def _documents(inline: dict[str, str], managed: dict[str, Any]) -> list[dict[str, Any]]:
    documents = [_document(text) for text in list(inline.values())]
    documents += [_managed_document(policy) for policy in list(managed.values())]
    return [each for each in documents if each is not None]


def _max_session_duration(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return DEFAULT_MAX_SESSION_DURATION


def _boundary(account_id: str, policy_arn: str | None) -> dict[str, Any] | None:
    if not policy_arn:
        return None
    policy = backend(account_id).managed_policies.get(policy_arn)
    document = _managed_document(policy) if policy is not None else None
    return document if document is not None else {}  # a boundary that names nothing allows nothing


def role_facts(role: Any) -> RoleFacts:
    return RoleFacts(
        arn=role.arn,
        name=role.name,
        path=role.path,
        role_id=role.id,
        account_id=role.account_id,
        max_session_duration=_max_session_duration(role.max_session_duration),
        trust_policy=_document(role.assume_role_policy_document) or {},
        policies=tuple(_documents(role.policies, role.managed_policies)),
        permissions_boundary=_boundary(role.account_id, role.permissions_boundary_arn),
    )


def user_facts(account_id: str, user: Any) -> UserFacts:
    documents = _documents(user.policies, user.managed_policies)
    for group in list(backend(account_id).groups.values()):
        if user in group.users:
            documents += _documents(group.policies, group.managed_policies)
    return UserFacts(arn=user.arn, name=user.name, user_id=user.id, account_id=account_id, policies=tuple(documents))


def role_by_arn(account_id: str, arn: str) -> RoleFacts | None:
    name = arn.rsplit("/", 1)[-1]  # compare names first: moto computes each role's ARN on every read
    for role in list(backend(account_id).roles.values()):
        if role.name == name and role.arn == arn:
            return role_facts(role)
    return None


def role_by_name(account_id: str, name: str) -> RoleFacts | None:
    for role in list(backend(account_id).roles.values()):
        if role.name == name:
            return role_facts(role)
    return None


def user_by_name(account_id: str, name: str) -> UserFacts | None:
    user = backend(account_id).users.get(name)
    return user_facts(account_id, user) if user is not None else None


def account_facts(account_id: str) -> AccountFacts:
    """A snapshot of the account's roles and users, policies resolved."""
    iam = backend(account_id)
    roles = [role_facts(role) for role in list(iam.roles.values())]
    users = [user_facts(account_id, user) for user in list(iam.users.values())]
    return AccountFacts(
        roles_by_arn={role.arn: role for role in roles}, users_by_name={user.name: user for user in users}
    )


def path_of(account_id: str, kind: str, name: str) -> str | None:
    """The path of a role, user, group or instance profile of the account (for its ARN); None when there is none."""
    iam = backend(account_id)
    if kind == "role":
        found = next((role for role in list(iam.roles.values()) if role.name == name), None)
    elif kind == "user":
        found = iam.users.get(name)
    elif kind == "group":
        found = iam.groups.get(name)
    elif kind == "instance-profile":
        found = iam.instance_profiles.get(name)
    else:
        found = None
    return getattr(found, "path", None) if found is not None else None
