"""The front door over HTTP, as AWS's: SigV4 problems answered in AWS's words (JSON services and the query services
STS and IAM each in their own), presigned URLs, CBOR, unknown operations, malformed Authorization headers (never a
500), oversized bodies refused unread, keep-alive; and, in-process, that serving requests leaves moto's modules and
classes as they were, and that another moto version refuses to start."""

import datetime
import hashlib
import http.client
import importlib
import inspect
import json
import re
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localaws import pins
from localaws.wire import cbor
from tests.conftest import REGION

JSON_11 = "application/x-amz-json-1.1"
CBOR_11 = "application/x-amz-cbor-1.1"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
KINESIS_TARGET = "Kinesis_20131202."
NO_SUCH_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


class SigV4At(botocore.auth.SigV4Auth):
    """botocore's SigV4 signer with the signing time given (to make an old signature)."""

    def __init__(self, credentials, service: str, region: str, when: datetime.datetime) -> None:
        super().__init__(credentials, service, region)
        self._when = when

    def add_auth(self, request) -> None:
        request.context["timestamp"] = self._when.strftime(botocore.auth.SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        string_to_sign = self.string_to_sign(request, self.canonical_request(request))
        self._inject_signature_to_request(request, self.signature(string_to_sign, request))


def host_of(endpoint) -> str:
    return urlsplit(endpoint.url).netloc


def signed(
    endpoint,
    service: str,
    body: bytes,
    headers: dict[str, str],
    *,
    key: tuple[str, str] | None = None,
    path: str = "/",
    when: datetime.datetime | None = None,
    region: str = REGION,
) -> dict[str, str]:
    request = botocore.awsrequest.AWSRequest(
        method="POST", url=f"http://{host_of(endpoint)}{path}", data=body, headers=headers
    )
    credentials = botocore.credentials.Credentials(*(key or endpoint.admin_key()))
    if when is None:
        botocore.auth.SigV4Auth(credentials, service, region).add_auth(request)
    else:
        SigV4At(credentials, service, region, when).add_auth(request)
    return dict(request.headers.items())


def send(endpoint, method: str, path: str, body: bytes, headers: dict[str, str], connection=None):
    """One request; returns (status, lower-case headers, body). Reuses `connection` when given."""
    own = connection is None
    if own:
        parts = urlsplit(endpoint.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={"Host": host_of(endpoint), **headers})
        reply = connection.getresponse()
        return reply.status, {name.lower(): value for name, value in reply.getheaders()}, reply.read()
    finally:
        if own:
            connection.close()


def kinesis_headers(operation: str, content_type: str = JSON_11) -> dict[str, str]:
    return {"Content-Type": content_type, "X-Amz-Target": KINESIS_TARGET + operation}


def json_error(reply) -> tuple[int, str, str | None]:
    status, _, body = reply
    document = json.loads(body)
    return status, document["__type"], document.get("message")


def query_error(reply) -> tuple[int, str, str]:
    status, _, body = reply
    text = body.decode()
    code = text.split("<Code>", 1)[1].split("</Code>", 1)[0]
    message = text.split("<Message>", 1)[1].split("</Message>", 1)[0] if "<Message>" in text else ""
    return status, code, message


STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
IAM_BODY = b"Action=ListRoles&Version=2010-05-08"
QUERY_SERVICES = [("sts", STS_BODY), ("iam", IAM_BODY)]


# --- SigV4, in AWS's words --------------------------------------------------------------------------------------


def test_no_signature_is_missing_authentication_token(endpoint):
    reply = send(endpoint, "POST", "/", b"{}", kinesis_headers("ListStreams"))
    assert json_error(reply) == (400, "MissingAuthenticationTokenException", "Missing Authentication Token")
    for service, body in QUERY_SERVICES:
        reply = send(endpoint, "POST", "/", body, {"Content-Type": FORM})
        assert query_error(reply) == (403, "MissingAuthenticationToken", "Request is missing Authentication Token"), (
            service
        )


def test_an_incomplete_authorization_header_names_what_is_missing(endpoint):
    headers = {**kinesis_headers("ListStreams"), "Authorization": "X"}
    assert json_error(send(endpoint, "POST", "/", b"{}", headers)) == (
        400,
        "IncompleteSignatureException",
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either "
        "a 'X-Amz-Date' or a 'Date' header. Authorization=X",
    )
    headers = {**kinesis_headers("ListStreams"), "Authorization": "AWS4- Signature=b, Credential=a", "Date": "a"}
    assert json_error(send(endpoint, "POST", "/", b"{}", headers)) == (
        400,
        "IncompleteSignatureException",
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a",
    )
    status, code, message = query_error(
        send(endpoint, "POST", "/", STS_BODY, {"Content-Type": FORM, "Authorization": "X"})
    )
    assert (status, code) == (400, "IncompleteSignature")
    assert "Authorization header requires 'Credential' parameter." in message


def test_a_signature_in_both_header_and_query_is_invalid(endpoint):
    headers = signed(endpoint, "kinesis", b"{}", kinesis_headers("ListStreams"))
    reply = send(endpoint, "POST", "/?X-Amz-Algorithm", b"{}", headers)
    assert json_error(reply) == (
        400,
        "InvalidSignatureException",
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    )
    reply = send(endpoint, "POST", "/?X-Amz-Algorithm", b"{}", kinesis_headers("ListStreams"))
    status, code, message = json_error(reply)
    assert (status, code) == (400, "IncompleteSignatureException")
    assert message.endswith("Re-examine the query-string parameters.")


def test_a_wrong_secret_is_invalid_signature(endpoint):
    key_id, secret = endpoint.admin_key()
    wrong = (key_id, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    headers = signed(endpoint, "kinesis", b"{}", kinesis_headers("ListStreams"), key=wrong)
    status, code, message = json_error(send(endpoint, "POST", "/", b"{}", headers))
    assert (status, code) == (400, "InvalidSignatureException")
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    # A body changed after signing is the same mismatch.
    headers = signed(endpoint, "kinesis", b"{}", kinesis_headers("ListStreams"))
    assert json_error(send(endpoint, "POST", "/", b'{"Limit": 1}', headers))[1] == "InvalidSignatureException"
    for service, body in QUERY_SERVICES:
        headers = signed(endpoint, service, body, {"Content-Type": FORM}, key=wrong)
        status, code, message = query_error(send(endpoint, "POST", "/", body, headers))
        assert (status, code) == (403, "SignatureDoesNotMatch"), service
        assert message.startswith("The request signature we calculated does not match")


def test_an_unknown_key_is_unrecognized(endpoint):
    headers = signed(endpoint, "kinesis", b"{}", kinesis_headers("ListStreams"), key=NO_SUCH_KEY)
    assert json_error(send(endpoint, "POST", "/", b"{}", headers)) == (
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
    for service, body in QUERY_SERVICES:
        headers = signed(endpoint, service, body, {"Content-Type": FORM}, key=NO_SUCH_KEY)
        assert query_error(send(endpoint, "POST", "/", body, headers)) == (
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ), service


def test_a_long_term_key_with_a_session_token_is_unrecognized(endpoint):
    """A stale AWS_SESSION_TOKEN left beside an admin key: AWS refuses the pair, it does not ignore the token."""
    headers = {**kinesis_headers("ListStreams"), "X-Amz-Security-Token": "stale-token"}
    headers = signed(endpoint, "kinesis", b"{}", headers)
    assert json_error(send(endpoint, "POST", "/", b"{}", headers)) == (
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
    headers = signed(endpoint, "sts", STS_BODY, {"Content-Type": FORM, "X-Amz-Security-Token": "stale-token"})
    assert query_error(send(endpoint, "POST", "/", STS_BODY, headers))[:2] == (403, "InvalidClientTokenId")


@pytest.mark.parametrize("region", ["moon-1", "US-EAST-1", "us-east-1a", "local"])
def test_a_credential_scoped_to_no_real_region_is_refused(endpoint, region):
    """A region botocore does not know (a typo, another case) would reach no AWS endpoint; here it is refused in
    AWS's words instead of making streams in a region of its own."""
    body = json.dumps({"StreamName": "moon-stream", "ShardCount": 1}).encode()
    headers = signed(endpoint, "kinesis", body, kinesis_headers("CreateStream"), region=region)
    assert json_error(send(endpoint, "POST", "/", body, headers)) == (
        400,
        "InvalidSignatureException",
        f"Credential should be scoped to a valid region, not '{region}'. ",
    )
    headers = signed(endpoint, "sts", STS_BODY, {"Content-Type": FORM}, region=region)
    status, code, message = query_error(send(endpoint, "POST", "/", STS_BODY, headers))
    assert (status, code, message) == (
        403,
        "SignatureDoesNotMatch",
        f"Credential should be scoped to a valid region, not '{region}'. ",
    )
    # Real regions are served, each apart.
    for real in ("us-east-1", "eu-west-1", "ap-northeast-2"):
        assert "moon-stream" not in endpoint.client("kinesis", region=real).list_streams()["StreamNames"]


def test_a_signature_twenty_minutes_old_has_expired(endpoint):
    old = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    headers = signed(endpoint, "kinesis", b"{}", kinesis_headers("ListStreams"), when=old)
    status, code, message = json_error(send(endpoint, "POST", "/", b"{}", headers))
    assert (status, code) == (400, "InvalidSignatureException")
    assert message.startswith(f"Signature expired: {old.strftime('%Y%m%dT%H%M%SZ')} is now earlier than ")
    assert message.endswith(" - 15 min.)")
    headers = signed(endpoint, "sts", STS_BODY, {"Content-Type": FORM}, when=old)
    status, code, message = query_error(send(endpoint, "POST", "/", STS_BODY, headers))
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert message.startswith("Signature expired:")
    # Ten minutes is within AWS's 15-minute skew.
    recent = old + datetime.timedelta(minutes=10)
    headers = signed(endpoint, "kinesis", b"{}", kinesis_headers("ListStreams"), when=recent)
    assert send(endpoint, "POST", "/", b"{}", headers)[0] == 200


class SigV4QueryWithBody(botocore.auth.SigV4QueryAuth):
    """botocore's presigner signs a POST's body as empty (it moves form bodies into the query); a JSON body stays
    the body, so its hash is the one signed."""

    def __init__(self, credentials, service: str, region: str, body: bytes) -> None:
        super().__init__(credentials, service, region, expires=300)
        self._body = body

    def payload(self, request) -> str:
        return hashlib.sha256(self._body).hexdigest()


def presigned_url(endpoint, service: str, method: str, url: str, body: bytes = b"", headers=None) -> str:
    request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers or {})
    credentials = botocore.credentials.Credentials(*endpoint.admin_key())
    SigV4QueryWithBody(credentials, service, REGION, body).add_auth(request)
    return request.url


def test_a_presigned_query_signature_works(endpoint):
    url = presigned_url(endpoint, "sts", "GET", f"{endpoint.url}/?Action=GetCallerIdentity&Version=2011-06-15")
    parts = urlsplit(url)
    status, _, body = send(endpoint, "GET", f"{parts.path}?{parts.query}", b"", {})
    assert status == 200, body
    assert b"<Account>123456789012</Account>" in body

    headers = kinesis_headers("ListStreams")
    url = presigned_url(endpoint, "kinesis", "POST", f"{endpoint.url}/", b"{}", headers)
    parts = urlsplit(url)
    status, _, body = send(endpoint, "POST", f"{parts.path}?{parts.query}", b"{}", headers)
    assert status == 200, body
    assert "StreamNames" in json.loads(body)
    # The same URL with another signature is refused.
    query = parts.query.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    status, code, _ = json_error(send(endpoint, "POST", f"/?{query}", b"{}", headers))
    assert (status, code) == (400, "InvalidSignatureException")


# --- the wire ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cbor_stream(endpoint) -> Iterator[str]:
    """A stream of its own on the shared endpoint, deleted afterwards (other tests list the account's streams)."""
    kinesis = endpoint.client("kinesis")
    kinesis.create_stream(StreamName="frontdoor-cbor", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="frontdoor-cbor", WaiterConfig={"Delay": 0.2})
    yield "frontdoor-cbor"
    kinesis.delete_stream(StreamName="frontdoor-cbor", EnforceConsumerDeletion=True)


def cbor_call(endpoint, operation: str, params: dict):
    body = cbor.dumps(params)
    headers = signed(endpoint, "kinesis", body, kinesis_headers(operation, CBOR_11))
    status, headers, reply = send(endpoint, "POST", "/", body, headers)
    return status, headers, cbor.loads(reply)


def test_cbor_put_record_and_get_records_round_trip(endpoint, cbor_stream):
    data = bytes(range(256)) + "unicorn 🦄".encode()
    status, headers, put = cbor_call(
        endpoint, "PutRecord", {"StreamName": cbor_stream, "PartitionKey": "Shadowfax", "Data": data}
    )
    assert status == 200, put
    assert headers["content-type"] == CBOR_11
    assert put["ShardId"] == "shardId-000000000000"
    assert len(put["SequenceNumber"]) == 56
    status, _, shard_iterator = cbor_call(
        endpoint,
        "GetShardIterator",
        {"StreamName": cbor_stream, "ShardId": put["ShardId"], "ShardIteratorType": "TRIM_HORIZON"},
    )
    assert status == 200
    status, _, got = cbor_call(endpoint, "GetRecords", {"ShardIterator": shard_iterator["ShardIterator"]})
    assert status == 200
    [record] = got["Records"]
    assert record["Data"] == data  # a CBOR byte string, not base64 text
    assert isinstance(record["Data"], bytes)
    assert (record["PartitionKey"], record["SequenceNumber"]) == ("Shadowfax", put["SequenceNumber"])
    # JSON clients see the same record.
    kinesis = endpoint.client("kinesis")
    iterator = kinesis.get_shard_iterator(
        StreamName=cbor_stream, ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    assert kinesis.get_records(ShardIterator=iterator)["Records"][0]["Data"] == data
    # Errors come back in CBOR too.
    status, _, error = cbor_call(endpoint, "DescribeStreamSummary", {"StreamName": "no-such-stream"})
    assert (status, error["__type"]) == (400, "ResourceNotFoundException")


@pytest.mark.parametrize("content_type", [JSON_11, CBOR_11])
def test_an_unknown_operation_is_unknown_operation_exception(endpoint, content_type):
    body = cbor.dumps({}) if content_type == CBOR_11 else b"{}"
    for operation in ("Nope", "listStreams", ""):
        headers = signed(endpoint, "kinesis", body, kinesis_headers(operation, content_type))
        status, headers, reply = send(endpoint, "POST", "/", body, headers)
        document = cbor.loads(reply) if content_type == CBOR_11 else json.loads(reply)
        assert (status, document["__type"]) == (400, "UnknownOperationException"), operation
    # Even unsigned: the operation is looked up before the signature.
    status, _, reply = send(endpoint, "POST", "/", b"{}", kinesis_headers("Nope"))
    assert (status, json.loads(reply)["__type"]) == (400, "UnknownOperationException")


MALFORMED_AUTHORIZATIONS = [
    "",
    " ",
    "AWS4-HMAC-SHA256",
    "AWS4-HMAC-SHA256 ",
    "AWS4-HMAC-SHA256 Credential=",
    "AWS4-HMAC-SHA256 Credential=/, SignedHeaders=, Signature=",
    "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=zz",
    "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=zz",
    "AWS4-HMAC-SHA256 Credential=AKIA/x/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00",
    "AWS4-HMAC-SHA256 Credential=AKIA/20260101//kinesis/aws4_request, SignedHeaders=;;;, Signature=00",
    "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00",
    "AWS4-HMAC-SHA256 Credential==, =, ==, Signature==",
    "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/kinesis/aws4_request/extra/parts, SignedHeaders=x, "
    "Signature=1",
    "AWS4-HMAC-SHA256 Credential=" + "A" * 20000,
    "AWS AKIA:signature",
    "Bearer abc.def.ghi",
    "AWS4-HMAC-SHA256 Credential=\u00e9\u00e8/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0",
]
MALFORMED_DATES = ["", "x", "20261301T000000Z", "99999999T999999Z", "Mon, 99 Foo 2026 00:00:00 GMT", "0" * 500]


def test_a_malformed_authorization_header_is_never_a_500(endpoint):
    parts = urlsplit(endpoint.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        for authorization in MALFORMED_AUTHORIZATIONS:
            for date in MALFORMED_DATES:
                for base, body in [(kinesis_headers("ListStreams"), b"{}"), ({"Content-Type": FORM}, STS_BODY)]:
                    headers = {**base, "Authorization": authorization, "X-Amz-Date": date}
                    status, _, reply = send(endpoint, "POST", "/", body, headers, connection)
                    assert 400 <= status < 500, (authorization, date, status, reply)
        for query in ["X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%ZZ", "X-Amz-Date=&X-Amz-Algorithm=x"]:
            status, _, reply = send(endpoint, "POST", f"/?{query}", b"{}", kinesis_headers("ListStreams"), connection)
            assert 400 <= status < 500, (query, status, reply)
    finally:
        connection.close()


_header_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=300
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    authorization=st.one_of(_header_text, _header_text.map(lambda text: "AWS4-HMAC-SHA256 " + text)),
    date=_header_text,
)
def test_any_authorization_header_is_answered_below_500(endpoint, authorization, date):
    headers = {**kinesis_headers("ListStreams"), "Authorization": authorization, "X-Amz-Date": date}
    status, _, reply = send(endpoint, "POST", "/", b"{}", headers)
    assert 400 <= status < 500, (status, reply)


# --- HTTP -------------------------------------------------------------------------------------------------------


def raw_exchange(endpoint, head: bytes, body_part: bytes) -> bytes:
    """Send a request head and the start of its body; read what the server answers, until it closes the connection
    (a server that waited for the rest of the body would time out here instead)."""
    parts = urlsplit(endpoint.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as connection:
        connection.sendall(head + body_part)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
        return received


def test_a_body_over_16_mib_is_refused_without_being_read(endpoint):
    announced = 17 * 1024 * 1024
    head = (
        f"POST / HTTP/1.1\r\nHost: {host_of(endpoint)}\r\nContent-Type: {JSON_11}\r\n"
        f"X-Amz-Target: Kinesis_20131202.PutRecords\r\nContent-Length: {announced}\r\n\r\n"
    ).encode()
    answer = raw_exchange(endpoint, head, b"{" + b" " * 1024)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"connection: close" in answer.lower()
    # A chunked body announcing a chunk over the limit is refused at its size line.
    head = (
        f"POST / HTTP/1.1\r\nHost: {host_of(endpoint)}\r\nContent-Type: {JSON_11}\r\n"
        f"X-Amz-Target: Kinesis_20131202.PutRecords\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    answer = raw_exchange(endpoint, head, b"%x\r\n" % announced + b" " * 1024)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    # The endpoint still serves.
    assert endpoint.client("kinesis").list_streams()["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize("length", ["-1", "abc", "1e3"])
def test_a_bad_content_length_is_400(endpoint, length):
    head = (
        f"POST / HTTP/1.1\r\nHost: {host_of(endpoint)}\r\nContent-Type: {JSON_11}\r\n"
        f"X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: {length}\r\n\r\n"
    ).encode()
    answer = raw_exchange(endpoint, head, b"{}")
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]


def test_a_connection_is_kept_alive_across_calls(endpoint):
    parts = urlsplit(endpoint.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        statuses, sockets = [], []
        for body in (b"{}", b'{"Limit": 1}', b"{}"):
            headers = signed(endpoint, "kinesis", body, kinesis_headers("ListStreams"))
            status, reply_headers, _ = send(endpoint, "POST", "/", body, headers, connection)
            statuses.append(status)
            sockets.append(connection.sock)
            assert reply_headers.get("connection", "").lower() != "close"
            assert reply_headers["server"] == "wildrydes-local-endpoint"
        # An AWS error answer does not close the connection either.
        status, _, _ = send(endpoint, "POST", "/", b"{}", kinesis_headers("ListStreams"), connection)
        sockets.append(connection.sock)
        statuses.append(status)
        headers = signed(endpoint, "kinesis", b"{}", kinesis_headers("ListStreams"))
        statuses.append(send(endpoint, "POST", "/", b"{}", headers, connection)[0])
        sockets.append(connection.sock)
        assert statuses == [200, 200, 200, 400, 200]
        assert sockets[0] is not None and all(sock is sockets[0] for sock in sockets)
    finally:
        connection.close()


# --- moto untouched, moto pinned ----------------------------------------------------------------------------------

PATCHED_BY_THE_OLD_LAYER = (
    "moto.kinesis.models",
    "moto.iam.models",
    "moto.sts.models",
    "moto.cognitoidentity.models",
    "moto.cloudwatch.models",
    "moto.core.responses",
)


def snapshot() -> dict[str, dict[str, object]]:
    """Every attribute of the moto modules loaded now, and of every class they define (the objects themselves)."""
    taken: dict[str, dict[str, object]] = {}
    for name, module in list(sys.modules.items()):
        if not (name == "moto" or name.startswith("moto.")) or module is None:
            continue
        taken[name] = dict(vars(module))
        for attribute, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == name:
                taken[f"{name}.{attribute}"] = dict(vars(value))
    return taken


_ABSENT = object()
# moto's own bookkeeping: its request counter, a class variable its own code increments on every request.
MOTOS_OWN_COUNTERS = {"moto.core.authorization.ActionAuthenticatorMixin.request_count"}


def changes(before: dict[str, dict[str, object]], after: dict[str, dict[str, object]]) -> list[str]:
    """Attributes replaced, added or removed since `before`, except what Python's import system binds (a package's
    attribute naming a submodule imported meanwhile) and moto's own counters."""
    found = []
    for owner, attributes in before.items():
        now = after.get(owner, {})
        for attribute in set(attributes) | set(now):
            old, new = attributes.get(attribute, _ABSENT), now.get(attribute, _ABSENT)
            if old is new or f"{owner}.{attribute}" in MOTOS_OWN_COUNTERS:
                continue
            if old is _ABSENT and inspect.ismodule(new) and new.__name__ == f"{owner}.{attribute}":
                continue
            found.append(f"{owner}.{attribute}")
    return sorted(found)


def foreign_objects() -> list[str]:
    """Attributes of loaded moto modules and classes that hold a function or class of this project: what assigning
    a wrapper into moto leaves behind, whenever it was done (before the snapshot too)."""
    found = []
    for owner, attributes in snapshot().items():
        for attribute, value in attributes.items():
            target = getattr(value, "__func__", value)  # classmethod, staticmethod
            module = getattr(target, "__module__", None) if callable(target) else None
            if isinstance(module, str) and module.split(".")[0] in ("localaws", "simulator", "tests"):
                found.append(f"{owner}.{attribute} = {module}.{getattr(target, '__qualname__', '?')}")
    return sorted(found)


@pytest.fixture
def in_process_endpoint(tmp_path) -> Iterator[tuple[str, tuple[str, str], dict]]:
    """build_app() served on 127.0.0.1 by a thread of this process: moto runs here, where the snapshots look."""
    for name in (*PATCHED_BY_THE_OLD_LAYER, "moto.moto_server.werkzeug_app"):
        importlib.import_module(name)
    before = snapshot()
    assert all(name in before for name in PATCHED_BY_THE_OLD_LAYER)
    for owner in ("kinesis.models.KinesisBackend", "iam.models.IAMBackend", "core.responses.BaseResponse"):
        assert f"moto.{owner}" in before
    from localaws import accounts
    from localaws.frontdoor.http import EndpointServer
    from localaws.server import build_app
    from localaws.settings import Settings
    from localaws.state import StateFolder

    account = "000000000907"
    server = EndpointServer(("127.0.0.1", 0), None)  # type: ignore[arg-type]
    port = server.server_address[1]
    server.front_door = build_app(Settings(state_dir=tmp_path, port=port, accounts=[account]), "token-for-tests")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        key = accounts.Accounts(StateFolder(tmp_path)).admin_key(account)
        yield f"http://127.0.0.1:{port}", key, before
    finally:
        server.shutdown()
        server.server_close()


def test_moto_modules_and_classes_are_unchanged_by_the_endpoint(in_process_endpoint):
    url, (key_id, secret), before = in_process_endpoint

    def client(service: str):
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=url,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=botocore.config.Config(retries={"max_attempts": 1}),
        )

    iam = client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName="untouched", AssumeRolePolicyDocument=json.dumps(trust))
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"}]}
    iam.put_role_policy(RoleName="untouched", PolicyName="all", PolicyDocument=json.dumps(policy))
    iam.create_user(UserName="ivy")
    user_key = iam.create_access_key(UserName="ivy")["AccessKey"]
    assert [role["RoleName"] for role in iam.list_roles()["Roles"]] == ["untouched"]
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="untouched", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="untouched", WaiterConfig={"Delay": 0.2})
    kinesis.put_records(StreamName="untouched", Records=[{"Data": b"x", "PartitionKey": "k"}])
    assert client("sts").get_caller_identity()["Account"] == "000000000907"
    client("cognito-identity").create_identity_pool(IdentityPoolName="untouched", AllowUnauthenticatedIdentities=True)
    client("cloudwatch").put_metric_data(Namespace="Untouched", MetricData=[{"MetricName": "m", "Value": 1.0}])
    # An IAM user's key, checked through moto's IAM store.
    ivy = boto3.client(
        "kinesis",
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id=user_key["AccessKeyId"],
        aws_secret_access_key=user_key["SecretAccessKey"],
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ivy.list_streams()
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"

    assert changes(before, snapshot()) == []
    assert foreign_objects() == []


@pytest.mark.parametrize("name", sorted(pins.PINNED))
def test_another_release_of_a_pinned_library_refuses_to_start_with_one_line(name):
    pins.check_pinned_versions()  # the pinned versions are the installed ones
    wanted = pins.PINNED[name]
    with pytest.raises(SystemExit) as raised:
        pins.check_pinned_versions({**pins.PINNED, name: "0.0.1"})
    message = str(raised.value.code)
    assert "\n" not in message
    assert f"needs {name} 0.0.1 but {name} {wanted} is installed" in message and f"{name}==0.0.1" in message


def test_a_missing_pinned_library_is_named():
    with pytest.raises(SystemExit) as raised:
        pins.check_pinned_versions({"no-such-library-wildrydes": "1.0"})
    assert "no-such-library-wildrydes is not installed" in str(raised.value.code)


@pytest.mark.parametrize("name", sorted(pins.PINNED))
def test_pinned_libraries_are_pinned_exactly_where_they_are_installed_from(name):
    requirements = Path(__file__).resolve().parents[2] / "requirements.txt"
    lines = [line.split("#", 1)[0].strip() for line in requirements.read_text().splitlines()]
    found = [line for line in lines if re.split(r"[=<>\[ ]", line, maxsplit=1)[0].lower() == name]
    assert found == [f"{name}=={pins.PINNED[name]}"], found
