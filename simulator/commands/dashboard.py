"""`simulate dashboard`: serve the live unicorn map and each attendee's dashboard config, on 127.0.0.1 only.

The dashboard is plain static files (dashboard/dist, built by `make dashboard`); the only dynamic route is
`/config.json?attendee=NAME`, the attendee's build/NAME/dashboard-config.json as setup.yml wrote it (read
again on every request, so a new setup shows at the next page load). With one attendee it is the default.
"""

import errno
import json
import re
import sys
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, unquote_to_bytes, urlsplit

import typer

from simulator.commands.output import console, reports_user_errors
from simulator.errors import UserError

DEFAULT_PORT = 8080
HOST = "127.0.0.1"
DIST = Path(__file__).resolve().parents[2] / "dashboard" / "dist"
CONFIG_FILE = "dashboard-config.json"
BUILD_HINT = "run `make dashboard` (or `npm --prefix dashboard ci && npm --prefix dashboard run build`)"
SETUP_HINT = "run `ansible-playbook setup.yml` (it writes build/<attendee>/dashboard-config.json)"
# Attendee names as inventories spell hosts; anything else is refused before it nears the file system.
ATTENDEE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def attendees(build_dir: Path) -> dict[str, Path]:
    """Each attendee set up under `build_dir`: name -> its dashboard-config.json."""
    if not build_dir.is_dir():
        return {}
    found = {}
    for folder in sorted(build_dir.iterdir()):
        config = folder / CONFIG_FILE
        if ATTENDEE_NAME.match(folder.name) and config.is_file():
            found[folder.name] = config
    return found


def dashboard_url(port: int, attendee: str | None = None) -> str:
    return f"http://{HOST}:{port}/" + (f"?attendee={attendee}" if attendee else "")


class DashboardHandler(SimpleHTTPRequestHandler):
    """Static files from the dist folder, plus /config.json per attendee. No directory listings."""

    server_version = "wildrydes-dashboard"
    build_dir: Path = Path("build")
    quiet = True

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_GET(self) -> None:
        self.serve(head=False)

    def do_HEAD(self) -> None:
        self.serve(head=True)

    def serve(self, head: bool) -> None:
        if not self.host_is_loopback():
            port = self.server.server_address[1]
            self.refuse(
                HTTPStatus.MISDIRECTED_REQUEST,
                f"this dashboard answers only to 127.0.0.1:{port}, localhost:{port} and [::1]:{port}",
                head,
            )
            return
        # The target as sent: http.server turns a leading // into / before self.path.
        words = self.requestline.split()
        problem = path_problem(words[1] if len(words) == 3 else self.path)
        if problem is not None:
            self.refuse(*problem, head)
            return
        if urlsplit(self.path).path == "/config.json":
            self.send_config(head)
        elif head:
            super().do_HEAD()
        else:
            super().do_GET()

    def host_is_loopback(self) -> bool:
        """A page from another site can resolve its own name to 127.0.0.1 (DNS rebinding); its requests then
        carry that name in Host. Only the loopback names of this very port are served."""
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            return False
        port = self.server.server_address[1]
        allowed = {f"{name}:{port}" for name in LOOPBACK_NAMES}
        if port == 80:
            allowed |= set(LOOPBACK_NAMES)
        return hosts[0].strip().lower() in allowed

    def refuse(self, status: HTTPStatus, message: str, head: bool = False) -> None:
        """A one-line plain-text answer, and the connection closed (what follows a bad request is suspect)."""
        body = (message + "\n").encode()
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def send_head(self):
        # The path was checked; a file system surprise (a file gone, an odd name) is still only "not found".
        try:
            return super().send_head()
        except (OSError, ValueError):
            self.refuse(HTTPStatus.NOT_FOUND, "not found")
            return None

    def list_directory(self, path):
        self.send_error(HTTPStatus.NOT_FOUND, "No such file")
        return None

    def send_json(self, status: HTTPStatus, body: dict, head: bool = False) -> None:
        data = (json.dumps(body, indent=2) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def send_config(self, head: bool = False) -> None:
        query = parse_qs(urlsplit(self.path).query)
        wanted = (query.get("attendee") or [""])[0]
        known = attendees(self.build_dir)
        if not known:
            self.send_json(HTTPStatus.NOT_FOUND, {"error": f"no attendee is set up: {SETUP_HINT}"}, head)
            return
        if not wanted:
            if len(known) > 1:
                self.send_json(HTTPStatus.MULTIPLE_CHOICES, {"attendees": list(known)}, head)
                return
            wanted = next(iter(known))
        if wanted not in known:
            self.send_json(
                HTTPStatus.NOT_FOUND,
                {"error": f"attendee {wanted!r} is not set up here: {SETUP_HINT}", "attendees": list(known)},
                head,
            )
            return
        try:
            config = json.loads(known[wanted].read_text())
        except (OSError, ValueError) as error:
            self.send_json(
                HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"{known[wanted]} is unreadable ({error}): {SETUP_HINT}"}
            )
            return
        self.send_json(HTTPStatus.OK, config, head)

    def log_message(self, format: str, *args) -> None:
        if not self.quiet:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
MAX_TARGET_CHARS = 2048


def path_problem(target: str) -> tuple[HTTPStatus, str] | None:
    """Why a request target cannot name a file of the dashboard (400 malformed, 404 outside), or None."""
    if len(target) > MAX_TARGET_CHARS:
        return HTTPStatus.BAD_REQUEST, f"the request target is longer than {MAX_TARGET_CHARS} characters"
    if not target.startswith("/") or target.startswith("//"):
        return HTTPStatus.BAD_REQUEST, "the request target must be a path starting with a single /"
    path = target.split("?", 1)[0].split("#", 1)[0]
    try:
        decoded = unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        return HTTPStatus.BAD_REQUEST, "the path is not UTF-8 once %-decoded"
    if "\\" in decoded or "//" in decoded or any(ord(char) < 0x20 or ord(char) == 0x7F for char in decoded):
        return HTTPStatus.BAD_REQUEST, "the path has a control character, a backslash or an empty segment"
    if any(segment in (".", "..") for segment in decoded.split("/")):
        return HTTPStatus.NOT_FOUND, "not found"
    return None


class DashboardServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client that hangs up mid-answer is not worth a traceback; anything else is one line.
        problem = sys.exc_info()[1]
        if not isinstance(problem, ConnectionError):
            sys.stderr.write(f"dashboard: a request from {client_address[0]} failed: {type(problem).__name__}\n")


def make_server(port: int, build_dir: Path, dist: Path, quiet: bool = True) -> ThreadingHTTPServer:
    """The dashboard server, bound to 127.0.0.1:port (0: a free port); not yet serving."""
    if not (dist / "index.html").is_file():
        raise UserError(f"the dashboard is not built ({dist / 'index.html'} is missing): {BUILD_HINT}")
    if not attendees(build_dir):
        raise UserError(f"no attendee dashboard config in {build_dir}/: {SETUP_HINT}")
    # A handler class per server: its own build folder.
    handler = type("Handler", (DashboardHandler,), {"build_dir": build_dir.resolve(), "quiet": quiet})
    try:
        return DashboardServer((HOST, port), partial(handler, directory=str(dist.resolve())))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UserError(
                f"port {port} on {HOST} is in use by another program: stop it, or pick another with --port"
            ) from None
        if error.errno == errno.EACCES:
            raise UserError(f"not allowed to listen on port {port}: pick one above 1023 with --port") from None
        raise UserError(f"cannot listen on {HOST}:{port}: {error.strerror}") from None


@reports_user_errors
def dashboard(
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port on 127.0.0.1 (0: any free port).")] = (
        DEFAULT_PORT
    ),
    build_dir: Annotated[
        Path, typer.Option(help="Where setup.yml wrote build/<attendee>/dashboard-config.json.")
    ] = Path("build"),
    dist: Annotated[Path, typer.Option(help="The built dashboard (npm --prefix dashboard run build).")] = DIST,
    verbose: Annotated[bool, typer.Option(help="Log every request on stderr.")] = False,
) -> None:
    """Serve the live unicorn map on 127.0.0.1, with each attendee's config from setup.yml."""
    server = make_server(port, build_dir, dist, quiet=not verbose)
    actual = server.server_address[1]
    names = list(attendees(build_dir))
    for name in names:
        console.print(f"dashboard of {name}: {dashboard_url(actual, name)}", soft_wrap=True)
    if len(names) == 1:
        console.print(f"dashboard at {dashboard_url(actual)} (Ctrl+C to stop)", soft_wrap=True)
    else:
        console.print(f"dashboard at {dashboard_url(actual)} lists the attendees (Ctrl+C to stop)", soft_wrap=True)
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
