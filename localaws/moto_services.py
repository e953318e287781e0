"""Services moto serves well enough to keep (IAM's store, KMS): their requests go to moto's own WSGI app.

moto's server is a WSGI application and reads the caller's account from the `x-moto-account-id` header: those are
its seams, and the only ones used. By the time a request gets here the front door has authenticated it, validated
it against botocore's model and checked IAM, so moto's own access control stays off (it checks against `*`).
"""

import io
import os
from collections.abc import Callable
from typing import Any

from localaws.context import RequestContext
from localaws.frontdoor.request import Answer, Request, aws_headers
from localaws.services import Access


def moto_app() -> Callable[..., Any]:
    # moto reads these when it is imported: its own IAM checks off, accounts from our header, regions real.
    os.environ.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
    os.environ.pop("MOTO_ACCOUNT_ID", None)
    os.environ["MOTO_ALLOW_NONEXISTENT_REGION"] = "false"
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


class MotoForwarder:
    """One moto-served service: IAM checks from `accesses`, then the raw request to moto in the caller's account."""

    def __init__(self, app: Callable[..., Any], accesses: Callable[[RequestContext, dict[str, Any]], list[Access]]):
        self._app = app
        self._accesses = accesses

    def accesses(self, ctx: RequestContext, params: dict[str, Any]) -> list[Access]:
        return self._accesses(ctx, params)

    def forward(self, request: Request, ctx: RequestContext) -> Answer:
        return call_moto(self._app, request, ctx.account_id or "")


def call_moto(app: Callable[..., Any], request: Request, account_id: str) -> Answer:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": request.raw_path,
        "RAW_URI": request.raw_path + (f"?{request.query_string}" if request.query_string else ""),
        "QUERY_STRING": request.query_string,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": request.remote_addr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(request.body)),
    }
    for name, value in request.headers.items():
        if name == "content-type":
            environ["CONTENT_TYPE"] = value
        elif name != "content-length":
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    if account_id:
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = account_id
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
        captured["status"] = int(status.split(" ", 1)[0])
        captured["headers"] = headers
        return lambda data: None

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close:
            close()
    kept = {
        name: value
        for name, value in captured.get("headers", [])
        if name.lower() in ("content-type",) or name.lower().startswith("x-amz")
    }
    return Answer(captured.get("status", 500), aws_headers(request, kept), body)
