"""The lean PutRecords client on the wire, against a scripted HTTP server in-process: one request is one signed
POST in one piece, AWS errors come back as botocore's ClientError, a keep-alive connection the server closed while
idle is replaced without losing the call, and an endpoint that is not there is an EndpointConnectionError."""

import json
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError, EndpointConnectionError

from localaws.frontdoor import sigv4
from simulator.fastput import PutRecordsClient

SECRET = "scripted-secret"
OK = json.dumps({"FailedRecordCount": 0, "Records": [{"SequenceNumber": "1", "ShardId": "shardId-000000000000"}]})


class Scripted:
    """Accepts connections; for each request calls `answer(request_bytes)` -> raw reply bytes, or None to close."""

    def __init__(self, answer: Callable[[bytes], bytes | None]) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            buffered = b""
            while True:
                while b"\r\n\r\n" not in buffered:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    buffered += chunk
                head, _, rest = buffered.partition(b"\r\n\r\n")
                length = int(
                    next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(
                        b":"
                    )[1]
                )
                while len(rest) < length:
                    rest += connection.recv(65536)
                request, buffered = head + b"\r\n\r\n" + rest[:length], rest[length:]
                self.requests.append(request)
                reply = self.answer(request)
                if reply is None:
                    return
                connection.sendall(reply)

    def close(self) -> None:
        self.listener.close()


def _reply(status: int, body: str, close: bool = False) -> bytes:
    extra = "Connection: close\r\n" if close else ""
    return (
        f"HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
        f"{body}"
    ).encode()


@pytest.fixture
def server() -> Iterator[Callable[[Callable[[bytes], bytes | None]], Scripted]]:
    made: list[Scripted] = []

    def make(answer: Callable[[bytes], bytes | None]) -> Scripted:
        made.append(Scripted(answer))
        return made[-1]

    yield make
    for each in made:
        each.close()


def _client(port: int) -> PutRecordsClient:
    return PutRecordsClient(f"http://127.0.0.1:{port}", "us-east-1", Credentials("AKIDSCRIPTED", SECRET))


RECORDS = [{"Data": b'{"Name":"Shadowfax"}', "PartitionKey": "Shadowfax"}]


def test_a_call_is_one_signed_post_the_endpoint_accepts(server) -> None:
    scripted = server(lambda request: _reply(200, OK))
    reply = _client(scripted.port).put_records(StreamName="wildrydes", Records=RECORDS)
    assert reply["FailedRecordCount"] == 0
    head, _, body = scripted.requests[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST / HTTP/1.1"
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines[1:])}
    assert headers["x-amz-target"] == "Kinesis_20131202.PutRecords"
    assert json.loads(body) == {
        "StreamName": "wildrydes",
        "Records": [{"Data": "eyJOYW1lIjoiU2hhZG93ZmF4In0=", "PartitionKey": "Shadowfax"}],
    }
    # The endpoint's own SigV4 check accepts it with the right secret and refuses it with another.
    signature = sigv4.parse(headers, "")
    check = {"method": "POST", "raw_path": "/", "query_string": "", "headers": headers, "body": body}
    sigv4.verify(signature, SECRET, **check)
    with pytest.raises(sigv4.SignatureProblem):
        sigv4.verify(signature, "another-secret", **check)


def test_an_aws_error_is_a_client_error_with_its_code(server) -> None:
    body = json.dumps({"__type": "ResourceNotFoundException", "message": "Stream wildrydes not found"})
    scripted = server(lambda request: _reply(400, body))
    with pytest.raises(ClientError) as raised:
        _client(scripted.port).put_records(StreamName="wildrydes", Records=RECORDS)
    assert raised.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Stream wildrydes not found",
    }


def test_a_connection_closed_while_idle_is_replaced_and_the_call_made_once(server) -> None:
    served = []

    def answer(request: bytes) -> bytes | None:
        served.append(request)
        # The first call is answered; the server then closes that connection while it idles (as ours does after
        # 120 s): the second call finds it closed, and goes out again on a new connection.
        return _reply(200, OK, close=False) if len(served) != 2 else None

    scripted = server(answer)
    client = _client(scripted.port)
    client.put_records(StreamName="wildrydes", Records=RECORDS)
    client.put_records(StreamName="wildrydes", Records=RECORDS)
    assert scripted.connections == 2
    assert len(served) == 3  # the call the closed connection swallowed, then its retry, which was answered


def test_connection_close_is_honoured(server) -> None:
    scripted = server(lambda request: _reply(200, OK, close=True))
    client = _client(scripted.port)
    for _ in range(3):
        client.put_records(StreamName="wildrydes", Records=RECORDS)
    assert scripted.connections == 3


def test_no_endpoint_is_an_endpoint_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(EndpointConnectionError):
        _client(port).put_records(StreamName="wildrydes", Records=RECORDS)
