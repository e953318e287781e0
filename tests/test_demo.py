"""`simulate demo` (what `make demo` runs), end to end but bounded in time."""

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from localaws.accounts import DEFAULT_ACCOUNT_ID, profile_name
from localaws.state import StateFolder

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


def test_demo_with_an_iam_propagation_delay_provisions_rides_and_verifies(tmp_path):
    """`simulate demo --iam-propagation-delay 10`: the endpoint it starts holds new roles and policies back 10 s,
    as IAM does on AWS. setup.yml's calls are the admin's (not held back); verify.yml's guest sign-in, made while
    the demo runs, waits out what setup made last; the herd rides."""
    env = {
        **os.environ,
        "WILDRYDES_STATE_DIR": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    demo = subprocess.Popen(
        [SIMULATE, "demo", "--iam-propagation-delay", "10", "--dashboard-port", "0", "--for", "600"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout: list[str] = []
    stderr: list[str] = []
    provisioned = threading.Event()
    rode = threading.Event()

    def read_stdout() -> None:
        for line in demo.stdout:
            stdout.append(line)
            if "The lab is provisioned." in line:
                provisioned.set()
            if '"Name": "Shadowfax"' in line:
                rode.set()
        provisioned.set()  # ended: let the test look at what it printed

    readers = [
        threading.Thread(target=read_stdout, daemon=True),
        threading.Thread(target=lambda: stderr.extend(demo.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        assert provisioned.wait(timeout=300) and demo.poll() is None, "".join(stdout) + "".join(stderr)
        status = subprocess.run(
            [SIMULATE, "local", "status", "--json"], env=env, capture_output=True, text=True, timeout=60
        )
        assert json.loads(status.stdout)["settings"]["iam_propagation_delay"] == 10.0, status.stdout
        # verify.yml as the demo suggests running it, in another terminal, right away.
        state = StateFolder(tmp_path)
        aws_env = {
            **env,
            "AWS_CONFIG_FILE": str(state.aws_config_file),
            "AWS_SHARED_CREDENTIALS_FILE": str(state.aws_credentials_file),
            "AWS_PROFILE": profile_name(DEFAULT_ACCOUNT_ID),
            "ANSIBLE_NOCOLOR": "1",
        }
        verify = subprocess.run(
            [str(Path(sys.executable).with_name("ansible-playbook")), "verify.yml"],
            cwd=REPO,
            env=aws_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert verify.returncode == 0, verify.stdout[-4000:] + verify.stderr[-2000:]
        assert "guest can read, cannot write" in verify.stdout
        assert rode.wait(timeout=120), "".join(stdout) + "".join(stderr)
    finally:
        if demo.poll() is None:
            demo.send_signal(signal.SIGINT)
        demo.wait(timeout=120)
        for reader in readers:
            reader.join(timeout=10)
    output, errors = "".join(stdout), "".join(stderr)
    assert demo.returncode == 0, output + errors
    assert "ok local: identity pool id us-east-1:" in output
    assert "sent " in errors and "failed 0" in errors
    assert "local AWS endpoint stopped" in output
