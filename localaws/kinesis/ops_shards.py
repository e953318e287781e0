"""Shards: ListShards, and resharding (SplitShard, MergeShards, UpdateShardCount).

A reshard is asked for now and done when the stream's UPDATING time is up, at that moment of the clock: until
then the old shards stay open and take the puts (as on AWS). The quota counts the result from the request on.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.kinesis.core import Core
from localaws.kinesis.messages import could_not_find_shard, invalid_argument, shard_limit, stream_not_found
from localaws.kinesis.model import Shard, Stream
from localaws.kinesis.resolve import StreamRef, caller_account, stream_ref
from localaws.kinesis.sequence import shard_id, shard_index

DEFAULT_MAX_RESULTS = 1000
MAX_SHARDS_PER_STREAM_SCALING = 10_000
SCALINGS_PER_DAY = 10
NEXT_TOKEN_LIFETIME_SECONDS = 300


def list_shards_ref(core: Core, ctx: RequestContext, params: dict[str, Any]) -> StreamRef:
    """The stream a ListShards request pages through: named, or inside its (signed) NextToken."""
    token = params.get("NextToken")
    named = params.get("StreamName") or params.get("StreamARN")
    if token and named:
        raise invalid_argument("NextToken and StreamName cannot be provided together.")
    if token:
        content = core.tokens.open(token)
        if content is None or content.get("op") != "ListShards":
            raise invalid_argument("Invalid NextToken.")  # wording ours
        ref = StreamRef(content["account"], content["region"], content["stream"])
        if ref.account_id != caller_account(ctx) or ref.region != ctx.region:
            raise invalid_argument("Invalid NextToken.")
        return ref
    ref = stream_ref(ctx, params, required=False)
    if ref is None:
        raise invalid_argument("Either NextToken or StreamName should be provided.")
    return ref


def _open_at(shard: Shard, moment: float) -> bool:
    return shard.created_at <= moment and (shard.closed_at is None or shard.closed_at > moment)


def _filtered(stream: Stream, shards: list[Shard], shard_filter: dict[str, Any] | None, now: float) -> list[Shard]:
    if not shard_filter:
        return shards
    kind = shard_filter["Type"]
    if kind == "AFTER_SHARD_ID":
        after = shard_index(shard_filter.get("ShardId") or "")
        if after is None:
            raise invalid_argument("ShardFilter of type AFTER_SHARD_ID needs a ShardId.")  # wording ours
        return [shard for shard in shards if shard.index > after]
    if kind == "AT_LATEST":
        return [shard for shard in shards if shard.is_open]
    if kind in ("AT_TRIM_HORIZON", "FROM_TRIM_HORIZON"):
        moment = max(stream.retention_cutoff(now), stream.created_at)
    else:
        timestamp = shard_filter.get("Timestamp")
        if timestamp is None:
            raise invalid_argument(f"ShardFilter of type {kind} needs a Timestamp.")  # wording ours
        moment = max(timestamp, stream.created_at)
    if kind.startswith("AT_"):
        return [shard for shard in shards if _open_at(shard, moment)]
    return [shard for shard in shards if shard.closed_at is None or shard.closed_at > moment]


def list_shards(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    ref = list_shards_ref(core, ctx, params)
    now = core.now()
    token = core.tokens.open(params["NextToken"]) if params.get("NextToken") else None
    if token is not None and now - token["issued"] > NEXT_TOKEN_LIFETIME_SECONDS:
        raise AwsError("ExpiredNextTokenException", "The NextToken has expired.")  # wording ours
    limit = params.get("MaxResults") or DEFAULT_MAX_RESULTS
    stream = core.find(ref, now)
    with stream.lock:
        stream.settle(now)
        if stream.gone(now) or (token is not None and token["created"] != stream.created_at):
            raise stream_not_found(ref.name, ref.account_id)
        created = params.get("StreamCreationTimestamp")
        if created is not None and abs(created - stream.created_at) >= 1:
            raise stream_not_found(ref.name, ref.account_id)
        shards = _filtered(stream, stream.listed_shards(now), (token or params).get("ShardFilter"), now)
        after = token["after"] if token else None
        if after is None and params.get("ExclusiveStartShardId"):
            after = shard_index(params["ExclusiveStartShardId"])
        if after is not None:
            shards = [shard for shard in shards if shard.index > after]
        page = shards[:limit]
        reply: dict[str, Any] = {"Shards": [shard.describe() for shard in page]}
        if len(shards) > limit:
            reply["NextToken"] = core.tokens.seal(
                {
                    "op": "ListShards",
                    "account": ref.account_id,
                    "region": ref.region,
                    "stream": ref.name,
                    "created": stream.created_at,
                    "after": page[-1].index,
                    "issued": now,
                    "ShardFilter": (token or params).get("ShardFilter"),
                }
            )
    return reply


@contextmanager
def _resharding(core: Core, ctx: RequestContext, params: dict[str, Any], shard_ids: list[str]) -> Iterator[tuple]:
    """The stream (locked, settled, ACTIVE) and the shards named, inside the region's lock, so that the quota
    check and the change are one step."""
    ref = stream_ref(ctx, params)
    assert ref is not None
    indexes = []
    for given in shard_ids:
        index = shard_index(given)
        if index is None:
            raise could_not_find_shard(given, ref.name, ref.account_id)
        indexes.append(index)
    region = core.region_of(ref)
    now = core.now()
    with region.lock:
        stream = core.find(ref, now)
        with stream.lock:
            stream.settle(now)
            if stream.gone(now):
                raise stream_not_found(ref.name, ref.account_id)
            core.require_active(stream)
            shards = []
            for index in indexes:
                shard = stream.shard(index)
                if shard is None:
                    raise could_not_find_shard(shard_id(index), ref.name, ref.account_id)
                shards.append(shard)
            yield stream, shards, region, now


def _not_eligible(stream: Stream, shard: Shard) -> AwsError:
    return invalid_argument(
        f"Shard {shard.id} in stream {stream.name} under account {stream.account_id} has already been merged or "
        "split, and thus is not eligible for merging or splitting."
    )


def _check_quota(core: Core, stream: Stream, region: Any, now: float, additional: int) -> None:
    if additional <= 0:
        return
    current = region.shard_count(now)
    limit = core.settings.shard_quota_for(stream.region)
    if current + additional > limit:
        raise shard_limit(stream.account_id, stream.region, current, limit, additional)


def split_shard(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    with _resharding(core, ctx, params, [params["ShardToSplit"]]) as (stream, shards, region, now):
        shard = shards[0]
        given = params["NewStartingHashKey"]
        new_start = int(given) if given.isascii() and given.isdigit() else -1
        if not shard.start + 1 < new_start < shard.end:
            raise invalid_argument(
                f"NewStartingHashKey {params['NewStartingHashKey']} used in SplitShard() on shard {shard.id} in "
                f"stream {stream.name} under account {stream.account_id} is not both greater than one plus the "
                f"shard's StartingHashKey {shard.start} and less than the shard's EndingHashKey {shard.end}."
            )
        if not shard.is_open:
            raise _not_eligible(stream, shard)
        _check_quota(core, stream, region, now, 1)
        stream.quota_shards += 1
        stream.begin_update(now, core.transition(), lambda at: stream.split(shard, new_start, at))


def merge_shards(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    names = [params["ShardToMerge"], params["AdjacentShardToMerge"]]
    with _resharding(core, ctx, params, names) as (stream, shards, _, now):
        shard, adjacent = shards
        for each in shards:
            if not each.is_open:
                raise _not_eligible(stream, each)
        if shard.end + 1 != adjacent.start:
            raise invalid_argument(
                f"Shards {shard.id} and {adjacent.id} in stream {stream.name} under account {stream.account_id} "
                "are not an adjacent pair of shards eligible for merging"
            )
        stream.quota_shards -= 1
        stream.begin_update(now, core.transition(), lambda at: stream.merge(shard, adjacent, at))


def _scaling_refused(stream: Stream, current: int, target: int, why: str) -> AwsError:
    # AWS's documented UpdateShardCount limits; the wording is ours.
    return AwsError(
        "LimitExceededException",
        f"UpdateShardCount of stream {stream.name} under account {stream.account_id} from {current} to {target} "
        f"open shards is refused: {why}",
    )


def update_shard_count(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    target = params["TargetShardCount"]
    if target < 1:  # the model's minimum, should a caller get past the front door's check
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{target}' at 'targetShardCount' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1",
        )
    with _resharding(core, ctx, params, []) as (stream, _, region, now):
        if stream.mode == "ON_DEMAND":
            raise AwsError(
                "ValidationException",
                f"Request is invalid. Stream {stream.name} under account {stream.account_id} is in On-Demand mode.",
            )
        current = len(stream.open)
        if target > 2 * current:
            raise _scaling_refused(stream, current, target, "a call may at most double the open shard count.")
        if 2 * target < current:
            raise _scaling_refused(stream, current, target, "a call may at most halve the open shard count.")
        if target > MAX_SHARDS_PER_STREAM_SCALING:
            raise _scaling_refused(stream, current, target, "a stream may be scaled to at most 10000 shards.")
        stream.scaling_times = [moment for moment in stream.scaling_times if moment > now - 86_400]
        if len(stream.scaling_times) >= SCALINGS_PER_DAY:
            raise _scaling_refused(stream, current, target, "a stream may be scaled at most 10 times in 24 hours.")
        _check_quota(core, stream, region, now, target - current)
        stream.scaling_times.append(now)
        stream.quota_shards = target
        stream.begin_update(now, core.transition(), lambda at: stream.scale_uniformly(target, at))
        return {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "CurrentShardCount": current,
            "TargetShardCount": target,
        }
