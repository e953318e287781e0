"""What STS and Cognito Identity need of IAM, as protocols: roles are read through `localaws.iam.IamView` and trust
policies judged by `localaws.iam.Authorizer`; typing against these protocols keeps both services free of IAM's
internals (and lets tests hand in small stand-ins)."""

import re
from typing import Any, Protocol

from localaws.context import Principal

_ROLE_ARN = re.compile(r"^arn:(?P<partition>aws[\w-]*):iam::(?P<account>\d{12}):role/(?P<path_and_name>.+)$")


class Role(Protocol):
    """localaws.iam.RoleFacts, as far as STS reads it."""

    @property
    def arn(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def role_id(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def max_session_duration(self) -> int: ...


class RoleView(Protocol):
    def role(self, role_arn: str) -> Role | None: ...


class TrustJudge(Protocol):
    def trust_allows(
        self,
        role: Any,
        action: str,
        *,
        principal: Principal | None = None,
        federated: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> bool: ...


def role_account(role_arn: str) -> str | None:
    """The account of a role ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME), None if it is not one."""
    match = _ROLE_ARN.match(role_arn or "")
    return match["account"] if match else None
