# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A warm Python that runs Ansible's Python modules for the wildrydes.lab.warm connection.

Every AWS task of a playbook is a new Python that imports Ansible's module support and boto3 before it makes one
or two calls: about a second of CPU for a few milliseconds of work. This server imports them once, then forks for
each module run, so each run starts with them already in memory. A run is otherwise what `python` would do with the
module piped to it: the task's environment, working directory and arguments, its own stdout and stderr (the
caller's files, passed over the socket), its exit status, the standard interpreter shutdown (atexit handlers).
Modules the server did not preload come from the module's own payload, as usual.

It is started by the connection plugin (warm_client.py) as `python warm_server.py SOCKET OWNER_PID ANSIBLE_DIR`
(the controller's Ansible package folder: Ansible's module support is preloaded only when this interpreter imports
that same copy), with only the standard library, and serves until the owner (the ansible-playbook process) exits
or nothing came for a while.
Only the user who started it can reach the socket: its folder is 0700.

Request (one per connection): 4-byte big-endian length, a JSON header {argv, env, cwd, script_name}, the script's
bytes (header["script_length"]), and two file descriptors (stdout, stderr) as SCM_RIGHTS on the first message.
Reply: one JSON line {"rc": N}, N as the shell Ansible runs Python through reports it (128 + N: killed by signal N).
"""

from __future__ import annotations

import array
import atexit
import builtins
import gc
import hashlib
import importlib.machinery
import importlib.util
import io
import json
import marshal
import os
import selectors
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
import traceback
import types
import zipimport

# Modules imported before the first fork, and what to run once so their lazy imports and caches are filled too.
# Ansible's own are preloaded only from the controller's copy of Ansible (the one that builds the payloads).
PRELOAD_ANSIBLE = (
    "ansible.module_utils.basic",
    "ansible.module_utils._internal._ansiballz._loader",
)
PRELOAD = (
    "boto3",
    "botocore.session",
    "botocore.client",
    "botocore.config",
    "botocore.exceptions",
    "botocore.waiter",
    "botocore.paginate",
)
IDLE_SECONDS = 600.0
REQUEST_TIMEOUT_SECONDS = 30.0
MAX_HEADER = 16 * 1024 * 1024
MAX_SCRIPT = 512 * 1024 * 1024


def _preload(names: tuple[str, ...]) -> list[str]:
    """Import what is there; a module that is missing is simply not warm (the run imports it, or fails, as usual)."""
    loaded = []
    for name in names:
        try:
            __import__(name)
        except Exception:  # an optional speed-up must never stop the server
            continue
        loaded.append(name)
    if "boto3" in loaded:
        _warm_botocore()
    return loaded


def _warm_botocore() -> None:
    """Build one client offline: botocore imports its endpoint, signing and HTTP machinery on first use."""
    try:
        import boto3

        session = boto3.session.Session(aws_access_key_id="warm", aws_secret_access_key="warm", region_name="us-east-1")
        session.client("sts", endpoint_url="http://127.0.0.1:9")
    except Exception:  # as above
        pass


def _same_ansible(controller_ansible: str) -> bool:
    """Whether this interpreter imports Ansible from the folder the controller's Ansible runs from."""
    spec = importlib.util.find_spec("ansible")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return bool(controller_ansible) and any(
        os.path.realpath(location) == os.path.realpath(controller_ansible) for location in locations
    )


class CompiledOnce(zipimport.zipimporter):
    """A zipimporter that compiles each source once, not twice, and once across runs.

    Every module run imports its module and its collections' module_utils from a new payload zip, and a zip has no
    bytecode: Python 3.11's zipimporter compiles each file for get_filename (asked while making the module spec)
    and again for get_code, about a seventh of a warm AWS task. Here get_filename only names the file, and the code
    of a source already compiled (any payload, any run) is loaded from this user's cache, keyed by the source's
    hash, the interpreter's bytecode tag and optimisation level, as Python's own __pycache__ does for files.
    """

    def __init__(self, path: str, cache: str | None) -> None:
        super().__init__(path)
        self._cache = cache

    def _inner_path(self, fullname: str) -> str:
        name = fullname.rpartition(".")[2]
        return self.prefix + name + ("/__init__.py" if self.is_package(fullname) else ".py")

    def get_filename(self, fullname: str) -> str:
        try:
            inner = self._inner_path(fullname)
            self.get_data(inner)
        except (OSError, zipimport.ZipImportError):
            return super().get_filename(fullname)
        return os.path.join(self.archive, inner)

    def get_code(self, fullname: str) -> types.CodeType:
        try:
            inner = self._inner_path(fullname)
            source = self.get_data(inner)
        except (OSError, zipimport.ZipImportError):
            return super().get_code(fullname)  # bytecode-only entries and the like: zipimport's own way
        return _compile_cached(source, os.path.join(self.archive, inner), self._cache)


def _compile_cached(source: bytes, filename: str, cache: str | None) -> types.CodeType:
    """compile() as zipimport does it (universal newlines, dont_inherit), through the cache when there is one."""
    source = source.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if cache is None:
        return compile(source, filename, "exec", dont_inherit=True)
    key = hashlib.sha256(source).hexdigest()
    entry = os.path.join(cache, f"{key}.{sys.implementation.cache_tag}.opt{sys.flags.optimize}")
    try:
        with open(entry, "rb") as handle:
            return _renamed(marshal.loads(handle.read()), filename)
    except (OSError, ValueError, EOFError, TypeError):
        pass
    code = compile(source, filename, "exec", dont_inherit=True)
    try:
        fd, partial = tempfile.mkstemp(dir=cache)
        with os.fdopen(fd, "wb") as handle:
            handle.write(marshal.dumps(code))
        os.replace(partial, entry)
    except OSError:
        pass  # a cache that cannot be written only costs the next run a compile
    return code


def _renamed(code: types.CodeType, filename: str) -> types.CodeType:
    """The cached code under this payload's file name, as tracebacks of this run should show it."""
    constants = tuple(
        _renamed(const, filename) if isinstance(const, types.CodeType) else const for const in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=constants)


class PayloadFirst:
    """Imports that a new Python would make from the module's payload zip, made from it, through CompiledOnce.

    The payload (sys.path[0] once Ansible's wrapper has run) holds the module and everything it needs: the
    collections' code under `ansible_collections/`, and under `ansible/` its own code (ansible.legacy.*,
    ansible.modules.*) and module_utils a playbook or role brings, which the preloaded `ansible` package would
    otherwise look for only in its installed folder. Modules already preloaded are in sys.modules and never asked.
    """

    def __init__(self, cache: str | None) -> None:
        self._cache = cache

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        top = fullname.partition(".")[0]
        if top not in ("ansible", "ansible_collections"):
            return None
        payload = sys.path[0] if sys.path else ""
        if not payload.endswith(".zip") or not os.path.isfile(payload):
            return None
        parent = fullname.split(".")[:-1]
        try:
            return CompiledOnce(os.path.join(payload, *parent), self._cache).find_spec(fullname)
        except zipimport.ZipImportError:
            return None


def _recv_exact(conn: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = conn.recv(min(size - len(chunks), 1 << 20))
        if not chunk:
            raise EOFError("the caller closed the connection mid-request")
        chunks += chunk
    return bytes(chunks)


def _recv_request(conn: socket.socket) -> tuple[dict, bytes, list[int]]:
    fds = array.array("i")
    data, ancillary, _flags, _addr = conn.recvmsg(4, socket.CMSG_SPACE(2 * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
    if len(data) < 4:
        data += _recv_exact(conn, 4 - len(data))
    (length,) = struct.unpack(">I", data)
    if length > MAX_HEADER or len(fds) != 2:
        raise ValueError("malformed request")
    header = json.loads(_recv_exact(conn, length))
    script_length = int(header["script_length"])
    if not 0 <= script_length <= MAX_SCRIPT:
        raise ValueError("malformed request")
    return header, _recv_exact(conn, script_length), list(fds)


def _exit_code(code: object) -> int:
    """What the interpreter exits with for SystemExit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _run_script(
    header: dict, script: bytes, out_fd: int, err_fd: int, base_path: list[str], code_cache: str | None
) -> int:
    """In the forked child: become `python` running `script`, then return its exit status."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    for fd in {devnull, out_fd, err_fd} - {0, 1, 2}:
        os.close(fd)
    # The streams Python makes at start-up, on the caller's files.
    encoding, errors = sys.__stdout__.encoding, sys.__stdout__.errors
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding=encoding, errors=errors)
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding=encoding, errors=errors)
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding=encoding, errors="backslashreplace", write_through=True
    )
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
    for signum in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)

    os.environ.clear()
    os.environ.update(header["env"])
    os.chdir(header["cwd"])
    sys.argv = list(header["argv"]) or [""]
    script_name = header.get("script_name")
    # As `python` reading stdin (sys.path[0] is '') or `python FILE` (the file's folder), unless -P/PYTHONSAFEPATH.
    first = [] if sys.flags.safe_path else [os.path.dirname(os.path.realpath(script_name)) if script_name else ""]
    sys.path[:] = [*first, *base_path]
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    if script_name:
        main.__file__ = script_name
    sys.modules["__main__"] = main
    sys.meta_path.insert(0, PayloadFirst(code_cache))
    try:
        code = compile(script, script_name or "<stdin>", "exec")
        exec(code, main.__dict__)  # running the module is the point
    except SystemExit as done:
        return _exit_code(done.code)
    except KeyboardInterrupt:
        # As Python ends on an uncaught Ctrl+C: the traceback, then death by SIGINT.
        traceback.print_exc()
        sys.stderr.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        return 130
    except BaseException as error:  # reported as Python reports an uncaught exception
        # Leave this server's frame out of the traceback, as `python` shows only the script's.
        traceback.print_exception(type(error), error, error.__traceback__.tb_next if error.__traceback__ else None)
        return 1
    return 0


def _leave(code: int) -> None:
    """End a module run as `python` ends: non-daemon threads joined, atexit handlers run, streams flushed.

    Then os._exit: the interpreter's own teardown would touch every object inherited from the server and copy
    its memory page by page, about 125 ms of CPU per run for nothing (measured; a run itself is a few ms).
    atexit._run_exitfuncs is how CPython runs the handlers at exit; without it, the normal exit is taken.
    """
    try:
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
        run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
        if run_exitfuncs is None:
            sys.exit(code)
        run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # a closed stream has nothing left to write
                pass
    finally:
        os._exit(code)


def _handle(conn: socket.socket, base_path: list[str], code_cache: str | None) -> None:
    """In a child of the server: run one request in a grandchild and report how it ended."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # A caller that connects and says nothing must not hold a process forever.
    conn.settimeout(REQUEST_TIMEOUT_SECONDS)
    header, script, (out_fd, err_fd) = _recv_request(conn)
    conn.settimeout(None)
    pid = os.fork()
    if pid == 0:
        conn.close()
        try:
            code = _run_script(header, script, out_fd, err_fd, base_path, code_cache)
        except Exception:  # a set-up failure (say the folder is gone) is the run's own error
            traceback.print_exc()
            code = 1
        _leave(code)
    os.close(out_fd)
    _pid, status = os.waitpid(pid, 0)
    try:
        rc = _as_the_shell_reports(status, err_fd)
    finally:
        os.close(err_fd)
    conn.sendall(json.dumps({"rc": rc}).encode() + b"\n")


def _as_the_shell_reports(status: int, err_fd: int) -> int:
    """The exit status Ansible gets through `/bin/sh -c '... python && sleep 0'`: a Python killed by signal N is
    128 + N, and the shell (dash, Debian's /bin/sh) says what killed it on stderr, except for SIGINT and SIGPIPE."""
    if not os.WIFSIGNALED(status):
        return os.waitstatus_to_exitcode(status)
    signum = os.WTERMSIG(status)
    if signum not in (signal.SIGINT, signal.SIGPIPE):
        said = signal.strsignal(signum) or f"Signal {signum}"
        if os.WCOREDUMP(status):
            said += " (core dumped)"
        os.lseek(err_fd, 0, os.SEEK_END)
        os.write(err_fd, said.encode() + b"\n")
    return 128 + signum


def _code_cache(folder: str) -> str | None:
    """The compiled-code cache beside the socket, in this user's 0700 folder; None if it cannot be made."""
    cache = os.path.join(folder, f"code-{sys.implementation.cache_tag}")
    try:
        os.mkdir(cache, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    info = os.lstat(cache)
    if not os.path.isdir(cache) or os.path.islink(cache) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return cache


def _owner_watch(selector: selectors.BaseSelector, owner: int) -> float:
    """Register the owner's pidfd (readable when it exits); without pidfds, return how often to look instead."""
    try:
        pidfd = os.pidfd_open(owner)
    except (AttributeError, OSError):
        return 2.0
    selector.register(pidfd, selectors.EVENT_READ, "owner")
    return IDLE_SECONDS


def serve(path: str, owner: int, controller_ansible: str, ready: io.TextIOBase) -> None:
    server_pid = os.getpid()
    # The folder of this file is not the modules' sys.path[0]; the script's is (set per run).
    here = os.path.dirname(os.path.realpath(__file__))
    base_path = sys.path[1:] if sys.path and os.path.realpath(sys.path[0] or ".") == here else list(sys.path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    selector = selectors.DefaultSelector()
    try:
        # Listening first: a caller may connect at once, and waits in the backlog while the imports below run.
        listener.bind(path)
        os.chmod(path, 0o600)
        listener.listen(128)
        selector.register(listener, selectors.EVENT_READ, "listener")
        tick = _owner_watch(selector, owner)
        ready.write(json.dumps({"ready": True}) + "\n")
        ready.flush()
        ready.close()
        _preload((PRELOAD_ANSIBLE if _same_ansible(controller_ansible) else ()) + PRELOAD)
        # What the server holds stays out of the runs' garbage collections, so they do not copy its pages.
        gc.freeze()
        code_cache = _code_cache(os.path.dirname(path))
        last_request = time.monotonic()
        while True:
            events = selector.select(timeout=tick)
            while True:  # reap finished handlers
                try:
                    pid, _status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
            if any(key.data == "owner" for key, _mask in events):
                return
            if not events:
                if time.monotonic() - last_request >= IDLE_SECONDS:
                    return
                try:
                    os.kill(owner, 0)
                except ProcessLookupError:
                    return
                continue
            last_request = time.monotonic()
            conn, _address = listener.accept()
            if os.fork() == 0:
                listener.close()
                selector.close()
                try:
                    _handle(conn, base_path, code_cache)
                except BaseException:  # a bad request: the caller sees the connection close
                    os._exit(70)
                os._exit(0)
            conn.close()
    finally:
        if os.getpid() == server_pid:
            selector.close()
            listener.close()
            for leftover in (path, path + ".lock"):
                try:
                    os.unlink(leftover)
                except FileNotFoundError:
                    pass


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: warm_server.py SOCKET OWNER_PID CONTROLLER_ANSIBLE_FOLDER", file=sys.stderr)
        return 2
    # Started by the connection plugin with a pipe on stdout: one JSON line says it is ready (or why not).
    ready = sys.stdout
    # Stopped by SIGTERM or Ctrl+C (it shares ansible-playbook's process group): remove the socket on the way out.
    signal.signal(signal.SIGTERM, _stop)
    with open(os.devnull, "w", encoding="utf-8") as quiet:
        sys.stdout = quiet  # the server itself prints nothing
        try:
            serve(argv[1], int(argv[2]), argv[3], ready)
        except KeyboardInterrupt:
            return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
