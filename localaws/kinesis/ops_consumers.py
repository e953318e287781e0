"""Enhanced fan-out consumers: register, describe, list, deregister (SubscribeToShard is ops_subscribe.py).

States move on the clock (CREATING -> ACTIVE, DELETING -> gone, `state_transition_seconds` each), at most 20 per
stream and 5 CREATING at once; with `kinesis_limits` on, AWS's documented call rates apply too (botocore's model:
RegisterStreamConsumer 5 a second per account; DeregisterStreamConsumer 5, DescribeStreamConsumer 20 and
ListStreamConsumers 5 a second per stream), answered LimitExceededException as AWS answers its control-plane rates.
"""

import threading
from typing import Any
from weakref import WeakKeyDictionary

from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.kinesis.core import Core
from localaws.kinesis.limits import TokenBucket
from localaws.kinesis.messages import invalid_argument
from localaws.kinesis.model import Consumer, Stream
from localaws.kinesis.resolve import ConsumerRef, consumer_ref, parse_stream_arn
from localaws.kinesis.tags import check_tags

MAX_CONSUMERS = 20
MAX_CREATING = 5
DEFAULT_MAX_RESULTS = 100
CALLS_PER_SECOND = {
    "RegisterStreamConsumer": 5,  # per account
    "DeregisterStreamConsumer": 5,  # per stream
    "DescribeStreamConsumer": 20,
    "ListStreamConsumers": 5,
}
_buckets: "WeakKeyDictionary[Core, dict[tuple[str, ...], TokenBucket]]" = WeakKeyDictionary()
_buckets_lock = threading.Lock()


def _admit(core: Core, operation: str, account_id: str, region: str, stream: str | None = None) -> None:
    """Take one call from the operation's bucket (per account and region, or per stream); LimitExceededException
    when it is empty. Only with `kinesis_limits` on, as the shard limits."""
    if not core.settings.kinesis_limits:
        return
    key = (operation, account_id, region, stream or "")
    with _buckets_lock:
        buckets = _buckets.setdefault(core, {})
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = TokenBucket(CALLS_PER_SECOND[operation], core.monotonic)
        if bucket.can_take(1):
            bucket.take(1)
            return
    if stream is None:
        raise AwsError("LimitExceededException", f"Rate exceeded for account {account_id}.")  # wording ours
    # AWS's words for a stream's control-plane rate (as DescribeStream answers them).
    raise AwsError("LimitExceededException", f"Rate exceeded for stream {stream} under account {account_id}.")


def _consumer_not_found(name: str, account_id: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Consumer {name} under account {account_id} not found.")


def _describe(consumer: Consumer, stream: Stream) -> dict[str, Any]:
    return {
        "ConsumerName": consumer.name,
        "ConsumerARN": consumer.arn,
        "ConsumerStatus": consumer.status,
        "ConsumerCreationTimestamp": consumer.created_at,
        "StreamARN": stream.arn,
    }


def _live(stream: Stream) -> list[Consumer]:
    return [consumer for consumer in stream.consumers.values() if consumer.deleted_at is None]


def register_consumer(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    ref = parse_stream_arn(ctx, params["StreamARN"])
    _admit(core, "RegisterStreamConsumer", ref.account_id, ref.region)
    name = params["ConsumerName"]
    now = core.now()
    stream = core.find(ref, now)
    with stream.lock:
        stream.settle(now)
        if stream.status not in ("ACTIVE", "UPDATING"):  # a stream being resharded still takes consumers
            core.require_active(stream)
        if name in stream.consumers:
            raise AwsError(
                "ResourceInUseException", f"Consumer {name} under stream {stream.name} already exists."
            )  # wording ours
        live = _live(stream)
        if len(live) >= MAX_CONSUMERS:
            raise AwsError(
                "LimitExceededException",
                f"Stream {stream.name} under account {stream.account_id} already has {MAX_CONSUMERS} registered "
                "consumers, the most a stream may have.",  # wording ours
            )
        if sum(1 for consumer in live if consumer.status == "CREATING") >= MAX_CREATING:
            raise AwsError(
                "LimitExceededException",
                f"Stream {stream.name} under account {stream.account_id} already has {MAX_CREATING} consumers in "
                "CREATING state.",  # wording ours
            )
        tags = params.get("Tags") or {}
        if tags:
            check_tags(tags, "add", name, stream.account_id)
        consumer = Consumer(stream.arn, name, now, core.transition(), tags)
        stream.consumers[name] = consumer
        return {"Consumer": _describe(consumer, stream)}


def _admit_consumer_call(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    ref = consumer_ref(ctx, params).stream
    _admit(core, ctx.operation, ref.account_id, ref.region, ref.name)


def _found(core: Core, ctx: RequestContext, params: dict[str, Any]) -> tuple[Stream, Consumer, ConsumerRef]:
    ref = consumer_ref(ctx, params)
    now = core.now()
    stream = core.region_of(ref.stream).get(ref.stream.name, now)
    if stream is None:
        raise _consumer_not_found(ref.name, ref.stream.account_id)
    with stream.lock:
        stream.settle(now)
        consumer = stream.consumers.get(ref.name)
    if consumer is None or (ref.arn is not None and consumer.arn != ref.arn):
        raise _consumer_not_found(ref.name, ref.stream.account_id)
    return stream, consumer, ref


def consumer_arn_for(core: Core, ctx: RequestContext, params: dict[str, Any]) -> str:
    """The consumer ARN a Describe/DeregisterStreamConsumer request acts on (for authorization): as given, or the
    registered consumer's; for a consumer that does not exist, its stream's ARN with the consumer's name."""
    ref = consumer_ref(ctx, params)
    if ref.arn is not None:
        return ref.arn
    try:
        return _found(core, ctx, params)[1].arn
    except AwsError:
        return f"{ref.stream.arn}/consumer/{ref.name}:*"


def describe_consumer(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    _admit_consumer_call(core, ctx, params)
    stream, consumer, _ = _found(core, ctx, params)
    with stream.lock:
        return {"ConsumerDescription": _describe(consumer, stream)}


def deregister_consumer(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    _admit_consumer_call(core, ctx, params)
    stream, consumer, _ = _found(core, ctx, params)
    now = core.now()
    with stream.lock:
        if consumer.status != "ACTIVE":
            raise AwsError(
                "ResourceInUseException",
                f"Consumer {consumer.name} under account {stream.account_id} not ACTIVE, instead in state "
                f"{consumer.status}",  # wording ours, as the stream's
            )
        consumer.status = "DELETING"
        consumer.deleted_at = now + core.transition()


def list_consumers(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    ref = parse_stream_arn(ctx, params["StreamARN"])
    _admit(core, "ListStreamConsumers", ref.account_id, ref.region, ref.name)
    now = core.now()
    limit = params.get("MaxResults") or DEFAULT_MAX_RESULTS
    after = None
    if params.get("NextToken"):
        token = core.tokens.open(params["NextToken"])
        if token is None or token.get("op") != "ListStreamConsumers" or token.get("stream") != ref.arn:
            raise invalid_argument("Invalid NextToken.")  # wording ours
        after = token["after"]
    stream = core.find(ref, now)
    with stream.lock:
        stream.settle(now)
        consumers = sorted(stream.consumers.values(), key=lambda consumer: consumer.name)
        if after is not None:
            consumers = [consumer for consumer in consumers if consumer.name > after]
        page = consumers[:limit]
        reply: dict[str, Any] = {"Consumers": [_describe(consumer, stream) for consumer in page]}
        for item in reply["Consumers"]:
            del item["StreamARN"]  # the list's Consumer shape has no StreamARN
        if len(consumers) > limit:
            reply["NextToken"] = core.tokens.seal(
                {"op": "ListStreamConsumers", "stream": ref.arn, "after": page[-1].name}
            )
    return reply
