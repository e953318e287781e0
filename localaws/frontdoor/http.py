"""The endpoint's HTTP/1.1 server: persistent connections, one thread per connection, bound to 127.0.0.1.

werkzeug's development server closes every connection after one answer, so each SDK call paid for a new TCP
connection and a new thread. This server keeps the connection open as HTTP/1.1 allows, and hands each request
straight to the front door (no WSGI round trip: the front door has its own request type).
"""

import contextlib
import select
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from localaws.frontdoor import h2 as http2
from localaws.frontdoor.app import FrontDoor
from localaws.frontdoor.request import MAX_BODY_BYTES, Answer, Request

IDLE_CONNECTION_SECONDS = 120


class _BadBody(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wildrydes-local-endpoint"
    sys_version = ""
    timeout = IDLE_CONNECTION_SECONDS
    server: "EndpointServer"

    def handle(self) -> None:
        # HTTP/2 with prior knowledge (the JS SDK v3 in Node) starts with its preface instead of a request line.
        try:
            head = self.rfile.peek(len(http2.PREFACE))  # type: ignore[attr-defined]
        except OSError:
            return
        if head.startswith(http2.PREFACE[:3]) and http2.PREFACE.startswith(head[: len(http2.PREFACE)]):
            http2.serve(self.connection, self.rfile, self.server.front_door, self.client_address[0])
            return
        super().handle()

    def version_string(self) -> str:
        return self.server_version  # not "NAME " with an empty Python version after it

    def log_message(self, format: str, *args: Any) -> None:
        return None  # a line per PutRecords would fill the log

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                size_line = self.rfile.readline(1024)
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise _BadBody("bad chunk size") from None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise _BadBody("request body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _BadBody("bad Content-Length") from None
        if length < 0:
            raise _BadBody("bad Content-Length")
        if length > MAX_BODY_BYTES:
            raise _BadBody("request body too large")
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except _BadBody as problem:
            self.close_connection = True
            self._send(
                Answer(
                    413 if "large" in str(problem) else 400,
                    {"Content-Type": "text/plain"},
                    b"%s\n" % str(problem).encode(),
                )
            )
            return
        raw_path, _, query = self.path.partition("?")
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        request = Request(
            method=self.command,
            raw_path=raw_path or "/",
            query_string=query,
            headers=headers,
            body=body,
            remote_addr=self.client_address[0],
        )
        self._send(self.server.front_door.handle(request))

    def _send(self, answer: Answer) -> None:
        if answer.stream is not None:
            self._send_stream(answer, answer.stream)
            return
        self.send_response(answer.status)
        if self.close_connection:
            # Said, so that the client does not send its next request on a connection we are about to close.
            self.send_header("Connection", "close")
        for name, value in answer.headers.items():
            if name.lower() != "content-length":  # ours, from the body actually sent
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD" and answer.body:
            self.wfile.write(answer.body)

    def _send_stream(self, answer: Answer, chunks: Iterator[bytes]) -> None:
        """Each chunk as an HTTP chunk, flushed at once; an empty one is a moment to notice a client that has
        gone. The client going (or a write failing) closes `chunks`, which ends what produced them."""
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            for chunk in chunks:
                if not chunk:
                    if client_gone(self.connection):
                        self.close_connection = True
                        return
                    continue
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            self.close_connection = True
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = do_PATCH = _serve


def client_gone(connection: socket.socket) -> bool:
    """Whether the peer has closed (or reset) the connection: readable with nothing to read. A client that is
    sending something while it waits for its answer is not gone."""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        if not readable:
            return False
        return connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


class EndpointServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], front_door: FrontDoor) -> None:
        self.front_door = front_door
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        with contextlib.suppress(OSError):
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()
