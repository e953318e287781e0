"""Tags on streams and consumers: the stream-named calls (AddTagsToStream, ...) and the ARN-named ones
(TagResource, ...). AWS allows 50 tags per resource; keys and values may hold Unicode letters, digits, spaces
and _ . / = + - @ (and ':' as in every AWS service); '%' is refused with a message of its own."""

import unicodedata
from typing import Any

from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.kinesis.core import Core
from localaws.kinesis.messages import BAD_TAG_CHARACTERS, bad_tag_percent, invalid_argument
from localaws.kinesis.model import Consumer, Stream
from localaws.kinesis.resolve import ConsumerRef, resource_ref

MAX_TAGS = 50
DEFAULT_LIST_LIMIT = 50
_PUNCTUATION = frozenset("_./=+-@:")


def _character_ok(char: str) -> bool:
    return char.isalnum() or char in _PUNCTUATION or unicodedata.category(char) == "Zs"


def check_tag_texts(texts: list[str], verb: str, name: str, account_id: str) -> None:
    if not all(_character_ok(char) or char == "%" for text in texts for char in text):
        raise invalid_argument(BAD_TAG_CHARACTERS)
    if any("%" in text for text in texts):
        raise bad_tag_percent(verb, name, account_id)


def check_tags(tags: dict[str, str], verb: str, name: str, account_id: str) -> None:
    check_tag_texts([*tags.keys(), *tags.values()], verb, name, account_id)


def _add(tags: dict[str, str], new: dict[str, str], what: str, name: str, account_id: str) -> None:
    if len({**tags, **new}) > MAX_TAGS:
        raise invalid_argument(
            f"Failed to add tags to {what} {name} under account {account_id} because a given {what} cannot have "
            f"more than {MAX_TAGS} tags associated with it."
        )
    tags.update(new)


def add_tags_to_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    with core.held(ctx, params) as stream:
        check_tags(params["Tags"], "add", stream.name, stream.account_id)
        _add(stream.tags, params["Tags"], "stream", stream.name, stream.account_id)


def remove_tags_from_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    with core.held(ctx, params) as stream:
        check_tag_texts(params["TagKeys"], "remove", stream.name, stream.account_id)
        for key in params["TagKeys"]:
            stream.tags.pop(key, None)


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": tags[key]} for key in sorted(tags)]


def list_tags_for_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    limit = params.get("Limit") or DEFAULT_LIST_LIMIT
    after = params.get("ExclusiveStartTagKey")
    with core.held(ctx, params) as stream:
        listed = _tag_list(stream.tags)
    if after is not None:
        listed = [tag for tag in listed if tag["Key"] > after]
    return {"Tags": listed[:limit], "HasMoreTags": len(listed) > limit}


def _tagged(core: Core, ctx: RequestContext, arn: str) -> tuple[Stream, Consumer | None]:
    ref = resource_ref(ctx, arn)
    now = core.now()
    stream_ref = ref.stream if isinstance(ref, ConsumerRef) else ref
    stream = core.find(stream_ref, now)
    if not isinstance(ref, ConsumerRef):
        return stream, None
    with stream.lock:
        stream.settle(now)
        consumer = stream.consumers.get(ref.name)
    if consumer is None or consumer.arn != ref.arn:
        raise AwsError("ResourceNotFoundException", f"Consumer {ref.name} under account {stream.account_id} not found.")
    return stream, consumer


def tag_resource(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    stream, consumer = _tagged(core, ctx, params["ResourceARN"])
    with stream.lock:
        name = consumer.name if consumer else stream.name
        check_tags(params["Tags"], "add", name, stream.account_id)
        tags = consumer.tags if consumer else stream.tags
        _add(tags, params["Tags"], "consumer" if consumer else "stream", name, stream.account_id)


def untag_resource(core: Core, ctx: RequestContext, params: dict[str, Any]) -> None:
    stream, consumer = _tagged(core, ctx, params["ResourceARN"])
    with stream.lock:
        check_tag_texts(params["TagKeys"], "remove", consumer.name if consumer else stream.name, stream.account_id)
        tags = consumer.tags if consumer else stream.tags
        for key in params["TagKeys"]:
            tags.pop(key, None)


def list_tags_for_resource(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream, consumer = _tagged(core, ctx, params["ResourceARN"])
    with stream.lock:
        return {"Tags": _tag_list(consumer.tags if consumer else stream.tags)}
