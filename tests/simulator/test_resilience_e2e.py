"""Nothing lost, order kept: the herd and the consumer through throttling, injected failures and reshards."""

import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.conftest import running_endpoint

SIMULATE = str(Path(sys.executable).with_name("simulate"))


def simulate(endpoint, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint.url,
        "AWS_REGION": "us-east-1",
        "WILDRYDES_STATE_DIR": str(endpoint.state_dir),
    }
    return subprocess.run([SIMULATE, *args], env=env, capture_output=True, text=True, timeout=timeout)


def start(endpoint, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint.url,
        "AWS_REGION": "us-east-1",
        "WILDRYDES_STATE_DIR": str(endpoint.state_dir),
    }
    return subprocess.Popen([SIMULATE, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_all(endpoint, stream: str) -> list[dict]:
    read = simulate(
        endpoint,
        "consume",
        "--stream",
        stream,
        "--from",
        "trim-horizon",
        "--format",
        "jsonl",
        "--timeout",
        "6",
        "--budget",
        "4",
    )
    assert read.returncode == 0, read.stderr
    return [json.loads(line) for line in read.stdout.splitlines()]


def assert_in_order_per_unicorn(records: list[dict]) -> None:
    times = defaultdict(list)
    for item in records:
        times[item["Name"]].append(item["StatusTime"])
    for name, seen in times.items():
        assert seen == sorted(seen) and len(seen) == len(set(seen)), f"{name}'s records are out of order"


@pytest.fixture(scope="module")
def hostile_endpoint(tmp_path_factory):
    """Shard limits on, 10 % of calls throttled and 10 % of PutRecords entries failed."""
    with running_endpoint(
        tmp_path_factory.mktemp("hostile"), kinesis_limits=True, inject_throttle=0.1, inject_put_failures=0.1
    ) as endpoint:
        yield endpoint


def test_limits_and_injected_failures_lose_nothing(hostile_endpoint, tmp_path):
    kinesis = hostile_endpoint.client("kinesis")
    kinesis.create_stream(StreamName="hostile", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="hostile")
    herd = tmp_path / "herd.yml"
    herd.write_text("stream: hostile\nseed: 3\nherds:\n  - count: 50\n")
    run = simulate(hostile_endpoint, str(herd), "--duration", "5", "--report", str(tmp_path / "report.json"))
    assert run.returncode == 0, run.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["totals"]["failed"] == 0
    assert report["totals"]["retried"] > 0, "the injected failures never reached the producer"
    records = read_all(hostile_endpoint, "hostile")
    assert Counter(r["Name"] for r in records) == Counter({n: row["sent"] for n, row in report["unicorns"].items()})
    assert_in_order_per_unicorn(records)


def test_a_reshard_one_two_one_during_a_run_misses_nothing(endpoint, tmp_path):
    kinesis = endpoint.client("kinesis")
    kinesis.create_stream(StreamName="reshard", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="reshard")
    herd = tmp_path / "herd.yml"
    herd.write_text("stream: reshard\nseed: 4\nrate: 5\nherds:\n  - count: 20\n")
    consumer = start(
        endpoint,
        "consume",
        "--stream",
        "reshard",
        "--from",
        "trim-horizon",
        "--format",
        "jsonl",
        "--timeout",
        "16",
        "--budget",
        "4",
    )
    producer = start(endpoint, str(herd), "--duration", "8", "--report", str(tmp_path / "report.json"))
    time.sleep(2.5)
    kinesis.update_shard_count(StreamName="reshard", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    kinesis.get_waiter("stream_exists").wait(StreamName="reshard")
    time.sleep(2.5)
    kinesis.update_shard_count(StreamName="reshard", TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    assert producer.wait(timeout=60) == 0, producer.stderr.read()
    out, err = consumer.communicate(timeout=60)
    assert consumer.returncode == 0, err

    shards = kinesis.list_shards(StreamName="reshard")["Shards"]
    assert len(shards) >= 4, "the stream was not resharded twice"
    report = json.loads((tmp_path / "report.json").read_text())
    records = [json.loads(line) for line in out.splitlines()]
    assert Counter(r["Name"] for r in records) == Counter({n: row["sent"] for n, row in report["unicorns"].items()})
    assert_in_order_per_unicorn(records)
