"""The condition keys a request carries (global aws:* keys, the caller's, its session's), as the lower-case
key -> values mapping conditions and policy variables read."""

import time
from collections.abc import Callable, Mapping
from typing import Any

from localaws.context import Principal, RequestContext

# Session facts that are not condition keys.
_NOT_KEYS = frozenset({"session_policy"})
_PRINCIPAL_TYPES = {"admin": "Account", "user": "User", "assumed-role": "AssumedRole"}


def partition_of(arn: str) -> str:
    parts = arn.split(":", 2)
    return parts[1] if len(parts) > 2 and parts[0] == "arn" and parts[1] else "aws"


def root_arn(account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account_id}:root"


def _values(value: Any) -> list[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, list | tuple | set | frozenset) else [value]
    return [("true" if each else "false") if isinstance(each, bool) else str(each) for each in items]


def principal_keys(principal: Principal) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {
        "aws:principalaccount": [principal.account_id],
        "aws:principaltype": [_PRINCIPAL_TYPES[principal.kind]],
    }
    if principal.kind == "admin":
        keys["aws:principalarn"] = [root_arn(principal.account_id, partition_of(principal.arn))]
        keys["aws:userid"] = [principal.account_id]
    elif principal.kind == "user":
        keys["aws:principalarn"] = [principal.arn]
        keys["aws:username"] = [principal.name]
        keys["aws:userid"] = [principal.user_id]
    else:
        # A role session is evaluated as its role (aws:PrincipalArn is the role's ARN, not the session's).
        keys["aws:principalarn"] = [principal.role_arn or principal.arn]
        keys["aws:userid"] = [principal.user_id]
        if principal.session_name:
            keys["sts:rolesessionname"] = [principal.session_name]
    for key, value in (principal.session_context or {}).items():
        values = _values(value)
        if key not in _NOT_KEYS and ":" in key and values is not None:
            keys[key.lower()] = values
    return keys


def time_keys(now: float) -> dict[str, list[str]]:
    return {
        "aws:currenttime": [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))],
        "aws:epochtime": [str(int(now))],
    }


class Keys(dict[str, list[str]]):
    """Condition keys, with the time keys worked out only when a policy asks for them (most never do)."""

    def __init__(self, keys: dict[str, list[str]], now: Callable[[], float]) -> None:
        super().__init__(keys)
        self._now = now

    def __missing__(self, key: str) -> list[str]:
        if key not in _TIME_KEYS:
            raise KeyError(key)
        self.update(time_keys(self._now()))
        return self[key]

    def get(self, key: str, default: list[str] | None = None) -> list[str] | None:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default


_TIME_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})


def request_keys(ctx: RequestContext) -> Keys:
    keys = {
        "aws:requestedregion": [ctx.region],
        "aws:securetransport": ["false"],  # the endpoint speaks plain HTTP on 127.0.0.1
        "aws:sourceip": [ctx.source_ip],
    }
    if ctx.principal is not None:
        keys.update(principal_keys(ctx.principal))
    return Keys(keys, ctx.clock.time)


def extra_keys(context: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Caller-supplied keys (say, a web identity token's cognito-identity.amazonaws.com:aud), lower-cased."""
    keys = {}
    for key, value in (context or {}).items():
        values = _values(value)
        if values is not None:
            keys[key.lower()] = values
    return keys
