"""Shared fixtures: real local endpoints started by their own launcher, on free ports, in private state folders.

Each endpoint generates its accounts' admin keys into its state folder; tests sign with those keys (never a
constant), through `Endpoint.client()` or the AWS profiles of `Endpoint.aws_env()`.
"""

import json
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.config
import pytest

from localaws import accounts, launcher
from localaws.frontdoor.control import TOKEN_HEADER
from localaws.settings import Settings
from localaws.state import StateFolder

REGION = "us-east-1"
DEFAULT_ACCOUNT = accounts.DEFAULT_ACCOUNT_ID


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Endpoint:
    url: str
    port: int
    state: StateFolder

    @property
    def state_dir(self) -> Path:
        return self.state.path

    def admin_key(self, account_id: str = DEFAULT_ACCOUNT) -> tuple[str, str]:
        return accounts.Accounts(self.state).admin_key(account_id)

    def add_accounts(self, *account_ids: str) -> None:
        accounts.Accounts(self.state).add(list(account_ids), endpoint_url=self.url)

    def client(self, service: str, account_id: str = DEFAULT_ACCOUNT, region: str = REGION, **config):
        """A boto3 client signed with the generated admin key of `account_id`."""
        key_id, secret = self.admin_key(account_id)
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=botocore.config.Config(**{"retries": {"max_attempts": 2, "mode": "standard"}, **config}),
        )

    def aws_env(self, account_id: str = DEFAULT_ACCOUNT) -> dict[str, str]:
        """Environment variables that aim AWS tools at this endpoint as `account_id`'s admin (its profile)."""
        return {
            "AWS_CONFIG_FILE": str(self.state.aws_config_file),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.state.aws_credentials_file),
            "AWS_PROFILE": accounts.profile_name(account_id),
            "AWS_ENDPOINT_URL": self.url,
            "AWS_REGION": REGION,
            "WILDRYDES_STATE_DIR": str(self.state.path),
        }

    def control(self, route: str, payload: dict | None = None) -> dict:
        """Call the endpoint's own /_wildrydes/ control API with its token."""
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            f"{self.url}/_wildrydes/{route}",
            data=data,
            method="POST" if data else "GET",
            headers={TOKEN_HEADER: self.state.read_token() or "", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.load(reply)


@contextmanager
def running_endpoint(tmp_path: Path, **settings) -> Iterator[Endpoint]:
    """Start an endpoint through the launcher in its own state folder; stop it afterwards.

    Nothing here changes this process's environment: a test that runs `simulate` or ansible-playbook passes the
    endpoint's WILDRYDES_STATE_DIR (or `aws_env()`) to it, as a user's shell would."""
    state = StateFolder(tmp_path)
    running, _ = launcher.start(Settings(state_dir=tmp_path, port=free_port(), **settings))
    try:
        yield Endpoint(url=running.url, port=running.port, state=state)
    finally:
        launcher.stop(state)


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    """The local endpoint as users get it (IAM enforcement on)."""
    with running_endpoint(tmp_path_factory.mktemp("endpoint")) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_aws_environment(monkeypatch, tmp_path):
    """Tests never see the developer's real AWS profile or credentials."""
    for name in (
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
