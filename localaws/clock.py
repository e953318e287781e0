"""The endpoint's one clock: wall time and monotonic time, both movable forward by tests.

Everything that ages reads it: record retention, iterator expiry, credential and token expiry, stream state
transitions, IAM propagation and the token buckets of the shard limits. `advance()` moves both readings by the
same amount, so a test can age every record, iterator and credential by five minutes without waiting.
"""

import math
import threading
import time


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        """Seconds since the epoch, as AWS's clock would read them."""
        return time.time() + self._offset

    def monotonic(self) -> float:
        """A clock that never goes back: for durations and rates."""
        return time.monotonic() + self._offset

    @property
    def offset(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward; a negative, infinite or NaN amount is refused (ValueError), nothing changes."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError(f"advance_seconds must be a number, not {type(seconds).__name__}")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"advance_seconds must be a finite number of seconds ≥ 0, not {seconds!r}")
        with self._lock:
            self._offset += float(seconds)
