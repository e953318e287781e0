"""The HTTP-level fixes (simulator/local/fidelity/http.py): errors a browser can read, CORS headers on
every answer, preflights answered. Each endpoint test has a companion on plain moto showing the defect."""

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from simulator.local.fidelity.http import CORS_HEADERS, errors_as_json_with_cors
from tests.conftest import Endpoint, running_endpoint

ORIGIN = "http://localhost:5173"
# What a browser SDK asks before a signed Kinesis call.
SIGNED_CALL_HEADERS = "amz-sdk-invocation-id,authorization,content-type,x-amz-date,x-amz-security-token,x-amz-target"


def send(endpoint: Endpoint, method: str, headers: dict[str, str], body: bytes | None = None):
    request = urllib.request.Request(endpoint.url + "/", data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def cognito_call(endpoint: Endpoint, operation: str, payload: dict, origin: str | None = ORIGIN):
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"AWSCognitoIdentityService.{operation}"}
    if origin:
        headers["Origin"] = origin
    return send(endpoint, "POST", headers, json.dumps(payload).encode())


def preflight(endpoint: Endpoint):
    return send(
        endpoint,
        "OPTIONS",
        {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": SIGNED_CALL_HEADERS,
        },
    )


# moto 5.2.5 has no DescribeIdentity: the NotImplementedError escapes moto.
UNIMPLEMENTED = ("DescribeIdentity", {"IdentityId": "us-east-1:11111111-1111-1111-1111-111111111111"})


# --- the middleware on its own -----------------------------------------------------------------


def call_wsgi(app, environ: dict | None = None) -> tuple[str, dict[str, str], bytes]:
    seen: dict = {}

    def start_response(status, headers, exc_info=None):
        seen.update(status=status, headers=dict(headers))

    body = b"".join(app({"REQUEST_METHOD": "POST", "PATH_INFO": "/", **(environ or {})}, start_response))
    return seen["status"], seen["headers"], body


def test_middleware_turns_an_escaped_exception_into_json_500_with_cors():
    def broken(environ, start_response):
        raise KeyError("IdentityPoolId")

    status, headers, body = call_wsgi(errors_as_json_with_cors(broken))
    assert status.startswith("500")
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert json.loads(body) == {"__type": "InternalFailure", "message": "KeyError: 'IdentityPoolId'"}
    assert {k: headers[k] for k in CORS_HEADERS} == CORS_HEADERS


def test_middleware_keeps_cors_headers_the_app_set():
    def polite(environ, start_response):
        start_response("200 OK", [("Access-Control-Allow-Origin", ORIGIN), ("Content-Type", "application/json")])
        return [b"{}"]

    status, headers, _ = call_wsgi(errors_as_json_with_cors(polite))
    assert status == "200 OK"
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert headers["Access-Control-Expose-Headers"] == "*"


def test_middleware_answers_api_preflights_itself():
    def unreachable(environ, start_response):
        raise AssertionError("a preflight must not reach moto")

    status, headers, _ = call_wsgi(
        errors_as_json_with_cors(unreachable),
        {
            "REQUEST_METHOD": "OPTIONS",
            "HTTP_ORIGIN": ORIGIN,
            "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
            "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": SIGNED_CALL_HEADERS,
        },
    )
    assert status == "200 OK"
    # "*" would not cover Authorization: the requested headers are named.
    assert headers["Access-Control-Allow-Headers"] == SIGNED_CALL_HEADERS
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_middleware_leaves_bucket_preflights_to_moto():
    def s3(environ, start_response):
        start_response("403 Forbidden", [("Content-Type", "application/xml")])
        return [b"<Error/>"]

    status, _, _ = call_wsgi(
        errors_as_json_with_cors(s3),
        {"REQUEST_METHOD": "OPTIONS", "PATH_INFO": "/bucket/key", "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"},
    )
    assert status.startswith("403")


# --- over HTTP -------------------------------------------------------------------------------


def test_unmapped_error_is_json_500_with_cors(endpoint):
    status, headers, body = cognito_call(endpoint, *UNIMPLEMENTED)
    assert status == 500
    assert json.loads(body)["__type"] == "InternalFailure"
    assert headers["access-control-allow-origin"] in (ORIGIN, "*")


def test_unmapped_error_is_html_500_without_cors_on_plain_moto(plain_endpoint):
    status, headers, body = cognito_call(plain_endpoint, *UNIMPLEMENTED)
    assert status == 500
    assert body.lstrip().lower().startswith(b"<!doctype html>")
    assert "access-control-allow-origin" not in headers


def test_cors_headers_even_without_origin(endpoint):
    status, headers, _ = cognito_call(endpoint, "ListIdentityPools", {"MaxResults": 5}, origin=None)
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-expose-headers"] == "*"


def test_no_cors_headers_without_origin_on_plain_moto(plain_endpoint):
    status, headers, _ = cognito_call(plain_endpoint, "ListIdentityPools", {"MaxResults": 5}, origin=None)
    assert status == 200
    assert "access-control-expose-headers" not in headers


def assert_preflight_allows_signed_calls(endpoint: Endpoint) -> None:
    status, headers, _ = preflight(endpoint)
    assert status == 200
    assert headers["access-control-allow-origin"] in (ORIGIN, "*")
    assert "POST" in headers["access-control-allow-methods"]
    allowed = {name.strip().lower() for name in headers["access-control-allow-headers"].split(",")}
    assert set(SIGNED_CALL_HEADERS.split(",")) <= allowed


def test_preflight(endpoint):
    assert_preflight_allows_signed_calls(endpoint)


@pytest.fixture(scope="module")
def enforcing_endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    with running_endpoint(tmp_path_factory.mktemp("enforcing"), iam_enforcement=True) as running:
        yield running


def test_preflight_with_iam_enforcement(enforcing_endpoint):
    assert_preflight_allows_signed_calls(enforcing_endpoint)


def test_preflight_with_iam_enforcement_on_plain_moto(tmp_path):
    # moto hands the preflight to S3, which checks the signature a preflight never has.
    with running_endpoint(tmp_path, fidelity=False, iam_enforcement=True) as plain:
        status, _, body = preflight(plain)
    assert status == 500
    assert body.lstrip().lower().startswith(b"<!doctype html>")
