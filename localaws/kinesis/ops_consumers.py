"""Enhanced fan-out consumers: register, describe, list, deregister. (SubscribeToShard comes later; a consumer
already holds what it will need: its ARN, its state and its stream.)"""

from typing import Any

from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.kinesis.core import Core
from localaws.kinesis.messages import invalid_argument
from localaws.kinesis.model import Consumer, Stream
from localaws.kinesis.resolve import ConsumerRef, consumer_ref, parse_stream_arn
from localaws.kinesis.tags import check_tags

MAX_CONSUMERS = 20
MAX_CREATING = 5
DEFAULT_MAX_RESULTS = 100


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
    stream, consumer, _ = _found(core, ctx, params)
    with stream.lock:
        return {"ConsumerDescription": _describe(consumer, stream)}


def deregister_consumer(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
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
