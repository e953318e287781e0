"""simulator.plain_output writes what simulator.commands.output (rich, typer) writes: the producer's start-up
skips loading them, not their output."""

import pytest
import typer
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError
from rich.text import Text

from simulator.commands.output import errors, reports_user_errors
from simulator.errors import UserError
from simulator.plain_output import exit_code_for, say

LINES = [
    "sent 5 records from 1 unicorns in 4.0 s (retried 0, throttled 0, failed 0)",
    "failed 2: 2 [bold]Weird[/bold] :smile: reason",
    "wide 独角兽 and accents: licorne é",
    "x" * 400,
    "tab\there",
    "bell\x07 back\x08 return\r and escape \x1b[31m",
    "two\nlines",
    "",
]


@pytest.mark.parametrize("line", LINES)
def test_say_writes_what_rich_writes(line: str, capsys) -> None:
    errors.print(Text(line), soft_wrap=True)
    expected = capsys.readouterr()
    say(line)
    assert capsys.readouterr() == expected


PROBLEMS = [
    UserError("stream 'x' not found at local endpoint http://127.0.0.1:1, region us-east-1"),
    UserError("--name must not be empty", exit_code=2),
    UserError("lost", exit_code=3),
    ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no [b]way[/b]"}}, "PutRecords"),
    ClientError({}, "DescribeStream"),
    EndpointConnectionError(endpoint_url="http://127.0.0.1:1/"),
    NoCredentialsError(),
]


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
def test_errors_are_reported_as_every_command_reports_them(problem: Exception, capsys) -> None:
    @reports_user_errors
    def command() -> None:
        raise problem

    with pytest.raises(typer.Exit) as done:
        command()
    expected = capsys.readouterr()
    assert exit_code_for(problem) == done.value.exit_code
    assert capsys.readouterr() == expected


def test_anything_else_is_not_reported() -> None:
    assert exit_code_for(RuntimeError("a bug")) is None
