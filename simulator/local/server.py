"""The local endpoint process: moto's server behind our fidelity layer, bound to 127.0.0.1 only.

Started by the launcher (`simulate local start`) as `python -m simulator.local.server OPTIONS_JSON`.
"""

import logging
import os
import signal
import sys
import threading

from simulator.local.options import EndpointOptions

HOST = "127.0.0.1"
# Exit code that tells the launcher the port was taken between its check and our bind.
EXIT_PORT_IN_USE = 98


def _prepare_environment(options: EndpointOptions) -> None:
    # moto reads these when it is imported, so they are set before any moto import.
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "false")
    if options.iam_enforcement:
        os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
    else:
        os.environ.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
    os.environ.pop("MOTO_ACCOUNT_ID", None)  # the account comes from each request's credentials


def build_app(options: EndpointOptions):
    _prepare_environment(options)
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from simulator.local import accounts, control, runtime

    accounts.route_admin_keys_to_their_accounts()
    runtime.update(
        {
            "max_records_per_shard": options.max_records_per_shard,
            "kinesis_limits": options.kinesis_limits,
            "inject_throttle": options.inject_throttle,
            "inject_put_failures": options.inject_put_failures,
            "inject_seed": options.inject_seed,
        }
    )
    app = DomainDispatcherApplication(create_backend_app)
    if options.fidelity:
        from simulator.local import fidelity
        from simulator.local.fidelity.http import errors_as_json_with_cors

        fixes = fidelity.apply_all()
        logging.getLogger(__name__).info("fidelity layer: %d fixes applied", len(fixes))
        app = errors_as_json_with_cors(app)
    return control.with_control_api(app, options)


def serve(options: EndpointOptions) -> None:
    app = build_app(options)  # first: it prepares the environment moto reads at import
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    try:
        server = make_server(HOST, options.port, app, threaded=True, request_handler=MotoRequestHandler)
    except OSError as error:
        print(f"cannot listen on {HOST}:{options.port}: {error.strerror}", file=sys.stderr)
        sys.exit(EXIT_PORT_IN_USE)

    def stop(signum: int, frame: object) -> None:
        # shutdown() waits for serve_forever to return, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"local AWS endpoint listening on http://{HOST}:{options.port} (pid {os.getpid()})", flush=True)
    server.serve_forever()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # werkzeug logs every request at INFO; the log would grow by a line per PutRecords.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    serve(EndpointOptions.from_json(sys.argv[1]))


if __name__ == "__main__":
    main()
