"""`simulate consume --efo` and the herd file's `mode: efo`, run as a user runs them, against a real endpoint whose
subscriptions last 1.5 s: a herd read once and in order, --checkpoint resumed, --name and --format honoured,
consumers deregistered only when the command registered them, bad input in one line."""

import json
import signal
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

from tests.conftest import Endpoint
from tests.simulator.test_consume_efo_support import (
    assert_once_in_order,
    consumers,
    efo_endpoint,
    jsonl,
    make_stream,
    simulate,
    simulate_in_background,
)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    with efo_endpoint(tmp_path_factory.mktemp("efo-cli-endpoint")) as running:
        yield running


def herd_file(folder, stream: str, records: int, consumer: str = "") -> str:
    path = folder / "herd.yml"
    path.write_text(
        f"stream: {stream}\nseed: 5\nrate: 4\nrecords: {records}\nherds:\n  - prefix: Efo\n    count: 5\n" + consumer
    )
    return str(path)


def test_a_herd_is_read_once_and_in_order_across_renewals(endpoint, tmp_path):
    kinesis = endpoint.client("kinesis")
    arn = make_stream(kinesis, "herd", shards=2)
    reader = simulate_in_background(
        endpoint, "consume", "--stream", "herd", "--efo", "--format", "jsonl", "--max-records", "100", "--timeout", "90"
    )
    time.sleep(3)  # registered and subscribed at LATEST before the herd starts
    produced = simulate(endpoint, "fleet", herd_file(tmp_path, "herd", records=20))  # 5 s: 3 or more subscriptions
    assert produced.returncode == 0, produced.stderr
    out, err = reader.communicate(timeout=90)
    assert reader.returncode == 0, err
    assert_once_in_order(jsonl(out), {f"Efo-{n:04d}": 20 for n in range(1, 6)})
    assert "registered consumer 'simulate-consume'" in err
    assert consumers(kinesis, arn) == {}


def test_checkpoint_name_and_format_work_with_efo(endpoint, tmp_path):
    kinesis = endpoint.client("kinesis")
    make_stream(kinesis, "resume", shards=1)
    produced = simulate(endpoint, "fleet", herd_file(tmp_path, "resume", records=6))
    assert produced.returncode == 0, produced.stderr
    checkpoint = tmp_path / "position.json"
    common = ("consume", "--stream", "resume", "--efo", "--from", "trim-horizon", "--checkpoint", str(checkpoint))
    first = simulate(endpoint, *common, "--format", "jsonl", "--max-records", "12")
    second = simulate(endpoint, *common, "--format", "jsonl", "--max-records", "18")
    rest = simulate(endpoint, *common, "--format", "jsonl", "--timeout", "4")
    for run in (first, second, rest):
        assert run.returncode == 0, run.stderr
    assert len(jsonl(first.stdout)) == 12 and len(jsonl(second.stdout)) == 18 and rest.stdout == ""
    assert_once_in_order(jsonl(first.stdout) + jsonl(second.stdout), {f"Efo-{n:04d}": 6 for n in range(1, 6)})
    saved = json.loads(checkpoint.read_text())
    assert saved["stream"] == "resume" and list(saved["shards"]) == ["shardId-000000000000"]
    pretty = simulate(
        endpoint, "consume", "--stream", "resume", "--efo", "--from", "trim-horizon", "--name", "Efo-0003",
        "--max-records", "6",
    )  # fmt: skip
    assert pretty.returncode == 0, pretty.stderr
    assert pretty.stdout.count('"Name": "Efo-0003"') == 6 and "Efo-0001" not in pretty.stdout


def first_line(process: subprocess.Popen, within: float) -> str:
    """The first line it prints; the process is killed if none comes `within` seconds (no test hangs)."""
    lines: list[str] = []
    reading = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reading.start()
    reading.join(within)
    if not lines:
        process.kill()
        raise AssertionError(f"nothing printed in {within} s: {process.communicate()[1]}")
    return lines[0]


def test_ctrl_c_deregisters_the_consumer_it_registered_and_only_that(endpoint):
    kinesis = endpoint.client("kinesis")
    arn = make_stream(kinesis, "owners", shards=1)
    kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="class-reader")
    kinesis.put_record(StreamName="owners", Data=b"not a unicorn", PartitionKey="k")
    for consumer_args, while_reading in (
        ((), {"simulate-consume": "ACTIVE", "class-reader": "ACTIVE"}),
        (("--consumer-name", "class-reader"), {"class-reader": "ACTIVE"}),
    ):
        reader = simulate_in_background(
            endpoint, "consume", "--stream", "owners", "--efo", "--from", "trim-horizon", *consumer_args
        )
        # It is reading once the record has come through its subscription.
        assert first_line(reader, within=60) == "not a unicorn\n"
        assert consumers(kinesis, arn) == while_reading
        reader.send_signal(signal.SIGINT)
        _, err = reader.communicate(timeout=30)
        assert reader.returncode == 0, err
        assert "Traceback" not in err
        assert consumers(kinesis, arn) == {"class-reader": "ACTIVE"}


def test_a_herd_file_consumer_in_efo_mode(endpoint, tmp_path):
    kinesis = endpoint.client("kinesis")
    arn = make_stream(kinesis, "fleet-efo", shards=2)
    output = tmp_path / "read.jsonl"
    consumer = f"consumer:\n  mode: efo\n  consumer_name: herd-reader\n  format: jsonl\n  output: {output}\n"
    report = tmp_path / "report.json"
    run = simulate(endpoint, "fleet", herd_file(tmp_path, "fleet-efo", 12, consumer), "--report", str(report))
    assert run.returncode == 0, run.stderr
    totals = json.loads(report.read_text())["totals"]
    assert totals["sent"] == totals["consumed"] == 60
    assert_once_in_order(jsonl(output.read_text()), {f"Efo-{n:04d}": 12 for n in range(1, 6)})
    assert consumers(kinesis, arn) == {}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--stream", "no-such-stream"), "error: stream 'no-such-stream' not found at local endpoint"),
        (("--consumer-name", "not valid!"), "error: consumer name 'not valid!' is not valid"),
    ],
    ids=["unknown-stream", "invalid-consumer-name"],
)
def test_bad_input_is_one_line(endpoint, args, expected):
    run = simulate(endpoint, "consume", "--efo", *args, timeout=60)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.startswith(expected) and run.stderr.count("\n") == 1, run.stderr


def test_consumer_name_without_efo_is_one_line(endpoint):
    run = simulate(endpoint, "consume", "--consumer-name", "x", timeout=60)
    assert (
        run.returncode == 2
        and run.stderr.strip() == "error: --consumer-name names an enhanced fan-out consumer: add --efo"
    )


# The workshop's guest policy (roles/wildrydes_identity_pool): read the stream and use its consumers, register none.
READ_ONLY_ACTIONS = [
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:DescribeStreamConsumer",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
    "kinesis:ListStreamConsumers",
    "kinesis:ListTagsForStream",
    "kinesis:SubscribeToShard",
]


def test_read_only_credentials_use_a_registered_consumer_and_cannot_register_one(endpoint):
    kinesis = endpoint.client("kinesis")
    arn = make_stream(kinesis, "guests", shards=1)
    iam = endpoint.client("iam")
    iam.create_user(UserName="reader")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": READ_ONLY_ACTIONS, "Resource": [arn, f"{arn}/consumer/*"]}],
    }
    iam.put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    as_reader = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    kinesis.put_record(StreamName="guests", Data=b"for the map", PartitionKey="k")

    refused = simulate(endpoint, "consume", "--stream", "guests", "--efo", env=as_reader)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("error: not allowed to RegisterStreamConsumer for consumer 'simulate-consume'")
    assert refused.stderr.count("\n") == 1, refused.stderr

    kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="map-reader")
    args = ("--stream", "guests", "--efo", "--consumer-name", "map-reader", "--from", "trim-horizon")
    used = simulate(endpoint, "consume", *args, "--max-records", "1", env=as_reader)
    assert used.returncode == 0, used.stderr
    assert used.stdout == "for the map\n"
    assert consumers(kinesis, arn) == {"map-reader": "ACTIVE"}
