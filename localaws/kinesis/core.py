"""What every Kinesis operation shares: the runtime, the stream tables, the iterator codec, the fault dice,
and the steps of finding a stream and holding it settled."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.kinesis.iterators import IteratorCodec
from localaws.kinesis.limits import FaultInjector, ShardLimits
from localaws.kinesis.messages import not_active, stream_not_found
from localaws.kinesis.model import Shard, Stream
from localaws.kinesis.registry import Region, Registry
from localaws.kinesis.resolve import StreamRef, stream_ref
from localaws.kinesis.tokens import TokenCodec
from localaws.runtime import Runtime
from localaws.settings import Settings

NAMESPACE = "AWS/Kinesis"


class Core:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.registry = Registry()
        self.codec = IteratorCodec(runtime.secret)
        self.faults = FaultInjector(runtime.settings.inject_seed)
        self.tokens = TokenCodec(runtime.secret)
        runtime.on_update(self._on_settings)

    def _on_settings(self, settings: Settings, changes: dict[str, Any]) -> None:
        if "inject_seed" in changes:
            self.faults.reseed(settings.inject_seed)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def now(self) -> float:
        return self.runtime.clock.time()

    def monotonic(self) -> float:
        return self.runtime.clock.monotonic()

    def transition(self) -> float:
        return self.settings.state_transition_seconds

    def region_of(self, ref: StreamRef) -> Region:
        return self.registry.region(ref.account_id, ref.region)

    def find(self, ref: StreamRef, now: float) -> Stream:
        stream = self.region_of(ref).get(ref.name, now)
        if stream is None:
            raise stream_not_found(ref.name, ref.account_id)
        return stream

    @contextmanager
    def held(self, ctx: RequestContext, params: dict[str, Any], now: float | None = None) -> Iterator[Stream]:
        """The stream the request names, locked and settled; ResourceNotFoundException when there is none."""
        now = self.now() if now is None else now
        ref = stream_ref(ctx, params)
        assert ref is not None
        stream = self.find(ref, now)
        with stream.lock:
            stream.settle(now)
            if stream.gone(now):
                raise stream_not_found(ref.name, ref.account_id)
            yield stream

    def shard_limits(self, shard: Shard) -> ShardLimits:
        """The shard's token buckets, made when limits are first on."""
        if shard.limits is None:
            shard.limits = ShardLimits(self.monotonic)
        return shard.limits

    @staticmethod
    def require_active(stream: Stream) -> None:
        if stream.status != "ACTIVE":
            raise not_active(stream.name, stream.account_id, stream.status)

    def publish(self, stream: Stream, values: dict[str, tuple[float, str]], timestamp: float) -> None:
        """CloudWatch datapoints for the stream (name: (value, unit)), dimension StreamName as AWS publishes."""
        metrics = self.runtime.metrics
        dimensions = {"StreamName": stream.name}
        for name, (value, unit) in values.items():
            metrics.put(stream.account_id, stream.region, NAMESPACE, name, dimensions, value, unit, timestamp)


def unknown_operation(operation: str) -> AwsError:
    return AwsError("UnknownOperationException", f"{operation} is not supported by this endpoint.")
