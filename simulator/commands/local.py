"""`simulate local start|stop|status|env|account`: the embedded local AWS endpoint (package localaws)."""

import json
import shlex
from pathlib import Path
from typing import Annotated

import typer

from localaws import accounts as local_accounts
from localaws import launcher
from localaws.settings import DEFAULT_PORT, Settings
from localaws.state import StateFolder, default_state_dir
from simulator.commands.output import console, reports_user_errors
from simulator.errors import UserError

app = typer.Typer(help="Run the local AWS endpoint on 127.0.0.1.", no_args_is_help=True)
account_app = typer.Typer(help="Simulated AWS accounts, each with its own admin key and profile.", no_args_is_help=True)
app.add_typer(account_app, name="account")

StateDir = Annotated[
    Path | None,
    typer.Option(
        help="State folder (pid file, log, control token, generated keys and AWS profiles). "
        "Default: $WILDRYDES_STATE_DIR, else $XDG_STATE_HOME/wildrydes, else ~/.local/state/wildrydes."
    ),
]


def _state(state_dir: Path | None) -> StateFolder:
    return StateFolder(state_dir or default_state_dir())


def _settings(**values: object) -> Settings:
    try:
        return Settings(**values)
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        first = error.errors()[0] if hasattr(error, "errors") else {"loc": (), "msg": str(error)}
        where = "--" + "-".join(str(part) for part in first["loc"]).replace("_", "-")
        given = f" {first['input']}" if "input" in first else ""
        raise UserError(f"{where}{given}: {first['msg'].lower()}") from None


@app.command()
@reports_user_errors
def start(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1.")] = DEFAULT_PORT,
    state_dir: StateDir = None,
    iam_enforcement: Annotated[
        bool, typer.Option(help="Check every request against IAM policies, as AWS does (on unless switched off).")
    ] = True,
    account: Annotated[
        list[str] | None,
        typer.Option(help="A simulated account to make at start (12 digits; repeat for more). Default 123456789012."),
    ] = None,
    shard_quota: Annotated[
        int | None, typer.Option(help="Open shards per account and region (default: AWS's, 500 or 200).")
    ] = None,
    state_transition_seconds: Annotated[
        float, typer.Option(help="How long streams and consumers stay CREATING, UPDATING or DELETING.")
    ] = 0.5,
    iam_propagation_delay: Annotated[
        float,
        typer.Option(
            help="Seconds before new roles, policies and trust changes take effect (IAM is eventually consistent)."
        ),
    ] = 0.0,
    max_records_per_shard: Annotated[
        int, typer.Option(help="Records kept per shard before the oldest are dropped.")
    ] = 5_000_000,
    kinesis_limits: Annotated[
        bool,
        typer.Option(
            help="Enforce Kinesis shard limits: 1,000 records and 1 MiB written, 5 GetRecords calls and 2 MiB read "
            "per shard per second; beyond them ProvisionedThroughputExceededException, as on AWS."
        ),
    ] = False,
    inject_throttle: Annotated[
        float, typer.Option(help="Fraction (0..1) of GetRecords and PutRecord calls throttled, to exercise retries.")
    ] = 0.0,
    inject_put_failures: Annotated[
        float, typer.Option(help="Fraction (0..1) of PutRecords entries failed and not stored.")
    ] = 0.0,
    inject_seed: Annotated[int, typer.Option(help="Seed of the injected faults (same seed, same faults).")] = 0,
    subscription_seconds: Annotated[
        float, typer.Option(help="How long a SubscribeToShard subscription lasts (AWS: 300 s); shorter for tests.")
    ] = 300.0,
) -> None:
    """Start the local endpoint in the background; a second start finds the running one."""
    settings = _settings(
        port=port,
        state_dir=_state(state_dir).path,
        iam_enforcement=iam_enforcement,
        accounts=account or [local_accounts.DEFAULT_ACCOUNT_ID],
        shard_quota=shard_quota,
        state_transition_seconds=state_transition_seconds,
        iam_propagation_delay=iam_propagation_delay,
        max_records_per_shard=max_records_per_shard,
        kinesis_limits=kinesis_limits,
        inject_throttle=inject_throttle,
        inject_put_failures=inject_put_failures,
        inject_seed=inject_seed,
        subscription_seconds=subscription_seconds,
    )
    try:
        running, started = launcher.start(settings)
    except launcher.EndpointError as error:
        raise UserError(str(error)) from None
    verb = "started" if started else "already running"
    console.print(f"local AWS endpoint {verb} at {running.url} (pid {running.pid})")
    console.print(f'use it with: eval "$(simulate local env{_state_flag(state_dir)})"')


def _state_flag(state_dir: Path | None) -> str:
    return f" --state-dir {shlex.quote(str(state_dir))}" if state_dir else ""


@app.command()
@reports_user_errors
def stop(state_dir: StateDir = None) -> None:
    """Stop the local endpoint and every process it started."""
    stopped = launcher.stop(_state(state_dir))
    if stopped:
        console.print(f"local AWS endpoint at {stopped.url} stopped (pid {stopped.pid})")
    else:
        console.print("local AWS endpoint was not running")


@app.command()
@reports_user_errors
def status(
    state_dir: StateDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print URL, pid, settings and file paths as JSON.")] = False,
) -> None:
    """Say whether the local endpoint runs; exit code 1 when it does not."""
    state = _state(state_dir)
    running = launcher.status(state)
    if not running:
        if as_json:
            print(json.dumps({"running": False, "state_dir": str(state.path)}))
        else:
            console.print(f"local AWS endpoint is not running (state folder {state.path})")
        raise typer.Exit(1)
    if as_json:
        print(json.dumps({"running": True, **running.status}, indent=2))
        return
    settings = running.settings
    account_ids = ", ".join(running.status.get("accounts", []))
    console.print(
        f"local AWS endpoint running at {running.url} (pid {running.pid}, IAM enforcement "
        f"{'on' if settings.get('iam_enforcement') else 'OFF'}, Kinesis limits "
        f"{'on' if settings.get('kinesis_limits') else 'off'}, accounts {account_ids}, "
        f"log {state.log_file})"
    )


@app.command()
@reports_user_errors
def env(
    state_dir: StateDir = None,
    account: Annotated[str | None, typer.Option(help="Also select this account's profile (AWS_PROFILE).")] = None,
) -> None:
    """Print the shell exports that aim AWS tools at the local endpoint: eval "$(simulate local env)"."""
    state = _state(state_dir)
    known = local_accounts.Accounts(state)
    try:
        ids = known.ids()
    except ValueError as error:
        raise UserError(str(error)) from None
    if not ids:
        raise UserError(f"no simulated accounts in {state.path}: start the endpoint with `simulate local start`")
    chosen = account or (local_accounts.DEFAULT_ACCOUNT_ID if local_accounts.DEFAULT_ACCOUNT_ID in ids else ids[0])
    if chosen not in ids:
        raise UserError(f"no simulated account {chosen}: add it with `simulate local account add {chosen}`")
    print(f"export AWS_CONFIG_FILE={shlex.quote(str(state.aws_config_file))}")
    print(f"export AWS_SHARED_CREDENTIALS_FILE={shlex.quote(str(state.aws_credentials_file))}")
    print(f"export AWS_PROFILE={local_accounts.profile_name(chosen)}")


@account_app.command("add")
@reports_user_errors
def account_add(
    account_ids: Annotated[list[str], typer.Argument(help="12-digit account ids.")],
    state_dir: StateDir = None,
) -> None:
    """Add simulated accounts: each gets a generated admin key and a profile wildrydes-local-<id>."""
    state = _state(state_dir)
    running = launcher.status(state)
    try:
        added = local_accounts.Accounts(state).add(account_ids, endpoint_url=running.url if running else None)
    except ValueError as error:
        raise UserError(f"{error}: give 12-digit ids, e.g. `simulate local account add 000000000001`") from None
    for account_id in account_ids:
        word = "added" if account_id in added else "already there"
        console.print(f"account {account_id} {word}: profile {local_accounts.profile_name(account_id)}")


@account_app.command("list")
@reports_user_errors
def account_list(state_dir: StateDir = None) -> None:
    """List the simulated accounts and their profiles."""
    state = _state(state_dir)
    for account_id in local_accounts.Accounts(state).ids():
        console.print(f"{account_id}  profile {local_accounts.profile_name(account_id)}")
