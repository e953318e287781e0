"""Identity policy evaluation: does a set of policy documents allow, explicitly deny, or say nothing about an
action on a resource, for a request whose condition keys `lookup` reads."""

import enum
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from localaws.iam.conditions import conditions_hold
from localaws.iam.wildcards import Lookup, Unresolved, action_matches, arn_matches, substitute

# The version that has policy variables; in 2008-10-17 (or none) `${...}` is literal text.
VARIABLES_VERSION = "2012-10-17"


class Decision(enum.Enum):
    ALLOW = "allow"
    DENY = "deny"  # an explicit Deny applied: nothing else can allow
    NONE = "none"  # no statement applied: denied by default


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=1024)
def _parse_text(text: str) -> Any:
    return json.loads(text)


def parse_document(document: str | dict[str, Any] | None) -> dict[str, Any] | None:
    """A policy document as a dict: parsed from JSON text (cached, so do not change the result), None when it
    is not a JSON object."""
    if document is None:
        return None
    if isinstance(document, dict):
        return document
    try:
        parsed = _parse_text(document)
    except (TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements of a document: Statement may be one statement or a list of them."""
    return [each for each in as_list(document.get("Statement", [])) if isinstance(each, dict)]


def action_applies(statement: dict[str, Any], action: str) -> bool:
    if "Action" in statement:
        return any(isinstance(each, str) and action_matches(each, action) for each in as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(
            isinstance(each, str) and action_matches(each, action) for each in as_list(statement["NotAction"])
        )
    return False


def _resource_listed(patterns: Any, resource: str, lookup: Lookup, variables: bool) -> bool:
    for pattern in as_list(patterns):
        if not isinstance(pattern, str):
            continue
        if variables:
            try:
                pattern = substitute(pattern, lookup)
            except Unresolved:
                continue  # a variable the request lacks: this entry names no resource
        if arn_matches(pattern, resource):
            return True
    return False


def resource_applies(statement: dict[str, Any], resource: str, lookup: Lookup, variables: bool) -> bool:
    if "Resource" in statement:
        return _resource_listed(statement["Resource"], resource, lookup, variables)
    if "NotResource" in statement:
        return not _resource_listed(statement["NotResource"], resource, lookup, variables)
    return False  # an identity policy statement without either names nothing


def evaluate(documents: Sequence[dict[str, Any]], action: str, resource: str, lookup: Lookup) -> Decision:
    """Explicit Deny wins over Allow; without an applicable Allow the answer is NONE (an implicit deny)."""
    allowed = False
    for document in documents:
        variables = document.get("Version") == VARIABLES_VERSION
        for statement in statements(document):
            effect = statement.get("Effect")
            if effect not in ("Allow", "Deny"):
                continue
            if effect == "Allow" and allowed:
                continue  # already allowed: only a Deny can change the answer
            if not action_applies(statement, action):
                continue
            if not resource_applies(statement, resource, lookup, variables):
                continue
            if not conditions_hold(statement.get("Condition"), lookup, variables=variables):
                continue
            if effect == "Deny":
                return Decision.DENY
            allowed = True
    return Decision.ALLOW if allowed else Decision.NONE
