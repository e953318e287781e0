"""`simulate demo` (what `make demo` runs): the whole lab on this machine, until Ctrl+C."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.text import Text

from localaws import launcher
from localaws.accounts import DEFAULT_ACCOUNT_ID, profile_name
from localaws.settings import DEFAULT_PORT, Settings
from localaws.state import StateFolder, default_state_dir
from simulator.commands import dashboard
from simulator.commands.output import console, reports_user_errors
from simulator.errors import UserError
from simulator.safe_text import visible


def _tool(name: str) -> str:
    """A console script of this environment (the venv's), else whatever PATH has."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise UserError(f"{name} not found: run `make demo` (it installs everything into .venv)")
    return found


@reports_user_errors
def demo(
    seconds: Annotated[
        float | None, typer.Option("--for", help="Stop by itself after this many seconds (default: at Ctrl+C).")
    ] = None,
    dashboard_port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port of the live dashboard (`simulate dashboard`) on 127.0.0.1.")
    ] = dashboard.DEFAULT_PORT,
    iam_propagation_delay: Annotated[
        float,
        typer.Option(
            min=0,
            max=86_400,
            help="Seconds before new roles, policies and trust changes take effect, as on AWS (IAM is eventually "
            "consistent); the endpoint the demo starts uses it.",
        ),
    ] = 0.0,
) -> None:
    """Start the local endpoint (IAM enforcement on), provision the lab with setup.yml, serve the dashboard, keep
    it running."""
    if not Path("setup.yml").is_file():
        raise UserError("setup.yml not found here: run the demo from the repository root (`make demo`)")
    # The local inventory points at the default port, so the demo uses it too.
    state = StateFolder(default_state_dir())
    try:
        running, started = launcher.start(
            Settings(
                port=DEFAULT_PORT,
                state_dir=state.path,
                iam_enforcement=True,
                iam_propagation_delay=iam_propagation_delay,
            )
        )
    except launcher.EndpointError as error:
        raise UserError(str(error)) from None
    # Every tool the demo runs signs as the local attendee's account, through its generated profile.
    aws_env = {
        **os.environ,
        "WILDRYDES_STATE_DIR": str(state.path),
        "AWS_CONFIG_FILE": str(state.aws_config_file),
        "AWS_SHARED_CREDENTIALS_FILE": str(state.aws_credentials_file),
        "AWS_PROFILE": profile_name(DEFAULT_ACCOUNT_ID),
    }
    board = None
    try:
        if not started and not running.settings.get("iam_enforcement"):
            console.print(
                "[yellow]note:[/] reusing the local endpoint already running without IAM enforcement; "
                "`simulate local stop` first to see least privilege enforced"
            )
        running_delay = running.settings.get("iam_propagation_delay", 0.0)
        if not started and running_delay != iam_propagation_delay:
            console.print(
                f"[yellow]note:[/] reusing the local endpoint already running with an IAM propagation delay of "
                f"{running_delay:g} s, not {iam_propagation_delay:g} s; `simulate local stop` first to change it"
            )
        console.print(f"local AWS endpoint at {running.url}; provisioning with ansible-playbook setup.yml ...")
        setup = subprocess.run([_tool("ansible-playbook"), "setup.yml"], check=False, env=aws_env)
        if setup.returncode != 0:
            raise UserError(f"ansible-playbook setup.yml failed (exit {setup.returncode}): see its output above")
        board, board_url = _start_dashboard(dashboard_port)
        console.print(
            "\n[bold green]The lab is provisioned.[/] Now the example herd (fleet.yml) rides, and its consumer\n"
            "prints what the stream receives."
            + (f"\nThe live map: {board_url} (press Start)" if board_url else "")
            + "\nIn another terminal, try:\n"
            '  eval "$(simulate local env)"; export PATH=$PWD/.venv/bin:$PATH\n'
            "  ansible-playbook verify.yml          # the lab, checked end to end\n"
            "  simulate produce --name Bucephalus   # one more unicorn, as in the workshop\n"
            "  simulate stats                       # the Monitoring tab\n"
            "Press Ctrl+C to stop everything the demo started.\n"
        )
        herd = subprocess.Popen(
            [_tool("simulate"), "fleet", "fleet.yml"], env={**aws_env, "AWS_ENDPOINT_URL": running.url}
        )
        interrupted = False
        try:
            _wait(seconds, herd)
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            _stop_herd(herd, interrupted)
    except KeyboardInterrupt:
        console.print("\nstopping ...")
    finally:
        if board is not None:
            _stop(board)
        if started:
            launcher.stop(state)
            console.print("local AWS endpoint stopped")


@dataclass
class _Dashboard:
    process: subprocess.Popen
    drains: list["_Drain"]


def _start_dashboard(port: int, command: list[str] | None = None) -> tuple[_Dashboard | None, str | None]:
    """`simulate dashboard` in the background (or `command`); its URL, or a note (and no dashboard) when it
    cannot start. Everything it writes is read from the start: a pipe nobody reads fills up and blocks the
    writer (the dashboard's request threads)."""
    board = subprocess.Popen(
        command or [_tool("simulate"), "dashboard", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    stderr = _Drain(board.stderr, "dashboard")
    # It prints its URLs once it listens (or one error line and exits).
    for line in board.stdout:
        if line.startswith("dashboard of ") and ": http" in line:
            url = line.split(": ", 1)[1].strip()
            stderr.log()
            stdout = _Drain(board.stdout, "dashboard")
            stdout.log()
            return _Dashboard(board, [stderr, stdout]), url
    board.wait()
    stderr.finished.wait(timeout=5)
    last = next((line for line in reversed(stderr.kept) if line.strip()), "")
    problem = last.strip().removeprefix("error: ") or f"exit code {board.returncode}"
    console.print(
        Text(f"note: the dashboard did not start ({visible(problem)}); the demo goes on without it"), soft_wrap=True
    )
    return None, None


class _Drain:
    """Reads a child's pipe to its end on a thread: keeps the last lines until told to log, then logs each line
    on stderr, prefixed, control characters made visible."""

    def __init__(self, pipe: TextIO, prefix: str, keep: int = 20):
        self.pipe, self.prefix = pipe, prefix
        self.kept: deque[str] = deque(maxlen=keep)
        self.logging = threading.Event()
        self.finished = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._run, name=f"{prefix}-drain", daemon=True).start()

    def log(self) -> None:
        with self._lock:
            self.logging.set()
            for line in self.kept:
                self._write(line)
            self.kept.clear()

    def _write(self, line: str) -> None:
        sys.stderr.write(f"{self.prefix}: {visible(line.rstrip(chr(10)))}\n")

    def _run(self) -> None:
        try:
            for line in self.pipe:
                with self._lock:
                    if self.logging.is_set():
                        self._write(line)
                    else:
                        self.kept.append(line)
        except (OSError, ValueError):  # the pipe closed under us: nothing more to read
            pass
        finally:
            with contextlib.suppress(OSError):
                sys.stderr.flush()
            self.finished.set()


def _stop(board: _Dashboard) -> None:
    process = board.process
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    # Its last lines are still in the pipes when it exits (often the reason it stopped): log them before going.
    for drain in board.drains:
        drain.finished.wait(timeout=5)


def _stop_herd(herd: subprocess.Popen, interrupted: bool) -> None:
    """Let the herd flush what is in flight and sum up. Ctrl+C in a terminal reaches the herd too, so after an
    interrupt give it a moment on its own first: a second SIGINT would cut its flush short."""
    if herd.poll() is None and interrupted:
        with contextlib.suppress(subprocess.TimeoutExpired):
            herd.wait(timeout=3)
    if herd.poll() is None:
        herd.send_signal(signal.SIGINT)
    try:
        herd.wait(timeout=30)
    except subprocess.TimeoutExpired:
        herd.kill()
        herd.wait()


def _wait(seconds: float | None, herd: subprocess.Popen) -> None:
    """Until Ctrl+C, the time is up, or the herd ends by itself (its file may set a duration)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    while (deadline is None or time.monotonic() < deadline) and herd.poll() is None:
        time.sleep(0.2)
    if herd.poll() not in (None, 0):
        raise UserError(f"the herd stopped with exit code {herd.returncode}: see its output above")
