"""`simulate`: the command line. Each command group lives in its own module under simulator/commands.

A command's module is imported only when that command runs: `simulate produce` does not pay for the demo's
launcher, the consumer's reader or the dashboard's server. Help and anything unrecognised load them all.

`simulate produce` with plain options skips typer's parsing altogether: typer builds a pydantic adapter per
option, a fifth of the command's start-up, and the workshop's producer should put its first record at once.
Anything the fast path does not read exactly as typer would (help, an unknown option, a value out of range, a
value that looks like an option) goes through typer, so errors and help are typer's own. The fast path does not
even import typer (nor rich): it runs simulator.produce_run, the body the typer command runs too.
"""

import importlib
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

HELP = "Wild Rydes streaming lab: the local AWS endpoint, unicorn producers and consumers, the live dashboard."
# name -> (module, attribute, is a group of subcommands), in the order `simulate --help` lists them.
COMMANDS = {
    "local": ("simulator.commands.local", "app", True),
    "demo": ("simulator.commands.demo", "demo", False),
    "produce": ("simulator.commands.fleet", "produce", False),
    "consume": ("simulator.commands.consume", "consume", False),
    "fleet": ("simulator.commands.fleet", "fleet", False),
    "stats": ("simulator.commands.stats", "stats", False),
    "dashboard": ("simulator.commands.dashboard", "dashboard", False),
}


def build_app(only: str | None = None) -> "typer.Typer":
    """The CLI with every command, or with just `only` (still a group: `simulate produce ...` as typed)."""
    import typer

    app = typer.Typer(
        name="simulate",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _group() -> None:
        # A callback keeps the app a group even with one command registered.
        pass

    for name, (module_name, attribute, is_group) in COMMANDS.items():
        if only is not None and name != only:
            continue
        target = getattr(importlib.import_module(module_name), attribute)
        if is_group:
            app.add_typer(target, name=name)
        else:
            app.command(name=name)(target)
    return app


# --option -> (parameter, conversion, lowest, highest), as simulator.commands.fleet.produce declares them.
PRODUCE_OPTIONS: dict[str, tuple[str, type, float | None, float | None]] = {
    "--name": ("name", str, None, None),
    "--stream": ("stream", str, None, None),
    "--rate": ("rate", float, 0.01, 1000),
    "--records": ("records", int, 1, None),
    "--duration": ("duration", float, 0.1, None),
    "--seed": ("seed", int, None, None),
    "--region": ("region", str, None, None),
    "--endpoint-url": ("endpoint_url", str, None, None),
    "--profile": ("profile", str, None, None),
}


def fast_produce_arguments(args: list[str]) -> dict[str, object] | None:
    """The keyword arguments of `produce` for `args` (what follows `produce`), or None to let typer read them."""
    chosen: dict[str, object] = {}
    tokens = list(args)
    while tokens:
        option, equals, value = tokens.pop(0).partition("=")
        if option not in PRODUCE_OPTIONS:
            return None
        if not equals:
            if not tokens or tokens[0].startswith("-"):
                return None
            value = tokens.pop(0)
        parameter, convert, lowest, highest = PRODUCE_OPTIONS[option]
        try:
            converted = convert(value)
        except ValueError:
            return None
        if convert is not str:
            if converted != converted or converted in (float("inf"), float("-inf")):
                return None
            if (lowest is not None and converted < lowest) or (highest is not None and converted > highest):
                return None
        chosen[parameter] = converted
    return chosen


def _produce_fast(arguments: dict[str, object]) -> None:
    try:
        from simulator.produce_run import produce_reporting_errors

        code = produce_reporting_errors(**arguments)
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")  # what typer says
        sys.exit(1)
    sys.exit(code)


def _stop_cleanly(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    # Ctrl+C (SIGINT) and SIGTERM mean "stop cleanly", even when the shell that started us ignores SIGINT (a
    # background job): the herd then flushes and sums up, the demo stops what it started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_cleanly)
    # `simulate fleet.yml` is how people type it: a herd file alone means `simulate fleet fleet.yml`.
    if len(sys.argv) > 1 and sys.argv[1].endswith((".yml", ".yaml")):
        sys.argv.insert(1, "fleet")
    command = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in COMMANDS else None
    if command == "produce":
        arguments = fast_produce_arguments(sys.argv[2:])
        if arguments is not None:
            _produce_fast(arguments)
    build_app(command)()
