"""The unicorn model: where a unicorn is, how fast it goes, how it feels. Pure and seeded: no I/O, no clock.

Calibrated on the workshop's sample records: about 150-200 m covered each second (Distance 175 and 163,
consecutive fixes ~163 m apart) near 42.2644, -71.9758; MagicPoints and HealthPoints around 150, drifting
by -1, 0 or +1 a second.
"""

import math
import random
from datetime import datetime

from simulator.record import UnicornStatus, format_status_time

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_START = (42.2644, -71.9758)
DEFAULT_SPEED_MPS = (150.0, 200.0)
DEFAULT_POINTS = 150
POINTS_BOUNDS = (0, 250)
# How fast the heading may change: turns are smooth, never sudden.
MAX_TURN_DEG_PER_S = 12.0
TURN_JITTER_DEG = 2.0


class Unicorn:
    """One unicorn's state. `step` advances it one tick and returns the record for that tick."""

    __slots__ = (
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
        self.latitude, self.longitude = start
        self.speed_range = speed_range
        self.speed = rng.uniform(*speed_range)
        self.heading = rng.uniform(0.0, 360.0) if heading is None else heading
        self.turn_rate = 0.0
        self.magic = magic
        self.health = health

    def step(self, rng: random.Random, now: datetime | str, seconds: float = 1.0) -> UnicornStatus:
        """Move for `seconds` and drift the vitals; `now` is the record's time (or its StatusTime text)."""
        low, high = self.speed_range
        self.speed = min(high, max(low, self.speed + rng.uniform(-8.0, 8.0)))
        self.turn_rate = min(
            MAX_TURN_DEG_PER_S,
            max(-MAX_TURN_DEG_PER_S, self.turn_rate + rng.uniform(-TURN_JITTER_DEG, TURN_JITTER_DEG)),
        )
        self.heading = (self.heading + self.turn_rate * seconds) % 360.0
        # Distance is whole metres per second (the sensor's "last second"); the fix moves exactly that far
        # per second, so at one record a second Distance equals the distance between consecutive fixes.
        distance = round(self.speed)
        self._move(distance * seconds)
        lower, upper = POINTS_BOUNDS
        # -1, 0 or +1, each a third of the time (random() is several times cheaper than randint()).
        self.magic = min(upper, max(lower, self.magic + int(rng.random() * 3) - 1))
        self.health = min(upper, max(lower, self.health + int(rng.random() * 3) - 1))
        return UnicornStatus(
            name=self.name,
            status_time=now if isinstance(now, str) else format_status_time(now),
            latitude=self.latitude,
            longitude=self.longitude,
            distance=distance,
            magic_points=self.magic,
            health_points=self.health,
        )

    def _move(self, metres: float) -> None:
        """Great-circle step along the heading (exact for any distance, so Distance agrees with the fix)."""
        bearing = math.radians(self.heading)
        angular = metres / EARTH_RADIUS_M
        lat1, lon1 = math.radians(self.latitude), math.radians(self.longitude)
        sin_lat2 = math.sin(lat1) * math.cos(angular) + math.cos(lat1) * math.sin(angular) * math.cos(bearing)
        lat2 = math.asin(sin_lat2)
        lon2 = lon1 + math.atan2(
            math.sin(bearing) * math.sin(angular) * math.cos(lat1), math.cos(angular) - math.sin(lat1) * sin_lat2
        )
        self.latitude = math.degrees(lat2)
        self.longitude = (math.degrees(lon2) + 540.0) % 360.0 - 180.0


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in metres between two (lat, lon) fixes."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))
