"""The enhanced fan-out reader (simulator/efo.py) over HTTP against a real endpoint whose subscriptions last 1.5 s:
every record once and in order across renewals, resharding followed parents first, consumers registered and
deregistered as they should be."""

import threading
import time
from collections.abc import Iterator

import pytest

from simulator.efo import EfoReader
from simulator.errors import UserError
from simulator.reader import StartPosition
from tests.conftest import Endpoint
from tests.simulator.test_consume_efo_support import LIFETIME, consumers, efo_endpoint, make_stream


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    with efo_endpoint(tmp_path_factory.mktemp("efo-endpoint")) as running:
        yield running


def put_in_rounds(kinesis, stream: str, keys: list[str], rounds: int, pause: float, then=None) -> None:
    """Round n puts `key:n` for every key, one PutRecords a round; `then(n)` after round n."""
    for n in range(rounds):
        kinesis.put_records(
            StreamName=stream, Records=[{"Data": f"{key}:{n:04d}".encode(), "PartitionKey": key} for key in keys]
        )
        if then:
            then(n)
        time.sleep(pause)


def read_while(reader: EfoReader, until: float, stop_after: int) -> list[tuple[str, str, str]]:
    """(shard, sequence number, data) of each record, until `until` or `stop_after` records."""
    seen: list[tuple[str, str, str]] = []
    for batch in reader.batches(deadline=until):
        seen.extend((r.shard_id, r.sequence_number, r.data.decode()) for r in batch.records)
        if len(seen) >= stop_after:
            break
    return seen


def assert_each_key_once_in_order(seen: list[tuple[str, str, str]], keys: list[str], rounds: int) -> None:
    by_key: dict[str, list[str]] = {}
    for _, _, data in seen:
        key, n = data.split(":")
        by_key.setdefault(key, []).append(n)
    assert by_key == {key: [f"{n:04d}" for n in range(rounds)] for key in keys}


def test_every_record_once_and_in_order_across_renewals(endpoint):
    kinesis = endpoint.client("kinesis")
    arn = make_stream(kinesis, "renewals", shards=2)
    reader = EfoReader(
        endpoint.client("kinesis"), "renewals", StartPosition("TRIM_HORIZON"), consumer_name="renewals-reader"
    )
    keys = [f"unicorn-{n}" for n in range(6)]
    rounds = 40
    seen: list[tuple[str, str, str]] = []
    thread = threading.Thread(target=lambda: seen.extend(read_while(reader, time.monotonic() + 60, 6 * rounds)))
    thread.start()
    try:
        put_in_rounds(kinesis, "renewals", keys, rounds, pause=0.15)  # 6 s: several 1.5 s subscriptions per shard
        thread.join(timeout=60)
    finally:
        reader.close()
    assert_each_key_once_in_order(seen, keys, rounds)
    # Two shards, each renewed at every end of its 1.5 s subscriptions while the records came.
    assert reader.stats.calls >= 2 * (6 / LIFETIME - 1), reader.stats.calls
    assert len({shard for shard, _, _ in seen}) == 2
    assert reader.repeats_dropped == 0  # each renewal started right after the last record: none came twice
    assert consumers(kinesis, arn) == {}  # it registered the consumer, so it deregistered it


def test_resharding_mid_run_is_followed_parent_first(endpoint):
    kinesis = endpoint.client("kinesis")
    make_stream(kinesis, "reshard", shards=1)
    reader = EfoReader(endpoint.client("kinesis"), "reshard", StartPosition("LATEST"), consumer_name="reshard-reader")
    keys = [f"unicorn-{n}" for n in range(8)]
    rounds = 30
    seen: list[tuple[str, str, str]] = []
    thread = threading.Thread(target=lambda: seen.extend(read_while(reader, time.monotonic() + 60, 8 * rounds)))
    thread.start()
    time.sleep(1.5)  # the LATEST subscription is in place

    def reshard(n: int) -> None:
        if n == 10:
            kinesis.update_shard_count(StreamName="reshard", TargetShardCount=2, ScalingType="UNIFORM_SCALING")

    try:
        put_in_rounds(kinesis, "reshard", keys, rounds, pause=0.15, then=reshard)
        thread.join(timeout=60)
    finally:
        reader.close()
    assert_each_key_once_in_order(seen, keys, rounds)
    shards = [shard for shard, _, _ in seen]
    parent = shards[0]
    children = set(shards) - {parent}
    assert len(children) == 2, set(shards)
    last_of_parent = max(i for i, shard in enumerate(shards) if shard == parent)
    first_of_children = min(i for i, shard in enumerate(shards) if shard in children)
    assert last_of_parent < first_of_children


def test_a_consumer_found_registered_is_used_and_left_registered(endpoint):
    kinesis = endpoint.client("kinesis")
    arn = make_stream(kinesis, "reuse", shards=1)
    kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="instructors")
    reader = EfoReader(endpoint.client("kinesis"), "reuse", StartPosition("TRIM_HORIZON"), consumer_name="instructors")
    kinesis.put_record(StreamName="reuse", Data=b"one", PartitionKey="a")
    try:
        seen = read_while(reader, time.monotonic() + 20, 1)  # it waited for CREATING to end
    finally:
        reader.close()
    assert [data for _, _, data in seen] == ["one"]
    assert reader.consumer is not None and not reader.consumer.ours
    assert consumers(kinesis, arn) == {"instructors": "ACTIVE"}


def test_an_unknown_stream_is_one_line(endpoint):
    reader = EfoReader(endpoint.client("kinesis"), "no-such-stream", consumer_name="x")
    with pytest.raises(UserError, match="stream 'no-such-stream' not found"):
        next(reader.batches(deadline=time.monotonic() + 5))


@pytest.mark.parametrize("name", ["", "has space", "x" * 129, "ünïcode"])
def test_a_consumer_name_aws_would_refuse_is_refused_before_any_call(name):
    with pytest.raises(UserError, match="is not valid: 1 to 128 characters"):
        EfoReader(object(), "wildrydes", consumer_name=name)


def test_renewing_before_the_end_even_when_refused_as_too_early_loses_and_repeats_nothing(endpoint):
    """The reader renews a subscription after `renew_after` seconds (AWS: 290 of its 300); here after 1 s of the
    endpoint's 1.5, so some renewals come within the endpoint's resubscribe guard and are refused
    (ResourceInUseException): the reader backs off and subscribes again."""
    kinesis = endpoint.client("kinesis")
    make_stream(kinesis, "early", shards=1)
    reader = EfoReader(
        endpoint.client("kinesis"), "early", StartPosition("TRIM_HORIZON"), consumer_name="early", renew_after=1.0
    )
    keys = [f"unicorn-{n}" for n in range(3)]
    rounds = 40
    seen: list[tuple[str, str, str]] = []
    thread = threading.Thread(target=lambda: seen.extend(read_while(reader, time.monotonic() + 60, 3 * rounds)))
    thread.start()
    try:
        put_in_rounds(kinesis, "early", keys, rounds, pause=0.15)
        thread.join(timeout=60)
    finally:
        reader.close()
    assert_each_key_once_in_order(seen, keys, rounds)
    assert reader.stats.calls >= 3
    assert reader.repeats_dropped == 0


@pytest.mark.parametrize("removed", ["consumer", "stream"])
def test_a_consumer_or_stream_removed_while_reading_is_one_line(endpoint, removed):
    kinesis = endpoint.client("kinesis")
    stream = f"removed-{removed}"
    make_stream(kinesis, stream, shards=1)
    reader = EfoReader(endpoint.client("kinesis"), stream, StartPosition("TRIM_HORIZON"), consumer_name="doomed")
    kinesis.put_record(StreamName=stream, Data=b"before", PartitionKey="k")
    batches = reader.batches(deadline=time.monotonic() + 60)
    try:
        assert [r.data for r in next(batches).records] == [b"before"]  # subscribed and reading
        if removed == "consumer":
            kinesis.deregister_stream_consumer(ConsumerARN=reader.consumer.arn)
            expected = "consumer 'doomed' of stream 'removed-consumer' was deregistered while reading"
        else:
            kinesis.delete_stream(StreamName=stream, EnforceConsumerDeletion=True)
            expected = "stream 'removed-stream' was deleted while reading"
        with pytest.raises(UserError, match=expected) as problem:
            next(batches)
        assert problem.value.exit_code == 1 and "\n" not in str(problem.value)
    finally:
        reader.close()
