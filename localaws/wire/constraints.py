"""The model's constraints on typed params, with AWS's ValidationException wording:

    2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value
    greater than or equal to 1; Value null at 'streamName' failed to satisfy constraint: Member must not be null

Members in model order, each one's own constraints before its contents', list entries as
'records.1.member.partitionKey'; lists of scalars and maps get one error naming every constraint of their
members. At most 10 errors are listed, and the count says how many are listed.
"""

import re
import unicodedata
import warnings
from collections.abc import Callable
from typing import Any

import botocore.model

from localaws.wire import javafmt
from localaws.wire.models import member_label
from localaws.wire.plans import PlanCache

MAX_LISTED = 10
Errors = list[tuple[Any, str, str]]  # (value shown, path, constraint)
Check = Callable[[Any, str, Errors], None]

_NOT_NULL = "Member must not be null"


class _CategoryPattern:
    """A Java character class with Unicode categories (`[\\p{L}\\p{Z}_.:/=+\\-@]+`), which Python's re
    cannot read: each character must be in one of the categories or match the rest of the class."""

    def __init__(self, categories: list[str], rest: str, allow_empty: bool):
        self.categories = tuple(categories)
        self.rest = re.compile(f"[{rest}]", re.ASCII).fullmatch if rest else None
        self.allow_empty = allow_empty

    def fullmatch(self, text: str) -> bool | None:
        if not text and not self.allow_empty:
            return None
        for char in text:
            if unicodedata.category(char).startswith(self.categories):
                continue
            if self.rest is None or self.rest(char) is None:
                return None
        return True


_CATEGORY_CLASS = re.compile(r"\[((?:[^\]\\]|\\.)*\\p\{\w+\}(?:[^\]\\]|\\.)*)\]([+*])")
_CATEGORY = re.compile(r"\\p\{(\w+)\}")


def _java_pattern(pattern: str) -> Any:
    """The model's (Java) regular expression for Python: an object with `fullmatch`, or None if Python cannot
    read it (then it is not checked)."""
    try:
        category_class = _CATEGORY_CLASS.fullmatch(pattern)
        if category_class:
            body = category_class.group(1)
            rest = _CATEGORY.sub("", body)
            return _CategoryPattern(_CATEGORY.findall(body), rest, category_class.group(2) == "*")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            # Java's \w, \d and \s are ASCII-only unless asked otherwise; Python's are Unicode.
            return re.compile(pattern, re.ASCII)
    except re.error:
        return None


def _number_text(shape: botocore.model.Shape, bound: Any) -> str:
    if shape.type_name in ("double", "float"):
        return javafmt.java_double(float(bound))
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _forward_check(slot: list[Check | None]) -> Check:
    def check(value: Any, path: str, errors: Errors) -> None:
        if slot[0] is not None:
            slot[0](value, path, errors)

    return check


class Compiler:
    """Builds and caches the checks of one service's shapes."""

    def __init__(self, package: str):
        self.package = package
        self._plans = PlanCache(_forward_check)

    def show(self, shape: botocore.model.Shape, value: Any) -> str:
        return javafmt.java_string(shape, value, self.package)

    # --- what each shape requires of a value ------------------------------------------------------------------

    def own_constraints(self, shape: botocore.model.Shape) -> list[tuple[Callable[[Any], bool], str]]:
        """(fails?, message) per constraint of the shape itself, in the order AWS lists them."""
        meta = shape.metadata
        kind = shape.type_name
        out: list[tuple[Callable[[Any], bool], str]] = []
        if kind == "string":
            if "enum" in meta:
                allowed = frozenset(meta["enum"])
                listed = ", ".join(javafmt.hash_set_order(list(meta["enum"])))
                out.append((lambda v, a=allowed: v not in a, f"Member must satisfy enum value set: [{listed}]"))
            if "pattern" in meta:
                compiled = _java_pattern(meta["pattern"])
                if compiled is not None:
                    full = compiled.fullmatch
                    out.append(
                        (
                            lambda v, f=full: f(v) is None,
                            f"Member must satisfy regular expression pattern: {meta['pattern']}",
                        )
                    )
        if kind in ("string", "blob", "list", "map"):
            if "min" in meta and meta["min"] > 0:
                low = int(meta["min"])
                out.append((lambda v, n=low: len(v) < n, f"Member must have length greater than or equal to {low}"))
            if "max" in meta:
                high = int(meta["max"])
                out.append((lambda v, n=high: len(v) > n, f"Member must have length less than or equal to {high}"))
        elif kind in ("integer", "long", "double", "float"):
            if "min" in meta:
                low = meta["min"]
                out.append(
                    (
                        lambda v, n=low: v < n,
                        f"Member must have value greater than or equal to {_number_text(shape, low)}",
                    )
                )
            if "max" in meta:
                high = meta["max"]
                out.append(
                    (
                        lambda v, n=high: v > n,
                        f"Member must have value less than or equal to {_number_text(shape, high)}",
                    )
                )
        return out

    @staticmethod
    def listing(shape: botocore.model.Shape) -> str:
        """Every constraint of a list's or map's member shape, as AWS names them inside '[…]' (maximum first)."""
        meta = shape.metadata
        parts = []
        if shape.type_name in ("string", "blob", "list", "map"):
            if "max" in meta:
                parts.append(f"Member must have length less than or equal to {int(meta['max'])}")
            if "min" in meta:
                parts.append(f"Member must have length greater than or equal to {int(meta['min'])}")
        elif shape.type_name in ("integer", "long", "double", "float"):
            if "max" in meta:
                parts.append(f"Member must have value less than or equal to {_number_text(shape, meta['max'])}")
            if "min" in meta:
                parts.append(f"Member must have value greater than or equal to {_number_text(shape, meta['min'])}")
        if "pattern" in meta:
            parts.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
        if "enum" in meta:
            listed = ", ".join(javafmt.hash_set_order(list(meta["enum"])))
            parts.append(f"Member must satisfy enum value set: [{listed}]")
        return "[" + ", ".join(parts) + "]"

    # --- compiled checks --------------------------------------------------------------------------------------

    def check(self, shape: botocore.model.Shape) -> Check | None:
        """The check of a value of `shape` at a path, or None when nothing about it can fail."""
        return self._plans.get(shape.name, lambda: self._build(shape))

    def _build(self, shape: botocore.model.Shape) -> Check | None:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape)
        if kind == "list":
            return self._list(shape)
        if kind == "map":
            return self._map(shape)
        return self._scalar(shape)

    def _scalar(self, shape: botocore.model.Shape) -> Check | None:
        rules = self.own_constraints(shape)
        if not rules:
            return None
        show = self.show

        def check(value: Any, path: str, errors: Errors) -> None:
            for fails, message in rules:
                if fails(value):
                    errors.append((show(shape, value), path, message))

        return check

    def _structure(self, shape: botocore.model.StructureShape) -> Check | None:
        required = set(shape.required_members)
        members = []
        for name, member in shape.members.items():
            inner = self.check(member)
            if inner is not None or name in required:
                members.append((name, member_label(name), name in required, inner))
        if not members:
            return None

        def check(value: dict[str, Any], path: str, errors: Errors) -> None:
            prefix = f"{path}." if path else ""
            for name, label, is_required, inner in members:
                item = value.get(name)
                if item is None:
                    if is_required:
                        errors.append((None, prefix + label, _NOT_NULL))
                elif inner is not None:
                    inner(item, prefix + label, errors)

        return check

    def _list(self, shape: botocore.model.ListShape) -> Check | None:
        rules = self.own_constraints(shape)
        member = shape.member
        show = self.show
        if member.type_name in ("structure", "list", "map"):
            inner = self.check(member)
            element_rules: list[tuple[Callable[[Any], bool], str]] = []
        else:
            inner = None
            element_rules = self.own_constraints(member)
        if not rules and inner is None and not element_rules:
            return None
        member_listing = f"Member must satisfy constraint: {self.listing(member)}" if element_rules else ""

        def check(value: list[Any], path: str, errors: Errors) -> None:
            for fails, message in rules:
                if fails(value):
                    errors.append((show(shape, value), path, message))
            if element_rules:
                if any(fails(item) for item in value for fails, _ in element_rules):
                    errors.append((show(shape, value), path, member_listing))
            elif inner is not None:
                for index, item in enumerate(value, 1):
                    inner(item, f"{path}.{index}.member", errors)
                    if len(errors) > MAX_LISTED:
                        return

        return check

    def _map(self, shape: botocore.model.MapShape) -> Check | None:
        rules = self.own_constraints(shape)
        key_rules = self.own_constraints(shape.key)
        value_shape = shape.value
        nested = value_shape.type_name in ("structure", "list", "map")
        value_rules = [] if nested else self.own_constraints(value_shape)
        inner = self.check(value_shape) if nested else None
        if not (rules or key_rules or value_rules or inner):
            return None
        show = self.show
        keys_listing = f"Map keys must satisfy constraint: {self.listing(shape.key)}"
        values_listing = f"Map value must satisfy constraint: {self.listing(value_shape)}"

        def check(value: dict[Any, Any], path: str, errors: Errors) -> None:
            for fails, message in rules:
                if fails(value):
                    errors.append((show(shape, value), path, message))
            if key_rules and any(fails(key) for key in value for fails, _ in key_rules):
                errors.append((show(shape, value), path, keys_listing))
            if value_rules and any(fails(item) for item in value.values() for fails, _ in value_rules):
                errors.append((show(shape, value), path, values_listing))
            if inner is not None:
                for key, item in value.items():
                    inner(item, f"{path}.{key}.member", errors)

        return check


def message(errors: Errors) -> str:
    listed = errors[:MAX_LISTED]
    count = len(listed)
    noun = "error" if count == 1 else "errors"
    parts = []
    for shown, path, constraint in listed:
        value = "null" if shown is None else f"'{shown}'"
        parts.append(f"Value {value} at '{path}' failed to satisfy constraint: {constraint}")
    return f"{count} validation {noun} detected: " + "; ".join(parts)
