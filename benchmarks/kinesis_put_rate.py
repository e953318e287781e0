"""PutRecords rate of the local endpoint on an empty shard and on a shard of 1,000,000 records.

Starts a localaws endpoint with its defaults (IAM enforcement on, request validation on; benchmarks/endpoint.py:
a temporary state folder, a free port, clients signed with the generated admin key of the default account) and
times PutRecords in batches of 500 JSON records of 151 bytes:

- one producer (the headline): the median of 5 rounds, each round into a new empty one-shard stream; then a shard
  is filled to 1,000,000 records and the same rounds go into it;
- two concurrent producers (two processes, each with its own connection) at both sizes: the records of both over
  the wall time from the first start to the last end;
- an empty GetRecords at the tip of the shard (median of 20, HTTP round trip included), at both sizes;
- the endpoint's resident memory (VmRSS) and its CPU per PutRecords call (every thread's /proc/PID/task/*/schedstat,
  nanoseconds; benchmarks/cpu.py), so the per-call cost shows apart from the client's;
- the endpoint's CPU per single-record PutRecord call and per empty GetRecords poll (2,000 each, keep-alive;
  target <= 1.0 ms each; `--per-call-only` measures just these).

Targets, printed as PASS/FAIL lines: one producer on an empty shard >= 18,000 records/s (on an idle machine), the
one-producer rate at 1,000,000 records >= 0.7 x the rate at 0, and <= 1.0 ms of endpoint CPU per single PutRecord
call and per empty GetRecords poll.

    .venv/bin/python benchmarks/kinesis_put_rate.py                                 # the full run
    .venv/bin/python benchmarks/kinesis_put_rate.py --records 100000 --batches 10   # a short run
    .venv/bin/python benchmarks/kinesis_put_rate.py --compare-moto-server           # plus plain moto at 0 and 100k

With --compare-moto-server it then times the same one-producer rounds on plain moto (moto's own `moto_server` from the
venv, a separate process; no IAM, no validation) on an empty shard and at --moto-records records. It has no bearing
on the exit status.

Exit status: 0 when every target passes, 1 otherwise.
"""

import argparse
import json
import multiprocessing
import os
import queue
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import cpu
from benchmarks.endpoint import BenchEndpoint, create_stream, local_endpoint, rss_mib
from benchmarks.moto_server import moto_server

STREAM = "wildrydes-bench"
SHARD = "shardId-000000000000"
BATCH = 500
ROUNDS = 5
TARGET_RATIO = 0.7
TARGET_RATE = 18_000
RECORD = json.dumps(
    {
        "Name": "Shadowfax",
        "StatusTime": "2017-06-05 09:17:08.189",
        "Latitude": 42.2644,
        "Longitude": -71.9758,
        "Distance": 175,
        "MagicPoints": 150,
        "HealthPoints": 150,
    },
    separators=(",", ":"),
).encode()


def batch(tag: int) -> list[dict]:
    return [{"Data": RECORD, "PartitionKey": f"unicorn-{tag}-{index}"} for index in range(BATCH)]


def put_batches(client: Any, stream: str, count: int, tag: int = 0) -> None:
    records = batch(tag)
    for _ in range(count):
        reply = client.put_records(StreamName=stream, Records=records)
        if reply.get("FailedRecordCount"):
            raise SystemExit(f"{reply['FailedRecordCount']} records failed")


@dataclass
class Timed:
    rate: float  # records/s: the median round (one producer) or the whole run (two)
    cpu_ns_per_call: float  # the endpoint's CPU per PutRecords call
    cpu_exact: bool  # False: from /proc/PID/stat's 10 ms ticks (a thread ended while timing)

    def cpu_text(self) -> str:
        return f"{self.cpu_ns_per_call:,.0f}" + ("" if self.cpu_exact else " (ticks)")


def one_producer(pid: int, client: Any, streams: list[str], batches: int) -> Timed:
    """One producer, a round per stream in `streams`, the rounds sharing `batches` batches: the median round's
    rate (a median resists a stray pause) and the CPU of the server process `pid` over all rounds per call."""
    per_round = max(1, batches // len(streams))
    rates = []
    before = cpu.snapshot(pid)
    for stream in streams:
        started = time.perf_counter()
        put_batches(client, stream, per_round)
        rates.append(per_round * BATCH / (time.perf_counter() - started))
    spent = cpu.used(before, cpu.snapshot(pid))
    calls = per_round * len(streams)
    return Timed(rate=statistics.median(rates), cpu_ns_per_call=spent.ns / calls, cpu_exact=spent.exact)


def _producer_process(
    url: str, key: tuple[str, str], stream: str, count: int, tag: int, start: Any, out: Any, release: Any
) -> None:
    """One producer of `two_producers`, in a process of its own (a thread would share this process's GIL with the
    other producer and measure the client, not the endpoint). It keeps its connection until released: the
    endpoint's thread for it must outlive the CPU snapshot, or its time is lost to schedstat."""
    import boto3
    import botocore.config

    client = boto3.client(
        "kinesis",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id=key[0],
        aws_secret_access_key=key[1],
        config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=300),
    )
    put_batches(client, stream, 1, tag)  # connect and load the client's code before the start
    start.wait()
    began = time.perf_counter()
    put_batches(client, stream, count, tag)
    out.put((began, time.perf_counter()))
    release.wait(timeout=600)


def two_producers(ep: BenchEndpoint, stream: str, batches: int) -> Timed:
    """Two producer processes put `batches` batches between them into `stream` at the same time."""
    spawn = multiprocessing.get_context("spawn")
    start, out, release = spawn.Barrier(3), spawn.Queue(), spawn.Event()
    shares = [batches // 2, batches - batches // 2]
    workers = [
        spawn.Process(target=_producer_process, args=(ep.url, ep.admin_key(), stream, share, tag, start, out, release))
        for tag, share in enumerate(shares)
    ]
    for worker in workers:
        worker.start()
    try:
        start.wait(timeout=120)
    except threading.BrokenBarrierError:
        release.set()
        raise SystemExit("a producer process did not get ready within 120 s (its traceback is above)") from None
    before = cpu.snapshot(ep.pid)
    spans: list[tuple[float, float]] = []
    while len(spans) < len(workers):
        try:
            spans.append(out.get(timeout=1))
        except queue.Empty:
            if any(worker.exitcode for worker in workers):
                release.set()
                raise SystemExit("a producer process failed (its traceback is above)") from None
    spent = cpu.used(before, cpu.snapshot(ep.pid))
    release.set()
    for worker in workers:
        worker.join()
    # perf_counter is CLOCK_MONOTONIC on Linux, one clock for every process: the spans compare.
    wall = max(end for _, end in spans) - min(began for began, _ in spans)
    return Timed(rate=batches * BATCH / wall, cpu_ns_per_call=spent.ns / batches, cpu_exact=spent.exact)


def tip_poll_ms(client: Any, polls: int = 20) -> float:
    """Median time of a GetRecords at the tip of the shard (no new records: an empty answer)."""
    iterator = client.get_shard_iterator(StreamName=STREAM, ShardId=SHARD, ShardIteratorType="LATEST")["ShardIterator"]
    times = []
    for _ in range(polls):
        started = time.perf_counter()
        reply = client.get_records(ShardIterator=iterator, Limit=10_000)
        times.append((time.perf_counter() - started) * 1000)
        if reply["Records"]:
            raise SystemExit("the tip poll returned records")
        iterator = reply["NextShardIterator"]
    return statistics.median(times)


SINGLE_CALL_TARGET_MS = 1.0


def single_call_cpu_ms(pid: int, client: Any, calls: int) -> tuple[float, float]:
    """The endpoint's CPU (every thread's schedstat) per single-record PutRecord and per empty GetRecords at the
    tip, each over `calls` calls on one keep-alive connection: the cost of a call as such (issue 11)."""
    stream = f"{STREAM}-single"
    create_stream(client, stream)
    for _ in range(20):  # warm the code paths
        client.put_record(StreamName=stream, Data=RECORD, PartitionKey="Shadowfax")
    before = cpu.snapshot(pid)
    for _ in range(calls):
        client.put_record(StreamName=stream, Data=RECORD, PartitionKey="Shadowfax")
    put_ms = cpu.used(before, cpu.snapshot(pid)).ns / calls / 1e6
    iterator = client.get_shard_iterator(StreamName=stream, ShardId=SHARD, ShardIteratorType="LATEST")["ShardIterator"]
    for _ in range(20):
        iterator = client.get_records(ShardIterator=iterator)["NextShardIterator"]
    before = cpu.snapshot(pid)
    for _ in range(calls):
        reply = client.get_records(ShardIterator=iterator)
        if reply["Records"]:
            raise SystemExit("the tip poll returned records")
        iterator = reply["NextShardIterator"]
    get_ms = cpu.used(before, cpu.snapshot(pid)).ns / calls / 1e6
    return put_ms, get_ms


def report_single_calls(put_ms: float, get_ms: float) -> bool:
    ok = True
    for name, value in (("PutRecord call (1 record)", put_ms), ("empty GetRecords poll", get_ms)):
        passed = value <= SINGLE_CALL_TARGET_MS
        ok &= passed
        print(
            f"  {'PASS' if passed else 'FAIL'} endpoint CPU per {name}: {value:.3f} ms "
            f"(target <= {SINGLE_CALL_TARGET_MS} ms)"
        )
    return ok


def fill(ep: BenchEndpoint, target: int, producers: int = 2) -> float:
    """Put records from `producers` threads until the benchmark shard holds about `target`; returns seconds."""
    have = ep.stored_records(STREAM)
    missing_batches = max(0, (target - have) // BATCH)
    clients = [ep.client("kinesis") for _ in range(producers)]
    shares = [missing_batches // producers + (1 if i < missing_batches % producers else 0) for i in range(producers)]
    done = [0]
    lock = threading.Lock()
    errors: list[BaseException] = []

    def produce(index: int) -> None:
        try:
            records = batch(index)
            for _ in range(shares[index]):
                reply = clients[index].put_records(StreamName=STREAM, Records=records)
                if reply.get("FailedRecordCount"):
                    raise RuntimeError(f"{reply['FailedRecordCount']} records failed")
                with lock:
                    done[0] += 1
        except BaseException as error:
            errors.append(error)

    started = time.perf_counter()
    threads = [threading.Thread(target=produce, args=(index,), daemon=True) for index in range(producers)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        for thread in threads:
            thread.join(timeout=5 / producers)
        elapsed = time.perf_counter() - started
        print(f"    filled {have + done[0] * BATCH:>9,} records ({elapsed:4.0f} s)", flush=True)
    if errors:
        raise SystemExit(f"filling failed: {errors[0]!r}")
    return time.perf_counter() - started


@dataclass
class Measurement:
    size: int
    one: Timed
    two: Timed
    poll_ms: float
    rss_mib: float


def measure(ep: BenchEndpoint, client: Any, batches: int, empty: bool) -> Measurement:
    """Time a tip poll, one producer and two producers on the benchmark shard. At the empty size every round goes to
    a new empty stream, so that the shard is empty at the start of each round; the two producers get one too."""
    size = ep.stored_records(STREAM)
    poll = tip_poll_ms(client)
    if empty:
        streams = [f"{STREAM}-empty-{index}" for index in range(ROUNDS + 1)]
        for stream in streams:
            create_stream(client, stream)
        one = one_producer(ep.pid, client, streams[:ROUNDS], batches)
        two = two_producers(ep, streams[ROUNDS], batches)
    else:
        one = one_producer(ep.pid, client, [STREAM] * ROUNDS, batches)
        two = two_producers(ep, STREAM, batches)
    return Measurement(size=size, one=one, two=two, poll_ms=poll, rss_mib=ep.rss_mib())


def report(empty: Measurement, full: Measurement, fill_seconds: float) -> tuple[bool, bool]:
    print(
        f"\n  {'records in shard':>16} {'1 producer (rec/s)':>19} {'2 producers (rec/s)':>20} "
        f"{'endpoint CPU/call, 1 | 2 (ns)':>30} {'tip poll (ms)':>14} {'RSS (MiB)':>10}"
    )
    for each in (empty, full):
        print(
            f"  {each.size:>16,} {each.one.rate:>19,.0f} {each.two.rate:>20,.0f} "
            f"{each.one.cpu_text():>14} | {each.two.cpu_text():<13} "
            f"{each.poll_ms:>14.2f} {each.rss_mib:>10,.0f}"
        )
    per_record_us = empty.one.cpu_ns_per_call / BATCH / 1000
    print(
        f"  endpoint CPU per PutRecords call of {BATCH} records, one producer, empty shard: "
        f"{empty.one.cpu_text()} ns ({per_record_us:.1f} us per record; "
        f"the endpoint alone would fill one core at {1e9 / empty.one.cpu_ns_per_call * BATCH:,.0f} records/s)"
    )
    print(
        f"  endpoint CPU per call at {full.size:,} records / at 0: "
        f"{full.one.cpu_ns_per_call / empty.one.cpu_ns_per_call:.2f} (not a target: CPU time counts the endpoint's own "
        "work only, so other load on the machine moves it less than the rates)"
    )
    print(f"  filled {full.size:,} records in {fill_seconds:.0f} s")
    ratio = full.one.rate / empty.one.rate
    rate_ok = empty.one.rate >= TARGET_RATE
    ratio_ok = ratio >= TARGET_RATIO
    print(
        f"\n{'PASS' if rate_ok else 'FAIL'}: one producer on an empty shard puts {empty.one.rate:,.0f} records/s "
        f"(target >= {TARGET_RATE:,} on an idle machine; at {full.size:,} records: {full.one.rate:,.0f})"
    )
    print(
        f"{'PASS' if ratio_ok else 'FAIL'}: rate at {full.size:,} records is {ratio:.2f} x the rate at 0 "
        f"(target >= {TARGET_RATIO})"
    )
    return rate_ok, ratio_ok


def plain_moto(records: int, batches: int) -> None:
    """The same one-producer rounds and tip polls on moto's own `moto_server` (optional comparison). Filled by one
    producer: moto's shard loses records to concurrent puts, and it has no count to check the fill against."""
    print(f"\nplain moto (moto_server from the venv): empty shard, then {records:,} records", flush=True)
    with moto_server() as moto:
        client = moto.client("kinesis")
        for stream in (STREAM, "warm-up", *(f"{STREAM}-empty-{index}" for index in range(ROUNDS))):
            client.create_stream(StreamName=stream, ShardCount=1)
        put_batches(client, "warm-up", 2)
        rows = []
        poll = tip_poll_ms(client)
        one = one_producer(moto.pid, client, [f"{STREAM}-empty-{index}" for index in range(ROUNDS)], batches)
        rows.append((0, one, poll, rss_mib(moto.pid)))
        started = time.perf_counter()
        put_batches(client, STREAM, records // BATCH)
        print(f"    filled {records // BATCH * BATCH:,} records in {time.perf_counter() - started:.0f} s", flush=True)
        poll = tip_poll_ms(client)
        one = one_producer(moto.pid, client, [STREAM] * ROUNDS, batches)
        rows.append((records // BATCH * BATCH, one, poll, rss_mib(moto.pid)))
    print(
        f"\n  {'records in shard':>16} {'1 producer (rec/s)':>19} {'moto CPU/call (ns)':>19} "
        f"{'tip poll (ms)':>14} {'RSS (MiB)':>10}"
    )
    for size, timed, poll_ms, rss in rows:
        print(f"  {size:>16,} {timed.rate:>19,.0f} {timed.cpu_text():>19} {poll_ms:>14.2f} {rss:>10,.0f}")
    print(f"  plain moto keeps {rows[1][1].rate / rows[0][1].rate:.2f} of its rate at {rows[1][0]:,} records")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the full shard")
    parser.add_argument("--batches", type=int, default=40, help="batches of 500 timed per producer setting and size")
    parser.add_argument(
        "--compare-moto-server", action="store_true", help="also measure plain moto (moto_server, a separate process)"
    )
    parser.add_argument("--moto-records", type=int, default=100_000, help="full shard size for plain moto")
    parser.add_argument("--single-calls", type=int, default=2_000, help="calls timed for the per-call CPU figures")
    parser.add_argument(
        "--per-call-only", action="store_true", help="only the endpoint's CPU per PutRecord and per empty poll"
    )
    args = parser.parse_args()

    load = os.getloadavg()[0]
    print(
        f"PutRecords rate, batches of {BATCH} records of {len(RECORD)} bytes; {os.cpu_count()} cores, "
        f"load average {load:.1f}, Python {sys.version.split()[0]}"
    )
    with local_endpoint() as ep:
        settings = ep.control("status")["settings"]
        print(
            f"localaws endpoint pid {ep.pid}: iam_enforcement={settings['iam_enforcement']}, "
            f"kinesis_limits={settings['kinesis_limits']}, signed as the generated admin of the default account"
        )
        client = ep.client("kinesis")
        create_stream(client, STREAM)
        create_stream(client, "warm-up")
        put_batches(client, "warm-up", 2)  # load the endpoint's code paths before measuring
        single = single_call_cpu_ms(ep.pid, client, args.single_calls)
        if args.per_call_only:
            return 0 if report_single_calls(*single) else 1
        empty = measure(ep, client, args.batches, empty=True)
        print(f"  at {empty.size:>9,}: {empty.one.rate:8,.0f} records/s, tip poll {empty.poll_ms:7.2f} ms", flush=True)
        seconds = fill(ep, args.records)
        full = measure(ep, client, args.batches, empty=False)
        print(f"  at {full.size:>9,}: {full.one.rate:8,.0f} records/s, tip poll {full.poll_ms:7.2f} ms", flush=True)
    rate_ok, ratio_ok = report(empty, full, seconds)
    single_ok = report_single_calls(*single)
    if args.compare_moto_server:
        plain_moto(args.moto_records, args.batches)
    return 0 if rate_ok and ratio_ok and single_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
