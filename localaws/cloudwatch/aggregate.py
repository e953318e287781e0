"""One bucket's statistics: count, sum, minimum, maximum, and a sparse log-scale histogram for percentiles.

The histogram bins values by powers of GAMMA, so a percentile read from it is within about 1% of the true value
whatever the spread of the data, and a bucket holds one entry per distinct bin, not per value: memory grows with
the spread of the values, never with the number of puts.
"""

import math

GAMMA = 1.02
_INV_LOG_GAMMA = 1.0 / math.log(GAMMA)
_MIDPOINT = (1.0 + GAMMA) / 2.0
ZERO_BIN = -(2**31)  # zero has no logarithm; it gets a bin of its own below every positive one


def bin_of(value: float) -> int:
    return ZERO_BIN if value == 0.0 else math.floor(math.log(value) * _INV_LOG_GAMMA)


def bin_value(index: int) -> float:
    """The value that stands for a bin: the middle of [GAMMA**i, GAMMA**(i+1)), so the relative error is at most
    (GAMMA - 1) / (GAMMA + 1)."""
    return 0.0 if index == ZERO_BIN else GAMMA**index * _MIDPOINT


class Aggregate:
    """Statistics of the values that fell in one bucket. `hist` is None once percentiles cannot be told: a value
    was negative (CloudWatch offers no percentiles then), a statistic set summarised several different values, or
    the bucket was rolled up from seconds into a minute."""

    __slots__ = ("count", "high", "hist", "low", "total")

    def __init__(self) -> None:
        self.count = 0.0
        self.total = 0.0
        self.low = math.inf
        self.high = -math.inf
        self.hist: dict[int, float] | None = {}

    def add(self, value: float, count: float = 1.0) -> None:
        self.count += count
        self.total += value * count
        if value < self.low:
            self.low = value
        if value > self.high:
            self.high = value
        hist = self.hist
        if hist is not None:
            if value < 0.0:
                self.hist = None
            else:
                index = bin_of(value)
                hist[index] = hist.get(index, 0.0) + count

    def add_set(self, count: float, total: float, low: float, high: float) -> None:
        """A statistic set (PutMetricData's StatisticValues): percentiles survive only when it stands for one
        value (SampleCount 1, or Minimum equal to Maximum), as on CloudWatch."""
        if count > 0.0 and (count == 1.0 or low == high):
            self.add(low, count)
            # The sum is taken as given, not as count x value, so rounding in the caller's sum is kept.
            self.total += total - low * count
            return
        self.count += count
        self.total += total
        self.low = min(self.low, low)
        self.high = max(self.high, high)
        self.hist = None

    def merge(self, other: "Aggregate") -> None:
        self.count += other.count
        self.total += other.total
        if other.low < self.low:
            self.low = other.low
        if other.high > self.high:
            self.high = other.high
        if self.hist is not None:
            if other.hist is None:
                self.hist = None
            else:
                for index, count in other.hist.items():
                    self.hist[index] = self.hist.get(index, 0.0) + count

    def copy(self) -> "Aggregate":
        twin = Aggregate()
        twin.merge(self)
        return twin

    def statistic(self, name: str) -> float | None:
        """A basic statistic (SampleCount, Average, Sum, Minimum, Maximum) or a percentile ("p99", "p99.9");
        None when the bucket cannot tell it (a percentile of data without a histogram)."""
        if name == "Sum":
            return self.total
        if name == "SampleCount":
            return self.count
        if name == "Average":
            return self.total / self.count if self.count else 0.0
        if name == "Minimum":
            return self.low
        if name == "Maximum":
            return self.high
        return self.percentile(float(name[1:]))

    def percentile(self, rank: float) -> float | None:
        if self.hist is None or not self.count:
            return None
        if rank <= 0.0:
            return self.low
        if rank >= 100.0:
            return self.high
        wanted = self.count * rank / 100.0
        seen = 0.0
        for index in sorted(self.hist):
            seen += self.hist[index]
            if seen >= wanted:
                # Clamped, so a bucket of equal values answers that value exactly.
                return min(max(bin_value(index), self.low), self.high)
        return self.high
