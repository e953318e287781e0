"""Kinesis shard throughput limits (token buckets on the endpoint clock's monotonic time) and seeded injected
faults, in-process. Limits are off unless `kinesis_limits` is set, and apply to provisioned streams."""

import pytest

from tests.localaws.test_kinesis_support import ACCOUNT, Kinesis, StoppedClock, make_kinesis

KIB = 1024


@pytest.fixture
def limited(tmp_path) -> Kinesis:
    k = make_kinesis(tmp_path, StoppedClock(), kinesis_limits=True)
    k.create("s")
    return k


def entries(count: int, size: int = 1) -> list[dict]:
    return [{"PartitionKey": "k", "Data": b"x" * size} for _ in range(count)]


def test_a_burst_beyond_1000_records_a_second_is_throttled_per_entry(limited):
    first = limited.call("PutRecords", StreamName="s", Records=entries(500))
    second = limited.call("PutRecords", StreamName="s", Records=entries(500))
    third = limited.call("PutRecords", StreamName="s", Records=entries(500))
    # The bucket holds one second's worth, and the clock stands still between the calls.
    assert first["FailedRecordCount"] + second["FailedRecordCount"] == 0
    assert third["FailedRecordCount"] == 500
    failed = [entry for entry in third["Records"] if "ErrorCode" in entry]
    assert failed[0] == {
        "ErrorCode": "ProvisionedThroughputExceededException",
        "ErrorMessage": f"Rate exceeded for shard shardId-000000000000 in stream s under account {ACCOUNT}.",
    }
    limited.advance(1)
    assert limited.call("PutRecords", StreamName="s", Records=entries(500))["FailedRecordCount"] == 0
    assert {"PutRecords.ThrottledRecords", "WriteProvisionedThroughputExceeded"} <= limited.metrics.names()
    stored = sum(count["records"] for count in limited.service.stored_records())
    failures = first["FailedRecordCount"] + second["FailedRecordCount"] + third["FailedRecordCount"]
    assert stored == 2000 - failures  # failed entries are not stored


def test_put_record_beyond_1_mib_a_second_is_throttled(limited):
    outcomes = []
    for _ in range(4):
        try:
            limited.call("PutRecord", StreamName="s", PartitionKey="k", Data=b"x" * (900 * KIB))
            outcomes.append("ok")
        except Exception as error:
            outcomes.append(error.code)
    assert outcomes[0] == "ok" and outcomes[1:] == ["ProvisionedThroughputExceededException"] * 3
    limited.advance(1)
    assert limited.call("PutRecord", StreamName="s", PartitionKey="k", Data=b"x" * (900 * KIB))["ShardId"]


def test_get_records_beyond_5_calls_a_second_is_throttled(limited):
    iterator = limited.iterator("s")
    for _ in range(5):
        iterator = limited.call("GetRecords", ShardIterator=iterator)["NextShardIterator"]
    error = limited.error("GetRecords", ShardIterator=iterator)
    assert (error.code, error.status) == ("ProvisionedThroughputExceededException", 400)
    assert "ReadProvisionedThroughputExceeded" in limited.metrics.names()
    limited.advance(1)
    assert limited.call("GetRecords", ShardIterator=iterator)["Records"] == []


def test_reading_over_2_mib_refuses_reads_until_repaid(tmp_path):
    kinesis = make_kinesis(tmp_path)
    kinesis.create("s")
    for _ in range(3):
        kinesis.call("PutRecord", StreamName="s", PartitionKey="k", Data=b"x" * (900 * KIB))
    kinesis.runtime.update({"kinesis_limits": True})
    reply = kinesis.call("GetRecords", ShardIterator=kinesis.iterator("s"))
    assert len(reply["Records"]) == 3  # one call may read more than 2 MiB ...
    assert kinesis.error("GetRecords", ShardIterator=reply["NextShardIterator"]).code == (
        "ProvisionedThroughputExceededException"
    )  # ... and the next waits until the bytes are repaid
    kinesis.advance(1)
    assert kinesis.call("GetRecords", ShardIterator=reply["NextShardIterator"])["Records"] == []


def test_limits_are_off_by_default_and_for_on_demand_streams(tmp_path):
    kinesis = make_kinesis(tmp_path)
    kinesis.create("s")
    for _ in range(5):
        assert kinesis.call("PutRecords", StreamName="s", Records=entries(500))["FailedRecordCount"] == 0
    kinesis.runtime.update({"kinesis_limits": True})
    kinesis.call("CreateStream", StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    kinesis.settle()
    for _ in range(5):
        assert kinesis.call("PutRecords", StreamName="od", Records=entries(500))["FailedRecordCount"] == 0


def test_injected_put_failures_fail_a_fraction_of_entries_alternately_and_store_none(tmp_path):
    kinesis = make_kinesis(tmp_path, inject_put_failures=0.1, inject_seed=7)
    kinesis.create("s")
    replies = [kinesis.call("PutRecords", StreamName="s", Records=entries(500)) for _ in range(4)]
    failed = [entry for reply in replies for entry in reply["Records"] if "ErrorCode" in entry]
    assert 0.05 * 2000 <= len(failed) <= 0.15 * 2000
    assert sum(reply["FailedRecordCount"] for reply in replies) == len(failed)
    codes = [entry["ErrorCode"] for entry in failed]
    assert codes[:4] == ["ProvisionedThroughputExceededException", "InternalFailure"] * 2
    assert {"ErrorCode": "InternalFailure", "ErrorMessage": "Internal service failure."} in failed
    stored = sum(count["records"] for count in kinesis.service.stored_records())
    assert stored == 2000 - len(failed)
    assert "PutRecords.FailedRecords" in kinesis.metrics.names()


def test_injected_faults_repeat_with_the_seed(tmp_path):
    def pattern(kinesis: Kinesis) -> list[bool]:
        reply = kinesis.call("PutRecords", StreamName="s", Records=entries(200))
        return ["ErrorCode" in entry for entry in reply["Records"]]

    first = make_kinesis(tmp_path, inject_put_failures=0.3, inject_seed=42)
    first.create("s")
    second = make_kinesis(tmp_path, inject_put_failures=0.3, inject_seed=42)
    second.create("s")
    one = pattern(first)
    assert one == pattern(second) and any(one) and not all(one)
    assert pattern(first) != one  # the dice roll on
    first.runtime.update({"inject_seed": 42})  # reseeding starts the same sequence again
    assert pattern(first) == one


def test_injected_throttles_answer_a_fraction_of_calls(tmp_path):
    kinesis = make_kinesis(tmp_path, inject_throttle=0.5, inject_seed=1)
    kinesis.create("s")
    outcomes = []
    for _ in range(200):
        try:
            kinesis.call("PutRecord", StreamName="s", PartitionKey="k", Data=b"")
            outcomes.append(True)
        except Exception as error:
            assert error.code == "ProvisionedThroughputExceededException"
            outcomes.append(False)
    assert 60 <= outcomes.count(False) <= 140
    iterator = kinesis.iterator("s")
    throttled = 0
    for _ in range(100):
        try:
            kinesis.call("GetRecords", ShardIterator=iterator, Limit=1)
        except Exception:
            throttled += 1
    assert 25 <= throttled <= 75
