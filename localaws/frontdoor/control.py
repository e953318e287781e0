"""The endpoint's control API under `/_wildrydes/`, and moto's admin API under `/moto-api/`, for tools and tests.

Both change or reveal everything (settings, the clock, every account's keys), so both need the control token:
a random secret made at each start, kept in the state folder (0600), sent as `X-Wildrydes-Token`. Neither sends
CORS headers, so a web page cannot read their answers; a POST must be `application/json`, which a page cannot send
cross-origin without a preflight we never grant. Only `GET /_wildrydes/health` answers without the token, and
says no more than that an endpoint of ours is here (the launcher uses it to tell ours from another program).

- `GET  /_wildrydes/status`          pid, port, settings, state folder, accounts
- `GET|POST /_wildrydes/settings`    run-time settings; a bad value is refused (400) and changes nothing
- `GET|POST /_wildrydes/clock`       the clock's offset; `{"advance_seconds": N}` moves it forward
- `GET  /_wildrydes/kinesis/shards`  records held per shard
"""

import hmac
import json
import os
from collections.abc import Callable
from typing import Any

from localaws.frontdoor.request import Answer, Request
from localaws.runtime import Runtime

TOKEN_HEADER = "x-wildrydes-token"
SERVICE_NAME = "wildrydes-local-endpoint"


def _json(status: int, payload: Any) -> Answer:
    return Answer(
        status, {"Content-Type": "application/json", "Cache-Control": "no-store"}, json.dumps(payload).encode()
    )


class Control:
    def __init__(
        self,
        *,
        runtime: Runtime,
        token: str,
        port: int,
        status: Callable[[], dict[str, Any]],
        shards: Callable[[], list[dict[str, Any]]],
        moto_admin: Callable[[Request], Answer],
    ) -> None:
        self.runtime = runtime
        self._token = token
        self.port = port
        self._status = status
        self._shards = shards
        self._moto_admin = moto_admin

    def handle(self, request: Request) -> Answer:
        path = request.raw_path
        if path == "/_wildrydes/health" and request.method == "GET":
            return _json(200, {"status": "ok", "service": SERVICE_NAME, "pid": os.getpid(), "port": self.port})
        given = request.headers.get(TOKEN_HEADER, "")
        if not given or not hmac.compare_digest(given.encode(), self._token.encode()):
            return _json(
                403,
                {
                    "error": "this API needs the control token in the X-Wildrydes-Token header "
                    "(its file: `simulate local status --json`)"
                },
            )
        # Even with the token: a POST a web page could send without a preflight is never acted on.
        if request.method == "POST" and request.content_type != "application/json":
            return _json(400, {"error": "POST a JSON object with Content-Type: application/json"})
        if path.startswith("/moto-api"):
            return self._moto_admin(request)
        body: Any = None
        if request.method == "POST":
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                return _json(400, {"error": "the body is not JSON"})
        elif request.method != "GET":
            return _json(405, {"error": f"{request.method} is not served here: use GET or POST"})
        route = path[len("/_wildrydes/") :].strip("/")
        try:
            if route == "status":
                return _json(200, self._status())
            if route == "settings":
                if body is not None:
                    self.runtime.update(body)
                return _json(200, json.loads(self.runtime.settings.to_json()))
            if route == "clock":
                if body is not None:
                    if not isinstance(body, dict) or set(body) - {"advance_seconds"}:
                        raise ValueError('POST {"advance_seconds": N} with N a number of seconds ≥ 0')
                    self.runtime.clock.advance(body.get("advance_seconds", 0))
                return _json(200, {"offset_seconds": self.runtime.clock.offset, "now": self.runtime.clock.time()})
            if route == "kinesis/shards":
                return _json(200, {"shards": self._shards()})
        except ValueError as error:
            return _json(400, {"error": str(error)})
        return _json(404, {"error": f"no control route {route!r}"})
