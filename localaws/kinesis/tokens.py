"""Pagination tokens (ListShards, ListStreamConsumers): signed with the endpoint's secret, since a token names the
stream it pages through and a request that carries only a token is authorized on that stream."""

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

TAG_BYTES = 16


class TokenCodec:
    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"kinesis-next-token", hashlib.sha256).digest()

    def seal(self, content: dict[str, Any]) -> str:
        body = json.dumps(content, separators=(",", ":"), sort_keys=True).encode()
        tag = hmac.new(self._key, body, hashlib.sha256).digest()[:TAG_BYTES]
        return base64.urlsafe_b64encode(tag + body).decode("ascii")

    def open(self, token: str) -> dict[str, Any] | None:
        try:
            raw = base64.urlsafe_b64decode(token.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            return None
        tag, body = raw[:TAG_BYTES], raw[TAG_BYTES:]
        if not hmac.compare_digest(tag, hmac.new(self._key, body, hashlib.sha256).digest()[:TAG_BYTES]):
            return None
        try:
            content = json.loads(body)
        except ValueError:
            return None
        return content if isinstance(content, dict) else None
