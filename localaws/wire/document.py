"""JSON and CBOR request bodies to typed params, with the SerializationException messages AWS's Java
(Coral) deserializer gives for each wrong type.

One converter per shape, built once per (service, shape, protocol) and cached; the walk is the shape tree.
Unknown members are dropped and nulls mean absent, as AWS does.
"""

import json
import math
import re
import sys
from collections.abc import Callable
from typing import Any

import botocore.model

from localaws.errors import AwsError
from localaws.wire import base64strict, cbor, timestamps
from localaws.wire.cbor import Tagged
from localaws.wire.plans import PlanCache, forward_call

Converter = Callable[[Any], Any]

_NUMBER_CLASS = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"
_INT_RANGE = (-(2**31), 2**31 - 1)
_LONG_RANGE = (-(2**63), 2**63 - 1)
# Python refuses to turn very long digit strings into ints; AWS truncates any number to the member's range.
_MAX_DIGITS = 4000

# What AWS's messages call the Java type a member converts to.
_TARGET = {
    "string": "an String",
    "integer": "an Integer",
    "long": "an Long",
    "boolean": "an Boolean",
    "double": "an Double",
    "float": "an Float",
    "blob": "a Blob",
    "timestamp": "milliseconds since epoch",
}


def serialization_error(message: str | None = None) -> AwsError:
    return AwsError("SerializationException", message)


def _mismatch(kind: str, value: Any) -> AwsError:
    """The error for `value` (a decoded JSON/CBOR item) where a `kind` member is expected."""
    source = type(value)
    if source is list:
        return serialization_error("Start of list found where not expected")
    if source is dict:
        return serialization_error("Start of structure or map found where not expected.")
    if kind == "list":
        return serialization_error("Expected list or null")
    if kind == "map":
        return serialization_error("Expected map or null")
    if kind == "structure":
        return serialization_error("Expected null")
    target = _TARGET.get(kind, f"an {kind.capitalize()}")
    if source is bool:
        origin = "class java.lang.Boolean"
    elif source is int or source is float:
        origin = _NUMBER_CLASS
    elif source is str:
        origin = "class java.lang.String"
    elif source is Tagged:
        origin = "class java.util.Date"
    else:  # a CBOR byte string
        origin = "class java.nio.HeapByteBuffer"
    return serialization_error(f"{origin} can not be converted to {target}")


def _big_int(text: str) -> int:
    if len(text) <= _MAX_DIGITS:
        return int(text)
    return -(10**_MAX_DIGITS) if text.startswith("-") else 10**_MAX_DIGITS


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_JSON = json.JSONDecoder(parse_int=_big_int, parse_constant=_no_constant)


def parse_json(body: bytes) -> dict[str, Any]:
    """The JSON object a request body holds; SerializationException (no message, as AWS) otherwise."""
    try:
        document = _JSON.decode(body.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise serialization_error() from None
    if type(document) is not dict:
        raise serialization_error()
    return document


_DIGIT_RUNS: dict[int, re.Pattern[bytes]] = {}


def _has_digit_run(body: bytes, longer_than: int) -> bool:
    pattern = _DIGIT_RUNS.get(longer_than)
    if pattern is None:
        pattern = _DIGIT_RUNS[longer_than] = re.compile(rb"\d{%d}" % (longer_than + 1))
    return pattern.search(body) is not None


def parse_json_once(body: bytes) -> tuple[str, dict[str, Any] | None]:
    """One parse for the front door's two questions. First, how Python's `json.loads` reads the body (the early
    SerializationException, before authentication): "object", "value" (JSON, not an object) or "invalid".
    Second, the strict document `parse_json` gives (None where it refuses: the SerializationException after
    authentication). `json.loads` itself runs only for the rare bodies where the two readings may differ."""
    try:
        document: dict[str, Any] | None = parse_json(body)
    except AwsError:
        document = None
    if document is not None:
        # The strict reading takes integers of any length; json.loads refuses more digits than Python converts.
        limit = sys.get_int_max_str_digits()
        if not limit or len(body) <= limit or not _has_digit_run(body, limit):
            return "object", document
    try:
        loose = json.loads(body)
    except ValueError:
        return "invalid", document
    return ("object" if isinstance(loose, dict) else "value"), document


def parse_cbor(body: bytes) -> dict[str, Any]:
    try:
        document = cbor.loads(body)
    except (cbor.CborError, RecursionError):
        raise serialization_error() from None
    if type(document) is not dict:
        raise serialization_error()
    return document


def _clamp(value: int | float, bounds: tuple[int, int]) -> int:
    low, high = bounds
    if type(value) is float:
        if math.isnan(value):
            raise serialization_error()
        if math.isinf(value):
            return high if value > 0 else low
        value = int(value)  # toward zero, as Java's narrowing does
    return low if value < low else high if value > high else value


class Compiler:
    """Builds and caches the converters of one service for one protocol ("json", "cbor" or "rpcv2cbor")."""

    def __init__(self, protocol: str):
        self.protocol = protocol
        self._plans = PlanCache(forward_call)

    def converter(self, shape: botocore.model.Shape) -> Converter:
        key = (shape.name, shape.serialization.get("timestampFormat"))
        return self._plans.get(key, lambda: self._build(shape))

    def _build(self, shape: botocore.model.Shape) -> Converter:
        builder = getattr(self, f"_{shape.type_name}", None)
        return builder(shape) if builder else self._passthrough(shape)

    def _structure(self, shape: botocore.model.StructureShape) -> Converter:
        members = {name: self.converter(member) for name, member in shape.members.items()}

        def convert(value: Any) -> dict[str, Any]:
            if type(value) is not dict:
                raise _mismatch("structure", value)
            out = {}
            for name, item in value.items():
                member = members.get(name)
                if member is not None and item is not None:
                    out[name] = member(item)
            return out

        return convert

    def _list(self, shape: botocore.model.ListShape) -> Converter:
        member = self.converter(shape.member)

        def convert(value: Any) -> list[Any]:
            if type(value) is not list:
                raise _mismatch("list", value)
            return [member(item) for item in value if item is not None]

        return convert

    def _map(self, shape: botocore.model.MapShape) -> Converter:
        key_of = self.converter(shape.key)
        value_of = self.converter(shape.value)

        def convert(value: Any) -> dict[Any, Any]:
            if type(value) is not dict:
                raise _mismatch("map", value)
            return {key_of(k): value_of(v) for k, v in value.items() if v is not None}

        return convert

    def _string(self, shape: botocore.model.Shape) -> Converter:
        def convert(value: Any) -> str:
            if type(value) is str:
                return value
            raise _mismatch("string", value)

        return convert

    def _number(self, kind: str, bounds: tuple[int, int]) -> Converter:
        def convert(value: Any) -> int:
            source = type(value)
            if source is int or source is float:
                return _clamp(value, bounds)
            raise _mismatch(kind, value)

        return convert

    def _integer(self, shape: botocore.model.Shape) -> Converter:
        return self._number("integer", _INT_RANGE)

    def _long(self, shape: botocore.model.Shape) -> Converter:
        return self._number("long", _LONG_RANGE)

    def _double(self, shape: botocore.model.Shape) -> Converter:
        kind = shape.type_name

        def convert(value: Any) -> float:
            source = type(value)
            if source is float:
                return value
            if source is int:
                try:
                    return float(value)
                except OverflowError:
                    return math.inf if value > 0 else -math.inf
            raise _mismatch(kind, value)

        return convert

    _float = _double

    def _boolean(self, shape: botocore.model.Shape) -> Converter:
        def convert(value: Any) -> bool:
            source = type(value)
            if source is bool:
                return value
            if source is str:
                lowered = value.lower()
                if lowered in ("true", "false"):
                    return lowered == "true"
                raise serialization_error(f"'{value}' can not be converted to an Boolean")
            if source is float:  # AWS takes a JSON double for a boolean, though not an integer
                return value != 0
            raise _mismatch("boolean", value)

        return convert

    def _blob(self, shape: botocore.model.Shape) -> Converter:
        raw_bytes = self.protocol != "json"

        def convert(value: Any) -> bytes:
            source = type(value)
            if source is bytes and raw_bytes:
                return value
            if source is str:
                try:
                    return base64strict.decode(value)
                except base64strict.Base64Error as error:
                    raise serialization_error(f"'{value}' can not be converted to a Blob: {error}") from None
            raise _mismatch("blob", value)

        return convert

    def _timestamp(self, shape: botocore.model.Shape) -> Converter:
        text_format = shape.serialization.get("timestampFormat") in ("iso8601", "rfc822")
        # The legacy CBOR protocol (application/x-amz-cbor-1.1) carries epoch milliseconds, against RFC 8949's
        # seconds: what AWS and its Java SDKs do. Smithy's rpcv2Cbor carries seconds.
        scale = 1000.0 if self.protocol == "cbor" else 1.0

        def convert(value: Any) -> float:
            if type(value) is Tagged and value.tag == 1:
                value = value.value
            source = type(value)
            if source is int or source is float:
                try:
                    seconds = value / scale
                except OverflowError:
                    raise serialization_error() from None
                if not math.isfinite(seconds):
                    raise serialization_error()
                return seconds
            if source is str and text_format:
                try:
                    return timestamps.parse_text(value)
                except ValueError:
                    pass
            raise _mismatch("timestamp", value)

        return convert

    def _passthrough(self, shape: botocore.model.Shape) -> Converter:
        return lambda value: value
