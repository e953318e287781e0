"""Running a herd: every unicorn ticks at its own rate, ticks spread evenly over each second.

One thread drives the whole herd: unicorns are spread over `SLOTS_PER_SECOND` time slots, so 10,000
unicorns at 1 Hz make 10,000 records a second in small, even bursts rather than one spike per second.
Each tick steps the unicorn model (pure) and hands the record to the batcher (the only writer).
"""

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from simulator.producer import Batcher
from simulator.unicorn import Unicorn

SLOTS_PER_SECOND = 50
ON_TIME_SECONDS = 0.1  # a tick later than this counts as late


@dataclass
class Runner:
    unicorn: Unicorn
    period: float  # seconds between ticks (1 / rate)
    records_left: int | None  # None: until the herd stops
    next_tick: float = 0.0


@dataclass
class TickStats:
    ticks: int = 0
    late: int = 0
    worst_lateness: float = 0.0
    produced_by_name: dict[str, int] = field(default_factory=dict)

    @property
    def on_time_share(self) -> float:
        return 1.0 if not self.ticks else (self.ticks - self.late) / self.ticks


class Herd:
    def __init__(
        self,
        runners: list[Runner],
        batcher: Batcher,
        rng: random.Random,
        *,
        on_tick: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.runners = runners
        self.batcher = batcher
        self.rng = rng
        self.on_tick = on_tick
        self.clock = clock
        self.stats = TickStats()
        self.stop_event = threading.Event()

    def run(self, duration: float | None = None) -> TickStats:
        """Tick until `duration` passes, every unicorn ran out of records, stop() is called, or the batcher
        hits a fatal error (raised)."""
        start = self.clock()
        # Spread first ticks evenly over one period, in a fixed order: the same seed gives the same herd.
        for index, runner in enumerate(self.runners):
            slot = index % SLOTS_PER_SECOND
            runner.next_tick = start + runner.period * slot / SLOTS_PER_SECOND
        end = None if duration is None else start + duration
        active = [r for r in self.runners if r.records_left is None or r.records_left > 0]
        while active and not self.stop_event.is_set():
            now = self.clock()
            if end is not None and now >= end:
                break
            if self.batcher.fatal:
                raise self.batcher.fatal
            wall = datetime.now(UTC)
            due_any = False
            for runner in active:
                if runner.next_tick > now:
                    continue
                due_any = True
                lateness = now - runner.next_tick
                self.stats.ticks += 1
                if lateness > ON_TIME_SECONDS:
                    self.stats.late += 1
                self.stats.worst_lateness = max(self.stats.worst_lateness, lateness)
                status = runner.unicorn.step(self.rng, wall, runner.period)
                self.batcher.put(runner.unicorn.name, status.encode())
                name = runner.unicorn.name
                self.stats.produced_by_name[name] = self.stats.produced_by_name.get(name, 0) + 1
                if self.on_tick:
                    self.on_tick(name)
                runner.next_tick += runner.period
                if runner.next_tick < now - 1.0:
                    runner.next_tick = now  # far behind (machine paused): do not burst to catch up
                if runner.records_left is not None:
                    runner.records_left -= 1
            if due_any:
                active = [r for r in active if r.records_left is None or r.records_left > 0]
            wake = min((r.next_tick for r in active), default=now)
            if end is not None:
                wake = min(wake, end)
            pause = wake - self.clock()
            if pause > 0:
                self.stop_event.wait(min(pause, 1.0 / SLOTS_PER_SECOND))
        return self.stats

    def stop(self) -> None:
        self.stop_event.set()
