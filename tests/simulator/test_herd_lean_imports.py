"""`simulate produce` loads only what its path needs: no consumer, herd-file, demo or endpoint-settings code, no
boto3 client, and with static keys (a profile of the shared files, or environment variables) neither typer, rich
nor botocore's session and credential chain. Run for real against the endpoint in a subprocess; the modules it
loaded are listed at exit."""

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
    # typer and rich (with click and pydantic under typer) were a third of a second of start-up; botocore's session
    # and credential chain another fifth; http.client (and the email parser under it) and ssl the rest.
    "typer",
    "click",
    "pydantic",
    "rich",
    "rich.console",
    "boto3",
    "botocore.session",
    "botocore.credentials",
    "botocore.client",
    "botocore.config",
    "http.client",
    "ssl",
    "simulator.commands.fleet",
    "simulator.commands.common",
    "simulator.commands.output",
)

PROGRAM = """
import atexit, sys
atexit.register(lambda: print("MODULES " + " ".join(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["simulate", "produce", "--stream", "lean-imports", "--name", "Lean", "--records", "2", "--rate", "20"]
from simulator.cli import main
main()
"""


@pytest.fixture(scope="module")
def lean_stream(endpoint):
    kinesis = endpoint.client("kinesis")
    kinesis.create_stream(StreamName="lean-imports", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="lean-imports", WaiterConfig={"Delay": 1})
    return endpoint


def _clean_environment(tmp_path) -> dict[str, str]:
    """This environment without any AWS setting, and shared files that do not exist."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(tmp_path / "no-config"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-creds"))
    return {**env, "COLUMNS": "200"}


def _how_aimed(endpoint, how: str, tmp_path) -> dict[str, str]:
    if how == "profile":  # what `simulate local env` hands out: a profile in the endpoint's own shared files
        return {**_clean_environment(tmp_path), **endpoint.aws_env()}
    key_id, secret = endpoint.admin_key()
    return {
        **_clean_environment(tmp_path),
        "AWS_ACCESS_KEY_ID": key_id,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_ENDPOINT_URL": endpoint.url,
        "AWS_REGION": "us-east-1",
    }


@pytest.mark.parametrize("how", ["profile", "environment"])
def test_produce_loads_none_of_the_modules_it_does_not_need(lean_stream, how: str, tmp_path) -> None:
    env = _how_aimed(lean_stream, how, tmp_path)
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


@pytest.mark.parametrize(
    "args",
    [
        ["--profile", "nobody"],  # botocore's session is what finds a profile missing: the same line as ever
        ["--name", " "],
        ["--stream", "no-such-stream"],
    ],
)
def test_the_fast_path_fails_exactly_as_typers_path(lean_stream, args: list[str], tmp_path) -> None:
    env = _how_aimed(lean_stream, "profile", tmp_path)
    base = [sys.executable, "-m", "simulator", "produce", "--records", "1", *args]

    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([*base, *extra], env=env, capture_output=True, text=True, timeout=120, check=False)

    fast = run("--seed=-3")  # read by the fast path
    slow = run("--seed", "-3")  # a value that looks like an option: typer reads these
    assert (fast.returncode, fast.stderr, fast.stdout) == (slow.returncode, slow.stderr, slow.stdout)
    assert fast.returncode != 0 and fast.stderr.startswith("error: ")
