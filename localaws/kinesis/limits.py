"""AWS's per-shard throughput limits as token buckets, and the seeded random choices of injected faults.

The buckets run on the endpoint clock's monotonic time, so a test that moves the clock refills them.
"""

import random
import threading
from collections.abc import Callable

MIB = 1024 * 1024
RECORDS_WRITTEN_PER_SECOND = 1000
BYTES_WRITTEN_PER_SECOND = MIB
GET_RECORDS_CALLS_PER_SECOND = 5
BYTES_READ_PER_SECOND = 2 * MIB
# What injected PutRecords entry failures report, in turn.
INJECTED_ENTRY_ERRORS = ("ProvisionedThroughputExceededException", "InternalFailure")


class TokenBucket:
    """`rate` tokens a second, holding at most one second's worth.

    `try_take(n)` takes n when there are n (a taker bigger than the bucket needs a full one, and leaves it in
    debt); `take(n)` takes regardless, as a GetRecords answer is charged after it is read: a bucket in debt
    refuses until time has repaid it.
    """

    __slots__ = ("_now", "rate", "tokens", "updated")

    def __init__(self, rate: float, now: Callable[[], float]) -> None:
        self.rate = float(rate)
        self.tokens = self.rate
        self._now = now
        self.updated = now()

    def available(self) -> float:
        now = self._now()
        self.tokens = min(self.rate, self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = now
        return self.tokens

    def can_take(self, amount: float) -> bool:
        return self.available() >= min(amount, self.rate)

    def take(self, amount: float) -> None:
        self.available()
        self.tokens -= amount


class ShardLimits:
    """One shard's four buckets. Callers hold the stream's lock."""

    __slots__ = ("bytes_read", "bytes_written", "read_calls", "records_written")

    def __init__(self, now: Callable[[], float]) -> None:
        self.records_written = TokenBucket(RECORDS_WRITTEN_PER_SECOND, now)
        self.bytes_written = TokenBucket(BYTES_WRITTEN_PER_SECOND, now)
        self.read_calls = TokenBucket(GET_RECORDS_CALLS_PER_SECOND, now)
        self.bytes_read = TokenBucket(BYTES_READ_PER_SECOND, now)

    def admit_write(self, size: int) -> bool:
        if not (self.records_written.can_take(1) and self.bytes_written.can_take(size)):
            return False
        self.records_written.take(1)
        self.bytes_written.take(size)
        return True

    def admit_read(self) -> bool:
        """A GetRecords call may go ahead: a call is left this second and earlier reads' bytes are repaid."""
        if self.bytes_read.available() <= 0 or not self.read_calls.can_take(1):
            return False
        self.read_calls.take(1)
        return True

    def charge_read(self, size: int) -> None:
        self.bytes_read.take(size)


class FaultInjector:
    """The same seed and the same calls give the same faults."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        with self._lock:
            self._random = random.Random(seed)
            self._entry_failures = 0

    def chance(self, fraction: float) -> bool:
        """True for about `fraction` of calls (no draw at all when it is 0, so runs without faults repeat)."""
        if fraction <= 0:
            return False
        with self._lock:
            return self._random.random() < fraction

    def entry_failure(self, fraction: float) -> str | None:
        if fraction <= 0:
            return None
        with self._lock:
            if self._random.random() >= fraction:
                return None
            code = INJECTED_ENTRY_ERRORS[self._entry_failures % len(INJECTED_ENTRY_ERRORS)]
            self._entry_failures += 1
            return code
