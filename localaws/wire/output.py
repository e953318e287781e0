"""Results to response documents, walking the output shape: JSON values (blobs base64, timestamps epoch
seconds), CBOR values (blobs as bytes, timestamps tag 1) and query XML elements. Members not in the shape and
None values are left out, as AWS never sends nulls."""

import base64
import math
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

import botocore.model

from localaws.wire import timestamps
from localaws.wire.cbor import Tagged
from localaws.wire.plans import PlanCache, forward_call

Shaper = Callable[[Any], Any]


def _json_number(value: float | int) -> float | str:
    # A double goes out as one (42.0, not 42); JSON has no NaN or Infinity, so those go as their names.
    value = float(value)
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _forward_shaper(slot: list[Shaper | None]) -> Shaper:
    return lambda value: slot[0](value) if slot[0] is not None else value


class DocumentShaper:
    """Per-shape converters of results to JSON or CBOR values ("json", "cbor" or "rpcv2cbor")."""

    def __init__(self, protocol: str):
        self.protocol = protocol
        self._plans = PlanCache(_forward_shaper)

    def shaper(self, shape: botocore.model.Shape) -> Shaper | None:
        """The converter of values of `shape`, or None where the value goes out as it is."""
        key = (shape.name, shape.serialization.get("timestampFormat"))
        return self._plans.get(key, lambda: getattr(self, f"_{shape.type_name}", lambda _shape: None)(shape))

    def _structure(self, shape: botocore.model.StructureShape) -> Shaper:
        members = [(name, self.shaper(member)) for name, member in shape.members.items()]

        def convert(value: dict[str, Any]) -> dict[str, Any]:
            out = {}
            for name, inner in members:
                item = value.get(name)
                if item is not None:
                    out[name] = inner(item) if inner is not None else item
            return out

        return convert

    def _list(self, shape: botocore.model.ListShape) -> Shaper:
        inner = self.shaper(shape.member)
        if inner is None:
            return lambda value: [item for item in value if item is not None]
        return lambda value: [inner(item) for item in value if item is not None]

    def _map(self, shape: botocore.model.MapShape) -> Shaper:
        inner = self.shaper(shape.value)
        if inner is None:
            return lambda value: {k: v for k, v in value.items() if v is not None}
        return lambda value: {k: inner(v) for k, v in value.items() if v is not None}

    def _blob(self, shape: botocore.model.Shape) -> Shaper | None:
        if self.protocol == "json":
            return lambda value: base64.b64encode(value).decode("ascii")
        return None

    def _timestamp(self, shape: botocore.model.Shape) -> Shaper:
        fmt = shape.serialization.get("timestampFormat")
        if fmt == "iso8601":
            return timestamps.iso8601
        if fmt == "rfc822":
            return timestamps.rfc822
        if self.protocol == "cbor":
            # The legacy CBOR protocol: epoch milliseconds under tag 1 (what AWS and the Java SDK do).
            return lambda value: Tagged(1, round(timestamps.to_seconds(value) * 1000))
        if self.protocol == "rpcv2cbor":
            return lambda value: Tagged(1, float(timestamps.to_seconds(value)))
        return lambda value: round(timestamps.to_seconds(value), 3)

    def _double(self, shape: botocore.model.Shape) -> Shaper:
        if self.protocol == "json":
            return _json_number
        return float

    _float = _double


class XmlShaper:
    """Per-shape writers of query-protocol XML (`<member>` lists, `<entry><key/><value/></entry>` maps)."""

    def __init__(self) -> None:
        self._plans = PlanCache(forward_call)

    def writer(self, shape: botocore.model.Shape) -> Callable[[Any, list[str]], None]:
        """A function appending the XML content (not the enclosing element) of a value of `shape`."""
        key = (shape.name, shape.serialization.get("timestampFormat"))
        return self._plans.get(key, lambda: getattr(self, f"_{shape.type_name}", self._text)(shape))

    def _element(self, shape: botocore.model.Shape, default: str) -> Callable[[Any, list[str]], None]:
        """Writes `<Name>content</Name>` for a member or list/map item."""
        name = shape.serialization.get("name", default)
        inner = self.writer(shape)
        flattened_list = shape.type_name in ("list", "map") and shape.serialization.get("flattened")
        if flattened_list:
            return lambda value, out: inner(value, out)

        def write(value: Any, out: list[str]) -> None:
            out.append(f"<{name}>")
            inner(value, out)
            out.append(f"</{name}>")

        return write

    def _structure(self, shape: botocore.model.StructureShape) -> Callable[[Any, list[str]], None]:
        members = []
        for name, member in shape.members.items():
            if member.type_name in ("list", "map") and member.serialization.get("flattened"):
                members.append((name, self._flattened(member, member.serialization.get("name", name))))
            else:
                members.append((name, self._element(member, name)))

        def write(value: dict[str, Any], out: list[str]) -> None:
            for name, element in members:
                item = value.get(name)
                if item is not None:
                    element(item, out)

        return write

    def _flattened(self, shape: botocore.model.Shape, name: str) -> Callable[[Any, list[str]], None]:
        if shape.type_name == "list":
            inner = self.writer(shape.member)
            item_name = shape.member.serialization.get("name", name)

            def write_list(value: list[Any], out: list[str]) -> None:
                for item in value:
                    out.append(f"<{item_name}>")
                    inner(item, out)
                    out.append(f"</{item_name}>")

            return write_list
        key_writer = self._element(shape.key, "key")
        value_writer = self._element(shape.value, "value")

        def write_map(value: dict[Any, Any], out: list[str]) -> None:
            for key, item in value.items():
                out.append(f"<{name}>")
                key_writer(key, out)
                value_writer(item, out)
                out.append(f"</{name}>")

        return write_map

    def _list(self, shape: botocore.model.ListShape) -> Callable[[Any, list[str]], None]:
        item = self._element(shape.member, "member")

        def write(value: list[Any], out: list[str]) -> None:
            for entry in value:
                item(entry, out)

        return write

    def _map(self, shape: botocore.model.MapShape) -> Callable[[Any, list[str]], None]:
        key_writer = self._element(shape.key, "key")
        value_writer = self._element(shape.value, "value")

        def write(value: dict[Any, Any], out: list[str]) -> None:
            for key, item in value.items():
                out.append("<entry>")
                key_writer(key, out)
                value_writer(item, out)
                out.append("</entry>")

        return write

    def _text(self, shape: botocore.model.Shape) -> Callable[[Any, list[str]], None]:
        return lambda value, out: out.append(escape(str(value)))

    def _boolean(self, shape: botocore.model.Shape) -> Callable[[Any, list[str]], None]:
        return lambda value, out: out.append("true" if value else "false")

    def _blob(self, shape: botocore.model.Shape) -> Callable[[Any, list[str]], None]:
        return lambda value, out: out.append(base64.b64encode(value).decode("ascii"))

    def _timestamp(self, shape: botocore.model.Shape) -> Callable[[Any, list[str]], None]:
        fmt = shape.serialization.get("timestampFormat")
        if fmt == "unixTimestamp":
            return lambda value, out: out.append(str(round(timestamps.to_seconds(value), 3)))
        if fmt == "rfc822":
            return lambda value, out: out.append(timestamps.rfc822(value))
        return lambda value, out: out.append(timestamps.iso8601(value))
