"""Start, find and stop the local endpoint process.

One endpoint per state folder: its pid file records the pid and port, its log collects the output.
Start is idempotent; stop leaves no process behind; status asks the server itself, not the pid file.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from simulator.errors import UserError
from simulator.local import state
from simulator.local.options import EndpointOptions
from simulator.local.server import EXIT_PORT_IN_USE, HOST

START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0


@dataclass
class RunningEndpoint:
    pid: int
    port: int
    options: dict
    moto_version: str

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def health(port: int, timeout: float = 1.0) -> dict | None:
    """The endpoint's own description of itself, or None when nothing of ours answers on the port."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/_wildrydes/health", timeout=timeout) as reply:
            payload = json.load(reply)
    except (OSError, ValueError):
        return None
    return payload if isinstance(payload, dict) and payload.get("status") == "ok" else None


def _read_pid_file() -> dict | None:
    try:
        return json.loads(state.pid_file().read_text())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still answers kill(0); reap it if it is ours.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def status() -> RunningEndpoint | None:
    recorded = _read_pid_file()
    if not recorded:
        return None
    answer = health(recorded["port"])
    if not answer or answer["pid"] != recorded["pid"]:
        return None
    return RunningEndpoint(
        pid=answer["pid"], port=recorded["port"], options=answer["options"], moto_version=answer["moto"]
    )


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _port_taken(port: int) -> UserError:
    other = health(port)
    if other:
        return UserError(
            f"port {port} on {HOST} is used by another local endpoint (pid {other['pid']}) started with a different "
            f"state folder (WILDRYDES_STATE_DIR): stop it with `kill {other['pid']}`, or pick another port with --port"
        )
    return UserError(f"port {port} on {HOST} is in use by another program: stop it, or pick another port with --port")


def start(options: EndpointOptions) -> tuple[RunningEndpoint, bool]:
    """Start the endpoint unless one is already running; returns it and whether this call started it."""
    if not 1 <= options.port <= 65535:
        raise UserError(f"--port {options.port} is not a TCP port: use a number from 1 to 65535")
    running = status()
    if running:
        return running, False
    if not _port_is_free(options.port):
        raise _port_taken(options.port)

    state.state_dir().mkdir(parents=True, exist_ok=True)
    with open(state.log_file(), "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "simulator.local.server", options.to_json()],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C in the terminal that started it must not kill it
            close_fds=True,
        )
    state.pid_file().write_text(json.dumps({"pid": process.pid, "port": options.port}))

    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            state.pid_file().unlink(missing_ok=True)
            if code == EXIT_PORT_IN_USE:
                raise _port_taken(options.port)
            raise UserError(f"the local endpoint exited at start (code {code}): see {state.log_file()}")
        running = status()
        if running:
            return running, True
        time.sleep(0.1)
    _terminate(process.pid)
    state.pid_file().unlink(missing_ok=True)
    raise UserError(f"the local endpoint did not answer within {START_TIMEOUT_SECONDS:.0f} s: see {state.log_file()}")


def _terminate(pid: int) -> None:
    """SIGTERM the endpoint's process group, then SIGKILL what is left after the grace period."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    while _alive(pid):
        time.sleep(0.05)


def stop() -> RunningEndpoint | None:
    """Stop the endpoint recorded in the state folder; returns what was stopped (None: nothing ran)."""
    recorded = _read_pid_file()
    if not recorded:
        return None
    running = status()
    # Only signal a pid that is still ours: after a reboot the recorded pid may belong to anyone.
    if running or _is_our_server(recorded["pid"]):
        _terminate(recorded["pid"])
    state.pid_file().unlink(missing_ok=True)
    return running


def _is_our_server(pid: int) -> bool:
    """A recorded pid that no longer answers may still be our server, hung: look at its command line."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"simulator.local.server" in cmdline.read()
    except OSError:
        return False
