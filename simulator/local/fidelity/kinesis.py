"""Kinesis Data Streams fixes: a shard that stays fast when it is long, safe under concurrent
producers, that forgets records the way AWS does, resharding that closes the parent shards, and
(when switched on) AWS's shard throughput limits and injected faults.

moto 5.2.5 keeps a shard's records in an `OrderedDict` keyed by sequence number and walks it from the
start for most questions; it has no locking; and it keeps every record forever. Here a shard's
records live in a `RecordLog` (parallel lists of sequence numbers and records, a head offset to drop
from the front cheaply), every call that touches a stream's records holds that stream's lock, and
records older than the stream's retention period, or beyond `max_records_per_shard`, are dropped.
moto also keeps routing puts to closed parent shards after a reshard and never throttles; see
`reshard_leaves_puts_on_closed_parents` and `no_throughput_limits`.

Sequence numbers keep moto's format, decimal strings, but count up from 1 across the whole stream
(a `StreamSequence` shared by its shards), so a child shard's records follow all of its parents'.
A stream of one shard numbers its records 1, 2, 3, ... as moto does.
"""

import datetime
import functools
import inspect
import random
import threading
import time
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

    def has_after(self, key: int) -> bool:
        """Whether the log holds a record whose sequence number is greater than `key`."""
        return self.index_after(key) < len(self._keys)

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


# --- fix 4: resharding closes the parents ------------------------------------------------------------


class StreamSequence:
    """The last sequence number handed out in a stream, shared by all its shards.

    Numbers rise across the whole stream, so every record of a child shard follows every record of
    its parents and readers can order records along a shard's lineage. A shard closes at the stream's
    last number; its children start after it.
    """

    __slots__ = ("last",)

    def __init__(self, last: int = 0) -> None:
        self.last = last

    def next(self) -> int:
        self.last += 1
        return self.last

    def __repr__(self) -> str:
        return f"StreamSequence(last={self.last})"


def _stream_sequence(stream: Any) -> StreamSequence:
    """The stream's sequence; a stream made before the fix gets one that follows every number it holds."""
    sequence = stream.__dict__.get("_wildrydes_sequence")
    if sequence is None:
        held = (shard.records.last_sequence_number() for shard in stream.shards.values())
        sequence = stream.__dict__["_wildrydes_sequence"] = StreamSequence(max(held, default=0))
    for shard in stream.shards.values():
        if "_wildrydes_sequence" not in shard.__dict__:
            shard.__dict__["_wildrydes_sequence"] = sequence
            shard.__dict__["_wildrydes_starting"] = shard.records.first_sequence_number() or sequence.last + 1
    return sequence


def _open_shard_count(stream: Any) -> int:
    return sum(1 for shard in stream.shards.values() if shard.is_open)


def _close_shard(stream: Any, shard: Any) -> None:
    """Close a shard at the stream's last sequence number (never before its own start)."""
    sequence = _stream_sequence(stream)
    sequence.last = max(sequence.last, shard.__dict__["_wildrydes_starting"])
    shard.__dict__["_wildrydes_ending"] = sequence.last
    shard.is_open = False


def _child_shard(stream: Any, starting_hash: int, ending_hash: int, parent: str, adjacent_parent: str | None = None):
    """A new open shard, numbered after the stream's last shard, starting after the stream's last number."""
    sequence = _stream_sequence(stream)
    last_id = max(shard._shard_id for shard in stream.shards.values())
    shard = _models().Shard(last_id + 1, starting_hash, ending_hash, parent=parent, adjacent_parent=adjacent_parent)
    shard.__dict__["_wildrydes_sequence"] = sequence
    shard.__dict__["_wildrydes_starting"] = sequence.last + 1
    stream.shards[shard.shard_id] = shard
    return shard


def _split(stream: Any, shard: Any, new_starting_hash: int) -> tuple[Any, Any]:
    _close_shard(stream, shard)
    left = _child_shard(stream, shard.starting_hash, new_starting_hash - 1, parent=shard.shard_id)
    right = _child_shard(stream, new_starting_hash, shard.ending_hash, parent=shard.shard_id)
    return left, right


def _merge(stream: Any, shard: Any, adjacent: Any) -> Any:
    _close_shard(stream, shard)
    _close_shard(stream, adjacent)
    return _child_shard(
        stream,
        min(shard.starting_hash, adjacent.starting_hash),
        max(shard.ending_hash, adjacent.ending_hash),
        parent=shard.shard_id,
        adjacent_parent=adjacent.shard_id,
    )


def _not_eligible(stream: Any, shard: Any) -> Exception:
    return _models().InvalidArgumentError(
        f"Shard {shard.shard_id} in stream {stream.stream_name} under account {stream.account_id} has already "
        "been merged or split, and thus is not eligible for merging or splitting."
    )


def _stream_split_shard(self: Any, shard_to_split: str, new_starting_hash_key: str) -> None:
    with stream_lock(self):
        new_starting_hash = int(new_starting_hash_key)
        shard = self.shards[shard_to_split]
        if not shard.starting_hash < new_starting_hash < shard.ending_hash:  # moto's check and message
            raise _models().InvalidArgumentError(
                f"NewStartingHashKey {new_starting_hash} used in SplitShard() on shard {shard_to_split} in stream "
                f"{self.stream_name} under account {self.account_id} is not both greater than one plus the "
                f"shard's StartingHashKey {shard.starting_hash} and less than the shard's EndingHashKey "
                f"{shard.ending_hash - 1}."
            )
        if not shard.is_open:
            raise _not_eligible(self, shard)
        _split(self, shard, new_starting_hash)
        self.shard_count = _open_shard_count(self)


def _stream_merge_shards(self: Any, shard_to_merge: str, adjacent_shard_to_merge: str) -> None:
    with stream_lock(self):
        shard = self.shards[shard_to_merge]
        adjacent = self.shards[adjacent_shard_to_merge]
        if shard.ending_hash + 1 != adjacent.starting_hash and adjacent.ending_hash + 1 != shard.starting_hash:
            raise _models().InvalidArgumentError(
                f"Shards {shard.shard_id} and {adjacent.shard_id} in stream {self.stream_name} under account "
                f"{self.account_id} are not adjacent: their hash key ranges do not meet."
            )
        for each in (shard, adjacent):
            if not each.is_open:
                raise _not_eligible(self, each)
        _merge(self, shard, adjacent)
        self.shard_count = _open_shard_count(self)


def _stream_update_shard_count(self: Any, target_shard_count: int) -> None:
    """UNIFORM_SCALING: split the open shards at the boundaries of `target` equal hash key ranges, then
    merge the pieces that share a range (through intermediate shards when more than two do, as AWS)."""
    models = _models()
    with stream_lock(self):
        if self.stream_mode.get("StreamMode", "") == "ON_DEMAND":
            raise models.StreamCannotBeUpdatedError(stream_name=self.stream_name, account_id=self.account_id)
        target = int(target_shard_count)
        if target < 1:
            raise models.InvalidArgumentError(f"TargetShardCount {target} must be at least 1.")
        if _open_shard_count(self) == target:
            return
        step = 2**128 // target  # the ranges of Stream.init_shards: the last one runs to the top
        boundaries = [index * step for index in range(1, target)]
        pieces = []
        for shard in sorted((s for s in self.shards.values() if s.is_open), key=attrgetter("starting_hash")):
            current = shard
            for boundary in boundaries:
                if current.starting_hash < boundary <= current.ending_hash:
                    left, current = _split(self, current, boundary)
                    pieces.append(left)
            pieces.append(current)
        ranges: dict[int, list[Any]] = {}
        for piece in pieces:
            ranges.setdefault(min(piece.starting_hash // step, target - 1), []).append(piece)
        for together in ranges.values():
            merged = together[0]
            for piece in together[1:]:
                merged = _merge(self, merged, piece)
        self.shard_count = target


def _stream_get_shard_for_key(self: Any, partition_key: str, explicit_hash_key: str) -> Any | None:
    """The open shard whose hash key range (both ends included) holds the key's MD5 hash or ExplicitHashKey."""
    from moto.utilities.utils import md5_hash

    models = _models()
    if not isinstance(partition_key, str) or len(partition_key) > 256:
        raise models.InvalidArgumentError("partition_key")
    if explicit_hash_key:
        try:
            hash_key = int(explicit_hash_key)
        except (TypeError, ValueError):
            raise models.InvalidArgumentError("explicit_hash_key") from None
        if not 0 <= hash_key < 2**128:
            raise models.InvalidArgumentError("explicit_hash_key")
    else:
        hash_key = int(md5_hash(partition_key.encode("utf-8")).hexdigest(), 16)
    for shard in self.shards.values():
        if shard.is_open and shard.starting_hash <= hash_key <= shard.ending_hash:
            return shard
    return None


def _shard_put_record_in_stream_order(self: Any, partition_key: str, data: str, explicit_hash_key: str) -> str:
    sequence = self.__dict__.get("_wildrydes_sequence")
    if sequence is None:  # a shard outside any stream (or made before the fix): numbered on its own
        return _shard_put_record(self, partition_key, data, explicit_hash_key)
    sequence_number = sequence.next()
    self.records.append(sequence_number, _models().Record(partition_key, data, sequence_number, explicit_hash_key))
    return str(sequence_number)


def _shard_to_json_with_lineage(original: Callable[[Any], dict]) -> Callable[[Any], dict]:
    @functools.wraps(original)
    def to_json(self: Any) -> dict:
        description = original(self)
        numbers = description["SequenceNumberRange"]
        if "_wildrydes_starting" in self.__dict__:
            numbers["StartingSequenceNumber"] = str(self.__dict__["_wildrydes_starting"])
        if not self.is_open and "_wildrydes_ending" in self.__dict__:
            numbers["EndingSequenceNumber"] = str(self.__dict__["_wildrydes_ending"])
        return description

    return to_json


def _null_iterator_at_end_of_closed_shard(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def get_records(self: Any, *args: Any, **kwargs: Any) -> Any:
        next_iterator, records, millis_behind_latest = original(self, *args, **kwargs)
        from moto.kinesis.utils import decompose_shard_iterator

        stream_arn = signature.bind(self, *args, **kwargs).arguments.get("stream_arn")
        stream_name, shard_id, position = decompose_shard_iterator(next_iterator)
        stream = self.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
        shard = stream.shards.get(shard_id)
        if shard is not None and not shard.is_open and not shard.records.has_after(int(position)):
            next_iterator = None  # read to its end: nothing more will ever arrive; go on to the children
        return next_iterator, records, millis_behind_latest

    return get_records


@fix("kinesis")
def reshard_leaves_puts_on_closed_parents() -> None:
    """moto 5.2.5: after SplitShard (and so UpdateShardCount) puts go to the first shard whose hash
    range holds the key, and the closed parent comes first: new records keep landing in the parent,
    and the parent's own records are re-put into it with new sequence numbers and arrival times.
    MergeShards copies both parents' records into the child, so they are read twice. A parent's
    EndingSequenceNumber grows with every put; GetRecords on a closed shard never ends (its
    NextShardIterator is never null). UpdateShardCount 1→3 leaves 2 open shards. A key equal to a
    shard's EndingHashKey (an ExplicitHashKey of 2^128-1, say) routes to no shard: HTTP 500.

    AWS: a reshard closes the parents: they keep their records (until trimmed) and report
    SequenceNumberRange.EndingSequenceNumber; GetRecords on a parent returns its remaining records
    and then no NextShardIterator. New puts go by the MD5 hash of the partition key (or the
    ExplicitHashKey) to the open child whose HashKeyRange holds it; children name ParentShardId (and
    AdjacentParentShardId for a merge), and their sequence numbers are greater than their parents'.
    UpdateShardCount with UNIFORM_SCALING leaves the target count of open shards with equal ranges.

    Fix: routing only to open shards, both range ends included; split and merge close the parents
    and move no records; UpdateShardCount splits at the target's range boundaries and merges the
    pieces that share a range; sequence numbers count up across the stream; closed shards report
    their EndingSequenceNumber and end their GetRecords iterators.
    """
    put_scans_whole_shard_for_max_sequence()  # children and parents keep their records in record logs
    models = _models()
    stream = models.Stream
    if not _first_time(stream, "reshard"):
        return
    original_init_shards = stream.init_shards

    @functools.wraps(original_init_shards)
    def init_shards(self: Any, shard_count: int) -> None:
        original_init_shards(self, shard_count)
        _stream_sequence(self)

    stream.init_shards = init_shards
    stream.split_shard = _stream_split_shard
    stream.merge_shards = _stream_merge_shards
    stream.update_shard_count = _stream_update_shard_count
    stream.get_shard_for_key = _stream_get_shard_for_key
    models.Shard.put_record = _shard_put_record_in_stream_order
    models.Shard.to_json = _shard_to_json_with_lineage(models.Shard.to_json)
    backend = models.KinesisBackend
    backend.get_records = _null_iterator_at_end_of_closed_shard(backend.get_records)


# --- fix 5: shard throughput limits and injected faults ------------------------------------------------

MIB = 1024 * 1024
# AWS's limits per shard (provisioned mode): writes, and reads by GetRecords.
RECORDS_WRITTEN_PER_SECOND = 1000
BYTES_WRITTEN_PER_SECOND = MIB
GET_RECORDS_CALLS_PER_SECOND = 5
BYTES_READ_PER_SECOND = 2 * MIB
# What PutRecords entries failed by injection report, in turn.
INJECTED_ENTRY_ERRORS = ("ProvisionedThroughputExceededException", "InternalFailure")
INTERNAL_FAILURE_MESSAGE = "Internal service failure."


class TokenBucket:
    """`rate` tokens a second on time.monotonic, holding at most one second's worth (`rate`).

    `try_take(n)` takes n tokens when there are n (or a full bucket, for a taker bigger than the
    bucket, who leaves it in debt); `take(n)` takes them regardless, as a GetRecords answer is
    charged after it is read: a bucket in debt refuses until time has repaid it.
    """

    __slots__ = ("rate", "tokens", "updated")

    def __init__(self, rate: float) -> None:
        self.rate = float(rate)
        self.tokens = self.rate
        self.updated = time.monotonic()

    def available(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return self.tokens

    def can_take(self, amount: float) -> bool:
        return self.available() >= min(amount, self.rate)

    def try_take(self, amount: float) -> bool:
        if not self.can_take(amount):
            return False
        self.tokens -= amount
        return True

    def take(self, amount: float) -> None:
        self.available()
        self.tokens -= amount


class ShardLimits:
    """One shard's four buckets. Not thread-safe on its own: callers hold the stream's lock."""

    __slots__ = ("bytes_read", "bytes_written", "read_calls", "records_written")

    def __init__(self) -> None:
        self.records_written = TokenBucket(RECORDS_WRITTEN_PER_SECOND)
        self.bytes_written = TokenBucket(BYTES_WRITTEN_PER_SECOND)
        self.read_calls = TokenBucket(GET_RECORDS_CALLS_PER_SECOND)
        self.bytes_read = TokenBucket(BYTES_READ_PER_SECOND)

    def admit_write(self, size: int) -> bool:
        if not (self.records_written.can_take(1) and self.bytes_written.can_take(size)):
            return False
        self.records_written.take(1)
        self.bytes_written.take(size)
        return True

    def admit_read(self) -> bool:
        """A GetRecords call may go ahead: a call is left this second and the bytes read are repaid."""
        return self.bytes_read.available() > 0 and self.read_calls.try_take(1)

    def charge_read(self, size: int) -> None:
        self.bytes_read.take(size)


def _shard_limits(shard: Any) -> ShardLimits:
    limits = shard.__dict__.get("_wildrydes_limits")
    if limits is None:
        limits = shard.__dict__["_wildrydes_limits"] = ShardLimits()
    return limits


class FaultInjector:
    """The seeded random choices of injected faults: the same seed and the same calls give the same faults."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        with self._lock:
            self._random = random.Random(seed)
            self._entry_failures = 0

    def chance(self, fraction: float) -> bool:
        """True for about `fraction` of the calls (and no random draw at all when it is 0)."""
        if fraction <= 0:
            return False
        with self._lock:
            return self._random.random() < fraction

    def entry_failure(self, fraction: float) -> str | None:
        """For about `fraction` of PutRecords entries an error code, in turn from INJECTED_ENTRY_ERRORS."""
        if fraction <= 0:
            return None
        with self._lock:
            if self._random.random() >= fraction:
                return None
            code = INJECTED_ENTRY_ERRORS[self._entry_failures % len(INJECTED_ENTRY_ERRORS)]
            self._entry_failures += 1
            return code


faults = FaultInjector()


def _reseed_on_change(changes: dict[str, Any]) -> None:
    if "inject_seed" in changes:
        faults.reseed(changes["inject_seed"])


def _rate_exceeded_message(stream: Any, shard: Any) -> str:
    return f"Rate exceeded for shard {shard.shard_id} in stream {stream.stream_name} under account {stream.account_id}."


def _throughput_exceeded(stream: Any, shard: Any) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError("ProvisionedThroughputExceededException", _rate_exceeded_message(stream, shard))


def _decoded_length(data: Any) -> int:
    """Bytes in a base64 string (what moto stores as a record's Data), without decoding it."""
    if isinstance(data, bytes | bytearray):
        data = data.decode("ascii", "replace")
    data = (data or "").strip()
    return len(data) * 3 // 4 - (len(data) - len(data.rstrip("=")))


def _entry_size(data: Any, partition_key: Any) -> int:
    """What an entry counts against the limits: its data and its partition key, as AWS (and moto) count."""
    return _decoded_length(data) + len(partition_key or "")


def _check_put_records_batch(records: Any) -> None:
    """moto's own checks of a PutRecords batch, made before any entry is judged: a bad batch fails whole."""
    models = _models()
    if len(records) > 500:
        raise models.TooManyRecords()
    sizes = [_entry_size(record.get("Data", ""), record.get("PartitionKey", "")) for record in records]
    if sum(sizes) > 5 * MIB:
        raise models.TotalRecordsSizeExceedsLimit()
    for position, size in enumerate(sizes, 1):
        if size > MIB:
            raise models.RecordSizeExceedsLimit(position=position)


def _limits_on() -> bool:
    return bool(runtime.get("kinesis_limits"))


def _limit_put_records(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def put_records(self: Any, *args: Any, **kwargs: Any) -> Any:
        failure_fraction = runtime.get("inject_put_failures")
        limits_on = _limits_on()
        stream = _stream_of_call(self, signature, args, kwargs) if limits_on or failure_fraction > 0 else None
        if stream is None:
            return original(self, *args, **kwargs)
        call = signature.bind(self, *args, **kwargs)
        records = call.arguments["records"]
        with stream_lock(stream):
            _check_put_records_batch(records)
            failures: list[dict[str, str] | None] = []
            for record in records:
                shard = stream.get_shard_for_key(record.get("PartitionKey"), record.get("ExplicitHashKey"))
                if shard is None:  # no shard for the key: moto answers for the whole batch
                    failures.append(None)
                    continue
                code = faults.entry_failure(failure_fraction)
                size = _entry_size(record.get("Data", ""), record.get("PartitionKey", ""))
                if code is None and limits_on and not _shard_limits(shard).admit_write(size):
                    code = "ProvisionedThroughputExceededException"
                if code is None:
                    failures.append(None)
                elif code == "InternalFailure":
                    failures.append({"ErrorCode": code, "ErrorMessage": INTERNAL_FAILURE_MESSAGE})
                else:
                    failures.append({"ErrorCode": code, "ErrorMessage": _rate_exceeded_message(stream, shard)})
            call.arguments["records"] = [record for record, failed in zip(records, failures, strict=True) if not failed]
            reply = original(*call.args, **call.kwargs) if call.arguments["records"] else {"Records": []}
        stored = iter(reply["Records"])
        entries = [failed or next(stored) for failed in failures]
        failed_count = reply.get("FailedRecordCount", 0) + sum(1 for failed in failures if failed)
        return {**reply, "FailedRecordCount": failed_count, "Records": entries}

    return put_records


def _limit_put_record(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def put_record(self: Any, *args: Any, **kwargs: Any) -> Any:
        throttle_fraction = runtime.get("inject_throttle")
        limits_on = _limits_on()
        stream = _stream_of_call(self, signature, args, kwargs) if limits_on or throttle_fraction > 0 else None
        if stream is None:
            return original(self, *args, **kwargs)
        arguments = signature.bind(self, *args, **kwargs).arguments
        with stream_lock(stream):
            shard = stream.get_shard_for_key(arguments.get("partition_key"), arguments.get("explicit_hash_key"))
            if shard is not None:
                size = _entry_size(arguments.get("data"), arguments.get("partition_key"))
                if faults.chance(throttle_fraction) or (limits_on and not _shard_limits(shard).admit_write(size)):
                    raise _throughput_exceeded(stream, shard)
            return original(self, *args, **kwargs)

    return put_record


def _limit_get_records(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def get_records(self: Any, *args: Any, **kwargs: Any) -> Any:
        throttle_fraction = runtime.get("inject_throttle")
        limits_on = _limits_on()
        stream = _stream_of_call(self, signature, args, kwargs) if limits_on or throttle_fraction > 0 else None
        if stream is None:
            return original(self, *args, **kwargs)
        from moto.kinesis.utils import decompose_shard_iterator

        shard_id = decompose_shard_iterator(signature.bind(self, *args, **kwargs).arguments["shard_iterator"])[1]
        shard = stream.shards.get(shard_id)
        if shard is None:
            return original(self, *args, **kwargs)
        with stream_lock(stream):
            if faults.chance(throttle_fraction) or (limits_on and not _shard_limits(shard).admit_read()):
                raise _throughput_exceeded(stream, shard)
            result = original(self, *args, **kwargs)
            if limits_on:
                _shard_limits(shard).charge_read(
                    sum(_entry_size(record.data, record.partition_key) for record in result[1])
                )
            return result

    return get_records


@fix("kinesis")
def no_throughput_limits() -> None:
    """moto 5.2.5 never throttles: a shard takes any number of records and bytes a second, and
    GetRecords may be called as often as a reader likes; so code that must back off and retry is
    never exercised. AWS: each shard takes up to 1,000 records and 1 MiB a second (beyond them
    PutRecord fails, and PutRecords fails just those entries, with
    ProvisionedThroughputExceededException "Rate exceeded for shard ... in stream ... under account
    ..."; FailedRecordCount counts them), and answers up to 5 GetRecords calls and 2 MiB a second
    (beyond them ProvisionedThroughputExceededException, HTTP 400).

    Fix, off unless switched on (`--kinesis-limits` at start, setting `kinesis_limits` at run time):
    a token bucket per shard per limit on time.monotonic (one second's worth at most; a GetRecords
    answer over 2 MiB leaves the read bucket in debt, refusing reads until it is repaid, as AWS
    refuses for the seconds after a 10 MiB answer). Also fault injection (`--inject-throttle`,
    `--inject-put-failures`; settings `inject_throttle`, `inject_put_failures`, fractions 0..1): that
    fraction of GetRecords and PutRecord calls is answered ProvisionedThroughputExceededException,
    and that fraction of PutRecords entries fails, alternately ProvisionedThroughputExceededException
    and InternalFailure. Failed entries are not stored. The choices come from a random generator
    seeded with `inject_seed` (reseeded whenever that setting is posted), so runs repeat.
    """
    put_not_thread_safe()  # the buckets are kept under the stream's lock
    models = _models()
    backend = models.KinesisBackend
    if not _first_time(backend, "limits"):
        return
    faults.reseed(runtime.get("inject_seed"))
    runtime.on_update(_reseed_on_change)
    backend.put_records = _limit_put_records(backend.put_records)
    backend.put_record = _limit_put_record(backend.put_record)
    backend.get_records = _limit_get_records(backend.get_records)
