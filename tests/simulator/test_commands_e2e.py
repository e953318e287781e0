"""`simulate produce|consume|fleet` as users run them, against the real local endpoint over HTTP."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.simulator.test_record_and_unicorn import WORKSHOP_SAMPLE

SIMULATE = str(Path(sys.executable).with_name("simulate"))
REPO = Path(__file__).resolve().parents[2]


def make_stream(endpoint, name: str, shards: int = 1) -> None:
    kinesis = endpoint.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    kinesis.get_waiter("stream_exists").wait(StreamName=name)


def test_fifty_unicorns_for_five_seconds_are_all_read_back_per_unicorn(endpoint, cli, tmp_path):
    make_stream(endpoint, "e2e-herd")
    herd = tmp_path / "herd.yml"
    herd.write_text(
        "stream: e2e-herd\nseed: 1\nherds:\n  - count: 50\nconsumer:\n"
        f"  format: jsonl\n  output: {tmp_path / 'fleet-read.jsonl'}\n"
    )
    run = cli(str(herd), "--duration", "5", "--report", str(tmp_path / "report.json"))
    assert run.returncode == 0, run.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["totals"]["unicorns"] == 50
    assert report["totals"]["failed"] == 0
    assert report["totals"]["sent"] == report["totals"]["produced"] >= 50 * 4
    sent = {name: row["sent"] for name, row in report["unicorns"].items()}

    # An independent consumer, from the start of the stream.
    read = cli("consume", "--stream", "e2e-herd", "--from", "trim-horizon", "--format", "jsonl", "--timeout", "3")
    assert read.returncode == 0, read.stderr
    records = [json.loads(line) for line in read.stdout.splitlines()]
    assert Counter(r["Name"] for r in records) == Counter(sent)
    # The fleet's own consumer saw the same.
    fleet_read = [json.loads(line) for line in (tmp_path / "fleet-read.jsonl").read_text().splitlines()]
    assert Counter(r["Name"] for r in fleet_read) == Counter(sent)
    # Records of each unicorn left in order.
    for name in sent:
        times = [r["StatusTime"] for r in records if r["Name"] == name]
        assert times == sorted(times)


def test_pretty_output_of_a_known_record_is_the_workshops(endpoint, cli):
    make_stream(endpoint, "e2e-pretty")
    endpoint.client("kinesis").put_record(
        StreamName="e2e-pretty", PartitionKey="Shadowfax", Data=json.dumps(json.loads(WORKSHOP_SAMPLE)).encode()
    )
    run = cli("consume", "--stream", "e2e-pretty", "--from", "trim-horizon", "--max-records", "1", "--timeout", "10")
    assert run.returncode == 0, run.stderr
    assert run.stdout == WORKSHOP_SAMPLE + "\n"


def test_a_record_that_is_not_ours_is_shown_raw_and_reading_goes_on(endpoint, cli):
    make_stream(endpoint, "e2e-raw")
    kinesis = endpoint.client("kinesis")
    kinesis.put_record(StreamName="e2e-raw", PartitionKey="x", Data=b"hello, not json")
    kinesis.put_record(StreamName="e2e-raw", PartitionKey="y", Data=json.dumps(json.loads(WORKSHOP_SAMPLE)).encode())
    run = cli("consume", "--stream", "e2e-raw", "--from", "trim-horizon", "--format", "jsonl", "--max-records", "2")
    assert run.returncode == 0, run.stderr
    # jsonl stays JSON lines whatever arrives: a foreign record is a JSON line that says where it came from.
    foreign = json.loads(run.stdout.splitlines()[0])
    assert foreign["Raw"] == "hello, not json" and foreign["Record"].startswith("shardId-000000000000/")
    assert json.loads(run.stdout.splitlines()[1])["Name"] == "Shadowfax"
    assert "is not a unicorn record, shown raw" in run.stderr


def test_produce_prints_a_dot_per_record_and_consume_filters_by_name(endpoint, cli):
    make_stream(endpoint, "e2e-produce")
    produced = cli("produce", "--stream", "e2e-produce", "--name", "Bucephalus", "--records", "3", "--rate", "5")
    assert produced.returncode == 0, produced.stderr
    assert produced.stdout.strip() == "..."
    cli("produce", "--stream", "e2e-produce", "--name", "Shadowfax", "--records", "2", "--rate", "5")
    read = cli(
        "consume",
        "--stream",
        "e2e-produce",
        "--from",
        "trim-horizon",
        "--name",
        "Bucephalus",
        "--format",
        "jsonl",
        "--timeout",
        "3",
    )
    names = [json.loads(line)["Name"] for line in read.stdout.splitlines()]
    assert names == ["Bucephalus"] * 3


def checkpointed_a_position(path):
    try:
        return bool(json.loads(path.read_text()).get("shards"))
    except (OSError, ValueError):  # not there yet, or (never, it is renamed into place) half written
        return False


def test_a_killed_consumer_resumes_from_its_checkpoint_without_a_gap(endpoint, cli, tmp_path):
    make_stream(endpoint, "e2e-checkpoint")
    herd = tmp_path / "herd.yml"
    herd.write_text("stream: e2e-checkpoint\nrate: 10\nrecords: 60\nherds:\n  - count: 4\n")
    producer = cli.start(str(herd))
    checkpoint = tmp_path / "position.json"
    args = (
        "consume",
        "--stream",
        "e2e-checkpoint",
        "--from",
        "trim-horizon",
        "--format",
        "jsonl",
        "--checkpoint",
        str(checkpoint),
        "--budget",
        "5",
    )
    first = cli.start(*args)
    # Killed mid-run, once it has checkpointed a position (the file is written as reading starts, bound to the
    # stream, with no shard in it yet; a loaded machine may take seconds to get further).
    deadline = time.monotonic() + 60
    while not checkpointed_a_position(checkpoint) and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.1)
    time.sleep(0.5)
    first.send_signal(signal.SIGKILL)
    first_lines = first.communicate()[0].splitlines()
    assert producer.wait(timeout=60) == 0
    assert checkpoint.exists()
    second = cli(*args, "--timeout", "4")
    assert second.returncode == 0, second.stderr
    second_lines = second.stdout.splitlines()

    expected = 4 * 60
    seen = [json.loads(line) for line in first_lines + second_lines]
    unique = {(r["Name"], r["StatusTime"]) for r in seen}
    assert len(unique) == expected, "a record was lost across the restart"
    duplicates = len(seen) - len(unique)
    # Only the batch that was printed but not yet checkpointed may come again, at the seam.
    assert duplicates <= len(first_lines)
    assert second_lines[:duplicates] == first_lines[len(first_lines) - duplicates :]
    assert first_lines, "the first consumer read nothing before it was killed"


def test_a_missing_stream_points_at_setup(cli):
    for args in (
        ("consume", "--stream", "no-such-stream", "--timeout", "2"),
        ("produce", "--stream", "no-such-stream", "--records", "1"),
    ):
        run = cli(*args)
        assert run.returncode != 0
        assert "stream 'no-such-stream' not found" in run.stderr
        assert "ansible-playbook setup.yml" in run.stderr
        assert "Traceback" not in run.stderr


def test_a_bad_herd_file_is_one_clear_line(cli, tmp_path):
    herd = tmp_path / "herd.yml"
    herd.write_text("unicorns:\n  - name: A\n    sped: 3\n")
    run = cli(str(herd))
    assert run.returncode == 2
    assert (
        run.stderr.strip()
        == f"error: {herd}:3: unicorns.0.sped: unknown key 'sped': check its spelling against fleet.yml"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("consume", "--from", "yesterday"), "--from 'yesterday' is not latest, trim-horizon"),
        (("consume", "--from", "12345"), "--from <sequence number> needs --shard ID"),
        (("consume", "--from", "2017-06-05T09:17:08"), "has no time zone"),
        (("consume", "--format", "xml"), "--format 'xml' is unknown"),
    ],
)
def test_bad_consume_options_are_one_clear_line(cli, args, expected):
    run = cli(*args)
    assert run.returncode != 0
    assert expected in run.stderr
    assert "Traceback" not in run.stderr


def test_stats_shows_the_records_put_per_period(endpoint, cli):
    make_stream(endpoint, "e2e-stats")
    assert cli("produce", "--stream", "e2e-stats", "--records", "6", "--rate", "10").returncode == 0
    run = cli("stats", "--stream", "e2e-stats", "--once", "--period", "3600", "--minutes", "60")
    assert run.returncode == 0, run.stderr
    assert "stream e2e-stats: records per 3600 s" in run.stdout
    rows = [line for line in run.stdout.splitlines() if "█" in line]
    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].split("│")[1:-1]]
    assert cells[1] == "6"  # incoming records in the one hour-long period
    assert cells[2] == "6"  # put success count, as the console's Monitoring tab shows it


def test_ctrl_c_flushes_the_herd_and_sums_up(endpoint, cli, tmp_path):
    make_stream(endpoint, "e2e-interrupt")
    herd = tmp_path / "herd.yml"
    herd.write_text("stream: e2e-interrupt\nrate: 20\nherds:\n  - count: 10\n")
    running = cli.start(str(herd), "--report", str(tmp_path / "report.json"))
    time.sleep(3)
    running.send_signal(signal.SIGINT)
    _, err = running.communicate(timeout=60)
    assert running.returncode == 0, err
    assert "stopping: sending what is still queued" in err
    assert "failed 0" in err and "Traceback" not in err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["totals"]["sent"] == report["totals"]["produced"] > 0
    read = cli("consume", "--stream", "e2e-interrupt", "--from", "trim-horizon", "--format", "jsonl", "--timeout", "3")
    assert len(read.stdout.splitlines()) == report["totals"]["sent"]


def test_a_down_endpoint_is_retried_then_named_in_one_line(cli):
    # Credentials of their own: nothing is listening, so none of the endpoint's generated keys exists either.
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    }
    runs = [
        subprocess.Popen([SIMULATE, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in (("consume", "--timeout", "60"), ("produce", "--records", "1"))
    ]
    for run in runs:
        _, err = run.communicate(timeout=90)
        assert run.returncode != 0
        assert "cannot reach Kinesis at local endpoint http://127.0.0.1:9" in err
        assert "is the endpoint up?" in err and "Traceback" not in err


def test_no_credentials_is_one_line(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") or key in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
    }
    env.update(AWS_EC2_METADATA_DISABLED="true", AWS_REGION="us-east-1")
    for args in (("consume", "--timeout", "5"), ("produce", "--records", "1")):
        run = subprocess.run([SIMULATE, *args], env=env, capture_output=True, text=True, timeout=60)
        assert run.returncode != 0
        assert "no AWS credentials found" in run.stderr
        assert "Traceback" not in run.stderr


def test_a_shard_can_be_read_after_a_sequence_number(endpoint, cli):
    make_stream(endpoint, "e2e-after")
    kinesis = endpoint.client("kinesis")
    sample = json.loads(WORKSHOP_SAMPLE)
    replies = [
        kinesis.put_record(
            StreamName="e2e-after", PartitionKey="Shadowfax", Data=json.dumps({**sample, "Distance": n}).encode()
        )
        for n in (1, 2, 3)
    ]
    shard, first = replies[0]["ShardId"], replies[0]["SequenceNumber"]
    run = cli(
        "consume", "--stream", "e2e-after", "--shard", shard, "--from", first, "--format", "jsonl", "--timeout", "3"
    )
    assert run.returncode == 0, run.stderr
    assert [json.loads(line)["Distance"] for line in run.stdout.splitlines()] == [2, 3]
    unknown = cli("consume", "--stream", "e2e-after", "--shard", "shardId-000000000099", "--timeout", "2")
    assert unknown.returncode != 0 and "shard 'shardId-000000000099' not found" in unknown.stderr
