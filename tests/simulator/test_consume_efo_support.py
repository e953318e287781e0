"""What the enhanced fan-out tests share (no tests here): an endpoint whose subscriptions end quickly, and `simulate`
aimed at it."""

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import Endpoint, running_endpoint
from tests.simulator.conftest import SIMULATE

LIFETIME = 1.5  # seconds a subscription lasts on the test endpoint (AWS: 300), so that runs cross renewals


@contextmanager
def efo_endpoint(folder: Path) -> Iterator[Endpoint]:
    with running_endpoint(folder, subscription_seconds=LIFETIME, state_transition_seconds=0.2) as endpoint:
        yield endpoint


def simulate_env(endpoint: Endpoint) -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint.url,
        "AWS_REGION": "us-east-1",
        "WILDRYDES_STATE_DIR": str(endpoint.state_dir),
        "COLUMNS": "200",
    }


def simulate(
    endpoint: Endpoint, *args: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`simulate ...` as the endpoint's default admin, or with the credentials in `env`."""
    environment = {**simulate_env(endpoint), **(env or {})}
    return subprocess.run([SIMULATE, *args], env=environment, capture_output=True, text=True, timeout=timeout)


def simulate_in_background(endpoint: Endpoint, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [SIMULATE, *args], env=simulate_env(endpoint), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def make_stream(kinesis: Any, name: str, shards: int = 1) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    return wait_stream_active(kinesis, name)


def wait_stream_active(kinesis: Any, name: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        if summary["StreamStatus"] == "ACTIVE":
            return summary["StreamARN"]
        time.sleep(0.05)
    raise AssertionError(f"stream {name} not ACTIVE after 30 s")


def consumers(kinesis: Any, stream_arn: str) -> dict[str, str]:
    """Registered consumers (not being deleted) by name: their status."""
    listed = kinesis.list_stream_consumers(StreamARN=stream_arn)["Consumers"]
    return {c["ConsumerName"]: c["ConsumerStatus"] for c in listed if c["ConsumerStatus"] != "DELETING"}


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def assert_once_in_order(rows: list[dict[str, Any]], expected: dict[str, int]) -> None:
    """Every unicorn's records exactly once and in the order it sent them (its StatusTimes rise)."""
    by_name: dict[str, list[str]] = {}
    for row in rows:
        by_name.setdefault(row["Name"], []).append(row["StatusTime"])
    assert {name: len(times) for name, times in by_name.items()} == expected
    for name, times in by_name.items():
        assert times == sorted(times) and len(set(times)) == len(times), f"{name}: out of order or repeated"
