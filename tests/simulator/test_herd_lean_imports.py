"""`simulate produce` loads only what its path needs: no consumer, herd-file, demo or endpoint-settings code, and no
boto3 client. Run for real against the endpoint in a subprocess; the modules it loaded are listed at exit."""

import os
import subprocess
import sys

import pytest

# Modules the produce path must not load (each was loaded before it was made lean; typer itself loads pydantic).
NOT_NEEDED = (
    "yaml",
    "localaws.settings",
    "localaws.accounts",
    "localaws.launcher",
    "simulator.reader",
    "simulator.efo",
    "simulator.fleet_config",
    "simulator.commands.consume",
    "simulator.commands.demo",
    "simulator.commands.dashboard",
    "simulator.commands.stats",
    "simulator.commands.local",
)

PROGRAM = """
import atexit, sys
atexit.register(lambda: print("MODULES " + " ".join(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["simulate", "produce", "--stream", "lean-imports", "--name", "Lean", "--records", "2", "--rate", "20"]
from simulator.cli import main
main()
"""


def test_produce_loads_none_of_the_modules_it_does_not_need(endpoint) -> None:
    kinesis = endpoint.client("kinesis")
    kinesis.create_stream(StreamName="lean-imports", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="lean-imports", WaiterConfig={"Delay": 1})
    env = {**os.environ, **endpoint.aws_env(), "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(".") >= 2  # both records were sent
    loaded = set(done.stderr.split("MODULES ", 1)[1].split())
    assert "simulator.fastput" in loaded and "simulator.herd" in loaded
    assert sorted(name for name in NOT_NEEDED if name in loaded) == []


def test_help_still_lists_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for command in ("local", "demo", "produce", "consume", "fleet", "stats", "dashboard"):
        assert f" {command} " in done.stdout


def _typer_reading(args: list[str]) -> dict[str, object]:
    """The keyword arguments typer itself gives `produce` for `args` (its defaults included)."""
    import typer.main

    from simulator.cli import build_app

    group = typer.main.get_command(build_app("produce"))
    context = group.make_context("simulate", ["produce", *args])
    command = group.get_command(context, "produce")
    assert command is not None
    return command.make_context("produce", list(args), parent=context).params


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--name", "Bucephalus"],
        ["--name=Rocinante", "--rate", "2.5", "--records", "10"],
        ["--stream", "other", "--duration", "0.1", "--seed", "3", "--region", "eu-west-1"],
        ["--endpoint-url", "http://127.0.0.1:4566", "--profile", "p", "--rate=1000", "--rate", "0.01"],
        ["--name", ""],
        ["--seed=-3"],
    ],
)
def test_the_fast_path_reads_produce_options_as_typer_does(args: list[str]) -> None:
    from simulator.cli import fast_produce_arguments

    fast = fast_produce_arguments(args)
    assert fast is not None
    typer_params = _typer_reading(args)
    assert {**typer_params, **fast} == typer_params  # every value the fast path read, typer read the same


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--rate", "0"],
        ["--rate", "1001"],
        ["--rate", "nan"],
        ["--records", "0"],
        ["--records", "1.5"],
        ["--duration", "0.05"],
        ["--seed", "-3"],  # typer's own reading decides what a value like an option means
        ["--name"],
        ["--unknown", "x"],
        ["extra"],
    ],
)
def test_anything_else_goes_to_typer(args: list[str]) -> None:
    from simulator.cli import fast_produce_arguments

    assert fast_produce_arguments(args) is None
