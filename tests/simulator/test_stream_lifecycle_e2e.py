"""Issue 10, items 2 and 3: a stream deleted while `consume` reads, a stream recreated under the same name, and
checkpoint files that are corrupt or another stream's: one line each, never a traceback, nothing skipped."""

import json

import pytest

from tests.simulator.test_commands_e2e import WORKSHOP_SAMPLE, make_stream


def put_unicorns(endpoint, stream: str, count: int, first: int = 0) -> None:
    kinesis = endpoint.client("kinesis")
    sample = json.loads(WORKSHOP_SAMPLE)
    for n in range(first, first + count):
        kinesis.put_record(
            StreamName=stream, PartitionKey="Shadowfax", Data=json.dumps({**sample, "Distance": n}).encode()
        )


def delete_stream(endpoint, stream: str) -> None:
    kinesis = endpoint.client("kinesis")
    kinesis.delete_stream(StreamName=stream)
    kinesis.get_waiter("stream_not_exists").wait(StreamName=stream)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_a_stream_deleted_while_consume_reads_is_one_line(endpoint, cli):
    make_stream(endpoint, "e2e-deleted")
    put_unicorns(endpoint, "e2e-deleted", 3)
    running = cli.start("consume", "--stream", "e2e-deleted", "--from", "trim-horizon", "--format", "jsonl")
    # Every record put before is printed (read line by line: communicate() would not see what readline buffered).
    printed = [json.loads(running.stdout.readline())["Distance"] for _ in range(3)]
    assert printed == [0, 1, 2]
    delete_stream(endpoint, "e2e-deleted")
    out, err = running.communicate(timeout=60)
    assert running.returncode not in (0, None)
    assert "Traceback" not in err and out == ""
    assert error_lines(err) == [line for line in err.splitlines() if line.strip()]
    assert len(error_lines(err)) == 1 and "stream 'e2e-deleted' was deleted while reading" in err


def test_a_checkpoint_from_an_older_stream_of_the_same_name_starts_at_its_trim_horizon(endpoint, cli, tmp_path):
    make_stream(endpoint, "e2e-recreated")
    put_unicorns(endpoint, "e2e-recreated", 20)
    checkpoint = tmp_path / "position.json"
    args = ("consume", "--stream", "e2e-recreated", "--format", "jsonl", "--checkpoint", str(checkpoint))
    first = cli(*args, "--from", "trim-horizon", "--timeout", "3")
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.splitlines()) == 20
    # The workshop's own cycle: teardown, setup, new records.
    delete_stream(endpoint, "e2e-recreated")
    make_stream(endpoint, "e2e-recreated")
    put_unicorns(endpoint, "e2e-recreated", 5, first=100)
    second = cli(*args, "--timeout", "3")
    assert second.returncode == 0, second.stderr
    assert [json.loads(line)["Distance"] for line in second.stdout.splitlines()] == [100, 101, 102, 103, 104]
    notes = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(notes) == 1 and "older stream 'e2e-recreated'" in notes[0] and "TRIM_HORIZON" in notes[0]
    # From now on the checkpoint is this stream's: a restart resumes without a note and without repeats.
    put_unicorns(endpoint, "e2e-recreated", 1, first=200)
    third = cli(*args, "--timeout", "3")
    assert third.returncode == 0 and third.stderr.strip() == "", third.stderr
    assert [json.loads(line)["Distance"] for line in third.stdout.splitlines()] == [200]


@pytest.mark.parametrize(
    "content",
    [b"[]", b'{"stream": 1}', b"\xff\x00\x1b[2J", b'{"stream": "e2e-corrupt", "shards": {"s": {"after": 5}}}', b"{"],
    ids=["list", "stream-not-a-name", "binary", "wrong-shard-entry", "truncated"],
)
def test_a_corrupt_checkpoint_is_one_line(endpoint, cli, tmp_path, content):
    make_stream(endpoint, "e2e-corrupt") if content == b"[]" else None
    checkpoint = tmp_path / "position.json"
    checkpoint.write_bytes(content)
    run = cli("consume", "--stream", "e2e-corrupt", "--checkpoint", str(checkpoint), "--timeout", "2")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith(f"error: checkpoint {checkpoint} is unreadable") and run.stderr.count("\n") == 1
    assert "delete it to start afresh" in run.stderr


def test_a_checkpoint_of_another_stream_is_one_line(endpoint, cli, tmp_path):
    make_stream(endpoint, "e2e-theirs")
    put_unicorns(endpoint, "e2e-theirs", 1)
    checkpoint = tmp_path / "position.json"
    read = cli(
        "consume", "--stream", "e2e-theirs", "--from", "trim-horizon", "--checkpoint", str(checkpoint), "--timeout", "2"
    )
    assert read.returncode == 0, read.stderr
    other_name = cli("consume", "--stream", "e2e-mine", "--checkpoint", str(checkpoint), "--timeout", "2")
    assert other_name.returncode == 2 and "belongs to stream 'e2e-theirs'" in other_name.stderr
    # The same name in another region is another stream (another ARN).
    kinesis = endpoint.client("kinesis", region="eu-west-1")
    kinesis.create_stream(StreamName="e2e-theirs", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="e2e-theirs")
    other_region = cli(
        "consume", "--stream", "e2e-theirs", "--region", "eu-west-1", "--checkpoint", str(checkpoint), "--timeout", "2"
    )
    assert other_region.returncode == 2, other_region.stderr
    assert "Traceback" not in other_region.stderr and other_region.stderr.count("\n") == 1
    assert (
        "arn:aws:kinesis:us-east-1:" in other_region.stderr and "use another --checkpoint file" in other_region.stderr
    )
