"""Kinesis stream life cycle in-process: states on a moved clock, the shard quota, descriptions, listing,
retention, encryption, monitoring and stream mode."""

import tracemalloc

import pytest

from tests.localaws.test_kinesis_support import ACCOUNT, Kinesis, make_kinesis

ARN = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/"


@pytest.fixture
def kinesis(tmp_path) -> Kinesis:
    return make_kinesis(tmp_path, state_transition_seconds=10)


def status(kinesis: Kinesis, name: str) -> str:
    return kinesis.call("DescribeStreamSummary", StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]


def test_a_new_stream_is_creating_without_shards_then_active(kinesis):
    assert kinesis.call("CreateStream", StreamName="s", ShardCount=3) is None
    description = kinesis.call("DescribeStream", StreamName="s")["StreamDescription"]
    created = description.pop("StreamCreationTimestamp")
    assert abs(created - kinesis.clock.time()) < 1
    assert description == {
        "StreamName": "s",
        "StreamARN": ARN + "s",
        "StreamStatus": "CREATING",
        "StreamModeDetails": {"StreamMode": "PROVISIONED"},
        "RetentionPeriodHours": 24,
        "EncryptionType": "NONE",
        "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
        "Shards": [],
        "HasMoreShards": False,
    }
    # While CREATING (kinesalite's createStream test): no shard, no puts, no resharding.
    assert kinesis.error(
        "GetShardIterator", StreamName="s", ShardId="shardId-0", ShardIteratorType="LATEST"
    ).message == (f"Shard shardId-000000000000 in stream s under account {ACCOUNT} does not exist")
    assert kinesis.error("PutRecord", StreamName="s", PartitionKey="a", Data=b"").message == (
        f"Stream s under account {ACCOUNT} not found."
    )
    in_use = kinesis.error("SplitShard", StreamName="s", ShardToSplit="shardId-0", NewStartingHashKey="2")
    assert (in_use.code, in_use.message) == (
        "ResourceInUseException",
        f"Stream s under account {ACCOUNT} not ACTIVE, instead in state CREATING",
    )
    assert kinesis.error("MergeShards", StreamName="s", ShardToMerge="0", AdjacentShardToMerge="1").code == (
        "ResourceInUseException"
    )
    kinesis.advance(9.9)
    assert status(kinesis, "s") == "CREATING"
    kinesis.advance(0.2)
    description = kinesis.call("DescribeStream", StreamName="s")["StreamDescription"]
    assert description["StreamStatus"] == "ACTIVE" and len(description["Shards"]) == 3
    assert [shard["HashKeyRange"] for shard in description["Shards"]] == [
        {"StartingHashKey": "0", "EndingHashKey": "113427455640312821154458202477256070484"},
        {
            "StartingHashKey": "113427455640312821154458202477256070485",
            "EndingHashKey": "226854911280625642308916404954512140969",
        },
        {
            "StartingHashKey": "226854911280625642308916404954512140970",
            "EndingHashKey": "340282366920938463463374607431768211455",
        },
    ]
    summary = kinesis.call("DescribeStreamSummary", StreamName="s")["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 3 and summary["ConsumerCount"] == 0


def test_an_existing_name_is_in_use(kinesis):
    kinesis.call("CreateStream", StreamName="s", ShardCount=1)
    error = kinesis.error("CreateStream", StreamName="s", ShardCount=1)
    assert (error.code, error.message) == (
        "ResourceInUseException",
        f"Stream s under account {ACCOUNT} already exists.",
    )


def test_delete_while_creating_then_gone(kinesis):
    kinesis.call("CreateStream", StreamName="s", ShardCount=1)
    kinesis.call("DeleteStream", StreamName="s")
    description = kinesis.call("DescribeStream", StreamName="s")["StreamDescription"]
    assert (description["StreamStatus"], description["Shards"]) == ("DELETING", [])
    kinesis.advance(10.1)
    assert kinesis.error("DescribeStream", StreamName="s").code == "ResourceNotFoundException"
    assert kinesis.call("ListStreams")["StreamNames"] == []
    kinesis.call("CreateStream", StreamName="s", ShardCount=1)  # the name is free again


def test_an_updating_stream_is_not_deleted(kinesis):
    kinesis.create("s")
    kinesis.call("IncreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=48)
    error = kinesis.error("DeleteStream", StreamName="s")
    assert (error.code, error.message) == (
        "ResourceInUseException",
        f"Stream s under account {ACCOUNT} not ACTIVE, instead in state UPDATING",
    )


def test_a_deleting_stream_still_takes_records_until_it_is_gone(kinesis):
    kinesis.create("s")
    kinesis.call("DeleteStream", StreamName="s")
    assert status(kinesis, "s") == "DELETING"
    assert kinesis.call("PutRecord", StreamName="s", PartitionKey="a", Data=b"")["ShardId"]
    assert kinesis.call("DeleteStream", StreamName="s") is None  # again while DELETING: nothing more to do
    kinesis.advance(11)
    assert kinesis.error("PutRecord", StreamName="s", PartitionKey="a", Data=b"").code == "ResourceNotFoundException"


def test_shard_quota_per_account_and_region(tmp_path):
    kinesis = make_kinesis(tmp_path, shard_quota=10)
    kinesis.create("a", 3)
    error = kinesis.error("CreateStream", StreamName="b", ShardCount=8)
    assert (error.code, error.message) == (
        "LimitExceededException",
        f"This request would exceed the shard limit for the account {ACCOUNT} in us-east-1. Current shard count for "
        "the account: 3. Limit: 10. Number of additional shards that would have resulted from this request: 8. Refer "
        "to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for "
        "current limits and how to request higher limits.",
    )
    kinesis.create("b", 7)
    assert kinesis.error("SplitShard", StreamName="a", ShardToSplit="0", NewStartingHashKey="2").code == (
        "LimitExceededException"
    )
    assert kinesis.error(
        "UpdateShardCount", StreamName="a", TargetShardCount=4, ScalingType="UNIFORM_SCALING"
    ).code == ("LimitExceededException")
    assert kinesis.call("DescribeLimits") == {
        "ShardLimit": 10,
        "OpenShardCount": 10,
        "OnDemandStreamCount": 0,
        "OnDemandStreamCountLimit": 50,
    }
    kinesis.call("CreateStream", StreamName="elsewhere", ShardCount=10, region="eu-central-1")
    kinesis.call("CreateStream", StreamName="other", ShardCount=10, account_id="210987654321")
    kinesis.call("DeleteStream", StreamName="b")
    kinesis.settle()
    kinesis.create("c", 7)


def test_default_quota_is_aws_s_per_region(tmp_path):
    kinesis = make_kinesis(tmp_path)
    assert kinesis.call("DescribeLimits")["ShardLimit"] == 500
    assert kinesis.call("DescribeLimits", region="ap-south-1")["ShardLimit"] == 200
    kinesis.runtime.update({"shard_quota": 7})
    assert kinesis.call("DescribeLimits")["ShardLimit"] == 7


def test_an_absurd_shard_count_is_refused_at_once_allocating_nothing(kinesis):
    tracemalloc.start()
    error = kinesis.error("CreateStream", StreamName="huge", ShardCount=100_000_000_000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert error.code == "LimitExceededException" and error.status == 400
    assert "Number of additional shards that would have resulted from this request: 100000000000." in error.message
    assert peak < 1_000_000  # bytes: no shard was made
    assert kinesis.call("ListStreams")["StreamNames"] == []


def test_on_demand_streams_start_with_four_shards_and_refuse_update_shard_count(kinesis):
    kinesis.call("CreateStream", StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    kinesis.settle()
    summary = kinesis.call("DescribeStreamSummary", StreamName="od")["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"} and summary["OpenShardCount"] == 4
    error = kinesis.error("UpdateShardCount", StreamName="od", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    assert error.code == "ValidationException"
    assert kinesis.call("DescribeLimits")["OnDemandStreamCount"] == 1
    assert kinesis.error("CreateStream", StreamName="p").code == "InvalidArgumentException"


def test_update_stream_mode_goes_through_updating(kinesis):
    kinesis.create("s")
    kinesis.call("UpdateStreamMode", StreamARN=ARN + "s", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.call("DescribeStreamSummary", StreamName="s")["StreamDescriptionSummary"]
    assert (summary["StreamStatus"], summary["StreamModeDetails"]["StreamMode"]) == ("UPDATING", "PROVISIONED")
    kinesis.settle()
    summary = kinesis.call("DescribeStreamSummary", StreamName="s")["StreamDescriptionSummary"]
    assert (summary["StreamStatus"], summary["StreamModeDetails"]["StreamMode"]) == ("ACTIVE", "ON_DEMAND")


def test_list_streams_pages(kinesis):
    for name in ("c", "a", "b"):
        kinesis.call("CreateStream", StreamName=name, ShardCount=1)
    first = kinesis.call("ListStreams", Limit=2)
    assert first["StreamNames"] == ["a", "b"] and first["HasMoreStreams"] is True
    assert [summary["StreamStatus"] for summary in first["StreamSummaries"]] == ["CREATING", "CREATING"]
    assert first["StreamSummaries"][0]["StreamARN"] == ARN + "a"
    second = kinesis.call("ListStreams", NextToken=first["NextToken"])
    assert (second["StreamNames"], second["HasMoreStreams"]) == (["c"], False)
    assert kinesis.call("ListStreams", ExclusiveStartStreamName="a", Limit=1)["StreamNames"] == ["b"]
    assert kinesis.call("ListStreams", region="eu-west-1")["StreamNames"] == []


def test_describe_stream_pages_shards(kinesis):
    kinesis.create("s", 5)
    page = kinesis.call("DescribeStream", StreamName="s", Limit=2)["StreamDescription"]
    assert [shard["ShardId"] for shard in page["Shards"]] == ["shardId-000000000000", "shardId-000000000001"]
    assert page["HasMoreShards"] is True
    rest = kinesis.call("DescribeStream", StreamName="s", ExclusiveStartShardId="shardId-000000000001")
    assert len(rest["StreamDescription"]["Shards"]) == 3 and rest["StreamDescription"]["HasMoreShards"] is False
    short = kinesis.call("DescribeStream", StreamName="s", ExclusiveStartShardId="shardId-3")["StreamDescription"]
    assert [shard["ShardId"] for shard in short["Shards"]] == ["shardId-000000000004"]


def test_retention_period_rules(kinesis):
    kinesis.create("s")
    error = kinesis.error("IncreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=23)
    assert (error.code, error.message) == (
        "InvalidArgumentException",
        "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.",
    )
    assert kinesis.error("DecreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=25).message == (
        "Requested retention period (25 hours) for stream s can not be longer than existing retention period "
        "(24 hours). Use IncreaseRetentionPeriod API."
    )
    assert kinesis.error("IncreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=8761).code == (
        "InvalidArgumentException"
    )
    kinesis.call("IncreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=8760)
    assert status(kinesis, "s") == "UPDATING"
    kinesis.settle()
    assert kinesis.call("DescribeStream", StreamName="s")["StreamDescription"]["RetentionPeriodHours"] == 8760
    assert kinesis.error("IncreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=24).message == (
        "Requested retention period (24 hours) for stream s can not be shorter than existing retention period "
        "(8760 hours). Use DecreaseRetentionPeriod API."
    )
    kinesis.call("DecreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=48)
    kinesis.settle()
    assert kinesis.call("DescribeStream", StreamName="s")["StreamDescription"]["RetentionPeriodHours"] == 48


def test_encryption_starts_and_stops_through_updating(kinesis):
    kinesis.create("s")
    kinesis.call("PutRecord", StreamName="s", PartitionKey="a", Data=b"plain")
    kinesis.call("StartStreamEncryption", StreamName="s", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    assert kinesis.last_access[-1].resource == f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/kinesis"
    assert status(kinesis, "s") == "UPDATING"
    assert kinesis.error("StopStreamEncryption", StreamName="s", EncryptionType="KMS", KeyId="k").code == (
        "ResourceInUseException"
    )
    kinesis.settle()
    summary = kinesis.call("DescribeStreamSummary", StreamName="s")["StreamDescriptionSummary"]
    assert (summary["EncryptionType"], summary["KeyId"]) == ("KMS", "alias/aws/kinesis")
    put = kinesis.call("PutRecord", StreamName="s", PartitionKey="a", Data=b"secret")
    assert put["EncryptionType"] == "KMS"
    records = kinesis.call("GetRecords", ShardIterator=kinesis.iterator("s"))["Records"]
    assert ["EncryptionType" in record for record in records] == [False, True]
    kinesis.call("StopStreamEncryption", StreamName="s", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    kinesis.settle()
    assert kinesis.call("DescribeStreamSummary", StreamName="s")["StreamDescriptionSummary"]["EncryptionType"] == "NONE"


def test_enhanced_monitoring(kinesis):
    kinesis.create("s")
    reply = kinesis.call("EnableEnhancedMonitoring", StreamName="s", ShardLevelMetrics=["IncomingBytes"])
    assert (reply["CurrentShardLevelMetrics"], reply["DesiredShardLevelMetrics"]) == ([], ["IncomingBytes"])
    reply = kinesis.call("EnableEnhancedMonitoring", StreamName="s", ShardLevelMetrics=["ALL"])
    assert len(reply["DesiredShardLevelMetrics"]) == 7
    reply = kinesis.call("DisableEnhancedMonitoring", StreamName="s", ShardLevelMetrics=["IncomingBytes"])
    assert "IncomingBytes" not in reply["DesiredShardLevelMetrics"] and len(reply["DesiredShardLevelMetrics"]) == 6
    monitoring = kinesis.call("DescribeStream", StreamName="s")["StreamDescription"]["EnhancedMonitoring"]
    assert monitoring == [{"ShardLevelMetrics": reply["DesiredShardLevelMetrics"]}]


def test_operations_outside_this_endpoint_answer_unknown_operation(kinesis):
    error = kinesis.error("CreateQueue")
    assert error.code == "UnknownOperationException" and error.status == 400
    assert kinesis.service.authorization(kinesis.context("CreateQueue"), {}) == []


def test_stored_records_counts_per_shard(kinesis):
    kinesis.create("s", 2)
    kinesis.put("s", 3, key="a")
    counts = kinesis.service.stored_records()
    assert {
        "account": ACCOUNT,
        "region": "us-east-1",
        "stream": "s",
        "shard": "shardId-000000000000",
        "records": 3,
    } in (counts) or {
        "account": ACCOUNT,
        "region": "us-east-1",
        "stream": "s",
        "shard": "shardId-000000000001",
        "records": 3,
    } in (counts)
    assert sum(count["records"] for count in counts) == 3
