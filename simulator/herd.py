"""Running a herd: every unicorn ticks at its own rate, ticks spread evenly over each second.

One thread drives the whole herd: unicorns are spread over up to `SLOTS_PER_SECOND` time slots, so 10,000
unicorns at 1 Hz make 10,000 records a second in small, even bursts rather than one spike per second. A small herd
gets fewer slots (`UNICORNS_PER_SLOT` unicorns each): the unicorns of a slot tick together, so their records share
one PutRecords call instead of one call each. From `SPREAD_FROM` unicorns on there are at least two slots, and
each slot's tick moves by a different offset every period, within the gap to the next slot (golden-ratio steps, so
the offsets fill the gap evenly within a few ticks): the herd's records then arrive at every moment of the period,
as those of independent producers do, and a reader polling at its budget meets them at every phase of its polling.
Without the offsets the slots pinned a few phases (ticks every 1 s against polls every 0.625 s meet five phases
125 ms apart), and the p50 latency at 1.6 calls/s hung on where the herd's second started: 260-377 ms over a sweep
of starts. A unicorn still makes one record a period, each at most one slot's gap early or late. A herd smaller
than `SPREAD_FROM` ticks as one at a fixed moment, for the fewest calls (as one Go producer does).
Unicorns of the same period and slot form a cohort that ticks as one: the schedule (a heap), the lateness check and
the record counts are kept per cohort and tick, and each unicorn's work is only its model step, which builds the
record's bytes directly (at 10,000 unicorns that halved the herd's CPU per record; docs/benchmarks.md).
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
GOLDEN = (5**0.5 - 1) / 2  # the step of the slots' offsets: irrational, so they never repeat a pattern
ON_TIME_SECONDS = 0.1  # a tick later than this counts as late


@dataclass
class Runner:
    unicorn: Unicorn
    period: float  # seconds between ticks (1 / rate)
    records_left: int | None  # None: until the herd stops
    next_tick: float = 0.0
    produced: int = 0  # records made that the herd's stats do not count yet


@dataclass
class _Cohort:
    """Runners that tick at the same moments: the same period and the same slot. They stay together for good
    (their next tick is computed the same way from the same tick), so the herd keeps one heap entry, one lateness
    check and one count per cohort and tick, not per unicorn: at 10,000 unicorns in 50 slots that is 200 times
    fewer of each."""

    period: float
    runners: list[Runner]
    unicorns: list[Unicorn]
    limited: bool  # some runner has a number of records left
    ticks: int = 0  # ticks made (by every runner still in it)
    next_tick: float = 0.0
    base_tick: float = 0.0  # the slot's own moment this period; next_tick is it plus this tick's offset
    spread: float = 0.0  # offsets run over [0, spread): the gap to the next slot (0: no offsets)
    phase: float = 0.0  # where this cohort is in the offsets' sequence

    def offset(self) -> float:
        """The next offset from the slot's moment. Golden-ratio steps (a low-discrepancy sequence) fill [0, spread)
        evenly after a few ticks, so the slots together cover every moment of the period (see the module's
        docstring), while each unicorn still makes exactly one record per period on average."""
        self.phase = (self.phase + GOLDEN) % 1.0
        return self.phase * self.spread

    def drop_finished(self) -> None:
        """Count down the runners' records; the runners with none left leave (with the ticks they made)."""
        keep = []
        for runner in self.runners:
            if runner.records_left is not None:
                runner.records_left -= 1
                if runner.records_left <= 0:
                    runner.produced += self.ticks
                    continue
            keep.append(runner)
        if len(keep) < len(self.runners):
            for runner in keep:  # their count so far, so that ticks can start again from 0
                runner.produced += self.ticks
            self.ticks = 0
            self.runners = keep
            self.unicorns = [runner.unicorn for runner in keep]
            self.limited = any(runner.records_left is not None for runner in keep)


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
        cohorts = self._cohorts(start)
        # A heap of (next tick, position, cohort) hands out the due cohorts in O(log n) each.
        due = [(cohort.next_tick, position, cohort) for position, cohort in enumerate(cohorts)]
        heapq.heapify(due)
        end = None if duration is None else start + duration
        stats, batcher, rng, on_tick = self.stats, self.batcher, self.rng, self.on_tick
        try:
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
                    tick, position, cohort = heapq.heappop(due)
                    ticked = len(cohort.unicorns)
                    stats.ticks += ticked
                    lateness = now - tick
                    if lateness > ON_TIME_SECONDS:
                        stats.late += ticked
                        stats.worst_lateness = max(stats.worst_lateness, lateness)
                    period = cohort.period
                    slot += [(unicorn.name, unicorn.step_data(rng, status_time, period)) for unicorn in cohort.unicorns]
                    cohort.ticks += 1
                    if on_tick:
                        for unicorn in cohort.unicorns:
                            on_tick(unicorn.name)
                    if cohort.limited:
                        cohort.drop_finished()
                        if not cohort.runners:
                            continue
                    # Far behind (the machine paused): skip ahead rather than burst to catch up.
                    cohort.base_tick = max(cohort.base_tick + period, now - 1.0)
                    cohort.next_tick = cohort.base_tick + cohort.offset()
                    heapq.heappush(due, (cohort.next_tick, position, cohort))
                batcher.put_slot(slot)  # the slot's records leave together: one wake-up of the sender, one call
            if batcher.fatal:
                raise batcher.fatal
        finally:
            self._count(cohorts)
        return self.stats

    def _cohorts(self, start: float) -> list[_Cohort]:
        """The runners with records to make, in cohorts; first ticks spread evenly over one period, in a fixed
        order (the same seed gives the same herd)."""
        count = max(1, len(self.runners))
        slots = self.slots(count)
        cohorts: dict[tuple[float, int], _Cohort] = {}
        for index, runner in enumerate(self.runners):
            if runner.records_left is None or runner.records_left > 0:
                slot = (index * slots // count) % slots  # even over the period, any herd size
                runner.next_tick = start + runner.period * slot / slots
                cohort = cohorts.get((runner.period, slot))
                if cohort is None:
                    cohort = cohorts[runner.period, slot] = _Cohort(runner.period, [], [], False)
                    cohort.base_tick = runner.next_tick
                    if slots > 1:  # offsets within the gap to the next slot; each slot starts elsewhere in them
                        cohort.spread = runner.period / slots
                        cohort.phase = slot * GOLDEN % 1.0
                    cohort.next_tick = cohort.base_tick + cohort.phase * cohort.spread  # slot 0 starts at once
                cohort.runners.append(runner)
                cohort.unicorns.append(runner.unicorn)
                cohort.limited = cohort.limited or runner.records_left is not None
        return list(cohorts.values())

    def _count(self, cohorts: list[_Cohort]) -> None:
        """What each unicorn made, into the stats (counted per cohort while running: no per-record bookkeeping)."""
        for cohort in cohorts:
            for runner in cohort.runners:
                runner.produced += cohort.ticks
                runner.next_tick = cohort.next_tick
            cohort.ticks = 0
        produced = self.stats.produced_by_name
        for runner in self.runners:
            if runner.produced:
                name = runner.unicorn.name
                produced[name] = produced.get(name, 0) + runner.produced
                runner.produced = 0

    def stop(self) -> None:
        self.stop_event.set()
