"""The query protocol's form (`Tags.member.1.Key=…`, `Attributes.entry.1.key=…`) to typed params, walking the
input shape; names follow the model's serialization names, lists `member.N`, maps `entry.N.key/value` (flattened
ones without the `member`/`entry` step)."""

import binascii
import math
from collections.abc import Callable
from typing import Any

import botocore.model

from localaws.errors import AwsError
from localaws.wire import timestamps
from localaws.wire.models import member_label

_LEAF = ""  # the key under which a node keeps its own value (names never are empty)
Node = dict[str, Any]
Converter = Callable[[Node, str], Any]

_INT_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


def form_tree(form: dict[str, list[str]]) -> Node:
    """`{'Tags.member.1.Key': ['a']}` as nested nodes: `{'Tags': {'member': {'1': {'Key': {'': 'a'}}}}}`."""
    root: Node = {}
    for name, values in form.items():
        if name in ("Action", "Version") or not values:
            continue
        node = root
        for part in name.split("."):
            node = node.setdefault(part, {})
        node[_LEAF] = values[0]
    return root


def _malformed(label: str, value: str, kind: str) -> AwsError:
    # AWS's exact wording for a query value of the wrong type is not known to us; this names the member and value.
    article = "an" if kind[0] in "aeiou" else "a"
    return AwsError("MalformedInput", f"Value '{value}' at '{label}' is not {article} valid {kind}")


def _indexed(node: Node) -> list[Node]:
    """The children of a list or map node in index order (1, 2, …); other names are ignored."""
    numbered = sorted((int(key), child) for key, child in node.items() if key.isdigit() and type(child) is dict)
    return [child for _, child in numbered]


class Compiler:
    def __init__(self) -> None:
        self._cache: dict[str, Converter] = {}

    def converter(self, shape: botocore.model.Shape) -> Converter:
        key = f"{shape.name}|{shape.serialization.get('flattened')}|{shape.serialization.get('timestampFormat')}"
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        slot: list[Converter] = []
        self._cache[key] = lambda node, label: slot[0](node, label)
        built = getattr(self, f"_{shape.type_name}", self._string)(shape)
        slot.append(built)
        self._cache[key] = built
        return built

    def _structure(self, shape: botocore.model.StructureShape) -> Converter:
        members = [
            (name, member.serialization.get("name", name), self.converter(member))
            for name, member in shape.members.items()
        ]

        def convert(node: Node, label: str) -> dict[str, Any]:
            out = {}
            for name, wire_name, member in members:
                child = node.get(wire_name)
                if child is not None:
                    prefix = f"{label}." if label else ""
                    out[name] = member(child, prefix + member_label(name))
            return out

        return convert

    def _list(self, shape: botocore.model.ListShape) -> Converter:
        member = self.converter(shape.member)
        flattened = bool(shape.serialization.get("flattened"))
        item_name = shape.member.serialization.get("name", "member")

        def convert(node: Node, label: str) -> list[Any]:
            items = node if flattened else node.get(item_name, {})
            return [member(child, label) for child in _indexed(items)]

        return convert

    def _map(self, shape: botocore.model.MapShape) -> Converter:
        key_of = self.converter(shape.key)
        value_of = self.converter(shape.value)
        flattened = bool(shape.serialization.get("flattened"))
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")

        def convert(node: Node, label: str) -> dict[Any, Any]:
            entries = node if flattened else node.get("entry", {})
            out = {}
            for entry in _indexed(entries):
                key, value = entry.get(key_name), entry.get(value_name)
                if key is not None and value is not None:
                    out[key_of(key, label)] = value_of(value, label)
            return out

        return convert

    @staticmethod
    def _leaf(node: Node, label: str) -> str:
        value = node.get(_LEAF)
        if value is None:
            raise _malformed(label, "", "value")
        return value

    def _string(self, shape: botocore.model.Shape) -> Converter:
        leaf = self._leaf
        return lambda node, label: leaf(node, label)

    def _integer(self, shape: botocore.model.Shape) -> Converter:
        low, high = _INT_BOUNDS.get(shape.type_name, _INT_BOUNDS["long"])
        leaf = self._leaf

        def convert(node: Node, label: str) -> int:
            text = leaf(node, label)
            try:
                value = int(text.strip())
            except ValueError:
                raise _malformed(label, text, "integer") from None
            return min(max(value, low), high)

        return convert

    _long = _integer

    def _double(self, shape: botocore.model.Shape) -> Converter:
        leaf = self._leaf

        def convert(node: Node, label: str) -> float:
            text = leaf(node, label)
            try:
                return float(text)
            except ValueError:
                raise _malformed(label, text, "number") from None

        return convert

    _float = _double

    def _boolean(self, shape: botocore.model.Shape) -> Converter:
        leaf = self._leaf

        def convert(node: Node, label: str) -> bool:
            text = leaf(node, label)
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
            raise _malformed(label, text, "boolean")

        return convert

    def _blob(self, shape: botocore.model.Shape) -> Converter:
        leaf = self._leaf

        def convert(node: Node, label: str) -> bytes:
            text = leaf(node, label)
            try:
                return binascii.a2b_base64(text, strict_mode=True)
            except (binascii.Error, ValueError):
                raise _malformed(label, text, "base64 blob") from None

        return convert

    def _timestamp(self, shape: botocore.model.Shape) -> Converter:
        leaf = self._leaf

        def convert(node: Node, label: str) -> float:
            text = leaf(node, label)
            try:
                seconds = timestamps.parse_text(text)
            except ValueError:
                raise _malformed(label, text, "timestamp") from None
            if not math.isfinite(seconds):
                raise _malformed(label, text, "timestamp")
            return seconds

        return convert
