"""How commands talk to the user: rich on stdout, one-line errors on stderr."""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from simulator.errors import UserError

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")


def reports_user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """A UserError becomes `error: <message>` on stderr and its exit code; no traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except UserError as problem:
            errors.print(f"[bold red]error:[/] {problem}", soft_wrap=True)
            raise typer.Exit(problem.exit_code) from None

    return wrapper
