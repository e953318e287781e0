"""Kinesis Data Streams, owned outright: streams, shards, records, iterators, resharding, tags, consumers, the
shard limits and injected faults, on the endpoint's clock. See service.py for the entry point."""

from localaws.kinesis.service import KinesisService

__all__ = ["KinesisService"]
