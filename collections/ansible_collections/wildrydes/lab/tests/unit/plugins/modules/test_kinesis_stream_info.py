# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""kinesis_stream_info's reads (module_utils.kinesis) against stubbed Kinesis answers."""

from __future__ import annotations

from ansible_collections.wildrydes.lab.plugins.module_utils.kinesis import describe, list_tags, owned
from ansible_collections.wildrydes.lab.tests.unit.plugins.modules.kinesis_stubs import (
    ARN,
    expect_describe,
    expect_missing,
    shard,
    summary,
)


def test_a_missing_stream_is_none(stubbed):
    client, stub = stubbed("kinesis")
    expect_missing(stub)
    assert describe(client, "wildrydes") is None


def test_describes_status_mode_shards_encryption_and_tags(stubbed):
    client, stub = stubbed("kinesis")
    expect_describe(
        stub, tags={"ManagedBy": "wildrydes-lab"}, shards=2, closed=1, encryption="KMS", key_id="alias/aws/kinesis"
    )
    assert describe(client, "wildrydes") == {
        "stream_name": "wildrydes",
        "stream_arn": ARN,
        "stream_status": "ACTIVE",
        "stream_mode": "PROVISIONED",
        "open_shard_count": 2,
        "retention_period_hours": 24,
        "encryption_type": "KMS",
        "key_id": "alias/aws/kinesis",
        "consumer_count": 0,
        "tags": {"ManagedBy": "wildrydes-lab"},
    }


def test_shards_are_read_across_every_page(stubbed):
    client, stub = stubbed("kinesis")
    stub.add_response("describe_stream_summary", summary(shards=3), {"StreamName": "wildrydes"})
    stub.add_response(
        "list_shards", {"Shards": [shard(0), shard(1)], "NextToken": "page2"}, {"StreamName": "wildrydes"}
    )
    stub.add_response("list_shards", {"Shards": [shard(2)]}, {"NextToken": "page2"})
    stub.add_response("list_tags_for_stream", {"Tags": [], "HasMoreTags": False}, {"StreamName": "wildrydes"})
    assert describe(client, "wildrydes")["open_shard_count"] == 3


def test_tags_are_read_across_every_page(stubbed):
    client, stub = stubbed("kinesis")
    stub.add_response(
        "list_tags_for_stream",
        {"Tags": [{"Key": "A", "Value": "1"}], "HasMoreTags": True},
        {"StreamName": "wildrydes"},
    )
    stub.add_response(
        "list_tags_for_stream",
        {"Tags": [{"Key": "B", "Value": "2"}], "HasMoreTags": False},
        {"StreamName": "wildrydes", "ExclusiveStartTagKey": "A"},
    )
    assert list_tags(client, "wildrydes") == {"A": "1", "B": "2"}


def test_a_stream_still_creating_lists_no_shards(stubbed):
    client, stub = stubbed("kinesis")
    expect_describe(stub, status="CREATING", shards=0)
    assert describe(client, "wildrydes")["open_shard_count"] == 0


def test_owned_needs_every_owner_tag_key_and_value():
    assert owned({"ManagedBy": "wildrydes-lab", "X": "1"}, {"ManagedBy": "wildrydes-lab"})
    assert not owned({"ManagedBy": "someone-else"}, {"ManagedBy": "wildrydes-lab"})
    assert not owned({}, {"ManagedBy": "wildrydes-lab"})
    assert not owned({"ManagedBy": "wildrydes-lab"}, {})
