"""Metric storage: per metric and unit, fixed-size minute slots, so memory grows with time and never with puts.

Like CloudWatch, datapoints are kept at 1-second resolution for HIGH_RESOLUTION_SECONDS (3 hours): a recent minute
is one flat array of (count, sum, minimum, maximum) for each of its 60 seconds, plus the minute's percentile
histogram. Then the minute is rolled up into one (count, sum, minimum, maximum) and its histogram dropped, and
rolled-up minutes are dropped after the retention period (15 days by default). Kinesis's own metrics are 1-minute
on AWS; keeping seconds here is what lets `simulate stats --period 10` draw 10-second bars locally.

Ageing is lazy and runs on the endpoint's clock: a put or a query that finds the clock a minute past the last
maintenance rolls up and drops what has aged, so a test that moves the clock by days sees the data go.
"""

import math
import threading
from array import array
from typing import NamedTuple

from localaws.clock import Clock
from localaws.cloudwatch.aggregate import INV_LOG_GAMMA, ZERO_BIN, Aggregate, Histogram, add_to_histogram, bin_of

HIGH_RESOLUTION_SECONDS = 3 * 3600
DEFAULT_RETENTION_SECONDS = 15 * 24 * 3600
MAINTENANCE_INTERVAL = 60.0

Dimensions = tuple[tuple[str, str], ...]  # sorted (name, value) pairs: one metric whatever the caller's order
_ZERO_BIN, _floor, _log = ZERO_BIN, math.floor, math.log
_EMPTY_SECONDS = array("d", [0.0, 0.0, math.inf, -math.inf] * 60)


class MetricId(NamedTuple):
    account_id: str
    region: str
    namespace: str
    name: str
    dimensions: Dimensions


class _Minute:
    """One minute of one series. Detailed: `cells` holds count, sum, minimum, maximum for each second (4 x 60
    doubles). Rolled up: `cells` holds them once for the whole minute and `hist` is None."""

    __slots__ = ("cells", "detailed", "hist")

    def __init__(self, detailed: bool) -> None:
        self.detailed = detailed
        self.cells = array("d", _EMPTY_SECONDS) if detailed else array("d", _EMPTY_SECONDS[:4])
        self.hist: Histogram | None = {} if detailed else None

    def add(self, offset: int, value: float, count: float) -> None:
        cells, at = self.cells, offset * 4 if self.detailed else 0
        cells[at] += count
        cells[at + 1] += value * count
        if value < cells[at + 2]:
            cells[at + 2] = value
        if value > cells[at + 3]:
            cells[at + 3] = value
        hist = self.hist
        if hist is not None:
            if value < 0.0:
                self.hist = None
            else:
                index = bin_of(value)
                hist[index] = hist.get(index, 0.0) + count

    def add_set(self, offset: int, count: float, total: float, low: float, high: float) -> None:
        """A statistic set: percentiles survive only when it stands for one value (SampleCount 1, or Minimum equal
        to Maximum), as on CloudWatch."""
        cells, at = self.cells, offset * 4 if self.detailed else 0
        cells[at] += count
        cells[at + 1] += total
        cells[at + 2] = min(cells[at + 2], low)
        cells[at + 3] = max(cells[at + 3], high)
        if self.hist is not None:
            if low < 0.0 or (count != 1.0 and low != high):
                self.hist = None
            else:
                add_to_histogram(self.hist, low, count)

    def roll_up(self) -> None:
        if not self.detailed:
            return
        cells = self.cells
        counts = cells[0::4]
        self.cells = array("d", [math.fsum(counts), math.fsum(cells[1::4]), min(cells[2::4]), max(cells[3::4])])
        self.detailed = False
        self.hist = None


class _Series:
    """One metric in one unit."""

    __slots__ = ("detailed", "last_put", "minutes", "oldest")

    def __init__(self) -> None:
        self.minutes: dict[int, _Minute] = {}
        self.detailed: dict[int, None] = {}  # minutes still holding seconds (an ordered set)
        self.oldest = math.inf  # the earliest minute held
        self.last_put = -math.inf  # clock time of the latest put (ListMetrics' RecentlyActive)


def dimensions_key(dimensions: dict[str, str]) -> Dimensions:
    return tuple(sorted(dimensions.items())) if dimensions else ()


class MetricStore:
    """Implements localaws.runtime.MetricsSink. Thread safe: one lock, held for a few dictionary steps per put."""

    def __init__(self, clock: Clock, retention_seconds: float = DEFAULT_RETENTION_SECONDS) -> None:
        if not retention_seconds > 0:
            raise ValueError(f"retention_seconds must be > 0, not {retention_seconds!r}")
        self.clock = clock
        self.retention_seconds = float(retention_seconds)
        self._lock = threading.Lock()
        self._metrics: dict[tuple, dict[str, _Series]] = {}  # keys: MetricId or an equal plain tuple
        self._next_maintenance = -math.inf

    # --- writing ------------------------------------------------------------------------------------------------

    def put(
        self,
        account_id: str,
        region: str,
        namespace: str,
        name: str,
        dimensions: dict[str, str],
        value: float,
        unit: str,
        timestamp: float,
    ) -> None:
        """Record one datapoint (what CloudWatch's PutMetricData stores). The hot path of every Kinesis put:
        a plain tuple for the key (a MetricId equals it), one lock, a few dictionary and array steps."""
        if not dimensions:
            key: tuple = (account_id, region, namespace, name, ())
        elif len(dimensions) == 1:
            key = (account_id, region, namespace, name, tuple(dimensions.items()))
        else:
            key = (account_id, region, namespace, name, tuple(sorted(dimensions.items())))
        second = math.floor(timestamp)
        with self._lock:
            minute = self._minute(key, unit, second)
            if minute is None:
                return
            # _Minute.add inlined: this runs for every metric of every Kinesis put.
            cells, at = minute.cells, (second % 60) * 4 if minute.detailed else 0
            cells[at] += 1.0
            cells[at + 1] += value
            if value < cells[at + 2]:
                cells[at + 2] = value
            if value > cells[at + 3]:
                cells[at + 3] = value
            hist = minute.hist
            if hist is not None:
                if value < 0.0:
                    minute.hist = None
                else:
                    index = _ZERO_BIN if value == 0.0 else _floor(_log(value) * INV_LOG_GAMMA)
                    hist[index] = hist.get(index, 0.0) + 1.0

    def put_values(
        self,
        account_id: str,
        region: str,
        namespace: str,
        name: str,
        dimensions: dict[str, str],
        unit: str,
        timestamp: float,
        values: list[tuple[float, float]],
    ) -> None:
        """Record (value, count) pairs of one timestamp (PutMetricData's Values and Counts)."""
        key = MetricId(account_id, region, namespace, name, dimensions_key(dimensions))
        second = math.floor(timestamp)
        with self._lock:
            minute = self._minute(key, unit, second)
            if minute is not None:
                for value, count in values:
                    minute.add(second % 60, value, count)

    def put_statistics(
        self,
        account_id: str,
        region: str,
        namespace: str,
        name: str,
        dimensions: dict[str, str],
        unit: str,
        timestamp: float,
        sample_count: float,
        total: float,
        minimum: float,
        maximum: float,
    ) -> None:
        """Record a statistic set (PutMetricData's StatisticValues)."""
        key = MetricId(account_id, region, namespace, name, dimensions_key(dimensions))
        second = math.floor(timestamp)
        with self._lock:
            minute = self._minute(key, unit, second)
            if minute is not None:
                minute.add_set(second % 60, sample_count, total, minimum, maximum)

    def _minute(self, metric: tuple, unit: str, second: int) -> _Minute | None:
        """The minute slot a datapoint of `second` goes to (made if new); None when it is older than retention.
        Called with the lock held."""
        now = self.clock.time()
        if now >= self._next_maintenance:
            self._maintain(now)
        if second + 1 <= now - self.retention_seconds:
            return None
        units = self._metrics.get(metric)
        if units is None:
            units = self._metrics[metric] = {}
        series = units.get(unit)
        if series is None:
            series = units[unit] = _Series()
        series.last_put = now
        minute_key = second // 60
        minute = series.minutes.get(minute_key)
        if minute is None:
            # A late datapoint for a minute already past high resolution starts it rolled up.
            detailed = (minute_key + 1) * 60 > now - HIGH_RESOLUTION_SECONDS
            minute = series.minutes[minute_key] = _Minute(detailed)
            if detailed:
                series.detailed[minute_key] = None
            if minute_key < series.oldest:
                series.oldest = minute_key
        return minute

    # --- ageing -------------------------------------------------------------------------------------------------

    def _maintain(self, now: float) -> None:
        """Roll up minutes older than 3 hours and drop minutes older than retention. Called with the lock held, at
        most once a minute of clock time."""
        self._next_maintenance = now + MAINTENANCE_INTERVAL
        roll_before = math.floor((now - HIGH_RESOLUTION_SECONDS) / 60)  # minutes ending at or before this
        drop_before = math.floor((now - self.retention_seconds) / 60)
        for metric in list(self._metrics):
            units = self._metrics[metric]
            for unit in list(units):
                series = units[unit]
                for minute_key in [key for key in series.detailed if key < roll_before]:
                    series.minutes[minute_key].roll_up()
                    del series.detailed[minute_key]
                if series.oldest < drop_before:
                    for minute_key in [key for key in series.minutes if key < drop_before]:
                        del series.minutes[minute_key]
                        series.detailed.pop(minute_key, None)
                    series.oldest = min(series.minutes, default=math.inf)
                if not series.minutes:
                    del units[unit]
            if not units:
                del self._metrics[metric]

    def _maintain_if_due(self) -> float:
        now = self.clock.time()
        if now >= self._next_maintenance:
            self._maintain(now)
        return now

    # --- reading ------------------------------------------------------------------------------------------------

    def units(self, metric: MetricId) -> list[str]:
        with self._lock:
            return sorted(self._metrics.get(metric, {}))

    def buckets(
        self, metric: MetricId, unit: str | None, start: int, end: float, period: int
    ) -> dict[str, dict[int, Aggregate]]:
        """Per unit (all units when `unit` is None): bucket index k → the statistics of the data whose second
        falls in [start + k x period, start + (k + 1) x period) and before `end` (exclusive, as AWS's EndTime)."""
        with self._lock:
            now = self._maintain_if_due()
            units = self._metrics.get(metric, {})
            chosen = [unit] if unit is not None else sorted(units)
            kept_from = now - self.retention_seconds
            result: dict[str, dict[int, Aggregate]] = {}
            for name in chosen:
                series = units.get(name)
                if series is not None:
                    result[name] = _series_buckets(series, start, end, period, kept_from)
            return result

    def metrics(self) -> list[tuple[MetricId, float]]:
        """Every metric held, with the clock time of its latest put (any unit)."""
        with self._lock:
            self._maintain_if_due()
            return [
                (MetricId(*metric), max(s.last_put for s in units.values())) for metric, units in self._metrics.items()
            ]

    # --- for tests and the control API ---------------------------------------------------------------------------

    def footprint(self) -> tuple[int, int]:
        """(minute slots held, of which still detailed): what memory grows with, one fixed-size slot per metric,
        unit and minute with data."""
        with self._lock:
            self._maintain_if_due()
            slots = detailed = 0
            for units in self._metrics.values():
                for series in units.values():
                    slots += len(series.minutes)
                    detailed += len(series.detailed)
            return slots, detailed


def _series_buckets(series: _Series, start: int, end: float, period: int, kept_from: float) -> dict[int, Aggregate]:
    out: dict[int, Aggregate] = {}
    first_minute, last_minute = start // 60, math.floor(end / 60)
    if last_minute - first_minute < len(series.minutes):
        chosen = [(key, series.minutes.get(key)) for key in range(first_minute, last_minute + 1)]
    else:
        chosen = [(key, minute) for key, minute in series.minutes.items() if first_minute <= key <= last_minute]
    for minute_key, minute in chosen:
        base = minute_key * 60
        if minute is None or base + 60 <= kept_from:
            continue
        cells = minute.cells
        if not minute.detailed:
            if start <= base < end:
                bucket = _bucket(out, (base - start) // period)
                bucket.absorb(cells[0], cells[1], cells[2], cells[3])
                bucket.hist = None
            continue
        # The minute's histogram goes with its data only when all of that data fell in one bucket.
        touched: set[int] = set()
        excluded = False
        for offset in range(60):
            at = offset * 4
            if not cells[at]:
                continue
            second = base + offset
            if second < start or second >= end:
                excluded = True
                continue
            index = (second - start) // period
            touched.add(index)
            _bucket(out, index).absorb(cells[at], cells[at + 1], cells[at + 2], cells[at + 3])
        if len(touched) == 1 and not excluded:
            out[touched.pop()].absorb_hist(minute.hist)
        else:
            for index in touched:
                out[index].hist = None
    return out


def _bucket(out: dict[int, Aggregate], index: int) -> Aggregate:
    bucket = out.get(index)
    if bucket is None:
        bucket = out[index] = Aggregate()
    return bucket
