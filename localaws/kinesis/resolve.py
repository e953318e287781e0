"""Which stream (or consumer) a request names: one resolver, used both to authorize a call and to do it, so
IAM checks exactly the resource the call then acts on.

A request may name its stream twice (StreamName and StreamARN; ConsumerARN and StreamARN + ConsumerName). When
the two disagree the request is refused before anything is authorized (InvalidArgumentException; the wording is
ours, AWS's is not on record). A StreamARN in another account is refused with AccessDeniedException (what AWS
answers when no resource policy grants cross-account access; this endpoint has none), and one in another region
with ResourceNotFoundException (the stream is not in the region the request went to).
"""

import re
from dataclasses import dataclass
from typing import Any

from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.kinesis.messages import invalid_argument, stream_not_found

_NAME = r"[a-zA-Z0-9_.-]{1,128}"
_STREAM_ARN = re.compile(rf"^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{{12}}):stream/({_NAME})$")
_CONSUMER_ARN = re.compile(
    rf"^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{{12}}):stream/({_NAME})/consumer/({_NAME}):(\d+)$"
)


@dataclass(frozen=True)
class StreamRef:
    account_id: str
    region: str
    name: str

    @property
    def arn(self) -> str:
        return stream_arn(self.account_id, self.region, self.name)


@dataclass(frozen=True)
class ConsumerRef:
    stream: StreamRef
    name: str
    arn: str | None  # as given (ConsumerARN); None when named by StreamARN + ConsumerName


def stream_arn(account_id: str, region: str, name: str) -> str:
    return f"arn:aws:kinesis:{region}:{account_id}:stream/{name}"


def caller_account(ctx: RequestContext) -> str:
    if not ctx.account_id:
        raise AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
    return ctx.account_id


def _check_home(ctx: RequestContext, account_id: str, region: str, name: str, arn: str) -> None:
    caller = caller_account(ctx)
    if account_id != caller:
        who = ctx.principal.arn if ctx.principal else f"arn:aws:iam::{caller}:root"
        raise AwsError(
            "AccessDeniedException",
            f"User: {who} is not authorized to perform: kinesis:{ctx.operation} on resource: {arn} "
            f"because no resource-based policy allows the kinesis:{ctx.operation} action",
        )
    if region != ctx.region:
        raise stream_not_found(name, account_id)


def parse_stream_arn(ctx: RequestContext, arn: str) -> StreamRef:
    match = _STREAM_ARN.match(arn)
    if match is None:
        raise invalid_argument(f"StreamARN {arn} is not the ARN of a stream.")
    region, account_id, name = match.groups()
    _check_home(ctx, account_id, region, name, arn)
    return StreamRef(account_id, region, name)


def stream_ref(ctx: RequestContext, params: dict[str, Any], required: bool = True) -> StreamRef | None:
    name = params.get("StreamName")
    arn = params.get("StreamARN")
    if arn:
        ref = parse_stream_arn(ctx, arn)
        if name and name != ref.name:
            raise invalid_argument(f"StreamARN {arn} and StreamName {name} do not name the same stream.")
        return ref
    if name:
        return StreamRef(caller_account(ctx), ctx.region, name)
    if required:
        # The model made StreamName optional when StreamARN came; naming neither is answered as before then.
        raise AwsError(
            "ValidationException",
            "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
            "Member must not be null",
        )
    return None


def consumer_ref(ctx: RequestContext, params: dict[str, Any]) -> ConsumerRef:
    consumer_arn = params.get("ConsumerARN")
    name = params.get("ConsumerName")
    given_stream_arn = params.get("StreamARN")
    if consumer_arn:
        match = _CONSUMER_ARN.match(consumer_arn)
        if match is None:
            raise invalid_argument(f"ConsumerARN {consumer_arn} is not the ARN of a stream consumer.")
        region, account_id, stream_name, consumer_name, _ = match.groups()
        _check_home(ctx, account_id, region, stream_name, consumer_arn)
        stream = StreamRef(account_id, region, stream_name)
        if given_stream_arn and parse_stream_arn(ctx, given_stream_arn) != stream:
            raise invalid_argument(f"ConsumerARN {consumer_arn} is not a consumer of stream {given_stream_arn}.")
        if name and name != consumer_name:
            raise invalid_argument(f"ConsumerARN {consumer_arn} and ConsumerName {name} do not name the same consumer.")
        return ConsumerRef(stream, consumer_name, consumer_arn)
    if given_stream_arn and name:
        return ConsumerRef(parse_stream_arn(ctx, given_stream_arn), name, None)
    raise invalid_argument("Either ConsumerARN or both StreamARN and ConsumerName must be given.")


def resource_ref(ctx: RequestContext, arn: str) -> StreamRef | ConsumerRef:
    """The stream or consumer an ARN-based tagging call names."""
    if "/consumer/" in arn:
        return consumer_ref(ctx, {"ConsumerARN": arn})
    if _STREAM_ARN.match(arn):
        return parse_stream_arn(ctx, arn)
    raise AwsError("ResourceNotFoundException", f"Resource {arn} not found.")


def kms_key_arn(key_id: str, account_id: str, region: str) -> str:
    """The KMS key a KeyId names: an ARN as it is, an alias or key id in the caller's account and region."""
    if key_id.startswith("arn:"):
        return key_id
    if key_id.startswith("alias/"):
        return f"arn:aws:kms:{region}:{account_id}:{key_id}"
    return f"arn:aws:kms:{region}:{account_id}:key/{key_id}"
