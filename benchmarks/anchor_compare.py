"""Workshop scale, side by side with the workshop's own Go producer: what one unicorn and small herds cost.

Run: .venv/bin/python benchmarks/anchor_compare.py [--seconds 120] [--go-dir /tmp/wildrydes-go]

Builds the workshop's Go producer from ../shared/anchors/wildrydes-go with its build.sh when `go` and Debian's
aws-sdk-go are installed (otherwise it says how to install them and leaves the Go column out), starts one local
endpoint with its defaults (IAM enforcement on; benchmarks/endpoint.py), creates the stream `wildrydes`, and runs,
one after another on that endpoint, with no consumer (the Go producers have none):

    row  1: 1 Go producer            vs  1 `simulate produce`
    row  5: 5 Go producers           vs  `simulate fleet` with 5 unicorns
    row 50: 50 Go producers          vs  `simulate fleet` with 50 unicorns

each at one record a second per unicorn, for --seconds (default 120) of steady state. Per run it prints:

- steady CPU per record of the client processes: every task's /proc/PID/task/TID/schedstat (nanoseconds) summed
  over each process and its children, from the moment every unicorn has put its first record to the end, divided
  by the records the stream received meanwhile;
- start-up CPU (per unicorn) up to that moment, and the time from launch to the first record the stream received;
- peak memory per unicorn (VmHWM; a fleet's one process divided by its unicorns);
- records sent in the steady window, and the endpoint's CPU per record over the same window;
- ours/Go ratios per row, and the issue's targets as PASS/FAIL lines.

Targets (issue 11): CPU per record ours/Go <= 1.0 (1 unicorn), <= 0.3 (5), <= 0.1 (50); memory per unicorn at 50
<= 0.1x; endpoint CPU per record at 50 <= 0.3x; `simulate produce` puts its first record <= 0.5 s after launch.
Exit status 1 when Go ran and a target was missed (or our first record came late), else 0.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import cpu  # noqa: E402
from benchmarks.endpoint import BenchEndpoint, create_stream, local_endpoint  # noqa: E402

ANCHOR = REPO.parent / "shared" / "anchors" / "wildrydes-go"
SDK_DIR = Path("/usr/share/gocode/src/github.com/aws/aws-sdk-go")
INSTALL_HINT = (
    "apt-get install -y golang-go golang-github-aws-aws-sdk-go-dev   # then run this again; the Go column is built "
    f"from {ANCHOR} with its build.sh"
)
STREAM = "wildrydes"
SIMULATE = str(Path(sys.executable).with_name("simulate"))
ROWS = (1, 5, 50)
# Ratio targets ours/Go per row (CPU per record), and the others.
CPU_TARGETS = {1: 1.0, 5: 0.3, 50: 0.1}
MEMORY_TARGET = 0.1
ENDPOINT_TARGET = 0.3
FIRST_RECORD_TARGET_S = 0.5
START_TIMEOUT_S = 60.0


@dataclass
class Run:
    label: str
    unicorns: int
    records: int  # received by the stream in the steady window
    steady_ns: int  # client CPU over the steady window
    startup_ns: int  # client CPU from launch to the start of the steady window
    first_record_s: float  # launch -> the stream's first record of this run
    peak_rss_kib: int  # VmHWM summed over the client processes
    endpoint_ns: int  # the endpoint's CPU over the steady window

    @property
    def cpu_per_record_ms(self) -> float:
        return self.steady_ns / max(1, self.records) / 1e6

    @property
    def endpoint_per_record_ms(self) -> float:
        return self.endpoint_ns / max(1, self.records) / 1e6

    @property
    def rss_per_unicorn_mib(self) -> float:
        return self.peak_rss_kib / self.unicorns / 1024

    @property
    def startup_per_unicorn_ms(self) -> float:
        return self.startup_ns / self.unicorns / 1e6


# -- the Go anchor ------------------------------------------------------------------------------------------------


def build_go(go_dir: Path) -> Path | None:
    """The Go producer's path, built if needed; None (with the reason printed) when Go cannot be built here."""
    producer = go_dir / "bin" / "producer"
    if producer.exists():
        return producer
    if shutil.which("go") is None or not SDK_DIR.is_dir():
        print(f"Go column skipped: `go` or Debian's aws-sdk-go is not installed. To add it:\n  {INSTALL_HINT}")
        return None
    print(f"building the Go anchor into {go_dir} ...", flush=True)
    built = subprocess.run(["bash", str(ANCHOR / "build.sh"), str(go_dir)], capture_output=True, text=True, check=False)
    if built.returncode != 0 or not producer.exists():
        print(f"Go column skipped: build.sh failed:\n{built.stdout}{built.stderr}")
        return None
    return producer


# -- process trees --------------------------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """`pid` and its living descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for tid in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{tid}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def tree_cpu_ns(pids: list[int]) -> int:
    """CPU of every task of every process in the trees of `pids` (schedstat; a tick count where threads ended)."""
    total = 0
    for root in pids:
        for pid in _tree(root):
            try:
                snap = cpu.snapshot(pid)
            except (FileNotFoundError, ProcessLookupError):
                continue
            threads = sum(snap.threads_ns.values())
            # Threads that ended took their schedstat with them; the process's tick count still has them.
            total += threads if snap.process_ticks_ns - threads <= cpu.TICK_SLACK_NS else snap.process_ticks_ns
    return total


def peak_rss_kib(pids: list[int]) -> int:
    total = 0
    for root in pids:
        for pid in _tree(root):
            try:
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            total += int(line.split()[1])
            except (FileNotFoundError, ProcessLookupError):
                continue
    return total


# -- one run ------------------------------------------------------------------------------------------------------


def measure(ep: BenchEndpoint, label: str, unicorns: int, commands: list[list[str]], seconds: float) -> Run:
    """Launch `commands` (one process each), wait until the stream has a record from every unicorn, then measure
    `seconds` of steady state; stop them (SIGTERM: they flush and exit) and return the figures."""
    env = {**ep.tool_env(), **ep.aws_env()}
    before = ep.stored_records(STREAM)
    launched = time.monotonic()
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for command in commands
    ]
    pids = [process.pid for process in processes]
    try:
        first_record_s = None
        while True:
            stored = ep.stored_records(STREAM) - before
            now = time.monotonic()
            if stored > 0 and first_record_s is None:
                first_record_s = now - launched
            if stored >= unicorns:
                break
            if now - launched > START_TIMEOUT_S or any(process.poll() is not None for process in processes):
                problems = b"".join(
                    process.stderr.read() if process.poll() is not None else b"" for process in processes
                )
                raise SystemExit(
                    f"{label}: no record from every unicorn after {now - launched:.1f} s\n{problems.decode()}"
                )
            time.sleep(0.005)
        assert first_record_s is not None
        start_records = ep.stored_records(STREAM)
        start_cpu = tree_cpu_ns(pids)
        start_endpoint = cpu.snapshot(ep.pid)
        time.sleep(seconds)
        end_cpu = tree_cpu_ns(pids)
        end_endpoint = cpu.snapshot(ep.pid)
        end_records = ep.stored_records(STREAM)
        rss = peak_rss_kib(pids)
    finally:
        # SIGTERM, not SIGINT: a shell that runs this in the background starts its children with SIGINT ignored
        # (the Go producer then never stops); `simulate` flushes and sums up on SIGTERM as on Ctrl+C.
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return Run(
        label=label,
        unicorns=unicorns,
        records=end_records - start_records,
        steady_ns=end_cpu - start_cpu,
        startup_ns=start_cpu,
        first_record_s=first_record_s,
        peak_rss_kib=rss,
        endpoint_ns=cpu.used(start_endpoint, end_endpoint).ns,
    )


def herd_file(folder: Path, unicorns: int) -> Path:
    path = folder / f"herd-{unicorns}.yml"
    path.write_text(
        f"stream: {STREAM}\nseed: 2017\nrate: 1\nherds:\n  - prefix: Anchor\n    count: {unicorns}\n"
        "consumer:\n  enabled: false\n"
    )
    return path


def ours(folder: Path, unicorns: int) -> list[list[str]]:
    if unicorns == 1:
        return [[SIMULATE, "produce", "--name", "Shadowfax", "--stream", STREAM]]
    return [[SIMULATE, "fleet", str(herd_file(folder, unicorns))]]


def go(producer: Path, unicorns: int) -> list[list[str]]:
    return [[str(producer), "-name", f"Go-{index:04d}", "-stream", STREAM] for index in range(unicorns)]


# -- report ---------------------------------------------------------------------------------------------------------


def _line(run: Run) -> str:
    return (
        f"  {run.label:<28} {run.records:>8,} {run.cpu_per_record_ms:>10.3f} {run.startup_per_unicorn_ms:>12.1f} "
        f"{run.first_record_s:>9.2f} {run.rss_per_unicorn_mib:>10.2f} {run.endpoint_per_record_ms:>12.3f}"
    )


def report(pairs: list[tuple[int, Run, Run | None]]) -> bool:
    print(
        f"\n  {'run':<28} {'records':>8} {'CPU/rec ms':>10} {'start-up ms/u':>12} {'first s':>9} "
        f"{'MiB/unicorn':>10} {'endpoint ms/rec':>12}"
    )
    for _, mine, anchor in pairs:
        if anchor is not None:
            print(_line(anchor))
        print(_line(mine))
    ok = True
    print()
    for unicorns, mine, anchor in pairs:
        if unicorns == 1:
            late = mine.first_record_s > FIRST_RECORD_TARGET_S
            ok &= not late
            verdict = "FAIL" if late else "PASS"
            print(
                f"  {verdict} simulate produce first record {mine.first_record_s:.2f} s after launch "
                f"(target <= {FIRST_RECORD_TARGET_S} s)"
            )
        if anchor is None:
            continue
        ratio = mine.cpu_per_record_ms / anchor.cpu_per_record_ms
        memory = mine.rss_per_unicorn_mib / anchor.rss_per_unicorn_mib
        endpoint = mine.endpoint_per_record_ms / anchor.endpoint_per_record_ms
        print(
            f"  row {unicorns:>2}: ours/Go CPU per record {ratio:.3f}, memory per unicorn {memory:.3f}, "
            f"endpoint CPU per record {endpoint:.3f}"
        )
        checks = [(f"CPU per record ours/Go at {unicorns}", ratio, CPU_TARGETS[unicorns])]
        if unicorns == 50:
            checks += [
                ("memory per unicorn ours/Go at 50", memory, MEMORY_TARGET),
                ("endpoint CPU per record ours/Go at 50", endpoint, ENDPOINT_TARGET),
            ]
        for name, value, target in checks:
            passed = value <= target
            ok &= passed
            print(f"  {'PASS' if passed else 'FAIL'} {name}: {value:.3f} (target <= {target})")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="steady-state seconds per run (default 120)")
    parser.add_argument("--go-dir", type=Path, default=Path(tempfile.gettempdir()) / "wildrydes-go")
    parser.add_argument("--rows", default=",".join(map(str, ROWS)), help="unicorns per row, of 1,5,50")
    args = parser.parse_args()
    rows = [int(part) for part in args.rows.split(",")]
    if any(row not in CPU_TARGETS for row in rows):
        parser.error("rows are 1, 5 and/or 50")
    producer = build_go(args.go_dir)
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs", flush=True)
    pairs: list[tuple[int, Run, Run | None]] = []
    with tempfile.TemporaryDirectory(prefix="anchor-compare-") as scratch, local_endpoint() as ep:
        create_stream(ep.client("kinesis"), STREAM)
        for unicorns in rows:
            anchor = None
            if producer is not None:
                anchor = measure(ep, f"{unicorns} Go producer(s)", unicorns, go(producer, unicorns), args.seconds)
                print(_line(anchor), flush=True)
            name = "simulate produce" if unicorns == 1 else f"simulate fleet, {unicorns}"
            mine = measure(ep, name, unicorns, ours(Path(scratch), unicorns), args.seconds)
            print(_line(mine), flush=True)
            pairs.append((unicorns, mine, anchor))
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0 if report(pairs) else 1


if __name__ == "__main__":
    sys.exit(main())
