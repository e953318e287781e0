"""One way for the benchmarks to start a local endpoint and talk to it as its generated accounts.

`local_endpoint(**settings)` starts localaws through its launcher, with the endpoint's defaults unless told
otherwise (IAM enforcement on, validation on), in a temporary state folder on a free port, and stops it afterwards.
Clients are signed with the admin key the endpoint generated for an account; tools (simulate, ansible-playbook)
get the account's profile `wildrydes-local-<id>` through `aws_env()`. Nothing here sets this process's environment:
the state folder is always passed explicitly.

The endpoint handle is the test suite's (tests/conftest.py `Endpoint`: keys, signed clients, profiles, control
API), extended with what only benchmarks need: the server's pid and memory, a clean environment for child tools,
inventories.
"""

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from localaws import accounts, launcher
from localaws.settings import Settings
from localaws.state import StateFolder
from tests.conftest import Endpoint, free_port

REPO = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
DEFAULT_ACCOUNT = accounts.DEFAULT_ACCOUNT_ID


def rss_mib(pid: int) -> float:
    """Resident memory of process `pid` (VmRSS)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class BenchEndpoint(Endpoint):
    pid: int = 0

    def client(self, service: str, account_id: str = DEFAULT_ACCOUNT, **config: Any) -> Any:
        """A client signed with `account_id`'s generated admin key; no retries unless asked (a retry would hide a
        failure inside a timing)."""
        return super().client(service, account_id, **{"retries": {"max_attempts": 1}, "read_timeout": 300, **config})

    def tool_env(self) -> dict[str, str]:
        """This process's environment for a child tool (simulate, ansible-playbook): the venv's programs first,
        the state folder named, and no AWS settings of the person running the benchmark."""
        env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
        env["WILDRYDES_STATE_DIR"] = str(self.state.path)
        return env

    def stored_records(self, stream: str) -> int:
        """Records the endpoint holds in all shards of `stream` (any account)."""
        return sum(row["records"] for row in self.control("kinesis/shards")["shards"] if row["stream"] == stream)

    def rss_mib(self) -> float:
        return rss_mib(self.pid)

    def write_inventory(
        self, folder: Path, hosts: dict[str, str], host_vars: dict[str, Any] | None = None, **group_vars: Any
    ) -> Path:
        """An inventory of attendees (host name -> simulated account id) on this endpoint, with the repository's
        group_vars; each account is added first and named by its profile, as `inventory/local.yml` does.
        `host_vars` go to every host (they win over the repository's group_vars)."""
        self.add_accounts(*hosts.values())
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "group_vars").exists():
            (folder / "group_vars").symlink_to(REPO / "inventory" / "group_vars")
        inventory = folder / "attendees.yml"
        group = {"wildrydes_endpoint_url": self.url, "wildrydes_region": REGION, **group_vars}
        every_host = {
            name: {"wildrydes_aws_profile": accounts.profile_name(account), **(host_vars or {})}
            for name, account in hosts.items()
        }
        inventory.write_text(yaml.safe_dump({"attendees": {"hosts": every_host, "vars": group}}))
        return inventory


def wait_active(kinesis: Any, stream: str, timeout: float = 30.0) -> None:
    """Until `stream` is ACTIVE (the endpoint keeps a new stream CREATING for a while, as AWS does). boto3's waiter
    polls every 10 s; this polls every 50 ms so that setup does not dominate a short run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
            return
        time.sleep(0.05)
    raise SystemExit(f"stream {stream} not ACTIVE after {timeout:.0f} s")


def create_stream(kinesis: Any, stream: str, shards: int = 1) -> None:
    kinesis.create_stream(StreamName=stream, ShardCount=shards)
    wait_active(kinesis, stream)


@contextmanager
def local_endpoint(**settings: Any) -> Iterator[BenchEndpoint]:
    """A fresh endpoint (the launcher's defaults plus `settings`) in a temporary state folder; stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="wildrydes-bench-") as scratch:
        state = StateFolder(Path(scratch) / "state")
        running, _ = launcher.start(Settings(state_dir=state.path, port=free_port(), **settings))
        try:
            yield BenchEndpoint(url=running.url, port=running.port, state=state, pid=running.pid)
        finally:
            launcher.stop(state)
