"""The only place that writes to Kinesis: records go out in PutRecords batches, in order per unicorn.

Each unicorn (partition key) has its own queue and at most one record in flight, so a record that fails
is retried before that unicorn's next record leaves: order per unicorn holds through partial failures
and throttling. Only the failed entries of a call are retried, after a jittered exponential backoff.
Calls run concurrently (a few at a time); batches fill up by themselves while calls are in flight.
A record is only ever dropped after its last attempt, and then it is counted as failed, never silently.
Whatever goes wrong inside a call (an AWS error, an answer without `Records`, a bug) settles its batch: the
records are retried, or given up on with the reason counted and said once in a warning.
"""

import random
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, NoCredentialsError

from simulator.errors import UserError, no_credentials, stream_not_found

MAX_RECORDS_PER_CALL = 500
MAX_BYTES_PER_CALL = 5 * 1024 * 1024
# Errors after which a whole call is simply tried again later.
RETRYABLE_CALL_ERRORS = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "LimitExceededException",
    "InternalFailure",
    "ServiceUnavailable",
    "KMSThrottlingException",
}


@dataclass
class ProducerStats:
    sent: int = 0  # records the stream accepted
    retried: int = 0  # entries sent again after a failed attempt
    failed: int = 0  # records given up on (lost)
    throttled: int = 0  # entries or calls refused for throughput
    calls: int = 0
    sent_by_key: Counter = field(default_factory=Counter)
    failed_by_key: Counter = field(default_factory=Counter)
    failure_reasons: Counter = field(default_factory=Counter)  # records given up on, by the last error


class InvalidReply(Exception):
    """A PutRecords answer that is not what the API promises (a 2xx without one `Records` entry per record)."""


def warn_on_stderr(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


class Batcher:
    """Queue records by partition key; a sender thread ships them with PutRecords until closed."""

    def __init__(
        self,
        client: Any,
        stream_name: str,
        *,
        max_in_flight: int = 4,
        max_attempts: int = 12,
        base_backoff: float = 0.05,
        max_backoff: float = 2.0,
        unreachable_after: float = 15.0,
        rng: random.Random | None = None,
        describe_endpoint: str = "AWS",
        on_sent: Callable[[str], None] | None = None,
        linger: float = 0.01,
        on_warning: Callable[[str], None] = warn_on_stderr,
    ):
        self.client = client
        self._on_sent = on_sent
        self._on_warning = on_warning
        self._warned: set[str] = set()
        # A short wait for a fuller batch: fewer calls (CPU) for a few milliseconds of latency.
        self._linger = linger
        self._ready_since: float | None = None
        self.stream_name = stream_name
        self.stats = ProducerStats()
        self.fatal: UserError | None = None
        self._max_attempts = max_attempts
        self._base_backoff = base_backoff
        self._max_backoff = max_backoff
        self._unreachable_after = unreachable_after
        self._describe_endpoint = describe_endpoint
        self._rng = rng or random.Random()
        self._lock = threading.Condition()
        self._queues: dict[str, deque[bytes]] = {}
        self._attempts: dict[str, int] = {}  # failed attempts of each key's head record
        self._ready: deque[str] = deque()  # keys whose head record may be sent now
        self._waiting: list[tuple[float, str]] = []  # (not before, key): heads backing off
        self._in_flight_keys: set[str] = set()
        self._calls_in_flight = 0
        self._max_in_flight = max_in_flight
        self._pending = 0  # records queued or in flight
        self._unreachable_since: float | None = None
        self._closing = False
        self._fatal_listeners: list[Callable[[], None]] = []
        self._flushing = 0  # threads waiting in flush()
        self._pool = ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="putrecords")
        self._sender = threading.Thread(target=self._send_loop, name="batcher", daemon=True)
        self._sender.start()

    # -- the producer's side ---------------------------------------------------------------------------

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            if self.fatal:
                raise self.fatal
            queue = self._queues.get(key)
            if queue is None:
                queue = self._queues[key] = deque()
            queue.append(data)
            self._pending += 1
            if len(queue) == 1 and key not in self._in_flight_keys:
                self._make_ready(key)
                # Wake the sender when a batch starts (it then lingers) or is full; not for every record.
                if len(self._ready) in (1, MAX_RECORDS_PER_CALL) or self._linger <= 0:
                    self._lock.notify_all()

    def put_slot(self, records: list[tuple[str, bytes]]) -> None:
        """Queue records that arrived together (a herd's time slot) and send them at once: one lock, no lingering
        for more (the batch is as full as it will get), no wake-up of the sender thread unless calls are all busy."""
        with self._lock:
            if self.fatal:
                raise self.fatal
            started = 0
            for key, data in records:
                queue = self._queues.get(key)
                if queue is None:
                    queue = self._queues[key] = deque()
                queue.append(data)
                self._pending += 1
                if len(queue) == 1 and key not in self._in_flight_keys:
                    self._make_ready(key)
                    started += 1
            if not started:
                return
            self._ready_since = time.monotonic() - self._linger
            # Handed to the senders from here: waking the sender thread to do it would cost a thread switch a slot.
            while (batch := self._next_batch()) is not None:
                self._calls_in_flight += 1
                self._pool.submit(self._send, batch)
            if self._ready:  # every call slot busy: the sender sends the rest when one frees
                self._lock.notify_all()

    def on_fatal(self, listener: Callable[[], None]) -> None:
        """Call `listener` (once, from whichever thread failed) when the batcher fails for good."""
        with self._lock:
            if self.fatal is None:
                self._fatal_listeners.append(listener)
                return
        listener()

    def _set_fatal(self, problem: UserError) -> None:
        """Keep the first fatal problem and tell the listeners; the caller holds the lock."""
        if self.fatal is None:
            self.fatal = problem
            listeners, self._fatal_listeners = self._fatal_listeners, []
            for listener in listeners:
                listener()
        self._lock.notify_all()

    @property
    def pending(self) -> int:
        return self._pending

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued record was accepted or given up on; False on timeout or fatal error."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            self._flushing += 1
            try:
                while self._pending and not self.fatal:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    self._lock.wait(0.05 if remaining is None else min(0.05, remaining))
                return not self._pending
            finally:
                self._flushing -= 1

    @property
    def unreachable_after(self) -> float:
        return self._unreachable_after

    def close(self, timeout: float = 10.0) -> ProducerStats:
        """Flush (up to `timeout`), stop, and count whatever could not be sent as failed."""
        self.flush(timeout)
        with self._lock:
            self._closing = True
            self._lock.notify_all()
        self._sender.join(timeout=5)
        self._pool.shutdown(wait=True)
        with self._lock:
            for key, queue in self._queues.items():
                self.stats.failed += len(queue)
                self.stats.failed_by_key[key] += len(queue)
                if queue:
                    self.stats.failure_reasons["StillQueuedAtExit"] += len(queue)
                queue.clear()
            self._pending = 0
        return self.stats

    # -- the sender's side -----------------------------------------------------------------------------

    def _make_ready(self, key: str) -> None:
        if not self._ready:
            self._ready_since = time.monotonic()
        self._ready.append(key)

    def _send_loop(self) -> None:
        try:
            while True:
                with self._lock:
                    batch = self._next_batch()
                    while batch is None:
                        if self._closing:
                            return
                        self._lock.wait(self._wait_time())
                        batch = self._next_batch()
                    self._calls_in_flight += 1
                self._pool.submit(self._send, batch)
        except BaseException as error:  # without the sender nothing leaves: stop the herd, say why
            with self._lock:
                self._set_fatal(UserError(f"the producer stopped: {type(error).__name__}: {error}", 1))

    def _wait_time(self) -> float | None:
        """Until the next retry or lingering batch is due; None (until notified) when nothing is: at rest the
        sender sleeps until a record arrives or a call settles."""
        wake: float | None = None
        if self._waiting:
            wake = min(t for t, _ in self._waiting)
        if self._ready and self._ready_since is not None:
            linger_end = self._ready_since + self._linger
            wake = linger_end if wake is None else min(wake, linger_end)
        return None if wake is None else max(0.001, wake - time.monotonic())

    def _next_batch(self) -> list[tuple[str, bytes]] | None:
        """Heads of ready keys, up to the PutRecords limits; None when nothing can be sent now."""
        if self.fatal or self._calls_in_flight >= self._max_in_flight:
            return None
        now = time.monotonic()
        if self._waiting:
            still_waiting = []
            for due, key in self._waiting:
                (self._make_ready(key) if due <= now else still_waiting.append((due, key)))
            self._waiting = still_waiting
        if (
            self._ready
            and len(self._ready) < MAX_RECORDS_PER_CALL
            and self._ready_since is not None
            and now - self._ready_since < self._linger
            and not self._closing
        ):
            return None  # let the batch fill a little longer
        batch: list[tuple[str, bytes]] = []
        size = 0
        while self._ready and len(batch) < MAX_RECORDS_PER_CALL:
            key = self._ready[0]
            data = self._queues[key][0]
            entry_size = len(data) + len(key.encode())
            if batch and size + entry_size > MAX_BYTES_PER_CALL:
                break
            self._ready.popleft()
            self._in_flight_keys.add(key)
            batch.append((key, data))
            size += entry_size
        self._ready_since = now if self._ready else None
        return batch or None

    def _backoff(self, attempts: int) -> float:
        return self._rng.uniform(0, min(self._max_backoff, self._base_backoff * 2**attempts))

    def _send(self, batch: list[tuple[str, bytes]]) -> None:
        # The pool keeps a worker's exception to itself: anything not settled here would stall these unicorns.
        try:
            outcome = self._attempt(batch)
        except Exception as error:
            reason = "InvalidReply" if isinstance(error, InvalidReply) else type(error).__name__
            self._warn_once(
                reason,
                f"PutRecords to {self.stream_name!r} went wrong ({reason}: {error}): the records are retried, "
                f"up to {self._max_attempts} attempts each, then counted as failed",
            )
            outcome = [reason] * len(batch)
        if outcome is None:
            return
        try:
            self._settle(batch, outcome)
        except BaseException as error:
            self._fail_fatally(UserError(f"the producer stopped: {type(error).__name__}: {error}", 1), batch)

    def _attempt(self, batch: list[tuple[str, bytes]]) -> list[str | None] | None:
        """Per entry: None = accepted, else the error code; None for the whole when it failed fatally."""
        try:
            reply = self.client.put_records(
                StreamName=self.stream_name,
                Records=[{"Data": data, "PartitionKey": key} for key, data in batch],
            )
            outcome = self._outcome(reply, len(batch))
            self._unreachable_since = None
            return outcome
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in RETRYABLE_CALL_ERRORS or code.startswith("5"):
                return [code] * len(batch)
            self._fail_fatally(self._explain(code, error), batch)
            return None
        except NoCredentialsError:
            self._fail_fatally(no_credentials(), batch)
            return None
        except (ConnectionError, BotoCoreError) as error:
            now = time.monotonic()
            self._unreachable_since = self._unreachable_since or now
            if now - self._unreachable_since > self._unreachable_after:
                self._fail_fatally(
                    UserError(
                        f"cannot reach Kinesis at {self._describe_endpoint} for {self._unreachable_after:.0f} s "
                        f"({type(error).__name__}): is the endpoint up? (`simulate local status`)"
                    ),
                    batch,
                )
                return None
            return ["Unreachable"] * len(batch)

    @staticmethod
    def _outcome(reply: Any, sent: int) -> list[str | None]:
        entries = reply.get("Records") if isinstance(reply, dict) else None
        if not isinstance(entries, list):
            raise InvalidReply("a 2xx answer without Records")
        if len(entries) != sent or not all(isinstance(entry, dict) for entry in entries):
            raise InvalidReply(f"{len(entries)} Records entries for {sent} records")
        return [str(entry["ErrorCode"]) if entry.get("ErrorCode") else None for entry in entries]

    def _warn_once(self, reason: str, message: str) -> None:
        with self._lock:
            if reason in self._warned:
                return
            self._warned.add(reason)
        self._on_warning(message)

    def _settle(self, batch: list[tuple[str, bytes]], outcome: list[str | None]) -> None:
        now = time.monotonic()
        with self._lock:
            self.stats.calls += 1
            was_full = self._calls_in_flight >= self._max_in_flight
            self._calls_in_flight -= 1
            for (key, _), error in zip(batch, outcome, strict=True):
                self._in_flight_keys.discard(key)
                queue = self._queues[key]
                if error is None:
                    queue.popleft()
                    self._pending -= 1
                    self.stats.sent += 1
                    self.stats.sent_by_key[key] += 1
                    self._attempts.pop(key, None)
                    if self._on_sent:
                        try:
                            self._on_sent(key)
                        except Exception as error:  # a progress callback must not cost the records
                            self._on_sent = None
                            self._warned.add("on_sent")
                            self._on_warning(f"progress output stopped: {type(error).__name__}: {error}")
                    if queue:
                        self._make_ready(key)
                    continue
                if error == "ProvisionedThroughputExceededException":
                    self.stats.throttled += 1
                # An unreachable endpoint is not the record's fault: it waits (up to unreachable_after).
                attempts = self._attempts.get(key, 0) + (error != "Unreachable")
                if attempts >= self._max_attempts:
                    queue.popleft()  # given up: counted, never silent
                    self._pending -= 1
                    self.stats.failed += 1
                    self.stats.failed_by_key[key] += 1
                    self.stats.failure_reasons[error] += 1
                    self._attempts.pop(key, None)
                    if queue:
                        self._make_ready(key)
                    continue
                self._attempts[key] = attempts
                self.stats.retried += 1
                delay = self._rng.uniform(0.5, 1.0) if error == "Unreachable" else self._backoff(attempts)
                self._waiting.append((now + delay, key))
            # Wake the sender only when it has something to do (records ready, retries to time, a free call slot it
            # was waiting for, closing), and flush() when it waits: a settled call at rest wakes nobody.
            if self._ready or self._waiting or self._closing or self._flushing or was_full:
                self._lock.notify_all()

    def _fail_fatally(self, problem: UserError, batch: list[tuple[str, bytes]]) -> None:
        with self._lock:
            self._calls_in_flight -= 1
            for key, _ in batch:
                self._in_flight_keys.discard(key)
            self._set_fatal(problem)

    def _explain(self, code: str, error: ClientError) -> UserError:
        if code == "ResourceNotFoundException":
            return stream_not_found(self.stream_name, self._describe_endpoint)
        if code in (
            "AccessDeniedException",
            "UnrecognizedClientException",
            "InvalidSignatureException",
            "ExpiredTokenException",
            "InvalidClientTokenId",
        ):
            return UserError(f"not allowed to write to stream {self.stream_name!r} ({code}): check your credentials")
        message = error.response.get("Error", {}).get("Message", "")
        return UserError(f"PutRecords to {self.stream_name!r} failed: {code} {message}".strip())
