"""Where streams live: one table per account and region, with the shard quota counted across it.

Lock order: a region's lock, then a stream's lock; never the other way. Operations that change how many shards
a region holds (create, delete, split, merge, scale) take the region's lock first, so the quota check and the
change are one step. Reads and writes of records take only their stream's lock.
"""

import threading
from collections.abc import Iterator

from localaws.kinesis.model import Stream


class Region:
    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.lock = threading.RLock()
        self._streams: dict[str, Stream] = {}

    def get(self, name: str, now: float) -> Stream | None:
        stream = self._streams.get(name)
        if stream is not None and stream.gone(now):
            with self.lock:
                if self._streams.get(name) is stream:
                    del self._streams[name]
            return None
        return stream

    def add(self, stream: Stream) -> None:
        self._streams[stream.name] = stream

    def streams(self, now: float) -> list[Stream]:
        """The streams that still exist, by name."""
        with self.lock:
            for name in [name for name, stream in self._streams.items() if stream.gone(now)]:
                del self._streams[name]
            return [self._streams[name] for name in sorted(self._streams)]

    def shard_count(self, now: float) -> int:
        """Open shards counted against the quota (an update's result counts from when it is asked for)."""
        return sum(stream.quota_shards for stream in self.streams(now))


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._regions: dict[tuple[str, str], Region] = {}

    def region(self, account_id: str, region: str) -> Region:
        key = (account_id, region)
        found = self._regions.get(key)
        if found is None:
            with self._lock:
                found = self._regions.setdefault(key, Region(account_id, region))
        return found

    def regions(self) -> Iterator[Region]:
        with self._lock:
            regions = list(self._regions.values())
        yield from regions
