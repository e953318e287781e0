"""Issue 10, item 1: whatever anyone writes to the stream, `simulate consume` and the fleet's consumer print it
safely, account for it, and go on reading."""

import json
import re
import time

from tests.simulator.test_commands_e2e import WORKSHOP_SAMPLE, make_stream

HOSTILE = [
    b"plain [/x] text",
    b"[bold]not bold[/bold]",
    b"\x1b[2J\x1b]52;c;ZXZpbA==\x07cleared?",
    b"back\x08\x08space\rcarriage \xe2\x80\xaeevil bidi",
    b"\xff\xfe not UTF-8 \xc3",
    b"\x9b31m C1 CSI, DEL \x7f",
    b'{"Name": "x", "StatusTime": 1}',
]
# Raw control characters (but the newline that ends each entry), C1 controls, bidi overrides and surrogates.
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def put_hostile_then_sample(endpoint, stream: str) -> None:
    kinesis = endpoint.client("kinesis")
    for data in HOSTILE:
        kinesis.put_record(StreamName=stream, PartitionKey="mischief", Data=data)
    kinesis.put_record(
        StreamName=stream, PartitionKey="Shadowfax", Data=json.dumps(json.loads(WORKSHOP_SAMPLE)).encode()
    )


def test_pretty_output_shows_every_hostile_record_safely_and_goes_on(endpoint, cli):
    make_stream(endpoint, "e2e-hostile-pretty")
    put_hostile_then_sample(endpoint, "e2e-hostile-pretty")
    run = cli("consume", "--stream", "e2e-hostile-pretty", "--from", "trim-horizon", "--max-records", "8")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert not UNSAFE.search(run.stdout) and not UNSAFE.search(run.stderr)
    lines = run.stdout.splitlines()
    # One line per foreign record, in order, then the workshop's sample exactly as the workshop printed it.
    assert lines[0] == "plain [/x] text"
    assert lines[1] == "[bold]not bold[/bold]"
    assert lines[2] == "\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07cleared?"
    assert lines[3] == "back\\x08\\x08space\\rcarriage \\u202eevil bidi"
    assert lines[4] == "\ufffd\ufffd not UTF-8 \ufffd"
    assert run.stdout.endswith(WORKSHOP_SAMPLE + "\n")
    assert len(lines) == len(HOSTILE) + WORKSHOP_SAMPLE.count("\n") + 1
    assert run.stderr.count("not UTF-8") == 1, "invalid UTF-8 is said once"
    assert run.stderr.count("is not a unicorn record, shown raw") == len(HOSTILE)


def test_jsonl_output_is_one_valid_json_line_per_record_whatever_arrives(endpoint, cli):
    make_stream(endpoint, "e2e-hostile-jsonl")
    put_hostile_then_sample(endpoint, "e2e-hostile-jsonl")
    run = cli(
        "consume", "--stream", "e2e-hostile-jsonl", "--from", "trim-horizon", "--format", "jsonl", "--timeout", "3"
    )
    assert run.returncode == 0, run.stderr
    assert not UNSAFE.search(run.stdout)
    entries = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(entries) == len(HOSTILE) + 1
    assert [entry["Raw"] for entry in entries[:3]] == [data.decode() for data in HOSTILE[:3]]
    assert entries[4]["Base64"] == "//4gbm90IFVURi04IMM="
    assert entries[-1] == json.loads(WORKSHOP_SAMPLE)


def test_a_checkpointed_consumer_survives_a_hostile_record_and_restarts_past_it(endpoint, cli, tmp_path):
    make_stream(endpoint, "e2e-hostile-checkpoint")
    put_hostile_then_sample(endpoint, "e2e-hostile-checkpoint")
    args = ("consume", "--stream", "e2e-hostile-checkpoint", "--from", "trim-horizon", "--format", "jsonl")
    checkpoint = tmp_path / "position.json"
    first = cli(*args, "--checkpoint", str(checkpoint), "--max-records", "2")
    assert first.returncode == 0, first.stderr
    assert checkpoint.exists()
    second = cli(*args, "--checkpoint", str(checkpoint), "--timeout", "3")
    assert second.returncode == 0, second.stderr
    assert len(first.stdout.splitlines()) + len(second.stdout.splitlines()) == len(HOSTILE) + 1


def test_consume_writes_to_a_file_with_output(endpoint, cli, tmp_path):
    make_stream(endpoint, "e2e-hostile-file")
    put_hostile_then_sample(endpoint, "e2e-hostile-file")
    target = tmp_path / "read.txt"
    run = cli(
        "consume", "--stream", "e2e-hostile-file", "--from", "trim-horizon", "--timeout", "3", "--output", str(target)
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    written = target.read_text()
    assert not UNSAFE.search(written)
    assert written.endswith(WORKSHOP_SAMPLE + "\n")


def test_the_fleet_consumer_prints_hostile_records_to_its_file_and_goes_on(endpoint, cli, tmp_path):
    make_stream(endpoint, "e2e-hostile-fleet")
    output = tmp_path / "fleet-read.jsonl"
    herd = tmp_path / "herd.yml"
    herd.write_text(
        f"stream: e2e-hostile-fleet\nrate: 5\nherds:\n  - count: 3\nconsumer:\n  format: jsonl\n  output: {output}\n"
    )
    running = cli.start(str(herd), "--duration", "5", "--report", str(tmp_path / "report.json"))
    time.sleep(2)
    kinesis = endpoint.client("kinesis")
    for data in HOSTILE:
        kinesis.put_record(StreamName="e2e-hostile-fleet", PartitionKey="mischief", Data=data)
    _, err = running.communicate(timeout=60)
    assert running.returncode == 0, err
    assert "Traceback" not in err and "consumer stopped" not in err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["totals"]["consumed"] == report["totals"]["sent"] > 0
    entries = [json.loads(line) for line in output.read_text().splitlines()]
    assert [entry["Raw"] for entry in entries if "Raw" in entry][:2] == [HOSTILE[0].decode(), HOSTILE[1].decode()]
    assert len(entries) == report["totals"]["sent"] + len(HOSTILE)


def test_a_failing_fleet_consumer_ends_the_run_in_one_line_with_an_error(endpoint, cli, tmp_path):
    make_stream(endpoint, "e2e-consumer-fails")
    herd = tmp_path / "herd.yml"
    # /dev/full: every write fails (ENOSPC), a stand-in for a full disk or a closed pipe.
    herd.write_text("stream: e2e-consumer-fails\nherds:\n  - count: 2\nconsumer:\n  output: /dev/full\n")
    run = cli(str(herd), "--duration", "30", timeout=120)
    assert run.returncode != 0, run.stderr
    assert "Traceback" not in run.stderr
    problem = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(problem) == 1 and "the fleet's consumer stopped" in problem[0] and "/dev/full" in problem[0]
