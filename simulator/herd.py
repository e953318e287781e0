"""Running a herd: every unicorn ticks at its own rate, ticks spread evenly over each second.

One thread drives the whole herd: unicorns are spread over up to `SLOTS_PER_SECOND` time slots, so 10,000
unicorns at 1 Hz make 10,000 records a second in small, even bursts rather than one spike per second. A small herd
gets fewer slots (`UNICORNS_PER_SLOT` unicorns each): the unicorns of a slot tick together, so their records share
one PutRecords call instead of one call each. From `SPREAD_FROM` unicorns on there are at least two slots, half a
period apart: a reader polling at its budget (1.6 calls/s) then meets the herd's records at enough phases of its
polling that their latency does not hang on where the herd's second happened to start (with one slot, 20 unicorns
measured p50 378-381 ms against 326 ms with two). A herd smaller than that ticks as one, for the fewest calls.
Each tick steps the unicorn model (pure) and hands the record to the batcher (the only writer). Between ticks
the thread sleeps until the next one is due: a herd at rest costs nothing. It wakes early only for stop() (or its
stop event) and for the batcher's fatal error.
"""

import heapq
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from simulator.producer import Batcher
from simulator.record import format_status_time
from simulator.unicorn import Unicorn

SLOTS_PER_SECOND = 50
UNICORNS_PER_SLOT = 200
SPREAD_FROM = 20
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
        stop_event: threading.Event | None = None,
    ):
        self.runners = runners
        self.batcher = batcher
        self.rng = rng
        self.on_tick = on_tick
        self.clock = clock
        self.stats = TickStats()
        self.stop_event = stop_event or threading.Event()
        # The batcher says when it failed for good, so the herd need not look between ticks.
        batcher.on_fatal(self.stop_event.set)

    @staticmethod
    def slots(unicorns: int) -> int:
        """How many time slots a period is cut into for a herd of `unicorns`."""
        least = 2 if unicorns >= SPREAD_FROM else 1
        return max(least, min(SLOTS_PER_SECOND, unicorns // UNICORNS_PER_SLOT))

    def run(self, duration: float | None = None) -> TickStats:
        """Tick until `duration` passes, every unicorn ran out of records, stop() is called, or the batcher
        hits a fatal error (raised)."""
        start = self.clock()
        # Spread first ticks evenly over one period, in a fixed order: the same seed gives the same herd.
        # A heap of (next tick, position) hands out the due unicorns in O(log n) each.
        due: list[tuple[float, int]] = []
        count = max(1, len(self.runners))
        slots = self.slots(count)
        for index, runner in enumerate(self.runners):
            if runner.records_left is None or runner.records_left > 0:
                slot = (index * slots // count) % slots  # even over the period, any herd size
                runner.next_tick = start + runner.period * slot / slots
                due.append((runner.next_tick, index))
        heapq.heapify(due)
        end = None if duration is None else start + duration
        stats, produced, batcher, rng = self.stats, self.stats.produced_by_name, self.batcher, self.rng
        while due and not self.stop_event.is_set():
            now = self.clock()
            if end is not None and now >= end:
                break
            if batcher.fatal:
                raise batcher.fatal
            if due[0][0] > now:
                wake = due[0][0] if end is None else min(due[0][0], end)
                self.stop_event.wait(wake - now)
                continue
            # One timestamp for every unicorn due in this slot (they tick within a few ms of each other).
            status_time = format_status_time(datetime.now(UTC))
            slot: list[tuple[str, bytes]] = []
            while due and due[0][0] <= now:
                tick, index = heapq.heappop(due)
                runner = self.runners[index]
                lateness = now - tick
                stats.ticks += 1
                if lateness > ON_TIME_SECONDS:
                    stats.late += 1
                    stats.worst_lateness = max(stats.worst_lateness, lateness)
                unicorn = runner.unicorn
                slot.append((unicorn.name, unicorn.step(rng, status_time, runner.period).encode()))
                produced[unicorn.name] = produced.get(unicorn.name, 0) + 1
                if self.on_tick:
                    self.on_tick(unicorn.name)
                if runner.records_left is not None:
                    runner.records_left -= 1
                    if runner.records_left <= 0:
                        continue
                # Far behind (the machine paused): skip ahead rather than burst to catch up.
                runner.next_tick = max(tick + runner.period, now - 1.0)
                heapq.heappush(due, (runner.next_tick, index))
            batcher.put_slot(slot)  # the slot's records leave together: one wake-up of the sender, one call
        if batcher.fatal:
            raise batcher.fatal
        return self.stats

    def stop(self) -> None:
        self.stop_event.set()
