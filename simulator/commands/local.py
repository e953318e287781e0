"""`simulate local start|stop|status`: the embedded local AWS endpoint."""

from typing import Annotated

import typer

from simulator.commands.output import console, reports_user_errors
from simulator.local import launcher, state
from simulator.local.options import EndpointOptions

app = typer.Typer(help="Run the local AWS endpoint (moto server + fidelity layer) on 127.0.0.1.", no_args_is_help=True)


@app.command()
@reports_user_errors
def start(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1.")] = state.DEFAULT_PORT,
    iam_enforcement: Annotated[
        bool, typer.Option(help="Check every request against IAM policies, as AWS does.")
    ] = False,
    max_records_per_shard: Annotated[
        int, typer.Option(min=1, help="Records kept per shard before the oldest are trimmed.")
    ] = EndpointOptions.max_records_per_shard,
    kinesis_limits: Annotated[
        bool,
        typer.Option(
            help="Enforce Kinesis shard limits: 1,000 records and 1 MiB written, 5 GetRecords calls and 2 MiB read "
            "per shard per second; beyond them calls or PutRecords entries fail with "
            "ProvisionedThroughputExceededException, as on AWS."
        ),
    ] = EndpointOptions.kinesis_limits,
    inject_throttle: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Fraction (0..1) of Kinesis GetRecords and PutRecord calls answered with "
            "ProvisionedThroughputExceededException, to exercise retries.",
        ),
    ] = EndpointOptions.inject_throttle,
    inject_put_failures: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Fraction (0..1) of PutRecords entries failed and not stored "
            "(alternately ProvisionedThroughputExceededException and InternalFailure).",
        ),
    ] = EndpointOptions.inject_put_failures,
    inject_seed: Annotated[
        int, typer.Option(help="Seed of the injected faults' random choices (same seed, same faults).")
    ] = EndpointOptions.inject_seed,
    plain_moto: Annotated[
        bool, typer.Option(hidden=True, help="Run moto without the fidelity layer (to compare).")
    ] = False,
) -> None:
    """Start the local endpoint in the background; a second start finds the running one."""
    options = EndpointOptions(
        port=port,
        fidelity=not plain_moto,
        iam_enforcement=iam_enforcement,
        max_records_per_shard=max_records_per_shard,
        kinesis_limits=kinesis_limits,
        inject_throttle=inject_throttle,
        inject_put_failures=inject_put_failures,
        inject_seed=inject_seed,
    )
    running, started = launcher.start(options)
    if started:
        console.print(f"local AWS endpoint started at {running.url} (pid {running.pid})")
    else:
        console.print(f"local AWS endpoint already running at {running.url} (pid {running.pid})")
    console.print(f"use it with: export AWS_ENDPOINT_URL={running.url}")


@app.command()
@reports_user_errors
def stop() -> None:
    """Stop the local endpoint and every process it started."""
    stopped = launcher.stop()
    if stopped:
        console.print(f"local AWS endpoint at {stopped.url} stopped (pid {stopped.pid})")
    else:
        console.print("local AWS endpoint was not running")


@app.command()
@reports_user_errors
def status() -> None:
    """Say whether the local endpoint runs; exit code 1 when it does not."""
    running = launcher.status()
    if not running:
        console.print(f"local AWS endpoint is not running (state folder {state.state_dir()})")
        raise typer.Exit(1)
    enforcement = "on" if running.options.get("iam_enforcement") else "off"
    fidelity = "on" if running.options.get("fidelity") else "OFF (plain moto)"
    limits = "on" if running.options.get("kinesis_limits") else "off"
    console.print(
        f"local AWS endpoint running at {running.url} (pid {running.pid}, moto {running.moto_version}, "
        f"fidelity layer {fidelity}, IAM enforcement {enforcement}, Kinesis limits {limits}, "
        f"log {state.log_file()})"
    )
