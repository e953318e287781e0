"""`simulate demo` (what `make demo` runs), end to end but bounded in time."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIMULATE = str(Path(sys.executable).with_name("simulate"))


def test_demo_provisions_the_local_lab_and_stops_what_it_started(tmp_path):
    env = {
        **os.environ,
        "WILDRYDES_STATE_DIR": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    demo = subprocess.run(
        [SIMULATE, "demo", "--for", "6", "--dashboard-port", "0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "ok local: identity pool id us-east-1:" in demo.stdout
    assert "The lab is provisioned." in demo.stdout
    assert "The live map: http://127.0.0.1:" in demo.stdout and "/?attendee=local" in demo.stdout
    assert "local AWS endpoint stopped" in demo.stdout
    # The example herd rode and its consumer printed records in the workshop's layout.
    assert '"Name": "Shadowfax"' in demo.stdout
    assert "sent " in demo.stderr and "failed 0" in demo.stderr
    assert (REPO / "build" / "local" / "dashboard-config.json").exists()
    status = subprocess.run([SIMULATE, "local", "status"], env=env, capture_output=True, text=True, timeout=60)
    assert status.returncode != 0


def test_demo_outside_the_repository_says_where_to_run_it(tmp_path):
    env = {**os.environ, "WILDRYDES_STATE_DIR": str(tmp_path)}
    demo = subprocess.run([SIMULATE, "demo", "--for", "1"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert demo.returncode != 0
    assert "setup.yml not found here: run the demo from the repository root" in demo.stderr
    assert "Traceback" not in demo.stderr
