"""The batcher against an in-process stand-in for Kinesis (a pure unit test of its retry and order rules)."""

import random
import threading

import pytest
from botocore.exceptions import ClientError

from simulator.errors import UserError
from simulator.producer import Batcher


class FakeKinesis:
    """Accepts PutRecords, failing chosen entries; records what was stored, in order."""

    def __init__(self, fail_fraction: float = 0.0, seed: int = 1, error: str | None = None):
        self.rng = random.Random(seed)
        self.fail_fraction = fail_fraction
        self.error = error
        self.stored: list[tuple[str, bytes]] = []
        self.calls: list[int] = []
        self.lock = threading.Lock()

    def put_records(self, StreamName, Records):
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "nope"}}, "PutRecords")
        assert len(Records) <= 500
        replies = []
        with self.lock:
            self.calls.append(len(Records))
            for entry in Records:
                if self.rng.random() < self.fail_fraction:
                    replies.append({"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate"})
                else:
                    self.stored.append((entry["PartitionKey"], entry["Data"]))
                    replies.append({"SequenceNumber": str(len(self.stored)), "ShardId": "shardId-000000000000"})
        return {"FailedRecordCount": sum("ErrorCode" in r for r in replies), "Records": replies}


def test_partial_failures_are_retried_in_order_and_nothing_is_lost():
    kinesis = FakeKinesis(fail_fraction=0.3)
    batcher = Batcher(kinesis, "wildrydes", base_backoff=0.001, max_backoff=0.01, max_attempts=50, rng=random.Random(2))
    for n in range(200):
        for key in ("a", "b", "c"):
            batcher.put(key, f"{key}{n}".encode())
    stats = batcher.close(timeout=30)
    assert stats.sent == 600 and stats.failed == 0
    assert stats.retried > 0 and stats.throttled == stats.retried
    for key in ("a", "b", "c"):
        assert [d for k, d in kinesis.stored if k == key] == [f"{key}{n}".encode() for n in range(200)]


def test_a_record_is_given_up_only_after_its_last_attempt_and_counted():
    kinesis = FakeKinesis(fail_fraction=1.0)
    batcher = Batcher(kinesis, "wildrydes", base_backoff=0.001, max_backoff=0.002, max_attempts=3)
    batcher.put("a", b"1")
    batcher.put("a", b"2")
    stats = batcher.close(timeout=10)
    assert (stats.sent, stats.failed, stats.failed_by_key["a"]) == (0, 2, 2)
    assert len(kinesis.calls) == 6  # 3 attempts each, one record of a key in flight at a time


def test_batches_respect_the_500_record_limit():
    kinesis = FakeKinesis()
    batcher = Batcher(kinesis, "wildrydes", max_in_flight=1)
    for n in range(2000):
        batcher.put(f"u{n}", b"x")
    assert batcher.close(timeout=30).sent == 2000
    assert max(kinesis.calls) <= 500


def test_a_missing_stream_is_fatal_with_the_fix_named():
    batcher = Batcher(FakeKinesis(error="ResourceNotFoundException"), "wildrydes")
    batcher.put("a", b"1")
    batcher.flush(timeout=5)
    with pytest.raises(UserError, match=r"ansible-playbook setup\.yml"):
        batcher.put("a", b"2")
    assert batcher.close(timeout=1).failed == 1  # the first record; the second was refused at put()
