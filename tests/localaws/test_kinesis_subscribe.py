"""SubscribeToShard over HTTP/1.1 against a real endpoint, read with botocore's `subscribe_to_shard` (whose
event-stream decoder checks every prelude and CRC): records pushed in order per shard, every starting position,
the lifetime and a renewal that loses and repeats nothing, resharding, the 5-second rule and take-over, a
consumer that is not ACTIVE, and a client that goes away."""

import datetime
import http.client
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import ClientError, EventStreamError

from localaws.state import StateFolder
from localaws.wire import cbor
from tests.conftest import Endpoint, free_port, running_endpoint
from tests.localaws.test_kinesis_subscribe_support import END, Lab, Reader, active_consumer, make_lab, until


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    with running_endpoint(tmp_path_factory.mktemp("subscribe"), state_transition_seconds=0.2) as running:
        yield running


@pytest.fixture
def kinesis(endpoint):
    return endpoint.client("kinesis")


def test_records_are_pushed_in_order_per_shard(kinesis):
    lab = make_lab(kinesis, "ordered", shards=4)
    readers = {shard: lab.subscribe(shard, "LATEST") for shard in lab.shards()}
    expected: dict[str, list[bytes]] = {shard: [] for shard in readers}
    for batch in range(5):
        entries = [{"Data": b"%d-%d" % (batch, n), "PartitionKey": f"key-{n}"} for n in range(40)]
        answer = kinesis.put_records(StreamName="ordered", Records=entries)
        assert answer["FailedRecordCount"] == 0
        for entry, result in zip(entries, answer["Records"], strict=True):
            expected[result["ShardId"]].append((result["SequenceNumber"], entry["Data"]))
        single = kinesis.put_record(StreamName="ordered", Data=b"single-%d" % batch, PartitionKey="lone")
        expected[single["ShardId"]].append((single["SequenceNumber"], b"single-%d" % batch))
    for shard, reader in readers.items():
        want = sorted(expected[shard], key=lambda item: int(item[0]))
        records, last = reader.records(len(want))
        assert [(record["SequenceNumber"], record["Data"]) for record in records] == want
        assert last["ContinuationSequenceNumber"] == want[-1][0]
        assert last["MillisBehindLatest"] == 0
        reader.close()


def test_every_starting_position(endpoint, kinesis):
    stream_arn = make_lab(kinesis, "positions").stream_arn
    consumers = [active_consumer(kinesis, stream_arn, f"p{n}") for n in range(4)]
    numbers, stamps = [], []
    for n in range(3):
        answer = kinesis.put_record(StreamName="positions", Data=b"r%d" % n, PartitionKey="k")
        numbers.append(answer["SequenceNumber"])
        time.sleep(0.01)
    first = kinesis.get_shard_iterator(
        StreamName="positions", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )
    stamps = [
        r["ApproximateArrivalTimestamp"] for r in kinesis.get_records(ShardIterator=first["ShardIterator"])["Records"]
    ]

    def data(consumer: str, count: int, **position) -> list[bytes]:
        lab = Lab(kinesis, stream_arn, consumer)
        reader = lab.subscribe("shardId-000000000000", **position)
        try:
            return [record["Data"] for record in reader.records(count)[0]]
        finally:
            reader.close()

    assert data(consumers[0], 2, kind="AT_SEQUENCE_NUMBER", SequenceNumber=numbers[1]) == [b"r1", b"r2"]
    assert data(consumers[1], 1, kind="AFTER_SEQUENCE_NUMBER", SequenceNumber=numbers[1]) == [b"r2"]
    # A millisecond early: arrival times are kept finer than the milliseconds they are shown in, rounded.
    at = stamps[1] - datetime.timedelta(milliseconds=1)
    assert data(consumers[2], 2, kind="AT_TIMESTAMP", Timestamp=at) == [b"r1", b"r2"]
    latest = Lab(kinesis, stream_arn, consumers[3]).subscribe("shardId-000000000000", "LATEST")
    kinesis.put_record(StreamName="positions", Data=b"new", PartitionKey="k")
    assert [record["Data"] for record in latest.records(1)[0]] == [b"new"]
    latest.close()


def test_a_bad_starting_position_is_refused_before_the_stream_begins(kinesis):
    lab = make_lab(kinesis, "bad-position")
    with pytest.raises(ClientError) as refused:
        lab.subscribe("shardId-000000000000", "AT_SEQUENCE_NUMBER")
    assert refused.value.response["Error"]["Code"] == "InvalidArgumentException"


def test_unknown_consumer_and_shard_are_not_found(kinesis):
    lab = make_lab(kinesis, "unknowns")
    with pytest.raises(ClientError) as missing_shard:
        lab.subscribe("shardId-000000000007")
    assert missing_shard.value.response["Error"]["Code"] == "ResourceNotFoundException"
    ghost = Lab(kinesis, lab.stream_arn, f"{lab.stream_arn}/consumer/ghost:1700000000")
    with pytest.raises(ClientError) as missing_consumer:
        ghost.subscribe("shardId-000000000000")
    error = missing_consumer.value.response["Error"]
    assert error["Code"] == "ResourceNotFoundException" and "ghost" in error["Message"]


def test_a_consumer_not_active_cannot_subscribe(endpoint, kinesis):
    lab = make_lab(kinesis, "young-consumer")
    endpoint.control("settings", {"state_transition_seconds": 60})
    try:
        arn = kinesis.register_stream_consumer(StreamARN=lab.stream_arn, ConsumerName="young")["Consumer"][
            "ConsumerARN"
        ]
        with pytest.raises(ClientError) as refused:
            Lab(kinesis, lab.stream_arn, arn).subscribe("shardId-000000000000")
    finally:
        endpoint.control("settings", {"state_transition_seconds": 0.2})
    error = refused.value.response["Error"]
    assert error["Code"] == "ResourceInUseException"
    assert error["Message"].startswith("Consumer young with creation timestamp ")
    assert error["Message"].endswith("is not in ACTIVE status.")


def test_a_resubscribe_within_5_seconds_is_refused_and_a_later_one_takes_over(endpoint, kinesis):
    lab = make_lab(kinesis, "in-use")
    first = lab.subscribe("shardId-000000000000")
    with pytest.raises(ClientError) as refused:
        lab.subscribe("shardId-000000000000")
    error = refused.value.response["Error"]
    assert error["Code"] == "ResourceInUseException"
    assert error["Message"].startswith("Another active subscription exists for this consumer")
    endpoint.control("clock", {"advance_seconds": 5})
    second = lab.subscribe("shardId-000000000000")
    ended = first.next()
    while isinstance(ended, dict):  # heartbeats before the take-over
        ended = first.next()
    assert isinstance(ended, EventStreamError) and ended.response["Error"]["Code"] == "ResourceInUseException"
    assert first.next() is END
    kinesis.put_record(StreamName="in-use", Data=b"after", PartitionKey="k")
    assert [record["Data"] for record in second.records(1)[0]] == [b"after"]
    second.close()


def test_the_subscription_ends_at_its_lifetime_and_renewal_loses_and_repeats_nothing(endpoint, kinesis):
    lab = make_lab(kinesis, "renewals")
    endpoint.control("settings", {"subscription_seconds": 0.7})
    total = 150
    done = threading.Event()

    def produce() -> None:
        for n in range(total):
            kinesis.put_record(StreamName="renewals", Data=b"%d" % n, PartitionKey="k")
            time.sleep(0.015)
        done.set()

    producer = threading.Thread(target=produce)
    try:
        producer.start()
        seen: list[int] = []
        continuation: str | None = None
        subscriptions = 0
        while len(seen) < total:
            position = (
                {"kind": "TRIM_HORIZON"}
                if continuation is None
                else {"kind": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": continuation}
            )
            reader = lab.subscribe("shardId-000000000000", **position)
            subscriptions += 1
            for event in reader.until_end():
                assert isinstance(event, dict), event
                seen.extend(int(record["Data"]) for record in event["Records"])
                continuation = event["ContinuationSequenceNumber"]
            assert subscriptions < 100
        producer.join()
    finally:
        endpoint.control("settings", {"subscription_seconds": 300})
    assert seen == list(range(total))
    assert subscriptions >= 3  # it really was renewed, mid-production


def test_resharding_ends_the_parent_with_its_children_and_they_can_be_subscribed(endpoint, kinesis):
    lab = make_lab(kinesis, "reshard")
    parent = "shardId-000000000000"
    reader = lab.subscribe(parent)
    before = [b"before-%d" % n for n in range(5)]
    for data in before:
        kinesis.put_record(StreamName="reshard", Data=data, PartitionKey=data.decode())
    kinesis.split_shard(StreamName="reshard", ShardToSplit=parent, NewStartingHashKey=str(2**127))
    until(
        lambda: (
            kinesis.describe_stream_summary(StreamName="reshard")["StreamDescriptionSummary"]["StreamStatus"]
            == "ACTIVE"
        ),
        "split done",
    )
    after = [b"after-%d" % n for n in range(20)]
    for data in after:
        kinesis.put_record(StreamName="reshard", Data=data, PartitionKey=data.decode())
    events = reader.until_end()
    assert all(isinstance(event, dict) for event in events), events
    from_parent = [record["Data"] for event in events for record in event["Records"]]
    last = events[-1]
    assert "ContinuationSequenceNumber" not in last and last["Records"] == []
    children = sorted(child["ShardId"] for child in last["ChildShards"])
    assert children == ["shardId-000000000001", "shardId-000000000002"]
    assert all(child["ParentShards"] == [parent] for child in last["ChildShards"])
    from_children = []
    for child in children:
        iterator = kinesis.get_shard_iterator(StreamName="reshard", ShardId=child, ShardIteratorType="TRIM_HORIZON")
        held = len(kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"])
        child_reader = lab.subscribe(child)
        from_children.extend(record["Data"] for record in child_reader.records(held)[0])
        child_reader.close()
    assert from_parent[: len(before)] == before
    assert sorted(from_parent + from_children) == sorted(before + after)
    assert len(from_parent + from_children) == len(before + after)


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def test_a_client_that_goes_away_releases_its_subscription(tmp_path: Path):
    # An endpoint of its own, so that no other test's connections come and go while its threads are counted.
    with running_endpoint(tmp_path, state_transition_seconds=0.2) as alone:
        lab = make_lab(alone.client("kinesis"), "goodbye", shards=4)
        pid = alone.control("status")["pid"]
        baseline = _threads(pid)
        subscriber = Lab(alone.client("kinesis"), lab.stream_arn, lab.consumer_arn)
        readers = [subscriber.subscribe(shard) for shard in lab.shards()]
        until(lambda: _threads(pid) >= baseline + len(readers), "a thread per subscription")
        for reader in readers:
            reader.close()
        until(lambda: _threads(pid) <= baseline, "the subscriptions' threads ending", seconds=10)


def test_subscription_seconds_is_a_validated_run_time_setting(endpoint):
    with pytest.raises(Exception) as refused:
        endpoint.control("settings", {"subscription_seconds": 0})
    assert "400" in str(refused.value)
    assert endpoint.control("settings")["subscription_seconds"] == 300


def test_the_cli_flag_sets_the_lifetime(tmp_path: Path):
    simulate = str(Path(sys.executable).with_name("simulate"))
    port = free_port()
    folder = ["--state-dir", str(tmp_path)]
    subprocess.run(
        [simulate, "local", "start", "--port", str(port), *folder, "--subscription-seconds", "12.5"], check=True
    )
    try:
        started = Endpoint(url=f"http://127.0.0.1:{port}", port=port, state=StateFolder(tmp_path))
        assert started.control("settings")["subscription_seconds"] == 12.5
    finally:
        subprocess.run([simulate, "local", "stop", *folder], check=True)


def test_a_consumer_deregistered_meanwhile_ends_the_subscription_with_an_error_event(kinesis):
    lab = make_lab(kinesis, "deregistered")
    reader = lab.subscribe("shardId-000000000000")
    kinesis.deregister_stream_consumer(ConsumerARN=lab.consumer_arn)
    ended = reader.next()
    while isinstance(ended, dict):
        ended = reader.next()
    assert isinstance(ended, EventStreamError) and ended.response["Error"]["Code"] == "ResourceNotFoundException"
    assert reader.next() is END


def test_dry_run_checks_and_does_not_subscribe(kinesis):
    lab = make_lab(kinesis, "dry-run")
    with pytest.raises(ClientError) as dry:
        kinesis.subscribe_to_shard(
            ConsumerARN=lab.consumer_arn,
            ShardId="shardId-000000000000",
            StartingPosition={"Type": "LATEST"},
            DryRun=True,
        )
    assert dry.value.response["Error"]["Code"] == "DryRunOperationException"
    lab.subscribe("shardId-000000000000").close()  # the dry run took no subscription: no 5-second wait


def test_a_quiet_shard_gets_empty_events_whose_continuation_resumes_in_place(endpoint, kinesis):
    lab = make_lab(kinesis, "quiet")
    kinesis.put_record(StreamName="quiet", Data=b"old", PartitionKey="k")
    reader = lab.subscribe("shardId-000000000000", "LATEST")
    endpoint.control("clock", {"advance_seconds": 6})  # past the heartbeat interval, and past the 5-second rule
    heartbeat = reader.next()
    assert heartbeat["Records"] == [] and heartbeat["MillisBehindLatest"] == 0
    reader.close()
    kinesis.put_record(StreamName="quiet", Data=b"new", PartitionKey="k")
    renewed = lab.subscribe(
        "shardId-000000000000", "AFTER_SEQUENCE_NUMBER", SequenceNumber=heartbeat["ContinuationSequenceNumber"]
    )
    assert [record["Data"] for record in renewed.records(1)[0]] == [b"new"]
    renewed.close()


def test_the_answer_is_a_chunked_event_stream(kinesis):
    lab = make_lab(kinesis, "headers")
    answer = kinesis.subscribe_to_shard(
        ConsumerARN=lab.consumer_arn, ShardId="shardId-000000000000", StartingPosition={"Type": "LATEST"}
    )
    headers = answer["ResponseMetadata"]["HTTPHeaders"]
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert headers["content-type"] == "application/vnd.amazon.eventstream"
    assert headers["transfer-encoding"] == "chunked" and "content-length" not in headers
    assert headers["x-amzn-requestid"] == answer["ResponseMetadata"]["RequestId"]
    Reader(answer["EventStream"]).close()


def test_the_cbor_protocol_gets_its_events_in_cbor(endpoint, kinesis):
    """What the Java SDK (KCL) speaks by default: a CBOR request, events whose payloads are CBOR documents."""
    lab = make_lab(kinesis, "cbor-events")
    kinesis.put_record(StreamName="cbor-events", Data=b"\x00\xffunicorn", PartitionKey="k")
    body = cbor.dumps(
        {
            "ConsumerARN": lab.consumer_arn,
            "ShardId": "shardId-000000000000",
            "StartingPosition": {"Type": "TRIM_HORIZON"},
        }
    )
    request = botocore.awsrequest.AWSRequest(
        method="POST",
        url=f"{endpoint.url}/",
        data=body,
        headers={"Content-Type": "application/x-amz-cbor-1.1", "X-Amz-Target": "Kinesis_20131202.SubscribeToShard"},
    )
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(*endpoint.admin_key()), "kinesis", "us-east-1").add_auth(
        request
    )
    connection = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    try:
        connection.request("POST", "/", body=body, headers=dict(request.headers.items()))
        answer = connection.getresponse()
        assert answer.status == 200 and answer.getheader("Content-Type") == "application/vnd.amazon.eventstream"
        buffer = EventStreamBuffer()
        messages: list = []
        while len(messages) < 2:
            buffer.add_data(answer.read1(65_536))
            messages.extend(buffer)
    finally:
        connection.close()
    assert messages[0].headers[":event-type"] == "initial-response"
    event = messages[1]
    assert event.headers[":content-type"] == "application/x-amz-cbor-1.1"
    record = cbor.loads(event.payload)["Records"][0]
    assert record["Data"] == b"\x00\xffunicorn" and record["PartitionKey"] == "k"
    assert record["ApproximateArrivalTimestamp"].tag == 1  # epoch milliseconds, as AWS's CBOR timestamps
