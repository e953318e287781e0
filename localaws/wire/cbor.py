"""A small CBOR (RFC 8949) codec for the AWS CBOR protocols: the data model JSON has, plus byte strings and
tag 1 (epoch time). Anything malformed raises CborError; the caller turns it into SerializationException."""

import struct
from typing import Any, NamedTuple

_MAX_DEPTH = 128
_MAX_BIGNUM_BYTES = 1024
_BREAK = object()


class CborError(ValueError):
    pass


class Tagged(NamedTuple):
    """A tagged data item; AWS sends only tag 1 (epoch time) around a number."""

    tag: int
    value: Any


def loads(data: bytes) -> Any:
    """The one data item `data` holds; CborError if it is malformed or followed by more bytes."""
    decoder = _Decoder(data)
    value = decoder.item(0)
    if value is _BREAK:
        raise CborError("unexpected break")
    if decoder.pos != len(data):
        raise CborError("trailing bytes after the data item")
    return value


class _Decoder:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def _take(self, count: int) -> bytes:
        end = self.pos + count
        if end > len(self.data):
            raise CborError("truncated data item")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def _argument(self, info: int) -> int:
        if info < 24:
            return info
        if info == 24:
            return self._take(1)[0]
        if info == 25:
            return int.from_bytes(self._take(2), "big")
        if info == 26:
            return int.from_bytes(self._take(4), "big")
        if info == 27:
            return int.from_bytes(self._take(8), "big")
        raise CborError(f"reserved additional information {info}")

    def _chunks(self, major: int) -> bytes:
        # An indefinite-length string: definite chunks of the same major type until a break.
        parts = []
        while True:
            if self.pos >= len(self.data):
                raise CborError("truncated indefinite string")
            initial = self.data[self.pos]
            self.pos += 1
            if initial == 0xFF:
                return b"".join(parts)
            if initial >> 5 != major or initial & 31 == 31:
                raise CborError("bad chunk in an indefinite string")
            parts.append(self._take(self._argument(initial & 31)))

    def item(self, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise CborError("nested too deeply")
        if self.pos >= len(self.data):
            raise CborError("truncated data item")
        initial = self.data[self.pos]
        self.pos += 1
        major, info = initial >> 5, initial & 31
        if major == 0:
            return self._argument(info)
        if major == 1:
            return -1 - self._argument(info)
        if major in (2, 3):
            raw = self._chunks(major) if info == 31 else self._take(self._argument(info))
            if major == 2:
                return raw
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise CborError("text string is not UTF-8") from error
        if major == 4:
            items = []
            if info == 31:
                while (value := self.item(depth + 1)) is not _BREAK:
                    items.append(value)
                return items
            for _ in range(self._argument(info)):
                value = self.item(depth + 1)
                if value is _BREAK:
                    raise CborError("unexpected break")
                items.append(value)
            return items
        if major == 5:
            mapping: dict[Any, Any] = {}
            count = None if info == 31 else self._argument(info)
            while count is None or len(mapping) < count:
                key = self.item(depth + 1)
                if key is _BREAK and count is None:
                    return mapping
                if key is _BREAK or isinstance(key, (list, dict, Tagged)):
                    raise CborError("bad map key")
                value = self.item(depth + 1)
                if value is _BREAK:
                    raise CborError("unexpected break")
                if key in mapping and count is not None:
                    count -= 1  # a repeated key: the last value wins, as JSON parsers do
                mapping[key] = value
            return mapping
        if major == 6:
            tag = self._argument(info)
            value = self.item(depth + 1)
            if value is _BREAK:
                raise CborError("unexpected break")
            if tag in (2, 3) and type(value) is bytes:  # bignums: numbers like any other
                if len(value) > _MAX_BIGNUM_BYTES:
                    raise CborError("bignum too large")
                magnitude = int.from_bytes(value, "big")
                return magnitude if tag == 2 else -1 - magnitude
            return Tagged(tag, value)
        # major 7
        if info == 20:
            return False
        if info == 21:
            return True
        if info in (22, 23):
            return None
        if info == 25:
            return struct.unpack(">e", self._take(2))[0]
        if info == 26:
            return struct.unpack(">f", self._take(4))[0]
        if info == 27:
            return struct.unpack(">d", self._take(8))[0]
        if info == 31:
            return _BREAK
        raise CborError(f"unsupported simple value {info}")


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes((major << 5 | argument,))
    if argument < 0x100:
        return bytes((major << 5 | 24, argument))
    if argument < 0x10000:
        return bytes((major << 5 | 25,)) + argument.to_bytes(2, "big")
    if argument < 0x1_0000_0000:
        return bytes((major << 5 | 26,)) + argument.to_bytes(4, "big")
    return bytes((major << 5 | 27,)) + argument.to_bytes(8, "big")


def dumps(value: Any) -> bytes:
    """CBOR for `value`: dict, list, str, bytes, bool, int (64-bit), float (as float64), None, Tagged."""
    out: list[bytes] = []
    _encode(value, out)
    return b"".join(out)


def _encode(value: Any, out: list[bytes]) -> None:
    kind = type(value)
    if kind is str:
        raw = value.encode("utf-8", "surrogatepass")
        out.append(_head(3, len(raw)))
        out.append(raw)
    elif kind is dict:
        out.append(_head(5, len(value)))
        for key, item in value.items():
            _encode(key, out)
            _encode(item, out)
    elif kind is list or kind is tuple:
        out.append(_head(4, len(value)))
        for item in value:
            _encode(item, out)
    elif kind is bool:
        out.append(b"\xf5" if value else b"\xf4")
    elif kind is int:
        magnitude = value if value >= 0 else -1 - value
        if magnitude < 0x1_0000_0000_0000_0000:
            out.append(_head(0 if value >= 0 else 1, magnitude))
        else:  # a bignum (tag 2 or 3)
            raw = magnitude.to_bytes((magnitude.bit_length() + 7) // 8, "big")
            out.append(_head(6, 2 if value >= 0 else 3))
            out.append(_head(2, len(raw)))
            out.append(raw)
    elif kind is float:
        out.append(b"\xfb" + struct.pack(">d", value))
    elif value is None:
        out.append(b"\xf6")
    elif kind is bytes or kind is bytearray:
        out.append(_head(2, len(value)))
        out.append(bytes(value))
    elif kind is Tagged:
        out.append(_head(6, value.tag))
        _encode(value.value, out)
    else:
        raise TypeError(f"cannot encode {kind.__name__} as CBOR")
