"""STS as the dashboard's browser sign-in needs it: AssumeRoleWithWebIdentity, unsigned, with a
Cognito OpenID token (see cognito_identity.py), answered by the account that owns the role.

moto is imported inside the functions: the server sets moto's environment before moto is imported.
"""

import re
from typing import Any

from simulator.local.fidelity import fix

# On AWS the web identity token is the credential: the request carries no signature.
PUBLIC_ACTIONS = frozenset({"AssumeRoleWithWebIdentity"})
_ROLE_ACCOUNT = re.compile(r"^arn:aws[\w-]*:iam::(?P<account>\d{12}):role/")


@fix("sts")
def unsigned_calls_land_in_default_account() -> None:
    """moto 5.2.5 serves an unsigned AssumeRoleWithWebIdentity from its default account 123456789012
    (an unsigned request names no account), and under IAM enforcement it checks the missing signature
    of this public operation and crashes (HTTP 500: KeyError 'Authorization').

    AWS: AssumeRoleWithWebIdentity needs no signature and is served by the account that owns the role
    (the account in RoleArn); the temporary credentials belong to that account. (moto already files
    the credentials under RoleArn's account, so calls signed with them land there.)
    """
    from moto.sts.responses import TokenResponse

    authorize = TokenResponse._authenticate_and_authorize_normal_action
    assume = TokenResponse.assume_role_with_web_identity

    def _authenticate_and_authorize_normal_action(self: Any, resource: str = "*") -> None:
        if self._get_action() in PUBLIC_ACTIONS:
            return
        authorize(self, resource)

    def assume_role_with_web_identity(self: Any) -> Any:
        match = _ROLE_ACCOUNT.match(self._get_param("RoleArn") or "")
        if match:
            self.current_account = match["account"]
        return assume(self)

    TokenResponse._authenticate_and_authorize_normal_action = _authenticate_and_authorize_normal_action
    TokenResponse.assume_role_with_web_identity = assume_role_with_web_identity
