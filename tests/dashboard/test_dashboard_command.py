"""`simulate dashboard`: the built page plus each attendee's config, on 127.0.0.1 only; clear one-line errors."""

import http.client
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

SIMULATE = str(Path(sys.executable).with_name("simulate"))


def write_attendee(build_dir: Path, name: str, pool: str) -> None:
    (build_dir / name).mkdir(parents=True)
    config = {
        "attendee": name,
        "region": "us-east-1",
        "identityPoolId": pool,
        "unauthRoleArn": "arn:aws:iam::123456789012:role/Cognito_wildrydesUnauth_Role",
        "streamName": "wildrydes",
    }
    (build_dir / name / "dashboard-config.json").write_text(json.dumps(config))


@pytest.fixture
def dist(tmp_path) -> Path:
    folder = tmp_path / "dist"
    (folder / "basemap").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>dashboard</title>")
    (folder / "basemap" / "land.json").write_text("{}")
    return folder


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def serve(tmp_path: Path, dist: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [SIMULATE, "dashboard", "--port", "0", "--build-dir", str(tmp_path / "build"), "--dist", str(dist), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process


def test_one_attendee_is_the_default_and_the_page_and_basemap_are_served(tmp_path, dist):
    write_attendee(tmp_path / "build", "local", "us-east-1:1111")
    server, url = start_dashboard_with(tmp_path, dist)
    try:
        status, headers, body = get(url + "config.json")
        assert status == 200
        assert json.loads(body)["identityPoolId"] == "us-east-1:1111"
        assert headers["Content-Type"] == "application/json"
        assert json.loads(get(url + "config.json?attendee=local")[2])["attendee"] == "local"
        assert get(url)[0] == 200
        assert get(url + "basemap/land.json")[0] == 200
        # A new setup shows at the next request: the config is read each time.
        (tmp_path / "build" / "local" / "dashboard-config.json").write_text(json.dumps({"identityPoolId": "new"}))
        assert json.loads(get(url + "config.json")[2])["identityPoolId"] == "new"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_several_attendees_each_get_their_own_config_and_no_file_outside_is_served(tmp_path, dist):
    write_attendee(tmp_path / "build", "attendee-01", "us-east-1:0001")
    write_attendee(tmp_path / "build", "attendee-02", "us-east-1:0002")
    (tmp_path / "secret.txt").write_text("not for the browser")
    server, url = start_dashboard_with(tmp_path, dist)
    try:
        status, _, body = get(url + "config.json")
        assert status == 300
        assert json.loads(body) == {"attendees": ["attendee-01", "attendee-02"]}
        assert json.loads(get(url + "config.json?attendee=attendee-02")[2])["identityPoolId"] == "us-east-1:0002"
        status, _, body = get(url + "config.json?attendee=..%2F..%2Fsecret")
        assert status == 404
        assert "is not set up here: run `ansible-playbook setup.yml`" in json.loads(body)["error"]
        assert get(url + "../secret.txt")[0] == 404
        assert get(url + "%2e%2e/secret.txt")[0] == 404
        assert get(url + "basemap/")[0] == 404  # no directory listings
    finally:
        server.terminate()
        server.wait(timeout=10)


def start_dashboard_with(tmp_path: Path, dist: Path) -> tuple[subprocess.Popen, str]:
    process = serve(tmp_path, dist)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        assert line, process.stderr.read()
        if "dashboard at http://127.0.0.1:" in line:
            return process, line.split("dashboard at ")[1].split()[0]
    raise AssertionError("no URL printed")


def test_it_listens_on_127_0_0_1_only(tmp_path, dist):
    write_attendee(tmp_path / "build", "local", "us-east-1:1111")
    server, url = start_dashboard_with(tmp_path, dist)
    try:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
        local_addresses = {line.split()[1] for line in listening if line.split()[3] == "0A"}
        assert f"0100007F:{port:04X}" in local_addresses
        assert f"00000000:{port:04X}" not in local_addresses
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_port_in_use_is_one_clear_line(tmp_path, dist):
    write_attendee(tmp_path / "build", "local", "us-east-1:1111")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        run = subprocess.run(
            [SIMULATE, "dashboard", "--port", str(port), "--build-dir", str(tmp_path / "build"), "--dist", str(dist)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert run.returncode == 2
    assert run.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is in use by another program: stop it, or pick another with --port"
    )
    assert "Traceback" not in run.stderr


def test_an_unbuilt_dashboard_says_how_to_build_it(tmp_path):
    write_attendee(tmp_path / "build", "local", "us-east-1:1111")
    run = subprocess.run(
        [
            SIMULATE,
            "dashboard",
            "--port",
            str(free_port()),
            "--build-dir",
            str(tmp_path / "build"),
            "--dist",
            str(tmp_path / "nothing"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "the dashboard is not built" in run.stderr
    assert "run `make dashboard` (or `npm --prefix dashboard ci && npm --prefix dashboard run build`)" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_no_attendee_says_to_run_setup(tmp_path, dist):
    run = subprocess.run(
        [
            SIMULATE,
            "dashboard",
            "--port",
            str(free_port()),
            "--build-dir",
            str(tmp_path / "build"),
            "--dist",
            str(dist),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "no attendee dashboard config in" in run.stderr
    assert "run `ansible-playbook setup.yml`" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def raw_request(port: int, target: str, host: str | None, method: str = "GET") -> tuple[int, bytes]:
    """One request exactly as written (http.client, no URL normalisation), with this Host header or none."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


MALFORMED = [
    "/index.html%00.js",
    "/%ff",
    "/%c0%ae%c0%ae/secret.txt",
    "/..%2f..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/basemap/..%2f..%2f..%2fsecret.txt",
    "/basemap\\land.json",
    "/%5c..%5csecret.txt",
    "//etc/passwd",
    "//index.html",
    "/index.html%0d%0aX-Injected:%201",
    "/" + "a" * 5000,
    "/" + "%2e%2e/" * 500 + "secret.txt",
    "index.html",
    "http://127.0.0.1/index.html",
    "*",
]


def test_malformed_paths_are_400_or_404_and_the_server_keeps_serving(tmp_path, dist):
    write_attendee(tmp_path / "build", "local", "us-east-1:1111")
    (tmp_path / "secret.txt").write_text("not for the browser")
    server, url = start_dashboard_with(tmp_path, dist)
    port = int(url.rsplit(":", 1)[1].strip("/"))
    host = f"127.0.0.1:{port}"
    try:
        for target in MALFORMED:
            for method in ("GET", "HEAD"):
                status, body = raw_request(port, target, host, method)
                assert status in (400, 404), (target, method, status)
                assert b"not for the browser" not in body
                assert raw_request(port, "/index.html", host)[0] == 200, f"{target} stopped the server"
        assert raw_request(port, "/basemap/land.json", host)[0] == 200
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert "Traceback" not in err and "Exception" not in err


def test_only_loopback_host_names_are_served(tmp_path, dist):
    write_attendee(tmp_path / "build", "local", "us-east-1:1111")
    server, url = start_dashboard_with(tmp_path, dist)
    port = int(url.rsplit(":", 1)[1].strip("/"))
    try:
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
            assert raw_request(port, "/config.json", host)[0] == 200, host
            assert raw_request(port, "/", host)[0] == 200, host
        # A DNS-rebinding page: its own name resolved to 127.0.0.1. And other near misses.
        for host in (
            f"rebind.example:{port}",
            "rebind.example",
            f"127.0.0.1.rebind.example:{port}",
            f"localhost.:{port}",
            "127.0.0.1:1",
            "127.0.0.1",
            f"127.0.0.2:{port}",
            f"127.0.0.1:{port}@rebind.example",
            "",
            None,
        ):
            for target in ("/config.json", "/config.json?attendee=local", "/", "/index.html"):
                status, body = raw_request(port, target, host)
                assert status in (403, 421), (host, target, status)
                assert b"us-east-1:1111" not in body and b"<title>" not in body
                assert body.decode().count("\n") == 1, body
    finally:
        server.terminate()
        server.wait(timeout=10)
