"""Issue 10, item 5: whatever goes wrong inside a PutRecords call (not only AWS errors: a 2xx answer without
`Records`, a length mismatch, a TypeError) is retried or failed with a counted reason and a one-line warning;
no unicorn stalls. In-process stand-ins for Kinesis, and one fake endpoint behind the real `simulate produce`."""

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from simulator.producer import Batcher

SIMULATE = str(Path(sys.executable).with_name("simulate"))


class Scripted:
    """Answers each PutRecords call with the next reply maker; the last one repeats."""

    def __init__(self, *replies: Callable[[list[dict[str, Any]]], Any]):
        self.replies = list(replies)
        self.calls = 0

    def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> Any:
        reply = self.replies[min(self.calls, len(self.replies) - 1)]
        self.calls += 1
        return reply(Records)


def accepted(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"FailedRecordCount": 0, "Records": [{"SequenceNumber": "1", "ShardId": "s"} for _ in records]}


def no_records(records):
    return {"FailedRecordCount": 0}


def one_short(records):
    return {"FailedRecordCount": 0, "Records": accepted(records)["Records"][1:]}


def not_a_mapping(records):
    return ["what", "is", "this"]


def raises_type_error(records):
    raise TypeError("unsupported operand type(s) for +: 'NoneType' and 'int'")


def run_batcher(client: Scripted, records: int = 3) -> tuple[Batcher, list[str], bool]:
    warnings: list[str] = []
    batcher = Batcher(
        client, "wildrydes", max_attempts=3, base_backoff=0.001, max_backoff=0.01, on_warning=warnings.append
    )
    for n in range(records):
        batcher.put(f"unicorn-{n}", b"{}")
    done = batcher.flush(timeout=20)
    batcher.close(timeout=1)
    return batcher, warnings, done


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (no_records, "InvalidReply"),
        (one_short, "InvalidReply"),
        (not_a_mapping, "InvalidReply"),
        (raises_type_error, "TypeError"),
    ],
    ids=["2xx-without-Records", "length-mismatch", "not-a-mapping", "TypeError"],
)
def test_a_bad_answer_every_time_fails_the_records_with_a_counted_reason(reply, reason):
    batcher, warnings, done = run_batcher(Scripted(reply))
    assert done, "a unicorn stalled: its records were neither sent nor given up on"
    assert batcher.stats.failed == 3 and batcher.stats.sent == 0
    assert dict(batcher.stats.failure_reasons) == {reason: 3}
    assert len(warnings) == 1 and "\n" not in warnings[0] and reason in warnings[0]


@pytest.mark.parametrize("reply", [no_records, one_short, raises_type_error])
def test_a_bad_answer_once_is_retried_and_nothing_is_lost(reply):
    batcher, warnings, done = run_batcher(Scripted(reply, accepted))
    assert done
    assert batcher.stats.sent == 3 and batcher.stats.failed == 0 and batcher.stats.retried == 3
    assert len(warnings) == 1


class _NoRecords(BaseHTTPRequestHandler):
    """A Kinesis that answers 200 to PutRecords, but without `Records`."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"FailedRecordCount": 0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_produce_against_an_endpoint_that_answers_without_records_says_so():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NoRecords)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{server.server_address[1]}",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "AKIAFAKE",
            "AWS_SECRET_ACCESS_KEY": "fake",
        }
        run = subprocess.run(
            [SIMULATE, "produce", "--records", "2", "--rate", "10"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "without Records" in warnings[0]
    summary = run.stderr.splitlines()[-1]
    # Each record is given up on after its last attempt (InvalidReply); one still waiting for its turn when the
    # run's bounded flush ends is counted as such.
    assert "failed 2: " in summary and "InvalidReply" in summary, summary
    assert set(summary.split("failed 2: ")[1].rstrip(")").split(", ")) <= {
        "2 InvalidReply",
        "1 InvalidReply",
        "1 StillQueuedAtExit",
    }
