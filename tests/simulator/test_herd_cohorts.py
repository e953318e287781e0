"""The herd ticks its unicorns in cohorts (same period, same slot): one heap entry and one lateness check per cohort
and tick. Each unicorn still ticks exactly when its own schedule says, makes exactly its records, and the herd
hands over the record bytes straight from the model. Fake clock: it moves only when the herd sleeps."""

import random
from collections import Counter

import pytest

from simulator.herd import GOLDEN, ON_TIME_SECONDS, Herd, Runner
from simulator.unicorn import Unicorn
from tests.simulator.test_herd_wakeups import CountingStop, FakeBatcher, FakeClock

START = 1000.0


def _herd(runners: list[Runner], stop_cls: type[CountingStop] = CountingStop) -> tuple[Herd, FakeBatcher]:
    clock = FakeClock()
    clock.now = START
    batcher = FakeBatcher()
    batcher.clock = clock
    herd = Herd(runners, batcher, random.Random(5), clock=clock, stop_event=stop_cls(clock))  # type: ignore[arg-type]
    return herd, batcher


def _expected(runners: list[Runner], duration: float) -> Counter:
    """(moment, name) of every tick, from each unicorn's own schedule: its slot's moment every period, moved (from
    two slots on) by that slot's offset, which starts at slot x golden ratio and steps by the golden ratio, a fraction
    of the gap to the next slot; until its records run out or the run ends."""
    slots = Herd.slots(len(runners))
    ticks: Counter = Counter()
    for index, runner in enumerate(runners):
        slot = (index * slots // len(runners)) % slots
        base = START + runner.period * slot / slots
        spread = runner.period / slots if slots > 1 else 0.0
        phase = slot * GOLDEN % 1.0
        left = runner.records_left
        while base + phase * spread < START + duration and (left is None or left > 0):
            ticks[round(base + phase * spread, 6), runner.unicorn.name] += 1
            base += runner.period
            phase = (phase + GOLDEN) % 1.0
            left = None if left is None else left - 1
    return ticks


def _mixed_herd() -> list[Runner]:
    rng = random.Random(1)
    rates = [1.0, 2.0, 0.5, 1.0, 10.0, 3.0]
    limits = [None, None, 3, None, 7, None, 2, None]
    return [Runner(Unicorn(f"m{n}", rng), 1.0 / rates[n % len(rates)], limits[n % len(limits)]) for n in range(240)]


def test_every_unicorn_ticks_on_its_own_schedule_in_a_mixed_herd() -> None:
    runners = _mixed_herd()
    expected = _expected(runners, 6.02)
    herd, batcher = _herd(runners)
    stats = herd.run(duration=6.02)
    assert Counter((round(when, 6), key) for when, key in batcher.puts) == expected
    assert stats.ticks == sum(expected.values()) and stats.late == 0
    by_name = Counter()
    for (_, name), times in expected.items():
        by_name[name] += times
    assert stats.produced_by_name == dict(by_name)


def test_a_herd_whose_unicorns_all_run_out_stops_by_itself() -> None:
    rng = random.Random(2)
    runners = [Runner(Unicorn(f"c{n}", rng), 0.5, 1 + n % 4) for n in range(30)]
    herd, batcher = _herd(runners)
    stats = herd.run(duration=None)
    assert stats.produced_by_name == {f"c{n}": 1 + n % 4 for n in range(30)}
    assert Counter(key for _, key in batcher.puts) == Counter(stats.produced_by_name)


def test_a_second_run_adds_to_the_counts() -> None:
    rng = random.Random(3)
    runners = [Runner(Unicorn(f"r{n}", rng), 1.0, None) for n in range(25)]
    herd, _ = _herd(runners)
    herd.run(duration=2.25)
    herd.run(duration=2.25)
    # Two slots: the first half of the herd ticks at 0, 1 and 2 s of each run, the second at 0.5 and 1.5 s.
    assert herd.stats.produced_by_name == {f"r{n}": 6 if n < 13 else 4 for n in range(25)}
    assert herd.stats.ticks == 13 * 6 + 12 * 4


class PausingStop(CountingStop):
    """The machine pauses once: the third sleep lasts 5 s longer than asked."""

    def wait(self, timeout: float | None = None) -> bool:
        woke = super().wait(timeout)
        if len(self.sleeps) == 3:
            self.clock.now += 5.0
        return woke


def test_after_a_pause_each_unicorn_catches_up_at_most_a_second_and_the_late_ticks_are_counted() -> None:
    rng = random.Random(4)
    runners = [Runner(Unicorn(f"p{n}", rng), 0.1, None) for n in range(4)]  # 10 Hz, one cohort
    herd, batcher = _herd(runners, PausingStop)
    stats = herd.run(duration=8.0)
    per_moment = Counter(round(when, 6) for when, _ in batcher.puts)
    # The slot after the pause carries the overdue tick, then one every period over the last second (the last of
    # them due at the very moment, give or take the rounding of ten additions of 0.1): 1 + 10 (or 11) each.
    assert 4 * 11 <= max(per_moment.values()) <= 4 * 12
    assert 4 * 10 <= stats.late <= 4 * 11  # the overdue one and those more than ON_TIME_SECONDS behind
    assert stats.worst_lateness > 5.0 - ON_TIME_SECONDS
    assert stats.ticks == sum(per_moment.values()) == len(batcher.puts)


class StepFree(Unicorn):
    __slots__ = ()

    def step(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the herd made a record object: step_data builds the bytes directly")


def test_the_herd_hands_over_the_models_bytes_without_a_record_object() -> None:
    rng = random.Random(6)
    twins = random.Random(6)
    runners = [Runner(StepFree(f"s{n}", rng), 1.0, None) for n in range(3)]
    mirror = [Unicorn(f"s{n}", twins) for n in range(3)]
    herd, batcher = _herd(runners)
    herd.rng, twins_rng = random.Random(9), random.Random(9)
    records: list[tuple[str, bytes]] = []
    batcher.put_slot = records.extend  # type: ignore[method-assign]
    herd.run(duration=2.5)
    assert [key for key, _ in records] == ["s0", "s1", "s2"] * 3
    for key, data in records:
        status_time = data.split(b'"StatusTime":"')[1][:23].decode()
        assert data == mirror[int(key[1:])].step(twins_rng, status_time, 1.0).encode()


@pytest.mark.parametrize("unicorns", [1, 19, 20, 10_000])
def test_cohorts_are_the_slots_of_a_one_rate_herd(unicorns: int) -> None:
    rng = random.Random(7)
    runners = [Runner(Unicorn(f"h{n}", rng), 1.0, None) for n in range(unicorns)]
    herd, batcher = _herd(runners)
    herd.run(duration=2.0)
    slots = Herd.slots(unicorns)
    per_slot = Counter((index * slots // unicorns) % slots for index in range(unicorns))
    assert batcher.slots == [per_slot[slot] for slot in range(slots)] * 2  # one hand-over per slot, as before
    assert len(batcher.puts) == 2 * unicorns
