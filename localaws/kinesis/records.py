"""A shard's records: appended at the tail in O(1), dropped from the head in amortised O(1), found by bisection.

Each record is a plain tuple (index, arrival, data, partition_key, encrypted), read with the constants below (a
named tuple costs a Python-level constructor call per record). Indexes rise along the log (they count
records across the stream), and so do arrival times (a record that arrives with an earlier clock reading than
the one before it is given that one's time), so both can be bisected. Not thread-safe: the stream's lock is held.
"""

from bisect import bisect_left, bisect_right
from operator import itemgetter

# Compact the lists once this many dropped slots lead them and they are at least half of them.
COMPACT_AFTER_DROPPED = 1024

INDEX, ARRIVAL, DATA, PARTITION_KEY, ENCRYPTED = range(5)
Record = tuple[int, float, bytes, str, bool]

_index = itemgetter(INDEX)
_arrival = itemgetter(ARRIVAL)


class RecordLog:
    __slots__ = ("_head", "_records", "last_arrival", "last_index")

    def __init__(self) -> None:
        self._records: list[Record | None] = []
        self._head = 0  # slots before it are dropped (set to None until compaction)
        self.last_index = -1  # the last index ever appended, dropped or not
        self.last_arrival = 0.0

    def __len__(self) -> int:
        return len(self._records) - self._head

    def append(self, index: int, arrival: float, data: bytes, partition_key: str, encrypted: bool) -> Record:
        # Kept to the millisecond, as AWS keeps ApproximateArrivalTimestamp: the time a reader is shown is then the
        # record's own, and AT_TIMESTAMP at it finds the record (a finer time made it skip the record half the time).
        arrival = int(arrival * 1000) / 1000
        if arrival < self.last_arrival:
            arrival = self.last_arrival
        record = (index, arrival, data, partition_key, encrypted)
        self._records.append(record)
        self.last_index = index
        self.last_arrival = arrival
        return record

    def oldest(self) -> Record | None:
        return self._records[self._head] if len(self) else None

    def newest(self) -> Record | None:
        return self._records[-1] if len(self) else None

    def position_after(self, index: int) -> int:
        """Slot of the first record whose index is greater than `index`."""
        return bisect_right(self._records, index, self._head, key=_index)  # type: ignore[arg-type]

    def position_at_time(self, timestamp: float) -> int:
        """Slot of the first record that arrived at or after `timestamp`."""
        return bisect_left(self._records, timestamp, self._head, key=_arrival)  # type: ignore[arg-type]

    def end(self) -> int:
        return len(self._records)

    def at(self, slot: int) -> Record:
        record = self._records[slot]
        assert record is not None
        return record

    def read(self, slot: int, count: int) -> list[Record]:
        start = max(slot, self._head)
        return self._records[start : start + count]  # type: ignore[return-value]

    def drop_oldest(self, count: int) -> int:
        count = min(count, len(self))
        if count <= 0:
            return 0
        head = self._head + count
        if head >= COMPACT_AFTER_DROPPED and head >= len(self._records) - head:
            del self._records[:head]
            self._head = 0
        else:
            self._records[self._head : head] = [None] * count  # free them now
            self._head = head
        return count

    def drop_older_than(self, cutoff: float) -> int:
        oldest = self.oldest()
        if oldest is None or oldest[ARRIVAL] >= cutoff:
            return 0
        return self.drop_oldest(self.position_at_time(cutoff) - self._head)

    def drop_beyond(self, max_records: int) -> int:
        return self.drop_oldest(len(self) - max_records)
