# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading a Kinesis data stream the way kinesis_stream and kinesis_stream_info both need it.

Every call goes through the client's retry wrapper (aws_retry=True), page by page.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# AWS answers LimitExceededException when an account makes too many control-plane calls at once (a class
# provisioning many streams), and ResourceInUseException for a stream that is still changing.
RETRY = AWSRetry.jittered_backoff(catch_extra_error_codes=["LimitExceededException"])
# Seconds between two looks at a changing stream (botocore's waiter default is 10, far longer than the local
# endpoint's transitions and a large share of a short AWS one). Two looks a second stay well within DescribeStream's
# 10 calls a second per account, and a new stream on the local endpoint (0.5 s CREATING) is seen ACTIVE at the second
# look instead of after a whole second.
WAIT_DELAY = 0.5


def _list_shards(client, name):
    """Every shard, page by page. Not botocore's list_shards paginator: it repeats StreamName beside NextToken,
    which Kinesis refuses ("NextToken and StreamName cannot be provided together") once there is a second page."""
    shards, request = [], {"StreamName": name}
    while True:
        page = client.list_shards(aws_retry=True, **request)
        shards.extend(page.get("Shards", []))
        if not page.get("NextToken"):
            return shards
        request = {"NextToken": page["NextToken"]}


def open_shard_count(client, name):
    """Shards that accept records: those whose sequence number range has no end."""
    return sum(1 for shard in _list_shards(client, name) if "EndingSequenceNumber" not in shard["SequenceNumberRange"])


def list_tags(client, name):
    """All tags of the stream (ListTagsForStream has no paginator: it pages by ExclusiveStartTagKey)."""
    tags, start = {}, None
    while True:
        page = client.list_tags_for_stream(
            aws_retry=True, StreamName=name, **({"ExclusiveStartTagKey": start} if start else {})
        )
        for tag in page.get("Tags", []):
            tags[tag["Key"]] = tag.get("Value", "")
        if not page.get("HasMoreTags") or not page.get("Tags"):
            return tags
        start = page["Tags"][-1]["Key"]


def describe_summary(client, name):
    """DescribeStreamSummary's description, or None when the stream does not exist."""
    try:
        return client.describe_stream_summary(aws_retry=True, StreamName=name)["StreamDescriptionSummary"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None


def stream_view(summary, tags, open_shards):
    """The stream as both modules return it (snake_case, AWS's defaults made explicit)."""
    encryption = summary.get("EncryptionType") or "NONE"
    return {
        "stream_name": summary["StreamName"],
        "stream_arn": summary["StreamARN"],
        "stream_status": summary["StreamStatus"],
        "stream_mode": (summary.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED"),
        "open_shard_count": open_shards,
        "retention_period_hours": summary["RetentionPeriodHours"],
        "encryption_type": encryption,
        "key_id": summary.get("KeyId") if encryption == "KMS" else None,
        "consumer_count": summary.get("ConsumerCount", 0),
        "tags": dict(sorted(tags.items())),
    }


def describe(client, name):
    """The stream's view, or None when it does not exist. Shards of a stream still CREATING are not listed."""
    summary = describe_summary(client, name)
    if summary is None:
        return None
    shards = open_shard_count(client, name) if summary["StreamStatus"] != "CREATING" else 0
    return stream_view(summary, list_tags(client, name), shards)


def owned(tags, owner_tag):
    """Whether tags carry every key=value of owner_tag (the automation's mark on what it created)."""
    return bool(owner_tag) and all(tags.get(key) == value for key, value in owner_tag.items())


def wait_for(client, waiter_name, name, timeout):
    """botocore's own Kinesis waiter (stream_exists: ACTIVE; stream_not_exists: gone), polled every WAIT_DELAY s."""
    attempts = max(1, int(timeout // WAIT_DELAY))
    client.get_waiter(waiter_name).wait(StreamName=name, WaiterConfig={"Delay": WAIT_DELAY, "MaxAttempts": attempts})
