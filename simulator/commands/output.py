"""How commands talk to the user: rich on stdout, one-line errors on stderr."""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.text import Text

from simulator.errors import UserError
from simulator.safe_text import visible

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")


def print_error(message: str) -> None:
    """`error: <message>`, one line; the message may quote user input, so it is never read as rich markup."""
    errors.print(Text.assemble(("error:", "bold red"), " ", visible(message)), soft_wrap=True)


def reports_user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """A UserError becomes `error: <message>` on stderr and its exit code; no traceback. An AWS error no
    command expected is one line too."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except UserError as problem:
            print_error(str(problem))
            raise typer.Exit(problem.exit_code) from None
        except ClientError as problem:
            details = problem.response.get("Error", {})
            print_error(f"{problem.operation_name} failed: {details.get('Code', '')} {details.get('Message', '')}")
            raise typer.Exit(1) from None
        except BotoCoreError as problem:
            print_error(f"{type(problem).__name__}: {problem}")
            raise typer.Exit(1) from None

    return wrapper
