"""Shared fixtures: real local endpoints started by our own launcher, on free ports, in private state folders."""

import json
import os
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.config
import pytest

from simulator.local import accounts, launcher
from simulator.local.options import EndpointOptions

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Endpoint:
    url: str
    port: int
    state_dir: Path

    def client(self, service: str, account_id: str = accounts.DEFAULT_ACCOUNT_ID, region: str = REGION, **config):
        """A boto3 client signed with the local admin key of `account_id`."""
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id=accounts.admin_access_key(account_id),
            aws_secret_access_key=accounts.LOCAL_ADMIN_SECRET,
            config=botocore.config.Config(retries={"max_attempts": 2, "mode": "standard"}, **config),
        )

    def control(self, route: str, payload: dict | None = None) -> dict:
        """Call the endpoint's own /_wildrydes/ control API."""
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.url}/_wildrydes/{route}", data=data, method="POST" if data else "GET")
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.load(reply)


@contextmanager
def running_endpoint(tmp_path: Path, **options) -> Iterator[Endpoint]:
    """Start an endpoint through the launcher in its own state folder; stop it afterwards."""
    previous = os.environ.get("WILDRYDES_STATE_DIR")
    os.environ["WILDRYDES_STATE_DIR"] = str(tmp_path)
    try:
        running, _ = launcher.start(EndpointOptions(port=free_port(), **options))
        try:
            yield Endpoint(url=running.url, port=running.port, state_dir=tmp_path)
        finally:
            os.environ["WILDRYDES_STATE_DIR"] = str(tmp_path)
            launcher.stop()
    finally:
        if previous is None:
            os.environ.pop("WILDRYDES_STATE_DIR", None)
        else:
            os.environ["WILDRYDES_STATE_DIR"] = previous


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    """The local endpoint as users get it: moto + fidelity layer."""
    with running_endpoint(tmp_path_factory.mktemp("endpoint")) as running:
        yield running


@pytest.fixture(scope="session")
def plain_endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    """moto 5.2.x as shipped, to show each defect the fidelity layer mends."""
    with running_endpoint(tmp_path_factory.mktemp("plain"), fidelity=False) as running:
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
