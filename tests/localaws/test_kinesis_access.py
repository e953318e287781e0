"""What each Kinesis call asks IAM to allow, and requests that name their stream twice: the resource authorized is
always the one the call then acts on, and contradictions are refused before any check."""

import base64

import pytest

from localaws.kinesis.iterators import IteratorCodec, Position
from localaws.services import Access
from tests.localaws.test_kinesis_support import ACCOUNT, OTHER_ACCOUNT, Kinesis, make_kinesis

ARN = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/"


@pytest.fixture
def kinesis(tmp_path) -> Kinesis:
    k = make_kinesis(tmp_path)
    k.create("wildrydes")
    k.create("secret")
    k.call("PutRecord", StreamName="secret", PartitionKey="k", Data=b"the secret")
    return k


def access(kinesis: Kinesis, operation: str, **params) -> list[Access]:
    return kinesis.service.authorization(kinesis.context(operation), params)


def test_each_call_asks_for_its_action_on_the_stream_it_acts_on(kinesis):
    assert access(kinesis, "PutRecords", StreamName="wildrydes", Records=[]) == [
        Access("kinesis:PutRecords", ARN + "wildrydes")
    ]
    assert access(kinesis, "DescribeStreamSummary", StreamARN=ARN + "wildrydes") == [
        Access("kinesis:DescribeStreamSummary", ARN + "wildrydes")
    ]
    assert access(kinesis, "ListStreams") == [Access("kinesis:ListStreams", "*")]
    assert access(kinesis, "DescribeLimits") == [Access("kinesis:DescribeLimits", "*")]
    assert access(kinesis, "CreateStream", StreamName="new", ShardCount=1, Tags={"a": "b"}) == [
        Access("kinesis:CreateStream", ARN + "new"),
        Access("kinesis:AddTagsToStream", ARN + "new"),
    ]
    iterator = kinesis.iterator("secret")
    assert access(kinesis, "GetRecords", ShardIterator=iterator) == [Access("kinesis:GetRecords", ARN + "secret")]
    page = kinesis.call("ListShards", StreamName="secret", MaxResults=1)
    kinesis.call("SplitShard", StreamName="secret", ShardToSplit="0", NewStartingHashKey="5")
    kinesis.settle()
    token = kinesis.call("ListShards", StreamName="secret", MaxResults=1)["NextToken"]
    assert "NextToken" not in page
    assert access(kinesis, "ListShards", NextToken=token) == [Access("kinesis:ListShards", ARN + "secret")]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("arn:aws:kms:eu-west-1:111122223333:key/abc", "arn:aws:kms:eu-west-1:111122223333:key/abc"),
        ("alias/mine", f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/mine"),
        (
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
    ],
)
def test_start_stream_encryption_also_asks_for_the_kms_key(kinesis, key, expected):
    assert access(kinesis, "StartStreamEncryption", StreamName="wildrydes", EncryptionType="KMS", KeyId=key) == [
        Access("kinesis:StartStreamEncryption", ARN + "wildrydes"),
        Access("kinesis:StartStreamEncryption", expected),
    ]


def test_stop_stream_encryption_also_asks_for_the_kms_key(kinesis):
    """The Service Authorization Reference lists the key (kmsKey, required) for StopStreamEncryption too."""
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert access(kinesis, "StopStreamEncryption", StreamName="wildrydes", EncryptionType="KMS", KeyId=key) == [
        Access("kinesis:StopStreamEncryption", ARN + "wildrydes"),
        Access("kinesis:StopStreamEncryption", key),
    ]


@pytest.mark.parametrize("operation", ["DescribeStreamSummary", "GetShardIterator", "PutRecord", "DeleteStream"])
def test_name_and_arn_that_disagree_are_refused_before_authorization(kinesis, operation):
    params = {
        "StreamARN": ARN + "wildrydes",
        "StreamName": "secret",
        "ShardId": "shardId-0",
        "ShardIteratorType": "TRIM_HORIZON",
        "PartitionKey": "k",
        "Data": b"",
    }
    with pytest.raises(Exception) as raised:
        access(kinesis, operation, **params)
    assert raised.value.code == "InvalidArgumentException"
    assert "do not name the same stream" in raised.value.message
    # And were the front door to skip authorization, the call itself refuses too: `secret` is never acted on.
    assert kinesis.error(operation, **params).code == "InvalidArgumentException"
    assert kinesis.call("DescribeStreamSummary", StreamName="secret")["StreamDescriptionSummary"]["StreamStatus"] == (
        "ACTIVE"
    )


def test_a_hand_made_iterator_for_secret_with_the_arn_of_wildrydes_reads_nothing(kinesis):
    made_here = kinesis.iterator("secret")
    with pytest.raises(Exception) as raised:
        access(kinesis, "GetRecords", ShardIterator=made_here, StreamARN=ARN + "wildrydes")
    assert raised.value.code == "InvalidArgumentException"
    assert kinesis.error("GetRecords", ShardIterator=made_here, StreamARN=ARN + "wildrydes").code == (
        "InvalidArgumentException"
    )
    # An iterator forged with another key (the endpoint's secret is not known outside it) does not open.
    forged = IteratorCodec(b"guessed" * 5).seal(
        Position(ACCOUNT, "us-east-1", "secret", 0.0, 0, -1, kinesis.clock.time())
    )
    error = kinesis.error("GetRecords", ShardIterator=forged, StreamARN=ARN + "wildrydes")
    assert (error.code, error.message) == ("InvalidArgumentException", "Invalid ShardIterator.")
    # A wildrydes iterator with its own ARN is fine, and reads wildrydes only.
    own = kinesis.iterator("wildrydes")
    assert access(kinesis, "GetRecords", ShardIterator=own, StreamARN=ARN + "wildrydes") == [
        Access("kinesis:GetRecords", ARN + "wildrydes")
    ]
    assert kinesis.call("GetRecords", ShardIterator=own, StreamARN=ARN + "wildrydes")["Records"] == []


def test_an_iterator_spliced_from_two_does_not_open(kinesis):
    one = base64.b64decode(kinesis.iterator("secret"))
    two = base64.b64decode(kinesis.iterator("wildrydes"))
    spliced = base64.b64encode(two[:-16] + one[-16:]).decode()
    assert kinesis.error("GetRecords", ShardIterator=spliced).message == "Invalid ShardIterator."


def test_a_stream_arn_of_another_account_or_region_is_refused(kinesis):
    elsewhere = f"arn:aws:kinesis:us-east-1:{OTHER_ACCOUNT}:stream/wildrydes"
    with pytest.raises(Exception) as raised:
        access(kinesis, "DescribeStreamSummary", StreamARN=elsewhere)
    assert raised.value.code == "AccessDeniedException"
    assert kinesis.error("DescribeStreamSummary", StreamARN=elsewhere).code == "AccessDeniedException"
    other_region = f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/wildrydes"
    error = kinesis.error("DescribeStreamSummary", StreamARN=other_region)
    assert (error.code, error.message) == (
        "ResourceNotFoundException",
        f"Stream wildrydes under account {ACCOUNT} not found.",
    )


def test_an_iterator_of_another_account_is_refused(kinesis):
    iterator = kinesis.iterator("secret")
    ctx = kinesis.context("GetRecords", account_id=OTHER_ACCOUNT)
    with pytest.raises(Exception) as raised:
        kinesis.service.authorization(ctx, {"ShardIterator": iterator})
    assert raised.value.code == "AccessDeniedException"
    with pytest.raises(Exception) as raised:
        kinesis.service.call(ctx, {"ShardIterator": iterator})
    assert raised.value.code == "AccessDeniedException"


def test_streams_of_the_same_name_in_two_accounts_are_apart(kinesis):
    kinesis.call("CreateStream", StreamName="secret", ShardCount=1, account_id=OTHER_ACCOUNT)
    kinesis.settle()
    kinesis.call("PutRecord", StreamName="secret", PartitionKey="k", Data=b"theirs", account_id=OTHER_ACCOUNT)
    iterator = kinesis.call(
        "GetShardIterator",
        account_id=OTHER_ACCOUNT,
        StreamName="secret",
        ShardId="0",
        ShardIteratorType="TRIM_HORIZON",
    )["ShardIterator"]
    records = kinesis.call("GetRecords", account_id=OTHER_ACCOUNT, ShardIterator=iterator)["Records"]
    assert [record["Data"] for record in records] == [b"theirs"]


def test_consumer_requests_that_disagree_are_refused(kinesis):
    consumer = kinesis.call("RegisterStreamConsumer", StreamARN=ARN + "secret", ConsumerName="c")["Consumer"]
    with pytest.raises(Exception) as raised:
        access(kinesis, "DescribeStreamConsumer", ConsumerARN=consumer["ConsumerARN"], StreamARN=ARN + "wildrydes")
    assert raised.value.code == "InvalidArgumentException"
    with pytest.raises(Exception) as raised:
        access(kinesis, "DescribeStreamConsumer", ConsumerARN=consumer["ConsumerARN"], ConsumerName="other")
    assert raised.value.code == "InvalidArgumentException"
    assert access(kinesis, "DescribeStreamConsumer", StreamARN=ARN + "secret", ConsumerName="c") == [
        Access("kinesis:DescribeStreamConsumer", consumer["ConsumerARN"])
    ]
    assert access(kinesis, "DeregisterStreamConsumer", ConsumerARN=consumer["ConsumerARN"]) == [
        Access("kinesis:DeregisterStreamConsumer", consumer["ConsumerARN"])
    ]
    assert access(kinesis, "ListStreamConsumers", StreamARN=ARN + "secret") == [
        Access("kinesis:ListStreamConsumers", ARN + "secret")
    ]
    assert access(kinesis, "TagResource", ResourceARN=consumer["ConsumerARN"], Tags={"a": "b"}) == [
        Access("kinesis:TagResource", consumer["ConsumerARN"])
    ]
