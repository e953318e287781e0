"""The unicorn's sensor record: what goes on the stream, and how the workshop's consumer prints it.

{"Name","StatusTime","Latitude","Longitude","Distance","MagicPoints","HealthPoints"}; StatusTime is UTC,
`YYYY-MM-DD HH:MM:SS.mmm`, as in the workshop's sample output.
"""

import functools
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@functools.lru_cache(maxsize=100_000)
def _json_string(text: str) -> str:
    return json.dumps(text)


FIELDS = ("Name", "StatusTime", "Latitude", "Longitude", "Distance", "MagicPoints", "HealthPoints")
STATUS_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def format_status_time(moment: datetime) -> str:
    """UTC, milliseconds: 2017-06-05 09:17:08.189."""
    return moment.astimezone(UTC).strftime(STATUS_TIME_FORMAT)[:-3]


def parse_status_time(text: str) -> datetime:
    return datetime.strptime(text, STATUS_TIME_FORMAT).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class UnicornStatus:
    name: str
    status_time: str
    latitude: float
    longitude: float
    distance: int
    magic_points: int
    health_points: int

    def as_dict(self) -> dict[str, Any]:
        """Keys in the workshop's order."""
        return {
            "Name": self.name,
            "StatusTime": self.status_time,
            "Latitude": self.latitude,
            "Longitude": self.longitude,
            "Distance": self.distance,
            "MagicPoints": self.magic_points,
            "HealthPoints": self.health_points,
        }

    def encode(self) -> bytes:
        """The record's Data on the wire: compact JSON (built directly: this runs for every record)."""
        return (
            f'{{"Name":{_json_string(self.name)},"StatusTime":"{self.status_time}",'
            f'"Latitude":{self.latitude!r},"Longitude":{self.longitude!r},"Distance":{self.distance},'
            f'"MagicPoints":{self.magic_points},"HealthPoints":{self.health_points}}}'
        ).encode()


NUMBER_FIELDS = ("Latitude", "Longitude", "Distance", "MagicPoints", "HealthPoints")


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _finite_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    # An int is always finite (and may be too big for math.isfinite, which converts it to a float).
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def decode(data: bytes) -> dict[str, Any] | None:
    """The record as a dict in the workshop's key order, or None when it is not a unicorn record.

    Anything can arrive on a stream: bytes that are not UTF-8, NaN, numbers too big for a float (1e400 is
    infinite) or too long to parse, nesting deeper than the parser's recursion limit, fields of the wrong type.
    None of them is a unicorn record, and none of them raises.
    """
    try:
        # Strict UTF-8 first: json.loads(bytes) would also take UTF-16 and encoded surrogates.
        value = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(value, dict) or set(value) != set(FIELDS):
        return None
    if not isinstance(value["Name"], str) or not isinstance(value["StatusTime"], str):
        return None
    if not all(_finite_number(value[key]) for key in NUMBER_FIELDS):
        return None
    return {key: value[key] for key in FIELDS}


# Go's encoding/json (the workshop's consumer) escapes these three for HTML safety; we print what it printed.
_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def pretty(record: dict[str, Any]) -> str:
    """Exactly the workshop consumer's layout (Go's json.MarshalIndent with 2 spaces), no trailing newline."""
    return json.dumps(record, indent=2, ensure_ascii=False).translate(_GO_ESCAPES)
