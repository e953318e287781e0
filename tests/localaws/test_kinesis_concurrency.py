"""Kinesis under threads in-process: concurrent producers lose nothing and numbers stay unique and ordered; reads,
resharding and creation of other streams run beside them."""

import threading

from tests.localaws.test_kinesis_support import Kinesis, make_kinesis

PRODUCERS = 4
RECORDS_EACH = 10_000


def produce(kinesis: Kinesis, producer: int, numbers: list[str], errors: list[BaseException]) -> None:
    try:
        for start in range(0, RECORDS_EACH, 500):
            batch = [
                {"PartitionKey": f"p{producer}", "Data": f"{producer}:{n}".encode()} for n in range(start, start + 500)
            ]
            reply = kinesis.call("PutRecords", StreamName="s", Records=batch)
            assert reply["FailedRecordCount"] == 0
            numbers += [entry["SequenceNumber"] for entry in reply["Records"]]
    except BaseException as error:  # handed to the main thread
        errors.append(error)


def test_four_producers_of_10000_records_lose_none(tmp_path):
    kinesis = make_kinesis(tmp_path)
    kinesis.create("s")
    numbers: list[list[str]] = [[] for _ in range(PRODUCERS)]
    errors: list[BaseException] = []
    threads = [threading.Thread(target=produce, args=(kinesis, n, numbers[n], errors)) for n in range(PRODUCERS)]
    for thread in threads:
        thread.start()
    reader_seen: list[int] = []

    def read_while_writing() -> None:
        iterator = kinesis.iterator("s")
        while any(thread.is_alive() for thread in threads):
            reply = kinesis.call("GetRecords", ShardIterator=iterator)
            reader_seen.append(len(reply["Records"]))
            iterator = reply["NextShardIterator"]

    reader = threading.Thread(target=read_while_writing)
    reader.start()
    for thread in threads:
        thread.join()
    reader.join()
    assert errors == []
    records, _ = kinesis.read_all(kinesis.iterator("s"))
    assert len(records) == PRODUCERS * RECORDS_EACH
    stored = [record["SequenceNumber"] for record in records]
    assert len(set(stored)) == len(stored) and [int(n) for n in stored] == sorted(int(n) for n in stored)
    assert sorted(stored) == sorted(n for each in numbers for n in each)
    for producer in range(PRODUCERS):  # each producer's records in the order it sent them
        mine = [record["Data"] for record in records if record["PartitionKey"] == f"p{producer}"]
        assert mine == [f"{producer}:{n}".encode() for n in range(RECORDS_EACH)]


def test_puts_beside_resharding_and_other_streams_lose_none(tmp_path):
    kinesis = make_kinesis(tmp_path, state_transition_seconds=0)
    kinesis.create("s", 2)
    errors: list[BaseException] = []
    numbers: list[list[str]] = [[] for _ in range(2)]
    threads = [threading.Thread(target=produce, args=(kinesis, n, numbers[n], errors)) for n in range(2)]
    for thread in threads:
        thread.start()
    for n in range(6):
        kinesis.call("CreateStream", StreamName=f"other-{n}", ShardCount=1)
        target = 4 if n % 2 == 0 else 2
        kinesis.call("UpdateShardCount", StreamName="s", TargetShardCount=target, ScalingType="UNIFORM_SCALING")
        kinesis.call("DescribeStream", StreamName="s")  # settles the update
    for thread in threads:
        thread.join()
    assert errors == []
    total = 0
    for shard in kinesis.call("ListShards", StreamName="s")["Shards"]:
        total += len(kinesis.read_all(kinesis.iterator("s", shard["ShardId"]))[0])
    assert total == 2 * RECORDS_EACH
