"""A street-tile server of the tests' own, on 127.0.0.1: every /{z}/{x}/{y}.png is one generated 256x256 PNG, or
(mode "hang") an answer that never comes, or (mode "fail") HTTP 500. It records the paths asked for.

Used by the tile and language browser tests and by benchmarks/dashboard_latency.py: the dashboard's tiles come from
the network, which tests and benchmarks must not depend on.
"""

import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TILE_COLOUR = (0x9C, 0xC8, 0xE8)  # a flat light blue, easy to tell from the offline basemap's beige


def png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    """A truecolour PNG of one colour (signature, IHDR, one zlib IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(colour) * width  # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


TILE = png(256, 256, TILE_COLOUR)


@dataclass
class TileServer:
    url: str  # http://127.0.0.1:PORT
    mode: str
    requests: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def template(self) -> str:
        return f"{self.url}/{{z}}/{{x}}/{{y}}.png"


@contextmanager
def tile_server(mode: str = "ok") -> Iterator[TileServer]:
    """A tile server on a free port of 127.0.0.1 for the `with` block; mode: ok | hang | fail."""
    assert mode in ("ok", "hang", "fail")
    holder: dict[str, TileServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served = holder["server"]
            served.requests.append(self.path)
            if served.mode == "hang":
                served.release.wait(60)  # until the block ends: the browser gets no answer meanwhile
                return
            if served.mode == "fail":
                self.send_error(500, "tile server failing on purpose")
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(TILE)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(TILE)

        def log_message(self, format: str, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    served = TileServer(url=f"http://127.0.0.1:{httpd.server_address[1]}", mode=mode)
    holder["server"] = served
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.release.set()
        httpd.shutdown()
        httpd.server_close()
