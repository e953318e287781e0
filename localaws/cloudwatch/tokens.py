"""Page tokens: opaque to callers, checked when they come back (a made-up or damaged token is refused, never
misread)."""

import base64
import binascii
import json
from typing import Any

PREFIX = "cw1."


def encode(state: Any) -> str:
    return PREFIX + base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode()


def decode(token: str) -> Any:
    """The state a token carries; ValueError when it is not one of ours."""
    if not isinstance(token, str) or not token.startswith(PREFIX):
        raise ValueError("not a token")
    try:
        return json.loads(base64.urlsafe_b64decode(token[len(PREFIX) :].encode()))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError("not a token") from error
