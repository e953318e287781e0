"""Streams, shards and consumers, and how they change over time.

States move on the endpoint clock and are settled lazily: whoever touches a stream first settles it (CREATING
or UPDATING become ACTIVE once their time is up, and an update's work is done then, at that moment of the
clock), so no timers or threads are needed. Every change to a stream happens under its own lock.
"""

import threading
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from localaws.kinesis.limits import ShardLimits
from localaws.kinesis.records import RecordLog
from localaws.kinesis.sequence import MAX_INDEX, sequence_number, shard_base, shard_id

HASH_SPACE = 2**128
MAX_HASH_KEY = HASH_SPACE - 1
ON_DEMAND_INITIAL_SHARDS = 4
DEFAULT_RETENTION_HOURS = 24
DEFAULT_MAX_RECORD_SIZE_KIB = 1024
# A whole-stream trim (every shard, including closed ones nobody reads) runs at most this often.
FULL_TRIM_EVERY_SECONDS = 1.0


class Shard:
    __slots__ = (
        "accepts_until",
        "adjacent_parent",
        "base",
        "closed_at",
        "created_at",
        "created_second",
        "end",
        "id",
        "index",
        "limits",
        "log",
        "parent",
        "parents",
        "start",
    )

    def __init__(
        self,
        index: int,
        start: int,
        end: int,
        created_at: float,
        created_second: int,
        parents: tuple["Shard", ...] = (),
    ) -> None:
        self.index = index
        self.id = shard_id(index)
        self.start = start
        self.end = end
        self.created_at = created_at
        self.created_second = created_second
        self.base = shard_base(created_second, index)
        self.parents = parents
        self.parent = parents[0].id if parents else None
        self.adjacent_parent = parents[1].id if len(parents) > 1 else None
        self.closed_at: float | None = None
        # The last second a closed shard still takes records: until its children's creation second comes (AWS
        # keeps putting to a parent until then), so its EndingSequenceNumber carries that second.
        self.accepts_until: int | None = None
        self.log = RecordLog()
        self.limits: ShardLimits | None = None  # made when limits are first on

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def starting_sequence_number(self) -> str:
        return sequence_number(self.created_second, self.index, 0, self.created_second)

    def ending_sequence_number(self) -> str | None:
        if self.accepts_until is None:
            return None
        return sequence_number(self.created_second, self.index, MAX_INDEX, self.accepts_until)

    def finished(self, second: int) -> bool:
        """Closed, and past the last second it takes records: nothing more will ever arrive."""
        return self.accepts_until is not None and second > self.accepts_until

    def record_sequence_number(self, index: int, arrival: float) -> str:
        return str(self.base | index << 80 | (int(arrival) & 0xFFFFFFFF) << 36)

    def describe(self) -> dict[str, Any]:
        numbers = {"StartingSequenceNumber": self.starting_sequence_number()}
        ending = self.ending_sequence_number()
        if ending is not None:
            numbers["EndingSequenceNumber"] = ending
        description: dict[str, Any] = {"ShardId": self.id}
        if self.parent:
            description["ParentShardId"] = self.parent
        if self.adjacent_parent:
            description["AdjacentParentShardId"] = self.adjacent_parent
        description["HashKeyRange"] = {"StartingHashKey": str(self.start), "EndingHashKey": str(self.end)}
        description["SequenceNumberRange"] = numbers
        return description


class Consumer:
    __slots__ = ("arn", "created_at", "deleted_at", "name", "ready_at", "status", "tags")

    def __init__(self, stream_arn: str, name: str, now: float, transition: float, tags: dict[str, str]) -> None:
        self.name = name
        self.created_at = now
        self.arn = f"{stream_arn}/consumer/{name}:{int(now)}"
        self.status = "CREATING"
        self.ready_at: float | None = now + transition
        self.deleted_at: float | None = None
        self.tags = dict(tags)

    def settle(self, now: float) -> None:
        if self.status == "CREATING" and self.ready_at is not None and now >= self.ready_at:
            self.status = "ACTIVE"
            self.ready_at = None

    def gone(self, now: float) -> bool:
        return self.deleted_at is not None and now >= self.deleted_at


def uniform_ranges(count: int) -> list[tuple[int, int]]:
    """AWS's even split of the hash key space: equal ranges, the last one running to the top."""
    step = HASH_SPACE // count
    return [(i * step, (i + 1) * step - 1 if i < count - 1 else MAX_HASH_KEY) for i in range(count)]


class Stream:
    def __init__(
        self,
        account_id: str,
        region: str,
        name: str,
        shard_count: int,
        mode: str,
        now: float,
        transition: float,
        tags: dict[str, str],
        max_record_size_kib: int = DEFAULT_MAX_RECORD_SIZE_KIB,
    ) -> None:
        self.lock = threading.RLock()
        # Subscribers (SubscribeToShard) wait on it for new records; `watchers` counts them, so a put with
        # nobody waiting does not pay for a notification.
        self.arrivals = threading.Condition(self.lock)
        self.watchers = 0
        self.account_id = account_id
        self.region = region
        self.name = name
        self.arn = f"arn:aws:kinesis:{region}:{account_id}:stream/{name}"
        self.created_at = now
        self.status = "CREATING"
        self.ready_at: float | None = now + transition
        self.pending: Callable[[float], None] | None = None
        self.deleted_at: float | None = None
        self.shards: list[Shard] = []
        self.open: list[Shard] = []
        self._open_starts: list[int] = []
        self.retention_hours = DEFAULT_RETENTION_HOURS
        self.encryption_type = "NONE"
        self.key_id: str | None = None
        self.shard_level_metrics: list[str] = []
        self.mode = mode
        self.tags: dict[str, str] = dict(tags)
        self.consumers: dict[str, Consumer] = {}
        self.max_record_size_kib = max_record_size_kib
        # USER_PARTITION_KEY: records go by their keys; AUTO (on-demand only): spread evenly, keys ignored.
        self.distribution = "USER_PARTITION_KEY"
        self.counter = 0  # the last record index handed out, across the stream (0 is no record: starting numbers)
        self.quota_shards = shard_count  # open shards once any pending update is done: what the quota counts
        self.scaling_times: list[float] = []  # UpdateShardCount calls in the last 24 hours
        self.next_full_trim = 0.0
        # A stream shows no shards until it first becomes ACTIVE (so none when it is deleted while CREATING).
        self.shards_visible = False
        created_second = int(now)
        for start, end in uniform_ranges(shard_count):
            self.shards.append(Shard(len(self.shards), start, end, now, created_second))
        self._reindex_open()

    # --- states ---------------------------------------------------------------------------------

    def settle(self, now: float) -> None:
        """Finish what the clock says is finished. Callers hold the lock."""
        if self.ready_at is not None and now >= self.ready_at and self.status in ("CREATING", "UPDATING"):
            at = self.ready_at
            pending, self.pending, self.ready_at = self.pending, None, None
            self.status = "ACTIVE"
            self.shards_visible = True
            if pending is not None:
                pending(at)
        if self.consumers:
            for name, consumer in list(self.consumers.items()):
                if consumer.gone(now):
                    del self.consumers[name]
                else:
                    consumer.settle(now)

    def gone(self, now: float) -> bool:
        return self.deleted_at is not None and now >= self.deleted_at

    def begin_update(self, now: float, transition: float, work: Callable[[float], None] | None) -> None:
        self.status = "UPDATING"
        self.ready_at = now + transition
        self.pending = work

    def begin_delete(self, now: float, transition: float) -> None:
        self.status = "DELETING"
        self.pending = None
        self.ready_at = None
        self.deleted_at = now + transition

    # --- shards ---------------------------------------------------------------------------------

    def _reindex_open(self) -> None:
        self.records_added()  # a reshard: subscribers to a closed shard look for its end
        self.open = sorted((shard for shard in self.shards if shard.is_open), key=lambda shard: shard.start)
        self._open_starts = [shard.start for shard in self.open]

    def route(self, hash_key: int, second: int) -> Shard:
        """The shard that takes a record with this hash key now: the open shard whose hash key range (both ends
        included) holds it, or, until that shard's creation second comes, the parent that held the key."""
        shard = self.open[bisect_right(self._open_starts, hash_key) - 1]
        while shard.created_second > second and shard.parents:
            shard = next(parent for parent in shard.parents if parent.start <= hash_key <= parent.end)
        return shard

    def spread(self) -> Shard:
        """The next open shard in turn, for a stream that distributes records itself (AUTO)."""
        return self.open[self.counter % len(self.open)]

    def shard(self, index: int) -> Shard | None:
        return self.shards[index] if 0 <= index < len(self.shards) else None

    def _child(self, start: int, end: int, at: float, parents: tuple[Shard, ...]) -> Shard:
        # A child is born a second after its parents close (at the earliest), so its sequence numbers follow theirs.
        created_second = max([int(at) + 1] + [parent.created_second + 1 for parent in parents])
        child = Shard(len(self.shards), start, end, at, created_second, parents)
        for parent in parents:
            parent.accepts_until = created_second - 1
        self.shards.append(child)
        return child

    def split(self, shard: Shard, new_start: int, at: float) -> tuple[Shard, Shard]:
        shard.closed_at = at
        left = self._child(shard.start, new_start - 1, at, (shard,))
        right = self._child(new_start, shard.end, at, (shard,))
        self._reindex_open()
        return left, right

    def merge(self, shard: Shard, adjacent: Shard, at: float) -> Shard:
        shard.closed_at = at
        adjacent.closed_at = at
        child = self._child(shard.start, adjacent.end, at, (shard, adjacent))
        self._reindex_open()
        return child

    def scale_uniformly(self, target: int, at: float) -> None:
        """UNIFORM_SCALING: split the open shards at the boundaries of `target` equal ranges, then merge the
        pieces that share a range (through intermediate shards when more than two do, as AWS does)."""
        ranges = uniform_ranges(target)
        boundaries = [start for start, _ in ranges[1:]]
        pieces: list[Shard] = []
        for shard in list(self.open):
            current = shard
            for boundary in boundaries:
                if current.start < boundary <= current.end:
                    left, current = self.split(current, boundary, at)
                    pieces.append(left)
            pieces.append(current)
        step = HASH_SPACE // target
        groups: dict[int, list[Shard]] = {}
        for piece in pieces:
            groups.setdefault(min(piece.start // step, target - 1), []).append(piece)
        for group in groups.values():
            merged = group[0]
            for piece in group[1:]:
                merged = self.merge(merged, piece, at)

    # --- records --------------------------------------------------------------------------------

    def retention_cutoff(self, now: float) -> float:
        return now - self.retention_hours * 3600

    def trim_shard(self, shard: Shard, now: float, cap: int) -> None:
        log = shard.log
        log.drop_older_than(self.retention_cutoff(now))
        if len(log) > cap:
            log.drop_beyond(cap)

    def records_added(self) -> None:
        """Wake the subscribers waiting for records. Callers hold the lock."""
        if self.watchers:
            self.arrivals.notify_all()

    def trim_all(self, now: float, monotonic: float, cap: int) -> None:
        # Both put paths call this once, after their records are appended: the hook that wakes subscribers.
        self.records_added()
        if monotonic < self.next_full_trim:
            return
        self.next_full_trim = monotonic + FULL_TRIM_EVERY_SECONDS
        for shard in self.shards:
            if len(shard.log):
                self.trim_shard(shard, now, cap)

    def listed_shards(self, now: float) -> list[Shard]:
        """Shards as ListShards and DescribeStream show them: a closed shard leaves once the retention period has
        passed since it closed (its records are gone by then)."""
        if not self.shards_visible:
            return []
        cutoff = self.retention_cutoff(now)
        return [shard for shard in self.shards if shard.closed_at is None or shard.closed_at >= cutoff]
