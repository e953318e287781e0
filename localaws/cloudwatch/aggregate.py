"""Statistics of a bucket: count, sum, minimum, maximum, and a sparse log-scale histogram for percentiles.

The histogram bins values by powers of GAMMA, so a percentile read from it is within about 1% of the true value
whatever the spread of the data, and it holds one entry per distinct bin, not per value: memory grows with the
spread of the values, never with the number of puts.
"""

import math

GAMMA = 1.02
INV_LOG_GAMMA = 1.0 / math.log(GAMMA)
_MIDPOINT = (1.0 + GAMMA) / 2.0
ZERO_BIN = -(2**31)  # zero has no logarithm; it gets a bin of its own below every positive one

Histogram = dict[int, float]  # bin → count


def bin_of(value: float) -> int:
    return ZERO_BIN if value == 0.0 else math.floor(math.log(value) * INV_LOG_GAMMA)


def bin_value(index: int) -> float:
    """The value that stands for a bin: the middle of [GAMMA**i, GAMMA**(i+1)), so the relative error is at most
    (GAMMA - 1) / (GAMMA + 1)."""
    return 0.0 if index == ZERO_BIN else GAMMA**index * _MIDPOINT


class Aggregate:
    """What a query bucket gathered. `hist` is None once percentiles cannot be told for it: a value was negative
    (CloudWatch offers no percentiles then), a statistic set summarised several different values, or part of the
    data no longer has (or never had) its histogram at this bucket's granularity."""

    __slots__ = ("count", "high", "hist", "low", "total")

    def __init__(self) -> None:
        self.count = 0.0
        self.total = 0.0
        self.low = math.inf
        self.high = -math.inf
        self.hist: Histogram | None = {}

    def absorb(self, count: float, total: float, low: float, high: float) -> None:
        self.count += count
        self.total += total
        if low < self.low:
            self.low = low
        if high > self.high:
            self.high = high

    def absorb_hist(self, hist: Histogram | None) -> None:
        if self.hist is None:
            return
        if hist is None:
            self.hist = None
            return
        for index, count in hist.items():
            self.hist[index] = self.hist.get(index, 0.0) + count

    def statistic(self, name: str) -> float | None:
        """A basic statistic (SampleCount, Average, Sum, Minimum, Maximum) or a percentile ("p99", "p99.9");
        None when the bucket cannot tell it (a percentile without a histogram)."""
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
        if not self.hist or not self.count:
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


def add_to_histogram(hist: Histogram, value: float, count: float) -> None:
    index = bin_of(value)
    hist[index] = hist.get(index, 0.0) + count
