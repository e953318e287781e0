"""The collection's meta/runtime.yml: the removed module says what replaces it."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ANSIBLE = str(Path(sys.executable).with_name("ansible"))


def adhoc(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    return subprocess.run(
        [ANSIBLE, "localhost", "-i", "localhost,", "-c", "local", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_removed_on_demand_module_names_its_replacement():
    done = adhoc("-m", "wildrydes.lab.kinesis_stream_on_demand", "-a", "name=wildrydes")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "wildrydes.lab.kinesis_stream with stream_mode=ON_DEMAND" in output, output
