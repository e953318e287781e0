"""Kinesis resharding in-process: SplitShard, MergeShards, UpdateShardCount and ListShards, as AWS shows them
(kinesalite's splitShard/mergeShards tests), with the work done when the UPDATING time is up."""

import pytest

from localaws.kinesis.sequence import MAX_INDEX, decode
from tests.localaws.test_kinesis_support import ACCOUNT, Kinesis, make_kinesis

TOP = 2**128 - 1


@pytest.fixture
def kinesis(tmp_path) -> Kinesis:
    return make_kinesis(tmp_path, state_transition_seconds=5)


def shards(kinesis: Kinesis, name: str) -> list[dict]:
    return kinesis.call("ListShards", StreamName=name)["Shards"]


def test_split_closes_the_parent_when_the_update_is_done(kinesis):
    kinesis.create("s")
    assert kinesis.call("SplitShard", StreamName="s", ShardToSplit="x-0", NewStartingHashKey="2") is None
    during = kinesis.call("DescribeStream", StreamName="s")["StreamDescription"]
    assert during["StreamStatus"] == "UPDATING" and len(during["Shards"]) == 1
    assert "EndingSequenceNumber" not in during["Shards"][0]["SequenceNumberRange"]
    again = kinesis.error("SplitShard", StreamName="s", ShardToSplit="shard-0", NewStartingHashKey="2")
    assert again.message == f"Stream s under account {ACCOUNT} not ACTIVE, instead in state UPDATING"
    early = kinesis.call("PutRecord", StreamName="s", PartitionKey="a", Data=b"early", ExplicitHashKey="1")
    assert early["ShardId"] == "shardId-000000000000"  # the parent takes puts until the split is done
    kinesis.settle()
    listed = shards(kinesis, "s")
    assert [shard["ShardId"] for shard in listed] == [f"shardId-00000000000{n}" for n in range(3)]
    parent, left, right = listed
    assert (left["ParentShardId"], right["ParentShardId"]) == ("shardId-000000000000", "shardId-000000000000")
    assert left["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": "1"}
    assert right["HashKeyRange"] == {"StartingHashKey": "2", "EndingHashKey": str(TOP)}
    start = decode(parent["SequenceNumberRange"]["StartingSequenceNumber"])
    end = decode(parent["SequenceNumberRange"]["EndingSequenceNumber"])
    child = decode(left["SequenceNumberRange"]["StartingSequenceNumber"])
    assert end.index == MAX_INDEX and end.created_second == start.created_second and end.shard_index == 0
    assert child.index == 0 and child.created_second == child.arrival_second == end.arrival_second + 1
    # Until the children's creation second comes, AWS still puts to the parent (kinesalite's splitShard test).
    grace = kinesis.call("PutRecord", StreamName="s", PartitionKey="a", Data=b"grace", ExplicitHashKey="1")
    if int(kinesis.clock.time()) < child.created_second:
        assert grace["ShardId"] == "shardId-000000000000"
        assert int(grace["SequenceNumber"]) < int(parent["SequenceNumberRange"]["EndingSequenceNumber"])
    kinesis.advance(1)
    later = kinesis.call("PutRecord", StreamName="s", PartitionKey="a", Data=b"late", ExplicitHashKey="1")
    assert later["ShardId"] == "shardId-000000000001"
    assert decode(later["SequenceNumber"]).arrival_second >= child.created_second
    # Children's sequence numbers follow every number of their parents.
    assert int(later["SequenceNumber"]) > int(parent["SequenceNumberRange"]["EndingSequenceNumber"])
    assert int(left["SequenceNumberRange"]["StartingSequenceNumber"]) > int(early["SequenceNumber"])


def test_a_closed_shard_reads_to_its_end_then_names_its_children(kinesis):
    kinesis.create("s")
    kinesis.put("s", 3)
    latest = kinesis.iterator("s", kind="LATEST")
    kinesis.call("SplitShard", StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
    kinesis.settle()
    kinesis.advance(1)  # past the last second the parent takes records
    records, last = kinesis.read_all(kinesis.iterator("s"), limit=2)
    assert [record["Data"] for record in records] == [b"r-0", b"r-1", b"r-2"]
    assert "NextShardIterator" not in last
    assert [child["ShardId"] for child in last["ChildShards"]] == ["shardId-000000000001", "shardId-000000000002"]
    assert last["ChildShards"][0]["ParentShards"] == ["shardId-000000000000"]
    at_end = kinesis.call("GetRecords", ShardIterator=latest)
    assert at_end["Records"] == [] and "NextShardIterator" not in at_end and len(at_end["ChildShards"]) == 2
    closed_latest = kinesis.call("GetRecords", ShardIterator=kinesis.iterator("s", kind="LATEST"))
    assert "NextShardIterator" not in closed_latest


def test_a_closed_shard_that_may_still_take_records_gives_another_iterator(tmp_path):
    kinesis = make_kinesis(tmp_path, state_transition_seconds=0)
    kinesis.create("s")
    kinesis.put("s", 2)
    kinesis.advance(1 - kinesis.clock.time() % 1 + 0.05)  # early in a second: the split is done in it ...
    kinesis.call("SplitShard", StreamName="s", ShardToSplit="0", NewStartingHashKey=str(2**127))
    first = kinesis.call("GetRecords", ShardIterator=kinesis.iterator("s"))
    assert len(first["Records"]) == 2 and first["NextShardIterator"]  # records read: one more iterator
    second = kinesis.call("GetRecords", ShardIterator=first["NextShardIterator"])
    assert second["Records"] == [] and second["NextShardIterator"]  # ... and puts may still land this second
    kinesis.call("PutRecord", StreamName="s", PartitionKey="k", Data=b"grace")
    third = kinesis.call("GetRecords", ShardIterator=second["NextShardIterator"])
    assert [record["Data"] for record in third["Records"]] == [b"grace"]
    kinesis.advance(1)
    last = kinesis.call("GetRecords", ShardIterator=third["NextShardIterator"])
    assert last["Records"] == [] and "NextShardIterator" not in last and len(last["ChildShards"]) == 2


def test_split_and_merge_validate_as_aws(kinesis):
    kinesis.create("s", 3)
    error = kinesis.error("SplitShard", StreamName="s", ShardToSplit="shard-0", NewStartingHashKey="1")
    assert (error.code, error.message) == (
        "InvalidArgumentException",
        f"NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream s under account {ACCOUNT} "
        "is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey "
        "113427455640312821154458202477256070484.",
    )
    too_big = "113427455640312821154458202477256070484"
    assert kinesis.error("SplitShard", StreamName="s", ShardToSplit="0", NewStartingHashKey=too_big).code == (
        "InvalidArgumentException"
    )
    assert kinesis.error("SplitShard", StreamName="s", ShardToSplit="shardId-5", NewStartingHashKey="2").message == (
        f"Could not find shard shardId-000000000005 in stream s under account {ACCOUNT}."
    )
    assert kinesis.error(
        "SplitShard", StreamName="nope", ShardToSplit="2147483647", NewStartingHashKey="2"
    ).message == (f"Stream nope under account {ACCOUNT} not found.")
    assert kinesis.error(
        "SplitShard", StreamName="nope", ShardToSplit="2147483648", NewStartingHashKey="2"
    ).message == (f"Could not find shard 2147483648 in stream nope under account {ACCOUNT}.")
    for first, second in (("0", "2"), ("1", "0")):
        error = kinesis.error("MergeShards", StreamName="s", ShardToMerge=f"a-{first}", AdjacentShardToMerge=second)
        assert error.message == (
            f"Shards shardId-00000000000{first} and shardId-00000000000{second} in stream s under account {ACCOUNT} "
            "are not an adjacent pair of shards eligible for merging"
        )
    assert kinesis.error(
        "MergeShards", StreamName="nope", ShardToMerge="0", AdjacentShardToMerge="ABKLFD8"
    ).message == (f"Could not find shard ABKLFD8 in stream nope under account {ACCOUNT}.")
    kinesis.call("MergeShards", StreamName="s", ShardToMerge="0", AdjacentShardToMerge="1")
    kinesis.settle()
    error = kinesis.error("SplitShard", StreamName="s", ShardToSplit="0", NewStartingHashKey="2")
    assert error.message == (
        f"Shard shardId-000000000000 in stream s under account {ACCOUNT} has already been merged or split, and thus "
        "is not eligible for merging or splitting."
    )


def test_merge_makes_one_child_of_two_parents(kinesis):
    kinesis.create("s", 3)
    kinesis.call("MergeShards", StreamName="s", ShardToMerge="shardId-0", AdjacentShardToMerge="shardId-1")
    assert len(shards(kinesis, "s")) == 3
    kinesis.settle()
    listed = shards(kinesis, "s")
    assert len(listed) == 4
    child = listed[3]
    assert (child["ShardId"], child["ParentShardId"], child["AdjacentParentShardId"]) == (
        "shardId-000000000003",
        "shardId-000000000000",
        "shardId-000000000001",
    )
    assert child["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": "226854911280625642308916404954512140969"}
    ends = [decode(listed[n]["SequenceNumberRange"]["EndingSequenceNumber"]) for n in (0, 1)]
    assert ends[0].arrival_second == ends[1].arrival_second
    kinesis.advance(1)
    put = kinesis.call(
        "PutRecord",
        StreamName="s",
        PartitionKey="a",
        Data=b"",
        ExplicitHashKey="113427455640312821154458202477256070485",
    )
    assert put["ShardId"] == "shardId-000000000003"


@pytest.mark.parametrize(("start", "target"), [(1, 2), (1, 3), (2, 1), (3, 5), (5, 3), (4, 8), (8, 4), (3, 6), (6, 3)])
def test_uniform_scaling_leaves_the_target_count_of_equal_ranges(kinesis, start, target):
    kinesis.create("s", start)
    if target > 2 * start or 2 * target < start:
        return
    reply = kinesis.call("UpdateShardCount", StreamName="s", TargetShardCount=target, ScalingType="UNIFORM_SCALING")
    assert reply == {
        "StreamName": "s",
        "StreamARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s",
        "CurrentShardCount": start,
        "TargetShardCount": target,
    }
    kinesis.settle()
    kinesis.advance(2)
    open_shards = kinesis.call("ListShards", StreamName="s", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    open_shards.sort(key=lambda shard: int(shard["HashKeyRange"]["StartingHashKey"]))
    step = 2**128 // target
    assert [
        (int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])) for s in open_shards
    ] == [(n * step, (n + 1) * step - 1 if n < target - 1 else TOP) for n in range(target)]
    summary = kinesis.call("DescribeStreamSummary", StreamName="s")["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == target
    kinesis.put("s", 50, key="spread")
    for n in range(50):
        kinesis.call("PutRecord", StreamName="s", PartitionKey=f"key-{n}", Data=b"")


def test_scaling_limits(kinesis):
    kinesis.create("s", 2)
    up = kinesis.error("UpdateShardCount", StreamName="s", TargetShardCount=5, ScalingType="UNIFORM_SCALING")
    assert up.code == "LimitExceededException" and "double" in up.message
    kinesis.create("t", 3)
    assert kinesis.error(
        "UpdateShardCount", StreamName="t", TargetShardCount=1, ScalingType="UNIFORM_SCALING"
    ).code == ("LimitExceededException")
    for target in (3, 2, 3, 2, 3, 2, 3, 2, 3, 2):
        kinesis.call("UpdateShardCount", StreamName="s", TargetShardCount=target, ScalingType="UNIFORM_SCALING")
        kinesis.settle()
    eleventh = kinesis.error("UpdateShardCount", StreamName="s", TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    assert eleventh.code == "LimitExceededException" and "10 times" in eleventh.message
    kinesis.advance(86_400)
    kinesis.call("UpdateShardCount", StreamName="s", TargetShardCount=3, ScalingType="UNIFORM_SCALING")


def test_scaling_keeps_every_record_once_and_in_order_along_the_lineage(kinesis):
    kinesis.create("s")
    kinesis.put("s", 10, prefix="before")
    kinesis.call("UpdateShardCount", StreamName="s", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    kinesis.settle()
    kinesis.put("s", 10, prefix="between")
    kinesis.call("UpdateShardCount", StreamName="s", TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    kinesis.settle()
    kinesis.put("s", 10, prefix="after")
    seen = []
    for shard in shards(kinesis, "s"):
        records, _ = kinesis.read_all(kinesis.iterator("s", shard["ShardId"]))
        seen += [record["Data"].decode() for record in records]
    expected = [f"{phase}-{n}" for phase in ("before", "between", "after") for n in range(10)]
    assert seen == expected


def test_closed_shards_leave_list_shards_after_the_retention_period(kinesis):
    kinesis.create("s")
    kinesis.put("s", 3)
    kinesis.call("SplitShard", StreamName="s", ShardToSplit="0", NewStartingHashKey=str(2**127))
    kinesis.settle()
    assert len(shards(kinesis, "s")) == 3
    kinesis.advance(23 * 3600)
    assert len(shards(kinesis, "s")) == 3
    kinesis.advance(3600 + 10)
    assert [shard["ShardId"] for shard in shards(kinesis, "s")] == ["shardId-000000000001", "shardId-000000000002"]
    assert len(kinesis.call("DescribeStream", StreamName="s")["StreamDescription"]["Shards"]) == 2


def test_list_shards_pages_filters_and_refuses_contradictions(kinesis):
    kinesis.create("s", 5)
    first = kinesis.call("ListShards", StreamName="s", MaxResults=2)
    assert [shard["ShardId"][-1] for shard in first["Shards"]] == ["0", "1"]
    second = kinesis.call("ListShards", NextToken=first["NextToken"], MaxResults=2)
    third = kinesis.call("ListShards", NextToken=second["NextToken"], MaxResults=2)
    assert [shard["ShardId"][-1] for shard in second["Shards"] + third["Shards"]] == ["2", "3", "4"]
    assert "NextToken" not in third
    after = kinesis.call("ListShards", StreamName="s", ExclusiveStartShardId="shardId-000000000003")
    assert [shard["ShardId"][-1] for shard in after["Shards"]] == ["4"]
    filtered = kinesis.call(
        "ListShards", StreamName="s", ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": "shardId-3"}
    )
    assert [shard["ShardId"][-1] for shard in filtered["Shards"]] == ["4"]
    both = kinesis.error("ListShards", StreamName="s", NextToken=first["NextToken"])
    assert (both.code, both.message) == (
        "InvalidArgumentException",
        "NextToken and StreamName cannot be provided together.",
    )
    neither = kinesis.error("ListShards")
    assert neither.message == "Either NextToken or StreamName should be provided."
    forged = first["NextToken"][:-6] + ("AAAAAA" if not first["NextToken"].endswith("AAAAAA") else "BBBBBB")
    assert kinesis.error("ListShards", NextToken=forged).code == "InvalidArgumentException"
    kinesis.advance(301)
    assert kinesis.error("ListShards", NextToken=second["NextToken"]).code == "ExpiredNextTokenException"


def test_list_shards_time_filters(kinesis):
    kinesis.create("s")
    created = kinesis.clock.time()
    kinesis.advance(100)
    kinesis.call("SplitShard", StreamName="s", ShardToSplit="0", NewStartingHashKey=str(2**127))
    kinesis.settle()
    ids = lambda **shard_filter: [  # noqa: E731
        shard["ShardId"][-1] for shard in kinesis.call("ListShards", StreamName="s", ShardFilter=shard_filter)["Shards"]
    ]
    assert ids(Type="AT_LATEST") == ["1", "2"]
    assert ids(Type="AT_TRIM_HORIZON") == ["0"]
    assert ids(Type="FROM_TRIM_HORIZON") == ["0", "1", "2"]
    assert ids(Type="AT_TIMESTAMP", Timestamp=created + 50) == ["0"]
    assert ids(Type="FROM_TIMESTAMP", Timestamp=kinesis.clock.time()) == ["1", "2"]
