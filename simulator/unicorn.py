"""The unicorn model: where a unicorn is, how fast it goes, how it feels. Pure and seeded: no I/O, no clock.

Calibrated on the workshop's sample records: about 150-200 m covered each second (Distance 175 and 163,
consecutive fixes ~163 m apart) near 42.2644, -71.9758; MagicPoints and HealthPoints around 150, drifting
by -1, 0 or +1 a second.
"""

import json
import math
import random
from datetime import datetime
from math import asin, atan2, cos, sin

from simulator.record import UnicornStatus, format_status_time

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_START = (42.2644, -71.9758)
DEFAULT_SPEED_MPS = (150.0, 200.0)
DEFAULT_POINTS = 150
POINTS_BOUNDS = (0, 250)
# How fast the heading may change: turns are smooth, never sudden.
MAX_TURN_DEG_PER_S = 12.0
TURN_JITTER_DEG = 2.0
_LEFTMOST_TURN = -MAX_TURN_DEG_PER_S
_DEG_TO_RAD = math.pi / 180.0
_RAD_TO_DEG = 180.0 / math.pi


class Unicorn:
    """One unicorn's state. `step` advances it one tick and returns the record for that tick."""

    __slots__ = (
        "_name_json",
        "heading",
        "health",
        "latitude",
        "longitude",
        "magic",
        "name",
        "speed",
        "speed_range",
        "turn_rate",
    )

    def __init__(
        self,
        name: str,
        rng: random.Random,
        start: tuple[float, float] = DEFAULT_START,
        speed_range: tuple[float, float] = DEFAULT_SPEED_MPS,
        magic: int = DEFAULT_POINTS,
        health: int = DEFAULT_POINTS,
        heading: float | None = None,
    ):
        self.name = name
        self._name_json = json.dumps(name)  # the record's "Name" value, escaped once
        self.latitude, self.longitude = start
        self.speed_range = speed_range
        self.speed = rng.uniform(*speed_range)
        self.heading = rng.uniform(0.0, 360.0) if heading is None else heading
        self.turn_rate = 0.0
        self.magic = magic
        self.health = health

    def step(self, rng: random.Random, now: datetime | str, seconds: float = 1.0) -> UnicornStatus:
        """Move for `seconds` and drift the vitals; `now` is the record's time (or its StatusTime text)."""
        distance = self._advance(rng, seconds)
        return UnicornStatus(
            name=self.name,
            status_time=now if isinstance(now, str) else format_status_time(now),
            latitude=self.latitude,
            longitude=self.longitude,
            distance=distance,
            magic_points=self.magic,
            health_points=self.health,
        )

    def step_data(self, rng: random.Random, status_time: str, seconds: float = 1.0) -> bytes:
        """`step(...).encode()` without the record object in between: a herd runs this for every record, and
        building the bytes directly costs about half of building the record first."""
        distance = self._advance(rng, seconds)
        return (
            f'{{"Name":{self._name_json},"StatusTime":"{status_time}","Latitude":{self.latitude!r},'
            f'"Longitude":{self.longitude!r},"Distance":{distance},"MagicPoints":{self.magic},'
            f'"HealthPoints":{self.health}}}'
        ).encode()

    def _advance(self, rng: random.Random, seconds: float) -> int:
        """One tick of the model; the Distance of the tick. The same draws, in the same order and with the same
        arithmetic, as `rng.uniform` and `min`/`max` would make: written out because the calls cost more than the
        sums (this is the herd's hottest line)."""
        random_ = rng.random
        low, high = self.speed_range
        speed = self.speed + (-8.0 + 16.0 * random_())  # rng.uniform(-8.0, 8.0)
        speed = low if speed < low else high if speed > high else speed
        self.speed = speed
        turn = self.turn_rate + (-TURN_JITTER_DEG + 2 * TURN_JITTER_DEG * random_())  # rng.uniform(-2.0, 2.0)
        turn = _LEFTMOST_TURN if turn < _LEFTMOST_TURN else MAX_TURN_DEG_PER_S if turn > MAX_TURN_DEG_PER_S else turn
        self.turn_rate = turn
        self.heading = (self.heading + turn * seconds) % 360.0
        # Distance is whole metres per second (the sensor's "last second"); the fix moves exactly that far
        # per second, so at one record a second Distance equals the distance between consecutive fixes.
        distance = round(speed)
        self._move(distance * seconds)
        lower, upper = POINTS_BOUNDS
        # -1, 0 or +1, each a third of the time (random() is several times cheaper than randint()).
        magic = self.magic + int(random_() * 3) - 1
        self.magic = lower if magic < lower else upper if magic > upper else magic
        health = self.health + int(random_() * 3) - 1
        self.health = lower if health < lower else upper if health > upper else health
        return distance

    def _move(self, metres: float) -> None:
        """Great-circle step along the heading (exact for any distance, so Distance agrees with the fix)."""
        # Multiplying by these is exactly what math.radians and math.degrees do, without the calls.
        bearing = self.heading * _DEG_TO_RAD
        angular = metres / EARTH_RADIUS_M
        lat1 = self.latitude * _DEG_TO_RAD
        sin_lat1, cos_lat1 = sin(lat1), cos(lat1)
        sin_angular, cos_angular = sin(angular), cos(angular)
        sin_lat2 = sin_lat1 * cos_angular + cos_lat1 * sin_angular * cos(bearing)
        lon2 = self.longitude * _DEG_TO_RAD + atan2(
            sin(bearing) * sin_angular * cos_lat1, cos_angular - sin_lat1 * sin_lat2
        )
        self.latitude = asin(sin_lat2) * _RAD_TO_DEG
        self.longitude = (lon2 * _RAD_TO_DEG + 540.0) % 360.0 - 180.0


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in metres between two (lat, lon) fixes."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))
