"""ApproximateArrivalTimestamp over HTTP: AWS keeps it to the millisecond, so the time a client reads from a record
is the record's own, and AT_TIMESTAMP at that time starts at that record (a replay from a record's shown time must
not skip it)."""

import time

import pytest

from tests.conftest import running_endpoint


@pytest.fixture(scope="module")
def kinesis(tmp_path_factory):
    with running_endpoint(tmp_path_factory.mktemp("arrival"), state_transition_seconds=0.0) as endpoint:
        client = endpoint.client("kinesis")
        client.create_stream(StreamName="arrivals", ShardCount=1)
        client.get_waiter("stream_exists").wait(StreamName="arrivals", WaiterConfig={"Delay": 0.1})
        yield client


def read_from(kinesis, **position) -> list[dict]:
    iterator = kinesis.get_shard_iterator(StreamName="arrivals", ShardId="shardId-000000000000", **position)
    return kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"]


def test_at_timestamp_of_a_records_shown_arrival_starts_at_that_record(kinesis):
    for n in range(20):
        kinesis.put_record(StreamName="arrivals", PartitionKey="k", Data=b"%d" % n)
        time.sleep(0.003)  # arrivals a few milliseconds apart, each with a sub-millisecond part
    records = read_from(kinesis, ShardIteratorType="TRIM_HORIZON")
    assert len(records) == 20
    for record in records:
        shown = record["ApproximateArrivalTimestamp"]
        assert shown.microsecond % 1000 == 0  # milliseconds, as AWS shows them
        found = read_from(kinesis, ShardIteratorType="AT_TIMESTAMP", Timestamp=shown)
        first = found[0]
        assert first["ApproximateArrivalTimestamp"] == shown
        assert first["SequenceNumber"] <= record["SequenceNumber"], "AT_TIMESTAMP skipped the record shown at it"
