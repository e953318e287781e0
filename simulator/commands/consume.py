"""`simulate consume`: the workshop's ./consumer — print every unicorn record the stream receives."""

import contextlib
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.text import Text

from simulator.commands.common import EndpointUrl, Profile, Region, Stream, kinesis_client
from simulator.commands.output import errors, reports_user_errors
from simulator.efo import DEFAULT_CONSUMER_NAME, EfoReader, check_consumer_name
from simulator.errors import UserError
from simulator.printer import Printer
from simulator.reader import DEFAULT_BUDGET_PER_SHARD, Checkpoint, StartPosition, StreamReader
from simulator.safe_text import visible

__all__ = ["Printer", "consume", "parse_start"]


def parse_start(value: str, shard: str | None) -> StartPosition:
    lowered = value.strip().lower()
    if lowered in ("latest", ""):
        return StartPosition("LATEST")
    if lowered in ("trim-horizon", "trim_horizon", "oldest"):
        return StartPosition("TRIM_HORIZON")
    if value.isdigit():
        if not shard:
            raise UserError("--from <sequence number> needs --shard ID: sequence numbers belong to one shard")
        return StartPosition("AFTER_SEQUENCE_NUMBER", sequence_number=value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(
            f"--from {value!r} is not latest, trim-horizon, an ISO-8601 time (2017-06-05T09:17:08Z) "
            "or, with --shard, a sequence number"
        ) from None
    if moment.tzinfo is None:
        raise UserError(f"--from {value!r} has no time zone: add Z for UTC, e.g. {value}Z")
    return StartPosition("AT_TIMESTAMP", timestamp=moment)


@reports_user_errors
def consume(
    stream: Stream = "wildrydes",
    start: Annotated[
        str,
        typer.Option(
            "--from",
            help="latest, trim-horizon, an ISO-8601 time, or (with --shard) a sequence number to read after. "
            "An existing --checkpoint wins over --from.",
        ),
    ] = "latest",
    shard: Annotated[str | None, typer.Option(help="Read only this shard (e.g. shardId-000000000000).")] = None,
    name: Annotated[str | None, typer.Option(help="Only this unicorn's records.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="pretty (the workshop's) or jsonl.")] = "pretty",
    max_records: Annotated[int | None, typer.Option(min=1, help="Stop after printing this many records.")] = None,
    timeout: Annotated[float | None, typer.Option(min=0, help="Stop after this many seconds.")] = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option(help="Remember the position here and resume from it after a restart (even after kill -9)."),
    ] = None,
    budget: Annotated[
        float, typer.Option(min=0.1, help="GetRecords calls per second per shard this reader may use.")
    ] = DEFAULT_BUDGET_PER_SHARD,
    output: Annotated[
        Path | None, typer.Option(help="Write the records to this file instead of the terminal (overwritten).")
    ] = None,
    efo: Annotated[
        bool,
        typer.Option(
            "--efo",
            help="Enhanced fan-out: read through a registered stream consumer that has the records pushed as they "
            "arrive (SubscribeToShard), with its own read throughput, instead of polling with GetRecords.",
        ),
    ] = False,
    consumer_name: Annotated[
        str | None,
        typer.Option(
            help=f"With --efo: the consumer to use, registered if it is not (and then deregistered on exit). "
            f"Default {DEFAULT_CONSUMER_NAME}.",
        ),
    ] = None,
    region: Region = None,
    endpoint_url: EndpointUrl = None,
    profile: Profile = None,
) -> None:
    """Print every unicorn record as it arrives, from every shard, following reshards."""
    if output_format not in ("pretty", "jsonl"):
        raise UserError(f"--format {output_format!r} is unknown: use pretty or jsonl")
    if consumer_name is not None and not efo:
        raise UserError("--consumer-name names an enhanced fan-out consumer: add --efo")
    if efo and budget != DEFAULT_BUDGET_PER_SHARD:
        raise UserError("--budget limits GetRecords polling, which --efo does not do: use one or the other")
    if efo:
        check_consumer_name(consumer_name or DEFAULT_CONSUMER_NAME)
    position = parse_start(start, shard)
    # With --efo, each shard's subscription holds an HTTP connection of its own.
    target, client = kinesis_client(region, endpoint_url, profile, max_attempts=3, max_pool_connections=64)
    saved = Checkpoint(checkpoint, stream) if checkpoint else None
    if saved and saved.exists and start != "latest":
        note(f"resuming from checkpoint {checkpoint}; --from {start} applies to new shards only")
    options = {"checkpoint": saved, "only_shard": shard, "describe_endpoint": target.describe(), "on_note": note}
    if efo:
        reader: StreamReader = EfoReader(
            client, stream, position, consumer_name=consumer_name or DEFAULT_CONSUMER_NAME, **options
        )
    else:
        reader = StreamReader(client, stream, position, budget_per_shard=budget, **options)
    try:
        read(reader, output, output_format, name, max_records, timeout)
    finally:
        if isinstance(reader, EfoReader):
            reader.close()


def read(
    reader: StreamReader,
    output: Path | None,
    output_format: str,
    name: str | None,
    max_records: int | None,
    timeout: float | None,
) -> None:
    out = open_output(output) if output else sys.stdout
    printer = Printer(output_format, name, out)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        for batch in reader.batches(deadline):
            for index, item in enumerate(batch.records):
                printer.show(item.data, f"{item.shard_id}/{item.sequence_number}")
                if max_records is not None and printer.printed >= max_records:
                    flush(out, output)
                    reader.commit_partial(batch, index + 1)
                    return
            flush(out, output)
    except KeyboardInterrupt:
        flush(out, output)
    except OSError as error:
        raise UserError(f"cannot write to {output or 'standard output'}: {error.strerror}") from None
    finally:
        if out is not sys.stdout:
            with contextlib.suppress(OSError):  # flushed above; a failure there was already the error
                out.close()


def note(message: str) -> None:
    errors.print(Text(f"note: {visible(message)}"), soft_wrap=True)


def open_output(path: Path) -> TextIO:
    try:
        return path.open("w", encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write to {path}: {error.strerror}") from None


def flush(out: TextIO, path: Path | None) -> None:
    """Before a checkpoint moves on, what was printed must have left: a failed write stops the reading."""
    try:
        out.flush()
    except OSError as error:
        raise UserError(f"cannot write to {path or 'standard output'}: {error.strerror}") from None
