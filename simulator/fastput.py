"""A lean PutRecords call: the herd's hot path, without boto3's per-call and per-entry overhead.

boto3 validates, serialises and parses each of the up to 500 entries of a PutRecords call through its generic
machinery, and its signer and HTTP stack cost about a millisecond a call: at 10,000 unicorns more CPU than the
unicorns themselves, for one unicorn more than the workshop's Go producer spends in all. This client builds the
JSON body directly, signs it with SigV4 itself (the signing key derived once a day per secret; credentials taken
from the botocore chain on each call, so refreshing ones are refreshed), sends it over a keep-alive connection per
sending thread, and raises botocore's ClientError for AWS errors, so callers cannot tell it from
`boto3.client("kinesis").put_records`.
"""

import base64
import functools
import hashlib
import hmac
import json
import socket
import threading
import time
from typing import Any
from urllib.parse import quote, urlsplit

from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

TARGET = "Kinesis_20131202.PutRecords"
CONTENT_TYPE = "application/x-amz-json-1.1"
ALGORITHM = "AWS4-HMAC-SHA256"
USER_AGENT = "wildrydes-simulator"


# A herd sends the same partition keys (its unicorns' names) every second: escape each once, not once a record.
_json_key = functools.lru_cache(maxsize=100_000)(json.dumps)


class _ServerClosed(ConnectionResetError):
    """The server closed the connection without an answer (http.client's RemoteDisconnected, without importing
    http.client and the email parser it loads: 30 ms of the producer's start-up)."""


class _BadReply(ValueError):
    """An answer that is not HTTP/1.x, or shorter than it said."""


# Errors of a connection the server closed while it idled (it keeps them 120 s): the call is made once more on a
# new connection, as the SDKs do. Nothing of the request was processed.
_STALE = (_ServerClosed, ConnectionResetError, BrokenPipeError)


class PutRecordsClient:
    def __init__(self, endpoint_url: str, region: str, credentials: Any, timeout: float = 10.0):
        """`credentials`: botocore credentials (refreshing ones are refreshed on each call), or None."""
        self.url = endpoint_url.rstrip("/") + "/"
        parts = urlsplit(self.url)
        self._https = parts.scheme == "https"
        self._host = parts.netloc
        self._path = quote(parts.path or "/", safe="/~")
        self.region = region
        self._credentials = credentials
        self._timeout = timeout
        self._scope_tail = f"{region}/kinesis/aws4_request"
        self._keys: dict[tuple[str, str], bytes] = {}
        self._local = threading.local()

    def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:
        if self._credentials is None:
            raise NoCredentialsError()
        frozen = self._credentials.get_frozen_credentials()
        b64encode = base64.b64encode
        entries = ",".join(
            f'{{"Data":"{b64encode(entry["Data"]).decode()}","PartitionKey":{_json_key(entry["PartitionKey"])}}}'
            for entry in Records
        )
        body = f'{{"StreamName":{json.dumps(StreamName)},"Records":[{entries}]}}'.encode()
        headers = self._signed_headers(frozen, body)
        status, data = self._send(body, headers)
        try:
            payload = json.loads(data or b"{}")
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        if status >= 400:
            code = str(payload.get("__type", status)).rsplit("#", 1)[-1]
            message = payload.get("message") or payload.get("Message") or ""
            raise ClientError(
                {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
                "PutRecords",
            )
        return payload

    # -- signing -----------------------------------------------------------------------------------------

    def _signing_key(self, secret: str, date: str) -> bytes:
        key = self._keys.get((secret, date))
        if key is None:
            key = hmac.digest(("AWS4" + secret).encode(), date.encode(), "sha256")
            for part in (self.region, "kinesis", "aws4_request"):
                key = hmac.digest(key, part.encode(), "sha256")
            self._keys = {(secret, date): key}  # one day's key of the current secret is all that is ever needed
        return key

    def _signed_headers(self, frozen: Any, body: bytes) -> dict[str, str]:
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        date = amz_date[:8]
        signed = {"content-type": CONTENT_TYPE, "host": self._host, "x-amz-date": amz_date}
        if frozen.token:
            signed["x-amz-security-token"] = frozen.token
        signed["x-amz-target"] = TARGET
        names = ";".join(signed)  # already in sorted order
        canonical = "\n".join(
            (
                "POST",
                self._path,
                "",
                "".join(f"{name}:{value}\n" for name, value in signed.items()),
                names,
                hashlib.sha256(body).hexdigest(),
            )
        )
        scope = f"{date}/{self._scope_tail}"
        to_sign = f"{ALGORITHM}\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signature = hmac.digest(self._signing_key(frozen.secret_key, date), to_sign.encode(), "sha256").hex()
        headers = {
            "Content-Type": CONTENT_TYPE,
            "X-Amz-Target": TARGET,
            "X-Amz-Date": amz_date,
            "Authorization": (
                f"{ALGORITHM} Credential={frozen.access_key}/{scope}, SignedHeaders={names}, Signature={signature}"
            ),
            "User-Agent": USER_AGENT,
            "Accept-Encoding": "identity",
        }
        if frozen.token:
            headers["X-Amz-Security-Token"] = frozen.token
        return headers

    # -- HTTP ----------------------------------------------------------------------------------------------
    # A request is one sendall() (headers and body together: no Nagle wait between them) on a TCP_NODELAY socket,
    # the answer read by hand: http.client's two sends and email-parsed headers cost more than the call itself.

    def _connection(self) -> tuple["_Connection", bool]:
        """This thread's connection, and whether it was used before (then the server may have closed it)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            return connection, True
        connection = _Connection(self._host, self._https, self._timeout)
        self._local.connection = connection
        return connection, False

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()

    def _send(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = (
            f"POST {self._path} HTTP/1.1\r\nHost: {self._host}\r\n{head}Content-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1") + body
        for _ in range(2):
            try:
                connection, reused = self._connection()
                status, data, keep = connection.exchange(request)
            except _STALE as error:
                self._drop()
                if reused:
                    continue
                raise EndpointConnectionError(endpoint_url=self.url, error=error) from None
            except (OSError, ValueError) as error:
                self._drop()
                raise EndpointConnectionError(endpoint_url=self.url, error=error) from None
            if not keep:
                self._drop()
            return status, data
        raise AssertionError("unreachable")  # pragma: no cover


class _Connection:
    """One keep-alive HTTP/1.1 connection (TLS for https), used by one thread at a time."""

    def __init__(self, netloc: str, https: bool, timeout: float):
        host, _, port = netloc.rpartition(":") if netloc.rsplit(":", 1)[-1].isdigit() else (netloc, "", "")
        host = host.strip("[]")
        sock = socket.create_connection((host, int(port) if port else (443 if https else 80)), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if https:
            import ssl  # 18 ms to import: only for real AWS

            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        self._sock = sock
        self._reader = sock.makefile("rb")

    def close(self) -> None:
        self._reader.close()
        self._sock.close()

    def exchange(self, request: bytes) -> tuple[int, bytes, bool]:
        """(status, body, whether the connection stays open) for one request."""
        self._sock.sendall(request)
        line = self._reader.readline(65537)
        if not line:
            raise _ServerClosed("the server closed the connection without an answer")
        parts = line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
            raise _BadReply(f"not an HTTP status line: {line.decode('latin-1', 'replace')!r}")
        status = int(parts[1])
        length: int | None = None
        chunked = False
        keep = parts[0] == b"HTTP/1.1"
        while True:
            header = self._reader.readline(65537)
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                keep = value.strip().lower() != b"close"
        if chunked:
            chunks = []
            while True:
                size = int(self._reader.readline(1024).split(b";", 1)[0], 16)
                if size == 0:
                    while self._reader.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self._reader.read(size))
                self._reader.readline(1024)
            return status, b"".join(chunks), keep
        if length is None:
            return status, self._reader.read(), False  # the body ends with the connection
        data = self._reader.read(length)
        if len(data) < length:
            raise _BadReply(f"the body ended {length - len(data)} bytes short")
        return status, data, keep
