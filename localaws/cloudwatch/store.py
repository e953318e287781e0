"""Metric storage: per metric and unit, fixed-size slots, so memory grows with time and never with puts.

Like CloudWatch, datapoints are kept at 1-second resolution for HIGH_RESOLUTION_SECONDS (3 hours): a recent minute
is one flat array of (count, sum, minimum, maximum) for each of its 60 seconds, plus the minute's percentile
histogram. Then the minute is rolled up into one (count, sum, minimum, maximum) packed into its hour's array (60
minutes side by side) and its histogram dropped, and hours are dropped once past the retention period (15 days by
default). Kinesis's own metrics are 1-minute on AWS; keeping seconds here is what lets `simulate stats --period 10`
draw 10-second bars locally.

Ageing is lazy and runs on the endpoint's clock: a put or a query that finds the clock a minute past the last
maintenance rolls up and drops what has aged, so a test that moves the clock by days sees the data go.
"""

import math
import threading
from typing import NamedTuple

from localaws.clock import Clock
from localaws.cloudwatch.aggregate import INV_LOG_GAMMA, ZERO_BIN, Aggregate
from localaws.cloudwatch.scan import series_buckets
from localaws.cloudwatch.series import Minute, Series, pack

HIGH_RESOLUTION_SECONDS = 3 * 3600
DEFAULT_RETENTION_SECONDS = 15 * 24 * 3600
MAINTENANCE_INTERVAL = 60.0

Dimensions = tuple[tuple[str, str], ...]  # sorted (name, value) pairs: one metric whatever the caller's order
_floor, _log = math.floor, math.log


class MetricId(NamedTuple):
    account_id: str
    region: str
    namespace: str
    name: str
    dimensions: Dimensions


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
        self._metrics: dict[tuple, dict[str, Series]] = {}  # keys: MetricId or an equal plain tuple
        self._next_maintenance = -math.inf
        self._late: list[tuple[Series, int]] = []  # minutes made for datapoints already past high resolution

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
        second = _floor(timestamp)
        with self._lock:
            minute = self._minute(key, unit, second)
            if minute is None:
                return
            # Minute.add inlined: this runs for every metric of every Kinesis put.
            cells, at = minute.cells, (second % 60) * 4
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
                    index = ZERO_BIN if value == 0.0 else _floor(_log(value) * INV_LOG_GAMMA)
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
        second = _floor(timestamp)
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
        second = _floor(timestamp)
        with self._lock:
            minute = self._minute(key, unit, second)
            if minute is not None:
                minute.add_set(second % 60, sample_count, total, minimum, maximum)

    def _minute(self, metric: tuple, unit: str, second: int) -> Minute | None:
        """The minute a datapoint of `second` goes to (made if new); None when it is older than retention. Called
        with the lock held."""
        now = self.clock.time()
        if now >= self._next_maintenance:
            self._maintain(now)
        elif self._late:
            self._pack_late(now)
        if second + 1 <= now - self.retention_seconds:
            return None
        units = self._metrics.get(metric)
        if units is None:
            units = self._metrics[metric] = {}
        series = units.get(unit)
        if series is None:
            series = units[unit] = Series()
        series.last_put = now
        minute_key = second // 60
        minute = series.minutes.get(minute_key)
        if minute is None:
            minute = series.minutes[minute_key] = Minute()
            if (minute_key + 1) * 60 <= now - HIGH_RESOLUTION_SECONDS:
                # A late datapoint for a minute past high resolution: the next call packs the minute into its hour
                # (merging with what is there); its percentile detail is not offered meanwhile either.
                minute.hist = None
                self._late.append((series, minute_key))
        return minute

    # --- ageing -------------------------------------------------------------------------------------------------

    def _pack_late(self, now: float) -> None:
        drop_before = _floor((now - self.retention_seconds) / 60)
        for series, minute_key in self._late:
            minute = series.minutes.pop(minute_key, None)
            if minute is not None:
                pack(series, minute_key, minute, drop_before)
        self._late.clear()

    def _maintain(self, now: float) -> None:
        """Roll up minutes older than 3 hours into their hours, drop hours past retention. Called with the lock
        held, at most once a minute of clock time (or at once after a late datapoint)."""
        self._next_maintenance = now + MAINTENANCE_INTERVAL
        self._late.clear()  # the pass below packs them with every other aged minute
        roll_before = _floor((now - HIGH_RESOLUTION_SECONDS) / 60)  # minutes ending at or before this
        drop_before = _floor((now - self.retention_seconds) / 60)
        for metric in list(self._metrics):
            units = self._metrics[metric]
            for unit in list(units):
                series = units[unit]
                for minute_key in [key for key in series.minutes if key < roll_before or key < drop_before]:
                    pack(series, minute_key, series.minutes.pop(minute_key), drop_before)
                # An hour goes once its last minute is past retention; queries skip its expired minutes before that.
                for hour_key in [key for key in series.hours if (key + 1) * 60 <= drop_before]:
                    del series.hours[hour_key]
                if not series.minutes and not series.hours:
                    del units[unit]
            if not units:
                del self._metrics[metric]

    def _maintain_if_due(self) -> float:
        now = self.clock.time()
        if now >= self._next_maintenance:
            self._maintain(now)
        elif self._late:
            self._pack_late(now)
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
                    result[name] = series_buckets(series, start, end, period, kept_from)
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
        """(recent minutes, hours of rolled-up minutes) held over all series: what memory grows with, each a
        fixed-size array (plus a recent minute's histogram)."""
        with self._lock:
            self._maintain_if_due()
            minutes = hours = 0
            for units in self._metrics.values():
                for series in units.values():
                    minutes += len(series.minutes)
                    hours += len(series.hours)
            return minutes, hours
