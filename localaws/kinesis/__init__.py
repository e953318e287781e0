"""Kinesis Data Streams, owned outright (no moto): streams, shards, records, iterators, resharding, tags,
consumers, the shard throughput limits and injected faults, all on the endpoint's clock.

    service.py      KinesisService: dispatch, and the IAM accesses each call needs (same resolvers as the call)
    resolve.py      which stream or consumer a request names; contradictions refused before authorization
    core.py         shared state: stream tables, iterator and token codecs, fault dice, metrics
    registry.py     streams per account and region, the shard quota; lock order region -> stream
    model.py        Stream, Shard, Consumer: lazy states, routing, split/merge/uniform scaling, trimming
    records.py      a shard's record log (O(1) append and drop, bisecting seeks)
    sequence.py     56-digit sequence numbers in AWS's layout; shard ids in AWS's short forms
    iterators.py    sealed shard iterators (keyed BLAKE2b MAC + keystream, 5-minute life checked by the call)
    tokens.py       signed pagination tokens
    limits.py       token buckets and seeded fault injection
    ops_*.py, tags.py   the operations (ops_put: writes; ops_read: iterators and reads)
    messages.py     AWS's error wording
    benchmark.py    in-process speed figures (python -m localaws.kinesis.benchmark)

Choices where AWS's answer is not on record (each also said where it is made):
- StreamName and StreamARN (or ConsumerARN and StreamARN/ConsumerName) that disagree: InvalidArgumentException.
- A StreamARN (or an iterator) of another account: AccessDeniedException; of another region: ResourceNotFound.
- Operations of today's model this endpoint does not offer (queues, channels, resource policies, account
  settings, warm throughput, SubscribeToShard for now): UnknownOperationException (HTTP 400).
"""

from localaws.kinesis.service import KinesisService

__all__ = ["KinesisService"]
