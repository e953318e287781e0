"""`simulate consume`: the workshop's ./consumer — print every unicorn record the stream receives."""

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer

from simulator import record
from simulator.commands.common import EndpointUrl, Profile, Region, Stream, kinesis_client
from simulator.commands.output import errors, reports_user_errors
from simulator.errors import UserError
from simulator.reader import DEFAULT_BUDGET_PER_SHARD, Checkpoint, StartPosition, StreamReader


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


class Printer:
    """Writes records as the workshop's consumer did (pretty) or one JSON object per line (jsonl)."""

    def __init__(self, output_format: str, name: str | None, out: TextIO | None = None):
        self.output_format = output_format
        self.name = name
        self.out = out or sys.stdout
        self.printed = 0

    def show(self, data: bytes, where: str) -> bool:
        """Print one record; True when it counted (matched the filter)."""
        decoded = record.decode(data)
        if decoded is None:
            raw = data.decode("utf-8", errors="replace")
            errors.print(f"[yellow]warning:[/] record {where} is not a unicorn record, shown raw: {raw!r}")
            if self.name is None:
                self.out.write(raw + "\n")
                self.printed += 1
                return True
            return False
        if self.name is not None and decoded["Name"] != self.name:
            return False
        if self.output_format == "jsonl":
            self.out.write(json.dumps(decoded, ensure_ascii=False, separators=(",", ":")) + "\n")
        else:
            self.out.write(record.pretty(decoded) + "\n")
        self.printed += 1
        return True


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
    region: Region = None,
    endpoint_url: EndpointUrl = None,
    profile: Profile = None,
) -> None:
    """Print every unicorn record as it arrives, from every shard, following reshards."""
    if output_format not in ("pretty", "jsonl"):
        raise UserError(f"--format {output_format!r} is unknown: use pretty or jsonl")
    position = parse_start(start, shard)
    target, client = kinesis_client(region, endpoint_url, profile, max_attempts=3)
    saved = Checkpoint(checkpoint, stream) if checkpoint else None
    if saved and saved.exists and start != "latest":
        errors.print(f"note: resuming from checkpoint {checkpoint}; --from {start} applies to new shards only")
    reader = StreamReader(
        client,
        stream,
        position,
        budget_per_shard=budget,
        checkpoint=saved,
        only_shard=shard,
        describe_endpoint=target.describe(),
    )
    printer = Printer(output_format, name)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        for batch in reader.batches(deadline):
            for index, item in enumerate(batch.records):
                printer.show(item.data, f"{item.shard_id}/{item.sequence_number}")
                if max_records is not None and printer.printed >= max_records:
                    sys.stdout.flush()
                    reader.commit_partial(batch, index + 1)
                    return
            sys.stdout.flush()
    except KeyboardInterrupt:
        sys.stdout.flush()
