"""Metric storage: per metric and unit, aggregated buckets, so memory grows with time and never with puts.

Like CloudWatch, every datapoint is kept at 1-second resolution for HIGH_RESOLUTION_SECONDS (3 hours), then rolled
up into its minute (percentiles go with the seconds), and the minutes are dropped after the retention period (15
days by default). Kinesis's own metrics are 1-minute on AWS; keeping seconds here is what lets `simulate stats
--period 10` draw 10-second bars locally.

Ageing is lazy and runs on the endpoint's clock: a put or a query that finds the clock a minute past the last
maintenance rolls up and drops what has aged, so a test that moves the clock by days sees the data go.
"""

import math
import threading
from collections.abc import Iterable
from typing import NamedTuple

from localaws.clock import Clock
from localaws.cloudwatch.aggregate import Aggregate

HIGH_RESOLUTION_SECONDS = 3 * 3600
DEFAULT_RETENTION_SECONDS = 15 * 24 * 3600
MAINTENANCE_INTERVAL = 60.0

Dimensions = tuple[tuple[str, str], ...]  # sorted (name, value) pairs: one metric whatever the caller's order


class MetricId(NamedTuple):
    account_id: str
    region: str
    namespace: str
    name: str
    dimensions: Dimensions


class _Minute:
    """One minute of a series: its seconds while they are recent, one rolled-up aggregate afterwards."""

    __slots__ = ("rolled", "seconds")

    def __init__(self) -> None:
        self.seconds: dict[int, Aggregate] | None = {}
        self.rolled: Aggregate | None = None

    def roll_up(self) -> None:
        if self.seconds is None:
            return
        total = self.rolled or Aggregate()
        for aggregate in self.seconds.values():
            total.merge(aggregate)
        total.hist = None
        self.rolled, self.seconds = total, None


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
        a plain tuple for the key (a MetricId equals it), one lock, a few dictionary steps."""
        if not dimensions:
            key: tuple = (account_id, region, namespace, name, ())
        elif len(dimensions) == 1:
            key = (account_id, region, namespace, name, tuple(dimensions.items()))
        else:
            key = (account_id, region, namespace, name, tuple(sorted(dimensions.items())))
        with self._lock:
            aggregate = self._bucket(key, unit, timestamp)
            if aggregate is not None:
                aggregate.add(value)

    def put_values(
        self,
        account_id: str,
        region: str,
        namespace: str,
        name: str,
        dimensions: dict[str, str],
        unit: str,
        timestamp: float,
        values: tuple[tuple[float, float], ...] | list[tuple[float, float]],
    ) -> None:
        """Record (value, count) pairs of one timestamp (PutMetricData's Values and Counts)."""
        metric = MetricId(account_id, region, namespace, name, dimensions_key(dimensions))
        with self._lock:
            aggregate = self._bucket(metric, unit, timestamp)
            if aggregate is not None:
                for value, count in values:
                    aggregate.add(value, count)

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
        metric = MetricId(account_id, region, namespace, name, dimensions_key(dimensions))
        with self._lock:
            aggregate = self._bucket(metric, unit, timestamp)
            if aggregate is not None:
                aggregate.add_set(sample_count, total, minimum, maximum)

    def _bucket(self, metric: tuple, unit: str, timestamp: float) -> Aggregate | None:
        """The aggregate a datapoint of `timestamp` adds to (made if new); None when it is older than retention.
        Called with the lock held."""
        now = self.clock.time()
        if now >= self._next_maintenance:
            self._maintain(now)
        second = math.floor(timestamp)
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
            minute = series.minutes[minute_key] = _Minute()
            if minute_key < series.oldest:
                series.oldest = minute_key
            if (minute_key + 1) * 60 <= now - HIGH_RESOLUTION_SECONDS:
                minute.seconds, minute.rolled = None, Aggregate()
            else:
                series.detailed[minute_key] = None
        if minute.seconds is None:
            # A late datapoint for a minute already rolled up joins the minute (its percentile detail is lost).
            assert minute.rolled is not None
            minute.rolled.hist = None
            return minute.rolled
        aggregate = minute.seconds.get(second)
        if aggregate is None:
            aggregate = minute.seconds[second] = Aggregate()
        return aggregate

    # --- ageing -------------------------------------------------------------------------------------------------

    def _maintain(self, now: float) -> None:
        """Roll up seconds older than 3 hours into their minutes and drop minutes older than retention. Called with
        the lock held, at most once a minute of clock time."""
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
                    result[name] = self._series_buckets(series, start, end, period, kept_from)
            return result

    @staticmethod
    def _series_buckets(series: _Series, start: int, end: float, period: int, kept_from: float) -> dict[int, Aggregate]:
        out: dict[int, Aggregate] = {}
        first_minute, last_minute = start // 60, math.ceil(end / 60)
        for minute_key, minute in series.minutes.items():
            if minute_key < first_minute or minute_key > last_minute or (minute_key + 1) * 60 <= kept_from:
                continue
            parts: Iterable[tuple[int, Aggregate]]
            if minute.seconds is not None:
                parts = minute.seconds.items()
            elif minute.rolled is not None:
                parts = ((minute_key * 60, minute.rolled),)
            else:
                continue
            for second, aggregate in parts:
                if second < start or second >= end:
                    continue
                index = (second - start) // period
                bucket = out.get(index)
                if bucket is None:
                    out[index] = aggregate.copy()
                else:
                    bucket.merge(aggregate)
        return out

    def metrics(self) -> list[tuple[MetricId, float]]:
        """Every metric held, with the clock time of its latest put (any unit)."""
        with self._lock:
            self._maintain_if_due()
            return [
                (MetricId(*metric), max(s.last_put for s in units.values())) for metric, units in self._metrics.items()
            ]

    # --- for tests and the control API ---------------------------------------------------------------------------

    def bucket_count(self) -> int:
        """Aggregates held (seconds and rolled-up minutes): what memory grows with."""
        with self._lock:
            self._maintain_if_due()
            return sum(
                len(minute.seconds) if minute.seconds is not None else 1
                for units in self._metrics.values()
                for series in units.values()
                for minute in series.minutes.values()
            )
