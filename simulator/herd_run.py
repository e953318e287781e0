"""A herd on the stream, with its batcher, progress line, optional consumer and summary: what `simulate produce`
and `simulate fleet` share. Free of typer and rich (simulator.plain_output), so `simulate produce` starts without
them; the consumer's and the herd file's modules load only when a run needs them.
"""

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TextIO

from simulator import awsconfig, record
from simulator.errors import UserError
from simulator.fastput import PutRecordsClient
from simulator.herd import Herd, Runner
from simulator.plain_output import say
from simulator.printer import Printer, warn_on_stderr
from simulator.producer import Batcher, ProducerStats

if TYPE_CHECKING:
    from simulator import fleet_config
    from simulator.reader import StreamReader

FLEET_CONSUMER_NAME = "simulate-fleet"  # the herd file's `mode: efo` consumer, unless it names one


@dataclass
class HerdOutcome:
    started: datetime
    seconds: float
    produced: dict[str, int]
    stats: ProducerStats
    consumed: int | None
    consumed_by_name: dict[str, int] | None
    on_time_share: float
    consumer_error: UserError | None = None


class _Consumer:
    """The fleet's own reader, on a thread: prints records and counts them per unicorn.

    It never dies silently: whatever stops it is kept in `error` and `on_failure` is called (the herd stops),
    so the run ends with one line and a non-zero exit."""

    def __init__(
        self, reader: "StreamReader", printer: Printer, out: TextIO, describe_out: str, on_failure: Callable[[], None]
    ):
        self.reader = reader
        self.printer = printer
        self.out = out
        self.describe_out = describe_out
        self.on_failure = on_failure
        self.by_name: dict[str, int] = {}
        self.stop = threading.Event()
        self.error: UserError | None = None
        self.thread = threading.Thread(target=self._run, name="consumer", daemon=True)

    def _run(self) -> None:
        try:
            for batch in self.reader.batches():
                for item in batch.records:
                    decoded = record.decode(item.data)
                    if decoded is not None:
                        self.by_name[decoded["Name"]] = self.by_name.get(decoded["Name"], 0) + 1
                    self.printer.show(item.data, f"{item.shard_id}/{item.sequence_number}")
                self.out.flush()
                if self.stop.is_set():
                    return
        except UserError as error:
            self.error = error
        except OSError as error:
            self.error = UserError(f"cannot write to {self.describe_out}: {error.strerror or error}", exit_code=1)
        except BaseException as error:  # anything else: named in one line by the main thread
            self.error = UserError(f"{type(error).__name__}: {error}", exit_code=1)
        if self.error is not None:
            self.on_failure()

    def failure(self) -> UserError | None:
        if self.error is None:
            return None
        return UserError(f"the fleet's consumer stopped: {self.error}", exit_code=max(1, self.error.exit_code))

    @property
    def count(self) -> int:
        return sum(self.by_name.values())


def run_herd(
    runners: list[Runner],
    rng,
    stream: str,
    *,
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    duration: float | None,
    consumer_settings: "fleet_config.ConsumerSettings | None" = None,
    on_sent=None,
    progress: bool = True,
) -> HerdOutcome:
    target = awsconfig.resolve(region=region, endpoint_url=endpoint_url, profile=profile)
    put_endpoint = target.endpoint_url
    if put_endpoint is None:  # real AWS: botocore knows the region's endpoint (a client is made only for this)
        put_endpoint = awsconfig.client(target, "kinesis", max_attempts=1).meta.endpoint_url
    # The herd's hot path: the same endpoint and credentials as a boto3 client would use, a leaner PutRecords.
    put_client = PutRecordsClient(put_endpoint, target.region, awsconfig.credentials(target))
    started = datetime.now(UTC)
    consumer = None
    stop_herd = threading.Event()
    if consumer_settings and consumer_settings.enabled:
        from simulator.commands.consume import note
        from simulator.efo import EfoReader
        from simulator.reader import StartPosition, StreamReader

        # An EFO reader holds one connection per shard's subscription.
        reader_client = awsconfig.client(target, "kinesis", max_attempts=3, max_pool_connections=64)
        # From just before the first tick, so the consumer misses nothing the herd sends.
        since = StartPosition("AT_TIMESTAMP", timestamp=started - timedelta(seconds=1))
        if consumer_settings.mode == "efo":
            reader: StreamReader = EfoReader(
                reader_client,
                stream,
                since,
                consumer_name=consumer_settings.consumer_name or FLEET_CONSUMER_NAME,
                describe_endpoint=target.describe(),
                on_note=note,
            )
        else:
            reader = StreamReader(reader_client, stream, since, describe_endpoint=target.describe())
        out: TextIO = sys.stdout
        describe_out = "standard output"
        if consumer_settings.output is not None:
            describe_out = str(consumer_settings.output)
            try:
                out = consumer_settings.output.open("w", encoding="utf-8")
            except OSError as error:
                raise UserError(f"cannot write to {describe_out}: {error.strerror}") from None
        printer = Printer(consumer_settings.format, consumer_settings.name, out)
        consumer = _Consumer(reader, printer, out, describe_out, stop_herd.set)
        consumer.thread.start()
    batcher = Batcher(
        put_client, stream, describe_endpoint=target.describe(), on_sent=on_sent, on_warning=warn_on_stderr
    )
    herd = Herd(runners, batcher, rng, stop_event=stop_herd)
    ticker = _Progress(herd, batcher, consumer) if progress else None
    clock_start = time.monotonic()
    interrupted = False
    try:
        if ticker:
            ticker.start()
        herd.run(duration)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if ticker:
            ticker.stop()
    if batcher.fatal:
        batcher.close(timeout=0)
        raise batcher.fatal
    if interrupted:
        # A second Ctrl+C (a terminal's, then the demo's) must not cut the bounded flush and the summary short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        say("stopping: sending what is still queued ...")
    try:
        # Long enough for an unreachable endpoint to be reported as such rather than as lost records.
        stats = batcher.close(timeout=batcher.unreachable_after + 5.0)
    except KeyboardInterrupt:
        say("stopping now: records still queued are counted as failed")
        stats = batcher.close(timeout=0)
    if batcher.fatal:
        raise batcher.fatal
    seconds = time.monotonic() - clock_start
    consumer_error = None
    if consumer is not None:
        # Let the consumer catch up with what was accepted (bounded), then stop it.
        deadline = time.monotonic() + 10.0
        while consumer.count < stats.sent and time.monotonic() < deadline and consumer.error is None:
            time.sleep(0.1)
        consumer.stop.set()
        from simulator.efo import EfoReader

        if isinstance(consumer.reader, EfoReader):
            consumer.reader.close()  # its subscriptions end; a consumer it registered is deregistered
        consumer_error = consumer.failure()
        if consumer.out is not sys.stdout:
            with contextlib.suppress(OSError):  # already reported if it failed
                consumer.out.close()
    return HerdOutcome(
        started=started,
        seconds=seconds,
        produced=herd.stats.produced_by_name,
        stats=stats,
        consumed=None if consumer is None else consumer.count,
        consumed_by_name=None if consumer is None else dict(consumer.by_name),
        on_time_share=herd.stats.on_time_share,
        consumer_error=consumer_error,
    )


class _Progress:
    """A status line on stderr every second: records/s, failures, retries, unicorns, consumer lag."""

    def __init__(self, herd: Herd, batcher: Batcher, consumer: _Consumer | None):
        self.herd, self.batcher, self.consumer = herd, batcher, consumer
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="progress", daemon=True)
        self.enabled = sys.stderr.isatty()

    def start(self) -> None:
        if self.enabled:
            self.thread.start()

    def stop(self) -> None:
        self.done.set()
        if self.enabled:
            self.thread.join(timeout=2)
            sys.stderr.write("\n")

    def _run(self) -> None:
        last_sent, last_time = 0, time.monotonic()
        while not self.done.wait(1.0):
            stats = self.batcher.stats
            now = time.monotonic()
            rate = (stats.sent - last_sent) / max(1e-6, now - last_time)
            last_sent, last_time = stats.sent, now
            lag = ""
            if self.consumer is not None:
                behind = max(self.consumer.reader.stats.millis_behind.values(), default=0)
                lag = f", consumer read {self.consumer.count} (lag {behind} ms)"
            sys.stderr.write(
                f"\r{len(self.herd.runners)} unicorns: {rate:,.0f} records/s, sent {stats.sent}, "
                f"retried {stats.retried}, failed {stats.failed}, queued {self.batcher.pending}{lag}   "
            )
            sys.stderr.flush()


def summarise(outcome: HerdOutcome) -> None:
    stats = outcome.stats
    reasons = ", ".join(f"{count} {reason}" for reason, count in stats.failure_reasons.most_common())
    failed = f"failed {stats.failed}" + (f": {reasons}" if reasons else "")
    line = (
        f"sent {stats.sent} records from {len(outcome.produced)} unicorns in {outcome.seconds:.1f} s "
        f"(retried {stats.retried}, throttled {stats.throttled}, {failed})"
    )
    if outcome.consumed is not None:
        line += f"; the consumer read {outcome.consumed}"
    say(line)
