"""HTTP/2 cleartext with prior knowledge, on the endpoint's one port: what the AWS SDK for JavaScript v3 in Node
speaks for SubscribeToShard (its NodeHttp2Handler), and then for every other call on the same session.

http.py sees the client preface ("PRI * HTTP/2.0") on a new connection and hands the socket here. One thread
reads frames (the connection's); each request, once its body has arrived, is answered on a thread of its own by
the same FrontDoor.handle(Request) the HTTP/1.1 server calls, so a subscription streaming for minutes holds up
nothing else. Answers go out as DATA frames within the peer's flow-control windows (a sender waits for its
WINDOW_UPDATE); received data is acknowledged as it is taken, so a client's uploads are never stalled. A stream
the client resets, or a connection that ends, closes the answer's chunk iterator (ending a subscription).
"""

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import BinaryIO

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

from localaws.frontdoor.app import FrontDoor
from localaws.frontdoor.request import MAX_BODY_BYTES, Answer, Request

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# A sender waiting for window, or a streamed answer between chunks, looks at the connection this often.
WAIT_SECONDS = 0.25
READ_BYTES = 65_536
_GOAWAY = 0x7
# Headers HTTP/2 forbids (connection-specific) or that we compute.
_DROPPED = frozenset({"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length"})


class _Gone(Exception):
    """The stream was reset or the connection ended while an answer was going out."""


class _Incoming:
    __slots__ = ("body", "headers", "size")

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.headers = headers
        self.body: list[bytes] = []
        self.size = 0


class _GoawayFilter:
    """Passes the client's bytes on whole frames at a time, without its GOAWAY frames.

    The h2 library closes its side of the connection on a received GOAWAY and will send nothing more, while
    HTTP/2 lets the streams already open run on; Node's client sends GOAWAY (session.close()) as soon as an
    event stream's answer has begun, and then reads that stream to its end. So GOAWAY is kept from the library:
    the client opens no new streams after it anyway, and the connection ends when the client closes it."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._preface = len(PREFACE)

    def feed(self, data: bytes) -> bytes:
        self._buffer += data
        out = bytearray()
        if self._preface:
            taken = min(self._preface, len(self._buffer))
            out += self._buffer[:taken]
            del self._buffer[:taken]
            self._preface -= taken
        while len(self._buffer) >= 9:
            end = 9 + int.from_bytes(self._buffer[:3], "big")
            if len(self._buffer) < end:
                break
            if self._buffer[3] != _GOAWAY:
                out += self._buffer[:end]
            del self._buffer[:end]
        return bytes(out)


class Session:
    def __init__(self, sock: socket.socket, rfile: BinaryIO, front_door: FrontDoor, remote_addr: str) -> None:
        self.sock = sock
        self.rfile = rfile
        self.front_door = front_door
        self.remote_addr = remote_addr
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8", validate_inbound_headers=True)
        self.conn = h2.connection.H2Connection(config)
        self.lock = threading.Lock()  # the connection's state and the socket's writes
        self.window = threading.Condition(self.lock)
        self.frames = _GoawayFilter()
        self.incoming: dict[int, _Incoming] = {}
        self.reset: set[int] = set()
        self.active = 0  # requests being answered
        self.closed = False

    # --- the reading thread ----------------------------------------------------------------------

    def run(self) -> None:
        try:
            with self.lock:
                self.conn.initiate_connection()
                self.conn.update_settings({h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1000})
                self._flush()
            while not self.closed:
                try:
                    data = self.rfile.read1(READ_BYTES)  # type: ignore[attr-defined]
                except TimeoutError:
                    if self.active:
                        continue  # quiet, but answers (subscriptions) are still streaming
                    break
                if not data:
                    break
                data = self.frames.feed(data)
                if not data:
                    continue
                with self.lock:
                    try:
                        events = self.conn.receive_data(data)
                    except h2.exceptions.ProtocolError:
                        self._flush()
                        break
                    for event in events:
                        self._on(event)
                    self._flush()
        except OSError:
            pass
        finally:
            with self.lock:
                self.closed = True
                self.window.notify_all()

    def _on(self, event: h2.events.Event) -> None:
        """One event; called with the lock held."""
        if isinstance(event, h2.events.RequestReceived):
            self.incoming[event.stream_id] = _Incoming(list(event.headers or []))  # type: ignore[arg-type]
            if event.stream_ended is not None:
                self._dispatch(event.stream_id)
        elif isinstance(event, h2.events.DataReceived):
            pending = self.incoming.get(event.stream_id)
            data = event.data or b""
            if event.flow_controlled_length:
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            if pending is not None:
                pending.size += len(data)
                if pending.size > MAX_BODY_BYTES:
                    del self.incoming[event.stream_id]
                    self.conn.reset_stream(event.stream_id, h2.errors.ErrorCodes.REFUSED_STREAM)
                else:
                    pending.body.append(data)
            if event.stream_ended is not None:
                self._dispatch(event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self._dispatch(event.stream_id)
        elif isinstance(event, h2.events.StreamReset):
            self.incoming.pop(event.stream_id, None)
            self.reset.add(event.stream_id)
            self.window.notify_all()
        elif isinstance(event, h2.events.WindowUpdated | h2.events.RemoteSettingsChanged):
            self.window.notify_all()
        # No ConnectionTerminated: _GoawayFilter keeps the client's GOAWAY from the library (see there).

    def _dispatch(self, stream_id: int) -> None:
        pending = self.incoming.pop(stream_id, None)
        if pending is None:
            return
        self.active += 1
        threading.Thread(target=self._answer, args=(stream_id, pending), daemon=True).start()

    def _flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    # --- a request's thread ----------------------------------------------------------------------

    def _request(self, pending: _Incoming) -> Request:
        pseudo: dict[str, str] = {}
        headers: dict[str, str] = {}
        for name, value in pending.headers:
            if name.startswith(":"):
                pseudo[name] = value
            elif name == "cookie" and name in headers:
                headers[name] = f"{headers[name]}; {value}"
            else:
                headers[name] = f"{headers[name]},{value}" if name in headers else value
        if ":authority" in pseudo:
            # The JS SDK signs ":authority" as a header (SignedHeaders=:authority;...): SigV4 needs to see it.
            headers[":authority"] = pseudo[":authority"]
            headers.setdefault("host", pseudo[":authority"])
        raw_path, _, query = pseudo.get(":path", "/").partition("?")
        return Request(
            method=pseudo.get(":method", "GET").upper(),
            raw_path=raw_path or "/",
            query_string=query,
            headers=headers,
            body=b"".join(pending.body),
            remote_addr=self.remote_addr,
        )

    def _answer(self, stream_id: int, pending: _Incoming) -> None:
        chunks: Iterator[bytes] | None = None
        try:
            request = self._request(pending)
            answer = self.front_door.handle(request)
            chunks = answer.stream
            self._send_headers(stream_id, answer, request.method == "HEAD")
            if request.method == "HEAD":
                return
            if chunks is None:
                self._send(stream_id, answer.body, end=True)
                return
            for chunk in chunks:
                if chunk:
                    self._send(stream_id, chunk, end=False)
                elif self._gone(stream_id):
                    return
            self._send(stream_id, b"", end=True)
        except (_Gone, OSError, h2.exceptions.H2Error):
            pass  # the client reset the stream or went away: nothing more to send
        finally:
            if chunks is not None:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
            with self.lock:
                self.active -= 1
                self.reset.discard(stream_id)

    def _gone(self, stream_id: int) -> bool:
        return self.closed or stream_id in self.reset

    def _send_headers(self, stream_id: int, answer: Answer, head: bool) -> None:
        headers = [(":status", str(answer.status))]
        headers += [(name.lower(), value) for name, value in answer.headers.items() if name.lower() not in _DROPPED]
        if answer.stream is None:
            headers.append(("content-length", str(len(answer.body))))
        with self.lock:
            if self._gone(stream_id):
                raise _Gone
            self.conn.send_headers(stream_id, headers, end_stream=head)
            self._flush()

    def _send(self, stream_id: int, data: bytes, end: bool) -> None:
        """`data` as DATA frames, each within the stream's and the connection's windows and the frame size."""
        view = memoryview(data)
        while True:
            with self.lock:
                if not view:
                    if end:
                        if self._gone(stream_id):
                            raise _Gone
                        self.conn.end_stream(stream_id)
                        self._flush()
                    return
                while True:
                    if self._gone(stream_id):
                        raise _Gone
                    room = self.conn.local_flow_control_window(stream_id)
                    if room > 0:
                        break
                    self.window.wait(WAIT_SECONDS)
                size = min(room, self.conn.max_outbound_frame_size, len(view))
                last = end and size == len(view)
                self.conn.send_data(stream_id, view[:size].tobytes(), end_stream=last)
                self._flush()
                view = view[size:]
                if last:
                    return


def serve(sock: socket.socket, rfile: BinaryIO, front_door: FrontDoor, remote_addr: str) -> None:
    """Serve one HTTP/2 connection until it ends (the preface is still unread in `rfile`)."""
    session = Session(sock, rfile, front_door, remote_addr)
    session.run()
    with contextlib.suppress(OSError), session.lock:
        session.conn.close_connection()
        session._flush()
