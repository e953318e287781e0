"""The herd sleeps until its next tick is due: no wake-ups at rest, whatever the herd's size or rates, and small
herds tick together so that their records share a PutRecords call. A fake clock moves only when the herd sleeps;
every sleep is counted with the time it asked for."""

import itertools
import random
import threading

import pytest

from simulator.herd import SLOTS_PER_SECOND, SPREAD_FROM, UNICORNS_PER_SLOT, Herd, Runner
from simulator.unicorn import Unicorn


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingStop(threading.Event):
    """The herd's stop event: each wait moves the fake clock by the time asked for, and is remembered."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.sleeps: list[tuple[float, float]] = []  # (when, for how long)

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None, "the herd never sleeps without a wake-up time"
        self.sleeps.append((self.clock.now, timeout))
        self.clock.now += timeout
        return self.is_set()


class FakeBatcher:
    def __init__(self) -> None:
        self.fatal = None
        self.listeners: list = []
        self.puts: list[tuple[float, str]] = []
        self.slots: list[int] = []  # records handed over per slot
        self.clock: FakeClock | None = None

    def on_fatal(self, listener) -> None:
        self.listeners.append(listener)

    def put_slot(self, records: list[tuple[str, bytes]]) -> None:
        assert self.clock is not None
        self.slots.append(len(records))
        self.puts.extend((self.clock.now, key) for key, _ in records)


def _herd(rates: list[float]) -> tuple[Herd, FakeClock, CountingStop, FakeBatcher]:
    rng = random.Random(7)
    clock = FakeClock()
    stop = CountingStop(clock)
    batcher = FakeBatcher()
    batcher.clock = clock
    runners = [Runner(Unicorn(f"u{index}", rng), 1.0 / rate, None) for index, rate in enumerate(rates)]
    return Herd(runners, batcher, rng, clock=clock, stop_event=stop), clock, stop, batcher  # type: ignore[arg-type]


def test_a_slow_unicorn_sleeps_once_per_tick() -> None:
    herd, _, stop, batcher = _herd([0.01])  # one record every 100 s
    herd.run(duration=350.0)
    assert len(batcher.puts) == 4  # at 0, 100, 200 and 300 s
    # One sleep from each tick to the next, and one to the end: no wake-up in between.
    assert [round(seconds, 6) for _, seconds in stop.sleeps] == [100.0, 100.0, 100.0, 50.0]


def test_each_sleep_lasts_until_the_next_due_tick() -> None:
    herd, _, stop, batcher = _herd([1.0, 0.5, 3.0])
    herd.run(duration=10.0)
    tick_times = sorted({when for when, _ in batcher.puts})
    for when, seconds in stop.sleeps:
        following = [tick for tick in tick_times if tick > when]
        wake = when + seconds
        assert following[0] == pytest.approx(wake) if following else wake == pytest.approx(1010.0)
    assert len(stop.sleeps) <= len(tick_times)  # never more wake-ups than moments something is due


def test_a_small_herd_ticks_together_so_one_call_carries_its_records() -> None:
    herd, _, _, batcher = _herd([1.0] * 5)
    herd.run(duration=3.0)
    moments = sorted({when for when, _ in batcher.puts})
    assert len(batcher.puts) == 15
    assert len(moments) == 3  # 5 unicorns, one moment a second
    assert batcher.slots == [5, 5, 5]  # handed to the batcher together: one PutRecords call each


def test_fifty_unicorns_tick_in_two_slots() -> None:
    herd, _, _, batcher = _herd([1.0] * 50)
    herd.run(duration=2.0)
    assert len(batcher.puts) == 100
    assert batcher.slots == [25] * 4  # 2 calls a second instead of 50


@pytest.mark.parametrize(
    ("unicorns", "slots"),
    [
        (1, 1),
        (SPREAD_FROM - 1, 1),
        (SPREAD_FROM, 2),
        (50, 2),
        (UNICORNS_PER_SLOT * 3, 3),
        (10_000, SLOTS_PER_SECOND),
        (1_000_000, SLOTS_PER_SECOND),
    ],
)
def test_slots_grow_with_the_herd_up_to_the_limit(unicorns: int, slots: int) -> None:
    assert Herd.slots(unicorns) == slots


def test_a_fatal_batcher_error_wakes_the_sleeping_herd() -> None:
    herd, _, stop, batcher = _herd([0.01])

    def fail_on_first_put(records: list[tuple[str, bytes]]) -> None:
        batcher.fatal = RuntimeError("the stream is gone")
        for listener in batcher.listeners:
            listener()

    batcher.put_slot = fail_on_first_put  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="the stream is gone"):
        herd.run(duration=1000.0)
    assert stop.sleeps == []  # it did not sleep the 100 s to the next tick first


@pytest.mark.parametrize("poll_interval", [0.625, 0.2, 0.5, 1.0 / 3])
def test_a_spread_herd_meets_every_phase_of_a_readers_polling(poll_interval: float) -> None:
    """A reader polling every `poll_interval` waits, for each record, until its next poll. Ticks that always fall
    at the same few phases of its polling make that wait hang on where the herd started (issue 11: a p50 between
    260 and 377 ms at 1.6 calls/s); ticks spread over every phase make it the same for any start."""
    herd, _, _, batcher = _herd([1.0] * 20)
    herd.run(duration=30.0)
    bins = [0] * 10
    for when, _ in batcher.puts:
        bins[int((when % poll_interval) / poll_interval * 10) % 10] += 1
    expected = len(batcher.puts) / 10
    assert min(bins) >= expected * 0.5, bins
    assert max(bins) <= expected * 1.5, bins


def test_a_spread_herd_still_makes_one_record_a_period_per_unicorn() -> None:
    herd, _, _, batcher = _herd([1.0] * 20 + [0.5] * 20)
    herd.run(duration=100.0)
    by_unicorn: dict[str, list[float]] = {}
    for when, key in batcher.puts:
        by_unicorn.setdefault(key, []).append(when)
    for key, times in by_unicorn.items():
        period = 1.0 if int(key[1:]) < 20 else 2.0
        assert abs(len(times) - 100 / period) <= 1
        gaps = [b - a for a, b in itertools.pairwise(times)]
        # Never more than one slot's gap early or late: the unicorn's records stay about a period apart.
        assert all(period / 2 - 1e-9 <= gap <= period * 1.5 + 1e-9 for gap in gaps), (key, min(gaps), max(gaps))


def test_the_first_slot_of_a_spread_herd_ticks_at_once() -> None:
    herd, clock, _, batcher = _herd([1.0] * 50)
    start = clock.now
    herd.run(duration=1.0)
    assert batcher.puts[0][0] == start
