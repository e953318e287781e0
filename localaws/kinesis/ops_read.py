"""Reading records: GetShardIterator and GetRecords."""

from typing import Any

from localaws.context import RequestContext
from localaws.kinesis.core import Core
from localaws.kinesis.iterators import Position
from localaws.kinesis.limits import MIB
from localaws.kinesis.messages import (
    INVALID_ITERATOR,
    could_not_find_shard,
    invalid_argument,
    iterator_expired,
    shard_not_found,
    throughput_exceeded,
)
from localaws.kinesis.model import Shard, Stream
from localaws.kinesis.records import ARRIVAL, INDEX
from localaws.kinesis.resolve import caller_account, parse_stream_arn, stream_arn, stream_ref
from localaws.kinesis.sequence import decode, shard_id, shard_index

ITERATOR_LIFETIME_SECONDS = 300
# Numbers below this are read in AWS's oldest sequence number format.
OLD_FORMAT_LIMIT = 2**124
DEFAULT_GET_RECORDS_LIMIT = 10_000
GET_RECORDS_MAX_BYTES = 10 * MIB


_NEEDS_NUMBER = ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")


def _check_iterator_arguments(kind: str, number: str | None, timestamp: float | None, now: float) -> None:
    if kind in _NEEDS_NUMBER and number is None:
        raise invalid_argument(
            "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "
            "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
            f"Request specified {kind} and no StartingSequenceNumber."
        )
    if kind not in _NEEDS_NUMBER and number is not None:
        raise invalid_argument(
            "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "
            "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
            f"Request specified {kind} and also a StartingSequenceNumber."
        )
    if kind == "AT_TIMESTAMP":
        if timestamp is None:
            raise invalid_argument(
                "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                "Current request has no timestamp parameter."
            )
        if timestamp > now:
            raise invalid_argument(
                "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
                f"timestampInMillis: {int(timestamp * 1000)}, currentTimestampInMillis: {int(now * 1000)}"
            )


def _start_position(stream: Stream, shard: Shard, kind: str, number: str | None, timestamp: float | None) -> int:
    """The index of the last record before where the iterator starts reading."""
    if kind == "TRIM_HORIZON":
        return -1
    if kind == "LATEST":
        return stream.counter
    if kind == "AT_TIMESTAMP":
        assert timestamp is not None
        log = shard.log
        slot = log.position_at_time(timestamp)
        return log.at(slot)[INDEX] - 1 if slot < log.end() else stream.counter
    assert number is not None
    decoded = decode(number)
    value = int(number) if number.isascii() and number.isdigit() and len(number) <= 130 else None
    if decoded is None and value is not None and value < OLD_FORMAT_LIMIT and value & 0xFFFF != shard.index:
        # Numbers below 2^124 are read as AWS's oldest format, whose low 16 bits name a shard (kinesalite's
        # getShardIterator test: '5' "encodes shardId-000000000005").
        raise invalid_argument(
            f"Invalid StartingSequenceNumber. It encodes {shard_id(value & 0xFFFF)}, while it was used in a "
            f"call to a shard with {shard.id}"
        )
    if decoded is None:
        raise invalid_argument(
            f"StartingSequenceNumber {number} used in GetShardIterator on shard {shard.id} in stream {stream.name} "
            f"under account {stream.account_id} is invalid."
        )
    if decoded.shard_index != shard.index:
        raise invalid_argument(
            f"Invalid StartingSequenceNumber. It encodes {shard_id(decoded.shard_index)}, while it was used in a call "
            f"to a shard with {shard.id}"
        )
    return decoded.index - 1 if kind == "AT_SEQUENCE_NUMBER" else decoded.index


def get_shard_iterator(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    ref = stream_ref(ctx, params)
    assert ref is not None
    index = shard_index(params["ShardId"])
    if index is None:
        raise could_not_find_shard(params["ShardId"], ref.name, ref.account_id)
    kind = params["ShardIteratorType"]
    number = params.get("StartingSequenceNumber")
    timestamp = params.get("Timestamp")
    now = core.now()
    stream = core.region_of(ref).get(ref.name, now)
    if stream is None:
        raise shard_not_found(shard_id(index), ref.name, ref.account_id)
    with stream.lock:
        stream.settle(now)
        shard = stream.shard(index) if stream.shards_visible else None
        if shard is None or stream.gone(now):
            raise shard_not_found(shard_id(index), ref.name, ref.account_id)
        _check_iterator_arguments(kind, number, timestamp, now)
        stream.trim_shard(shard, now, core.settings.max_records_per_shard)
        position = _start_position(stream, shard, kind, number, timestamp)
        created_at = stream.created_at
    where = Position(ref.account_id, ref.region, ref.name, created_at, index, position, now)
    return {"ShardIterator": core.codec.seal(where)}


def iterator_position(core: Core, ctx: RequestContext, params: dict[str, Any]) -> Position:
    """The verified position of a GetRecords request's iterator: the one resolver of what it reads (authorization
    uses it too). A StreamARN given beside it must name the iterator's stream."""
    where = core.codec.open(params["ShardIterator"])
    if where is None:
        raise invalid_argument(INVALID_ITERATOR)
    arn = stream_arn(where.account_id, where.region, where.stream_name)
    if where.account_id != caller_account(ctx) or where.region != ctx.region:
        parse_stream_arn(ctx, arn)  # refuses as for a StreamARN of another account or region
    given = params.get("StreamARN")
    if given and given != arn:
        raise invalid_argument(f"StreamARN {given} is not the stream of the given ShardIterator.")  # wording ours
    return where


def _child_shards(stream: Stream, shard: Shard) -> list[dict[str, Any]]:
    children = [each for each in stream.shards if shard.id in (each.parent, each.adjacent_parent)]
    return [
        {
            "ShardId": child.id,
            "ParentShards": [parent for parent in (child.parent, child.adjacent_parent) if parent],
            "HashKeyRange": {"StartingHashKey": str(child.start), "EndingHashKey": str(child.end)},
        }
        for child in children
    ]


def get_records(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    where = iterator_position(core, ctx, params)
    now = core.now()
    if now - where.issued_at > ITERATOR_LIFETIME_SECONDS:
        raise iterator_expired(where.issued_at, now)
    limit = params.get("Limit") or DEFAULT_GET_RECORDS_LIMIT
    settings = core.settings
    stream = core.registry.region(where.account_id, where.region).get(where.stream_name, now)
    missing = shard_not_found(shard_id(where.shard_index), where.stream_name, where.account_id)
    if stream is None or stream.created_at != where.stream_created_at:
        raise missing
    with stream.lock:
        stream.settle(now)
        shard = stream.shard(where.shard_index)
        if shard is None or stream.gone(now):
            raise missing
        limited = settings.kinesis_limits and stream.mode == "PROVISIONED"
        if core.faults.chance(settings.inject_throttle) or (limited and not core.shard_limits(shard).admit_read()):
            core.publish(stream, {"ReadProvisionedThroughputExceeded": (1, "Count")}, now)
            raise throughput_exceeded(shard.id, stream.name, stream.account_id)
        stream.trim_shard(shard, now, settings.max_records_per_shard)
        log = shard.log
        slot = log.position_after(where.position)
        found = log.read(slot, limit)
        records: list[dict[str, Any]] = []
        read_bytes = 0
        base = shard.base
        for index, arrival, data, partition_key, encrypted in found:
            size = len(data) + len(partition_key)
            if records and read_bytes + size > GET_RECORDS_MAX_BYTES:
                break
            read_bytes += size
            item: dict[str, Any] = {
                "SequenceNumber": str(base | index << 80 | (int(arrival) & 0xFFFFFFFF) << 36),
                "ApproximateArrivalTimestamp": arrival,
                "Data": data,
                "PartitionKey": partition_key,
            }
            if encrypted:
                item["EncryptionType"] = "KMS"
            records.append(item)
        next_slot = max(slot, log.end() - len(log)) + len(records)
        last = found[len(records) - 1][INDEX] if records else where.position
        remaining = next_slot < log.end()
        behind = int(max(0.0, now - log.at(next_slot)[ARRIVAL]) * 1000) if remaining else 0
        reply: dict[str, Any] = {"Records": records, "MillisBehindLatest": behind}
        # A closed shard ends (no NextShardIterator, its children named) on the first call that finds nothing
        # more in it once nothing more can arrive; a call that still returned records gives one more iterator.
        if records or remaining or not shard.finished(int(now)):
            moved = Position(
                where.account_id, where.region, where.stream_name, where.stream_created_at, shard.index, last, now
            )
            reply["NextShardIterator"] = core.codec.seal(moved)
        else:
            reply["ChildShards"] = _child_shards(stream, shard)
        if limited:
            core.shard_limits(shard).charge_read(read_bytes)
    core.publish(
        stream,
        {
            "GetRecords.Success": (1, "Count"),
            "GetRecords.Records": (len(records), "Count"),
            "GetRecords.Bytes": (read_bytes, "Bytes"),
            "GetRecords.IteratorAgeMilliseconds": (behind, "Milliseconds"),
        },
        now,
    )
    return reply
