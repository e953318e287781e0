"""`simulate local start|stop|status|env|account`, run as a user runs them: the console script, in its own state
folder."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port

SIMULATE = str(Path(sys.executable).with_name("simulate"))


def simulate(state_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WILDRYDES_STATE_DIR": str(state_dir), "COLUMNS": "200"}
    return subprocess.run([SIMULATE, *args], env=env, capture_output=True, text=True, timeout=60)


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp shows them) listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(address)
    return found


def test_start_twice_gives_one_server_and_stop_leaves_nothing(tmp_path):
    port = free_port()
    first = simulate(tmp_path, "local", "start", "--port", str(port))
    assert first.returncode == 0, first.stderr
    assert f"started at http://127.0.0.1:{port}" in first.stdout
    pid = int(first.stdout.split("(pid ")[1].split(")")[0])

    second = simulate(tmp_path, "local", "start", "--port", str(port))
    assert second.returncode == 0, second.stderr
    assert f"already running at http://127.0.0.1:{port} (pid {pid})" in second.stdout

    status = simulate(tmp_path, "local", "status")
    assert status.returncode == 0
    assert f"pid {pid}" in status.stdout and "IAM enforcement on" in status.stdout
    # Bound to loopback only: 0100007F is 127.0.0.1 in /proc/net/tcp's byte order.
    assert listening_addresses(port) == {"0100007F"}
    assert (tmp_path / "endpoint.json").exists() and (tmp_path / "endpoint.log").exists()

    described = simulate(tmp_path, "local", "status", "--json")
    assert described.returncode == 0, described.stderr
    facts = json.loads(described.stdout)
    assert facts["pid"] == pid and facts["url"] == f"http://127.0.0.1:{port}"
    assert facts["settings"]["iam_enforcement"] is True and facts["accounts"] == ["123456789012"]
    token_file = Path(facts["token_file"])
    assert token_file.parent == tmp_path and token_file.stat().st_mode & 0o777 == 0o600

    stop = simulate(tmp_path, "local", "stop")
    assert stop.returncode == 0 and f"stopped (pid {pid})" in stop.stdout
    assert not Path(f"/proc/{pid}").exists(), "the endpoint process outlived stop"
    assert listening_addresses(port) == set()

    after = simulate(tmp_path, "local", "status")
    assert after.returncode != 0
    assert "not running" in after.stdout


def test_stop_when_nothing_runs_says_so(tmp_path):
    result = simulate(tmp_path, "local", "stop")
    assert result.returncode == 0
    assert "was not running" in result.stdout


def test_port_in_use_by_another_program_is_one_clear_line(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = simulate(tmp_path, "local", "start", "--port", str(port))
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is in use by another program" in result.stderr
    assert "--port" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "endpoint.json").exists()


@pytest.mark.parametrize("port", ["0", "70000"])
def test_impossible_port_is_refused(tmp_path, port):
    result = simulate(tmp_path, "local", "start", "--port", port)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert port in result.stderr


def test_accounts_added_get_profiles_that_tools_use(tmp_path):
    port = free_port()
    assert simulate(tmp_path, "local", "start", "--port", str(port)).returncode == 0
    try:
        added = simulate(tmp_path, "local", "account", "add", "000000000001", "000000000002")
        assert added.returncode == 0, added.stderr
        assert "profile wildrydes-local-000000000001" in added.stdout
        exports = simulate(tmp_path, "local", "env", "--account", "000000000002")
        assert exports.returncode == 0, exports.stderr
        env = dict(os.environ)
        for line in exports.stdout.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value
        assert env["AWS_PROFILE"] == "wildrydes-local-000000000002"
        who = subprocess.run(
            [sys.executable, "-c", "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])"],
            env={key: value for key, value in env.items() if key != "AWS_ENDPOINT_URL"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        # The profile alone (its endpoint_url) aims boto3 at the endpoint, as the account's admin.
        assert who.returncode == 0, who.stderr
        assert who.stdout.strip() == "000000000002"
        unknown = simulate(tmp_path, "local", "env", "--account", "000000000009")
        assert unknown.returncode != 0 and "simulate local account add 000000000009" in unknown.stderr
        bad = simulate(tmp_path, "local", "account", "add", "42")
        assert bad.returncode != 0 and "Traceback" not in bad.stderr and "12 digits" in bad.stderr
    finally:
        simulate(tmp_path, "local", "stop")
