"""One way for the benchmarks to start a local endpoint and talk to it as its generated accounts.

`local_endpoint(**settings)` starts localaws through its launcher, with the endpoint's defaults unless told
otherwise (IAM enforcement on, validation on), in a temporary state folder on a free port, and stops it afterwards.
Clients are signed with the admin key the endpoint generated for an account; tools (simulate, ansible-playbook)
get the account's profile `wildrydes-local-<id>` through `aws_env()`. Nothing here sets this process's environment:
the state folder is always passed explicitly.

The standard library, boto3, PyYAML and localaws only: this does not import the test suite's fixtures
(dashboard_latency.py alone does, to run the very lab of the browser tests: tests/dashboard/harness.py).
"""

import json
import os
import socket
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import yaml

from localaws import accounts, launcher
from localaws.frontdoor.control import TOKEN_HEADER
from localaws.settings import Settings
from localaws.state import StateFolder

REPO = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
DEFAULT_ACCOUNT = accounts.DEFAULT_ACCOUNT_ID


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mib(pid: int) -> float:
    """Resident memory of process `pid` (VmRSS)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class BenchEndpoint:
    url: str
    pid: int
    state: StateFolder

    def admin_key(self, account_id: str = DEFAULT_ACCOUNT) -> tuple[str, str]:
        return accounts.Accounts(self.state).admin_key(account_id)

    def add_accounts(self, account_ids: list[str]) -> None:
        """New simulated accounts, each with a generated admin key and its profile in the state folder."""
        accounts.Accounts(self.state).add(account_ids, endpoint_url=self.url)

    def client(self, service: str, account_id: str = DEFAULT_ACCOUNT, **config: Any) -> Any:
        """A boto3 client signed with `account_id`'s generated admin key; no retries unless asked (a retry would
        hide a failure inside a timing)."""
        key_id, secret = self.admin_key(account_id)
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.url,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=botocore.config.Config(**{"retries": {"max_attempts": 1}, "read_timeout": 300, **config}),
        )

    def aws_env(self, account_id: str = DEFAULT_ACCOUNT) -> dict[str, str]:
        """Environment variables that aim AWS tools at this endpoint as `account_id`'s admin, through its profile."""
        return {
            "AWS_CONFIG_FILE": str(self.state.aws_config_file),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.state.aws_credentials_file),
            "AWS_PROFILE": accounts.profile_name(account_id),
            "AWS_ENDPOINT_URL": self.url,
            "AWS_REGION": REGION,
            "WILDRYDES_STATE_DIR": str(self.state.path),
        }

    def tool_env(self) -> dict[str, str]:
        """This process's environment for a child tool (simulate, ansible-playbook): the venv's programs first,
        the state folder named, and no AWS settings of the person running the benchmark."""
        env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
        env["WILDRYDES_STATE_DIR"] = str(self.state.path)
        return env

    def control(self, route: str, payload: dict | None = None) -> Any:
        """The endpoint's /_wildrydes/ control API, with the token of its state folder."""
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            f"{self.url}/_wildrydes/{route}",
            data=data,
            method="POST" if data is not None else "GET",
            headers={TOKEN_HEADER: self.state.read_token() or "", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.load(reply)

    def stored_records(self, stream: str) -> int:
        """Records the endpoint holds in all shards of `stream` (any account)."""
        return sum(row["records"] for row in self.control("kinesis/shards")["shards"] if row["stream"] == stream)

    def rss_mib(self) -> float:
        return rss_mib(self.pid)

    def write_inventory(self, folder: Path, hosts: dict[str, str], **group_vars: Any) -> Path:
        """An inventory of attendees (host name -> simulated account id) on this endpoint, with the repository's
        group_vars; each account is added first and named by its profile, as `inventory/local.yml` does."""
        self.add_accounts(list(hosts.values()))
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "group_vars").exists():
            (folder / "group_vars").symlink_to(REPO / "inventory" / "group_vars")
        inventory = folder / "attendees.yml"
        group = {"wildrydes_endpoint_url": self.url, "wildrydes_region": REGION, **group_vars}
        host_vars = {name: {"wildrydes_aws_profile": accounts.profile_name(account)} for name, account in hosts.items()}
        inventory.write_text(yaml.safe_dump({"attendees": {"hosts": host_vars, "vars": group}}))
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
            yield BenchEndpoint(url=running.url, pid=running.pid, state=state)
        finally:
            launcher.stop(state)
