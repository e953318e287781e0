"""Wall time of `ansible-playbook setup.yml` for 1 and for 20 local attendees, and of the idempotent re-run.

Run: .venv/bin/python benchmarks/setup_wall_time.py [--attendees 1 20]
Starts its own local endpoint (IAM enforcement on, as `make demo`) on a free port in a temporary state folder.
Targets (2 cores): <= 15 s for 1 attendee, <= 90 s for 20. The console path takes a person ~15 minutes per account.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.local import launcher  # noqa: E402
from simulator.local.options import EndpointOptions  # noqa: E402

TARGETS = {1: 15.0, 20: 90.0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_setup(inventory: Path) -> float:
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory), "setup.yml"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"setup.yml failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attendees", type=int, nargs="+", default=[1, 20])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["WILDRYDES_STATE_DIR"] = scratch
        running, _ = launcher.start(EndpointOptions(port=free_port(), iam_enforcement=True))
        try:
            print(f"{'attendees':>9} {'first run':>10} {'re-run':>8} {'target':>7}  verdict")
            next_account = 1000
            for count in args.attendees:
                folder = Path(scratch) / f"inventory-{count}"
                folder.mkdir()
                (folder / "group_vars").symlink_to(REPO / "inventory" / "group_vars")
                hosts = {f"a{n:03d}": {"wildrydes_local_account_id": f"{next_account + n:012d}"} for n in range(count)}
                next_account += count
                inventory = folder / "attendees.yml"
                inventory.write_text(
                    yaml.safe_dump({"attendees": {"hosts": hosts, "vars": {"wildrydes_endpoint_url": running.url}}})
                )
                first = run_setup(inventory)
                again = run_setup(inventory)
                target = TARGETS.get(count)
                verdict = "n/a" if target is None else ("PASS" if first <= target else "FAIL")
                print(f"{count:>9} {first:>9.1f}s {again:>7.1f}s {target or 0:>6.0f}s  {verdict}", flush=True)
        finally:
            launcher.stop()


if __name__ == "__main__":
    main()
