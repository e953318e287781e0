"""PutRecords rate of the local endpoint on an empty shard and on a shard of 1,000,000 records.

Starts a patched endpoint with our launcher (its own temporary state folder, a free port), measures
PutRecords (batches of 500 JSON records of 151 bytes, one producer) on empty one-shard streams, fills
a shard to 1,000,000 records, measures again, and times an empty GetRecords poll at the tip of the
shard at both sizes. Prints the endpoint's resident memory at both sizes and a PASS/FAIL line
against the target: the rate at 1M records is at least 0.7 x the rate on the empty shard.

    .venv/bin/python benchmarks/kinesis_put_rate.py                  # the patched endpoint
    .venv/bin/python benchmarks/kinesis_put_rate.py --compare-plain  # plus plain moto at 0 and 100k

Exit status: 0 on PASS, 1 on FAIL.
"""

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.config

from simulator.local import accounts, launcher
from simulator.local.options import EndpointOptions

STREAM = "wildrydes-bench"
SHARD = "shardId-000000000000"
BATCH = 500
TARGET_RATIO = 0.7
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


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Endpoint:
    url: str
    pid: int

    def client(self) -> Any:
        return boto3.client(
            "kinesis",
            region_name="us-east-1",
            endpoint_url=self.url,
            aws_access_key_id=accounts.admin_access_key(accounts.DEFAULT_ACCOUNT_ID),
            aws_secret_access_key=accounts.LOCAL_ADMIN_SECRET,
            config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=300),
        )

    def rss_mib(self) -> float:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")


@contextmanager
def endpoint(fidelity: bool) -> Iterator[Endpoint]:
    """An endpoint of our launcher in a temporary state folder, stopped afterwards."""
    previous = os.environ.get("WILDRYDES_STATE_DIR")
    with tempfile.TemporaryDirectory(prefix="wildrydes-bench-") as state_dir:
        os.environ["WILDRYDES_STATE_DIR"] = state_dir
        try:
            running, _ = launcher.start(EndpointOptions(port=free_port(), fidelity=fidelity))
            try:
                yield Endpoint(url=running.url, pid=running.pid)
            finally:
                launcher.stop()
        finally:
            if previous is None:
                os.environ.pop("WILDRYDES_STATE_DIR", None)
            else:
                os.environ["WILDRYDES_STATE_DIR"] = previous


def batch(tag: int) -> list[dict]:
    return [{"Data": RECORD, "PartitionKey": f"unicorn-{tag}-{index}"} for index in range(BATCH)]


def put_batches(client: Any, stream: str, count: int) -> None:
    records = batch(0)
    for _ in range(count):
        reply = client.put_records(StreamName=stream, Records=records)
        if reply.get("FailedRecordCount"):
            raise SystemExit(f"{reply['FailedRecordCount']} records failed")


ROUNDS = 5


def put_rate(client: Any, streams: list[str], batches: int) -> float:
    """Records per second of one producer putting batches of 500: the median of one round per stream
    in `streams`, the rounds sharing `batches` batches (a median resists a stray pause)."""
    rates = []
    per_round = max(1, batches // len(streams))
    for stream in streams:
        started = time.perf_counter()
        put_batches(client, stream, per_round)
        rates.append(per_round * BATCH / (time.perf_counter() - started))
    return statistics.median(rates)


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


def stored(ep: "Endpoint") -> int:
    """Records the endpoint holds in the benchmark shard (its control API)."""
    with urllib.request.urlopen(f"{ep.url}/_wildrydes/kinesis/shards", timeout=30) as reply:
        rows = json.load(reply)["shards"]
    return sum(row["records"] for row in rows if row["stream"] == STREAM)


def fill(ep: Endpoint, target: int, producers: int = 2) -> float:
    """Put records from `producers` threads until the shard holds about `target`; returns seconds."""
    have = stored(ep)
    missing_batches = max(0, (target - have) // BATCH)
    clients = [ep.client() for _ in range(producers)]
    shares = [missing_batches // producers + (1 if i < missing_batches % producers else 0) for i in range(producers)]
    done = [0]
    lock = threading.Lock()
    errors: list[BaseException] = []

    def produce(index: int) -> None:
        try:
            records = batch(index)
            for _ in range(shares[index]):
                clients[index].put_records(StreamName=STREAM, Records=records)
                with lock:
                    done[0] += 1
        except BaseException as error:
            errors.append(error)

    started = time.perf_counter()
    threads = [threading.Thread(target=produce, args=(index,), daemon=True) for index in range(producers)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        time.sleep(5)
        elapsed = time.perf_counter() - started
        print(f"    filled {have + done[0] * BATCH:>9,} records ({elapsed:4.0f} s)", flush=True)
    if errors:
        raise SystemExit(f"filling failed: {errors[0]!r}")
    return time.perf_counter() - started


@dataclass
class Measurement:
    size: int
    rate: float
    poll_ms: float
    rss_mib: float


def measure(ep: Endpoint, batches: int, empty: bool) -> Measurement:
    """Time a tip poll and PutRecords on the benchmark shard; for the empty size, each round of puts
    goes to a new empty stream, so that the shard is empty at the start of every round."""
    client = ep.client()
    size = stored(ep)
    poll = tip_poll_ms(client)
    if empty:
        streams = [f"{STREAM}-empty-{index}" for index in range(ROUNDS)]
        for stream in streams:
            client.create_stream(StreamName=stream, ShardCount=1)
    else:
        streams = [STREAM] * ROUNDS
    rate = put_rate(client, streams, batches)
    return Measurement(size=size, rate=rate, poll_ms=poll, rss_mib=ep.rss_mib())


def run(fidelity: bool, big: int, batches: int) -> tuple[Measurement, Measurement, float]:
    # Plain moto loses records to concurrent producers (the defect put_not_thread_safe mends): fill it
    # from one producer so that the shard holds what was put.
    producers = 2 if fidelity else 1
    label = "patched endpoint (moto + fidelity layer)" if fidelity else "plain moto"
    print(f"\n{label}: empty shard, then {big:,} records", flush=True)
    with endpoint(fidelity) as ep:
        client = ep.client()
        client.create_stream(StreamName=STREAM, ShardCount=1)
        client.create_stream(StreamName="warm-up", ShardCount=1)
        client.put_records(StreamName="warm-up", Records=batch(9))  # load moto's code before measuring
        empty = measure(ep, batches, empty=True)
        print(f"  at {empty.size:>9,}: {empty.rate:8,.0f} records/s, tip poll {empty.poll_ms:7.2f} ms", flush=True)
        seconds = fill(ep, big, producers)
        full = measure(ep, batches, empty=False)
        print(f"  at {full.size:>9,}: {full.rate:8,.0f} records/s, tip poll {full.poll_ms:7.2f} ms", flush=True)
    return empty, full, seconds


def report(label: str, empty: Measurement, full: Measurement, fill_seconds: float) -> float:
    ratio = full.rate / empty.rate
    print(f"\n{label}")
    print(f"  {'records in shard':>18} {'PutRecords/s':>13} {'tip poll (ms)':>14} {'server RSS (MiB)':>17}")
    for each in (empty, full):
        print(f"  {each.size:>18,} {each.rate:>13,.0f} {each.poll_ms:>14.2f} {each.rss_mib:>17,.0f}")
    print(f"  ratio {ratio:.2f} (rate at {full.size:,} / rate at 0); filled in {fill_seconds:.0f} s")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the full shard")
    parser.add_argument("--batches", type=int, default=40, help="batches of 500 timed at each size")
    parser.add_argument("--compare-plain", action="store_true", help="also measure plain moto")
    parser.add_argument("--plain-records", type=int, default=100_000, help="full shard size for plain moto")
    args = parser.parse_args()

    print(f"PutRecords rate, batches of {BATCH} records of {len(RECORD)} bytes, one producer; {os.cpu_count()} cores")
    results = {"patched": run(True, args.records, args.batches)}
    if args.compare_plain:
        results["plain"] = run(False, args.plain_records, args.batches)

    ratio = report("patched endpoint (moto + fidelity layer)", *results["patched"])
    if "plain" in results:
        plain_ratio = report("plain moto 5.2.5", *results["plain"])
        print(f"\n  plain moto keeps {plain_ratio:.2f} of its rate at {args.plain_records:,} records")
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    print(f"\n{verdict}: rate at {args.records:,} records is {ratio:.2f} x the rate at 0 (target >= {TARGET_RATIO})")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
