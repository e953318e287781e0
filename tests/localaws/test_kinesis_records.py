"""Kinesis records in-process: puts, reads, sequence numbers and shard iterators, as AWS (and kinesalite's suite,
recorded against the live API) shows them."""

import base64

import pytest

from localaws.kinesis.sequence import decode, shard_index
from tests.localaws.test_kinesis_support import ACCOUNT, Kinesis, make_kinesis

TOP = 2**128 - 1
THIRD = 2**128 // 3


@pytest.fixture
def kinesis(tmp_path) -> Kinesis:
    k = make_kinesis(tmp_path)
    k.create("three", 3)
    return k


def hexes(number: str) -> str:
    return format(int(number), "x")


def test_sequence_numbers_are_56_digits_in_aws_layout(kinesis):
    reply = kinesis.call("PutRecord", StreamName="three", PartitionKey="a", Data=b"")
    number = reply["SequenceNumber"]
    assert len(number) == 56 and number.isdigit()
    assert reply == {"ShardId": "shardId-000000000000", "SequenceNumber": number}
    digits = hexes(number)
    # kinesalite's assertSequenceNumber: ^20 time(8) shard(1) index(16) 000 time(8) 0000000 shard 2$
    assert len(digits) == 47 and digits.startswith("20") and digits.endswith("00000002")
    now = kinesis.clock.time()
    assert now - 5 <= int(digits[30:38], 16) <= now + 1
    assert int(digits[2:10], 16) <= now


def test_starting_sequence_numbers_differ_by_the_shard_fields_only(kinesis):
    shards = kinesis.call("DescribeStream", StreamName="three")["StreamDescription"]["Shards"]
    starts = [int(shard["SequenceNumberRange"]["StartingSequenceNumber"]) for shard in shards]
    # kinesalite's createStream test: consecutive shards' starting numbers differ by exactly this much.
    assert starts[1] - starts[0] == starts[2] - starts[1] == 22300745198530623141535718272648361505980432
    assert all(len(str(start)) == 56 for start in starts)


def test_numbers_increase_per_shard_and_a_batch_is_numbered_shard_by_shard(kinesis):
    records = [{"PartitionKey": key, "Data": b""} for key in "abef"] + [
        {"PartitionKey": "a", "Data": b"", "ExplicitHashKey": str(key)} for key in (TOP, 2 * THIRD - 1, 2 * THIRD)
    ]
    reply = kinesis.call("PutRecords", StreamName="three", Records=records)
    shards = [entry["ShardId"][-1] for entry in reply["Records"]]
    assert shards == list("0121212") and reply["FailedRecordCount"] == 0
    index = [int(hexes(entry["SequenceNumber"])[11:27], 16) for entry in reply["Records"]]
    for group in ([2, 4, 6], [1, 3, 5]):  # putRecords.js: consecutive indexes within a shard
        assert [index[slot] - index[group[0]] for slot in group] == [0, 1, 2]
    more = kinesis.call("PutRecord", StreamName="three", PartitionKey="b", Data=b"")
    assert int(more["SequenceNumber"]) > int(reply["Records"][5]["SequenceNumber"])


def test_hash_keys_route_to_the_shard_whose_range_holds_them_both_ends_included(kinesis):
    cases = {0: "0", THIRD - 1: "0", THIRD: "1", 2 * THIRD - 1: "1", 2 * THIRD: "2", TOP: "2"}
    for key, shard in cases.items():
        reply = kinesis.call("PutRecord", StreamName="three", PartitionKey="x", Data=b"", ExplicitHashKey=str(key))
        assert reply["ShardId"] == f"shardId-00000000000{shard}"


def test_out_of_range_explicit_hash_key_is_refused(kinesis):
    error = kinesis.error("PutRecord", StreamName="three", PartitionKey="a", Data=b"", ExplicitHashKey=str(2**128))
    assert (error.code, error.message) == (
        "InvalidArgumentException",
        f"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {2**128}",
    )
    error = kinesis.error(
        "PutRecords",
        StreamName="three",
        Records=[
            {"PartitionKey": "a", "Data": b"", "ExplicitHashKey": str(2**128)},
            {"PartitionKey": "a", "Data": b""},
        ],
    )
    assert error.code == "InvalidArgumentException"


@pytest.mark.parametrize(
    "hex_number",
    [
        "20000000000000000000000000000000000000000000000",  # version 0
        "20000000000000000000000000000000000000000000004",  # version 4
        "30000000000000000000000000000000000000000000001",  # initial 3
        "1ffffffffff7fffffffffffffff000000000007fffffff2",  # initial 1
        "20000000000800000000000000000000000000000000002",  # 8 in the index
        "2ffffffffff7fffffffffffffff000000000007fffffff2",  # all f
        "13bb2cc3d80000000000000000000000",  # too short ("large date")
    ],
)
def test_bad_sequence_number_for_ordering_is_refused(kinesis, hex_number):
    number = str(int(hex_number, 16))
    error = kinesis.error("PutRecord", StreamName="three", PartitionKey="a", Data=b"", SequenceNumberForOrdering=number)
    assert (error.code, error.message) == (
        "InvalidArgumentException",
        f"ExclusiveMinimumSequenceNumber {number} used in PutRecord on stream three under account {ACCOUNT} "
        "is invalid.",
    )


@pytest.mark.parametrize(
    "hex_number",
    [
        "20000000000000000000000000000000000000000000002",
        "20000000000000000000000000000000000000000000001",
        "20000000000000000000000000000000000000800000002",
    ],
)
def test_good_sequence_number_for_ordering_is_accepted(kinesis, hex_number):
    number = str(int(hex_number, 16))
    reply = kinesis.call("PutRecord", StreamName="three", PartitionKey="a", Data=b"", SequenceNumberForOrdering=number)
    assert reply["ShardId"] == "shardId-000000000000"


def test_records_read_back_at_and_after_a_sequence_number(kinesis):
    records = [{"PartitionKey": key, "Data": key.encode() * 3} for key in "abef"]
    put = kinesis.call("PutRecords", StreamName="three", Records=records)["Records"]
    at = kinesis.iterator("three", "shardId-1", "AT_SEQUENCE_NUMBER", StartingSequenceNumber=put[1]["SequenceNumber"])
    reply = kinesis.call("GetRecords", ShardIterator=at)
    assert [(r["PartitionKey"], r["Data"]) for r in reply["Records"]] == [("b", b"bbb"), ("f", b"fff")]
    assert [r["SequenceNumber"] for r in reply["Records"]] == [put[1]["SequenceNumber"], put[3]["SequenceNumber"]]
    assert reply["MillisBehindLatest"] == 0 and reply["NextShardIterator"]
    assert abs(reply["Records"][0]["ApproximateArrivalTimestamp"] - kinesis.clock.time()) < 1
    after = kinesis.iterator(
        "three", "shardId-1", "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=put[1]["SequenceNumber"]
    )
    assert [r["PartitionKey"] for r in kinesis.call("GetRecords", ShardIterator=after)["Records"]] == ["f"]


def test_trim_horizon_latest_and_limit(kinesis):
    latest = kinesis.iterator("three", kind="LATEST")
    horizon = kinesis.iterator("three")
    empty = kinesis.call("GetRecords", ShardIterator=horizon)
    assert empty["Records"] == [] and empty["MillisBehindLatest"] == 0
    kinesis.put("three", 5, key="a")
    first = kinesis.call("GetRecords", ShardIterator=latest, Limit=2)
    assert [r["Data"] for r in first["Records"]] == [b"r-0", b"r-1"]
    second = kinesis.call("GetRecords", ShardIterator=first["NextShardIterator"], Limit=3)
    assert [r["Data"] for r in second["Records"]] == [b"r-2", b"r-3", b"r-4"]
    again = kinesis.call("GetRecords", ShardIterator=first["NextShardIterator"], Limit=1)  # iterators are reusable
    assert [r["Data"] for r in again["Records"]] == [b"r-2"]
    assert [r["Data"] for r in kinesis.call("GetRecords", ShardIterator=empty["NextShardIterator"])["Records"]] == [
        f"r-{n}".encode() for n in range(5)
    ]


def test_millis_behind_latest_is_the_age_of_the_first_record_left_unread(kinesis):
    kinesis.put("three", 2, key="a")
    kinesis.advance(7)
    kinesis.put("three", 1, key="a")
    reply = kinesis.call("GetRecords", ShardIterator=kinesis.iterator("three"), Limit=1)
    assert 7000 <= reply["MillisBehindLatest"] < 8000


def test_get_records_without_limit_returns_at_most_10000(tmp_path):
    kinesis = make_kinesis(tmp_path)
    kinesis.create("big")
    kinesis.put("big", 10_500)
    first = kinesis.call("GetRecords", ShardIterator=kinesis.iterator("big"))
    second = kinesis.call("GetRecords", ShardIterator=first["NextShardIterator"])
    assert (len(first["Records"]), len(second["Records"])) == (10_000, 500)
    assert first["MillisBehindLatest"] >= 0


def test_get_records_answers_at_most_10_mib(tmp_path):
    kinesis = make_kinesis(tmp_path)
    kinesis.create("fat")
    for _ in range(12):
        kinesis.call("PutRecord", StreamName="fat", PartitionKey="k", Data=b"x" * (1024 * 1024 - 1))
    first = kinesis.call("GetRecords", ShardIterator=kinesis.iterator("fat"))
    assert len(first["Records"]) == 10
    assert len(kinesis.call("GetRecords", ShardIterator=first["NextShardIterator"])["Records"]) == 2


def test_at_timestamp_reads_from_the_first_record_that_arrived_then(kinesis):
    kinesis.put("three", 2, key="a", prefix="early")
    kinesis.advance(60)
    middle = kinesis.clock.time()
    kinesis.advance(1)
    kinesis.put("three", 2, key="a", prefix="late")
    at = kinesis.iterator("three", kind="AT_TIMESTAMP", Timestamp=middle)
    assert [r["Data"] for r in kinesis.call("GetRecords", ShardIterator=at)["Records"]] == [b"late-0", b"late-1"]
    old = kinesis.iterator("three", kind="AT_TIMESTAMP", Timestamp=middle - 3600)
    assert len(kinesis.call("GetRecords", ShardIterator=old)["Records"]) == 4
    now = kinesis.iterator("three", kind="AT_TIMESTAMP", Timestamp=kinesis.clock.time())
    kinesis.put("three", 1, key="a", prefix="next")
    assert [r["Data"] for r in kinesis.call("GetRecords", ShardIterator=now)["Records"]] == [b"next-0"]


def test_get_shard_iterator_argument_rules(kinesis):
    def message(**params):
        return kinesis.error("GetShardIterator", StreamName="three", ShardId="shardId-0", **params).message

    rule = (
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "
        "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
    )
    assert message(ShardIteratorType="AT_SEQUENCE_NUMBER") == rule + (
        "Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."
    )
    assert message(ShardIteratorType="LATEST", StartingSequenceNumber="5") == rule + (
        "Request specified LATEST and also a StartingSequenceNumber."
    )
    assert message(ShardIteratorType="AT_TIMESTAMP") == (
        "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
        "Current request has no timestamp parameter."
    )
    future = kinesis.clock.time() + 2
    assert message(ShardIteratorType="AT_TIMESTAMP", Timestamp=future).startswith(
        "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
        f"timestampInMillis: {int(future * 1000)}, currentTimestampInMillis: "
    )


def test_sequence_number_of_another_shard_or_malformed_is_refused(kinesis):
    put = kinesis.call("PutRecord", StreamName="three", PartitionKey="b", Data=b"")  # shard 1
    error = kinesis.error(
        "GetShardIterator",
        StreamName="three",
        ShardId="shardId-0",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=put["SequenceNumber"],
    )
    assert (error.code, error.message) == (
        "InvalidArgumentException",
        "Invalid StartingSequenceNumber. It encodes shardId-000000000001, "
        "while it was used in a call to a shard with shardId-000000000000",
    )
    eight = str(int("20000000000000000000000000000000000000800000002", 16))
    error = kinesis.error(
        "GetShardIterator",
        StreamName="three",
        ShardId="0",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=eight,
    )
    assert error.message == (
        "Invalid StartingSequenceNumber. It encodes shardId--02147483648, "
        "while it was used in a call to a shard with shardId-000000000000"
    )
    simple = kinesis.error(
        "GetShardIterator",
        StreamName="three",
        ShardId="0",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber="5",
    )
    assert simple.message == (
        "Invalid StartingSequenceNumber. It encodes shardId-000000000005, "
        "while it was used in a call to a shard with shardId-000000000000"
    )
    # AWS answers InternalFailure (500) for '0' (kinesalite's suite); a 4xx here, as nothing may 500.
    zero = kinesis.error(
        "GetShardIterator",
        StreamName="three",
        ShardId="0",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber="0",
    )
    assert (zero.code, zero.status) == ("InvalidArgumentException", 400)
    large_date = str(int("13bb2cc3d80000000000000000000000", 16))
    error = kinesis.error(
        "GetShardIterator",
        StreamName="three",
        ShardId="shardId-0",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=large_date,
    )
    assert error.message == (
        f"StartingSequenceNumber {large_date} used in GetShardIterator on shard shardId-000000000000 in stream three "
        f"under account {ACCOUNT} is invalid."
    )


@pytest.mark.parametrize("given", ["shardId-1", "1", "x-1", "anything-0001", "-00000000001", "shardId-000000000001"])
def test_short_shard_ids_are_accepted_as_aws_accepts_them(kinesis, given):
    assert kinesis.iterator("three", given, "LATEST")
    assert shard_index(given) == 1


def test_unknown_shards_and_streams_answer_as_aws(kinesis):
    error = kinesis.error("GetShardIterator", StreamName="nope", ShardId="2147483647", ShardIteratorType="LATEST")
    assert (error.code, error.message) == (
        "ResourceNotFoundException",
        f"Shard shardId-002147483647 in stream nope under account {ACCOUNT} does not exist",
    )
    for bad in ("2147483648", "shardId-002147483648", "ABKLFD8", "2.14E4"):
        error = kinesis.error("GetShardIterator", StreamName="nope", ShardId=bad, ShardIteratorType="LATEST")
        assert error.message == f"Could not find shard {bad} in stream nope under account {ACCOUNT}."
    error = kinesis.error(
        "GetShardIterator",
        StreamName="three",
        ShardId="shardId-5",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber="5",
    )
    assert error.message == f"Shard shardId-000000000005 in stream three under account {ACCOUNT} does not exist"
    for operation, params in {
        "PutRecord": {"PartitionKey": "a", "Data": b""},
        "PutRecords": {"Records": [{"PartitionKey": "a", "Data": b""}]},
        "DescribeStream": {},
        "DescribeStreamSummary": {},
        "ListShards": {},
        "DeleteStream": {},
    }.items():
        error = kinesis.error(operation, StreamName="nope", **params)
        assert (error.code, error.message) == (
            "ResourceNotFoundException",
            f"Stream nope under account {ACCOUNT} not found.",
        )


def test_iterators_look_like_aws_ones(kinesis):
    iterator = kinesis.iterator("three")
    raw = base64.b64decode(iterator)
    assert base64.b64encode(raw).decode() == iterator
    assert (len(raw) - 152) % 16 == 0 and len(raw) >= 152 and raw[:8].hex() == "0000000000000001"
    assert len(iterator) <= 512
    long_name = "n" * 128
    kinesis.create(long_name)
    assert len(kinesis.iterator(long_name)) <= 512


def test_iterators_expire_after_five_minutes_on_the_clock(kinesis):
    iterator = kinesis.iterator("three")
    kinesis.advance(299)
    fresh = kinesis.call("GetRecords", ShardIterator=iterator)["NextShardIterator"]
    kinesis.advance(2)
    error = kinesis.error("GetRecords", ShardIterator=iterator)
    assert error.code == "ExpiredIteratorException"
    assert error.message.startswith("Iterator expired. The iterator was created at time ")
    assert error.message.endswith("which is further in the future than the tolerated delay of 300000 milliseconds.")
    assert kinesis.call("GetRecords", ShardIterator=fresh)["Records"] == []


@pytest.mark.parametrize(
    "mangle",
    [
        lambda text: "not an iterator",
        lambda text: text[:-4] + ("AAAA" if text[-4:] != "AAAA" else "BBBB"),
        lambda text: base64.b64encode(bytes([base64.b64decode(text)[0] ^ 1]) + base64.b64decode(text)[1:]).decode(),
        lambda text: base64.b64encode(
            base64.b64decode(text)[:40] + bytes([base64.b64decode(text)[40] ^ 0x80]) + base64.b64decode(text)[41:]
        ).decode(),
        lambda text: base64.b64encode(base64.b64decode(text)[:-16]).decode(),
        lambda text: "=" * 12,
        lambda text: "é",
    ],
)
def test_tampered_or_garbage_iterators_are_invalid_arguments(kinesis, mangle):
    error = kinesis.error("GetRecords", ShardIterator=mangle(kinesis.iterator("three")))
    assert (error.code, error.message, error.status) == ("InvalidArgumentException", "Invalid ShardIterator.", 400)


def test_iterators_of_a_deleted_or_recreated_stream_do_not_open_it(kinesis):
    kinesis.create("again", 2)
    first, second = kinesis.iterator("again", "shardId-0"), kinesis.iterator("again", "shardId-1")
    kinesis.call("DeleteStream", StreamName="again")
    kinesis.settle()
    for iterator, shard in ((first, 0), (second, 1)):
        error = kinesis.error("GetRecords", ShardIterator=iterator)
        assert (error.code, error.message) == (
            "ResourceNotFoundException",
            f"Shard shardId-00000000000{shard} in stream again under account {ACCOUNT} does not exist",
        )
    kinesis.create("again", 2)
    kinesis.put("again", 3, key="a")
    for iterator in (first, second):
        assert kinesis.error("GetRecords", ShardIterator=iterator).code == "ResourceNotFoundException"


def test_put_records_limits_of_today(kinesis):
    mib = 1024 * 1024
    over = kinesis.error("PutRecords", StreamName="three", Records=[{"PartitionKey": "k", "Data": b"x" * mib}])
    assert over.code == "ValidationException" and "records.1.member.data" in over.message
    assert (
        kinesis.error("PutRecord", StreamName="three", PartitionKey="k", Data=b"x" * mib).code == "ValidationException"
    )
    exact = kinesis.call("PutRecord", StreamName="three", PartitionKey="k", Data=b"x" * (mib - 1))
    assert exact["ShardId"]
    # Today's model documents 10 MiB for the whole request (it was 5 MiB): six records of nearly 1 MiB pass.
    six = kinesis.call("PutRecords", StreamName="three", Records=[{"PartitionKey": "k", "Data": b"x" * (mib - 10)}] * 6)
    assert six["FailedRecordCount"] == 0
    eleven = kinesis.error(
        "PutRecords", StreamName="three", Records=[{"PartitionKey": "k", "Data": b"x" * (mib - 10)}] * 11
    )
    assert eleven.code == "InvalidArgumentException"


def test_a_larger_max_record_size_takes_larger_records(tmp_path):
    kinesis = make_kinesis(tmp_path)
    kinesis.create("large", MaxRecordSizeInKiB=4096)
    assert kinesis.call("PutRecord", StreamName="large", PartitionKey="k", Data=b"x" * 3_000_000)["ShardId"]
    assert (
        kinesis.call("DescribeStreamSummary", StreamName="large")["StreamDescriptionSummary"]["MaxRecordSizeInKiB"]
        == 4096
    )


def test_put_and_get_publish_stream_metrics(kinesis):
    kinesis.call("PutRecord", StreamName="three", PartitionKey="a", Data=b"abc")
    kinesis.put("three", 3)
    kinesis.call("GetRecords", ShardIterator=kinesis.iterator("three"))
    assert {
        "IncomingRecords",
        "IncomingBytes",
        "PutRecord.Success",
        "PutRecord.Bytes",
        "PutRecords.TotalRecords",
        "PutRecords.SuccessfulRecords",
        "PutRecords.FailedRecords",
        "PutRecords.Bytes",
        "GetRecords.Records",
        "GetRecords.Bytes",
        "GetRecords.Success",
    } <= kinesis.metrics.names()
    incoming = [p for p in kinesis.metrics.points if p[3] == "IncomingBytes"]
    assert incoming[0][:7] == (
        ACCOUNT,
        "us-east-1",
        "AWS/Kinesis",
        "IncomingBytes",
        {"StreamName": "three"},
        4,
        "Bytes",
    )


def test_decoding_finds_shard_and_position(kinesis):
    put = kinesis.call("PutRecord", StreamName="three", PartitionKey="x", Data=b"", ExplicitHashKey=str(TOP))
    decoded = decode(put["SequenceNumber"])
    assert decoded is not None and decoded.shard_index == 2 and decoded.index >= 1


def test_partition_keys_are_required_unless_the_stream_spreads_records_itself(kinesis):
    error = kinesis.error("PutRecord", StreamName="three", Data=b"")
    assert (error.code, error.message) == (
        "ValidationException",
        "1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: "
        "Member must not be null",
    )
    error = kinesis.error("PutRecords", StreamName="three", Records=[{"PartitionKey": "a", "Data": b""}, {"Data": b""}])
    assert "records.2.member.partitionKey" in error.message
    refused = kinesis.error("CreateStream", StreamName="auto", ShardCount=2, RecordDistributionStrategy="AUTO")
    assert refused.code == "InvalidArgumentException"
    kinesis.call(
        "CreateStream",
        StreamName="auto",
        StreamModeDetails={"StreamMode": "ON_DEMAND"},
        RecordDistributionStrategy="AUTO",
    )
    kinesis.settle()
    summary = kinesis.call("DescribeStreamSummary", StreamName="auto")["StreamDescriptionSummary"]
    assert summary["RecordDistributionStrategy"] == "AUTO"
    spread = kinesis.call("PutRecords", StreamName="auto", Records=[{"Data": b"x"}] * 8)["Records"]
    assert sorted(entry["ShardId"][-1] for entry in spread) == list("00112233")
    assert kinesis.call("PutRecord", StreamName="auto", Data=b"y", PartitionKey="ignored")["ShardId"]
    kinesis.call(
        "UpdateStreamRecordDistributionStrategy",
        StreamARN=f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/auto",
        RecordDistributionStrategy="USER_PARTITION_KEY",
    )
    assert kinesis.error("PutRecord", StreamName="auto", Data=b"").code == "ValidationException"
