"""Put -> consume latency with enhanced fan-out (`simulate consume --efo`), beside a polling reader, while the
dashboard's reads go on: the figures of issue 13 (targets: p50 <= 100 ms, p99 <= 250 ms with --efo).

Run: .venv/bin/python benchmarks/efo_latency.py [--seconds 60] [--unicorns 20] [--shards 1]

Latency as docs/benchmarks.md defines it: a record's StatusTime (the moment its unicorn ticked, before the herd's
batcher and the PutRecords call) to the moment its line is printed. The herd runs in this process as one
`simulate fleet` would (unicorn model, batcher with its 10 ms linger, the lean PutRecords client); `--unicorns`
unicorns at 1 Hz, ticks spread over the second. Three readers of the same stream run as users run them, each a
`simulate consume --format jsonl` process whose every printed line is timestamped here as it arrives:
- `simulate consume --efo` (a registered consumer; records pushed by SubscribeToShard);
- `simulate consume` (GetRecords at its default 1.6 calls a second per shard);
- a stand-in for the dashboard, which reads with GetRecords at the same 1.6 calls a second per shard (its default
  budget): `simulate consume --output /dev/null`. Together the two pollers use 3.2 of a shard's 5 reads a second.
The endpoint is started as users get it (IAM enforcement on) plus AWS's per-shard limits (`--kinesis-limits`),
so the pollers share a shard's read budget and the EFO reader shows it does not. The first 3 s of records are
warm-up and not counted. Each reader's CPU is read from /proc (benchmarks/cpu.py). Exit 1 on a missed target.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import cpu  # noqa: E402
from benchmarks.endpoint import BenchEndpoint, create_stream, local_endpoint  # noqa: E402
from benchmarks.simulator_herd import lean_client, profile_of  # noqa: E402
from simulator import record  # noqa: E402
from simulator.herd import Herd, Runner  # noqa: E402
from simulator.producer import Batcher  # noqa: E402
from simulator.unicorn import Unicorn  # noqa: E402

SIMULATE = str(Path(sys.executable).with_name("simulate"))
STREAM = "wildrydes"
WARM_UP = timedelta(seconds=3)
TARGET_P50_MS, TARGET_P99_MS = 100.0, 250.0


@dataclass
class Reader:
    label: str
    args: tuple[str, ...]
    process: subprocess.Popen | None = None
    latencies_ms: list[float] = field(default_factory=list)
    lines: int = 0
    counted_after: datetime | None = None
    thread: threading.Thread | None = None

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [SIMULATE, "consume", "--stream", STREAM, "--format", "jsonl", *self.args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.thread = threading.Thread(target=self._timestamp_lines, daemon=True)
        self.thread.start()

    def _timestamp_lines(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            printed = datetime.now(UTC)
            self.lines += 1
            status_time = record.parse_status_time(json.loads(line)["StatusTime"])
            if self.counted_after is not None and status_time >= self.counted_after:
                self.latencies_ms.append((printed - status_time).total_seconds() * 1000)

    def stop(self) -> str:
        assert self.process is not None
        self.process.send_signal(2)  # Ctrl+C: as a user stops it (an EFO reader deregisters its consumer)
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        if self.thread:
            self.thread.join(timeout=5)
        return err

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def run(seconds: float, unicorns: int, shards: int) -> bool:
    with local_endpoint(kinesis_limits=True) as ep, profile_of(ep) as target:
        kinesis = ep.client("kinesis")
        create_stream(kinesis, STREAM, shards)
        env = {**ep.tool_env(), **ep.aws_env()}
        readers = [
            Reader("simulate consume --efo", ("--efo",)),
            Reader("simulate consume (polling, 1.6 calls/s)", ()),
            Reader("dashboard stand-in (polling, 1.6 calls/s)", ("--output", os.devnull)),
        ]
        for reader in readers:
            reader.start(env)
        wait_for_subscription(ep)
        time.sleep(2.0)  # the pollers have their LATEST iterators
        cpu_before = {r.label: cpu.snapshot(r.process.pid) for r in readers}
        started = datetime.now(UTC)
        for reader in readers:
            reader.counted_after = started + WARM_UP
        source = random.Random(13)
        runners = [Runner(Unicorn(f"Efo-{n:03d}", source), 1.0, None) for n in range(unicorns)]
        batcher = Batcher(lean_client(target), STREAM)
        ticks = Herd(runners, batcher, source).run(seconds)
        stats = batcher.close(timeout=30)
        time.sleep(2.0)  # the pollers' last records
        cpu_after = {r.label: cpu.snapshot(r.process.pid) for r in readers}
        wall = (datetime.now(UTC) - started).total_seconds()
        errors = {r.label: r.stop() for r in readers}
        left = ep.client("kinesis").list_stream_consumers(
            StreamARN=kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
        )["Consumers"]

    print(
        f"herd: {unicorns} unicorns at 1 Hz for {seconds:.0f} s on {shards} shard(s): sent {stats.sent}, "
        f"failed {stats.failed}, ticks on time {ticks.on_time_share:.1%}; endpoint with IAM enforcement and "
        "Kinesis limits on"
    )
    ok = True
    for reader in readers:
        used = cpu.used(cpu_before[reader.label], cpu_after[reader.label]).ns / 1e9
        counted = len(reader.latencies_ms)
        figures = f"p50 {reader.percentile(0.5):.0f} ms, p99 {reader.percentile(0.99):.0f} ms"
        figures += f", max {max(reader.latencies_ms, default=float('nan')):.0f} ms" if counted else ""
        verdict = ""
        if reader.args == ("--efo",):
            passed = (
                counted > 0 and reader.percentile(0.5) <= TARGET_P50_MS and reader.percentile(0.99) <= TARGET_P99_MS
            )
            passed = passed and reader.lines == stats.sent
            verdict = f"  (targets {TARGET_P50_MS:.0f}/{TARGET_P99_MS:.0f} ms, every record)  "
            verdict += "PASS" if passed else "FAIL"
            ok = ok and passed
        if reader.args[:1] == ("--output",):
            print(f"{reader.label}: reads the stream (lines go to {os.devnull}); CPU {used / wall:.1%} of a core")
            continue
        print(
            f"{reader.label}: {figures} over {counted} records (printed {reader.lines} of {stats.sent}); "
            f"CPU {used / wall:.1%} of a core{verdict}"
        )
    for label, err in errors.items():
        for line in err.splitlines():
            if line.startswith("error:"):
                print(f"{label}: {line}")
                ok = False
    print(f"consumers left registered after the EFO reader's Ctrl+C: {len(left)}")
    return ok and not left


def wait_for_subscription(ep: BenchEndpoint, timeout: float = 60.0) -> None:
    """Until the EFO reader's consumer is ACTIVE (it subscribes at once after)."""
    kinesis = ep.client("kinesis")
    arn = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]
        if any(c["ConsumerStatus"] == "ACTIVE" for c in listed):
            return
        time.sleep(0.1)
    raise SystemExit(f"the EFO reader registered no ACTIVE consumer in {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the herd runs (default 60)")
    parser.add_argument("--unicorns", type=int, default=20, help="unicorns at 1 Hz (default 20)")
    parser.add_argument("--shards", type=int, default=1, help="shards of the stream (default 1, the workshop's)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    sys.exit(0 if run(args.seconds, args.unicorns, args.shards) else 1)


if __name__ == "__main__":
    main()
