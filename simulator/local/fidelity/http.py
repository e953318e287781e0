"""HTTP-level fixes: errors a browser can read.

Defect (moto 5.2.5): an exception moto does not map to an AWS error escapes Flask and werkzeug answers
with an HTML 500 page that has no CORS headers, so a browser sees only "Failed to fetch". AWS answers
every error with a JSON (or XML) body and CORS headers. This middleware turns escaped exceptions into
a JSON `InternalFailure` and puts CORS headers on every response that lacks them.

Defect (moto 5.2.5): a CORS preflight (`OPTIONS /`: the JSON and query APIs all post to `/`) names no
service, so moto hands it to S3, which checks its (absent) signature under IAM enforcement and
crashes. Browsers never sign a preflight and AWS answers it; so does this middleware. S3 preflights on
bucket paths still reach moto, which applies the bucket's CORS rules.
"""

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, HEAD, OPTIONS, PATCH",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Expose-Headers": "*",
}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _with_cors(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    present = {name.lower() for name, _ in headers}
    return headers + [(k, v) for k, v in CORS_HEADERS.items() if k.lower() not in present]


def _is_api_preflight(environ: dict[str, Any]) -> bool:
    return (
        environ.get("REQUEST_METHOD") == "OPTIONS"
        and environ.get("PATH_INFO", "") in ("", "/")
        and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
    )


def _preflight_answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    # "*" in Access-Control-Allow-Headers does not cover Authorization: name the requested headers.
    requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
    headers = [("Content-Length", "0")]
    if requested:
        headers.append(("Access-Control-Allow-Headers", requested))
    start_response("200 OK", _with_cors(headers))
    return [b""]


def errors_as_json_with_cors(app: WsgiApp) -> WsgiApp:
    """Wrap a WSGI app: CORS headers on every response, escaped exceptions as JSON 500s."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start_with_cors(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, _with_cors(list(headers)), exc_info)

        if _is_api_preflight(environ):
            return _preflight_answer(environ, start_response)
        try:
            return app(environ, start_with_cors)
        except Exception as error:  # anything moto did not turn into an AWS error
            log.exception("unhandled error for %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            body = json.dumps({"__type": "InternalFailure", "message": f"{type(error).__name__}: {error}"})
            start_response(
                "500 Internal Server Error",
                _with_cors([("Content-Type", "application/x-amz-json-1.1")]),
            )
            return [body.encode()]

    return middleware
