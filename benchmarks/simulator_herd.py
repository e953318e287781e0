"""How big a herd one `simulate fleet` process drives, what a record costs, and how fast records reach a reader.

Run: .venv/bin/python benchmarks/simulator_herd.py [--quick]

Prints, each against its target, in one run:
- CPU per record: the herd (model + batcher + lean PutRecords) against a do-nothing sink, and against the local
  endpoint (target <= 20 us; the workshop's Go producer: ~750-900 us per record, one OS process per unicorn);
- memory per unicorn (target <= 10 KiB; Go producer: 12-15 MiB per unicorn);
- the largest herd at 1 Hz with >= 99 % of ticks on time, the herd pinned to core 0 and the endpoint to core 1
  (target >= 10,000 unicorns; if the endpoint saturates first, both ceilings are given);
- put -> consume latency p50/p99 at the default budget of 1.6 GetRecords/s per shard (targets 350/700 ms;
  workshop consumer: p50 ~400-500 ms) and for a lone reader at 5 calls/s (target p50 <= 150 ms).
Starts its own local endpoint with its defaults (IAM enforcement on; benchmarks/endpoint.py: launcher, temporary
state folder, free port) and talks to it through the default account's profile `wildrydes-local-<id>`, as
`eval "$(simulate local env)"` would set it up.
"""

import argparse
import os
import random
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.endpoint import BenchEndpoint, local_endpoint, wait_active  # noqa: E402
from simulator import awsconfig, record  # noqa: E402
from simulator.fastput import PutRecordsClient  # noqa: E402
from simulator.herd import Herd, Runner  # noqa: E402
from simulator.producer import Batcher  # noqa: E402
from simulator.reader import StartPosition, StreamReader  # noqa: E402
from simulator.unicorn import Unicorn  # noqa: E402


class Sink:
    """Accepts every PutRecords at once: what the herd costs by itself."""

    def put_records(self, StreamName, Records):
        return {"FailedRecordCount": 0, "Records": [{"SequenceNumber": "1", "ShardId": "s"}] * len(Records)}


@contextmanager
def profile_of(ep: BenchEndpoint) -> Iterator[awsconfig.AwsTarget]:
    """This process aimed at the endpoint through its default account's profile (what `simulate local env` prints),
    for as long as the block runs; the AWS target the simulator resolves from it."""
    saved = {name: os.environ.get(name) for name in ep.aws_env()}
    os.environ.update(ep.aws_env())
    try:
        yield awsconfig.resolve()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def herd_of(count: int, seed: int = 1) -> tuple[list[Runner], random.Random]:
    rng = random.Random(seed)
    return [Runner(Unicorn(f"U{n:05d}", rng), 1.0, None) for n in range(count)], rng


def run(count: int, seconds: float, put_client) -> dict:
    runners, rng = herd_of(count)
    batcher = Batcher(put_client, "bench")
    cpu = time.process_time()
    ticks = Herd(runners, batcher, rng).run(seconds)
    stats = batcher.close(timeout=30)
    cpu = time.process_time() - cpu
    return {
        "count": count,
        "sent": stats.sent,
        "failed": stats.failed,
        "on_time": ticks.on_time_share,
        "us_per_record": cpu / max(1, stats.sent) * 1e6,
        "cpu_share": cpu / seconds,
    }


def make_stream(target, name: str, shards: int) -> None:
    kinesis = awsconfig.client(target, "kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    wait_active(kinesis, name)


def lean_client(target) -> PutRecordsClient:
    boto = awsconfig.client(target, "kinesis", max_attempts=1)
    return PutRecordsClient(boto.meta.endpoint_url, target.region, awsconfig.session(target).get_credentials())


def latency(target, stream: str, budget: float, seconds: float) -> tuple[float, float, int]:
    """Put -> consume latency of the records of 20 unicorns at 1 Hz, read by one reader at `budget`."""
    reader = StreamReader(awsconfig.client(target, "kinesis"), stream, StartPosition("LATEST"), budget_per_shard=budget)
    seen: list[float] = []
    stop = time.monotonic() + seconds + 3

    def consume() -> None:
        for batch in reader.batches(deadline=stop):
            now = datetime.now(UTC)
            for item in batch.records:
                sent = record.parse_status_time(record.decode(item.data)["StatusTime"])
                seen.append((now - sent).total_seconds() * 1000)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    time.sleep(1.5)  # the reader has its LATEST iterators
    # 20 unicorns at 1 Hz, their ticks spread over the second as in any herd: records arrive at every phase
    # of the reader's polling (one unicorn at 10 Hz would lock to it and measure the phase, not the latency).
    source = random.Random(3)
    runners = [Runner(Unicorn(f"Latency-{n}", source), 1.0, None) for n in range(20)]
    batcher = Batcher(lean_client(target), stream)
    Herd(runners, batcher, source).run(seconds)
    batcher.close()
    thread.join()
    ordered = sorted(seen)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], len(ordered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs, smaller ladder")
    parser.add_argument("--latency-only", action="store_true", help="only the put->consume latencies")
    parser.add_argument(
        "--latency-seconds",
        type=float,
        default=60.0,
        help="how long each latency run lasts (default 60: 20 unicorns in two slots make 2 arrival moments a second, "
        "and the p50 of the 20 moments of a 10 s run strays by tens of ms from one run to the next)",
    )
    args = parser.parse_args()
    seconds = 5.0 if args.quick else 10.0
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    if not args.latency_only:
        throughput(seconds, args.quick, verdict)
    with local_endpoint() as ep, profile_of(ep) as target:
        make_stream(target, "latency", shards=1)
        p50, p99, n = latency(target, "latency", 1.6, args.latency_seconds)
        print(
            f"put->consume at 1.6 GetRecords/s: p50 {p50:.0f} ms, p99 {p99:.0f} ms over {n} records "
            f"(targets 350/700 ms)  {verdict(p50 <= 350 and p99 <= 700)}"
        )
        make_stream(target, "latency-lone", shards=1)
        p50, p99, n = latency(target, "latency-lone", 5.0, args.latency_seconds)
        print(
            f"put->consume, lone reader at 5 calls/s: p50 {p50:.0f} ms, p99 {p99:.0f} ms over {n} records "
            f"(target p50 <= 150 ms)  {verdict(p50 <= 150)}"
        )
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def throughput(seconds: float, quick: bool, verdict) -> None:
    # Memory per unicorn: the model and its queue entry, measured on a herd of 10,000 and run once.
    before = rss_kib()
    runners, rng = herd_of(10_000)
    batcher = Batcher(Sink(), "bench")
    Herd(runners, batcher, rng).run(1.5)
    batcher.close()
    per_unicorn = (rss_kib() - before) / 10_000
    print(
        f"memory per unicorn: {per_unicorn:.2f} KiB (target <= 10 KiB; Go producer 12-15 MiB)  "
        f"{verdict(per_unicorn <= 10)}"
    )
    del runners, batcher

    sink = run(10_000, seconds, Sink())
    print(
        f"CPU per record, do-nothing sink, 10,000 unicorns: {sink['us_per_record']:.1f} us "
        f"(on time {sink['on_time']:.2%})  {verdict(sink['us_per_record'] <= 20)}"
    )

    with local_endpoint() as ep, profile_of(ep) as target:
        cores = os.sched_getaffinity(0)
        try:
            ladder_on(ep, target, cores, seconds, quick, verdict)
        finally:
            os.sched_setaffinity(0, cores)


def ladder_on(ep: BenchEndpoint, target: awsconfig.AwsTarget, cores: set[int], seconds: float, quick: bool, verdict):
    """The largest herd at 1 Hz, the herd on core 0 and the endpoint (its thread that accepts connections, whose
    affinity the connection threads inherit) on core 1."""
    pinned = len(cores) >= 2
    if pinned:
        os.sched_setaffinity(0, {0})
        os.sched_setaffinity(ep.pid, {1})
    make_stream(target, "bench", shards=20)
    ladder = [2_000, 5_000, 10_000] if quick else [2_000, 5_000, 10_000, 15_000, 20_000]
    best = 0
    print(f"herd at 1 Hz against the endpoint ({'herd on core 0, endpoint on core 1' if pinned else 'unpinned'}):")
    for count in ladder:
        result = run(count, seconds, lean_client(target))
        held = result["on_time"] >= 0.99 and result["failed"] == 0 and result["sent"] >= count * seconds * 0.97
        print(
            f"  {count:>6,} unicorns: sent {result['sent']:>7,}, on time {result['on_time']:.2%}, "
            f"{result['us_per_record']:.1f} us CPU/record, herd CPU {result['cpu_share']:.0%}"
            f"  {'held' if held else 'NOT held'}"
        )
        if not held:
            break
        best = count
    print(f"largest herd held at 1 Hz: {best:,} unicorns (target >= 10,000)  {verdict(best >= 10_000)}")


if __name__ == "__main__":
    main()
