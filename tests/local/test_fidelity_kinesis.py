"""The Kinesis fixes of the fidelity layer (simulator/local/fidelity/kinesis.py).

Each fix has a test on our endpoint and a companion that runs the same check on plain moto 5.2.5 and
shows the defect there, so it is clear the test would fail without the fix. Tests that move the
endpoint clock start an endpoint of their own. The O(n) defect is shown without timing: an
instrumented container counts how many records (or sequence numbers) each shard operation visits.
"""

import base64
import gc
import json
import math
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from itertools import pairwise
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from simulator.local import runtime
from simulator.local.fidelity import kinesis as kinesis_fixes
from simulator.local.fidelity.kinesis import RecordLog
from tests.conftest import Endpoint, running_endpoint

SHARD = "shardId-000000000000"
DAY_SECONDS = 24 * 3600


# --- helpers over HTTP -------------------------------------------------------------------------


def create_stream(client: Any, name: str, shards: int = 1) -> None:
    client.create_stream(StreamName=name, ShardCount=shards)
    client.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})


def put_all(client: Any, stream: str, payloads: list[bytes], partition_key: str = "unicorn") -> list[str]:
    """PutRecords in batches of 500; returns the sequence numbers in order."""
    sequence_numbers = []
    for start in range(0, len(payloads), 500):
        batch = payloads[start : start + 500]
        reply = client.put_records(
            StreamName=stream, Records=[{"Data": data, "PartitionKey": partition_key} for data in batch]
        )
        assert reply.get("FailedRecordCount", 0) == 0
        sequence_numbers += [each["SequenceNumber"] for each in reply["Records"]]
    return sequence_numbers


def read_all(client: Any, stream: str, shard: str = SHARD, **iterator: Any) -> list[dict]:
    """Every record from the iterator (TRIM_HORIZON unless told) to the tip of the shard (or the end of a
    closed shard: no NextShardIterator)."""
    iterator.setdefault("ShardIteratorType", "TRIM_HORIZON")
    position = client.get_shard_iterator(StreamName=stream, ShardId=shard, **iterator)["ShardIterator"]
    records: list[dict] = []
    while True:
        reply = client.get_records(ShardIterator=position, Limit=10_000)
        records += reply["Records"]
        position = reply.get("NextShardIterator")
        if not reply["Records"] or position is None:
            return records


def stored(endpoint: Endpoint, stream: str) -> dict[str, int]:
    """Records the endpoint holds per shard of `stream` (the control API's view)."""
    rows = endpoint.control("kinesis/shards")["shards"]
    return {row["shard"]: row["records"] for row in rows if row["stream"] == stream}


def payloads(tag: str, count: int) -> list[bytes]:
    return [f"{tag}-{index}".encode() for index in range(count)]


def data_of(records: list[dict]) -> list[str]:
    return [record["Data"].decode() for record in records]


# --- the record log itself ---------------------------------------------------------------------


def record(sequence_number: int, created_at: float = 0.0) -> SimpleNamespace:
    return SimpleNamespace(sequence_number=sequence_number, created_at=created_at, created_at_datetime=None)


def test_record_log_behaves_like_the_dict_moto_uses():
    log = RecordLog()
    assert not log and len(log) == 0 and log.first_sequence_number() == 0 and log.next_sequence_number() == 1
    for number in range(1, 6):
        log[number] = record(number, created_at=float(number))
    assert len(log) == 5 and log
    assert log.keys() == [1, 2, 3, 4, 5] and list(log) == [1, 2, 3, 4, 5]
    assert [each.sequence_number for each in log.values()] == [1, 2, 3, 4, 5]
    assert [key for key, _ in log.items()] == [1, 2, 3, 4, 5]
    assert next(reversed(log)) == 5 and list(reversed(log)) == [5, 4, 3, 2, 1]
    assert log[3].sequence_number == 3 and 3 in log and 9 not in log and log.get(9) is None
    with pytest.raises(KeyError):
        log[9]
    replacement = record(3, created_at=3.0)
    log[3] = replacement
    assert log[3] is replacement and len(log) == 5
    with pytest.raises(ValueError, match="append-only"):
        log.append(2, record(2))
    # an OrderedDict, as moto's split_shard hands one over, becomes a log in the same order
    assert RecordLog(OrderedDict((n, record(n)) for n in (7, 8)).items()).keys() == [7, 8]


def test_record_log_seeks_and_drops_from_the_head():
    log = RecordLog((n, record(n, created_at=float(n))) for n in range(1, 5001))
    assert log.index_after(0) == 0 and log.index_after(4999) == 4999 and log.index_after(5000) == 5000
    assert log.slice(log.index_after(10), 3)[0].sequence_number == 11
    assert log.index_at_time(100.0) == 99
    assert log.drop_older_than(101.0) == 100  # arrived at 1.0 .. 100.0
    assert len(log) == 4900 and log.oldest().sequence_number == 101
    assert log.drop_beyond(1000) == 3900
    assert len(log) == 1000 and log.oldest().sequence_number == 4001 and log.keys()[0] == 4001
    assert log.index_after(0) == log.index_after(4000)  # before the head: read from the oldest kept
    assert log.first_sequence_number() == 1 and log.last_sequence_number() == 5000
    for _ in range(1000):
        log.drop_oldest(1)
    assert not log and log.oldest() is None and log.next_sequence_number() == 5001
    assert len(log._keys) < kinesis_fixes.COMPACT_AFTER_DROPPED  # the dropped slots were compacted away
    log.append(5001, record(5001, created_at=0.5))  # a clock reading earlier than the last arrival
    assert log.newest().created_at == 5000.0  # arrival times never go down along the log


# --- the O(n) defect, in process: how many records does each shard operation visit? -----------


@pytest.fixture
def moto_kinesis() -> Iterator[Any]:
    """moto's kinesis models in this process, restored to what they were after the test."""
    from moto.kinesis import models

    classes = (models.Shard, models.Stream, models.Record, models.KinesisBackend)
    saved = {cls: dict(vars(cls)) for cls in classes}
    settings = runtime.as_dict()
    yield models
    for cls, before in saved.items():
        for name in set(vars(cls)) - set(before):
            delattr(cls, name)
        for name, value in before.items():
            if vars(cls).get(name) is not value:
                setattr(cls, name, value)
    runtime.update(settings)


@pytest.fixture
def patched_kinesis(moto_kinesis: Any) -> Any:
    for each in (
        kinesis_fixes.put_scans_whole_shard_for_max_sequence,
        kinesis_fixes.put_not_thread_safe,
        kinesis_fixes.records_never_trimmed,
    ):
        each()
    return moto_kinesis


@pytest.fixture
def plain_kinesis(moto_kinesis: Any) -> Any:
    assert "_wildrydes_fix_record_log" not in vars(moto_kinesis.Shard), "moto is patched in this process"
    return moto_kinesis


class Visits:
    count = 0


class CountingList(list):
    def __init__(self, items: list, visits: Visits) -> None:
        super().__init__(items)
        self.visits = visits

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        self.visits.count += len(item) if isinstance(index, slice) else 1
        return item

    def __iter__(self) -> Iterator[Any]:
        for item in super().__iter__():
            self.visits.count += 1
            yield item


class CountedView:
    """A dict view that counts what iterating it (forwards or backwards) hands out."""

    def __init__(self, view: Any, visits: Visits) -> None:
        self.view = view
        self.visits = visits

    def _counted(self, items: Iterator[Any]) -> Iterator[Any]:
        for item in items:
            self.visits.count += 1
            yield item

    def __iter__(self) -> Iterator[Any]:
        return self._counted(iter(self.view))

    def __reversed__(self) -> Iterator[Any]:
        return self._counted(reversed(self.view))

    def __len__(self) -> int:
        return len(self.view)


class CountingOrderedDict(OrderedDict):
    def __init__(self, items: Any, visits: Visits) -> None:
        super().__init__(items)
        self.visits = visits

    def __iter__(self) -> Iterator[Any]:
        return iter(CountedView(super().keys(), self.visits))

    def __reversed__(self) -> Iterator[Any]:
        return reversed(CountedView(super().keys(), self.visits))

    def keys(self) -> Any:
        return CountedView(super().keys(), self.visits)

    def values(self) -> Any:
        return CountedView(super().values(), self.visits)

    def items(self) -> Any:
        return CountedView(super().items(), self.visits)

    def __getitem__(self, key: Any) -> Any:
        self.visits.count += 1
        return super().__getitem__(key)


def instrument(shard: Any) -> Visits:
    """Count every record or sequence number the shard's container hands out from now on."""
    visits = Visits()
    if isinstance(shard.records, RecordLog):
        log = shard.records
        log._keys = CountingList(log._keys, visits)
        log._records = CountingList(log._records, visits)
    else:
        shard.records = CountingOrderedDict(shard.records, visits)
    return visits


def visits_per_operation(models: Any, size: int) -> dict[str, int]:
    """Fill a shard with `size` records, then count the records each shard operation visits."""
    shard = models.Shard(0, 0, 2**128 - 1)
    data = base64.b64encode(b'{"Name":"Shadowfax"}').decode()
    for index in range(size):
        shard.put_record(f"key-{index}", data, "")
    middle = shard.records[size // 2]
    visits = instrument(shard)
    operations: dict[str, Callable[[], Any]] = {
        "put": lambda: shard.put_record("key", data, ""),
        "poll at the tip": lambda: shard.get_records(str(shard.get_max_sequence_number()), 10_000),
        "read 10 from the middle": lambda: shard.get_records(str(size // 2), 10),
        "max sequence number": shard.get_max_sequence_number,
        "min sequence number": shard.get_min_sequence_number,
        "AT_TIMESTAMP": lambda: shard.get_sequence_number_at(middle.created_at),
    }
    costs = {}
    for name, operation in operations.items():
        visits.count = 0
        operation()
        costs[name] = visits.count
    return costs


def assert_logarithmic(costs: dict[str, int], size: int) -> None:
    bound = 4 * math.ceil(math.log2(size)) + 20  # a few bisections and the 10 records read
    assert costs == {name: cost for name, cost in costs.items() if cost <= bound}, costs


SIZE = 5000


def test_shard_operations_do_not_walk_the_shard(patched_kinesis):
    costs = visits_per_operation(patched_kinesis, SIZE)
    assert_logarithmic(costs, SIZE)
    assert costs["put"] == 0 and costs["max sequence number"] == 0


def test_plain_moto_walks_the_whole_shard(plain_kinesis):
    costs = visits_per_operation(plain_kinesis, SIZE)
    with pytest.raises(AssertionError):
        assert_logarithmic(costs, SIZE)
    for name in ("put", "poll at the tip", "max sequence number", "AT_TIMESTAMP"):
        assert costs[name] >= SIZE, (name, costs)


def dropped_record_is_freed(models: Any) -> bool:
    """Put 20 records, drop the oldest the way the shard's container allows: is it freed?"""
    stream = models.Stream("memory", 1, None, None, "123456789012", "us-east-1")
    for index in range(20):
        stream.put_record(f"key-{index}", "", base64.b64encode(b"x").decode())  # key, hash key, data
    shard = stream.shards[SHARD]
    oldest = weakref.ref(shard.records[1])
    if isinstance(shard.records, RecordLog):
        runtime.update({"max_records_per_shard": 10})
        kinesis_fixes.trim_stream(stream)
        assert len(shard.records) == 10
    else:
        del shard.records[1]  # as much as any trimming of moto's dict could do
    gc.collect()
    return oldest() is None


def test_dropped_records_are_freed(patched_kinesis):
    assert dropped_record_is_freed(patched_kinesis)


def test_plain_moto_holds_every_record_for_its_dashboard(plain_kinesis):
    assert not dropped_record_is_freed(plain_kinesis)  # Record.instances_tracked still holds it


# --- put_not_thread_safe ------------------------------------------------------------------------

PRODUCERS = 4
RECORDS_PER_PRODUCER = 10_000


def produce_concurrently(endpoint: Endpoint, stream: str) -> dict[str, Any]:
    """4 producer threads, each with its own client, PutRecords 10,000 records in batches of 500 to one
    shard at once; then everything is read back from TRIM_HORIZON."""
    create_stream(endpoint.client("kinesis"), stream)
    clients = [endpoint.client("kinesis") for _ in range(PRODUCERS)]  # made here: client creation is not thread-safe
    start = threading.Barrier(PRODUCERS)
    sequence_numbers: list[list[str]] = [[] for _ in range(PRODUCERS)]
    errors: list[BaseException] = []

    def produce(producer: int) -> None:
        try:
            items = [
                json.dumps({"p": producer, "b": index // 500, "i": index}).encode()
                for index in range(RECORDS_PER_PRODUCER)
            ]
            start.wait()
            sequence_numbers[producer] = put_all(clients[producer], stream, items, partition_key=f"p{producer}")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=produce, args=(producer,)) for producer in range(PRODUCERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    read = [json.loads(data) for data in data_of(read_all(endpoint.client("kinesis"), stream))]
    return {
        "acknowledged": sum(map(len, sequence_numbers)),
        "distinct sequence numbers": len({n for each in sequence_numbers for n in each}),
        "read": read,
        "producer switches": sum(1 for before, after in pairwise(read) if before["p"] != after["p"]),
    }


def lost_and_disordered(outcome: dict[str, Any]) -> tuple[int, list[int], int]:
    """Records lost, producers whose records came back out of order, batches not kept contiguous."""
    read = outcome["read"]
    disordered = [
        producer
        for producer in range(PRODUCERS)
        if [each["i"] for each in read if each["p"] == producer] != list(range(RECORDS_PER_PRODUCER))
    ]
    # a run is a stretch of records of one batch of one producer; a contiguous batch is one run
    runs = len(read[:1]) + sum(
        1 for before, after in pairwise(read) if (before["p"], before["b"]) != (after["p"], after["b"])
    )
    batches = PRODUCERS * RECORDS_PER_PRODUCER // 500
    return PRODUCERS * RECORDS_PER_PRODUCER - len(read), disordered, runs - batches


def test_concurrent_producers_lose_nothing(endpoint):
    outcome = produce_concurrently(endpoint, "concurrent-producers")
    assert outcome["producer switches"] > PRODUCERS  # they did put at the same time: their batches interleave
    assert outcome["acknowledged"] == outcome["distinct sequence numbers"] == PRODUCERS * RECORDS_PER_PRODUCER
    assert lost_and_disordered(outcome) == (0, [], 0)


@pytest.mark.slow
def test_plain_moto_loses_records_of_concurrent_producers(plain_endpoint):
    outcome = produce_concurrently(plain_endpoint, "concurrent-producers")
    lost, _, _ = lost_and_disordered(outcome)
    assert lost > 0  # two puts got the same sequence number: one record overwrote the other
    assert outcome["distinct sequence numbers"] < outcome["acknowledged"]


# --- records_never_trimmed ------------------------------------------------------------------------


def expire_and_put_again(endpoint: Endpoint, stream: str, old: int = 1000) -> dict[str, Any]:
    """Put `old` records, move the endpoint clock past the 24 h retention, put 5 more."""
    client = endpoint.client("kinesis")
    create_stream(client, stream)
    put_all(client, stream, payloads("old", old))
    before = stored(endpoint, stream)[SHARD]
    endpoint.control("clock", {"advance_seconds": DAY_SECONDS + 60})
    put_all(client, stream, payloads("new", 5))
    endpoint_now = endpoint.control("clock")["now"]
    trim_horizon = read_all(client, stream)
    shard = client.describe_stream(StreamName=stream)["StreamDescription"]["Shards"][0]
    return {
        "stored before": before,
        "stored after": stored(endpoint, stream)[SHARD],
        "TRIM_HORIZON": data_of(trim_horizon),
        "AT_SEQUENCE_NUMBER 1": data_of(
            read_all(client, stream, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="1")
        ),
        "arrival behind the endpoint clock (s)": endpoint_now
        - trim_horizon[-1]["ApproximateArrivalTimestamp"].timestamp(),
        "StartingSequenceNumber": shard["SequenceNumberRange"]["StartingSequenceNumber"],
    }


def test_records_past_retention_are_trimmed(tmp_path):
    with running_endpoint(tmp_path) as endpoint:
        outcome = expire_and_put_again(endpoint, "retention")
    new = [f"new-{index}" for index in range(5)]
    assert outcome["stored before"] == 1000
    assert outcome["stored after"] == 5  # memory is bounded: only the records within retention are held
    assert outcome["TRIM_HORIZON"] == new
    assert outcome["AT_SEQUENCE_NUMBER 1"] == new  # before the trim horizon: read from the oldest kept
    assert 0 <= outcome["arrival behind the endpoint clock (s)"] < 60  # arrival times follow the endpoint clock
    assert outcome["StartingSequenceNumber"] == "1"  # the shard's first sequence number, as on AWS


def test_plain_moto_keeps_records_past_retention(tmp_path):
    with running_endpoint(tmp_path, fidelity=False) as endpoint:
        outcome = expire_and_put_again(endpoint, "retention")
    assert outcome["stored after"] == 1005
    assert outcome["TRIM_HORIZON"][0] == "old-0"
    assert outcome["arrival behind the endpoint clock (s)"] > DAY_SECONDS  # wall-clock arrival times


def test_retention_period_changes_are_honoured(tmp_path):
    with running_endpoint(tmp_path) as endpoint:
        client = endpoint.client("kinesis")
        create_stream(client, "retention-48h")
        client.increase_stream_retention_period(StreamName="retention-48h", RetentionPeriodHours=48)
        put_all(client, "retention-48h", payloads("old", 100))
        endpoint.control("clock", {"advance_seconds": DAY_SECONDS + 3600})
        put_all(client, "retention-48h", payloads("new", 5))
        assert stored(endpoint, "retention-48h") == {SHARD: 105}  # 25 h old, kept for 48 h
        client.decrease_stream_retention_period(StreamName="retention-48h", RetentionPeriodHours=24)
        put_all(client, "retention-48h", payloads("newer", 1))
        assert stored(endpoint, "retention-48h") == {SHARD: 6}
        assert data_of(read_all(client, "retention-48h"))[0] == "new-0"


def fill_past_the_cap(endpoint: Endpoint, stream: str) -> dict[str, Any]:
    """With max_records_per_shard 1000, put 2,500 records; then lower the cap to 500 and put one more."""
    client = endpoint.client("kinesis")
    create_stream(client, stream)
    put_all(client, stream, payloads("r", 2500))
    outcome: dict[str, Any] = {"stored": stored(endpoint, stream)[SHARD]}
    trim_horizon = read_all(client, stream)
    outcome["TRIM_HORIZON first"] = trim_horizon[0]["SequenceNumber"]
    outcome["TRIM_HORIZON count"] = len(trim_horizon)
    outcome["AT_SEQUENCE_NUMBER 1 first"] = read_all(
        client, stream, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="1"
    )[0]["SequenceNumber"]
    endpoint.control("settings", {"max_records_per_shard": 500})
    put_all(client, stream, payloads("s", 1))
    outcome["stored after lowering the cap"] = stored(endpoint, stream)[SHARD]
    return outcome


def test_records_beyond_the_cap_are_dropped_oldest_first(tmp_path):
    with running_endpoint(tmp_path, max_records_per_shard=1000) as endpoint:
        outcome = fill_past_the_cap(endpoint, "capped")
    assert outcome == {
        "stored": 1000,
        "TRIM_HORIZON first": "1501",
        "TRIM_HORIZON count": 1000,
        "AT_SEQUENCE_NUMBER 1 first": "1501",
        "stored after lowering the cap": 500,
    }


def test_plain_moto_ignores_the_cap(tmp_path):
    with running_endpoint(tmp_path, fidelity=False, max_records_per_shard=1000) as endpoint:
        outcome = fill_past_the_cap(endpoint, "capped")
    assert outcome["stored"] == 2500 and outcome["TRIM_HORIZON first"] == "1"
    assert outcome["stored after lowering the cap"] == 2501


def test_at_timestamp_reads_from_arrival_on_the_endpoint_clock(tmp_path):
    with running_endpoint(tmp_path) as endpoint:
        client = endpoint.client("kinesis")
        create_stream(client, "at-timestamp")
        put_all(client, "at-timestamp", payloads("a", 10))
        endpoint.control("clock", {"advance_seconds": 3600})
        hour_later = endpoint.control("clock")["now"]
        put_all(client, "at-timestamp", payloads("b", 10))

        def at(timestamp: float) -> list[str]:
            return data_of(read_all(client, "at-timestamp", ShardIteratorType="AT_TIMESTAMP", Timestamp=timestamp))

        assert at(hour_later) == payloads_text("b", 10)
        assert at(hour_later - 7200) == payloads_text("a", 10) + payloads_text("b", 10)
        assert at(hour_later + 600) == []
        # 24.5 h after the a's, 23.5 h after the b's: the a's are trimmed, the b's are not
        endpoint.control("clock", {"advance_seconds": DAY_SECONDS - 1800})
        put_all(client, "at-timestamp", payloads("c", 10))
        assert at(hour_later - 7200) == payloads_text("b", 10) + payloads_text("c", 10)
        assert at(hour_later + 60) == payloads_text("c", 10)


def payloads_text(tag: str, count: int) -> list[str]:
    return [each.decode() for each in payloads(tag, count)]


# --- what must keep working as moto had it ---------------------------------------------------------


def reshard(endpoint: Endpoint, stream: str) -> dict[str, Any]:
    """Split, merge and update the shard count around puts; then describe every shard and read it."""
    client = endpoint.client("kinesis")
    create_stream(client, stream, shards=2)
    keys = [f"unicorn-{index}" for index in range(40)]
    landed: dict[str, set[str]] = {}
    open_when_put: dict[str, set[str]] = {}

    def put(tag: str) -> None:
        open_when_put[tag] = {
            shard["ShardId"]
            for shard in client.list_shards(StreamName=stream)["Shards"]
            if "EndingSequenceNumber" not in shard["SequenceNumberRange"]
        }
        reply = client.put_records(
            StreamName=stream, Records=[{"Data": f"{tag}-{key}".encode(), "PartitionKey": key} for key in keys]
        )
        landed[tag] = {entry["ShardId"] for entry in reply["Records"]}

    put("first")
    first = client.list_shards(StreamName=stream)["Shards"][0]
    middle = (int(first["HashKeyRange"]["StartingHashKey"]) + int(first["HashKeyRange"]["EndingHashKey"])) // 2
    client.split_shard(StreamName=stream, ShardToSplit=SHARD, NewStartingHashKey=str(middle))
    put("after-split")
    client.merge_shards(
        StreamName=stream, ShardToMerge="shardId-000000000002", AdjacentShardToMerge="shardId-000000000003"
    )
    put("after-merge")
    client.update_shard_count(StreamName=stream, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    put("after-scale-up")
    client.update_shard_count(StreamName=stream, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    put("after-scale-down")
    shards = client.list_shards(StreamName=stream)["Shards"]
    return {
        "shards": shards,
        "described": client.describe_stream(StreamName=stream)["StreamDescription"]["Shards"],
        "records": {
            shard["ShardId"]: [(r["SequenceNumber"], r["Data"]) for r in read_all(client, stream, shard["ShardId"])]
            for shard in shards
        },
        "landed": landed,
        "open when put": open_when_put,
        "put": {f"{tag}-{key}".encode() for tag in landed for key in keys},
    }


def test_resharding_keeps_every_record_once_in_open_shards(endpoint):
    """Was test_resharding_works_as_in_moto (ours == plain moto): see reshard_leaves_puts_on_closed_parents."""
    ours = reshard(endpoint, "resharded")
    read = [data for records in ours["records"].values() for _, data in records]
    assert len(ours["shards"]) > 4 and ours["described"] == ours["shards"]
    assert len(read) == len(set(read)) == 200 and set(read) == ours["put"]
    assert all(ours["landed"][tag] <= ours["open when put"][tag] for tag in ours["landed"])
    open_shards = [s for s in ours["shards"] if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
    assert len(open_shards) == 2


def test_plain_moto_resharding_puts_to_closed_parents(plain_endpoint):
    theirs = reshard(plain_endpoint, "resharded")
    closed_when_put = {tag: theirs["landed"][tag] - theirs["open when put"][tag] for tag in theirs["landed"]}
    assert closed_when_put["after-split"] == {SHARD}  # the split parent, closed, still takes the puts
    assert all(closed_when_put[tag] for tag in ("after-split", "after-merge", "after-scale-up", "after-scale-down"))


def ordinary_session(endpoint: Endpoint, stream: str) -> dict[str, Any]:
    """The calls the workshop makes, and moto's validation, normalised for comparison."""
    client = endpoint.client("kinesis")
    create_stream(client, stream)
    outcome: dict[str, Any] = {}
    outcome["PutRecord"] = client.put_record(StreamName=stream, Data=b"one", PartitionKey="k")["SequenceNumber"]
    outcome["PutRecords"] = put_all(client, stream, payloads("batch", 20))
    latest = client.get_shard_iterator(StreamName=stream, ShardId=SHARD, ShardIteratorType="LATEST")
    page = client.get_records(
        ShardIterator=client.get_shard_iterator(StreamName=stream, ShardId=SHARD, ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ],
        Limit=3,
    )
    outcome["page"] = data_of(page["Records"])
    outcome["next page"] = data_of(client.get_records(ShardIterator=page["NextShardIterator"], Limit=3)["Records"])
    outcome["AT_SEQUENCE_NUMBER 5"] = data_of(
        read_all(client, stream, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="5")
    )
    outcome["AFTER_SEQUENCE_NUMBER 5"] = data_of(
        read_all(client, stream, ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber="5")
    )
    put_all(client, stream, payloads("later", 2))
    outcome["LATEST"] = data_of(client.get_records(ShardIterator=latest["ShardIterator"])["Records"])
    outcome["describe"] = client.describe_stream(StreamName=stream)["StreamDescription"]["Shards"]
    errors = {}
    for name, records in {
        "501 records": [{"Data": b"x", "PartitionKey": "k"}] * 501,
        "a record over 1 MiB": [{"Data": b"x" * (1024 * 1024 + 1), "PartitionKey": "k"}],
        "over 5 MiB in all": [{"Data": b"x" * (1024 * 1024 - 10), "PartitionKey": "k"}] * 6,
    }.items():
        with pytest.raises(ClientError) as raised:
            client.put_records(StreamName=stream, Records=records)
        errors[name] = raised.value.response["Error"]["Code"]
    outcome["errors"] = errors
    metrics = endpoint.client("cloudwatch").list_metrics(
        Namespace="AWS/Kinesis", Dimensions=[{"Name": "StreamName", "Value": stream}]
    )["Metrics"]
    outcome["metrics"] = sorted({metric["MetricName"] for metric in metrics})
    return outcome


def test_ordinary_calls_answer_as_moto_does(endpoint, plain_endpoint):
    ours = ordinary_session(endpoint, "ordinary")
    assert ours["PutRecord"] == "1" and ours["PutRecords"] == [str(n) for n in range(2, 22)]
    assert ours["LATEST"] == ["later-0", "later-1"]
    put_success = [
        "PutRecord.Success",
        "PutRecords.FailedRecords",
        "PutRecords.SuccessfulRecords",
        "PutRecords.TotalRecords",
    ]
    assert ours["metrics"] == ["IncomingBytes", "IncomingRecords", *put_success]
    plain = ordinary_session(plain_endpoint, "ordinary")
    # The put success metrics are the CloudWatch fix kinesis_put_success_metrics_missing (test_fidelity_cloudwatch.py).
    assert plain["metrics"] == ["IncomingBytes", "IncomingRecords"]
    assert {**ours, "metrics": None} == {**plain, "metrics": None}


def test_get_records_without_limit_returns_at_most_10000(endpoint):
    client = endpoint.client("kinesis")
    create_stream(client, "no-limit")
    put_all(client, "no-limit", payloads("r", 10_500))
    iterator = client.get_shard_iterator(StreamName="no-limit", ShardId=SHARD, ShardIteratorType="TRIM_HORIZON")
    first = client.get_records(ShardIterator=iterator["ShardIterator"])
    second = client.get_records(ShardIterator=first["NextShardIterator"])
    assert (len(first["Records"]), len(second["Records"])) == (10_000, 500)
    assert second["Records"][-1]["SequenceNumber"] == "10500"
