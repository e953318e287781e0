"""The endpoint's clock: wall time plus an offset that tests can move forward.

Retention trimming reads this clock, so a test can age records by a day without waiting a day.
"""

import threading
import time

_lock = threading.Lock()
_offset_seconds = 0.0


def now() -> float:
    """Seconds since the epoch, as the endpoint sees them."""
    return time.time() + _offset_seconds


def offset() -> float:
    return _offset_seconds


def advance(seconds: float) -> float:
    """Move the clock forward (never back: sequence order follows arrival time)."""
    global _offset_seconds
    if seconds < 0:
        raise ValueError("the clock only moves forward")
    with _lock:
        _offset_seconds += seconds
        return _offset_seconds
