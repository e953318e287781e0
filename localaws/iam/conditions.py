"""IAM's Condition element: operators, the ForAnyValue:/ForAllValues: set qualifiers and the IfExists suffix.

A block holds when every operator in it holds; an operator holds when every key under it holds; a key holds when
the request's value matches any of the policy's values (a negated operator: matches none of them). A key the
request lacks fails a positive operator and passes a negated one; IfExists passes it either way; ForAllValues
passes an absent key, ForAnyValue fails it. An operator this evaluator does not know never holds.
"""

import base64
import binascii
import ipaddress
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from localaws.iam.wildcards import Lookup, Unresolved, arn_matches, matches, plain, substitute

# Does one policy value match one request value.
Matcher = Callable[[str, str], bool]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _date(text: str) -> float | None:
    """Epoch seconds of an ISO 8601 date/time or of a number of epoch seconds."""
    number = _number(text)
    if number is not None:
        return number
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.timestamp()


def _compare(parse: Callable[[str], float | None], test: Callable[[float, float], bool]) -> Matcher:
    def match(expected: str, actual: str) -> bool:
        left, right = parse(actual), parse(plain(expected))
        return left is not None and right is not None and test(left, right)

    return match


def _ip(expected: str, actual: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(plain(expected), strict=False)
    except ValueError:
        return False


def _binary(expected: str, actual: str) -> bool:
    try:
        return base64.b64decode(plain(expected), validate=True) == base64.b64decode(actual, validate=True)
    except (binascii.Error, ValueError):
        return False


def _equal(expected: str, actual: str) -> bool:
    return plain(expected) == actual


def _like(expected: str, actual: str) -> bool:
    return matches(expected, actual)


def _equal_ignore_case(expected: str, actual: str) -> bool:
    return plain(expected).lower() == actual.lower()


def _bool(expected: str, actual: str) -> bool:
    return plain(expected).lower() == actual.lower()


def _arn(expected: str, actual: str) -> bool:
    return arn_matches(expected, actual)


# operator -> (matcher, negated)
OPERATORS: dict[str, tuple[Matcher, bool]] = {
    "StringEquals": (_equal, False),
    "StringNotEquals": (_equal, True),
    "StringEqualsIgnoreCase": (_equal_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_equal_ignore_case, True),
    "StringLike": (_like, False),
    "StringNotLike": (_like, True),
    "NumericEquals": (_compare(_number, lambda a, b: a == b), False),
    "NumericNotEquals": (_compare(_number, lambda a, b: a == b), True),
    "NumericLessThan": (_compare(_number, lambda a, b: a < b), False),
    "NumericLessThanEquals": (_compare(_number, lambda a, b: a <= b), False),
    "NumericGreaterThan": (_compare(_number, lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_compare(_number, lambda a, b: a >= b), False),
    "DateEquals": (_compare(_date, lambda a, b: a == b), False),
    "DateNotEquals": (_compare(_date, lambda a, b: a == b), True),
    "DateLessThan": (_compare(_date, lambda a, b: a < b), False),
    "DateLessThanEquals": (_compare(_date, lambda a, b: a <= b), False),
    "DateGreaterThan": (_compare(_date, lambda a, b: a > b), False),
    "DateGreaterThanEquals": (_compare(_date, lambda a, b: a >= b), False),
    "Bool": (_bool, False),
    "BinaryEquals": (_binary, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "ArnEquals": (_arn, False),
    "ArnLike": (_arn, False),
    "ArnNotEquals": (_arn, True),
    "ArnNotLike": (_arn, True),
}
SET_QUALIFIERS = frozenset({"ForAnyValue", "ForAllValues"})


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _policy_values(values: Any, lookup: Lookup, variables: bool) -> list[str]:
    """The policy's values for one key, policy variables substituted; a value whose variable the request lacks
    matches nothing and is left out."""
    result = []
    for value in _as_list(values):
        text = _text(value)
        if not variables:
            result.append(text.replace("\0", ""))
            continue
        try:
            result.append(substitute(text, lookup))
        except Unresolved:
            continue
    return result


def _key_holds(
    matcher: Matcher,
    negated: bool,
    qualifier: str | None,
    if_exists: bool,
    expected: list[str],
    actual: list[str] | None,
) -> bool:
    def matches_any(value: str) -> bool:
        return any(matcher(each, value) for each in expected)

    if not actual:
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return if_exists or negated
    if qualifier == "ForAllValues":
        return all(matches_any(value) != negated for value in actual)
    if qualifier == "ForAnyValue":
        return any(matches_any(value) != negated for value in actual)
    if negated:
        return not any(matches_any(value) for value in actual)
    return any(matches_any(value) for value in actual)


def _null_holds(expected: Any, actual: list[str] | None) -> bool:
    wants_absent = [_text(each).lower() == "true" for each in _as_list(expected)]
    absent = not actual
    return any(want == absent for want in wants_absent)


def conditions_hold(conditions: Any, lookup: Lookup, *, variables: bool = True) -> bool:
    """Whether a statement's Condition block holds for the request whose keys `lookup` reads (lower-case keys).
    `variables`: policy variables are substituted (policy version 2012-10-17)."""
    if not conditions:
        return True
    if not isinstance(conditions, dict):
        return False
    for qualified, block in conditions.items():
        if not isinstance(qualified, str) or not isinstance(block, dict):
            return False
        qualifier, _, operator = qualified.rpartition(":")
        if qualifier and qualifier not in SET_QUALIFIERS:
            return False
        if operator == "Null":
            if qualifier or not all(_null_holds(values, lookup(key.lower())) for key, values in block.items()):
                return False
            continue
        if_exists = operator.endswith("IfExists")
        known = OPERATORS.get(operator.removesuffix("IfExists"))
        if known is None:
            return False
        matcher, negated = known
        for key, values in block.items():
            expected = _policy_values(values, lookup, variables)
            if not _key_holds(matcher, negated, qualifier or None, if_exists, expected, lookup(key.lower())):
                return False
    return True
