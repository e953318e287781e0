"""The endpoint's own small control API under `/_wildrydes/`, beside the AWS APIs.

- `GET  /_wildrydes/health`          who is serving: pid, port, moto version, options.
- `GET  /_wildrydes/clock`           the clock offset; `POST {"advance_seconds": N}` moves it forward.
- `GET  /_wildrydes/settings`        run-time settings; `POST {...}` changes them (for tests).
- `GET  /_wildrydes/kinesis/shards`  records held per shard (to see trimming at work).
"""

import json
import os
from collections.abc import Callable, Iterable
from importlib.metadata import version
from typing import Any

from simulator.local import runtime
from simulator.local.fidelity import clock
from simulator.local.options import EndpointOptions

PREFIX = "/_wildrydes/"


def _stored_records_per_shard() -> list[dict[str, Any]]:
    from moto.kinesis.models import kinesis_backends

    rows = []
    for account_id, regions in list(kinesis_backends.items()):
        for region, backend in list(regions.items()):
            for stream in list(backend.streams.values()):
                for shard in list(stream.shards.values()):
                    rows.append(
                        {
                            "account": account_id,
                            "region": region,
                            "stream": stream.stream_name,
                            "shard": shard.shard_id,
                            "records": len(shard.records),
                        }
                    )
    return rows


def with_control_api(app: Callable[..., Iterable[bytes]], options: EndpointOptions) -> Callable[..., Any]:
    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        body: dict[str, Any] = {}
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return _reply(start_response, 400, {"error": "body must be JSON"})
        route = path[len(PREFIX) :].strip("/")
        try:
            if route == "health":
                result: Any = {
                    "status": "ok",
                    "pid": os.getpid(),
                    "moto": version("moto"),
                    "options": json.loads(options.to_json()),
                }
            elif route == "clock":
                if method == "POST":
                    clock.advance(float(body.get("advance_seconds", 0)))
                result = {"offset_seconds": clock.offset(), "now": clock.now()}
            elif route == "settings":
                if method == "POST":
                    runtime.update(body)
                result = runtime.as_dict()
            elif route == "kinesis/shards":
                result = {"shards": _stored_records_per_shard()}
            else:
                return _reply(start_response, 404, {"error": f"no control route {route!r}"})
        except (ValueError, TypeError, KeyError) as error:
            return _reply(start_response, 400, {"error": str(error)})
        return _reply(start_response, 200, result)

    return middleware


def _reply(start_response: Callable[..., Any], status: int, payload: Any) -> list[bytes]:
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json")])
    return [json.dumps(payload).encode()]
