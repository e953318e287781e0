"""The dashboard as an attendee gets it, for the browser tests, the latency benchmark and the screenshot tool.

`dashboard_lab()` starts the local endpoint (IAM enforcement on) through its launcher, provisions it with the
real `ansible-playbook setup.yml` (an inventory in a temporary folder naming the default account's generated
profile), and serves the built dashboard with `simulate dashboard --port 0`. `launch_browser()` is Debian's
headless Chromium driven by Playwright.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import yaml

if TYPE_CHECKING:
    from tests.conftest import Endpoint

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SIMULATE = str(BIN / "simulate")
ANSIBLE_PLAYBOOK = str(BIN / "ansible-playbook")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # Tests stay on this machine: any host name but localhost fails to resolve at once, so the page's default
    # OpenStreetMap tiles are requested (Playwright still sees the request) but never leave, and fall back at once.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
DIST = REPO / "dashboard" / "dist"
ACCOUNT_ID = "123456789012"  # the endpoint's default account: its admin profile exists from the start


def dashboard_built() -> bool:
    return (DIST / "index.html").is_file()


def build_dashboard() -> None:
    """`make dashboard` did it already in `make test`; a bare pytest run builds it here."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: the dashboard cannot be built (install Node.js 20 and npm)")
    if not (REPO / "dashboard" / "node_modules").is_dir():
        subprocess.run([npm, "--prefix", "dashboard", "ci", "--no-audit", "--no-fund"], cwd=REPO, check=True)
    subprocess.run([npm, "--prefix", "dashboard", "run", "build"], cwd=REPO, check=True)


@dataclass
class DashboardLab:
    endpoint_url: str
    dashboard_url: str
    build_dir: Path
    config: dict
    env: dict[str, str]
    endpoint: "Endpoint"
    processes: list[subprocess.Popen] = field(default_factory=list)

    def admin_client(self, service: str):
        """A client signed with the endpoint's generated admin key (the lab's owner, not the page's guest)."""
        return self.endpoint.client(service, ACCOUNT_ID)

    def url(self, **params: str | int | float) -> str:
        """The dashboard's page for the local attendee, with URL options (timeout=4, trace=1, ...)."""
        query = urlencode({"attendee": "local", **params})
        return f"{self.dashboard_url}?{query}"

    def simulate(self, *args: str) -> subprocess.Popen:
        """`simulate ...` against the lab's endpoint as the local admin, in the background."""
        process = subprocess.Popen(
            [SIMULATE, *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO
        )
        self.processes.append(process)
        return process

    def produce(self, name: str, rate: float = 2, *extra: str) -> subprocess.Popen:
        return self.simulate("produce", "--name", name, "--rate", str(rate), *extra)

    def wait_first_record(self, producer: subprocess.Popen, timeout: float = 30) -> float:
        """Block until the producer printed its first dot (a record accepted); returns that time.monotonic()."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            char = producer.stdout.read(1)
            if char == ".":
                return time.monotonic()
            if char == "" and producer.poll() is not None:
                raise AssertionError(f"the producer ended: {producer.stderr.read()}")
        raise AssertionError("the producer sent nothing")

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for process in self.processes:
            self.stop(process)
        self.processes.clear()


def write_inventory(folder: Path, endpoint_url: str) -> Path:
    """One local attendee on `endpoint_url` as the default account's profile, with the repository's group_vars;
    build/ lands beside it. The playbooks find the profile in WILDRYDES_STATE_DIR's AWS files."""
    inventory_dir = folder / "inventory"
    inventory_dir.mkdir(parents=True, exist_ok=True)
    if not (inventory_dir / "group_vars").exists():
        (inventory_dir / "group_vars").symlink_to(REPO / "inventory" / "group_vars")
    inventory = inventory_dir / "attendees.yml"
    hosts = {"local": {"wildrydes_aws_profile": f"wildrydes-local-{ACCOUNT_ID}"}}
    group = {"wildrydes_endpoint_url": endpoint_url, "wildrydes_region": "us-east-1"}
    inventory.write_text(yaml.safe_dump({"attendees": {"hosts": hosts, "vars": group}}))
    return inventory


def run_setup(inventory: Path, env: dict[str, str]) -> None:
    run_env = {**env, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    done = subprocess.run(
        [ANSIBLE_PLAYBOOK, "-i", str(inventory), "setup.yml"],
        cwd=REPO,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ansible-playbook setup.yml failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")


def start_dashboard(build_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """`simulate dashboard --port 0`; returns the process and its base URL (from the line it prints)."""
    process = subprocess.Popen(
        [SIMULATE, "dashboard", "--port", "0", "--build-dir", str(build_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            process.wait(timeout=5)
            raise RuntimeError(f"simulate dashboard ended: {process.stderr.read()}")
        match = re.search(r"dashboard at (http://127\.0\.0\.1:\d+/)", line)
        if match:
            return process, match[1]
    process.kill()
    raise RuntimeError("simulate dashboard printed no URL")


@contextmanager
def dashboard_lab(folder: Path) -> Iterator[DashboardLab]:
    """The whole lab in `folder`: endpoint (IAM enforcement on), setup.yml, `simulate dashboard`."""
    import json

    from tests.conftest import running_endpoint

    if not dashboard_built():
        build_dashboard()
    (folder / "state").mkdir(parents=True, exist_ok=True)
    outer_state_dir = os.environ.get("WILDRYDES_STATE_DIR")
    with running_endpoint(folder / "state", iam_enforcement=True) as endpoint:
        # The lab's processes get its state folder explicitly; this process goes on with its own.
        if outer_state_dir is None:
            os.environ.pop("WILDRYDES_STATE_DIR", None)
        else:
            os.environ["WILDRYDES_STATE_DIR"] = outer_state_dir
        env = {
            **os.environ,
            "PATH": f"{BIN}:{os.environ['PATH']}",
            "AWS_ENDPOINT_URL": endpoint.url,
            "AWS_REGION": "us-east-1",
            "WILDRYDES_STATE_DIR": str(folder / "state"),
            "AWS_CONFIG_FILE": str(folder / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(folder / "no-aws-credentials"),
        }
        for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.pop(name, None)
        inventory = write_inventory(folder, endpoint.url)
        run_setup(inventory, env)
        build_dir = folder / "build"
        config = json.loads((build_dir / "local" / "dashboard-config.json").read_text())
        server, url = start_dashboard(build_dir, env)
        lab = DashboardLab(
            endpoint_url=endpoint.url,
            dashboard_url=url,
            build_dir=build_dir,
            config=config,
            env=env,
            endpoint=endpoint,
        )
        try:
            yield lab
        finally:
            lab.stop_all()
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def start_dashboard_page(page, url: str, timeout_ms: float = 30_000) -> None:
    """Open the dashboard, press Start with what setup filled in, wait until it reads the stream."""
    page.goto(url)
    page.wait_for_selector("body[data-state=ready]", timeout=timeout_ms)
    page.click("#start")
    page.wait_for_selector("body[data-state=reading]", timeout=timeout_ms)
