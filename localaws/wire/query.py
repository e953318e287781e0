"""The query protocol's form (`Tags.member.1.Key=…`, `Attributes.entry.1.key=…`) to typed params, walking the
input shape; names follow the model's serialization names, lists `member.N`, maps `entry.N.key/value` (flattened
ones without the `member`/`entry` step). A name that does not fit the shape is ignored, as unknown members are."""

import binascii
import math
from collections.abc import Callable
from typing import Any

import botocore.model

from localaws.errors import AwsError
from localaws.wire import timestamps
from localaws.wire.models import member_label
from localaws.wire.plans import PlanCache, forward_call

_LEAF = ""  # the key under which a node keeps its own value (names are never empty)
Node = dict[str, Any]
# Containers convert a node, scalars the text of one; both get the member's path for messages.
Converter = Callable[[Any, str], Any]

_INT_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_CONTAINERS = ("structure", "list", "map")


def form_tree(form: dict[str, list[str]]) -> Node:
    """`{'Tags.member.1.Key': ['a']}` as nested nodes: `{'Tags': {'member': {'1': {'Key': {'': 'a'}}}}}`."""
    root: Node = {}
    for name, values in form.items():
        parts = name.split(".")
        if name in ("Action", "Version") or not values or "" in parts:
            continue  # an empty step ('Tags..1', 'RoleArn.') names no member
        node = root
        for part in parts:
            node = node.setdefault(part, {})
        node[_LEAF] = values[0]
    return root


def _indexed(node: Node) -> list[Node]:
    """The children of a list or map node in index order (1, 2, …, gaps closed); other names are ignored."""
    numbered = sorted((int(key), child) for key, child in node.items() if key.isdigit() and len(key) < 10)
    return [child for _, child in numbered]


class Compiler:
    def __init__(self, error_code: str) -> None:
        self.error_code = error_code  # ValidationError for STS and IAM
        self._plans = PlanCache(forward_call)

    def converter(self, shape: botocore.model.Shape) -> Converter:
        key = (shape.name, shape.serialization.get("flattened"), shape.serialization.get("timestampFormat"))
        return self._plans.get(key, lambda: getattr(self, f"_{shape.type_name}", self._string)(shape))

    def _item(self, shape: botocore.model.Shape) -> Callable[[Node, str, Callable[[Any], None]], None]:
        """Converts a child node of `shape` and hands the value on; a scalar without a value is left out."""
        convert = self.converter(shape)
        if shape.type_name in _CONTAINERS:
            return lambda node, label, put: put(convert(node, label))

        def scalar(node: Node, label: str, put: Callable[[Any], None]) -> None:
            text = node.get(_LEAF)
            if text is not None:
                put(convert(text, label))

        return scalar

    def _malformed(self, label: str, value: str, kind: str) -> AwsError:
        # AWS's wording for a query value of the wrong type is not recorded anywhere we could read; this follows
        # its validation messages and names the member and the value.
        return AwsError(
            self.error_code,
            f"1 validation error detected: Value '{value}' at '{label}' failed to satisfy constraint: "
            f"Member must be {kind}",
        )

    def _structure(self, shape: botocore.model.StructureShape) -> Converter:
        members = [
            (name, member.serialization.get("name", name), member_label(name), self._item(member))
            for name, member in shape.members.items()
        ]

        def convert(node: Node, label: str) -> dict[str, Any]:
            out: dict[str, Any] = {}
            prefix = f"{label}." if label else ""
            for name, wire_name, member_name, item in members:
                child = node.get(wire_name)
                if child is not None:
                    item(child, prefix + member_name, lambda value, name=name: out.__setitem__(name, value))
            return out

        return convert

    def _list(self, shape: botocore.model.ListShape) -> Converter:
        item = self._item(shape.member)
        flattened = bool(shape.serialization.get("flattened"))
        item_name = shape.member.serialization.get("name", "member")

        def convert(node: Node, label: str) -> list[Any]:
            out: list[Any] = []
            entries = node if flattened else node.get(item_name, {})
            for index, child in enumerate(_indexed(entries), 1):
                item(child, f"{label}.{index}.member", out.append)
            return out

        return convert

    def _map(self, shape: botocore.model.MapShape) -> Converter:
        key_item = self._item(shape.key)
        value_item = self._item(shape.value)
        flattened = bool(shape.serialization.get("flattened"))
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")

        def convert(node: Node, label: str) -> dict[Any, Any]:
            out: dict[Any, Any] = {}
            for entry in _indexed(node if flattened else node.get("entry", {})):
                keys: list[Any] = []
                values: list[Any] = []
                if key_name in entry and value_name in entry:
                    key_item(entry[key_name], label, keys.append)
                    value_item(entry[value_name], label, values.append)
                if keys and values:
                    out[keys[0]] = values[0]
            return out

        return convert

    def _string(self, shape: botocore.model.Shape) -> Converter:
        return lambda text, label: text

    def _integer(self, shape: botocore.model.Shape) -> Converter:
        low, high = _INT_BOUNDS.get(shape.type_name, _INT_BOUNDS["long"])

        def convert(text: str, label: str) -> int:
            try:
                value = int(text.strip()) if len(text) < 1000 else None
            except ValueError:
                value = None
            if value is None:
                raise self._malformed(label, text, "an integer")
            return min(max(value, low), high)

        return convert

    _long = _integer

    def _double(self, shape: botocore.model.Shape) -> Converter:
        def convert(text: str, label: str) -> float:
            try:
                return float(text)
            except ValueError:
                raise self._malformed(label, text, "a number") from None

        return convert

    _float = _double

    def _boolean(self, shape: botocore.model.Shape) -> Converter:
        def convert(text: str, label: str) -> bool:
            lowered = text.lower()
            if lowered in ("true", "false"):
                return lowered == "true"
            raise self._malformed(label, text, "a boolean")

        return convert

    def _blob(self, shape: botocore.model.Shape) -> Converter:
        def convert(text: str, label: str) -> bytes:
            try:
                return binascii.a2b_base64(text, strict_mode=True)
            except (binascii.Error, ValueError):
                raise self._malformed(label, text, "base64") from None

        return convert

    def _timestamp(self, shape: botocore.model.Shape) -> Converter:
        def convert(text: str, label: str) -> float:
            try:
                seconds = timestamps.parse_text(text)
            except (ValueError, OverflowError):
                raise self._malformed(label, text, "a timestamp") from None
            if not math.isfinite(seconds):
                raise self._malformed(label, text, "a timestamp")
            return seconds

        return convert
