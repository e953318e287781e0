"""The endpoint process: builds the services behind the front door and serves them on 127.0.0.1.

Started by the launcher as `python -m localaws.server SETTINGS_JSON`. Writes a fresh control token into the state
folder before it listens, so whoever may read the folder (its owner) may drive the control API, and nobody else.
"""

import logging
import os
import secrets
import signal
import sys
import threading
from typing import Any

from localaws import accounts as accounts_module
from localaws.frontdoor.app import FrontDoor
from localaws.frontdoor.control import Control
from localaws.frontdoor.request import Request
from localaws.moto_services import MotoForwarder, call_moto, moto_app
from localaws.pins import check_pinned_versions
from localaws.runtime import Runtime
from localaws.settings import Settings
from localaws.state import StateFolder, write_private

HOST = "127.0.0.1"
EXIT_PORT_IN_USE = 98  # tells the launcher the port was taken between its check and our bind


def build_app(settings: Settings, token: str) -> FrontDoor:
    """The whole endpoint as one WSGI app (tests may call it in-process)."""
    from localaws.cloudwatch import CloudWatchService, MetricStore
    from localaws.cognito_identity import CognitoIdentityService
    from localaws.iam import Authorizer, IamUserKeys, IamView, accesses_for
    from localaws.kinesis import KinesisService
    from localaws.sts import SessionStore, StsService

    state = StateFolder(settings.state_dir)
    accounts = accounts_module.Accounts(state)
    accounts.add(settings.accounts, endpoint_url=f"http://{HOST}:{settings.port}")
    runtime = Runtime(settings)
    metrics = MetricStore(runtime.clock)
    runtime.metrics = metrics
    view = IamView(runtime)
    authorizer = Authorizer(runtime, view)
    sessions = SessionStore()
    kinesis = KinesisService(runtime)
    services: dict[str, Any] = {
        "kinesis": kinesis,
        "sts": StsService(runtime, view, authorizer, sessions),
        "cognito-identity": CognitoIdentityService(runtime, view, authorizer, sessions),
        "cloudwatch": CloudWatchService(runtime, metrics),
    }
    moto = moto_app()

    def moto_accesses(ctx: Any, params: dict[str, Any]) -> Any:
        return accesses_for(ctx, params, view)

    forwarded = {name: MotoForwarder(moto, moto_accesses) for name in ("iam", "kms")}

    def after_forward(ctx: Any, params: dict[str, Any]) -> None:
        if ctx.service == "iam" and ctx.account_id:
            view.observe(ctx.account_id, ctx.operation, params)

    def status() -> dict[str, Any]:
        return {
            "service": "wildrydes-local-endpoint",
            "pid": os.getpid(),
            "url": f"http://{HOST}:{settings.port}",
            "settings": runtime.settings.model_dump(mode="json"),
            "accounts": accounts.ids(),
            "state_dir": str(state.path),
            "token_file": str(state.token_file),
            "aws_config_file": str(state.aws_config_file),
            "aws_credentials_file": str(state.aws_credentials_file),
        }

    def moto_admin(request: Request) -> Any:
        return call_moto(moto, request, "")

    control = Control(
        runtime=runtime,
        token=token,
        port=settings.port,
        status=status,
        shards=kinesis.stored_records,
        moto_admin=moto_admin,
    )
    return FrontDoor(
        runtime=runtime,
        port=settings.port,
        services=services,
        forwarded=forwarded,
        credentials=[accounts, sessions, IamUserKeys()],
        authorizer=authorizer,
        control=control,
        after_forward=after_forward,
    )


def serve(settings: Settings) -> None:
    check_pinned_versions()
    state = StateFolder(settings.state_dir)
    state.create()
    token = secrets.token_urlsafe(32)
    write_private(state.token_file, token + "\n")
    app = build_app(settings, token)
    from localaws.frontdoor.http import EndpointServer

    try:
        server = EndpointServer((HOST, settings.port), app)
    except OSError as error:
        print(f"cannot listen on {HOST}:{settings.port}: {error.strerror}", file=sys.stderr)
        sys.exit(EXIT_PORT_IN_USE)

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"local AWS endpoint listening on http://{HOST}:{settings.port} (pid {os.getpid()})", flush=True)
    server.serve_forever()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    serve(Settings.from_json(sys.argv[1]))


if __name__ == "__main__":
    main()
