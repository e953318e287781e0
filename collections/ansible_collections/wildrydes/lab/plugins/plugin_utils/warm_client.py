# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The caller's side of the warm module runner (warm_server.py), used by the wildrydes.lab.warm connection.

Only a command that is exactly what Ansible's sh shell builds to run a Python module is run warm: optional
`NAME=value` assignments (the task's `environment:`), an absolute python interpreter, the module on stdin
(pipelining) or as one file argument, then `&& sleep 0`. Anything else, or a module that is not an AnsiballZ
payload, is the local connection's to run as usual. A run that cannot reach the server before it is sent is run
the usual way too; a run lost after it was sent is an error, never run twice.
"""

from __future__ import annotations

import array
import fcntl
import hashlib
import json
import multiprocessing
import os
import re
import select
import shlex
import socket
import stat
import struct
import subprocess
import tempfile
from dataclasses import dataclass

import ansible

SERVER_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "warm_server.py")
# The Ansible that builds the module payloads: the server preloads Ansible's module support only from this copy.
CONTROLLER_ANSIBLE = os.path.dirname(os.path.abspath(ansible.__file__))
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
PYTHON_NAME = re.compile(r"python[0-9.]*\Z")
ANSIBALLZ_MARKER = b"\n_ANSIBALLZ_WRAPPER = True\n"
# Read by the interpreter at start-up: a run that asks for other values than the server started with is not warm.
STARTUP_VARIABLES = re.compile(r"(?:PYTHON[A-Z_]*|LANG|LC_ALL|LC_CTYPE)\Z")
START_TIMEOUT_SECONDS = 60.0
MAX_SOCKET_PATH = 100


class WarmUnavailable(Exception):
    """The server cannot be reached; nothing was sent, so the run may be made the usual way."""


class WarmRunLost(Exception):
    """The run was sent but its end was not reported; it must not be run again."""


@dataclass(frozen=True)
class Plan:
    interpreter: str
    assignments: dict[str, str]
    script_path: str | None


def plan(cmd: str, in_data: bytes | None, shell: str) -> Plan | None:
    """How to run `cmd` warm, or None when it is anything but a Python module run as Ansible builds one."""
    try:
        outer = shlex.split(cmd)
    except ValueError:
        return None
    if len(outer) != 3 or outer[0] != shell or outer[1] != "-c" or cmd != f"{shell} -c {shlex.quote(outer[2])}":
        return None
    inner = outer[2]
    try:
        words = shlex.split(inner)
    except ValueError:
        return None
    if words[-3:] != ["&&", "sleep", "0"]:
        return None
    words = words[:-3]
    assignments: dict[str, str] = {}
    while words and ENV_NAME.match(words[0].partition("=")[0]) and "=" in words[0]:
        name, _equals, value = words.pop(0).partition("=")
        if name in assignments:
            return None
        assignments[name] = value
    if len(words) not in (1, 2):
        return None
    interpreter, script_path = words[0], (words[1] if len(words) == 2 else None)
    # The exact text Ansible's sh shell writes for these parts: anything else (a pipe, a redirection, an expansion)
    # means a shell is needed.
    prefix = " ".join(f"{name}={shlex.quote(value)}" for name, value in assignments.items())
    rebuilt = (prefix + " " if prefix else "") + shlex.join(words) + " && sleep 0"
    if rebuilt != inner:
        return None
    if not os.path.isabs(interpreter) or not PYTHON_NAME.match(os.path.basename(interpreter)):
        return None
    if (in_data is None) == (script_path is None):
        return None
    return Plan(interpreter, assignments, script_path)


def is_ansiballz(script: bytes) -> bool:
    return ANSIBALLZ_MARKER in script


def startup_variables(env: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in env.items() if STARTUP_VARIABLES.match(name)}


def runtime_dir(base: str | None = None) -> str:
    """This user's folder for sockets under `base` (the temporary folder), 0700; refuses one another user could
    reach."""
    path = os.path.join(base or tempfile.gettempdir(), f"wildrydes-warm-{os.getuid()}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as error:
        raise WarmUnavailable(f"cannot make {path}: {error}") from error
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise WarmUnavailable(f"{path} is not a folder only this user can reach")
    return path


def socket_path(owner: int, interpreter: str) -> str:
    key = hashlib.sha256(f"{interpreter}\0{SERVER_FILE}".encode()).hexdigest()[:12]
    path = os.path.join(runtime_dir(), f"{owner}-{key}.sock")
    if len(path.encode()) > MAX_SOCKET_PATH:
        # A socket's path is at most 107 bytes; a deep TMPDIR gets the system's /tmp instead.
        path = os.path.join(runtime_dir("/tmp"), f"{owner}-{key}.sock")
    if len(path.encode()) > MAX_SOCKET_PATH:
        raise WarmUnavailable(f"socket path too long for AF_UNIX: {path}")
    return path


def _connect(path: str) -> socket.socket:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        raise
    return conn


def _start(path: str, owner: int, interpreter: str, env: dict[str, str]) -> None:
    """Start the server for `owner` (the ansible-playbook process) and wait until it says it is ready."""
    try:
        # It must outlive this worker, so no `with`.
        server = subprocess.Popen(  # pylint: disable=consider-using-with
            [interpreter, SERVER_FILE, path, str(owner), CONTROLLER_ANSIBLE],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd="/",
            close_fds=True,
        )
    except OSError as error:
        raise WarmUnavailable(f"cannot start {interpreter}: {error}") from error
    # It says so once it listens (imports come after): a few tens of milliseconds, unless something is wrong.
    ready_to_read = select.select([server.stdout], [], [], START_TIMEOUT_SECONDS)[0]
    line = server.stdout.readline() if ready_to_read else b""
    server.stdout.close()
    try:
        ready = json.loads(line) if line else {}
    except ValueError:
        ready = {}
    if not ready.get("ready"):
        server.kill()
        server.wait()
        raise WarmUnavailable("the warm runner did not start")


def connect(owner: int, interpreter: str) -> socket.socket:
    """A connection to `owner`'s server for `interpreter`, started first if needed (one starter at a time)."""
    path = socket_path(owner, interpreter)
    try:
        return _connect(path)
    except OSError:
        pass
    with open(path + ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _connect(path)
        except OSError:
            pass
        try:
            os.unlink(path)  # a server that died without removing its socket
        except FileNotFoundError:
            pass
        _start(path, owner, interpreter, dict(os.environ))
        try:
            return _connect(path)
        except OSError as error:
            raise WarmUnavailable(f"cannot reach the warm runner: {error}") from error


def owner_pid() -> int:
    """The ansible-playbook process: the parent of a worker (workers are forked from it), else this process."""
    return os.getppid() if multiprocessing.parent_process() is not None else os.getpid()


def prestart(owner: int, interpreter: str) -> None:
    """Start `owner`'s server now if nobody is starting it, without waiting for its imports (about half a second
    of CPU, done while the play's first tasks run); a stat when it is running already. Failures are left for the
    first module run to meet and report."""
    try:
        path = socket_path(owner, interpreter)
        if os.path.exists(path):
            return
        with open(path + ".lock", "w", encoding="utf-8") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # another worker is starting it
            if not os.path.exists(path):
                _start(path, owner, interpreter, dict(os.environ))
    except (WarmUnavailable, OSError):
        pass


def _scratch(name: str) -> int:
    try:
        return os.memfd_create(name)
    except (AttributeError, OSError):
        with tempfile.TemporaryFile() as handle:  # unlinked already; the duplicate keeps it open
            return os.dup(handle.fileno())


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def run(conn: socket.socket, plan_: Plan, script: bytes, env: dict[str, str], cwd: str) -> tuple[int, bytes, bytes]:
    """Send one run on `conn`; return (exit status, stdout, stderr) as subprocess would."""
    out_fd, err_fd = _scratch("stdout"), _scratch("stderr")
    try:
        header = json.dumps(
            {
                "argv": [plan_.script_path] if plan_.script_path else [""],
                "env": env,
                "cwd": cwd,
                "script_name": plan_.script_path,
                "script_length": len(script),
            }
        ).encode()
        try:
            conn.sendmsg(
                [struct.pack(">I", len(header))],
                [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [out_fd, err_fd]))],
            )
        except OSError as error:
            raise WarmUnavailable(f"cannot send to the warm runner: {error}") from error
        try:
            conn.sendall(header)
            conn.sendall(script)
            reply = conn.makefile("rb").readline()
        except OSError as error:
            raise WarmRunLost(f"the warm runner lost the module run: {error}") from error
        try:
            rc = int(json.loads(reply)["rc"])
        except (ValueError, KeyError, TypeError) as error:
            raise WarmRunLost("the warm runner ended without reporting the module run") from error
        return rc, _read_all(out_fd), _read_all(err_fd)
    finally:
        os.close(out_fd)
        os.close(err_fd)
        conn.close()


def run_module(plan_: Plan, in_data: bytes | None, owner: int, cwd: str) -> tuple[int, bytes, bytes] | None:
    """Run the planned module warm; None when it is not an AnsiballZ payload or needs another start-up."""
    if plan_.script_path is not None:
        try:
            with open(plan_.script_path, "rb") as handle:
                script = handle.read()
        except OSError:
            return None
    elif in_data is not None:
        script = in_data
    else:
        return None
    if not is_ansiballz(script):
        return None
    env = {**os.environ, **plan_.assignments}
    if startup_variables(env) != startup_variables(dict(os.environ)):
        return None
    return run(connect(owner, plan_.interpreter), plan_, script, env, cwd)
