"""What IAM holds about one account, as plain frozen values: read from moto's backend (moto_iam.py) and kept
as snapshots while changes propagate (view.py)."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RoleFacts:
    arn: str
    name: str
    path: str
    role_id: str
    account_id: str
    max_session_duration: int  # seconds
    trust_policy: dict[str, Any]  # parsed JSON
    policies: tuple[dict[str, Any], ...]  # inline + attached managed (default version) documents, parsed
    # The permissions boundary's document (default version), None without one; {} when its policy is gone.
    permissions_boundary: dict[str, Any] | None = None


@dataclass(frozen=True)
class UserFacts:
    arn: str
    name: str
    user_id: str
    account_id: str
    policies: tuple[dict[str, Any], ...]  # inline + attached managed + its groups' inline and attached


@dataclass(frozen=True)
class AccountFacts:
    """One account's roles and users at one moment."""

    roles_by_arn: dict[str, RoleFacts] = field(default_factory=dict)
    users_by_name: dict[str, UserFacts] = field(default_factory=dict)

    def role_named(self, name: str) -> RoleFacts | None:
        return next((role for role in self.roles_by_arn.values() if role.name == name), None)


EMPTY_ACCOUNT = AccountFacts()
