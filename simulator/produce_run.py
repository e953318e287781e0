"""`simulate produce`'s body, free of typer: the typer command (simulator.commands.fleet.produce) and the CLI's fast
path (simulator.cli) both run it, so the fast path puts its first record without importing typer or rich."""

import random
import sys

from simulator.errors import UserError
from simulator.herd import Runner
from simulator.herd_run import run_herd, summarise
from simulator.plain_output import exit_code_for
from simulator.unicorn import DEFAULT_START, Unicorn


def produce(
    name: str = "Shadowfax",
    stream: str = "wildrydes",
    rate: float = 1.0,
    records: int | None = None,
    duration: float | None = None,
    seed: int | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    profile: str | None = None,
) -> int:
    """One unicorn, a dot per record sent, a summary line; the exit code (1 when records were lost).

    Raises UserError and botocore's errors, for the caller to report as every command does."""
    if not name.strip():
        raise UserError("--name must not be empty: it is the unicorn's name and the partition key")
    rng = random.Random(seed)
    runners = [Runner(Unicorn(name, rng, DEFAULT_START), 1.0 / rate, records)]

    def dot(_: str) -> None:
        sys.stdout.write(".")
        sys.stdout.flush()

    outcome = run_herd(
        runners,
        rng,
        stream,
        region=region,
        endpoint_url=endpoint_url,
        profile=profile,
        duration=duration,
        on_sent=dot,
        progress=False,
    )
    sys.stdout.write("\n")
    summarise(outcome)
    return 1 if outcome.stats.failed else 0


def produce_reporting_errors(**arguments: object) -> int:
    """`produce` with its errors reported as `reports_user_errors` reports them; the exit code."""
    try:
        return produce(**arguments)  # type: ignore[arg-type]
    except Exception as problem:
        code = exit_code_for(problem)
        if code is None:
            raise
        return code
