"""Kinesis enhanced fan-out consumers in-process: states on the clock, the ARN format, 20 per stream, listing,
deregistering, and streams deleted with their consumers."""

import re

import pytest

from tests.localaws.test_kinesis_support import ACCOUNT, Kinesis, make_kinesis

ARN = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"


@pytest.fixture
def kinesis(tmp_path) -> Kinesis:
    k = make_kinesis(tmp_path, state_transition_seconds=3)
    k.create("s")
    return k


def describe(kinesis: Kinesis, **params) -> dict:
    return kinesis.call("DescribeStreamConsumer", **params)["ConsumerDescription"]


def test_a_consumer_is_creating_then_active(kinesis):
    consumer = kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="app")["Consumer"]
    assert re.fullmatch(rf"{re.escape(ARN)}/consumer/app:\d+", consumer["ConsumerARN"])
    assert consumer["ConsumerStatus"] == "CREATING" and consumer["StreamARN"] == ARN
    assert int(consumer["ConsumerARN"].rsplit(":", 1)[1]) == int(consumer["ConsumerCreationTimestamp"])
    kinesis.settle()
    assert describe(kinesis, ConsumerARN=consumer["ConsumerARN"])["ConsumerStatus"] == "ACTIVE"
    assert describe(kinesis, StreamARN=ARN, ConsumerName="app")["ConsumerARN"] == consumer["ConsumerARN"]
    summary = kinesis.call("DescribeStreamSummary", StreamName="s")["StreamDescriptionSummary"]
    assert summary["ConsumerCount"] == 1


def test_a_name_is_registered_once(kinesis):
    kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="app")
    assert kinesis.error("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="app").code == "ResourceInUseException"


def test_at_most_20_consumers_and_5_creating(kinesis):
    for n in range(5):
        kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName=f"c{n}")
    creating = kinesis.error("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="c5")
    assert creating.code == "LimitExceededException"
    for batch in range(1, 4):
        kinesis.settle()
        for n in range(5):
            kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName=f"c{batch}-{n}")
    kinesis.settle()
    error = kinesis.error("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="twenty-first")
    assert error.code == "LimitExceededException" and "20" in error.message


def test_deregister_then_gone(kinesis):
    arn = kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="app")["Consumer"]["ConsumerARN"]
    assert kinesis.error("DeregisterStreamConsumer", ConsumerARN=arn).code == "ResourceInUseException"  # CREATING
    kinesis.settle()
    kinesis.call("DeregisterStreamConsumer", StreamARN=ARN, ConsumerName="app")
    assert describe(kinesis, ConsumerARN=arn)["ConsumerStatus"] == "DELETING"
    kinesis.settle()
    error = kinesis.error("DescribeStreamConsumer", ConsumerARN=arn)
    assert error.code == "ResourceNotFoundException"
    again = kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="app")["Consumer"]
    assert again["ConsumerStatus"] == "CREATING"


def test_an_old_consumer_arn_does_not_name_a_new_consumer_of_the_same_name(kinesis):
    old = kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="app")["Consumer"]["ConsumerARN"]
    kinesis.settle()
    kinesis.call("DeregisterStreamConsumer", ConsumerARN=old)
    kinesis.settle()
    kinesis.advance(2)
    kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="app")
    assert kinesis.error("DescribeStreamConsumer", ConsumerARN=old).code == "ResourceNotFoundException"


def test_list_consumers_pages(kinesis):
    for name in ("b", "a", "c"):
        kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName=name)
    first = kinesis.call("ListStreamConsumers", StreamARN=ARN, MaxResults=2)
    assert [consumer["ConsumerName"] for consumer in first["Consumers"]] == ["a", "b"]
    assert set(first["Consumers"][0]) == {"ConsumerName", "ConsumerARN", "ConsumerStatus", "ConsumerCreationTimestamp"}
    second = kinesis.call("ListStreamConsumers", StreamARN=ARN, NextToken=first["NextToken"])
    assert [consumer["ConsumerName"] for consumer in second["Consumers"]] == ["c"] and "NextToken" not in second


def test_a_stream_with_consumers_is_deleted_only_when_asked_to_delete_them(kinesis):
    kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="app")
    kinesis.settle()
    assert kinesis.error("DeleteStream", StreamName="s").code == "ResourceInUseException"
    kinesis.call("DeleteStream", StreamName="s", EnforceConsumerDeletion=True)
    assert describe(kinesis, StreamARN=ARN, ConsumerName="app")["ConsumerStatus"] == "DELETING"
    kinesis.settle()
    assert (
        kinesis.error("DescribeStreamConsumer", StreamARN=ARN, ConsumerName="app").code == "ResourceNotFoundException"
    )


def test_registering_on_a_stream_that_is_not_active_is_refused(kinesis):
    kinesis.call("CreateStream", StreamName="young", ShardCount=1)
    error = kinesis.error("RegisterStreamConsumer", StreamARN=ARN.replace("/s", "/young"), ConsumerName="app")
    assert error.code == "ResourceInUseException"
