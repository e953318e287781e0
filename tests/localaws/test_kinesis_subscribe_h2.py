"""SubscribeToShard and every other call over HTTP/2 cleartext (prior knowledge) on the endpoint's one port: the
AWS SDK for JavaScript v3 in Node (NodeHttp2Handler) receives the events, and a Python h2 client with a tiny
flow-control window gets the whole event stream intact (the h2 library refuses any frame beyond its window)."""

import base64
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import h2.config
import h2.connection
import h2.events
import h2.settings
import pytest
from botocore.eventstream import EventStreamBuffer

from tests.conftest import REGION, Endpoint, running_endpoint
from tests.localaws.test_kinesis_subscribe_support import make_lab, until

SCRIPT = Path(__file__).with_name("efo_node") / "subscribe.mjs"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    with running_endpoint(tmp_path_factory.mktemp("subscribe-h2"), state_transition_seconds=0.2) as running:
        yield running


def node_env(endpoint: Endpoint, **extra: str) -> dict[str, str]:
    key, secret = endpoint.admin_key()
    return dict(
        os.environ,
        ENDPOINT=endpoint.url,
        AWS_REGION=REGION,
        AWS_ACCESS_KEY_ID=key,
        AWS_SECRET_ACCESS_KEY=secret,
        **extra,
    )


def test_the_javascript_sdk_in_node_subscribes_over_http2(endpoint):
    kinesis = endpoint.client("kinesis")
    lab = make_lab(kinesis, "node")
    for n in range(3):
        kinesis.put_record(StreamName="node", Data=b"r%d" % n, PartitionKey="k")
    env = node_env(
        endpoint, STREAM_NAME="node", CONSUMER_ARN=lab.consumer_arn, SHARD_ID="shardId-000000000000", EXISTING="3"
    )
    run = subprocess.run(["node", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0, (run.stdout, run.stderr[-2000:])
    steps = [line["step"] for line in lines]
    # Describe, ListShards, SubscribeToShard and, while subscribed, PutRecord: all on the SDK's HTTP/2 sessions.
    assert steps == ["describe", "shards", "record", "record", "record", "put", "record", "done"]
    assert lines[0]["status"] == "ACTIVE" and lines[1]["shards"] == ["shardId-000000000000"]
    records = [line for line in lines if line["step"] == "record"]
    assert [line["data"] for line in records] == ["r0", "r1", "r2", "live"]
    put = next(line for line in lines if line["step"] == "put")
    assert records[-1]["sequence"] == put["sequence"] == records[-1]["continuation"]


class H2Client:
    """A bare HTTP/2 client on one connection, signing Kinesis JSON calls with the endpoint's admin key."""

    def __init__(self, endpoint: Endpoint, window: int = 65_535) -> None:
        self.endpoint = endpoint
        self.sock = socket.create_connection(("127.0.0.1", endpoint.port), timeout=10)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        self.sock.sendall(self.conn.data_to_send())
        key, secret = endpoint.admin_key()
        self.credentials = botocore.credentials.Credentials(key, secret)
        self.headers: dict[int, dict] = {}
        self.bodies: dict[int, bytearray] = {}
        self.ended: set[int] = set()

    def request(self, operation: str, params: dict) -> int:
        host = f"127.0.0.1:{self.endpoint.port}"
        body = json.dumps(params).encode()
        request = botocore.awsrequest.AWSRequest(
            method="POST",
            url=f"http://{host}/",
            data=body,
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"Kinesis_20131202.{operation}"},
        )
        botocore.auth.SigV4Auth(self.credentials, "kinesis", REGION).add_auth(request)
        stream_id = self.conn.get_next_available_stream_id()
        headers = [(":method", "POST"), (":path", "/"), (":authority", host), (":scheme", "http")]
        headers += [(name.lower(), value) for name, value in request.headers.items()]
        self.conn.send_headers(stream_id, headers)
        self.conn.send_data(stream_id, body, end_stream=True)
        self.sock.sendall(self.conn.data_to_send())
        return stream_id

    def read(self, stream_id: int, enough=None) -> tuple[dict, bytes]:
        """Headers and body of a stream: to its end, or until `enough(body)` says so. What comes for the other
        streams meanwhile is kept for their turn."""
        while True:
            body = bytes(self.bodies.get(stream_id, b""))
            if stream_id in self.ended or (enough is not None and enough(body)):
                return self.headers.get(stream_id, {}), body
            data = self.sock.recv(65_536)
            assert data, "the endpoint closed the connection"
            for event in self.conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    self.headers[event.stream_id] = dict(event.headers)
                elif isinstance(event, h2.events.DataReceived):
                    self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                    self.bodies.setdefault(event.stream_id, bytearray()).extend(event.data)
                elif isinstance(event, h2.events.StreamEnded):
                    self.ended.add(event.stream_id)
            self.sock.sendall(self.conn.data_to_send())

    def close(self) -> None:
        self.sock.close()


def test_ordinary_calls_over_http2_answer_as_over_http11(endpoint):
    kinesis = endpoint.client("kinesis")
    make_lab(kinesis, "plain-h2")
    client = H2Client(endpoint)
    try:
        first = client.request("DescribeStreamSummary", {"StreamName": "plain-h2"})
        second = client.request("DescribeStreamSummary", {"StreamName": "no-such-stream"})
        headers, body = client.read(first)
        assert headers[":status"] == "200" and headers["content-type"] == "application/x-amz-json-1.1"
        assert json.loads(body)["StreamDescriptionSummary"]["StreamName"] == "plain-h2"
        headers, body = client.read(second)
        assert headers[":status"] == "400" and json.loads(body)["__type"] == "ResourceNotFoundException"
    finally:
        client.close()


def test_an_event_stream_larger_than_the_window_arrives_whole(endpoint):
    kinesis = endpoint.client("kinesis")
    lab = make_lab(kinesis, "big-h2")
    sizes = [300_000, 5, 200_000]
    for n, size in enumerate(sizes):
        kinesis.put_record(StreamName="big-h2", Data=bytes([n + 65]) * size, PartitionKey="k")
    client = H2Client(endpoint, window=1_000)  # each DATA frame must wait for our WINDOW_UPDATEs
    try:
        stream = client.request(
            "SubscribeToShard",
            {
                "ConsumerARN": lab.consumer_arn,
                "ShardId": "shardId-000000000000",
                "StartingPosition": {"Type": "TRIM_HORIZON"},
            },
        )
        headers, body = client.read(stream, enough=lambda body: len(_messages(body)) >= 2)
        assert headers[":status"] == "200" and headers["content-type"] == "application/vnd.amazon.eventstream"
        messages = _messages(body)  # botocore checks each prelude and message CRC
        assert messages[0].headers[":event-type"] == "initial-response"
        assert messages[1].headers[":event-type"] == "SubscribeToShardEvent"
        records = json.loads(messages[1].payload)["Records"]
        assert [len(record["Data"]) for record in records] == [_b64(size) for size in sizes]
        assert base64.b64decode(records[0]["Data"]) == b"A" * sizes[0]
    finally:
        client.close()


def _messages(body: bytes) -> list:
    buffer = EventStreamBuffer()
    buffer.add_data(body)
    return list(buffer)


def _b64(size: int) -> int:
    return (size + 2) // 3 * 4


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def test_a_node_client_that_goes_away_releases_its_subscription(tmp_path: Path):
    with running_endpoint(tmp_path, state_transition_seconds=0.2) as alone:
        kinesis = alone.client("kinesis")
        lab = make_lab(kinesis, "node-gone")
        pid = alone.control("status")["pid"]
        baseline = _threads(pid)
        env = node_env(
            alone,
            STREAM_NAME="node-gone",
            CONSUMER_ARN=lab.consumer_arn,
            SHARD_ID="shardId-000000000000",
            EXISTING="1000",
        )
        node = subprocess.Popen(
            ["node", str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        try:
            until(lambda: _threads(pid) >= baseline + 2, "the subscription's connection and stream threads")
            time.sleep(0.2)
        finally:
            node.kill()
            node.wait(10)
        until(lambda: _threads(pid) <= baseline, "the subscription's threads ending", seconds=10)
