"""CPU per MetricStore.put and memory per stored metric-hour: `python -m localaws.cloudwatch.bench`.

CPU is process time (all threads), so lock contention between threads shows as cost too. Figures vary with the
machine; the design target is 5 µs a put or less.
"""

import math
import threading
import time
import tracemalloc

from localaws.clock import Clock
from localaws.cloudwatch.store import MetricStore

ACCOUNT, REGION, STREAM = "123456789012", "us-east-1", {"StreamName": "wildrydes"}
KINESIS_PUT_METRICS = (
    ("IncomingRecords", "Count"),
    ("IncomingBytes", "Bytes"),
    ("PutRecords.TotalRecords", "Count"),
    ("PutRecords.SuccessfulRecords", "Count"),
    ("PutRecords.FailedRecords", "Count"),
    ("PutRecords.Bytes", "Bytes"),
)


class NoStore:
    """The same calls doing nothing: the loop's own cost, taken off the figures."""

    clock = Clock()

    def put(self, *args: object) -> None:
        return None


def cpu_per_put(puts: int, threads: int = 1, store: MetricStore | NoStore | None = None) -> float:
    """Microseconds of CPU per put, Kinesis's put metrics at the current time with varying values."""
    store = store or MetricStore(Clock())
    each = puts // threads

    def work() -> None:
        put, clock = store.put, store.clock
        for n in range(each // len(KINESIS_PUT_METRICS)):
            now = clock.time()
            for name, unit in KINESIS_PUT_METRICS:
                put(ACCOUNT, REGION, "AWS/Kinesis", name, STREAM, float(n % 500), unit, now)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.process_time()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return (time.process_time() - started) / (each * threads) * 1e6


def bytes_per_metric_hour(minutes: int = 180) -> float:
    """Memory held for one metric written every second for `minutes`, per hour of data."""
    clock = Clock()
    store = MetricStore(clock)
    first = math.floor(clock.time()) - minutes * 60
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for second in range(minutes * 60):
        for k in range(5):
            store.put(ACCOUNT, REGION, "AWS/Kinesis", "IncomingBytes", STREAM, 100.0 + 37 * k, "Bytes", first + second)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held / (minutes / 60)


def bytes_per_rolled_up_day(days: int = 2) -> float:
    """Memory held per day of one metric once its minutes are rolled up (older than 3 hours), one put a second."""
    clock = Clock()
    store = MetricStore(clock)
    first = math.floor(clock.time())
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for second in range(days * 86_400):
        if second % 3600 == 0:
            clock.advance(3600)
        store.put(ACCOUNT, REGION, "AWS/Kinesis", "IncomingBytes", STREAM, 100.0 + second % 37, "Bytes", first + second)
    clock.advance(4 * 3600)
    store.footprint()  # rolls up what has aged
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held / days


def main() -> None:
    loop = cpu_per_put(600_000, store=NoStore())
    print(f"CPU per put, 1 thread:  {cpu_per_put(600_000) - loop:.2f} µs (the calling loop's {loop:.2f} µs taken off)")
    print(f"CPU per put, 8 threads: {cpu_per_put(600_000, threads=8) - loop:.2f} µs")
    print(f"memory, 1-second detail (3 h): {bytes_per_metric_hour() / 1e3:.0f} kB per metric-hour")
    print(f"memory, rolled up (15 days):   {bytes_per_rolled_up_day() / 1e3:.0f} kB per metric-day")


if __name__ == "__main__":
    main()
