"""`simulate`: the command line. Each command group lives in its own module under simulator/commands."""

import typer

from simulator.commands import demo, local

app = typer.Typer(
    name="simulate",
    help="Wild Rydes streaming lab: the local AWS endpoint, unicorn producers and consumers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(local.app, name="local")
app.command(name="demo")(demo.demo)


def main() -> None:
    app()
