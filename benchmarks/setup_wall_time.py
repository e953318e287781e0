"""Wall time of `ansible-playbook setup.yml` for 1 and for 20 local attendees, and of the idempotent re-run.

Run: .venv/bin/python benchmarks/setup_wall_time.py [--attendees 1 20]
Starts its own local endpoint with its defaults (IAM enforcement on, as `make demo`) on a free port in a temporary
state folder (benchmarks/endpoint.py). Each attendee is a simulated account added to the endpoint, with its
generated admin key; the inventory names its profile `wildrydes-local-<id>` and ansible-playbook finds the profiles
through WILDRYDES_STATE_DIR, as users' runs do.
Targets (2 cores): <= 15 s for 1 attendee, <= 90 s for 20. The console path takes a person ~15 minutes per account.
"""

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.endpoint import BenchEndpoint, local_endpoint  # noqa: E402

TARGETS = {1: 15.0, 20: 90.0}
RECAP_CHANGED = re.compile(r"^\S+\s+:\s+ok=\d+\s+changed=(\d+)", re.MULTILINE)


def run_setup(ep: BenchEndpoint, inventory: Path) -> tuple[float, int]:
    """Seconds of `ansible-playbook setup.yml` and the tasks it changed (PLAY RECAP, all attendees)."""
    env = {**ep.tool_env(), "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
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
    return elapsed, sum(int(changed) for changed in RECAP_CHANGED.findall(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attendees", type=int, nargs="+", default=[1, 20])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wildrydes-setup-bench-") as scratch, local_endpoint() as ep:
        print(f"{'attendees':>9} {'first run':>10} {'re-run':>8} {'re-run changed':>15} {'target':>7}  verdict")
        next_account = 1000
        for count in args.attendees:
            # A fresh account per attendee and per size: the first run creates everything, as in a new lab.
            hosts = {f"a{n:03d}": f"{next_account + n:012d}" for n in range(count)}
            next_account += count
            inventory = ep.write_inventory(Path(scratch) / f"inventory-{count}", hosts)
            first, _ = run_setup(ep, inventory)
            again, changed = run_setup(ep, inventory)
            target = TARGETS.get(count)
            verdict = "n/a" if target is None else ("PASS" if first <= target else "FAIL")
            print(f"{count:>9} {first:>9.1f}s {again:>7.1f}s {changed:>15} {target or 0:>6.0f}s  {verdict}", flush=True)


if __name__ == "__main__":
    main()
