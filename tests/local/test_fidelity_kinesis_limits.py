"""Resharding and shard limits in the fidelity layer (simulator/local/fidelity/kinesis.py):
`reshard_leaves_puts_on_closed_parents` and `no_throughput_limits`.

Each fix has tests over HTTP on a real endpoint and a companion that shows the defect on plain moto
5.2.5. Endpoints with special options (limits on, faults injected) are started for the test or the
module. Throttling is shown with calls made back to back, well within the second the limits count.
"""

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from simulator.local import accounts
from simulator.local.fidelity import kinesis as kinesis_fixes
from tests.conftest import REGION, Endpoint, free_port, running_endpoint
from tests.local.test_fidelity_kinesis import SHARD, create_stream, stored
from tests.local.test_launcher import simulate

MAX_HASH_KEY = 2**128 - 1
RATE_EXCEEDED = re.compile(r"Rate exceeded for shard shardId-\d{12} in stream [\w-]+ under account \d{12}\.")


def no_retry_client(endpoint: Endpoint, service: str = "kinesis") -> Any:
    """A client that shows every throttle: botocore retries ProvisionedThroughputExceededException by default."""
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint.url,
        aws_access_key_id=accounts.admin_access_key(accounts.DEFAULT_ACCOUNT_ID),
        aws_secret_access_key=accounts.LOCAL_ADMIN_SECRET,
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def error_code(error: ClientError) -> tuple[str, int]:
    return error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]


def post_settings(endpoint: Endpoint, payload: Any) -> tuple[int, dict]:
    """POST /_wildrydes/settings; the status and the JSON answer, errors included."""
    request = urllib.request.Request(
        f"{endpoint.url}/_wildrydes/settings", data=json.dumps(payload).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def shards_of(client: Any, stream: str) -> list[dict]:
    return client.list_shards(StreamName=stream)["Shards"]


def is_closed(shard: dict) -> bool:
    return "EndingSequenceNumber" in shard["SequenceNumberRange"]


def read_shard(client: Any, stream: str, shard: str, max_calls: int = 50) -> tuple[list[dict], bool]:
    """Read a shard from TRIM_HORIZON to its tip (an empty page) or its end (no NextShardIterator):
    its records, and whether the iterator ended."""
    position = client.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    records: list[dict] = []
    for _ in range(max_calls):
        reply = client.get_records(ShardIterator=position, Limit=25)  # small pages: the end comes after several
        records += reply["Records"]
        position = reply.get("NextShardIterator")
        if position is None:
            return records, True
        if not reply["Records"]:
            return records, False
    raise AssertionError(f"{shard} did not end in {max_calls} calls")


def lineage_order(shards: list[dict]) -> list[dict]:
    """Shards ordered so that every shard comes after its parents (how a reader must walk them)."""
    by_id = {shard["ShardId"]: shard for shard in shards}
    ordered: list[dict] = []
    seen: set[str] = set()

    def visit(shard_id: str) -> None:
        if shard_id in seen or shard_id not in by_id:
            return
        seen.add(shard_id)
        for key in ("ParentShardId", "AdjacentParentShardId"):
            if key in by_id[shard_id]:
                visit(by_id[shard_id][key])
        ordered.append(by_id[shard_id])

    for shard_id in sorted(by_id):
        visit(shard_id)
    return ordered


# --- reshard_leaves_puts_on_closed_parents --------------------------------------------------------

KEYS = [f"unicorn-{index}" for index in range(60)]


def scale_one_two_one(endpoint: Endpoint, stream: str) -> dict[str, Any]:
    """1 shard, 60 records; UpdateShardCount to 2, 60 more; back to 1, 60 more (one per key each time).
    Then walk the lineage: parents to their end, then their children."""
    client = endpoint.client("kinesis")
    create_stream(client, stream)
    landed: dict[str, set[str]] = {}
    sequence_numbers: dict[str, list[int]] = {}

    def put(tag: str) -> None:
        reply = client.put_records(
            StreamName=stream, Records=[{"Data": f"{tag}/{key}".encode(), "PartitionKey": key} for key in KEYS]
        )
        assert reply.get("FailedRecordCount", 0) == 0
        landed[tag] = {entry["ShardId"] for entry in reply["Records"]}
        sequence_numbers[tag] = [int(entry["SequenceNumber"]) for entry in reply["Records"]]

    put("before")
    client.update_shard_count(StreamName=stream, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    put("between")
    client.update_shard_count(StreamName=stream, TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    put("after")
    shards = shards_of(client, stream)
    walked = []
    ended = {}
    for shard in lineage_order(shards):
        records, ended[shard["ShardId"]] = read_shard(client, stream, shard["ShardId"])
        walked += [(shard["ShardId"], int(r["SequenceNumber"]), r["Data"].decode()) for r in records]
    return {
        "shards": shards,
        "described": client.describe_stream(StreamName=stream)["StreamDescription"]["Shards"],
        "landed": landed,
        "sequence numbers": sequence_numbers,
        "walked": walked,
        "ended": ended,
        "put": [f"{tag}/{key}" for tag in ("before", "between", "after") for key in KEYS],
    }


def test_scaling_up_and_down_closes_parents_and_routes_to_open_children(endpoint):
    outcome = scale_one_two_one(endpoint, "reshard-1-2-1")
    shards = {shard["ShardId"]: shard for shard in outcome["shards"]}
    first, left, right, merged = (f"shardId-00000000000{n}" for n in range(4))
    assert sorted(shards) == [first, left, right, merged]
    assert outcome["described"] == outcome["shards"]
    # lineage: the split's children name the parent, the merge's child both of its parents
    assert shards[left]["ParentShardId"] == shards[right]["ParentShardId"] == first
    assert (shards[merged]["ParentShardId"], shards[merged]["AdjacentParentShardId"]) == (left, right)
    assert [is_closed(shards[s]) for s in (first, left, right, merged)] == [True, True, True, False]
    assert shards[left]["HashKeyRange"]["EndingHashKey"] == str(2**127 - 1)
    assert shards[right]["HashKeyRange"] == {"StartingHashKey": str(2**127), "EndingHashKey": str(MAX_HASH_KEY)}
    # puts land only in the shards open at the time, by the hash of their partition key
    assert outcome["landed"] == {"before": {first}, "between": {left, right}, "after": {merged}}
    # every record is read exactly once, and each key's records in the order they were put
    data = [record for _, _, record in outcome["walked"]]
    assert sorted(data) == sorted(outcome["put"]) and len(set(data)) == len(data)
    for key in KEYS:
        assert [d.split("/")[0] for d in data if d.endswith(f"/{key}")] == ["before", "between", "after"]
    # closed shards end their iterators; the open one reads to its tip
    assert outcome["ended"] == {first: True, left: True, right: True, merged: False}
    # sequence numbers: a child's start and records follow its parents' end and records
    for shard in shards.values():
        for key in ("ParentShardId", "AdjacentParentShardId"):
            if key in shard:
                parent = shards[shard[key]]["SequenceNumberRange"]
                assert int(shard["SequenceNumberRange"]["StartingSequenceNumber"]) > int(parent["EndingSequenceNumber"])
    numbers = outcome["sequence numbers"]
    assert max(numbers["before"]) < min(numbers["between"]) and max(numbers["between"]) < min(numbers["after"])
    for shard_id, number, _ in outcome["walked"]:
        shard = shards[shard_id]["SequenceNumberRange"]
        assert int(shard["StartingSequenceNumber"]) <= number <= int(shard.get("EndingSequenceNumber", number))


def test_plain_moto_keeps_putting_to_the_closed_parent(plain_endpoint):
    outcome = scale_one_two_one(plain_endpoint, "reshard-1-2-1")
    closed = {shard["ShardId"] for shard in outcome["shards"] if is_closed(shard)}
    assert outcome["landed"]["between"] == outcome["landed"]["after"] == {SHARD}  # the closed parent
    assert SHARD in closed
    assert not any(outcome["ended"].values())  # no closed shard's iterator ever ends


def scale_one_to_three(endpoint: Endpoint, stream: str) -> dict[str, Any]:
    client = endpoint.client("kinesis")
    create_stream(client, stream)
    client.put_records(StreamName=stream, Records=[{"Data": b"before", "PartitionKey": key} for key in KEYS])
    reply = client.update_shard_count(StreamName=stream, TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    landed = client.put_records(StreamName=stream, Records=[{"Data": b"after", "PartitionKey": key} for key in KEYS])
    shards = shards_of(client, stream)
    return {
        "reply": (reply["CurrentShardCount"], reply["TargetShardCount"]),
        "open": [shard for shard in shards if not is_closed(shard)],
        "landed": {entry["ShardId"] for entry in landed["Records"]},
        "summary open count": client.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"][
            "OpenShardCount"
        ],
        "before on the parent": [r["Data"] for r in read_shard(client, stream, SHARD)[0]],
    }


def test_scaling_one_to_three_gives_three_equal_open_shards(endpoint):
    outcome = scale_one_to_three(endpoint, "reshard-1-3")
    assert outcome["reply"] == (1, 3) and outcome["summary open count"] == 3
    ranges = sorted(
        (int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])) for s in outcome["open"]
    )
    step = 2**128 // 3
    assert ranges == [(0, step - 1), (step, 2 * step - 1), (2 * step, MAX_HASH_KEY)]
    assert outcome["landed"] == {s["ShardId"] for s in outcome["open"]}  # 60 keys reach all three
    assert outcome["before on the parent"] == [b"before"] * len(KEYS)  # readable on the parent until trimmed


def test_plain_moto_scales_one_to_three_into_two(plain_endpoint):
    outcome = scale_one_to_three(plain_endpoint, "reshard-1-3")
    assert len(outcome["open"]) == 2 and outcome["summary open count"] == 3
    assert outcome["landed"] == {SHARD}


def test_parents_keep_their_records_until_trimmed(tmp_path):
    with running_endpoint(tmp_path) as endpoint:  # its own: the test moves the endpoint clock
        client = endpoint.client("kinesis")
        create_stream(client, "reshard-trim")
        client.put_records(StreamName="reshard-trim", Records=[{"Data": b"old", "PartitionKey": key} for key in KEYS])
        client.update_shard_count(StreamName="reshard-trim", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
        records, ended = read_shard(client, "reshard-trim", SHARD)
        assert [record["Data"] for record in records] == [b"old"] * len(KEYS) and ended
        endpoint.control("clock", {"advance_seconds": 25 * 3600})
        client.put_record(StreamName="reshard-trim", Data=b"new", PartitionKey="k")
        assert stored(endpoint, "reshard-trim")[SHARD] == 0
        assert read_shard(client, "reshard-trim", SHARD) == ([], True)  # trimmed away, and still at its end
        assert SHARD in {shard["ShardId"] for shard in shards_of(client, "reshard-trim")}


def put_at_range_ends(endpoint: Endpoint, stream: str) -> list[str]:
    """PutRecord with the ExplicitHashKey at each end of both shards of a 2-shard stream: the shard, or the error."""
    client = no_retry_client(endpoint)
    create_stream(client, stream, shards=2)
    landed = []
    for hash_key in (0, 2**127 - 1, 2**127, MAX_HASH_KEY):
        try:
            reply = client.put_record(StreamName=stream, Data=b"x", PartitionKey="k", ExplicitHashKey=str(hash_key))
            landed.append(reply["ShardId"][-1])
        except ClientError as error:
            landed.append(str(error_code(error)[1]))
    return landed


def test_keys_at_either_end_of_a_range_route_to_its_shard(endpoint):
    assert put_at_range_ends(endpoint, "range-ends") == ["0", "0", "1", "1"]


def test_plain_moto_routes_a_range_s_last_key_nowhere(plain_endpoint):
    assert put_at_range_ends(plain_endpoint, "range-ends") == ["0", "500", "1", "500"]


def test_split_and_merge_validate_as_aws(endpoint):
    client = endpoint.client("kinesis")
    create_stream(client, "reshard-validate", shards=3)
    client.split_shard(StreamName="reshard-validate", ShardToSplit=SHARD, NewStartingHashKey=str(2**100))
    with pytest.raises(ClientError, match="already been merged or split") as raised:
        client.split_shard(StreamName="reshard-validate", ShardToSplit=SHARD, NewStartingHashKey=str(2**99))
    assert error_code(raised.value) == ("InvalidArgumentException", 400)
    with pytest.raises(ClientError, match="not adjacent"):
        client.merge_shards(
            StreamName="reshard-validate",
            ShardToMerge="shardId-000000000001",
            AdjacentShardToMerge="shardId-000000000003",  # the split's left child: hash keys from 0
        )
    # adjacent in either order: the child covers both ranges
    client.merge_shards(
        StreamName="reshard-validate", ShardToMerge="shardId-000000000002", AdjacentShardToMerge="shardId-000000000001"
    )
    child = next(s for s in shards_of(client, "reshard-validate") if s["ShardId"] == "shardId-000000000005")
    assert child["HashKeyRange"] == {"StartingHashKey": str(2**128 // 3), "EndingHashKey": str(MAX_HASH_KEY)}
    assert (child["ParentShardId"], child["AdjacentParentShardId"]) == ("shardId-000000000002", "shardId-000000000001")


@pytest.fixture
def moto_streams() -> Iterator[Any]:
    """moto's kinesis models in this process with the reshard fix, restored afterwards."""
    from moto.kinesis import models

    classes = (models.Shard, models.Stream, models.Record, models.KinesisBackend)
    saved = {cls: dict(vars(cls)) for cls in classes}
    kinesis_fixes.reshard_leaves_puts_on_closed_parents()
    yield models
    for cls, before in saved.items():
        for name in set(vars(cls)) - set(before):
            delattr(cls, name)
        for name, value in before.items():
            if vars(cls).get(name) is not value:
                setattr(cls, name, value)


@pytest.mark.parametrize(("start", "target"), [(1, 2), (2, 1), (1, 3), (2, 3), (3, 2), (4, 1), (3, 7), (7, 3), (5, 5)])
def test_uniform_scaling_leaves_equal_ranges(moto_streams, start, target):
    stream = moto_streams.Stream("scaled", start, None, None, "123456789012", REGION)
    stream.update_shard_count(target)
    open_shards = sorted((s for s in stream.shards.values() if s.is_open), key=lambda s: s.starting_hash)
    step = 2**128 // target
    expected = [(i * step, (i + 1) * step - 1) for i in range(target - 1)] + [((target - 1) * step, MAX_HASH_KEY)]
    if start != target:
        assert [(s.starting_hash, s.ending_hash) for s in open_shards] == expected
    assert stream.shard_count == len(open_shards) == target
    for shard in stream.shards.values():  # every shard's parents are closed, and end before it starts
        for parent_id in filter(None, (shard.parent, shard.adjacent_parent)):
            parent = stream.shards[parent_id].to_json()["SequenceNumberRange"]
            assert int(parent["EndingSequenceNumber"]) < int(
                shard.to_json()["SequenceNumberRange"]["StartingSequenceNumber"]
            )


# --- no_throughput_limits: the limits ------------------------------------------------------------------


def burst(endpoint: Endpoint, stream: str, records: int = 3000) -> dict[str, Any]:
    """PutRecords `records` records to one shard in batches of 500, back to back (well within a second)."""
    client = no_retry_client(endpoint)
    create_stream(client, stream)
    accepted = 0
    failed: list[dict] = []
    failed_counts = 0
    for batch in range(0, records, 500):
        reply = client.put_records(
            StreamName=stream,
            Records=[
                {"Data": f"r-{index}".encode(), "PartitionKey": f"k-{index}"} for index in range(batch, batch + 500)
            ],
        )
        accepted += sum(1 for entry in reply["Records"] if "SequenceNumber" in entry)
        failed += [entry for entry in reply["Records"] if "ErrorCode" in entry]
        failed_counts += reply.get("FailedRecordCount", 0)
    return {
        "accepted": accepted,
        "failed": failed,
        "FailedRecordCount": failed_counts,
        "stored": stored(endpoint, stream),
    }


def get_records_in_a_loop(endpoint: Endpoint, stream: str, calls: int = 10) -> list[str]:
    """GetRecords `calls` times back to back on one shard; the error code of each throttled call."""
    client = no_retry_client(endpoint)
    create_stream(client, stream)
    client.put_record(StreamName=stream, Data=b"one", PartitionKey="k")
    position = client.get_shard_iterator(StreamName=stream, ShardId=SHARD, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    throttled = []
    for _ in range(calls):
        try:
            position = client.get_records(ShardIterator=position)["NextShardIterator"]
        except ClientError as error:
            code, status = error_code(error)
            assert RATE_EXCEEDED.fullmatch(error.response["Error"]["Message"]), error.response["Error"]
            throttled.append(f"{code} {status}")
    return throttled


@pytest.fixture(scope="module")
def limited_endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    with running_endpoint(tmp_path_factory.mktemp("limited"), kinesis_limits=True) as running:
        yield running


def test_burst_beyond_1000_records_a_second_is_throttled_per_entry(limited_endpoint):
    outcome = burst(limited_endpoint, "limits-burst")
    assert outcome["failed"], "3,000 records within a second: some must be refused"
    assert outcome["accepted"] >= 1000  # the first second's worth goes through
    assert outcome["accepted"] + len(outcome["failed"]) == 3000
    assert outcome["FailedRecordCount"] == len(outcome["failed"])
    assert outcome["stored"] == {SHARD: outcome["accepted"]}  # refused entries are not stored
    assert {entry["ErrorCode"] for entry in outcome["failed"]} == {"ProvisionedThroughputExceededException"}
    for entry in outcome["failed"]:
        assert RATE_EXCEEDED.fullmatch(entry["ErrorMessage"]) and "limits-burst" in entry["ErrorMessage"]
        assert "SequenceNumber" not in entry and "ShardId" not in entry


def test_get_records_beyond_5_calls_a_second_is_throttled(limited_endpoint):
    throttled = get_records_in_a_loop(limited_endpoint, "limits-reads")
    assert throttled and set(throttled) == {"ProvisionedThroughputExceededException 400"}
    assert len(throttled) <= 10 - 5  # the first 5 calls of the second go through


def test_put_record_beyond_1_mib_a_second_is_throttled(limited_endpoint):
    client = no_retry_client(limited_endpoint)
    create_stream(client, "limits-bytes")
    outcomes = []
    for _ in range(4):  # 4 x 900 KiB back to back: the 1 MiB a second holds one of them
        try:
            client.put_record(StreamName="limits-bytes", Data=b"x" * (900 * 1024), PartitionKey="k")
            outcomes.append("stored")
        except ClientError as error:
            outcomes.append(" ".join(map(str, error_code(error))))
    assert outcomes[0] == "stored" and "ProvisionedThroughputExceededException 400" in outcomes
    assert stored(limited_endpoint, "limits-bytes") == {SHARD: outcomes.count("stored")}


def test_reading_over_2_mib_refuses_reads_until_repaid(tmp_path):
    with running_endpoint(tmp_path) as endpoint:  # limits off while writing 2.7 MiB at once
        client = no_retry_client(endpoint)
        create_stream(client, "limits-read-bytes")
        for _ in range(3):
            client.put_record(StreamName="limits-read-bytes", Data=b"x" * (900 * 1024), PartitionKey="k")
        assert endpoint.control("settings", {"kinesis_limits": True})["kinesis_limits"] is True  # switched at run time
        position = client.get_shard_iterator(
            StreamName="limits-read-bytes", ShardId=SHARD, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        reply = client.get_records(ShardIterator=position)
        assert len(reply["Records"]) == 3  # one call may read more than 2 MiB ...
        with pytest.raises(ClientError) as raised:  # ... but the next reads wait until the excess is repaid
            client.get_records(ShardIterator=reply["NextShardIterator"])
        assert error_code(raised.value) == ("ProvisionedThroughputExceededException", 400)


def test_limits_are_off_by_default(endpoint):
    outcome = burst(endpoint, "limits-off-burst")
    assert outcome["accepted"] == 3000 and not outcome["failed"]
    assert get_records_in_a_loop(endpoint, "limits-off-reads") == []


@pytest.fixture(scope="module")
def plain_with_limits(tmp_path_factory) -> Iterator[Endpoint]:
    """Plain moto started with limits on and faults injected: the options do nothing there."""
    with running_endpoint(
        tmp_path_factory.mktemp("plain-limits"),
        fidelity=False,
        kinesis_limits=True,
        inject_throttle=0.5,
        inject_put_failures=0.5,
    ) as running:
        yield running


def test_plain_moto_never_throttles(plain_with_limits):
    outcome = burst(plain_with_limits, "limits-burst")
    assert outcome["accepted"] == 3000 and not outcome["failed"]
    assert get_records_in_a_loop(plain_with_limits, "limits-reads") == []


# --- no_throughput_limits: injected faults ----------------------------------------------------------


@pytest.fixture(scope="module")
def injecting_endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    with running_endpoint(tmp_path_factory.mktemp("injecting"), inject_put_failures=0.1, inject_seed=7) as running:
        yield running


def put_with_failures(endpoint: Endpoint, stream: str, count: int = 2000) -> dict[str, Any]:
    """PutRecords `count` records (batches of 500) to a fresh stream; what failed, at which index."""
    client = no_retry_client(endpoint)
    create_stream(client, stream, shards=2)
    failed: dict[int, str] = {}
    accepted = 0
    failed_counts = 0
    for batch in range(0, count, 500):
        reply = client.put_records(
            StreamName=stream,
            Records=[
                {"Data": f"r-{index}".encode(), "PartitionKey": f"k-{index}"} for index in range(batch, batch + 500)
            ],
        )
        failed_counts += reply["FailedRecordCount"]
        for index, entry in enumerate(reply["Records"], batch):
            if "ErrorCode" in entry:
                failed[index] = entry["ErrorCode"]
                expected = "Internal service failure." if entry["ErrorCode"] == "InternalFailure" else RATE_EXCEEDED
                assert re.fullmatch(expected, entry["ErrorMessage"]), entry
            else:
                accepted += 1
    return {
        "failed": failed,
        "accepted": accepted,
        "FailedRecordCount": failed_counts,
        "stored": sum(stored(endpoint, stream).values()),
    }


def test_injected_put_failures_fail_a_fraction_of_entries_and_store_none_of_them(injecting_endpoint):
    post_settings(injecting_endpoint, {"inject_seed": 7, "inject_put_failures": 0.1, "inject_throttle": 0.0})
    outcome = put_with_failures(injecting_endpoint, "inject-put-failures")
    assert 0.05 * 2000 <= len(outcome["failed"]) <= 0.15 * 2000
    assert outcome["FailedRecordCount"] == len(outcome["failed"])
    assert outcome["stored"] == outcome["accepted"] == 2000 - len(outcome["failed"])
    codes = [outcome["failed"][index] for index in sorted(outcome["failed"])]
    assert all(before != after for before, after in pairwise(codes))  # alternately ...
    assert codes[0] == "ProvisionedThroughputExceededException" and codes[1] == "InternalFailure"  # ... from this


def test_injected_faults_repeat_with_the_seed(injecting_endpoint):
    post_settings(injecting_endpoint, {"inject_seed": 42, "inject_put_failures": 0.1, "inject_throttle": 0.0})
    first = put_with_failures(injecting_endpoint, "inject-seed-a", count=500)
    post_settings(injecting_endpoint, {"inject_seed": 42})
    again = put_with_failures(injecting_endpoint, "inject-seed-b", count=500)
    post_settings(injecting_endpoint, {"inject_seed": 43})
    other = put_with_failures(injecting_endpoint, "inject-seed-c", count=500)
    assert first["failed"] == again["failed"] and first["failed"] != other["failed"]


def test_injected_throttles_answer_a_fraction_of_calls(injecting_endpoint):
    post_settings(injecting_endpoint, {"inject_seed": 1, "inject_put_failures": 0.0, "inject_throttle": 0.5})
    client = no_retry_client(injecting_endpoint)
    create_stream(client, "inject-throttle")
    outcomes = []
    for index in range(40):
        try:
            client.put_record(StreamName="inject-throttle", Data=f"r-{index}".encode(), PartitionKey="k")
            outcomes.append("stored")
        except ClientError as error:
            assert RATE_EXCEEDED.fullmatch(error.response["Error"]["Message"])
            outcomes.append(" ".join(map(str, error_code(error))))
    assert set(outcomes) == {"stored", "ProvisionedThroughputExceededException 400"}
    assert stored(injecting_endpoint, "inject-throttle") == {SHARD: outcomes.count("stored")}
    position = client.get_shard_iterator(StreamName="inject-throttle", ShardId=SHARD, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]
    reads = []
    for _ in range(40):
        try:
            client.get_records(ShardIterator=position)
            reads.append("read")
        except ClientError as error:
            reads.append(" ".join(map(str, error_code(error))))
    assert set(reads) == {"read", "ProvisionedThroughputExceededException 400"}
    post_settings(injecting_endpoint, {"inject_throttle": 1})  # every call
    with pytest.raises(ClientError, match="Rate exceeded"):
        client.get_records(ShardIterator=position)
    post_settings(injecting_endpoint, {"inject_throttle": 0})
    client.get_records(ShardIterator=position)


def test_plain_moto_injects_nothing(plain_with_limits):
    outcome = put_with_failures(plain_with_limits, "inject-put-failures")
    assert outcome["failed"] == {} and outcome["stored"] == 2000


# --- settings and start flags --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"inject_throttle": 1.5}, "inject_throttle must be a fraction from 0 to 1"),
        ({"inject_put_failures": -0.1}, "inject_put_failures must be a fraction from 0 to 1"),
        ({"inject_throttle": "0.1"}, "inject_throttle must be float"),
        ({"kinesis_limits": 1}, "kinesis_limits must be bool"),
        ({"kinesis_limits": "yes"}, "kinesis_limits must be bool"),
        ({"inject_seed": 1.5}, "inject_seed must be int"),
        ({"inject_put_failures": 0.2, "inject_throttle": 2}, "inject_throttle must be a fraction from 0 to 1"),
        ({"kinesis_limit": True}, "unknown setting(s): kinesis_limit"),
        ([0.1], "settings must be a JSON object"),
    ],
)
def test_settings_are_validated(injecting_endpoint, change, message):
    before = injecting_endpoint.control("settings")
    status, answer = post_settings(injecting_endpoint, change)
    assert (status, answer) == (400, {"error": answer["error"]}) and message in answer["error"]
    assert injecting_endpoint.control("settings") == before  # nothing changed, not even the valid part


def test_fraction_settings_take_whole_numbers(injecting_endpoint):
    status, answer = post_settings(injecting_endpoint, {"inject_throttle": 0, "inject_put_failures": 1})
    assert status == 200 and (answer["inject_throttle"], answer["inject_put_failures"]) == (0.0, 1.0)
    post_settings(injecting_endpoint, {"inject_put_failures": 0.1})


def test_start_flags_reach_the_endpoint(tmp_path):
    port = free_port()
    started = simulate(tmp_path, "local", "start", "--port", str(port), "--kinesis-limits", "--inject-throttle", "0.1")
    try:
        assert started.returncode == 0, started.stderr
        endpoint = Endpoint(url=f"http://127.0.0.1:{port}", port=port, state_dir=tmp_path)
        options = endpoint.control("health")["options"]
        settings = endpoint.control("settings")
        status = simulate(tmp_path, "local", "status")
    finally:
        simulate(tmp_path, "local", "stop")
    assert (options["kinesis_limits"], options["inject_throttle"], options["inject_put_failures"]) == (True, 0.1, 0.0)
    assert (settings["kinesis_limits"], settings["inject_throttle"], settings["inject_put_failures"]) == (
        True,
        0.1,
        0.0,
    )
    assert "Kinesis limits on" in status.stdout


def test_start_refuses_a_fraction_over_one(tmp_path):
    result = simulate(tmp_path, "local", "start", "--port", str(free_port()), "--inject-put-failures", "1.5")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "--inject-put-failures" in result.stderr and "less than or equal to 1" in result.stderr
    assert not (tmp_path / "endpoint.json").exists()
