"""Kinesis retention in-process: records older than the retention period (on the endpoint's clock) or beyond
max_records_per_shard are dropped and freed, on write and on read; TRIM_HORIZON starts at the oldest kept."""

import gc
import sys

import pytest

from tests.localaws.test_kinesis_support import Kinesis, make_kinesis


@pytest.fixture
def kinesis(tmp_path) -> Kinesis:
    k = make_kinesis(tmp_path)
    k.create("s")
    return k


def stored(kinesis: Kinesis) -> int:
    return sum(count["records"] for count in kinesis.service.stored_records())


def data(records: list[dict]) -> list[bytes]:
    return [record["Data"] for record in records]


def test_records_past_retention_are_gone_on_read(kinesis):
    kinesis.put("s", 3, prefix="old")
    kinesis.advance(23 * 3600)
    kinesis.put("s", 2, prefix="new")
    records, _ = kinesis.read_all(kinesis.iterator("s"))
    assert len(records) == 5
    kinesis.advance(3600 + 1)
    records, _ = kinesis.read_all(kinesis.iterator("s"))
    assert data(records) == [b"new-0", b"new-1"]
    assert stored(kinesis) == 2


def test_a_position_behind_the_trim_horizon_reads_from_the_oldest_kept(kinesis):
    old = kinesis.put("s", 3, prefix="old")
    kinesis.advance(24 * 3600 + 1)
    kinesis.put("s", 1, prefix="new")
    iterator = kinesis.iterator("s", kind="AT_SEQUENCE_NUMBER", StartingSequenceNumber=old[0]["SequenceNumber"])
    assert data(kinesis.call("GetRecords", ShardIterator=iterator)["Records"]) == [b"new-0"]


def test_trimmed_on_write_too(kinesis):
    kinesis.put("s", 1000, prefix="old")
    kinesis.advance(25 * 3600)
    kinesis.put("s", 1, prefix="new")
    assert stored(kinesis) == 1


def test_longer_retention_keeps_records_longer_and_shorter_trims_at_once(kinesis):
    kinesis.call("IncreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=48)
    kinesis.settle()
    kinesis.put("s", 2)
    kinesis.advance(30 * 3600)
    assert len(kinesis.read_all(kinesis.iterator("s"))[0]) == 2
    kinesis.call("DecreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=24)
    assert stored(kinesis) == 0


def test_records_beyond_the_cap_are_dropped_oldest_first(tmp_path):
    kinesis = make_kinesis(tmp_path, max_records_per_shard=100)
    kinesis.create("s")
    kinesis.put("s", 250)
    records, _ = kinesis.read_all(kinesis.iterator("s"))
    assert data(records) == [f"r-{n}".encode() for n in range(150, 250)]
    kinesis.runtime.update({"max_records_per_shard": 10})
    kinesis.put("s", 1, prefix="next")
    assert stored(kinesis) == 10


def test_dropped_records_are_freed(kinesis):
    payload = bytes(range(100))
    before = sys.getrefcount(payload)
    kinesis.call("PutRecord", StreamName="s", PartitionKey="k", Data=payload)
    gc.collect()
    assert sys.getrefcount(payload) == before + 1  # the shard holds it
    kinesis.advance(24 * 3600 + 1)
    kinesis.put("s", 1)
    gc.collect()
    assert sys.getrefcount(payload) == before  # and lets it go


def test_closed_shards_are_trimmed_without_being_read(kinesis):
    kinesis.put("s", 50)
    kinesis.call("SplitShard", StreamName="s", ShardToSplit="0", NewStartingHashKey=str(2**127))
    kinesis.settle()
    kinesis.advance(24 * 3600 + 2)
    kinesis.put("s", 1, key="fresh")
    assert stored(kinesis) == 1


def test_many_drops_keep_reads_right(tmp_path):
    kinesis = make_kinesis(tmp_path, max_records_per_shard=1500)
    kinesis.create("s")
    for batch in range(10):
        kinesis.put("s", 500, prefix=f"b{batch}")
    records, _ = kinesis.read_all(kinesis.iterator("s"))
    assert len(records) == 1500 and records[0]["Data"] == b"b7-0" and records[-1]["Data"] == b"b9-499"
    numbers = [int(record["SequenceNumber"]) for record in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 1500
