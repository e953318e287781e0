"""NextToken for Cognito's list operations: an opaque position in a list, tied to the list it came from."""

import base64
import binascii
from collections.abc import Sequence
from typing import Any, TypeVar

from localaws.cognito_identity.errors import invalid_parameter

T = TypeVar("T")


def page(items: Sequence[T], max_results: int, next_token: str | None, scope: str) -> tuple[list[T], str | None]:
    """`max_results` items from where `next_token` left off, and the token for the rest (None at the end)."""
    start = _position(next_token, scope) if next_token else 0
    chunk = list(items[start : start + max_results])
    end = start + len(chunk)
    return chunk, (_token(end, scope) if end < len(items) else None)


def _token(position: int, scope: str) -> str:
    return base64.urlsafe_b64encode(f"{scope}|{position}".encode()).decode()


def _position(token: str, scope: str) -> int:
    try:
        token_scope, _, position = base64.urlsafe_b64decode(token.encode()).decode().rpartition("|")
        value: Any = int(position)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        value = None
    if value is None or token_scope != scope or value < 0:
        raise invalid_parameter("The NextToken is invalid for this request.")
    return value
