"""The herd file (fleet.yml): what to run, validated with errors that name the file, the line and the fix."""

import random
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulator.errors import UserError
from simulator.safe_text import visible
from simulator.unicorn import DEFAULT_POINTS, DEFAULT_SPEED_MPS, DEFAULT_START, Unicorn

Latitude = Annotated[float, Field(ge=-90, le=90, description="Degrees north, -90 to 90.")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="Degrees east, -180 to 180.")]
Points = Annotated[int, Field(ge=0, le=250)]
Rate = Annotated[float, Field(gt=0, le=1000, description="Records per second per unicorn.")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Position(Strict):
    latitude: Latitude
    longitude: Longitude


class Speed(Strict):
    """Metres covered per second (the workshop's unicorns: about 150-200)."""

    min: Annotated[float, Field(gt=0, le=1000)] = DEFAULT_SPEED_MPS[0]
    max: Annotated[float, Field(gt=0, le=1000)] = DEFAULT_SPEED_MPS[1]

    @model_validator(mode="after")
    def _ordered(self) -> "Speed":
        if self.min > self.max:
            raise ValueError(f"speed min ({self.min}) is above max ({self.max})")
        return self


class UnicornTraits(Strict):
    start: Position | None = None
    speed: Speed = Speed()
    health: Points = DEFAULT_POINTS
    magic: Points = DEFAULT_POINTS
    rate: Rate | None = None
    records: Annotated[int | None, Field(gt=0, description="Stop this unicorn after this many records.")] = None


class NamedUnicorn(UnicornTraits):
    name: Annotated[str, Field(min_length=1, max_length=256)]


class GeneratedHerd(UnicornTraits):
    """`count` unicorns named `<prefix>-0001`..., started scattered within `spread_m` of `start`."""

    count: Annotated[int, Field(gt=0, le=100_000)]
    prefix: Annotated[str, Field(min_length=1, max_length=200)] = "Unicorn"
    spread_m: Annotated[float, Field(ge=0, le=1_000_000)] = 2000.0

    def names(self) -> list[str]:
        width = max(4, len(str(self.count)))
        return [f"{self.prefix}-{n:0{width}d}" for n in range(1, self.count + 1)]


class ConsumerSettings(Strict):
    enabled: bool = True
    format: Annotated[str, Field(pattern="^(pretty|jsonl)$")] = "pretty"
    output: Path | None = None  # a file instead of the terminal
    name: str | None = None
    # poll: GetRecords within the shared read budget; efo: enhanced fan-out, records pushed to a registered consumer.
    mode: Literal["poll", "efo"] = "poll"
    consumer_name: str | None = None  # efo only; default simulate-fleet

    @field_validator("consumer_name")
    @classmethod
    def _valid_consumer_name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from simulator.efo import check_consumer_name  # botocore's model is loaded only when a name is given

        try:
            return check_consumer_name(value)
        except UserError as problem:
            raise ValueError(str(problem)) from None

    @model_validator(mode="after")
    def _name_needs_efo(self) -> "ConsumerSettings":
        if self.consumer_name is not None and self.mode != "efo":
            raise ValueError("consumer_name names an enhanced fan-out consumer: add `mode: efo`")
        return self


class Fleet(Strict):
    stream: Annotated[str, Field(pattern=r"^[a-zA-Z0-9_.-]{1,128}$")] = "wildrydes"
    seed: int | None = None
    rate: Rate = 1.0
    duration: Annotated[float | None, Field(gt=0, description="Seconds to run (default: until Ctrl+C).")] = None
    records: Annotated[int | None, Field(gt=0, description="Records per unicorn, then stop.")] = None
    unicorns: list[NamedUnicorn] = []
    herds: list[GeneratedHerd] = []
    consumer: ConsumerSettings | None = None

    @model_validator(mode="after")
    def _names_unique_and_some(self) -> "Fleet":
        if not self.unicorns and not self.herds:
            raise ValueError("the fleet has no unicorns: add a `unicorns:` list or a `herds:` entry")
        seen: set[str] = set()
        for name in [u.name for u in self.unicorns] + [n for h in self.herds for n in h.names()]:
            if name in seen:
                raise ValueError(f"unicorn name {name!r} appears twice: names must be unique (they key the records)")
            seen.add(name)
        return self

    def build(self) -> tuple[list[tuple[Unicorn, float, int | None]], random.Random]:
        """The herd: (unicorn, rate, record limit) each, and the one random source that drives it."""
        rng = random.Random(self.seed)
        herd: list[tuple[Unicorn, float, int | None]] = []
        for spec in self.unicorns:
            start = (spec.start.latitude, spec.start.longitude) if spec.start else DEFAULT_START
            unicorn = Unicorn(spec.name, rng, start, (spec.speed.min, spec.speed.max), spec.magic, spec.health)
            herd.append((unicorn, spec.rate or self.rate, spec.records or self.records))
        for group in self.herds:
            centre = (group.start.latitude, group.start.longitude) if group.start else DEFAULT_START
            for name in group.names():
                start = _scatter(centre, group.spread_m, rng)
                unicorn = Unicorn(name, rng, start, (group.speed.min, group.speed.max), group.magic, group.health)
                herd.append((unicorn, group.rate or self.rate, group.records or self.records))
        return herd, rng


def _scatter(centre: tuple[float, float], radius_m: float, rng: random.Random) -> tuple[float, float]:
    if radius_m <= 0:
        return centre
    probe = Unicorn("", rng, centre, (1.0, 1.0), heading=rng.uniform(0, 360))
    probe._move(radius_m * rng.random() ** 0.5)
    return probe.latitude, probe.longitude


def _line_of(node: yaml.Node | None, location: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at `location` (pydantic's error path), or of its nearest parent."""
    line = None if node is None else node.start_mark.line + 1
    for part in location:
        if isinstance(node, yaml.MappingNode):
            match = next((value for key, value in node.value if key.value == part), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


# libyaml when PyYAML has it: ten times faster, and it refuses deep nesting itself instead of recursing.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data, from one parse."""
    loader = _LOADER(text)
    try:
        tree = loader.get_single_node()
        return tree, None if tree is None else loader.construct_document(tree)
    finally:
        loader.dispose()


def _one_line(text: str) -> str:
    return visible(" ".join(str(text).split()))


def _yaml_problem(path: Path, text: str, error: yaml.YAMLError) -> UserError:
    """`file:line: not valid YAML (problem)`, whatever kind of YAML error it is."""
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    if isinstance(error, yaml.reader.ReaderError):
        # A character YAML refuses (NUL, ESC, ...): its line, from its position.
        line = text.count("\n", 0, error.position) + 1
        problem = (
            f"special characters are not allowed: #x{error.character:04x}"
            if isinstance(error.character, int)
            else error.reason
        )
    else:
        problem = getattr(error, "problem", None) or getattr(error, "context", None) or str(error)
    where = f"{path}:{line}" if line else str(path)
    return UserError(f"{where}: not valid YAML ({_one_line(problem)})")


def load(path: Path) -> Fleet:
    """Read and validate a herd file; any problem is one UserError naming file, line and what is wrong."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UserError(f"{path}: cannot read the herd file ({error.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(f"{path}: not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})") from None
    try:
        tree, data = _parse_yaml(text)
    except yaml.YAMLError as error:
        raise _yaml_problem(path, text, error) from None
    except RecursionError:
        raise UserError(f"{path}: nested too deeply to be a herd file (see fleet.yml)") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}:1: a herd file is a mapping with `unicorns:` and/or `herds:` (see fleet.yml)")
    try:
        return Fleet.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = tuple(first["loc"])
        line = _line_of(tree, location)
        field_path = ".".join(str(p) for p in location) or "(top level)"
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = f"unknown key {location[-1]!r}: check its spelling against fleet.yml"
        raise UserError(f"{path}:{line or 1}: {_one_line(field_path)}: {_one_line(message)}") from None
    except RecursionError:
        raise UserError(f"{path}: refers to itself (a YAML alias inside its own anchor)") from None
