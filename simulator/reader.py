"""The only place that reads Kinesis: every shard, parents before children, within a GetRecords budget.

Kinesis allows 5 GetRecords calls per second per shard, shared by every reader of the stream. Each reader
here keeps to its own budget (default 1.6 calls/s per shard, so three readers fit), polls again at once
while it is behind the tip, and backs off when throttled. Shards that appear after a reshard are found by
listing the shards again; a child shard is read from its start once all its parents are read to their end.

`StreamReader.batches()` yields one GetRecords worth of records at a time; when the caller asks for the
next batch, the previous one counts as handled and goes into the checkpoint (if any), so a restart
resumes right after the last handled batch.
"""

import contextlib
import json
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, NoCredentialsError, ReadTimeoutError

from simulator.errors import UserError, no_credentials, stream_not_found

DEFAULT_BUDGET_PER_SHARD = 1.6  # GetRecords calls per second per shard; 3 readers x 1.6 < 5
GET_RECORDS_LIMIT = 10_000
RELIST_SECONDS = 5.0
UNREACHABLE_SECONDS = 15.0
THROTTLE_CODES = {"ProvisionedThroughputExceededException", "ThrottlingException", "LimitExceededException"}


@dataclass(frozen=True)
class StartPosition:
    """Where reading starts on shards that have no checkpoint."""

    kind: str = "LATEST"  # LATEST | TRIM_HORIZON | AT_TIMESTAMP | AFTER_SEQUENCE_NUMBER
    timestamp: datetime | None = None
    sequence_number: str | None = None


@dataclass
class StreamRecord:
    shard_id: str
    sequence_number: str
    partition_key: str
    data: bytes
    arrival: datetime | None


@dataclass
class Batch:
    shard_id: str
    records: list[StreamRecord]
    millis_behind: int


@dataclass
class _Shard:
    shard_id: str
    parents: tuple[str, ...]
    iterator: str | None = None
    last_sequence: str | None = None
    done: bool = False
    next_poll: float = 0.0
    throttled_attempts: int = 0
    start: StartPosition | None = None


class Checkpoint:
    """Per shard: the last sequence number handled, or that the shard was read to its end; and which stream
    that was (its ARN and creation time: a stream deleted and created again under the same name is another
    stream, whose sequence numbers start afresh). Writes are atomic and durable."""

    def __init__(self, path: Path, stream_name: str):
        self.path = path
        self.stream_name = stream_name
        self.shards: dict[str, dict[str, Any]] = {}
        self.stream_arn: str | None = None
        self.created: str | None = None
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as error:
            raise self._unreadable(error.strerror or str(error)) from None
        saved = self._parse(raw)
        if saved["stream"] != stream_name:
            raise UserError(
                f"checkpoint {path} belongs to stream {saved['stream']!r}, not {stream_name!r}: "
                "use another --checkpoint file"
            )
        self.shards = saved.get("shards", {})
        self.stream_arn = saved.get("stream_arn")
        self.created = saved.get("created")

    def _unreadable(self, why: str) -> UserError:
        return UserError(f"checkpoint {self.path} is unreadable ({why}): delete it to start afresh")

    def _parse(self, raw: bytes) -> dict[str, Any]:
        try:
            saved = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError) as error:
            raise self._unreadable(f"not JSON: {error}") from None
        if not isinstance(saved, dict) or not isinstance(saved.get("stream"), str):
            raise self._unreadable("no stream name in it")
        for key in ("stream_arn", "created"):
            if not isinstance(saved.get(key, ""), str):
                raise self._unreadable(f"{key} is not a string")
        shards = saved.get("shards", {})
        if not isinstance(shards, dict):
            raise self._unreadable("shards is not a mapping")
        for shard_id, entry in shards.items():
            valid = isinstance(entry, dict) and (
                entry == {"done": True} or (set(entry) == {"after"} and str(entry["after"]).isdigit())
            )
            if not valid or not isinstance(entry.get("after", ""), str):
                raise self._unreadable(f"shard {shard_id!r}: {entry!r} is neither a sequence number nor done")
        return saved

    @property
    def exists(self) -> bool:
        return bool(self.shards)

    def bind(self, stream_arn: str, created: str) -> str | None:
        """Tie the checkpoint to the stream being read. A note when it was an older stream of the same name:
        its positions mean nothing here and are forgotten."""
        if self.stream_arn and self.stream_arn != stream_arn:
            raise UserError(
                f"checkpoint {self.path} belongs to stream {self.stream_arn}, not {stream_arn}: "
                "use another --checkpoint file"
            )
        note = None
        if self.created and self.created != created and self.shards:
            note = (
                f"checkpoint {self.path} is from an older stream {self.stream_name!r} (created {self.created}); "
                f"this one was created {created}: reading it from TRIM_HORIZON"
            )
            self.shards = {}
        if (self.stream_arn, self.created) != (stream_arn, created):
            self.stream_arn, self.created = stream_arn, created
            self.save()
        return note

    def save(self) -> None:
        """A unique temporary file beside the checkpoint (two consumers on one checkpoint do not clobber
        each other's), fsynced, renamed over it, and the folder fsynced: after a crash or power cut the
        checkpoint is the old one or the new one, whole."""
        saved = {"stream": self.stream_name, "stream_arn": self.stream_arn, "created": self.created}
        payload = json.dumps({**{k: v for k, v in saved.items() if v}, "shards": self.shards}, indent=1)
        folder = self.path.parent
        try:
            handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(payload)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
            folder_handle = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(folder_handle)
            finally:
                os.close(folder_handle)
        except OSError as error:
            raise UserError(f"cannot write checkpoint {self.path}: {error.strerror or error}") from None


@dataclass
class ReaderStats:
    calls: int = 0
    throttled: int = 0
    records: int = 0
    millis_behind: dict[str, int] = field(default_factory=dict)


class _ShardGone(Exception):
    """A shard of a stream that still exists is not found (trimmed after the retention period)."""


class StreamReader:
    def __init__(
        self,
        client: Any,
        stream_name: str,
        start: StartPosition = StartPosition(),
        *,
        budget_per_shard: float = DEFAULT_BUDGET_PER_SHARD,
        checkpoint: Checkpoint | None = None,
        only_shard: str | None = None,
        describe_endpoint: str = "AWS",
        rng: random.Random | None = None,
        on_note: Callable[[str], None] | None = None,
    ):
        if budget_per_shard <= 0:
            raise UserError("the GetRecords budget must be above 0 calls per second per shard")
        self.client = client
        self.stream_name = stream_name
        self.start = start
        self.interval = 1.0 / budget_per_shard
        self.checkpoint = checkpoint
        self.only_shard = only_shard
        self.describe_endpoint = describe_endpoint
        self.stats = ReaderStats()
        self._rng = rng or random.Random()
        self._shards: dict[str, _Shard] = {}
        self._listed_at = 0.0
        self._first_listing = True
        self._on_note = on_note

    # -- shards ----------------------------------------------------------------------------------------

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        """One Kinesis call; a down endpoint is retried for UNREACHABLE_SECONDS, then named in one line."""
        return self._while_unreachable(lambda: self._call_once(method, **kwargs))

    def _while_unreachable(self, attempt: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """`attempt()`, again each second while the endpoint cannot be reached, for UNREACHABLE_SECONDS."""
        first_failure = None
        while True:
            try:
                return attempt()
            except (ConnectionError, ReadTimeoutError) as error:
                now = time.monotonic()
                first_failure = first_failure or now
                if now - first_failure >= UNREACHABLE_SECONDS:
                    raise UserError(
                        f"cannot reach Kinesis at {self.describe_endpoint} for {UNREACHABLE_SECONDS:.0f} s "
                        f"({type(error).__name__}): is the endpoint up? (`simulate local status`)"
                    ) from None
                time.sleep(1.0)

    def _call_once(self, method: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return getattr(self.client, method)(**kwargs)
        except NoCredentialsError:
            raise no_credentials() from None
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException":
                if self._first_listing:
                    raise stream_not_found(self.stream_name, self.describe_endpoint) from None
                if method in ("get_records", "get_shard_iterator") and self._stream_exists():
                    raise _ShardGone() from None  # one shard trimmed away, the stream goes on
                # It was there when reading began.
                message = error.response.get("Error", {}).get("Message", "") or code
                raise UserError(
                    f"stream {self.stream_name!r} was deleted while reading: {message}", exit_code=1
                ) from None
            if code in ("AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException"):
                raise UserError(
                    f"not allowed to read stream {self.stream_name!r} ({code}): check your credentials"
                ) from None
            raise

    def _stream_exists(self) -> bool:
        try:
            self.client.describe_stream_summary(StreamName=self.stream_name)
        except ClientError as error:
            return error.response.get("Error", {}).get("Code", "") != "ResourceNotFoundException"
        return True

    def _list_shards(self) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        reply = self._call("list_shards", StreamName=self.stream_name)
        shards.extend(reply["Shards"])
        while reply.get("NextToken"):
            reply = self._call("list_shards", NextToken=reply["NextToken"])
            shards.extend(reply["Shards"])
        return shards

    def _refresh_shards(self) -> None:
        listed = self._list_shards()
        known_ids = {s["ShardId"] for s in listed}
        if self.only_shard and self.only_shard not in known_ids:
            raise UserError(f"shard {self.only_shard!r} not found in stream {self.stream_name!r}: see ListShards")
        for description in listed:
            shard_id = description["ShardId"]
            if shard_id in self._shards or (self.only_shard and shard_id != self.only_shard):
                continue
            parents = tuple(
                p for p in (description.get("ParentShardId"), description.get("AdjacentParentShardId")) if p
            )
            closed = "EndingSequenceNumber" in description["SequenceNumberRange"]
            shard = _Shard(shard_id=shard_id, parents=tuple(p for p in parents if p in known_ids))
            saved = (self.checkpoint.shards.get(shard_id) if self.checkpoint else None) or {}
            if saved.get("done"):
                shard.done = True
            elif saved.get("after"):
                shard.start = StartPosition("AFTER_SEQUENCE_NUMBER", sequence_number=saved["after"])
                shard.last_sequence = saved["after"]
            elif self.only_shard or not self._first_listing:
                # A shard born after we started (a reshard) is read from its very start.
                shard.start = self.start if self.only_shard else StartPosition("TRIM_HORIZON")
            elif self.start.kind == "LATEST" and closed and not (self.checkpoint and self.checkpoint.exists):
                shard.done = True  # nothing new will ever arrive on a closed shard
            elif self.checkpoint and self.checkpoint.exists:
                shard.start = StartPosition("TRIM_HORIZON")  # unseen at the last run: read it all
            else:
                shard.start = self.start
            self._shards[shard_id] = shard
        self._first_listing = False
        self._listed_at = time.monotonic()

    def _ready(self, shard: _Shard) -> bool:
        return not shard.done and all(self._shards[p].done for p in shard.parents if p in self._shards)

    def _iterator(self, shard: _Shard) -> str:
        start = shard.start or StartPosition("TRIM_HORIZON")
        if shard.last_sequence:
            start = StartPosition("AFTER_SEQUENCE_NUMBER", sequence_number=shard.last_sequence)
        kwargs: dict[str, Any] = {
            "StreamName": self.stream_name,
            "ShardId": shard.shard_id,
            "ShardIteratorType": start.kind,
        }
        if start.kind == "AT_TIMESTAMP":
            kwargs["Timestamp"] = start.timestamp
        if start.kind in ("AFTER_SEQUENCE_NUMBER", "AT_SEQUENCE_NUMBER"):
            kwargs["StartingSequenceNumber"] = start.sequence_number
        return self._call("get_shard_iterator", **kwargs)["ShardIterator"]

    # -- reading ---------------------------------------------------------------------------------------

    def _bind_checkpoint(self) -> None:
        """The checkpoint must be this very stream's: not another account's or region's, not an older stream
        that had the same name (then every shard is read from TRIM_HORIZON: nothing is skipped)."""
        if not self.checkpoint:
            return
        try:
            summary = self._call("describe_stream_summary", StreamName=self.stream_name)["StreamDescriptionSummary"]
        except UserError as problem:
            if "not allowed" not in str(problem):
                raise
            if self._on_note:
                self._on_note(
                    "DescribeStreamSummary is not allowed: a stream deleted and created again under the same name "
                    "would not be noticed by the checkpoint"
                )
            return
        created = summary["StreamCreationTimestamp"].astimezone(UTC).isoformat(timespec="milliseconds")
        note = self.checkpoint.bind(summary["StreamARN"], created)
        if note:
            self.start = StartPosition("TRIM_HORIZON")
            if self._on_note:
                self._on_note(note)

    def batches(self, deadline: float | None = None) -> Iterator[Batch]:
        """Batches of records as they arrive, until `deadline` (time.monotonic) or forever."""
        self._bind_checkpoint()
        self._refresh_shards()
        # The batch last yielded (and the shard it finished, if any): handled once the caller asks for more.
        handled: tuple[Batch | None, _Shard | None] = (None, None)
        while deadline is None or time.monotonic() < deadline:
            if time.monotonic() - self._listed_at > RELIST_SECONDS:
                self._refresh_shards()
            ready = [s for s in self._shards.values() if self._ready(s)]
            if self.only_shard and not ready and all(s.done for s in self._shards.values()):
                break
            now = time.monotonic()
            due = [s for s in ready if s.next_poll <= now]
            if not due:
                wake = min((s.next_poll for s in ready), default=now + 0.25)
                time.sleep(max(0.0, min(wake - now, 0.25, (deadline - now) if deadline else 0.25)))
                continue
            for shard in due:
                batch = self._poll(shard)
                if batch is None:
                    continue
                if batch.records:
                    self._commit(*handled)
                    handled = (batch, shard if shard.done else None)
                    yield batch
                elif shard.done:
                    self._commit(*handled)
                    handled = (None, None)
                    self._commit(None, shard)
        self._commit(*handled)

    def _poll(self, shard: _Shard) -> Batch | None:
        started = time.monotonic()
        try:
            if shard.iterator is None:
                shard.iterator = self._iterator(shard)
            reply = self._call("get_records", ShardIterator=shard.iterator, Limit=GET_RECORDS_LIMIT)
        except _ShardGone:
            shard.done = True  # past the retention period: nothing left to read on it
            self._listed_at = 0.0
            return None
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in THROTTLE_CODES:
                self.stats.throttled += 1
                shard.throttled_attempts += 1
                backoff = min(5.0, self.interval * 2**shard.throttled_attempts)
                shard.next_poll = started + self._rng.uniform(self.interval, backoff)
                return None
            if code == "ExpiredIteratorException":
                shard.iterator = None
                return None
            message = error.response.get("Error", {}).get("Message", "")
            raise UserError(
                f"reading {shard.shard_id} of stream {self.stream_name!r} failed: {code} {message}".strip(),
                exit_code=1,
            ) from None
        except (ConnectionError, BotoCoreError):
            shard.next_poll = started + min(5.0, self.interval * 4)
            return None
        self.stats.calls += 1
        shard.throttled_attempts = 0
        records = [
            StreamRecord(
                shard_id=shard.shard_id,
                sequence_number=r["SequenceNumber"],
                partition_key=r["PartitionKey"],
                data=r["Data"],
                arrival=r.get("ApproximateArrivalTimestamp"),
            )
            for r in reply.get("Records", [])
        ]
        if records:
            shard.last_sequence = records[-1].sequence_number
        behind = int(reply.get("MillisBehindLatest", 0))
        self.stats.millis_behind[shard.shard_id] = behind
        self.stats.records += len(records)
        shard.iterator = reply.get("NextShardIterator")
        if shard.iterator is None:
            shard.done = True  # a closed shard, read to its end: its children may start
            self._listed_at = 0.0  # look for the children now
        # Behind the tip (or a full batch): poll again at once; at the tip: keep to the budget.
        at_once = behind > 0 or len(records) >= GET_RECORDS_LIMIT
        shard.next_poll = started if at_once else started + self.interval
        return Batch(shard.shard_id, records, behind)

    def commit_partial(self, batch: Batch, handled_records: int) -> None:
        """The caller stopped inside `batch` (say, at --max-records): checkpoint only what it handled."""
        if self.checkpoint and handled_records > 0:
            self.checkpoint.shards[batch.shard_id] = {"after": batch.records[handled_records - 1].sequence_number}
            self.checkpoint.save()

    def _commit(self, batch: Batch | None, finished: _Shard | None) -> None:
        if not self.checkpoint or (batch is None and finished is None):
            return
        if batch is not None and batch.records:
            self.checkpoint.shards[batch.shard_id] = {"after": batch.records[-1].sequence_number}
        if finished is not None:
            self.checkpoint.shards[finished.shard_id] = {"done": True}
        self.checkpoint.save()
