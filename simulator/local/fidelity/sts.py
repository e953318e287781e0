"""STS as the dashboard's browser sign-in needs it: AssumeRoleWithWebIdentity, unsigned, with a
Cognito OpenID token (see cognito_identity.py), answered by the account that owns the role.

moto is imported inside the functions: the server sets moto's environment before moto is imported.
"""

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from simulator.local.fidelity import clock, cognito_identity, fix

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


# --- web identity tokens and trust policies -------------------------------------------------------

COGNITO_PROVIDER = "cognito-identity.amazonaws.com"
WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
_DENIED = f"Not authorized to perform {WEB_IDENTITY_ACTION}"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wildcard_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's wildcards: `*` any run of characters, `?` any one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL | (re.IGNORECASE if ignore_case else 0)) is not None


# String condition operators: (does a policy value match a request value, is the operator negated).
_STRING_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (lambda expected, actual: expected == actual, False),
    "StringNotEquals": (lambda expected, actual: expected == actual, True),
    "StringEqualsIgnoreCase": (lambda expected, actual: expected.lower() == actual.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda expected, actual: expected.lower() == actual.lower(), True),
    "StringLike": (_wildcard_match, False),
    "StringNotLike": (_wildcard_match, True),
}


def _key_satisfied(
    operator: str, set_operator: str | None, if_exists: bool, expected: list[str], actual: list[str] | None
) -> bool:
    match, negated = _STRING_OPERATORS[operator]

    def matches(value: str) -> bool:
        return any(match(each, value) for each in expected)

    if not actual:  # the key is not in the request
        if set_operator == "ForAllValues":
            return True
        if set_operator == "ForAnyValue":
            return False
        return if_exists or negated
    if set_operator == "ForAllValues":
        return all(matches(value) != negated for value in actual)
    if set_operator is None and negated:
        return not any(matches(value) for value in actual)
    return any(matches(value) != negated for value in actual)  # ForAnyValue, or a single-valued key


def conditions_satisfied(conditions: dict[str, Any], context: dict[str, list[str]]) -> bool:
    """IAM condition evaluation for string keys: every operator block holds, every key in a block holds,
    a key holds when any of its policy values matches. `context` maps lower-case keys to their values.

    Supports the String* operators with the ForAnyValue:/ForAllValues: prefixes and the IfExists suffix,
    and Null; any other operator does not hold (so an Allow that needs it does not apply).
    """
    for qualified, block in (conditions or {}).items():
        set_operator, _, operator = qualified.rpartition(":")
        if set_operator not in ("", "ForAnyValue", "ForAllValues") or not isinstance(block, dict):
            return False
        if_exists = operator.endswith("IfExists")
        operator = operator.removesuffix("IfExists")
        for key, expected in block.items():
            actual = context.get(key.lower())
            if operator == "Null":
                if all(str(each).lower() == "true" for each in _as_list(expected)) == bool(actual):
                    return False
                continue
            if operator not in _STRING_OPERATORS:
                return False
            policy_values = [str(each) for each in _as_list(expected)]
            if not _key_satisfied(operator, set_operator or None, if_exists, policy_values, actual):
                return False
    return True


def _statement_applies(statement: dict[str, Any], provider: str, context: dict[str, list[str]]) -> bool:
    if "NotPrincipal" in statement:
        return False  # not supported here: such a statement never applies
    if "NotAction" in statement:
        if any(_wildcard_match(each, WEB_IDENTITY_ACTION, True) for each in _as_list(statement["NotAction"])):
            return False
    elif not any(_wildcard_match(each, WEB_IDENTITY_ACTION, True) for each in _as_list(statement.get("Action", []))):
        return False
    principal = statement.get("Principal")
    if principal != "*":
        if not isinstance(principal, dict):
            return False
        federated = [str(each).lower() for each in _as_list(principal.get("Federated", []))]
        if provider not in federated and principal.get("AWS") != "*":
            return False
    return conditions_satisfied(statement.get("Condition") or {}, context)


def trust_allows_web_identity(trust_policy: str | dict[str, Any], provider: str, claims: dict[str, Any]) -> bool:
    """Whether a role's trust policy lets a web identity of `provider` (e.g. cognito-identity.amazonaws.com)
    with these token claims assume the role: an Allow applies and no Deny does."""
    document = json.loads(trust_policy) if isinstance(trust_policy, str) else trust_policy
    context = {
        f"{provider}:{name}": [str(each) for each in _as_list(claims[name])]
        for name in ("aud", "amr", "sub")
        if claims.get(name) is not None
    }
    allowed = False
    for statement in _as_list(document.get("Statement", [])):
        if not isinstance(statement, dict) or not _statement_applies(statement, provider, context):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _token_error(code: str, message: str) -> Exception:
    from moto.sts.exceptions import STSClientError

    return STSClientError(code, message)


def _looks_like_jwt(token: str) -> bool:
    parts = token.split(".")
    if len(parts) != 3:
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (ValueError, TypeError):
        return False
    return isinstance(header, dict)


def checked_token(token: str) -> dict[str, Any]:
    """The record of a token GetOpenIdToken issued and that has not expired, else the error AWS gives."""
    record = cognito_identity.issued_token(token or "")
    if record is None:
        if not _looks_like_jwt(token or ""):
            raise _token_error(
                "InvalidIdentityToken",
                "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
            )
        raise _token_error("InvalidIdentityToken", "The ID Token provided could not be verified.")
    now = int(clock.now())
    if now >= record["expires_at"]:
        raise _token_error(
            "ExpiredTokenException",
            f"Token expired: current date/time {now} must be before the expiration date/time{record['expires_at']}",
        )
    return record


def _role_trusts(role_arn: str, record: dict[str, Any]) -> bool:
    from moto.iam.exceptions import NotFoundException
    from moto.iam.models import iam_backends
    from moto.utilities.utils import PARTITION_NAMES

    match = _ROLE_ACCOUNT.match(role_arn)
    partition = role_arn.split(":")[1]
    if not match or partition not in PARTITION_NAMES:
        return False
    try:
        role = iam_backends[match["account"]][partition].get_role_by_arn(role_arn)
    except NotFoundException:
        return False
    return trust_allows_web_identity(role.assume_role_policy_document, COGNITO_PROVIDER, record["claims"])


@fix("sts")
def web_identity_token_not_checked() -> None:
    """moto 5.2.5's AssumeRoleWithWebIdentity accepts any string as the token, for any role ARN (even
    one that does not exist), and ignores the role's trust policy.

    AWS accepts only a token its issuer signed, while it is valid: here, one GetOpenIdToken issued
    (see cognito_identity.issued_token); anything else is an InvalidIdentityToken, a token past its
    expiry an ExpiredTokenException (HTTP 400). The role must exist and its trust policy must allow
    sts:AssumeRoleWithWebIdentity to the principal {"Federated": "cognito-identity.amazonaws.com"} with
    its conditions met by the token's claims (cognito-identity.amazonaws.com:aud = the pool id, :amr =
    ["unauthenticated"] or ["authenticated", provider...], :sub = the identity id), and no Deny may
    apply; else AccessDenied "Not authorized to perform sts:AssumeRoleWithWebIdentity" (HTTP 403).
    The answer names the token's subject, audience and provider. (The credentials it returns are
    checked against the role's policies by moto, per request: see iam.py.)
    """
    from moto.sts.exceptions import STSValidationError
    from moto.sts.responses import TokenResponse

    from simulator.local.fidelity.iam import QueryProtocolError

    assume = TokenResponse.assume_role_with_web_identity
    if getattr(assume, "_wildrydes_checked", False):
        return

    def assume_role_with_web_identity(self: Any) -> Any:
        record = checked_token(self._get_param("WebIdentityToken"))
        role_arn = self._get_param("RoleArn") or ""
        if not _ROLE_ACCOUNT.match(role_arn):
            raise STSValidationError("Request ARN is invalid")
        if not _role_trusts(role_arn, record):
            raise QueryProtocolError(403, "AccessDenied", _DENIED)
        answer = assume(self)
        result = getattr(answer, "result", None)
        if isinstance(result, dict):
            result.update(
                SubjectFromWebIdentityToken=record["identity_id"],
                Audience=record["identity_pool_id"],
                Provider=COGNITO_PROVIDER,
            )
        return answer

    assume_role_with_web_identity._wildrydes_checked = True  # type: ignore[attr-defined]
    TokenResponse.assume_role_with_web_identity = assume_role_with_web_identity
