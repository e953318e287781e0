"""The wildrydes.lab.warm connection, through real ansible-playbook runs: a module run warm returns what the same
module returns from a plain Python (the local connection), however it ends; the runner lives and dies with
ansible-playbook; only its user reaches it; bad requests do not stop it."""

import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ansible
import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "warm"
ANSIBLE_PLAYBOOK = str(Path(sys.executable).with_name("ansible-playbook"))
SERVER = REPO / "collections/ansible_collections/wildrydes/lab/plugins/plugin_utils/warm_server.py"
ANSIBLE_DIR = str(Path(ansible.__file__).parent)
PAYLOAD_DIR = re.compile(r"ansible_[\w.]+_payload_\w+")


def run_play(tmp_path: Path, connection: str, pipelining: bool = True, extra_env: dict | None = None) -> str:
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    config = tmp_path / f"ansible-{pipelining}.cfg"
    config.write_text(
        f"[defaults]\ncollections_path = {REPO / 'collections'}\nlibrary = {HERE / 'library'}\n"
        f"[connection]\npipelining = {pipelining}\n"
    )
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(config),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "local-tmp"),
        "ANSIBLE_REMOTE_TEMP": str(tmp_path / "remote-tmp"),
        **(extra_env or {}),
    }
    done = subprocess.run(
        [
            ANSIBLE_PLAYBOOK,
            "-vvv",
            "-i",
            "probe-host,",
            str(HERE / "play.yml"),
            "-e",
            f"ansible_connection={connection}",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "-e",
            f"scratch={scratch}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return done.stdout


def results(tmp_path: Path, connection: str) -> dict:
    return json.loads((tmp_path / "scratch" / f"{connection.replace('.', '_')}.json").read_text())


def comparable(result: dict) -> dict:
    """What must be equal between two runs of the same task: everything but process ids and temporary names."""
    result = {k: v for k, v in result.items() if k not in ("pid", "item", "ansible_loop_var", "delta", "start", "end")}
    text = PAYLOAD_DIR.sub("PAYLOAD", json.dumps(result, ensure_ascii=False))
    text = re.sub(r"ansible-tmp-[\d.-]+", "TMP", text)
    return json.loads(text.replace("wildrydes_lab_warm", "CONN").replace("/local", "/CONN"))


@pytest.mark.parametrize("pipelining", [True, False])
def test_every_task_returns_what_the_local_connection_returns(tmp_path, pipelining):
    local_log = run_play(tmp_path, "local", pipelining)
    warm_log = run_play(tmp_path, "wildrydes.lab.warm", pipelining)
    local, warm = results(tmp_path, "local"), results(tmp_path, "wildrydes.lab.warm")

    # Every Python module ran warm (probe, probe, 8 misbehaving, copy's stat and copy, command, the final copy's
    # two); the local connection ran none warm.
    assert len(re.findall(r"EXEC \(warm\)", warm_log)) >= 13, warm_log[-3000:]
    assert "EXEC (warm)" not in local_log
    assert warm["probe"]["warm"] is True and local["probe"]["warm"] is False
    assert warm["probe"]["pid"] != warm["probe_again"]["pid"]

    for key in ("probe", "probe_again", "copied", "printed"):
        assert comparable({k: v for k, v in warm[key].items() if k != "warm"}) == comparable(
            {k: v for k, v in local[key].items() if k != "warm"}
        ), key
    assert warm["probe"]["env"]["WEIRD"] == "quote ' \" $HOME `id` ; | & newline\nunicode 유니콘"
    assert warm["probe"]["env"]["EMPTY"] == "" and warm["probe"]["env"]["NOT_SET"] is None
    assert warm["printed"]["stdout"] == warm["probe"]["env"]["WEIRD"]

    for mine, theirs in zip(warm["misbehave"], local["misbehave"], strict=True):
        how = mine["item"]
        assert comparable(mine) == comparable(theirs), how
    by_how = {result["item"]: result for result in warm["misbehave"]}
    assert by_how["raise"]["failed"] and "the module broke" in by_how["raise"]["msg"]
    assert by_how["exit3"]["rc"] == 3
    assert by_how["kill"]["rc"] == 128 + signal.SIGKILL and by_how["kill"]["module_stderr"] == "Killed\n"
    assert "this is not JSON" in by_how["garbage"]["module_stdout"]
    assert by_how["unicode"]["text"] == "유니콘 🦄 é"
    # The non-daemon thread finished and the atexit handler ran before the run was reported.
    for how in ("thread", "atexit"):
        assert (tmp_path / "scratch" / f"wildrydes_lab_warm-{how}.txt").read_text() == how


def test_the_runner_ends_with_ansible_playbook_and_leaves_nothing(tmp_path, short_tmp):
    temp = short_tmp
    log = run_play(tmp_path, "wildrydes.lab.warm", extra_env={"TMPDIR": str(temp)})
    assert log.count("EXEC (warm)") >= 13
    folder = temp / f"wildrydes-warm-{os.getuid()}"
    assert folder.is_dir() and folder.stat().st_mode & 0o777 == 0o700

    def left() -> list[str]:
        # The compiled-code cache stays on purpose (keyed by source hash, for the next run); nothing else does.
        return [entry.name for entry in folder.iterdir() if not entry.name.startswith("code-")]

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (left() or runners_for(folder)):
        time.sleep(0.1)
    assert left() == []
    assert runners_for(folder) == []
    caches = [entry for entry in folder.iterdir() if entry.name.startswith("code-")]
    assert len(caches) == 1 and caches[0].stat().st_mode & 0o777 == 0o700 and any(caches[0].iterdir())


@pytest.fixture
def short_tmp():
    """A temporary folder short enough for a socket path (pytest's own are too deep: see the next test)."""
    folder = Path(tempfile.mkdtemp(prefix="w", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_temporary_folder_too_deep_for_a_socket_falls_back_to_tmp(tmp_path):
    deep = tmp_path / ("d" * 60)
    deep.mkdir()
    log = run_play(tmp_path, "wildrydes.lab.warm", extra_env={"TMPDIR": str(deep)})
    assert log.count("EXEC (warm)") >= 13 and "unavailable" not in log
    assert results(tmp_path, "wildrydes.lab.warm")["probe"]["warm"] is True


def runners_for(folder: Path) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(SERVER) in cmdline and str(folder) in cmdline:
            found.append(cmdline)
    return found


@pytest.mark.parametrize("plant", ["open folder", "symlink", "file"])
def test_a_runtime_folder_another_user_could_reach_is_refused_and_modules_run_the_usual_way(tmp_path, plant):
    temp = tmp_path / "tmp"
    temp.mkdir()
    folder = temp / f"wildrydes-warm-{os.getuid()}"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    if plant == "open folder":
        folder.mkdir()
        folder.chmod(0o777)
    elif plant == "symlink":
        folder.symlink_to(elsewhere)
    else:
        folder.write_text("not a folder")
    log = run_play(tmp_path, "wildrydes.lab.warm", extra_env={"TMPDIR": str(temp)})
    assert "EXEC (warm)" not in log
    assert "warm runner unavailable" in log
    assert results(tmp_path, "wildrydes.lab.warm")["probe"]["warm"] is False
    assert list(elsewhere.iterdir()) == []
    if plant == "open folder":
        assert list(folder.iterdir()) == []


def start_server(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    path = str(tmp_path / "s.sock")
    server = subprocess.Popen(
        [sys.executable, str(SERVER), path, str(os.getpid()), ANSIBLE_DIR], stdout=subprocess.PIPE, text=True
    )
    assert json.loads(server.stdout.readline())["ready"] is True
    return server, path


def send(path: str, data: bytes, fds: list[int] | None = None) -> bytes:
    import array

    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(40)
    conn.connect(path)
    try:
        ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
        conn.sendmsg([data], ancillary)
        conn.shutdown(socket.SHUT_WR)
        return conn.makefile("rb").read()
    except OSError:
        return b""
    finally:
        conn.close()


def test_bad_requests_get_no_run_and_the_runner_keeps_serving(tmp_path):
    sys.path.insert(0, str(REPO / "collections"))
    from ansible_collections.wildrydes.lab.plugins.plugin_utils import warm_client

    server, path = start_server(tmp_path)
    try:
        with open(os.devnull, "rb") as a, open(os.devnull, "rb") as b:
            fds = [a.fileno(), b.fileno()]
            header = json.dumps({"argv": [""], "env": {}, "cwd": "/", "script_name": None, "script_length": 4})
            bad = [
                (b"", None),
                (b"\xff\xff\xff\xff", fds),  # a 4 GiB header
                (struct.pack(">I", 5) + b"{nope", fds),
                (struct.pack(">I", len(header)) + header.encode() + b"1/0\n", None),  # no descriptors
                (struct.pack(">I", 2) + b"[]", fds),
                (struct.pack(">I", len(header)) + header.replace("4", "-1").encode(), fds),
                (os.urandom(64), fds),
            ]
            for data, passed in bad:
                assert b'"rc"' not in send(path, data, passed)
        assert server.poll() is None
        # Then a real run still works.
        plan = warm_client.Plan(sys.executable, {}, None)
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(path)
        script = b"import sys\nprint('hi')\nsys.exit(4)\n"
        rc, out, err = warm_client.run(conn, plan, script, dict(os.environ), str(tmp_path))
        assert (rc, out, err) == (4, b"hi\n", b"")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert not Path(path).exists()


def test_the_runner_stops_when_its_owner_does(tmp_path):
    owner = subprocess.Popen(["sleep", "60"])
    path = str(tmp_path / "s.sock")
    server = subprocess.Popen(
        [sys.executable, str(SERVER), path, str(owner.pid), ANSIBLE_DIR], stdout=subprocess.PIPE, text=True
    )
    assert json.loads(server.stdout.readline())["ready"] is True
    owner.kill()
    owner.wait()
    assert server.wait(timeout=10) == 0
    assert not Path(path).exists() and not Path(path + ".lock").exists()
