"""Stream life cycle and settings: create, delete, describe, list, retention, encryption, monitoring, mode."""

from typing import Any

from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.kinesis.core import Core
from localaws.kinesis.messages import already_exists, invalid_argument, not_active, shard_limit
from localaws.kinesis.model import ON_DEMAND_INITIAL_SHARDS, Stream
from localaws.kinesis.resolve import caller_account
from localaws.kinesis.sequence import shard_index
from localaws.kinesis.tags import check_tags

MIN_RETENTION_HOURS = 24
MAX_RETENTION_HOURS = 8760  # 365 days (IncreaseStreamRetentionPeriod's documentation)
SHARD_LEVEL_METRICS = [
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
]
MAX_STREAM_TAGS = 50


def create_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    account_id = caller_account(ctx)
    name = params["StreamName"]
    mode = (params.get("StreamModeDetails") or {}).get("StreamMode") or "PROVISIONED"
    count = params.get("ShardCount")
    if mode == "ON_DEMAND":
        count = ON_DEMAND_INITIAL_SHARDS
    elif count is None:
        raise invalid_argument("ShardCount must be given for a stream in PROVISIONED mode.")  # wording ours
    if count < 1:  # the model's minimum, should a caller get past the front door's check
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{count}' at 'shardCount' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1",
        )
    tags = params.get("Tags") or {}
    if tags:
        check_tags(tags, "add", name, account_id)
        if len(tags) > MAX_STREAM_TAGS:
            raise invalid_argument(
                f"Failed to create stream {name} under account {account_id} because a given stream cannot have "
                f"more than {MAX_STREAM_TAGS} tags associated with it."
            )
    now = core.now()
    region = core.registry.region(account_id, ctx.region)
    with region.lock:
        if region.get(name, now) is not None:
            raise already_exists(name, account_id)
        # The quota is checked before a single shard is made, so an absurd ShardCount costs nothing.
        current = region.shard_count(now)
        limit = core.settings.shard_quota_for(ctx.region)
        if current + count > limit:
            raise shard_limit(account_id, ctx.region, current, limit, count)
        stream = Stream(
            account_id,
            ctx.region,
            name,
            count,
            mode,
            now,
            core.transition(),
            tags,
            params.get("MaxRecordSizeInKiB") or 1024,
        )
        stream.distribution = _distribution(params.get("RecordDistributionStrategy"), mode)
        region.add(stream)


def _distribution(strategy: str | None, mode: str) -> str:
    if strategy == "AUTO" and mode != "ON_DEMAND":
        # The model's documentation: AUTO is only for on-demand streams (the wording is ours).
        raise invalid_argument("RecordDistributionStrategy AUTO is only supported for streams in ON_DEMAND mode.")
    return strategy or "USER_PARTITION_KEY"


def update_distribution(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    with core.held(ctx, params) as stream:
        core.require_active(stream)
        stream.distribution = _distribution(params["RecordDistributionStrategy"], stream.mode)


def delete_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    now = core.now()
    with core.held(ctx, params, now) as stream:
        if stream.status == "DELETING":
            # Asked again while it goes: nothing more to do (kinesalite's suite cleans up so against AWS).
            return
        if stream.status not in ("ACTIVE", "CREATING"):
            raise not_active(stream.name, stream.account_id, stream.status)
        live = [consumer for consumer in stream.consumers.values() if consumer.deleted_at is None]
        if live and not params.get("EnforceConsumerDeletion"):
            raise AwsError(
                "ResourceInUseException",
                f"Stream {stream.name} under account {stream.account_id} has registered consumers. "
                "Deregister them first, or call DeleteStream with EnforceConsumerDeletion.",  # wording ours
            )
        stream.begin_delete(now, core.transition())
        for consumer in live:
            consumer.status = "DELETING"
            consumer.deleted_at = stream.deleted_at


def _enhanced_monitoring(stream: Stream) -> list[dict[str, Any]]:
    return [{"ShardLevelMetrics": list(stream.shard_level_metrics)}]


def _common(stream: Stream) -> dict[str, Any]:
    description: dict[str, Any] = {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": stream.status,
        "StreamModeDetails": {"StreamMode": stream.mode},
        "RetentionPeriodHours": stream.retention_hours,
        "StreamCreationTimestamp": stream.created_at,
        "EnhancedMonitoring": _enhanced_monitoring(stream),
        "EncryptionType": stream.encryption_type,
    }
    if stream.key_id:
        description["KeyId"] = stream.key_id
    return description


def describe_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    now = core.now()
    limit = params.get("Limit") or 100
    start = params.get("ExclusiveStartShardId")
    with core.held(ctx, params, now) as stream:
        shards = stream.listed_shards(now)
        if start:
            after = shard_index(start)
            shards = [shard for shard in shards if after is None or shard.index > after]
        description = _common(stream)
        description["Shards"] = [shard.describe() for shard in shards[:limit]]
        description["HasMoreShards"] = len(shards) > limit
    return {"StreamDescription": description}


def describe_stream_summary(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    now = core.now()
    with core.held(ctx, params, now) as stream:
        summary = _common(stream)
        summary["OpenShardCount"] = len(stream.open) if stream.shards_visible else 0
        summary["ConsumerCount"] = sum(1 for consumer in stream.consumers.values() if consumer.deleted_at is None)
        summary["MaxRecordSizeInKiB"] = stream.max_record_size_kib
        summary["RecordDistributionStrategy"] = stream.distribution
    return {"StreamDescriptionSummary": summary}


def list_streams(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    now = core.now()
    limit = params.get("Limit") or 100
    after = params.get("ExclusiveStartStreamName") or params.get("NextToken")
    streams = core.registry.region(caller_account(ctx), ctx.region).streams(now)
    if after:
        streams = [stream for stream in streams if stream.name > after]
    page = streams[:limit]
    summaries = []
    for stream in page:
        with stream.lock:
            stream.settle(now)
            summaries.append(
                {
                    "StreamName": stream.name,
                    "StreamARN": stream.arn,
                    "StreamStatus": stream.status,
                    "StreamModeDetails": {"StreamMode": stream.mode},
                    "StreamCreationTimestamp": stream.created_at,
                }
            )
    reply: dict[str, Any] = {
        "StreamNames": [stream.name for stream in page],
        "HasMoreStreams": len(streams) > limit,
        "StreamSummaries": summaries,
    }
    if len(streams) > limit:
        reply["NextToken"] = page[-1].name
    return reply


def _retention(params: dict[str, Any]) -> int:
    hours = params["RetentionPeriodHours"]
    if hours < MIN_RETENTION_HOURS:
        raise invalid_argument(
            f"Minimum allowed retention period is {MIN_RETENTION_HOURS} hours. "
            f"Requested retention period ({hours} hours) is too short."
        )
    if hours > MAX_RETENTION_HOURS:
        raise invalid_argument(
            f"Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. "
            f"Requested retention period ({hours} hours) is too long."
        )
    return hours


def increase_retention(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    hours = _retention(params)
    now = core.now()
    with core.held(ctx, params, now) as stream:
        if hours < stream.retention_hours:
            raise invalid_argument(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not be shorter than "
                f"existing retention period ({stream.retention_hours} hours). Use DecreaseRetentionPeriod API."
            )
        core.require_active(stream)
        if hours != stream.retention_hours:
            stream.retention_hours = hours
            stream.begin_update(now, core.transition(), None)


def decrease_retention(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    hours = _retention(params)
    now = core.now()
    with core.held(ctx, params, now) as stream:
        if hours > stream.retention_hours:
            raise invalid_argument(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not be longer than "
                f"existing retention period ({stream.retention_hours} hours). Use IncreaseRetentionPeriod API."
            )
        core.require_active(stream)
        if hours != stream.retention_hours:
            stream.retention_hours = hours
            stream.begin_update(now, core.transition(), None)
            for shard in stream.shards:
                stream.trim_shard(shard, now, core.settings.max_records_per_shard)


def start_encryption(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    if params["EncryptionType"] != "KMS":
        raise invalid_argument("EncryptionType must be KMS to start encryption.")  # wording ours
    now = core.now()
    with core.held(ctx, params, now) as stream:
        core.require_active(stream)
        key_id = params["KeyId"]

        def encrypt(at: float) -> None:
            stream.encryption_type = "KMS"
            stream.key_id = key_id

        stream.begin_update(now, core.transition(), encrypt)


def stop_encryption(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    now = core.now()
    with core.held(ctx, params, now) as stream:
        core.require_active(stream)

        def decrypt(at: float) -> None:
            stream.encryption_type = "NONE"
            stream.key_id = None

        stream.begin_update(now, core.transition(), decrypt)


def _monitoring(core: Core, ctx: RequestContext, params: dict[str, Any], enable: bool) -> dict[str, Any]:
    asked = params["ShardLevelMetrics"]
    wanted = SHARD_LEVEL_METRICS if "ALL" in asked else asked
    now = core.now()
    with core.held(ctx, params, now) as stream:
        core.require_active(stream)
        current = list(stream.shard_level_metrics)
        if enable:
            desired = [name for name in SHARD_LEVEL_METRICS if name in current or name in wanted]
        else:
            desired = [name for name in current if name not in wanted]
        stream.shard_level_metrics = desired
        return {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "CurrentShardLevelMetrics": current,
            "DesiredShardLevelMetrics": desired,
        }


def enable_monitoring(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return _monitoring(core, ctx, params, enable=True)


def disable_monitoring(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return _monitoring(core, ctx, params, enable=False)


def update_stream_mode(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    mode = params["StreamModeDetails"]["StreamMode"]
    now = core.now()
    with core.held(ctx, params, now) as stream:
        core.require_active(stream)
        if mode == stream.mode:
            raise invalid_argument(
                f"Stream {stream.name} under account {stream.account_id} is already in {mode} mode."  # wording ours
            )

        def switch(at: float) -> None:
            stream.mode = mode

        stream.begin_update(now, core.transition(), switch)


def update_max_record_size(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    now = core.now()
    with core.held(ctx, params, now) as stream:
        core.require_active(stream)
        stream.max_record_size_kib = params["MaxRecordSizeInKiB"]


def describe_limits(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    now = core.now()
    region = core.registry.region(caller_account(ctx), ctx.region)
    streams = region.streams(now)
    return {
        "ShardLimit": core.settings.shard_quota_for(ctx.region),
        "OpenShardCount": region.shard_count(now),
        "OnDemandStreamCount": sum(1 for stream in streams if stream.mode == "ON_DEMAND"),
        "OnDemandStreamCountLimit": 50,
    }
