"""Enhanced fan-out: a registered stream consumer, and records pushed by SubscribeToShard instead of polled.

`EfoReader` is a `StreamReader` (the same shards, parents before children, checkpoint and start positions, the same
`batches()`), whose records come from one SubscribeToShard subscription per shard instead of GetRecords calls: a
thread per subscription blocks on its HTTP response (no CPU at rest) and hands each event's records to the caller
through one queue, so the records of a shard keep their order.

A subscription lasts at most 5 minutes on AWS. It is renewed a little before that, or when it ends, from the last
event's ContinuationSequenceNumber (AFTER_SEQUENCE_NUMBER); records at or before the last one handed on are
dropped, so a renewal neither loses nor repeats a record. At a shard's end (ChildShards) its children are found
and subscribed once all their parents are read to their end. A consumer the reader registered is deregistered by
`close()`; one it found registered is left as it was.
"""

import atexit
import contextlib
import queue
import random
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from urllib3.exceptions import HTTPError as Urllib3Error

from simulator.errors import UserError, no_credentials
from simulator.reader import (
    DEFAULT_BUDGET_PER_SHARD,
    UNREACHABLE_SECONDS,
    Batch,
    StartPosition,
    StreamReader,
    StreamRecord,
    _Shard,
)

DEFAULT_CONSUMER_NAME = "simulate-consume"
RENEW_AFTER_SECONDS = 290.0  # AWS ends a subscription after 300 s: renew before, not after, it ends
CONSUMER_WAIT_SECONDS = 300.0  # registering takes AWS seconds to a minute or two
QUEUED_EVENTS = 256  # a slow printer stops the subscriptions reading, and so the server sending
IN_USE_NOTE_AFTER = 4  # ResourceInUseException this many times in a row: probably another reader
RETRYABLE_CODES = {
    "ResourceInUseException",
    "LimitExceededException",
    "ThrottlingException",
    "InternalFailureException",
    "ServiceUnavailableException",
    "KMSThrottlingException",
}
DENIED_CODES = {"AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException"}


def _consumer_name_rules() -> dict[str, Any]:
    """ConsumerName's length and pattern, as the Kinesis model declares them."""
    return botocore.session.get_session().get_service_model("kinesis").shape_for("ConsumerName").metadata


def check_consumer_name(name: str) -> str:
    """The name, or a UserError saying what a consumer name may be (the model's rules, checked before any call)."""
    rules = _consumer_name_rules()
    low, high, pattern = rules.get("min", 1), rules.get("max", 128), rules.get("pattern", "[a-zA-Z0-9_.-]+")
    if not (low <= len(name) <= high) or re.fullmatch(pattern, name) is None:
        raise UserError(
            f"consumer name {name!r} is not valid: {low} to {high} characters, letters, digits, _ . and - only"
        )
    return name


@dataclass
class Consumer:
    name: str
    arn: str
    ours: bool  # registered by this reader: deregistered when it closes


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _message(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Message", "") or ""


class EfoReader(StreamReader):
    def __init__(
        self,
        client: Any,
        stream_name: str,
        start: StartPosition = StartPosition(),  # noqa: B008 (frozen: one shared default is safe, as StreamReader's)
        *,
        consumer_name: str = DEFAULT_CONSUMER_NAME,
        renew_after: float = RENEW_AFTER_SECONDS,
        **options: Any,
    ):
        options.setdefault("budget_per_shard", DEFAULT_BUDGET_PER_SHARD)
        super().__init__(client, stream_name, start, **options)
        self.consumer_name = check_consumer_name(consumer_name)
        self.renew_after = renew_after
        self.consumer: Consumer | None = None
        # Records a subscription sent again (at or before the last one handed on) and dropped here.
        self.repeats_dropped = 0
        self._events: queue.Queue[tuple[str, _Shard, Any]] = queue.Queue(maxsize=QUEUED_EVENTS)
        self._subscriptions: dict[str, _Subscription] = {}
        self._subscriptions_lock = threading.Lock()  # close() may come from another thread than batches()
        self._closing = threading.Event()
        self._close_lock = threading.Lock()
        self._closed = False

    # -- the consumer ----------------------------------------------------------------------------------

    def _consumer_call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        """A consumer call; an unreachable endpoint is retried for UNREACHABLE_SECONDS; refusals are one line."""
        return self._while_unreachable(lambda: self._consumer_call_once(method, **kwargs))

    def _consumer_call_once(self, method: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return getattr(self.client, method)(**kwargs)
        except NoCredentialsError:
            raise no_credentials() from None
        except ClientError as error:
            if _code(error) in DENIED_CODES:
                action = "".join(part.capitalize() for part in method.split("_"))
                raise UserError(
                    f"not allowed to {action} for consumer {self.consumer_name!r} of stream "
                    f"{self.stream_name!r} ({_code(error)}): check your credentials, or name a consumer "
                    "registered for you with --consumer-name"
                ) from None
            raise

    def _describe_consumer(self, stream_arn: str) -> dict[str, Any] | None:
        try:
            reply = self._consumer_call(
                "describe_stream_consumer", StreamARN=stream_arn, ConsumerName=self.consumer_name
            )
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                return None
            raise
        return reply["ConsumerDescription"]

    def _ensure_consumer(self) -> Consumer:
        """The ACTIVE consumer of that name: found, or registered (and then ours); CREATING and DELETING are
        waited out by describing it (botocore has no waiter for consumers)."""
        summary = self._call("describe_stream_summary", StreamName=self.stream_name)["StreamDescriptionSummary"]
        stream_arn = summary["StreamARN"]
        ours = self.consumer is not None and self.consumer.ours  # registered by an earlier, interrupted call
        give_up = time.monotonic() + CONSUMER_WAIT_SECONDS
        pause = 0.1
        while True:
            described = self._describe_consumer(stream_arn)
            if described is not None and described["ConsumerStatus"] == "ACTIVE":
                return Consumer(self.consumer_name, described["ConsumerARN"], ours)
            if described is None:
                try:
                    reply = self._consumer_call(
                        "register_stream_consumer", StreamARN=stream_arn, ConsumerName=self.consumer_name
                    )
                    # Known at once, so that a reader stopped while it is CREATING still deregisters it.
                    self.consumer = Consumer(self.consumer_name, reply["Consumer"]["ConsumerARN"], ours=True)
                    # Whatever ends the process (an error, SIGTERM) but kill -9, an EFO consumer costs money.
                    atexit.register(self.close)
                    ours = True
                    continue
                except ClientError as error:
                    # ResourceInUse: someone registered it meanwhile; LimitExceeded: too many CREATING at once, or
                    # the stream's 20 consumers (then the wait below ends in one line).
                    if _code(error) not in ("ResourceInUseException", "LimitExceededException"):
                        raise UserError(
                            f"cannot register consumer {self.consumer_name!r} on stream {self.stream_name!r}: "
                            f"{_code(error)} {_message(error)}".strip()
                        ) from None
                    if _code(error) == "LimitExceededException" and time.monotonic() + pause >= give_up:
                        raise UserError(
                            f"cannot register consumer {self.consumer_name!r} on stream {self.stream_name!r}: "
                            f"{_message(error) or 'LimitExceededException'} (deregister unused consumers: "
                            "aws kinesis list-stream-consumers)"
                        ) from None
            if time.monotonic() >= give_up:
                status = described["ConsumerStatus"] if described else "not registered"
                raise UserError(
                    f"consumer {self.consumer_name!r} of stream {self.stream_name!r} is still {status} after "
                    f"{CONSUMER_WAIT_SECONDS:.0f} s"
                )
            time.sleep(pause)
            pause = min(2.0, pause * 1.5)

    def _deregister(self) -> None:
        consumer = self.consumer
        if consumer is None or not consumer.ours:
            return
        try:
            self.client.deregister_stream_consumer(ConsumerARN=consumer.arn)
        except ClientError as error:
            if _code(error) != "ResourceNotFoundException":  # gone with its stream: nothing left to do
                self._note(
                    f"could not deregister consumer {consumer.name!r} ({_code(error)} {_message(error)}): "
                    f"deregister it with `aws kinesis deregister-stream-consumer --consumer-arn {consumer.arn}`"
                )
        except BotoCoreError as error:
            self._note(f"could not deregister consumer {consumer.name!r} ({type(error).__name__}): {consumer.arn}")

    def _note(self, message: str) -> None:
        if self._on_note:
            self._on_note(message)

    # -- reading ---------------------------------------------------------------------------------------

    def batches(self, deadline: float | None = None) -> Iterator[Batch]:
        """Batches of records as they are pushed, until `deadline` (time.monotonic), `close()`, or forever."""
        self._bind_checkpoint()
        self._refresh_shards()
        registered_before = self.consumer is not None and self.consumer.ours
        self.consumer = self._ensure_consumer()
        if self.consumer.ours and not registered_before:
            self._note(f"registered consumer {self.consumer.name!r} (deregistered when this reader stops)")
        handled: tuple[Batch | None, _Shard | None] = (None, None)
        try:
            while not self._closing.is_set() and (deadline is None or time.monotonic() < deadline):
                self._subscribe_ready()
                if self.only_shard and all(s.done for s in self._shards.values()):
                    break
                wait = 0.5 if deadline is None else max(0.0, min(0.5, deadline - time.monotonic()))
                try:
                    kind, shard, payload = self._events.get(timeout=wait)
                except queue.Empty:
                    continue
                if kind == "error":
                    raise payload
                if kind == "batch":
                    self._commit(*handled)
                    handled = (payload, None)
                    yield payload
                elif kind == "end":
                    shard.done = True
                    with self._subscriptions_lock:
                        self._subscriptions.pop(shard.shard_id, None)
                    self._commit(*handled)
                    handled = (None, None)
                    self._commit(None, shard)
                    self._refresh_shards()  # its children, with all their parents
            self._commit(*handled)
        finally:
            self._stop_subscriptions()

    def _subscribe_ready(self) -> None:
        with self._subscriptions_lock:
            for shard in self._shards.values():
                if shard.shard_id not in self._subscriptions and self._ready(shard) and not self._closing.is_set():
                    subscription = _Subscription(self, shard)
                    self._subscriptions[shard.shard_id] = subscription
                    subscription.thread.start()

    def _hand_on(self, item: tuple[str, _Shard, Any], stop: threading.Event) -> bool:
        """Queue an item for the caller, waiting while the queue is full; False once the reader stops."""
        while not stop.is_set() and not self._closing.is_set():
            try:
                self._events.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def _stop_subscriptions(self) -> None:
        with self._subscriptions_lock:
            stopping = list(self._subscriptions.values())
            self._subscriptions.clear()
        for subscription in stopping:
            subscription.stop()
        for subscription in stopping:
            subscription.thread.join(timeout=5.0)

    def close(self) -> None:
        """Stop every subscription and deregister the consumer if this reader registered it. From any thread."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self._closing.set()
        self._stop_subscriptions()
        self._deregister()
        atexit.unregister(self.close)


class _Subscription:
    """One shard's subscriptions, one after the other, on a thread of its own."""

    def __init__(self, reader: EfoReader, shard: _Shard):
        self.reader = reader
        self.shard = shard
        # Where the next subscription starts: after the last record handed on, or the shard's own start.
        self.after: str | None = shard.last_sequence
        self.continuation: str | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"efo-{shard.shard_id}", daemon=True)
        self._live: Any = None
        self._live_lock = threading.Lock()
        self._rng = random.Random()

    def stop(self) -> None:
        self.stopping.set()
        with self._live_lock:
            live, self._live = self._live, None
        if live is not None:
            _interrupt(live)

    def _stopped(self) -> bool:
        return self.stopping.is_set() or self.reader._closing.is_set()

    def _run(self) -> None:
        try:
            self._subscribe_until_the_end()
        except BaseException as error:  # handed to the caller's thread, which raises it there
            if self._stopped():
                return
            if not isinstance(error, UserError):
                error = UserError(f"reading {self.shard.shard_id} failed: {type(error).__name__}: {error}", exit_code=1)
            self.reader._hand_on(("error", self.shard, error), self.stopping)

    def _position(self) -> dict[str, Any]:
        # The furthest of the two: a quiet shard's continuation passes the last record, new records pass it.
        marks = [mark for mark in (self.continuation, self.after) if mark]
        mark = max(marks, key=int) if marks else None
        if mark:
            return {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": mark}
        start = self.shard.start or StartPosition("TRIM_HORIZON")
        position: dict[str, Any] = {"Type": start.kind}
        if start.kind == "AT_TIMESTAMP":
            position["Timestamp"] = start.timestamp
        if start.kind in ("AFTER_SEQUENCE_NUMBER", "AT_SEQUENCE_NUMBER"):
            position["SequenceNumber"] = start.sequence_number
        return position

    def _subscribe_until_the_end(self) -> None:
        reader, shard = self.reader, self.shard
        in_use = 0
        failing_since: float | None = None
        while not self._stopped():
            last_start = time.monotonic()
            try:
                reply = reader.client.subscribe_to_shard(
                    ConsumerARN=reader.consumer.arn, ShardId=shard.shard_id, StartingPosition=self._position()
                )
                reader.stats.calls += 1
                with self._live_lock:
                    self._live = reply["EventStream"]
                if self._stopped():
                    _interrupt(reply["EventStream"])
                    return
                ended = self._read(reply["EventStream"], last_start)
                in_use, failing_since = 0, None
                if ended:
                    return
            except NoCredentialsError:
                raise no_credentials() from None
            except ClientError as error:  # EventStreamError (an error event in the stream) is one too
                if self._stopped():
                    return
                code = _code(error)
                if code == "ResourceNotFoundException":
                    if self._gone(error):
                        return
                    continue
                if code in DENIED_CODES:
                    raise UserError(
                        f"not allowed to subscribe consumer {reader.consumer_name!r} to {shard.shard_id} of stream "
                        f"{reader.stream_name!r} ({code}): check your credentials"
                    ) from None
                if code not in RETRYABLE_CODES:
                    raise UserError(
                        f"reading {shard.shard_id} of stream {reader.stream_name!r} failed: {code} "
                        f"{_message(error)}".strip(),
                        exit_code=1,
                    ) from None
                if code == "ResourceInUseException":
                    # Within 5 s of the last subscription (ours, broken early, or another reader's), or taken over.
                    in_use += 1
                    if in_use == IN_USE_NOTE_AFTER:
                        reader._note(
                            f"consumer {reader.consumer_name!r} is still busy on {shard.shard_id}: is another "
                            "reader using it? Give each reader its own --consumer-name"
                        )
                reader.stats.throttled += 1
                if self.stopping.wait(self._rng.uniform(1.0, 3.0)):
                    return
            except (BotoCoreError, Urllib3Error, OSError) as error:
                # The connection broke (or a read timed out): subscribe again from where it stopped.
                if self._stopped():
                    return
                now = time.monotonic()
                failing_since = failing_since or now
                if now - failing_since >= UNREACHABLE_SECONDS:
                    raise UserError(
                        f"cannot reach Kinesis at {reader.describe_endpoint} for {UNREACHABLE_SECONDS:.0f} s "
                        f"({type(error).__name__}): is the endpoint up? (`simulate local status`)"
                    ) from None
                if self.stopping.wait(1.0):
                    return
            finally:
                with self._live_lock:
                    live, self._live = self._live, None
                if live is not None:
                    _interrupt(live)

    def _read(self, events: Any, started: float) -> bool:
        """Hand on the records of one subscription's events; True at the shard's end."""
        reader, shard = self.reader, self.shard
        for event in events:
            if self._stopped():
                return True
            body = event.get("SubscribeToShardEvent")
            if body is None:
                continue
            sent = body.get("Records", [])
            records = [
                StreamRecord(
                    shard_id=shard.shard_id,
                    sequence_number=item["SequenceNumber"],
                    partition_key=item["PartitionKey"],
                    data=item["Data"],
                    arrival=item.get("ApproximateArrivalTimestamp"),
                )
                for item in sent
                if self.after is None or int(item["SequenceNumber"]) > int(self.after)
            ]
            reader.repeats_dropped += len(sent) - len(records)
            behind = int(body.get("MillisBehindLatest") or 0)
            reader.stats.millis_behind[shard.shard_id] = behind
            if records:
                reader.stats.records += len(records)
                self.after = records[-1].sequence_number
                if not reader._hand_on(("batch", shard, Batch(shard.shard_id, records, behind)), self.stopping):
                    return True
            continuation = body.get("ContinuationSequenceNumber")
            if continuation is None or body.get("ChildShards"):
                # The shard is closed and read to its end: its children may start once the caller has this.
                reader._hand_on(("end", shard, body.get("ChildShards") or []), self.stopping)
                return True
            self.continuation = continuation
            if time.monotonic() - started >= reader.renew_after:
                return False  # renew now: this one is about to end
        return False

    def _gone(self, error: ClientError) -> bool:
        """After ResourceNotFoundException: the stream or the consumer is gone (a one-line error), or only this
        shard, trimmed past the retention period (True: it is read to its end)."""
        reader = self.reader
        if not reader._stream_exists():
            raise UserError(
                f"stream {reader.stream_name!r} was deleted while reading: {_message(error) or _code(error)}",
                exit_code=1,
            ) from None
        try:
            reader.client.describe_stream_consumer(ConsumerARN=reader.consumer.arn)
        except ClientError as problem:
            if _code(problem) == "ResourceNotFoundException":
                raise UserError(
                    f"consumer {reader.consumer_name!r} of stream {reader.stream_name!r} was deregistered while "
                    "reading",
                    exit_code=1,
                ) from None
            raise
        reader._hand_on(("end", self.shard, []), self.stopping)
        return True


def _interrupt(events: Any) -> None:
    """End a subscription now, from any thread. Closing a socket does not wake a thread blocked reading it; a
    shutdown does. botocore's EventStream keeps its HTTP response private: reached for, never changed."""
    raw = getattr(events, "_raw_stream", None)
    connection = getattr(raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        events.close()
