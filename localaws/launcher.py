"""Start, find and stop the endpoint process of a state folder, and talk to its control API.

One endpoint per state folder: its pid file records the pid and port, its log collects the output. Start is
idempotent; stop leaves no process behind; status asks the server itself (with the folder's control token),
not the pid file.
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
from typing import Any

from localaws.frontdoor.control import SERVICE_NAME, TOKEN_HEADER
from localaws.server import EXIT_PORT_IN_USE, HOST
from localaws.settings import Settings
from localaws.state import StateFolder

START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0


class EndpointError(Exception):
    """A problem a user can fix, said in one line."""


@dataclass
class RunningEndpoint:
    pid: int
    port: int
    state: StateFolder
    status: dict[str, Any]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def settings(self) -> dict[str, Any]:
        return self.status.get("settings", {})


def health(port: int, timeout: float = 1.0) -> dict | None:
    """What answers on the port, if it is one of our endpoints (no token needed); else None."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/_wildrydes/health", timeout=timeout) as reply:
            payload = json.load(reply)
    except (OSError, ValueError):
        return None
    return payload if isinstance(payload, dict) and payload.get("service") == SERVICE_NAME else None


def control(state: StateFolder, route: str, payload: Any = None, *, port: int | None = None) -> Any:
    """Call the control API of the state folder's endpoint with its token; EndpointError on a refusal."""
    token = state.read_token()
    if port is None:
        recorded = _read_pid_file(state)
        if not recorded:
            raise EndpointError(f"no local endpoint runs for state folder {state.path}: `simulate local start`")
        port = recorded["port"]
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(
        f"http://{HOST}:{port}/_wildrydes/{route}",
        data=data,
        method="POST" if data is not None else "GET",
        headers={TOKEN_HEADER: token or "", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.load(reply)
    except urllib.error.HTTPError as error:
        try:
            message = json.load(error).get("error", "")
        except (ValueError, AttributeError):
            message = ""
        raise EndpointError(f"control API {route}: {message or error.reason} (HTTP {error.code})") from None


def _read_pid_file(state: StateFolder) -> dict | None:
    try:
        recorded = json.loads(state.pid_file.read_text())
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) and {"pid", "port"} <= set(recorded) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(ChildProcessError):  # a zombie child of ours still answers kill(0)
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def status(state: StateFolder) -> RunningEndpoint | None:
    recorded = _read_pid_file(state)
    if not recorded:
        return None
    answer = health(recorded["port"])
    if not answer or answer.get("pid") != recorded["pid"]:
        return None
    try:
        full = control(state, "status", port=recorded["port"])
    except (EndpointError, OSError, ValueError):
        return None
    return RunningEndpoint(pid=recorded["pid"], port=recorded["port"], state=state, status=full)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _port_taken(port: int) -> EndpointError:
    other = health(port)
    if other:
        return EndpointError(
            f"port {port} on {HOST} is used by another local endpoint (pid {other['pid']}) with another state "
            f"folder: stop it with `kill {other['pid']}`, or pick another port with --port"
        )
    return EndpointError(
        f"port {port} on {HOST} is in use by another program: stop it, or pick another port with --port"
    )


def start(settings: Settings) -> tuple[RunningEndpoint, bool]:
    """Start the endpoint unless one already runs for the state folder; returns it and whether this call started it."""
    state = StateFolder(settings.state_dir)
    running = status(state)
    if running:
        return running, False
    if not _port_is_free(settings.port):
        raise _port_taken(settings.port)
    state.create()
    with open(state.log_file, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "localaws.server", settings.to_json()],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C in the terminal that started it must not kill it
            close_fds=True,
        )
    state.pid_file.write_text(json.dumps({"pid": process.pid, "port": settings.port}))
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            state.pid_file.unlink(missing_ok=True)
            if code == EXIT_PORT_IN_USE:
                raise _port_taken(settings.port)
            raise EndpointError(f"the local endpoint exited at start (code {code}): see {state.log_file}")
        running = status(state)
        if running:
            return running, True
        time.sleep(0.1)
    _terminate(process.pid)
    state.pid_file.unlink(missing_ok=True)
    raise EndpointError(f"the local endpoint did not answer within {START_TIMEOUT_SECONDS:.0f} s: see {state.log_file}")


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


def _is_our_server(pid: int) -> bool:
    """A recorded pid that no longer answers may still be our server, hung: look at its command line."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"localaws.server" in cmdline.read()
    except OSError:
        return False


def stop(state: StateFolder) -> RunningEndpoint | None:
    """Stop the state folder's endpoint; returns what was stopped (None: nothing ran)."""
    recorded = _read_pid_file(state)
    if not recorded:
        return None
    running = status(state)
    # Only signal a pid that is still ours: after a reboot the recorded pid may belong to anyone.
    if running or _is_our_server(recorded["pid"]):
        _terminate(recorded["pid"])
    state.pid_file.unlink(missing_ok=True)
    state.token_file.unlink(missing_ok=True)
    return running
