"""Values as AWS's Java services print them in validation messages: `toString()` and `hashCode()` of the
request's Java objects (strings as is, blobs as `java.nio.HeapByteBuffer[pos=0 lim=N cap=N]`, lists `[a, b]`,
maps `{k=v}`, structures `com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310`).

The structure hash is the generated classes' `Arrays.hashCode(classNameHashCode, member values...)`, with
`classNameHashCode = Arrays.hashCode(new Object[]{className})`; it reproduces the hash kinesalite recorded from
AWS for an empty PutRecordsRequestEntry.
"""

import math
import struct
import time
from decimal import Decimal
from typing import Any

import botocore.model

_MASK = 0xFFFFFFFF


def _s32(value: int) -> int:
    value &= _MASK
    return value - 0x1_0000_0000 if value & 0x8000_0000 else value


def string_hash(text: str) -> int:
    """String.hashCode over UTF-16 code units (unsigned 32-bit)."""
    data = text.encode("utf-16-be", "surrogatepass")
    h = 0
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & _MASK
    return h


def _bytes_hash(data: bytes) -> int:
    # ByteBuffer.hashCode walks from the last byte to the first, bytes signed.
    h = 1
    for byte in reversed(data):
        h = (31 * h + (byte - 256 if byte > 127 else byte)) & _MASK
    return h


def _long_hash(value: int) -> int:
    value &= 0xFFFF_FFFF_FFFF_FFFF
    return (value ^ (value >> 32)) & _MASK


def _double_hash(value: float) -> int:
    (bits,) = struct.unpack(">q", struct.pack(">d", value))
    return _long_hash(bits)


def java_hash(shape: botocore.model.Shape, value: Any, package: str) -> int:
    """`value.hashCode()` of the Java object AWS would have made for `value` of `shape` (32-bit, unsigned)."""
    if value is None:
        return 0
    kind = shape.type_name
    if kind == "string":
        return string_hash(value)
    if kind == "blob":
        return _bytes_hash(value)
    if kind == "boolean":
        return 1231 if value else 1237
    if kind == "integer":
        return value & _MASK
    if kind == "long":
        return _long_hash(value)
    if kind in ("double", "float"):
        return _double_hash(float(value))
    if kind == "timestamp":
        return _long_hash(int(value * 1000))
    if kind == "list":
        h = 1
        for item in value:
            h = (31 * h + java_hash(shape.member, item, package)) & _MASK
        return h
    if kind == "map":
        total = 0
        for key, item in value.items():
            total += java_hash(shape.key, key, package) ^ java_hash(shape.value, item, package)
        return total & _MASK
    if kind == "structure":
        h = 1
        h = (31 * h + ((31 + string_hash(f"{package}.{shape.name}")) & _MASK)) & _MASK
        for name, member in shape.members.items():
            h = (31 * h + java_hash(member, value.get(name), package)) & _MASK
        return h
    return 0


def java_double(value: float) -> str:
    """Double.toString: '1.0', '34.56', '1.0E20', 'NaN', 'Infinity'."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "." in text else text + ".0"
    # Java's computerized scientific notation, from the shortest digits that round-trip.
    _, digits, exponent = Decimal(repr(abs(value))).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    scientific = len(digits) + int(exponent) - 1
    sign = "-" if value < 0 else ""
    return f"{sign}{text[0]}.{text[1:] or '0'}E{scientific}"


def java_date(seconds: float) -> str:
    """Date.toString in UTC: 'Mon Nov 30 19:35:08 UTC 2026'."""
    moment = time.gmtime(math.floor(seconds))
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", moment)


def java_string(shape: botocore.model.Shape, value: Any, package: str) -> str:
    """`value.toString()` of the Java object AWS would have made for `value` of `shape`."""
    if value is None:
        return "null"
    kind = shape.type_name
    if kind == "string":
        return value
    if kind == "blob":
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "long"):
        return str(value)
    if kind in ("double", "float"):
        return java_double(float(value))
    if kind == "timestamp":
        return java_date(value)
    if kind == "list":
        return "[" + ", ".join(java_string(shape.member, item, package) for item in value) + "]"
    if kind == "map":
        key, item = shape.key, shape.value
        pairs = (f"{java_string(key, k, package)}={java_string(item, v, package)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if kind == "structure":
        return f"{package}.{shape.name}@{java_hash(shape, value, package):x}"
    return str(value)


def hash_set_order(values: list[str]) -> list[str]:
    """The order a java.util.HashSet of these strings iterates in (buckets by `hashCode() & (capacity - 1)`,
    capacity 16 doubled past a 0.75 load): AWS lists a member's enum values that way ('[AFTER_SEQUENCE_NUMBER,
    LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]' for ShardIteratorType)."""
    capacity = 16
    while len(values) > capacity * 0.75:
        capacity *= 2
    return sorted(values, key=lambda text: string_hash(text) & (capacity - 1))
