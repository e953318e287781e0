"""KinesisService: the front door's entry to Kinesis Data Streams, all of it ours (no moto).

`authorization` and `call` resolve the resource through the same functions (resolve.py, the iterator and token
codecs), so IAM checks exactly what the call then acts on; a contradictory request is refused by
`authorization` before any check. Operations of today's model that this endpoint does not offer (queues,
channels, resource policies, account settings, warm throughput) answer UnknownOperationException, which is what
AWS's JSON protocol answers for an operation a service does not know: honest, and an SDK does not retry it.
"""

from collections.abc import Callable
from typing import Any

from localaws.context import RequestContext
from localaws.kinesis import ops_consumers, ops_put, ops_read, ops_shards, ops_streams, tags
from localaws.kinesis.core import Core, unknown_operation
from localaws.kinesis.ops_subscribe import Subscriptions
from localaws.kinesis.resolve import caller_account, consumer_ref, kms_key_arn, resource_ref, stream_arn, stream_ref
from localaws.runtime import Runtime
from localaws.services import Access

Operation = Callable[[Core, RequestContext, dict[str, Any]], dict[str, Any] | None]

OPERATIONS: dict[str, Operation] = {
    "CreateStream": ops_streams.create_stream,
    "DeleteStream": ops_streams.delete_stream,
    "DescribeStream": ops_streams.describe_stream,
    "DescribeStreamSummary": ops_streams.describe_stream_summary,
    "ListStreams": ops_streams.list_streams,
    "IncreaseStreamRetentionPeriod": ops_streams.increase_retention,
    "DecreaseStreamRetentionPeriod": ops_streams.decrease_retention,
    "StartStreamEncryption": ops_streams.start_encryption,
    "StopStreamEncryption": ops_streams.stop_encryption,
    "EnableEnhancedMonitoring": ops_streams.enable_monitoring,
    "DisableEnhancedMonitoring": ops_streams.disable_monitoring,
    "UpdateStreamMode": ops_streams.update_stream_mode,
    "UpdateMaxRecordSize": ops_streams.update_max_record_size,
    "UpdateStreamRecordDistributionStrategy": ops_streams.update_distribution,
    "DescribeLimits": ops_streams.describe_limits,
    "PutRecord": ops_put.put_record,
    "PutRecords": ops_put.put_records,
    "GetShardIterator": ops_read.get_shard_iterator,
    "GetRecords": ops_read.get_records,
    "ListShards": ops_shards.list_shards,
    "SplitShard": ops_shards.split_shard,
    "MergeShards": ops_shards.merge_shards,
    "UpdateShardCount": ops_shards.update_shard_count,
    "AddTagsToStream": tags.add_tags_to_stream,
    "RemoveTagsFromStream": tags.remove_tags_from_stream,
    "ListTagsForStream": tags.list_tags_for_stream,
    "TagResource": tags.tag_resource,
    "UntagResource": tags.untag_resource,
    "ListTagsForResource": tags.list_tags_for_resource,
    "RegisterStreamConsumer": ops_consumers.register_consumer,
    "DescribeStreamConsumer": ops_consumers.describe_consumer,
    "DeregisterStreamConsumer": ops_consumers.deregister_consumer,
    "ListStreamConsumers": ops_consumers.list_consumers,
}
# Actions IAM knows without a resource type: authorized on "*".
UNSCOPED = frozenset({"ListStreams", "DescribeLimits"})
CONSUMER_SCOPED = frozenset({"DescribeStreamConsumer", "DeregisterStreamConsumer", "SubscribeToShard"})
ARN_SCOPED = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})


class KinesisService:
    name = "kinesis"

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.core = Core(runtime)
        self.subscriptions = Subscriptions()

    def _resources(self, ctx: RequestContext, params: dict[str, Any]) -> list[str]:
        operation = ctx.operation
        if operation in UNSCOPED:
            return ["*"]
        if operation == "CreateStream":
            return [stream_arn(caller_account(ctx), ctx.region, params["StreamName"])]
        if operation == "GetRecords":
            where = ops_read.iterator_position(self.core, ctx, params)
            return [stream_arn(where.account_id, where.region, where.stream_name)]
        if operation == "ListShards":
            return [ops_shards.list_shards_ref(self.core, ctx, params).arn]
        if operation in CONSUMER_SCOPED:
            return [ops_consumers.consumer_arn_for(self.core, ctx, params)]
        if operation in ARN_SCOPED:
            resource_ref(ctx, params["ResourceARN"])  # refuses another account's or region's resource
            return [params["ResourceARN"]]
        ref = stream_ref(ctx, params)
        assert ref is not None
        return [ref.arn]

    def authorization(self, ctx: RequestContext, params: dict[str, Any]) -> list[Access]:
        if ctx.operation not in OPERATIONS and ctx.operation != "SubscribeToShard":
            return []
        action = f"kinesis:{ctx.operation}"
        checks = [Access(action, resource) for resource in self._resources(ctx, params)]
        if ctx.operation == "CreateStream" and params.get("Tags"):
            checks.append(Access("kinesis:AddTagsToStream", checks[0].resource))
        if ctx.operation == "RegisterStreamConsumer" and params.get("Tags"):
            # "you must also have the kinesis:TagResource permission for the consumer that will be registered"
            # (the operation's documentation): the ARN it will have, made now.
            consumer = f"{checks[0].resource}/consumer/{params['ConsumerName']}:{int(ctx.clock.time())}"
            checks.append(Access("kinesis:TagResource", consumer))
        if ctx.operation in ("StartStreamEncryption", "StopStreamEncryption"):  # both authorised on the key too
            checks.append(Access(action, kms_key_arn(params["KeyId"], caller_account(ctx), ctx.region)))
        if ctx.operation in CONSUMER_SCOPED:
            consumer_ref(ctx, params)
        return checks

    def call(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None:
        if ctx.operation == "SubscribeToShard":  # its answer is an event stream; the subscriptions are the service's
            return self.subscriptions.subscribe(self.core, ctx, params)
        operation = OPERATIONS.get(ctx.operation)
        if operation is None:
            raise unknown_operation(ctx.operation)
        return operation(self.core, ctx, params)

    def stored_records(self) -> list[dict[str, Any]]:
        """How many records each shard holds, for the control API."""
        now = self.core.now()
        counts = []
        for region in self.core.registry.regions():
            for stream in region.streams(now):
                with stream.lock:
                    stream.settle(now)
                    for shard in stream.shards:
                        counts.append(
                            {
                                "account": region.account_id,
                                "region": region.region,
                                "stream": stream.name,
                                "shard": shard.id,
                                "records": len(shard.log),
                            }
                        )
        return counts
