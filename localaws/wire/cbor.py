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
    try:
        value, end = _item(data, 0, 0)
    except (IndexError, struct.error):
        raise CborError("truncated data item") from None
    if value is _BREAK:
        raise CborError("unexpected break")
    if end != len(data):
        raise CborError("trailing bytes after the data item")
    return value


_UNPACK_ARGUMENT = {
    25: struct.Struct(">H").unpack_from,
    26: struct.Struct(">I").unpack_from,
    27: struct.Struct(">Q").unpack_from,
}
_UNPACK_FLOAT = {
    25: (struct.Struct(">e").unpack_from, 2),
    26: (struct.Struct(">f").unpack_from, 4),
    27: (struct.Struct(">d").unpack_from, 8),
}
_SIZE = {24: 1, 25: 2, 26: 4, 27: 8}


def _argument(data: bytes, pos: int, info: int) -> tuple[int, int]:
    """The argument of a head whose additional information is `info`, its bytes starting at `pos`."""
    if info < 24:
        return info, pos
    if info == 24:
        return data[pos], pos + 1
    unpack = _UNPACK_ARGUMENT.get(info)
    if unpack is None:
        raise CborError(f"reserved additional information {info}")
    return unpack(data, pos)[0], pos + _SIZE[info]


def _bytes(data: bytes, pos: int, length: int) -> tuple[bytes, int]:
    end = pos + length
    if end > len(data):
        raise CborError("truncated string")
    return data[pos:end], end


def _chunks(data: bytes, pos: int, major: int) -> tuple[bytes, int]:
    # An indefinite-length string: definite chunks of the same major type until a break.
    parts = []
    while True:
        initial = data[pos]
        pos += 1
        if initial == 0xFF:
            return b"".join(parts), pos
        if initial >> 5 != major or initial & 31 == 31:
            raise CborError("bad chunk in an indefinite string")
        length, pos = _argument(data, pos, initial & 31)
        chunk, pos = _bytes(data, pos, length)
        parts.append(chunk)


def _item(data: bytes, pos: int, depth: int) -> tuple[Any, int]:
    if depth > _MAX_DEPTH:
        raise CborError("nested too deeply")
    initial = data[pos]
    pos += 1
    major = initial >> 5
    info = initial & 31
    if major == 3 or major == 2:
        if info == 31:
            raw, pos = _chunks(data, pos, major)
        else:
            length, pos = _argument(data, pos, info)
            raw, pos = _bytes(data, pos, length)
        if major == 2:
            return raw, pos
        try:
            return raw.decode("utf-8"), pos
        except UnicodeDecodeError:
            raise CborError("text string is not UTF-8") from None
    if major == 0:
        return _argument(data, pos, info)
    if major == 5:
        mapping: dict[Any, Any] = {}
        if info == 31:
            while True:
                key, pos = _item(data, pos, depth + 1)
                if key is _BREAK:
                    return mapping, pos
                if isinstance(key, (list, dict, Tagged)):
                    raise CborError("bad map key")
                value, pos = _item(data, pos, depth + 1)
                if value is _BREAK:
                    raise CborError("unexpected break")
                mapping[key] = value
        count, pos = _argument(data, pos, info)
        for _ in range(count):
            key, pos = _item(data, pos, depth + 1)
            if key is _BREAK or isinstance(key, (list, dict, Tagged)):
                raise CborError("bad map key")
            value, pos = _item(data, pos, depth + 1)
            if value is _BREAK:
                raise CborError("unexpected break")
            mapping[key] = value  # a repeated key: the last value wins, as JSON parsers do
        return mapping, pos
    if major == 4:
        items = []
        if info == 31:
            while True:
                value, pos = _item(data, pos, depth + 1)
                if value is _BREAK:
                    return items, pos
                items.append(value)
        count, pos = _argument(data, pos, info)
        if count > len(data):  # each item takes a byte at least
            raise CborError("truncated array")
        for _ in range(count):
            value, pos = _item(data, pos, depth + 1)
            if value is _BREAK:
                raise CborError("unexpected break")
            items.append(value)
        return items, pos
    if major == 1:
        value, pos = _argument(data, pos, info)
        return -1 - value, pos
    if major == 6:
        tag, pos = _argument(data, pos, info)
        value, pos = _item(data, pos, depth + 1)
        if value is _BREAK:
            raise CborError("unexpected break")
        if tag in (2, 3) and type(value) is bytes:  # bignums: numbers like any other
            if len(value) > _MAX_BIGNUM_BYTES:
                raise CborError("bignum too large")
            magnitude = int.from_bytes(value, "big")
            return (magnitude if tag == 2 else -1 - magnitude), pos
        return Tagged(tag, value), pos
    # major 7
    if info == 20:
        return False, pos
    if info == 21:
        return True, pos
    if info == 22 or info == 23:
        return None, pos
    if info == 31:
        return _BREAK, pos
    unpack = _UNPACK_FLOAT.get(info)
    if unpack is None:
        raise CborError(f"unsupported simple value {info}")
    return unpack[0](data, pos)[0], pos + unpack[1]


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
