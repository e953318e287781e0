"""Helpers of the SubscribeToShard tests: a stream with an ACTIVE consumer on a real endpoint, and a reader that
drains a botocore event stream on a thread so a test can wait for events with a bound."""

import contextlib
import queue
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, EventStreamError

END = object()
WAIT_SECONDS = 15.0


def until(check, what: str, seconds: float = WAIT_SECONDS, every: float = 0.05) -> Any:
    """Poll `check` until it returns something true (returned), or fail saying `what` never happened."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(every)


@dataclass
class Lab:
    kinesis: Any  # boto3 Kinesis client
    stream_arn: str
    consumer_arn: str

    def shards(self) -> list[str]:
        return [shard["ShardId"] for shard in self.kinesis.list_shards(StreamARN=self.stream_arn)["Shards"]]

    def subscribe(self, shard: str, kind: str = "TRIM_HORIZON", **position) -> "Reader":
        answer = self.kinesis.subscribe_to_shard(
            ConsumerARN=self.consumer_arn, ShardId=shard, StartingPosition={"Type": kind, **position}
        )
        return Reader(answer["EventStream"])


def active_stream(kinesis, name: str, shards: int = 1) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    until(
        lambda: (
            kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE"
        ),
        f"stream {name} ACTIVE",
    )
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def active_consumer(kinesis, stream_arn: str, name: str = "app") -> str:
    arn = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=name)["Consumer"]["ConsumerARN"]
    until(
        lambda: kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE",
        f"consumer {name} ACTIVE",
    )
    return arn


def make_lab(kinesis, name: str, shards: int = 1) -> Lab:
    stream_arn = active_stream(kinesis, name, shards)
    return Lab(kinesis, stream_arn, active_consumer(kinesis, stream_arn))


class Reader:
    """Reads a subscription's events on a thread; `next()` waits (bounded) for the next one."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.events: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for event in self.stream:
                self.events.put(event["SubscribeToShardEvent"])
        except (EventStreamError, ClientError) as error:
            self.events.put(error)
        except Exception as error:  # a closed connection while the test closes it
            self.events.put(error)
        self.events.put(END)

    def next(self, seconds: float = WAIT_SECONDS) -> Any:
        return self.events.get(timeout=seconds)

    def records(self, count: int, seconds: float = WAIT_SECONDS) -> tuple[list[dict], dict]:
        """The next `count` records (events in between may be empty) and the last event read."""
        found: list[dict] = []
        deadline = time.monotonic() + seconds
        event: Any = None
        while len(found) < count:
            event = self.next(max(0.01, deadline - time.monotonic()))
            if event is END or isinstance(event, Exception):
                raise AssertionError(f"the subscription ended after {len(found)} of {count} records: {event!r}")
            found.extend(event["Records"])
        return found, event

    def until_end(self, seconds: float = WAIT_SECONDS) -> list[Any]:
        """Every event up to the end of the subscription (the end marker not included)."""
        events = []
        while (event := self.next(seconds)) is not END:
            events.append(event)
        return events

    def close(self) -> None:
        """Hang up, as a client that goes away does: closing the response alone would leave the reading thread
        blocked in recv, so the socket is shut down under it (botocore reaches the same socket for its timeouts)."""
        with contextlib.suppress(AttributeError, OSError):
            self.stream._raw_stream._fp.fp.raw._sock.shutdown(socket.SHUT_RDWR)
        self.stream.close()
        self.thread.join(5)
        assert not self.thread.is_alive()
