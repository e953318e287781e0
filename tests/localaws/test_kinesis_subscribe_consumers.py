"""In-process, on the movable clock: the consumer calls' documented rates (with kinesis_limits on), IAM's checks for
SubscribeToShard and a tagged RegisterStreamConsumer, and the event-stream framing read back by botocore's
decoder."""

import json
import zlib

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from localaws.services import Access
from localaws.wire import eventstream
from tests.localaws.test_kinesis_support import ACCOUNT, Kinesis, make_kinesis

ARN = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"


@pytest.fixture
def kinesis(tmp_path) -> Kinesis:
    k = make_kinesis(tmp_path, state_transition_seconds=1, kinesis_limits=True)
    for name in ("s", "t", "u"):
        k.create(name)
    return k


def test_describe_stream_consumer_takes_20_calls_a_second_per_stream(kinesis):
    arn = kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="app")["Consumer"]["ConsumerARN"]
    for _ in range(20):
        kinesis.call("DescribeStreamConsumer", ConsumerARN=arn)
    error = kinesis.error("DescribeStreamConsumer", ConsumerARN=arn)
    assert error.code == "LimitExceededException"
    assert error.message == f"Rate exceeded for stream s under account {ACCOUNT}."
    kinesis.advance(1)
    kinesis.call("DescribeStreamConsumer", StreamARN=ARN, ConsumerName="app")


def test_list_stream_consumers_takes_5_a_second_per_stream(kinesis):
    for _ in range(5):
        kinesis.call("ListStreamConsumers", StreamARN=ARN)
    assert kinesis.error("ListStreamConsumers", StreamARN=ARN).code == "LimitExceededException"
    kinesis.call("ListStreamConsumers", StreamARN=ARN.replace("/s", "/t"))  # another stream's own budget


def test_register_stream_consumer_takes_5_a_second_per_account(kinesis):
    for n, stream in enumerate(("s", "s", "t", "t", "u")):
        kinesis.call("RegisterStreamConsumer", StreamARN=ARN.replace("/s", f"/{stream}"), ConsumerName=f"c{n}")
    error = kinesis.error("RegisterStreamConsumer", StreamARN=ARN.replace("/s", "/u"), ConsumerName="sixth")
    assert error.code == "LimitExceededException" and error.message == f"Rate exceeded for account {ACCOUNT}."
    kinesis.advance(1)
    kinesis.call("RegisterStreamConsumer", StreamARN=ARN.replace("/s", "/u"), ConsumerName="sixth")


def test_without_limits_the_rates_are_not_enforced(tmp_path):
    k = make_kinesis(tmp_path, state_transition_seconds=1)
    k.create("s")
    arn = k.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="app")["Consumer"]["ConsumerARN"]
    for _ in range(100):
        k.call("DescribeStreamConsumer", ConsumerARN=arn)


def test_a_consumer_becomes_active_and_is_gone_after_deleting_on_the_clock(kinesis):
    arn = kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="app")["Consumer"]["ConsumerARN"]
    kinesis.advance(0.5)
    assert (
        kinesis.call("DescribeStreamConsumer", ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"] == "CREATING"
    )
    kinesis.advance(0.6)
    assert kinesis.call("DescribeStreamConsumer", ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE"
    kinesis.call("DeregisterStreamConsumer", ConsumerARN=arn)
    kinesis.advance(0.5)
    assert (
        kinesis.call("DescribeStreamConsumer", ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"] == "DELETING"
    )
    kinesis.advance(0.6)
    assert kinesis.error("DescribeStreamConsumer", ConsumerARN=arn).code == "ResourceNotFoundException"


def test_subscribe_is_authorized_on_the_consumer_arn(kinesis):
    consumer = f"{ARN}/consumer/app:1700000000"
    ctx = kinesis.context("SubscribeToShard")
    params = {"ConsumerARN": consumer, "ShardId": "shardId-000000000000", "StartingPosition": {"Type": "LATEST"}}
    assert kinesis.service.authorization(ctx, params) == [Access("kinesis:SubscribeToShard", consumer)]


def test_registering_with_tags_also_needs_tag_resource_on_the_new_consumer(kinesis):
    ctx = kinesis.context("RegisterStreamConsumer")
    checks = kinesis.service.authorization(ctx, {"StreamARN": ARN, "ConsumerName": "app", "Tags": {"team": "red"}})
    assert checks[0] == Access("kinesis:RegisterStreamConsumer", ARN)
    assert checks[1].action == "kinesis:TagResource"
    assert checks[1].resource == f"{ARN}/consumer/app:{int(kinesis.clock.time())}"


def test_event_stream_messages_read_back_with_botocore():
    headers, chunks = eventstream.encode_stream(
        "kinesis",
        "SubscribeToShard",
        "json",
        {
            "EventStream": iter(
                [
                    (
                        "SubscribeToShardEvent",
                        {"Records": [], "ContinuationSequenceNumber": "1", "MillisBehindLatest": 0},
                    ),
                    None,
                ]
            )
        },
    )
    assert headers == {"Content-Type": "application/vnd.amazon.eventstream"}
    body = list(chunks)
    assert body[-1] == b""  # "nothing yet" passes through as an empty chunk
    buffer = EventStreamBuffer()
    buffer.add_data(b"".join(body))
    first, second = list(buffer)
    assert first.headers == {
        ":event-type": "initial-response",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert json.loads(first.payload) == {}
    assert second.headers[":event-type"] == "SubscribeToShardEvent"
    assert json.loads(second.payload) == {"Records": [], "ContinuationSequenceNumber": "1", "MillisBehindLatest": 0}
    corrupted = bytearray(body[1])
    corrupted[-5] ^= 1
    broken = EventStreamBuffer()
    broken.add_data(bytes(corrupted))
    with pytest.raises(ChecksumMismatch):
        list(broken)


def test_an_error_in_the_stream_is_an_exception_message():
    from localaws.errors import AwsError

    def failing():
        yield None
        raise AwsError("ResourceInUseException", "taken over")

    _, chunks = eventstream.encode_stream("kinesis", "SubscribeToShard", "json", {"EventStream": failing()})
    buffer = EventStreamBuffer()
    buffer.add_data(b"".join(chunks))
    messages = list(buffer)
    assert messages[-1].headers == {
        ":exception-type": "ResourceInUseException",
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    assert json.loads(messages[-1].payload) == {"message": "taken over"}
    raw = eventstream.message({"a": "b"}, b"payload")
    assert int.from_bytes(raw[8:12], "big") == zlib.crc32(raw[:8])
    assert int.from_bytes(raw[-4:], "big") == zlib.crc32(raw[:-4])
