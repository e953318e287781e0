"""SubscribeToShard: a registered consumer's records of one shard pushed as SubscribeToShardEvent events.

Everything that can be refused is refused before the stream begins (a JSON error, as AWS answers): an unknown
consumer or shard, a consumer not ACTIVE, a bad starting position, and a second call for the same consumer and
shard within 5 seconds of the last successful one (AWS's documented rule). A call 5 seconds or more after takes
the subscription over: the older one ends with a ResourceInUseException event. A subscription then lasts
`settings.subscription_seconds` (AWS: 5 minutes) and ends; a closed shard's ends, once its last record is sent,
with an event naming its children (and no ContinuationSequenceNumber, as AWS marks a shard's end).

New records are pushed as soon as a put appends them (the stream's `arrivals` condition, which the put paths
signal); when nothing arrives an empty event goes out every HEARTBEAT_SECONDS with the continuation number, so
a reader may checkpoint while the shard is quiet. Between events the iterator yields None every TICK_SECONDS so
the server can notice a client that has gone and close it. The shard's read limits (5 GetRecords calls and
2 MiB a second) are not applied: a subscription has its own throughput on AWS.
"""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.kinesis import ops_read
from localaws.kinesis.core import Core
from localaws.kinesis.messages import shard_not_found
from localaws.kinesis.model import Consumer, Shard, Stream
from localaws.kinesis.records import ARRIVAL, INDEX
from localaws.kinesis.resolve import consumer_ref
from localaws.kinesis.sequence import shard_id, shard_index

# AWS: "If you call SubscribeToShard again with the same ConsumerARN and ShardId within 5 seconds of a successful
# call, you'll get a ResourceInUseException" (the operation's documentation in botocore's model).
RESUBSCRIBE_AFTER_SECONDS = 5.0
HEARTBEAT_SECONDS = 5.0  # ours: AWS sends empty events while a shard is quiet, at an interval it does not document
TICK_SECONDS = 0.25
EVENT_MAX_RECORDS = 10_000
EVENT_MAX_BYTES = 2 * 1024 * 1024  # one second of a subscription's 2 MiB/s
PRUNE_AT = 10_000

Event = tuple[str, dict[str, Any]] | None


@dataclass
class Subscription:
    consumer_arn: str
    shard: str
    started_at: float  # the endpoint clock's monotonic reading: the 5-second rule and the lifetime both count from it
    taken_over: threading.Event = field(default_factory=threading.Event)
    ended: bool = False


def _consumer_not_found(name: str, account_id: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Consumer {name} under account {account_id} not found.")


def _not_active(consumer: Consumer, stream: Stream) -> AwsError:
    # AWS's wording, as reported from the live API (awslabs/kinesis-hot-shard-advisor#37).
    return AwsError(
        "ResourceInUseException",
        f"Consumer {consumer.name} with creation timestamp {int(consumer.created_at)} under stream: {stream.name} , "
        f"account {stream.account_id} is not in ACTIVE status.",
    )


def _in_use(consumer_arn: str) -> AwsError:
    # AWS's first words (seen from the live API in client projects' reports); what follows the colon is ours.
    return AwsError("ResourceInUseException", f"Another active subscription exists for this consumer: {consumer_arn}")


def _taken_over(consumer_arn: str, shard: str) -> AwsError:
    return AwsError(
        "ResourceInUseException",
        f"The subscription of {consumer_arn} to {shard} was taken over by a newer SubscribeToShard call.",  # ours
    )


def _record(shard: Shard, record: tuple[Any, ...]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "SequenceNumber": shard.record_sequence_number(record[INDEX], record[ARRIVAL]),
        "ApproximateArrivalTimestamp": record[ARRIVAL],
        "Data": record[2],
        "PartitionKey": record[3],
    }
    if record[4]:
        item["EncryptionType"] = "KMS"
    return item


class Subscriptions:
    """The latest subscription of each consumer and shard, for the 5-second rule and take-overs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[tuple[str, str], Subscription] = {}

    def subscribe(self, core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = consumer_ref(ctx, params)
        arn = params["ConsumerARN"]
        now, started = core.now(), core.monotonic()
        stream = core.region_of(ref.stream).get(ref.stream.name, now)
        if stream is None:
            raise _consumer_not_found(ref.name, ref.stream.account_id)
        start = params["StartingPosition"]
        kind, number, timestamp = start["Type"], start.get("SequenceNumber"), start.get("Timestamp")
        with stream.lock:
            stream.settle(now)
            consumer = stream.consumers.get(ref.name)
            if consumer is None or consumer.arn != arn or stream.gone(now):
                raise _consumer_not_found(ref.name, ref.stream.account_id)
            if consumer.status != "ACTIVE":
                raise _not_active(consumer, stream)
            index = shard_index(params["ShardId"])
            shard = stream.shard(index) if index is not None and stream.shards_visible else None
            if shard is None:
                raise shard_not_found(
                    params["ShardId"] if index is None else shard_id(index), stream.name, stream.account_id
                )
            ops_read._check_iterator_arguments(kind, number, timestamp, now)
            stream.trim_shard(shard, now, core.settings.max_records_per_shard)
            position = ops_read._start_position(stream, shard, kind, number, timestamp)
        if params.get("DryRun"):
            raise AwsError(
                "DryRunOperationException", "The request would have succeeded, but the DryRun parameter was specified."
            )
        key = (arn, shard.id)
        # On AWS a subscription outlives the 5 seconds; when tests shorten its life, the rule shrinks with it so a
        # renewal at a subscription's end is never refused (as it never is on AWS).
        guard = min(RESUBSCRIBE_AFTER_SECONDS, core.settings.subscription_seconds)
        with self._lock:
            previous = self._latest.get(key)
            if previous is not None and started - previous.started_at < guard:
                raise _in_use(arn)
            subscription = Subscription(arn, shard.id, started)
            if len(self._latest) >= PRUNE_AT:  # ended ones matter to the rule for 5 seconds only
                self._latest = {k: s for k, s in self._latest.items() if not s.ended or started - s.started_at < guard}
            self._latest[key] = subscription
        if previous is not None:
            previous.taken_over.set()
            with stream.lock:
                stream.arrivals.notify_all()
        return {"EventStream": self._events(core, stream, shard, consumer, subscription, position)}

    def _events(
        self, core: Core, stream: Stream, shard: Shard, consumer: Consumer, subscription: Subscription, position: int
    ) -> Iterator[Event]:
        ends_at = subscription.started_at + core.settings.subscription_seconds
        last_sent = core.monotonic()
        continuation: str | None = None  # the last number sent, repeated by heartbeats while nothing arrives
        with stream.lock:
            stream.watchers += 1
        try:
            while True:
                if subscription.taken_over.is_set():
                    raise _taken_over(subscription.consumer_arn, shard.id)
                monotonic = core.monotonic()
                if monotonic >= ends_at:
                    return
                now = core.now()
                event: Event = None
                finished = timed_out = False
                with stream.lock:
                    stream.settle(now)
                    if stream.gone(now) or stream.consumers.get(consumer.name) is not consumer:
                        raise _consumer_not_found(consumer.name, stream.account_id)
                    if consumer.status != "ACTIVE":  # deregistered: DELETING
                        raise _consumer_not_found(consumer.name, stream.account_id)
                    event, position, finished = self._read(core, stream, shard, position, now)
                    if event is None and monotonic - last_sent >= HEARTBEAT_SECONDS:
                        event = self._event(shard, [], position, 0, None)
                        if continuation is not None and event is not None:
                            event[1]["ContinuationSequenceNumber"] = continuation  # the same number as before
                    if event is None:
                        timed_out = not stream.arrivals.wait(min(TICK_SECONDS, max(0.0, ends_at - monotonic)))
                if event is not None:
                    continuation = event[1].get("ContinuationSequenceNumber")
                    yield event
                    last_sent = core.monotonic()
                    if finished:
                        return
                elif timed_out:
                    yield None
        finally:
            subscription.ended = True
            with stream.lock:
                stream.watchers -= 1

    @staticmethod
    def _event(
        shard: Shard, records: list[dict[str, Any]], position: int, behind: int, children: list[dict[str, Any]] | None
    ) -> Event:
        members: dict[str, Any] = {"Records": records, "MillisBehindLatest": behind}
        if children is None:
            members["ContinuationSequenceNumber"] = shard.record_sequence_number(max(position, 0), shard.created_second)
        else:
            members["ChildShards"] = children
        return "SubscribeToShardEvent", members

    def _read(self, core: Core, stream: Stream, shard: Shard, position: int, now: float) -> tuple[Event, int, bool]:
        """The next event (None when there is nothing to send), the new position, and whether the shard ended.
        Callers hold the stream's lock."""
        stream.trim_shard(shard, now, core.settings.max_records_per_shard)
        log = shard.log
        slot = log.position_after(position)
        found = log.read(slot, EVENT_MAX_RECORDS)
        records: list[dict[str, Any]] = []
        size = 0
        for record in found:
            size += len(record[2]) + len(record[3])
            if records and size > EVENT_MAX_BYTES:
                break
            records.append(_record(shard, record))
        if records:
            last = found[len(records) - 1]
            next_slot = max(slot, log.end() - len(log)) + len(records)
            behind = int(max(0.0, now - log.at(next_slot)[ARRIVAL]) * 1000) if next_slot < log.end() else 0
            members = {
                "Records": records,
                "MillisBehindLatest": behind,
                "ContinuationSequenceNumber": records[-1]["SequenceNumber"],
            }
            return ("SubscribeToShardEvent", members), last[INDEX], False
        if shard.finished(int(now)):
            return self._event(shard, [], position, 0, ops_read._child_shards(stream, shard)), position, True
        return None, position, False
