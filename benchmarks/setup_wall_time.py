"""Wall time and CPU of `ansible-playbook setup.yml` for 1 and for 100 local attendees, and of the idempotent re-run.

Run: .venv/bin/python benchmarks/setup_wall_time.py [--attendees 1 100] [--connection warm|local]
Starts its own local endpoint with its defaults (IAM enforcement on, as `make demo`) on a free port in a temporary
state folder (benchmarks/endpoint.py). Each attendee is a simulated account added to the endpoint, with its
generated admin key; the inventory names its profile `wildrydes-local-<id>` and ansible-playbook finds the profiles
through WILDRYDES_STATE_DIR, as users' runs do.
CPU is ansible-playbook's with every process it started (RUSAGE_CHILDREN), per attendee, the warm module runner
included (this process is their subreaper, so processes left by ansible's workers are waited for and counted here);
the endpoint's own CPU is shown beside it. --connection picks the attendees' connection (default: what
inventory/group_vars says, the warm runner).
Targets (2 cores): <= 10 s for 1 attendee; <= 180 s for 100, first run and re-run, and <= 3.5 CPU-seconds per
attendee. The console path takes a person ~15 minutes per account.
"""

import argparse
import contextlib
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.endpoint import BenchEndpoint, local_endpoint  # noqa: E402

WALL_TARGETS = {1: 10.0, 100: 180.0}
CPU_PER_ATTENDEE_TARGET = 3.5
RECAP_CHANGED = re.compile(r"^\S+\s+:\s+ok=\d+\s+changed=(\d+)", re.MULTILINE)


def become_subreaper() -> None:
    """Orphans of ansible-playbook's workers (the warm module runner) are re-parented to us, waited and counted."""
    import ctypes

    pr_set_child_subreaper = 36
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1)


def reap_orphans(keep: int) -> None:
    """Wait for our children but `keep` (the endpoint): the runner ansible left exits once ansible-playbook has."""
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == keep:
            continue
        try:
            parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError):
            continue
        if parent == me:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(int(entry.name), 0)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    wall: float
    cpu: float  # ansible-playbook and its children
    endpoint_cpu: float
    changed: int


def run_setup(ep: BenchEndpoint, inventory: Path) -> Run:
    """Time `ansible-playbook setup.yml`; count the tasks it changed (PLAY RECAP, all attendees)."""
    env = {**ep.tool_env(), "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    endpoint_before = process_cpu(ep.pid)
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory), "setup.yml"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    reap_orphans(keep=ep.pid)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"setup.yml failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    changed = sum(int(count) for count in RECAP_CHANGED.findall(done.stdout))
    return Run(elapsed, cpu, process_cpu(ep.pid) - endpoint_before, changed)


def verdict(count: int, run: Run) -> str:
    target = WALL_TARGETS.get(count)
    misses = []
    if target is not None and run.wall > target:
        misses.append(f"wall > {target:.0f} s")
    if count > 1 and run.cpu / count > CPU_PER_ATTENDEE_TARGET:
        misses.append(f"CPU > {CPU_PER_ATTENDEE_TARGET} s/attendee")
    return "FAIL (" + ", ".join(misses) + ")" if misses else "PASS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attendees", type=int, nargs="+", default=[1, 100])
    parser.add_argument(
        "--connection", choices=["warm", "local"], help="the attendees' connection (default: inventory/group_vars)"
    )
    args = parser.parse_args()
    host_vars = {"ansible_connection": f"wildrydes.lab.{args.connection}" if args.connection == "warm" else "local"}
    mode = f"connection {args.connection or 'as configured (inventory/group_vars)'}"
    print(f"{mode}; {os.cpu_count()} cores", flush=True)
    failed = False
    with tempfile.TemporaryDirectory(prefix="wildrydes-setup-bench-") as scratch, local_endpoint() as ep:
        become_subreaper()
        print(
            f"{'attendees':>9} {'run':>8} {'wall':>8} {'CPU':>8} {'CPU/att.':>9} {'endpoint CPU':>13} "
            f"{'changed':>8}  verdict"
        )
        next_account = 1000
        for count in args.attendees:
            # A fresh account per attendee and per size: the first run creates everything, as in a new lab.
            hosts = {f"a{n:03d}": f"{next_account + n:012d}" for n in range(count)}
            next_account += count
            inventory = ep.write_inventory(
                Path(scratch) / f"inventory-{count}", hosts, host_vars=host_vars if args.connection else {}
            )
            for label in ("first", "re-run"):
                run = run_setup(ep, inventory)
                result = verdict(count, run)
                failed = failed or result != "PASS"
                print(
                    f"{count:>9} {label:>8} {run.wall:>7.1f}s {run.cpu:>7.1f}s {run.cpu / count:>8.2f}s "
                    f"{run.endpoint_cpu:>12.1f}s {run.changed:>8}  {result}",
                    flush=True,
                )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
