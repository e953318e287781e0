# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kinesis answers shaped as botocore's model requires them, for the Stubber."""

from __future__ import annotations

import datetime

ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/wildrydes"
CREATED = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)


def summary(status="ACTIVE", mode="PROVISIONED", retention=24, encryption="NONE", key_id=None, shards=1):
    description = {
        "StreamName": "wildrydes",
        "StreamARN": ARN,
        "StreamStatus": status,
        "StreamModeDetails": {"StreamMode": mode},
        "RetentionPeriodHours": retention,
        "StreamCreationTimestamp": CREATED,
        "EnhancedMonitoring": [],
        "EncryptionType": encryption,
        "OpenShardCount": shards,
        "ConsumerCount": 0,
    }
    if key_id:
        description["KeyId"] = key_id
    return {"StreamDescriptionSummary": description}


def shard(number, closed=False):
    sequence = {"StartingSequenceNumber": "1"}
    if closed:
        sequence["EndingSequenceNumber"] = "2"
    return {
        "ShardId": f"shardId-{number:012d}",
        "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": "1"},
        "SequenceNumberRange": sequence,
    }


def described(status="ACTIVE"):
    """DescribeStream, as the stream_exists waiter reads it."""
    return {
        "StreamDescription": {
            "StreamName": "wildrydes",
            "StreamARN": ARN,
            "StreamStatus": status,
            "Shards": [],
            "HasMoreShards": False,
            "RetentionPeriodHours": 24,
            "StreamCreationTimestamp": CREATED,
            "EnhancedMonitoring": [],
        }
    }


def expect_describe(stubber, tags=None, shards=1, closed=0, **summary_args):
    """The three reads of module_utils.kinesis.describe: summary, shards (one page), tags (one page)."""
    stubber.add_response("describe_stream_summary", summary(shards=shards, **summary_args), {"StreamName": "wildrydes"})
    if summary_args.get("status", "ACTIVE") != "CREATING":
        listed = [shard(n) for n in range(shards)] + [shard(100 + n, closed=True) for n in range(closed)]
        stubber.add_response("list_shards", {"Shards": listed}, {"StreamName": "wildrydes"})
    stubber.add_response(
        "list_tags_for_stream",
        {"Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()], "HasMoreTags": False},
        {"StreamName": "wildrydes"},
    )


def expect_missing(stubber):
    stubber.add_client_error("describe_stream_summary", "ResourceNotFoundException", http_status_code=400)


def expect_active(stubber):
    stubber.add_response("describe_stream", described("ACTIVE"), {"StreamName": "wildrydes"})
