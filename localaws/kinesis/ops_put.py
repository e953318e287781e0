"""Writing records: PutRecord and PutRecords."""

import hashlib
from typing import Any

from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.kinesis.core import Core
from localaws.kinesis.limits import MIB
from localaws.kinesis.messages import (
    invalid_argument,
    rate_exceeded,
    stream_not_found,
    throughput_exceeded,
)
from localaws.kinesis.model import MAX_HASH_KEY, Shard, Stream
from localaws.kinesis.records import ARRIVAL, ENCRYPTED, INDEX
from localaws.kinesis.sequence import decode

# Today's PutRecords documentation (botocore's model): up to 10 MiB for the whole request, partition keys included.
PUT_RECORDS_MAX_BYTES = 10 * MIB
INTERNAL_FAILURE_MESSAGE = "Internal service failure."


# Producers reuse a handful of partition keys (a unicorn's name): their MD5 hashes are remembered, up to a bound.
_HASHES: dict[str, int] = {}
_HASHES_KEPT = 100_000


def _hash_key(partition_key: str, explicit: str | None) -> int:
    if explicit is None:
        hashed = _HASHES.get(partition_key)
        if hashed is None:
            if len(_HASHES) >= _HASHES_KEPT:
                _HASHES.clear()
            hashed = _HASHES[partition_key] = int.from_bytes(hashlib.md5(partition_key.encode()).digest(), "big")
        return hashed
    value = int(explicit) if explicit.isascii() and explicit.isdigit() else -1
    if not 0 <= value <= MAX_HASH_KEY:
        raise invalid_argument(
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            f"Specified value was {explicit}"
        )
    return value


def _key_bytes(partition_key: str) -> int:
    return len(partition_key) if partition_key.isascii() else len(partition_key.encode())


def _too_big(where: str, size: int, limit: int) -> AwsError:
    return AwsError(
        "ValidationException",
        f"1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim={size} cap={size}]' at '{where}' "
        f"failed to satisfy constraint: Member must have length less than or equal to {limit}",
    )


def _writable(stream: Stream) -> None:
    # A stream still CREATING has no shards to write to: AWS answers as if it did not exist yet.
    if not stream.shards_visible:
        raise stream_not_found(stream.name, stream.account_id)


def _missing_key(where: str) -> AwsError:
    return AwsError(
        "ValidationException",
        f"1 validation error detected: Value null at '{where}' failed to satisfy constraint: Member must not be null",
    )


def put_record(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    data: bytes = params["Data"]
    partition_key: str = params.get("PartitionKey") or ""
    hash_key = _hash_key(partition_key, params.get("ExplicitHashKey"))
    size = len(data) + _key_bytes(partition_key)
    settings = core.settings
    now = core.now()
    with core.held(ctx, params, now) as stream:
        ordering = params.get("SequenceNumberForOrdering")
        if ordering is not None and decode(ordering) is None:
            raise invalid_argument(
                f"ExclusiveMinimumSequenceNumber {ordering} used in PutRecord on stream {stream.name} under account "
                f"{stream.account_id} is invalid."
            )
        _writable(stream)
        auto = stream.distribution == "AUTO"
        if not auto and "PartitionKey" not in params:
            raise _missing_key("partitionKey")
        limit = stream.max_record_size_kib * 1024
        if size > limit:
            raise _too_big("data", size, limit)
        shard = stream.spread() if auto else stream.route(hash_key, int(now))
        limited = settings.kinesis_limits and stream.mode == "PROVISIONED"
        if core.faults.chance(settings.inject_throttle) or (limited and not core.shard_limits(shard).admit_write(size)):
            core.publish(stream, {"WriteProvisionedThroughputExceeded": (1, "Count")}, now)
            raise throughput_exceeded(shard.id, stream.name, stream.account_id)
        stream.counter += 1
        record = shard.log.append(stream.counter, now, data, partition_key, stream.encryption_type == "KMS")
        sequence = shard.record_sequence_number(record[INDEX], record[ARRIVAL])
        stream.trim_shard(shard, now, settings.max_records_per_shard)
        stream.trim_all(now, core.monotonic(), settings.max_records_per_shard)
        encrypted = record[ENCRYPTED]
    core.publish(
        stream,
        {
            "IncomingRecords": (1, "Count"),
            "IncomingBytes": (size, "Bytes"),
            "PutRecord.Success": (1, "Count"),
            "PutRecord.Bytes": (size, "Bytes"),
        },
        now,
    )
    reply = {"ShardId": shard.id, "SequenceNumber": sequence}
    if encrypted:
        reply["EncryptionType"] = "KMS"
    return reply


def put_records(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    entries: list[dict[str, Any]] = params["Records"]
    if not entries:  # the model's minimum, should a caller get past the front door's check
        raise AwsError(
            "ValidationException",
            "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
        )
    keys = [entry.get("PartitionKey") or "" for entry in entries]
    hash_keys = [_hash_key(key, entry.get("ExplicitHashKey")) for key, entry in zip(keys, entries, strict=True)]
    sizes = [len(entry["Data"]) + _key_bytes(key) for key, entry in zip(keys, entries, strict=True)]
    total = sum(sizes)
    if total > PUT_RECORDS_MAX_BYTES:
        raise invalid_argument(f"Records size exceeds {PUT_RECORDS_MAX_BYTES // MIB} MB limit")
    settings = core.settings
    now = core.now()
    results: list[dict[str, Any]] = []
    with core.held(ctx, params, now) as stream:
        _writable(stream)
        limit = stream.max_record_size_kib * 1024
        for position, size in enumerate(sizes, 1):
            if size > limit:
                raise _too_big(f"records.{position}.member.data", size, limit)
        second = int(now)
        if stream.distribution == "AUTO":
            routes = [stream.open[(stream.counter + 1 + slot) % len(stream.open)] for slot in range(len(entries))]
        else:
            for position, entry in enumerate(entries, 1):
                if "PartitionKey" not in entry:
                    raise _missing_key(f"records.{position}.member.partitionKey")
            routes = [stream.route(hash_key, second) for hash_key in hash_keys]
        failures: list[dict[str, str] | None] = [None] * len(entries)
        limited = settings.kinesis_limits and stream.mode == "PROVISIONED"
        failing = settings.inject_put_failures
        if limited or failing > 0:
            for slot, shard in enumerate(routes):
                code = core.faults.entry_failure(failing)
                if code is None and limited and not core.shard_limits(shard).admit_write(sizes[slot]):
                    code = "ProvisionedThroughputExceededException"
                if code == "InternalFailure":
                    failures[slot] = {"ErrorCode": code, "ErrorMessage": INTERNAL_FAILURE_MESSAGE}
                elif code is not None:
                    failures[slot] = {
                        "ErrorCode": code,
                        "ErrorMessage": rate_exceeded(shard.id, stream.name, stream.account_id),
                    }
        # A batch's records are numbered shard by shard, each shard's in request order (as AWS numbers them).
        first = routes[0]
        order = (
            range(len(entries))
            if all(shard is first for shard in routes)
            else sorted(range(len(entries)), key=lambda slot: routes[slot].index)
        )
        encrypted = stream.encryption_type == "KMS"
        numbers: list[str | None] = [None] * len(entries)
        touched: set[Shard] = set()
        for slot in order:
            if failures[slot] is not None:
                continue
            shard = routes[slot]
            entry = entries[slot]
            stream.counter += 1
            record = shard.log.append(stream.counter, now, entry["Data"], keys[slot], encrypted)
            numbers[slot] = shard.record_sequence_number(record[INDEX], record[ARRIVAL])
            touched.add(shard)
        for shard in touched:
            stream.trim_shard(shard, now, settings.max_records_per_shard)
        stream.trim_all(now, core.monotonic(), settings.max_records_per_shard)
    stored_bytes = 0
    for slot, number in enumerate(numbers):
        failure = failures[slot]
        if failure is not None:
            results.append(failure)
        else:
            results.append({"SequenceNumber": number, "ShardId": routes[slot].id})
            stored_bytes += sizes[slot]
    failed = sum(1 for failure in failures if failure is not None)
    throttled = sum(
        1
        for failure in failures
        if failure is not None and failure["ErrorCode"] == "ProvisionedThroughputExceededException"
    )
    succeeded = len(entries) - failed
    core.publish(
        stream,
        {
            "IncomingRecords": (succeeded, "Count"),
            "IncomingBytes": (stored_bytes, "Bytes"),
            "PutRecords.TotalRecords": (len(entries), "Count"),
            "PutRecords.SuccessfulRecords": (succeeded, "Count"),
            "PutRecords.FailedRecords": (failed, "Count"),
            "PutRecords.Bytes": (stored_bytes, "Bytes"),
            "PutRecords.ThrottledRecords": (throttled, "Count"),
            "PutRecords.Success": (1, "Count"),
            **({"WriteProvisionedThroughputExceeded": (throttled, "Count")} if throttled else {}),
        },
        now,
    )
    reply: dict[str, Any] = {"FailedRecordCount": failed, "Records": results}
    if encrypted:
        reply["EncryptionType"] = "KMS"
    return reply
