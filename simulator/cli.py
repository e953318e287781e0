"""`simulate`: the command line. Each command group lives in its own module under simulator/commands."""

import signal
import sys

import typer

from simulator.commands import consume, dashboard, demo, fleet, local, stats

app = typer.Typer(
    name="simulate",
    help="Wild Rydes streaming lab: the local AWS endpoint, unicorn producers and consumers, the live dashboard.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(local.app, name="local")
app.command(name="demo")(demo.demo)
app.command(name="produce")(fleet.produce)
app.command(name="consume")(consume.consume)
app.command(name="fleet")(fleet.fleet)
app.command(name="stats")(stats.stats)
app.command(name="dashboard")(dashboard.dashboard)


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
    app()
