"""The producer's lines on stderr without loading rich or typer: the same bytes as simulator.commands.output's.

rich and typer cost a fifth of a second to import, and `simulate produce` says at most a summary line when all
goes well. A line of printable text is what rich writes for it anyway (no style, no markup, no wrapping), so it is
written directly; anything else (tabs, control characters, a styled `error:`) is still rich's, loaded then.
"""

import sys

from botocore.exceptions import BotoCoreError, ClientError

from simulator.errors import UserError


def say(line: str) -> None:
    """What `errors.print(Text(line), soft_wrap=True)` writes on stderr."""
    if line.isprintable():
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
        return
    from rich.text import Text

    from simulator.commands.output import errors

    errors.print(Text(line), soft_wrap=True)


def print_error(message: str) -> None:
    """`error: <message>`, exactly as simulator.commands.output.print_error writes it (it is rich's, styled)."""
    from simulator.commands.output import print_error as rich_print_error

    rich_print_error(message)


def exit_code_for(problem: BaseException) -> int | None:
    """What `reports_user_errors` makes of `problem`: its line on stderr and the exit code; None if not its kind."""
    if isinstance(problem, UserError):
        print_error(str(problem))
        return problem.exit_code
    if isinstance(problem, ClientError):
        details = problem.response.get("Error", {})
        print_error(f"{problem.operation_name} failed: {details.get('Code', '')} {details.get('Message', '')}")
        return 1
    if isinstance(problem, BotoCoreError):
        print_error(f"{type(problem).__name__}: {problem}")
        return 1
    return None
