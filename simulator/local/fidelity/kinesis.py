"""Kinesis Data Streams fixes: a shard that stays fast when it is long, safe under concurrent
producers, and that forgets records the way AWS does.

moto 5.2.5 keeps a shard's records in an `OrderedDict` keyed by sequence number and walks it from the
start for most questions; it has no locking; and it keeps every record forever. Here a shard's
records live in a `RecordLog` (parallel lists of sequence numbers and records, a head offset to drop
from the front cheaply), every call that touches a stream's records holds that stream's lock, and
records older than the stream's retention period, or beyond `max_records_per_shard`, are dropped.

Sequence numbers keep moto's format: decimal strings counting up from 1 in each shard.
"""

import datetime
import functools
import inspect
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from typing import Any

from simulator.local import runtime
from simulator.local.fidelity import clock, fix

# GetRecords returns at most this many records when the caller gives no Limit (as AWS does).
DEFAULT_GET_RECORDS_LIMIT = 10_000
# The record log compacts its lists once this many dropped slots lead it and they are at least half.
COMPACT_AFTER_DROPPED = 1024

_created_at = attrgetter("created_at")


class RecordLog:
    """A shard's records in sequence order, appended at the tail and dropped from the head.

    Replaces moto's `OrderedDict[int, Record]` and keeps the dict-like bits moto's own code uses
    (len, bool, iteration over keys, keys/values/items, `log[seq]`, `log[seq] = record` to append,
    reversed). Lookups by sequence number or arrival time bisect, so they cost O(log n); appending
    and dropping the oldest are amortised O(1).

    It also remembers the first and last sequence numbers it ever held, whatever has been dropped
    since: they are the shard's StartingSequenceNumber and where the next sequence number follows.
    Arrival times never go down along the log (a record that arrives with an earlier clock reading
    than the one before it gets that one's time), so the log can bisect on them.

    Not thread-safe on its own: callers hold the stream's lock (see `stream_lock`).
    """

    __slots__ = ("_first_key", "_head", "_keys", "_last_datetime", "_last_key", "_last_time", "_records")

    def __init__(self, items: Iterable[tuple[int, Any]] = ()) -> None:
        self._keys: list[int] = []
        self._records: list[Any] = []
        self._head = 0  # slots before it are dropped: records set to None, keys kept until compaction
        self._first_key: int | None = None
        self._last_key: int | None = None
        self._last_time: float | None = None
        self._last_datetime: datetime.datetime | None = None
        for key, record in items:
            self.append(key, record)

    # --- the log's own interface -------------------------------------------------------------

    def append(self, key: int, record: Any) -> None:
        if self._last_key is not None and key <= self._last_key:
            raise ValueError(f"sequence number {key} does not follow {self._last_key}: the log is append-only")
        if self._last_time is not None and record.created_at < self._last_time:
            record.created_at = self._last_time
            record.created_at_datetime = self._last_datetime
        else:
            self._last_time = record.created_at
            self._last_datetime = record.created_at_datetime
        self._keys.append(key)
        self._records.append(record)
        if self._first_key is None:
            self._first_key = key
        self._last_key = key

    def first_sequence_number(self) -> int:
        """The first sequence number this log ever held (0: none yet), dropped or not."""
        return self._first_key or 0

    def last_sequence_number(self) -> int:
        """The last sequence number this log ever held (0: none yet), dropped or not."""
        return self._last_key or 0

    def next_sequence_number(self) -> int:
        return self.last_sequence_number() + 1

    def oldest(self) -> Any | None:
        return self._records[self._head] if len(self) else None

    def newest(self) -> Any | None:
        return self._records[-1] if len(self) else None

    def index_after(self, key: int) -> int:
        """Position of the first record whose sequence number is greater than `key`."""
        return bisect_right(self._keys, key, self._head)

    def index_at_time(self, timestamp: float) -> int:
        """Position of the first record that arrived at or after `timestamp`."""
        return bisect_left(self._records, timestamp, lo=self._head, key=_created_at)

    def key_at(self, index: int) -> int:
        return self._keys[index]

    def slice(self, start: int, count: int) -> list[Any]:
        """Up to `count` records from position `start` (a position from index_after/index_at_time)."""
        return self._records[max(start, self._head) : start + count]

    def drop_oldest(self, count: int) -> int:
        """Drop up to `count` records from the head; returns how many were dropped."""
        count = min(count, len(self))
        if count <= 0:
            return 0
        new_head = self._head + count
        if new_head >= COMPACT_AFTER_DROPPED and new_head >= len(self._keys) - new_head:
            del self._keys[:new_head]
            del self._records[:new_head]
            self._head = 0
        else:
            self._records[self._head : new_head] = [None] * count  # free the records now
            self._head = new_head
        return count

    def drop_older_than(self, cutoff: float) -> int:
        """Drop the records that arrived before `cutoff` (seconds since the epoch)."""
        oldest = self.oldest()
        if oldest is None or oldest.created_at >= cutoff:
            return 0
        return self.drop_oldest(self.index_at_time(cutoff) - self._head)

    def drop_beyond(self, max_records: int) -> int:
        """Drop the oldest records so that at most `max_records` remain."""
        return self.drop_oldest(len(self) - max_records)

    # --- the dict-like bits moto's code uses ---------------------------------------------------

    def __len__(self) -> int:
        return len(self._keys) - self._head

    def __bool__(self) -> bool:
        return len(self) > 0

    def keys(self) -> list[int]:
        return self._keys[self._head :]

    def values(self) -> list[Any]:
        return self._records[self._head :]

    def items(self) -> list[tuple[int, Any]]:
        return list(zip(self.keys(), self.values(), strict=True))

    def __iter__(self) -> Iterator[int]:
        return iter(self.keys())

    def __reversed__(self) -> Iterator[int]:
        keys, head = self._keys, self._head
        return (keys[index] for index in range(len(keys) - 1, head - 1, -1))

    def _index_of(self, key: int) -> int:
        index = bisect_left(self._keys, key, self._head)
        return index if index < len(self._keys) and self._keys[index] == key else -1

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self._index_of(key) >= 0

    def __getitem__(self, key: int) -> Any:
        index = self._index_of(key)
        if index < 0:
            raise KeyError(key)
        return self._records[index]

    def get(self, key: int, default: Any = None) -> Any:
        index = self._index_of(key)
        return self._records[index] if index >= 0 else default

    def __setitem__(self, key: int, record: Any) -> None:
        """Replace the record held under `key`, else append it (only past the last sequence number)."""
        index = self._index_of(key)
        if index >= 0:
            self._records[index] = record
        else:
            self.append(key, record)

    def __repr__(self) -> str:
        return (
            f"RecordLog({len(self)} records, first={self.first_sequence_number()}, last={self.last_sequence_number()})"
        )


# --- shared helpers ----------------------------------------------------------------------------

_lock_creation = threading.Lock()


def stream_lock(stream: Any) -> Any:
    """The lock of one stream: held while its records are written, read, trimmed or resharded."""
    lock = stream.__dict__.get("_wildrydes_lock")
    if lock is None:
        with _lock_creation:
            lock = stream.__dict__.setdefault("_wildrydes_lock", threading.RLock())
    return lock


def _models() -> Any:
    from moto.kinesis import models

    return models


def _first_time(target: type, marker: str) -> bool:
    """True once per (class, fix): the fixes may be applied again without wrapping twice."""
    name = f"_wildrydes_fix_{marker}"
    if target.__dict__.get(name):
        return False
    setattr(target, name, True)
    return True


def _stream_of_call(backend: Any, signature: inspect.Signature, args: tuple, kwargs: dict) -> Any | None:
    """The stream a KinesisBackend call is about, or None (then moto itself reports what is wrong)."""
    try:
        arguments = signature.bind_partial(backend, *args, **kwargs).arguments
        name = arguments.get("stream_name")
        arn = arguments.get("stream_arn") or arguments.get("delivery_stream_arn")
        if arguments.get("shard_iterator"):
            from moto.kinesis.utils import decompose_shard_iterator

            name = decompose_shard_iterator(arguments["shard_iterator"])[0]
        if not name and not arn:
            return None
        return backend.describe_stream(stream_arn=arn, stream_name=name)
    except Exception:  # an unknown stream, a malformed iterator: the original call raises the AWS error
        return None


def _around_backend_call(
    name: str,
    before: Callable[[Any], None] | None = None,
    after: Callable[[Any], None] | None = None,
) -> None:
    """Run KinesisBackend.<name> holding its stream's lock, with optional steps before and after."""
    backend_class = _models().KinesisBackend
    original = getattr(backend_class, name)
    signature = inspect.signature(original)

    @functools.wraps(original)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        stream = _stream_of_call(self, signature, args, kwargs)
        if stream is None:
            return original(self, *args, **kwargs)
        with stream_lock(stream):
            if before:
                before(stream)
            result = original(self, *args, **kwargs)
            if after:
                after(stream)
            return result

    setattr(backend_class, name, call)


def _locked_stream_method(name: str) -> None:
    stream_class = _models().Stream
    original = getattr(stream_class, name)

    @functools.wraps(original)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        with stream_lock(self):
            return original(self, *args, **kwargs)

    setattr(stream_class, name, call)


def _epoch_seconds(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=datetime.UTC)).timestamp()
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return _epoch_seconds(datetime.datetime.fromisoformat(value))
    return float(value)


# --- fix 1: O(1) puts, O(log n) seeks ------------------------------------------------------------


def _shard_records(shard: Any) -> RecordLog:
    log = shard.__dict__.get("_wildrydes_records")
    if log is None:  # a shard made before the fix: adopt its dict
        log = RecordLog(shard.__dict__.pop("records", {}).items())
        shard.__dict__["_wildrydes_records"] = log
    return log


def _set_shard_records(shard: Any, records: Any) -> None:
    # moto's split_shard assigns a fresh OrderedDict(): it becomes a fresh log.
    shard.__dict__.pop("records", None)
    shard.__dict__["_wildrydes_records"] = records if isinstance(records, RecordLog) else RecordLog(records.items())


def _shard_put_record(self: Any, partition_key: str, data: str, explicit_hash_key: str) -> str:
    log = self.records
    sequence_number = log.next_sequence_number()
    log.append(sequence_number, _models().Record(partition_key, data, sequence_number, explicit_hash_key))
    return str(sequence_number)


def _shard_get_records(self: Any, last_sequence_id: str, limit: int | None) -> tuple[list[Any], int, int]:
    log = self.records
    last_sequence_number = int(last_sequence_id)
    records = log.slice(log.index_after(last_sequence_number), limit or DEFAULT_GET_RECORDS_LIMIT)
    if not records:
        return [], last_sequence_number, 0
    seconds_behind_latest = log.newest().created_at - records[-1].created_at
    return records, records[-1].sequence_number, int(seconds_behind_latest * 1000)


def _shard_get_min_sequence_number(self: Any) -> int:
    return self.records.first_sequence_number()


def _shard_get_max_sequence_number(self: Any) -> int:
    return self.records.last_sequence_number()


def _shard_get_sequence_number_at(self: Any, at_timestamp: Any) -> int:
    if at_timestamp is None:
        raise _models().InvalidArgumentError(
            "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP."
        )
    timestamp = _epoch_seconds(at_timestamp)
    log = self.records
    oldest = log.oldest()
    if oldest is None:
        return log.last_sequence_number()
    if timestamp <= oldest.created_at:
        return 0
    # the last record that arrived before the timestamp: reading starts after it
    return log.key_at(log.index_at_time(timestamp) - 1)


@fix("kinesis")
def put_scans_whole_shard_for_max_sequence() -> None:
    """moto 5.2.5: Shard.put_record finds the last sequence number with `list(records.keys())[-1]`,
    a copy of every key on every put, so PutRecords falls from ~6,000 records/s on an empty shard
    to ~275 records/s at 250,000 records. GetRecords walks the shard from its first record on every
    call (an empty poll at the tip costs 66 ms at 1M records), and the min/max sequence number and
    AT_TIMESTAMP lookups copy the whole shard too. AWS: a put costs the same however long the
    shard, and GetRecords starts at the iterator's position.

    Fix: a shard's records are a `RecordLog`; the next sequence number is O(1), GetRecords bisects
    to the iterator position (O(log n + records returned), at most 10,000 records when no Limit is
    given, as on AWS), min/max sequence numbers are O(1) and AT_TIMESTAMP bisects arrival times.
    """
    models = _models()
    shard = models.Shard
    if not _first_time(shard, "record_log"):
        return
    shard.records = property(_shard_records, _set_shard_records)
    shard.put_record = _shard_put_record
    shard.get_records = _shard_get_records
    shard.get_min_sequence_number = _shard_get_min_sequence_number
    shard.get_max_sequence_number = _shard_get_max_sequence_number
    shard.get_sequence_number_at = _shard_get_sequence_number_at


# --- fix 2: a lock per stream ------------------------------------------------------------------

# Backend calls that read or write records, or reshard; each runs holding its stream's lock.
LOCKED_BACKEND_CALLS = (
    "put_record",
    "put_records",
    "get_records",
    "get_shard_iterator",
    "split_shard",
    "merge_shards",
    "update_shard_count",
    "send_log_event",
)
# Stream methods also reached without the backend (CloudFormation updates, Lambda, log subscriptions).
LOCKED_STREAM_METHODS = ("put_record", "split_shard", "merge_shards", "update_shard_count")


@fix("kinesis")
def put_not_thread_safe() -> None:
    """moto 5.2.5: the server is threaded but Shard.put_record reads the last sequence number and
    then stores under the next without a lock ("Note: this function is not safe for concurrency"):
    two concurrent puts get the same sequence number and one record overwrites the other; 4
    concurrent PutRecords producers lose 2-3 % of their records. AWS loses none.

    Fix: each stream has a re-entrant lock; PutRecord, PutRecords (the whole batch, so its records
    stay contiguous and in order), GetRecords, GetShardIterator, trimming and resharding hold it.
    """
    models = _models()
    if not _first_time(models.KinesisBackend, "stream_lock"):
        return
    for name in LOCKED_BACKEND_CALLS:
        _around_backend_call(name)
    for name in LOCKED_STREAM_METHODS:
        _locked_stream_method(name)


# --- fix 3: retention and a cap ------------------------------------------------------------------


def trim_stream(stream: Any) -> None:
    """Drop, in every shard of the stream, records older than its retention period (on the endpoint
    clock), then the oldest beyond `max_records_per_shard`. O(1) when there is nothing to drop."""
    cutoff = clock.now() - int(stream.retention_period_hours) * 3600
    cap = runtime.get("max_records_per_shard")
    with stream_lock(stream):
        for shard in list(stream.shards.values()):
            log = shard.records
            log.drop_older_than(cutoff)
            log.drop_beyond(cap)


def _untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


@fix("kinesis")
def records_never_trimmed() -> None:
    """moto 5.2.5: every record stays in its shard forever (about 0.75 KiB each), and a second
    reference to each sits in `Record.instances_tracked` (for moto's dashboard), so memory only
    grows. Record arrival times are wall-clock time. AWS: records are readable for the stream's
    retention period (RetentionPeriodHours, 24 by default, changed by Increase/Decrease-
    StreamRetentionPeriod) and then gone; TRIM_HORIZON starts at the oldest record still kept.

    Fix: arrival times (ApproximateArrivalTimestamp, what AT_TIMESTAMP compares) come from the
    endpoint clock; records older than the retention period on that clock are dropped, and so are
    the oldest beyond `max_records_per_shard` (run-time setting) in any shard, when records are put
    to or read from the stream (GetRecords, GetShardIterator); records are no longer tracked for
    moto's dashboard. Iterators that point before the oldest kept record read from it.
    StartingSequenceNumber stays the shard's first sequence number, as on AWS.
    """
    put_scans_whole_shard_for_max_sequence()  # trimming drops from the head of the record log
    models = _models()
    record = models.Record
    if not _first_time(record, "trimmed"):
        return

    record.__new__ = staticmethod(_untracked_new)
    record.instances_tracked.clear()
    original_init = record.__init__

    @functools.wraps(original_init)
    def init_on_endpoint_clock(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        now = clock.now()
        self.created_at = now
        self.created_at_datetime = datetime.datetime.fromtimestamp(now, datetime.UTC).replace(tzinfo=None)

    record.__init__ = init_on_endpoint_clock

    for name in ("put_record", "put_records", "send_log_event"):
        _around_backend_call(name, after=trim_stream)
    for name in ("get_records", "get_shard_iterator"):
        _around_backend_call(name, before=trim_stream)
