"""Shard iterators: opaque, authenticated, and bound to one incarnation of a stream.

An iterator is base64 of an 8-byte header (0x0000000000000001, as AWS's begin), the payload encrypted with a
keystream, and a 16-byte tag: keyed BLAKE2b of the payload under a key derived from the endpoint's secret (a MAC,
and several times cheaper than HMAC-SHA256 on every GetRecords). The tag also seeds the keystream (SHAKE-256 of
another derived key and the tag: a synthetic IV), so nothing random is needed and a changed byte anywhere fails
the check. The payload names the account, region, stream, the stream's creation time (a recreated stream's old
iterators do not open it), the shard, the position (the last index read), and when the iterator was issued.
Its length is 152 + 16k bytes, as AWS's are.
"""

import binascii
import hashlib
import hmac
import struct
from dataclasses import dataclass

HEADER = bytes.fromhex("0000000000000001")
TAG_BYTES = 16
_FIXED = struct.Struct(">ddiq")  # issued_at, stream_created_at, shard_index, position
_MIN_PAYLOAD = 128  # 8 + 128 + 16 = 152 bytes, AWS's shortest


@dataclass(frozen=True)
class Position:
    account_id: str
    region: str
    stream_name: str
    stream_created_at: float
    shard_index: int
    position: int  # the index of the last record read; -1 reads from the start
    issued_at: float


# Opened iterators remembered (the front door's authorization and the call open the same one; readers poll).
OPENED_KEPT = 4096


class IteratorCodec:
    def __init__(self, secret: bytes) -> None:
        self._opened: dict[str, Position] = {}
        self._mac_key = hmac.new(secret, b"kinesis-iterator-mac", hashlib.sha256).digest()
        self._stream_key = hmac.new(secret, b"kinesis-iterator-stream", hashlib.sha256).digest()

    def _tag(self, payload: bytes) -> bytes:
        return hashlib.blake2b(payload, key=self._mac_key, digest_size=TAG_BYTES).digest()

    def _keystream(self, tag: bytes, length: int) -> bytes:
        return hashlib.shake_256(self._stream_key + tag).digest(length)

    def seal(self, where: Position) -> str:
        names = b"\0".join(part.encode() for part in (where.account_id, where.region, where.stream_name))
        payload = _FIXED.pack(where.issued_at, where.stream_created_at, where.shard_index, where.position) + names
        padded_length = max(_MIN_PAYLOAD, -(-(len(payload) + 1) // 16) * 16)
        payload += b"\x80" + b"\0" * (padded_length - len(payload) - 1)
        tag = self._tag(payload)
        stream = self._keystream(tag, len(payload))
        cipher = (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(payload), "big")
        return binascii.b2a_base64(HEADER + cipher + tag, newline=False).decode("ascii")

    def open(self, text: str) -> Position | None:
        """The position an iterator names, or None when it is not one this endpoint issued (or was altered)."""
        known = self._opened.get(text)
        if known is not None:
            return known
        where = self._open(text)
        if where is not None:
            if len(self._opened) >= OPENED_KEPT:
                self._opened.clear()
            self._opened[text] = where
        return where

    def _open(self, text: str) -> Position | None:
        try:
            raw = binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            return None
        if len(raw) < len(HEADER) + _MIN_PAYLOAD + TAG_BYTES or (len(raw) - len(HEADER) - TAG_BYTES) % 16:
            return None
        if raw[: len(HEADER)] != HEADER:
            return None
        cipher, tag = raw[len(HEADER) : -TAG_BYTES], raw[-TAG_BYTES:]
        stream = self._keystream(tag, len(cipher))
        payload = (int.from_bytes(cipher, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(cipher), "big")
        if not hmac.compare_digest(self._tag(payload), tag):
            return None
        issued_at, created_at, shard_index, position = _FIXED.unpack_from(payload)
        names = payload[_FIXED.size : payload.rindex(b"\x80")].split(b"\0")
        if len(names) != 3:
            return None
        account_id, region, stream_name = (name.decode() for name in names)
        return Position(account_id, region, stream_name, created_at, shard_index, position, issued_at)
