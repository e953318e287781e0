"""A role's trust policy: may this caller assume the role?"""

from collections.abc import Callable
from typing import Any

from localaws.context import Principal
from localaws.iam.conditions import conditions_hold
from localaws.iam.policy import VARIABLES_VERSION, action_applies, as_list, statements
from localaws.iam.request_keys import partition_of, root_arn


def _aws_principal_matches(value: str, principal: Principal) -> bool:
    account = principal.account_id
    if value in (account, root_arn(account, partition_of(principal.arn))):
        return True  # the account: any of its identities whose own policies allow the call
    if value == principal.arn:
        return True  # a user, or one role session by its assumed-role ARN
    return principal.kind == "assumed-role" and value == principal.role_arn


def principal_matches(spec: Any, principal: Principal | None, federated: str | None) -> bool:
    """A Principal element ("*", or {"AWS": ..., "Federated": ..., "Service": ...}) names this caller."""
    if spec == "*":
        return True
    if not isinstance(spec, dict):
        return False
    for kind, values in spec.items():
        for value in as_list(values):
            if not isinstance(value, str):
                continue
            if kind == "AWS" and (value == "*" or (principal is not None and _aws_principal_matches(value, principal))):
                return True
            if kind == "Federated" and federated is not None and value.lower() == federated.lower():
                return True
            # "Service" principals are AWS services: no caller of this endpoint is one.
    return False


def trust_allows(
    trust_policy: dict[str, Any],
    action: str,
    principal: Principal | None,
    federated: str | None,
    lookup: Callable[[str], list[str] | None],
) -> bool:
    """An Allow statement for the action names the caller with its conditions met, and no such Deny does."""
    variables = trust_policy.get("Version") == VARIABLES_VERSION
    allowed = False
    for statement in statements(trust_policy):
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny") or not action_applies(statement, action):
            continue
        if "Principal" in statement:
            if not principal_matches(statement["Principal"], principal, federated):
                continue
        elif "NotPrincipal" in statement:
            if principal_matches(statement["NotPrincipal"], principal, federated):
                continue
        else:
            continue
        if not conditions_hold(statement.get("Condition"), lookup, variables=variables):
            continue
        if effect == "Deny":
            return False
        allowed = True
    return allowed
