"""Fixtures of the simulator's command tests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SIMULATE = str(Path(sys.executable).with_name("simulate"))


@pytest.fixture
def cli(endpoint, monkeypatch):
    """Run `simulate ...` aimed at the endpoint (no credentials: the local admin is used)."""

    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint.url,
        "AWS_REGION": "us-east-1",
        "WILDRYDES_STATE_DIR": str(endpoint.state_dir),
        "COLUMNS": "200",
    }

    def run(*args: str, timeout: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([SIMULATE, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd)

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen([SIMULATE, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    run.start = start
    return run
