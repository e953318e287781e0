"""IAM's pattern matching: `*` and `?` wildcards in actions (case-insensitive) and in resource ARNs
(case-sensitive), and policy variables (`${aws:username}`) in resources and condition values."""

import re
from collections.abc import Callable
from functools import lru_cache

# A condition key's values in the request (lower-case key -> values), None when the key is absent.
Lookup = Callable[[str], list[str] | None]

# ${key} or ${key, 'default'}: the default applies when the request has no such key.
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")
# ${*}, ${?} and ${$} stand for the literal characters, so a policy can name a resource with a real asterisk.
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


class Unresolved(Exception):
    """A policy variable names a key the request does not have (and gives no default): nothing matches."""


def _literal(text: str) -> str:
    return "\0L" + text + "\0E"


def substitute(text: str, lookup: Lookup) -> str:
    """`text` with its policy variables replaced by the request's values, each wrapped as a literal (so a value
    holding `*` is not a wildcard). Raises Unresolved when a variable has no value."""
    if "${" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        if inner in _ESCAPES:
            return _literal(_ESCAPES[inner])
        default = _DEFAULT.match(inner)
        key, fallback = (default.group(1), default.group(2)) if default else (inner.strip(), None)
        values = lookup(key.lower())
        if values is not None and len(values) == 1:
            return _literal(values[0])
        if fallback is not None:
            return _literal(fallback)
        raise Unresolved(key)

    return _VARIABLE.sub(replace, text)


def _parts(pattern: str) -> list[tuple[str, bool]]:
    """(text, is_literal) runs of a substituted pattern."""
    parts: list[tuple[str, bool]] = []
    rest = pattern
    while "\0L" in rest:
        before, _, tail = rest.partition("\0L")
        value, _, rest = tail.partition("\0E")
        parts += [(before, False), (value, True)]
    parts.append((rest, False))
    return parts


@lru_cache(maxsize=4096)
def _compile(pattern: str, ignore_case: bool, arn_segments: bool) -> re.Pattern[str]:
    # In an ARN a wildcard stays within its segment (partition, service, region, account) until the fifth colon;
    # in the resource part it spans anything, `/` and `:` included.
    segmented = arn_segments and pattern.startswith("arn:") and pattern.count(":") >= 5
    colons = 0
    regex: list[str] = []
    for text, literal in _parts(pattern):
        if literal:
            regex.append(re.escape(text))
            continue
        for char in text:
            within = segmented and colons < 5
            if char == "*":
                regex.append("[^:]*" if within else ".*")
            elif char == "?":
                regex.append("[^:]" if within else ".")
            else:
                colons += char == ":"
                regex.append(re.escape(char))
    return re.compile("".join(regex), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """A string pattern with wildcards (StringLike; a substituted pattern's variables are literal)."""
    if "*" not in pattern and "?" not in pattern and "\0" not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return _compile(pattern, ignore_case, False).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """An Action/NotAction entry against "service:Operation": case-insensitive."""
    return matches(pattern, action, ignore_case=True)


def arn_matches(pattern: str, arn: str) -> bool:
    """A Resource/NotResource entry (or an ArnLike value) against an ARN: case-sensitive, wildcards per segment."""
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern and "\0" not in pattern:
        return pattern == arn
    return _compile(pattern, False, True).fullmatch(arn) is not None


def plain(text: str) -> str:
    """A substituted value as the request would see it (the literal markers removed)."""
    return text.replace("\0L", "").replace("\0E", "")
