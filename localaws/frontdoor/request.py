"""One HTTP request as the front door sees it, read once from the WSGI environ, and the raw answers it gives."""

import base64
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

# A PutRecords call is at most 5 MiB of data, base64 in JSON: about 7 MiB. Anything much larger is refused unread.
MAX_BODY_BYTES = 16 * 1024 * 1024
CORS_EXPOSED = "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date"


class BodyTooLarge(Exception):
    pass


@dataclass
class Request:
    method: str
    raw_path: str  # as sent, percent-encoded, without the query string
    query_string: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    remote_addr: str
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> "Request":
        headers = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                headers[key[5:].replace("_", "-").lower()] = value
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        if environ.get("CONTENT_LENGTH"):
            headers["content-length"] = environ["CONTENT_LENGTH"]
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
        raw_path = raw_uri.split("?", 1)[0] or "/"
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise BodyTooLarge(length)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        return cls(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            raw_path=raw_path,
            query_string=environ.get("QUERY_STRING", ""),
            headers=headers,
            body=body,
            remote_addr=environ.get("REMOTE_ADDR", ""),
        )

    @property
    def path(self) -> str:
        return self.raw_path

    @property
    def content_type(self) -> str:
        """The media type, lower-case, without parameters or spaces (AWS ignores both)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    # A streamed body (an event stream), sent chunk by chunk as it comes instead of `body`; an empty chunk is
    # "nothing yet": the server sends nothing for it but may check that the client is still there. Closing the
    # iterator ends what produces it (the server closes it when the client goes away).
    stream: Iterator[bytes] | None = None

    def send(self, start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = {name: value for name, value in self.headers.items() if name.lower() != "content-length"}
        if self.stream is not None:
            start_response(f"{self.status} {_REASONS.get(self.status, 'Status')}", list(headers.items()))
            return self.stream
        headers["Content-Length"] = str(len(self.body))
        start_response(f"{self.status} {_REASONS.get(self.status, 'Status')}", list(headers.items()))
        return [self.body]


_REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    421: "Misdirected Request",
    500: "Internal Server Error",
}


def aws_headers(request: Request, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The headers every AWS API answer carries, CORS included when a browser asks (Origin)."""
    headers = {"x-amzn-RequestId": request.request_id, "x-amz-id-2": base64.b64encode(os.urandom(72)).decode()}
    if "origin" in request.headers:
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
    if extra:
        headers.update(extra)
    return headers
