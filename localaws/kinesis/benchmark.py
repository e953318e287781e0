"""In-process speed of the Kinesis service (figures for the report; no test asserts on time).

    .venv/bin/python -m localaws.kinesis.benchmark

PutRecords of 500 entries of 100 bytes into one shard, from an empty shard and again once it holds 1,000,000
records; an empty GetRecords at the tip; GetShardIterator; CreateStream with 1e11 shards. Calls go through
`authorization` and `call` with a fresh request context each, as the front door makes them (no HTTP, no
validation). Each figure is the best of five rounds, as wall time and as this process's CPU time (on a shared,
busy machine the CPU time is the steadier one).
"""

import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localaws.clock import Clock
from localaws.context import Principal, RequestContext
from localaws.kinesis import KinesisService
from localaws.runtime import Runtime
from localaws.settings import Settings

ACCOUNT = "123456789012"
ROUNDS = 5


def _context(runtime: Runtime, operation: str) -> RequestContext:
    principal = Principal(ACCOUNT, "admin", f"arn:aws:iam::{ACCOUNT}:root", "admin", ACCOUNT)
    return RequestContext(
        "kinesis", operation, "us-east-1", ACCOUNT, principal, str(uuid.uuid4()), runtime.clock, runtime.settings
    )


def _call(service: KinesisService, runtime: Runtime, operation: str, **params: Any) -> Any:
    ctx = _context(runtime, operation)
    service.authorization(ctx, params)
    return service.call(ctx, params)


def _best(step: Callable[[], None], calls: int) -> tuple[float, float]:
    """Seconds per call, (wall, cpu), the best of ROUNDS rounds of `calls` calls."""
    walls, cpus = [], []
    for _ in range(ROUNDS):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(calls):
            step()
        walls.append((time.perf_counter() - wall) / calls)
        cpus.append((time.process_time() - cpu) / calls)
    return min(walls), min(cpus)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = Clock()
        runtime = Runtime(Settings(state_dir=Path(folder)), clock=clock)
        service = KinesisService(runtime)
        _call(service, runtime, "CreateStream", StreamName="bench", ShardCount=1)
        clock.advance(1)
        batch = [{"PartitionKey": f"unicorn-{n % 20}", "Data": b"x" * 100} for n in range(500)]

        def put() -> None:
            _call(service, runtime, "PutRecords", StreamName="bench", Records=batch)

        empty = _best(put, 20)
        while sum(count["records"] for count in service.stored_records()) < 1_000_000:
            put()
        full = _best(put, 20)
        for label, (wall, cpu) in (("0", empty), ("1M", full)):
            print(
                f"PutRecords x500 (100 B) at {label:>2} records: wall {wall * 1000:.2f} ms/call "
                f"({wall / 500 * 1e6:.2f} µs/record), cpu {cpu * 1000:.2f} ms/call ({cpu / 500 * 1e6:.2f} µs/record)"
            )
        print(f"rate at 1M / rate at 0: wall {empty[0] / full[0]:.2f}, cpu {empty[1] / full[1]:.2f}")
        iterator = [
            _call(service, runtime, "GetShardIterator", StreamName="bench", ShardId="0", ShardIteratorType="LATEST")[
                "ShardIterator"
            ]
        ]

        def poll() -> None:
            iterator[0] = _call(service, runtime, "GetRecords", ShardIterator=iterator[0])["NextShardIterator"]

        wall, cpu = _best(poll, 2000)
        print(f"GetRecords at the tip (empty): wall {wall * 1e6:.1f} µs/call, cpu {cpu * 1e6:.1f} µs/call")

        def get_iterator() -> None:
            _call(service, runtime, "GetShardIterator", StreamName="bench", ShardId="0", ShardIteratorType="LATEST")

        wall, cpu = _best(get_iterator, 2000)
        print(f"GetShardIterator: wall {wall * 1e6:.1f} µs/call, cpu {cpu * 1e6:.1f} µs/call")
        horizon = _call(
            service, runtime, "GetShardIterator", StreamName="bench", ShardId="0", ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        wall, cpu = _best(lambda: _call(service, runtime, "GetRecords", ShardIterator=horizon), 3)
        print(f"GetRecords of 10,000 records: wall {wall * 1000:.1f} ms, cpu {cpu * 1000:.1f} ms")

        def absurd() -> None:
            try:
                _call(service, runtime, "CreateStream", StreamName="huge", ShardCount=100_000_000_000)
            except Exception as refused:  # the LimitExceededException is the point
                assert getattr(refused, "code", None) == "LimitExceededException"

        wall, cpu = _best(absurd, 100)
        print(f"CreateStream ShardCount=1e11 refused: wall {wall * 1e6:.0f} µs, cpu {cpu * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
