"""`simulate fleet fleet.yml` (or just `simulate fleet.yml`) and `simulate produce`: unicorns on the stream.

Both run a herd (simulator.herd_run) that feeds the batcher (simulator.producer); the fleet may also run a
consumer (simulator.reader) in the same process, printing what the stream received. These are the typer
commands; `produce`'s body is simulator.produce_run's, which the CLI's fast path runs without typer.
"""

import json
from pathlib import Path
from typing import Annotated

import typer

from simulator import produce_run
from simulator.commands.common import EndpointUrl, Profile, Region, Stream
from simulator.commands.output import errors, reports_user_errors
from simulator.herd import Runner
from simulator.herd_run import HerdOutcome, run_herd, summarise


def write_report(path: Path, stream: str, outcome: HerdOutcome) -> None:
    stats = outcome.stats
    unicorns = {
        name: {
            "produced": produced,
            "sent": stats.sent_by_key.get(name, 0),
            "failed": stats.failed_by_key.get(name, 0),
            **({"consumed": outcome.consumed_by_name.get(name, 0)} if outcome.consumed_by_name is not None else {}),
        }
        for name, produced in sorted(outcome.produced.items())
    }
    report = {
        "stream": stream,
        "started": outcome.started.isoformat(),
        "seconds": round(outcome.seconds, 3),
        "ticks_on_time": round(outcome.on_time_share, 4),
        "totals": {
            "unicorns": len(unicorns),
            "produced": sum(outcome.produced.values()),
            "sent": stats.sent,
            "retried": stats.retried,
            "throttled": stats.throttled,
            "failed": stats.failed,
            "failure_reasons": dict(stats.failure_reasons),
            **({"consumed": outcome.consumed} if outcome.consumed is not None else {}),
        },
        "unicorns": unicorns,
    }
    path.write_text(json.dumps(report, indent=2) + "\n")


@reports_user_errors
def fleet(
    herd_file: Annotated[Path, typer.Argument(help="The herd file, e.g. fleet.yml.")],
    duration: Annotated[
        float | None, typer.Option(min=0.1, help="Seconds to run (overrides the file's duration).")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Write a JSON report of records per unicorn here.")] = None,
    region: Region = None,
    endpoint_url: EndpointUrl = None,
    profile: Profile = None,
) -> None:
    """Run a whole herd of unicorns (and, if the file says so, a consumer) from one process."""
    from simulator import fleet_config

    config = fleet_config.load(herd_file)
    herd, rng = config.build()
    runners = [Runner(unicorn, 1.0 / rate, limit) for unicorn, rate, limit in herd]
    outcome = run_herd(
        runners,
        rng,
        config.stream,
        region=region,
        endpoint_url=endpoint_url,
        profile=profile,
        duration=duration or config.duration,
        consumer_settings=config.consumer,
    )
    summarise(outcome)
    if report:
        write_report(report, config.stream, outcome)
        errors.print(f"report written to {report}")
    if outcome.consumer_error is not None:
        raise outcome.consumer_error
    if outcome.stats.failed:
        raise typer.Exit(1)


@reports_user_errors
def produce(
    name: Annotated[str, typer.Option(help="The unicorn's name.")] = "Shadowfax",
    stream: Stream = "wildrydes",
    rate: Annotated[float, typer.Option(min=0.01, max=1000, help="Records per second.")] = 1.0,
    records: Annotated[int | None, typer.Option(min=1, help="Stop after this many records.")] = None,
    duration: Annotated[float | None, typer.Option(min=0.1, help="Stop after this many seconds.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed: the same seed gives the same ride.")] = None,
    region: Region = None,
    endpoint_url: EndpointUrl = None,
    profile: Profile = None,
) -> None:
    """One unicorn, one record per second, a dot per record sent: the workshop's ./producer."""
    code = produce_run.produce(
        name=name,
        stream=stream,
        rate=rate,
        records=records,
        duration=duration,
        seed=seed,
        region=region,
        endpoint_url=endpoint_url,
        profile=profile,
    )
    if code:
        raise typer.Exit(code)
