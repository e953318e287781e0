"""The metric store: buckets, memory bounded by time, roll-up after 3 hours, retention on the endpoint's clock,
percentiles, thread safety."""

import math
import threading

import pytest

from localaws.clock import Clock
from localaws.cloudwatch.aggregate import GAMMA
from localaws.cloudwatch.store import HIGH_RESOLUTION_SECONDS, MetricId, MetricStore
from localaws.runtime import MetricsSink

ACCOUNT, REGION = "123456789012", "us-east-1"
STREAM = {"StreamName": "wildrydes"}
INCOMING = MetricId(ACCOUNT, REGION, "AWS/Kinesis", "IncomingRecords", (("StreamName", "wildrydes"),))


def put(store: MetricStore, value: float, timestamp: float, name: str = "IncomingRecords", unit: str = "Count"):
    store.put(ACCOUNT, REGION, "AWS/Kinesis", name, STREAM, value, unit, timestamp)


def minute_start(clock: Clock) -> int:
    return int(clock.time()) // 60 * 60


def test_the_store_is_a_metrics_sink():
    sink: MetricsSink = MetricStore(Clock())
    assert callable(sink.put)


def test_a_million_puts_in_one_minute_are_one_fixed_size_slot():
    clock = Clock()
    store = MetricStore(clock)
    start = minute_start(clock) - 60
    for n in range(1_000_000):
        put(store, float(n % 7), start + (n % 60_000) / 1000)
    assert store.footprint() == (1, 0)
    (minute,) = store.buckets(INCOMING, "Count", start, start + 60, 60)["Count"].values()
    assert minute.count == 1_000_000
    assert minute.total == sum(n % 7 for n in range(1_000_000))
    assert (minute.low, minute.high) == (0.0, 6.0)
    seconds = store.buckets(INCOMING, "Count", start, start + 60, 1)["Count"]
    assert sorted(seconds) == list(range(60))
    assert sum(bucket.count for bucket in seconds.values()) == 1_000_000


def test_dimension_order_does_not_make_another_metric():
    store = MetricStore(Clock())
    now = store.clock.time()
    store.put(ACCOUNT, REGION, "Lab", "Rides", {"A": "1", "B": "2"}, 1.0, "Count", now)
    store.put(ACCOUNT, REGION, "Lab", "Rides", {"B": "2", "A": "1"}, 1.0, "Count", now)
    assert [metric for metric, _ in store.metrics()] == [
        MetricId(ACCOUNT, REGION, "Lab", "Rides", (("A", "1"), ("B", "2")))
    ]
    assert store.footprint() == (1, 0)


def test_units_are_kept_apart():
    clock = Clock()
    store = MetricStore(clock)
    now = clock.time()
    put(store, 3.0, now, unit="Count")
    put(store, 100.0, now, unit="Bytes")
    assert store.units(INCOMING) == ["Bytes", "Count"]
    second = math.floor(now)
    assert store.buckets(INCOMING, "Bytes", second, second + 1, 1)["Bytes"][0].total == 100.0
    assert set(store.buckets(INCOMING, None, second, second + 1, 1)) == {"Bytes", "Count"}


def test_seconds_roll_up_into_minutes_after_three_hours():
    clock = Clock()
    store = MetricStore(clock)
    start = minute_start(clock)
    for second in range(60):
        put(store, float(second), start + second)
    assert store.footprint() == (1, 0)
    clock.advance(HIGH_RESOLUTION_SECONDS + 120)
    put(store, 1.0, clock.time())  # any put (or query) ages the store
    assert store.footprint() == (1, 1)  # the new minute, and the old one packed into its hour
    # The rolled-up minute answers whole minutes only: its seconds are gone, as CloudWatch's high resolution.
    assert store.buckets(INCOMING, "Count", start, start + 60, 10) == {"Count": {}}
    (minute,) = store.buckets(INCOMING, "Count", start, start + 60, 60)["Count"].values()
    assert (minute.count, minute.total, minute.low, minute.high) == (60, sum(range(60)), 0.0, 59.0)
    assert minute.percentile(50) is None  # percentiles go with the seconds, as CloudWatch's high resolution


def test_data_older_than_retention_is_dropped_on_the_clock():
    clock = Clock()
    store = MetricStore(clock, retention_seconds=3600)
    put(store, 5.0, clock.time())
    assert store.footprint() == (1, 0)
    clock.advance(3600 + 61)
    assert store.metrics() == []
    assert store.footprint() == (0, 0)


def test_retention_defaults_to_fifteen_days():
    clock = Clock()
    store = MetricStore(clock)
    put(store, 5.0, clock.time())
    clock.advance(14 * 86_400)
    assert store.footprint() == (0, 1)
    clock.advance(86_400 + 120)
    assert store.buckets(INCOMING, None, 0, clock.time(), 86_400 * 30) == {"Count": {}}
    clock.advance(3600)  # the hour's slot goes when its last minute is past retention
    assert store.footprint() == (0, 0)


def test_a_datapoint_already_past_retention_is_not_stored():
    clock = Clock()
    store = MetricStore(clock, retention_seconds=600)
    put(store, 1.0, clock.time() - 3600)
    assert store.footprint() == (0, 0)


def test_a_late_datapoint_for_a_rolled_up_minute_joins_the_minute():
    clock = Clock()
    store = MetricStore(clock)
    old = minute_start(clock) - HIGH_RESOLUTION_SECONDS - 600
    put(store, 2.0, old + 5)
    put(store, 3.0, old + 7)
    assert store.footprint() == (0, 1)
    (minute,) = store.buckets(INCOMING, "Count", old, old + 60, 60)["Count"].values()
    assert minute.total == 5.0


def test_retention_must_be_positive():
    with pytest.raises(ValueError):
        MetricStore(Clock(), retention_seconds=0)


def test_percentiles_are_within_the_histogram_error():
    clock = Clock()
    store = MetricStore(clock)
    moment = float(minute_start(clock))
    for value in range(1, 1001):
        put(store, float(value), moment)
    (bucket,) = store.buckets(INCOMING, "Count", int(moment), moment + 1, 1)["Count"].values()
    for rank, exact in ((50, 500), (90, 900), (99, 990)):
        assert bucket.percentile(rank) == pytest.approx(exact, rel=GAMMA - 1)
    assert bucket.percentile(0) == 1.0 and bucket.percentile(100) == 1000.0


def test_percentiles_of_equal_values_are_exact():
    clock = Clock()
    store = MetricStore(clock)
    moment = float(minute_start(clock))
    for _ in range(10):
        put(store, 123.0, moment)
    (bucket,) = store.buckets(INCOMING, "Count", int(moment), moment + 1, 1)["Count"].values()
    assert bucket.percentile(99) == 123.0


def test_percentiles_need_all_of_a_minutes_data_in_one_bucket():
    clock = Clock()
    store = MetricStore(clock)
    start = minute_start(clock) - 60
    for second in range(0, 60, 5):
        put(store, float(second), start + second)
    (minute,) = store.buckets(INCOMING, "Count", start, start + 60, 60)["Count"].values()
    assert minute.percentile(50) == pytest.approx(25, rel=GAMMA - 1)
    # The histogram is kept per minute: 10-second buckets of that minute tell every statistic but percentiles.
    tens = store.buckets(INCOMING, "Count", start, start + 60, 10)["Count"]
    assert [tens[k].total for k in range(6)] == [0 + 5, 10 + 15, 20 + 25, 30 + 35, 40 + 45, 50 + 55]
    assert {tens[k].percentile(50) for k in range(6)} == {None}
    # An EndTime inside the minute cuts its data, so the minute's histogram no longer fits either.
    (cut,) = store.buckets(INCOMING, "Count", start, start + 30, 60)["Count"].values()
    assert (cut.total, cut.percentile(50)) == (sum(range(0, 30, 5)), None)


def test_no_percentiles_once_a_value_is_negative():
    clock = Clock()
    store = MetricStore(clock)
    moment = float(minute_start(clock))
    put(store, 5.0, moment)
    put(store, -1.0, moment)
    (bucket,) = store.buckets(INCOMING, "Count", int(moment), moment + 1, 1)["Count"].values()
    assert bucket.percentile(50) is None
    assert bucket.statistic("Minimum") == -1.0


def test_threads_putting_at_once_lose_nothing():
    clock = Clock()
    store = MetricStore(clock)
    moment = clock.time()
    threads, each = 16, 20_000

    def work(thread: int) -> None:
        for n in range(each):
            put(store, 1.0, moment + (n % 3))
            store.put(ACCOUNT, REGION, "Lab", f"Thread{thread % 4}", {}, 2.0, "Count", moment)

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    start = math.floor(moment)
    incoming = store.buckets(INCOMING, "Count", start, start + 3, 3)["Count"][0]
    assert incoming.count == threads * each
    for name in range(4):
        metric = MetricId(ACCOUNT, REGION, "Lab", f"Thread{name}", ())
        assert store.buckets(metric, "Count", start, start + 1, 1)["Count"][0].total == 2.0 * each * threads / 4


def test_a_backfill_of_old_minutes_is_packed_into_hours():
    clock = Clock()
    store = MetricStore(clock)
    start = int(clock.time()) // 3600 * 3600 - 10 * 3600
    for minute in range(5 * 60):
        put(store, 2.0, start + 60 * minute + 30)
    assert store.footprint() == (0, 5)
    hours = store.buckets(INCOMING, "Count", start, start + 5 * 3600, 3600)["Count"]
    assert [(hours[k].count, hours[k].total) for k in range(5)] == [(60, 120.0)] * 5


def test_late_data_merges_with_a_rolled_up_minute():
    clock = Clock()
    store = MetricStore(clock)
    start = minute_start(clock)
    put(store, 1.0, start + 10)
    clock.advance(HIGH_RESOLUTION_SECONDS + 120)
    assert store.footprint() == (0, 1)
    put(store, 5.0, start + 50)
    put(store, -2.0, start + 20)
    assert store.footprint() == (0, 1)
    (minute,) = store.buckets(INCOMING, "Count", start, start + 60, 60)["Count"].values()
    assert (minute.count, minute.total, minute.low, minute.high) == (3, 4.0, -2.0, 5.0)
