"""How one series is laid out in memory: fixed-size arrays of (count, sum, minimum, maximum) cells.

A recent minute is one array of 60 cells, one per second, plus the minute's percentile histogram; a rolled-up
minute is one cell in its hour's array of 60. So a series costs memory per minute (or hour) with data, never per
datapoint.
"""

import math
from array import array

from localaws.cloudwatch.aggregate import Histogram, add_to_histogram

EMPTY = array("d", [0.0, 0.0, math.inf, -math.inf] * 60)  # 60 empty cells of (count, sum, minimum, maximum)


class Minute:
    """A recent minute of one series: (count, sum, minimum, maximum) for each second, and the minute's histogram
    (None once percentiles cannot be told, see Aggregate)."""

    __slots__ = ("cells", "hist")

    def __init__(self) -> None:
        self.cells = array("d", EMPTY)
        self.hist: Histogram | None = {}

    def add(self, offset: int, value: float, count: float) -> None:
        cells, at = self.cells, offset * 4
        cells[at] += count
        cells[at + 1] += value * count
        if value < cells[at + 2]:
            cells[at + 2] = value
        if value > cells[at + 3]:
            cells[at + 3] = value
        if self.hist is not None:
            if value < 0.0:
                self.hist = None
            else:
                add_to_histogram(self.hist, value, count)

    def add_set(self, offset: int, count: float, total: float, low: float, high: float) -> None:
        """A statistic set: percentiles survive only when it stands for one value (SampleCount 1, or Minimum equal
        to Maximum), as on CloudWatch."""
        cells, at = self.cells, offset * 4
        cells[at] += count
        cells[at + 1] += total
        cells[at + 2] = min(cells[at + 2], low)
        cells[at + 3] = max(cells[at + 3], high)
        if self.hist is not None:
            if low < 0.0 or (count != 1.0 and low != high):
                self.hist = None
            else:
                add_to_histogram(self.hist, low, count)

    def summary(self) -> tuple[float, float, float, float]:
        cells = self.cells
        return math.fsum(cells[0::4]), math.fsum(cells[1::4]), min(cells[2::4]), max(cells[3::4])


def merge_cell(cells: array, at: int, count: float, total: float, low: float, high: float) -> None:
    cells[at] += count
    cells[at + 1] += total
    if low < cells[at + 2]:
        cells[at + 2] = low
    if high > cells[at + 3]:
        cells[at + 3] = high


def pack(series: "Series", minute_key: int, minute: Minute, drop_before: int) -> None:
    """Roll a minute up into its hour's array (merged with what is there); a minute past retention just goes."""
    if minute_key < drop_before:
        return
    hour_key, offset = divmod(minute_key, 60)
    hour = series.hours.get(hour_key)
    if hour is None:
        hour = series.hours[hour_key] = array("d", EMPTY)
    merge_cell(hour, offset * 4, *minute.summary())


class Series:
    """One metric in one unit: recent minutes by minute number, rolled-up minutes by hour number."""

    __slots__ = ("hours", "last_put", "minutes")

    def __init__(self) -> None:
        self.minutes: dict[int, Minute] = {}
        self.hours: dict[int, array] = {}  # hour → 60 cells of (count, sum, minimum, maximum), one per minute
        self.last_put = -math.inf  # clock time of the latest put (ListMetrics' RecentlyActive)
