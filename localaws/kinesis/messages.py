"""The errors Kinesis answers, worded as AWS words them (kinesalite's suite, recorded against the live API,
gives most of the wording; where it is silent the wording is ours and says so in a comment)."""

import time

from localaws.errors import AwsError

SERVICE_LIMITS_PAGE = "http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html"


def invalid_argument(message: str) -> AwsError:
    return AwsError("InvalidArgumentException", message)


def stream_not_found(name: str, account_id: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Stream {name} under account {account_id} not found.")


def shard_not_found(shard: str, name: str, account_id: str) -> AwsError:
    """What GetShardIterator and GetRecords answer for a shard (or stream) that does not exist."""
    return AwsError(
        "ResourceNotFoundException", f"Shard {shard} in stream {name} under account {account_id} does not exist"
    )


def could_not_find_shard(shard: str, name: str, account_id: str) -> AwsError:
    """What SplitShard and MergeShards answer, and every call for a shard id that is no shard id at all."""
    return AwsError(
        "ResourceNotFoundException", f"Could not find shard {shard} in stream {name} under account {account_id}."
    )


def not_active(name: str, account_id: str, status: str) -> AwsError:
    return AwsError(
        "ResourceInUseException", f"Stream {name} under account {account_id} not ACTIVE, instead in state {status}"
    )


def already_exists(name: str, account_id: str) -> AwsError:
    return AwsError("ResourceInUseException", f"Stream {name} under account {account_id} already exists.")


def shard_limit(account_id: str, region: str, current: int, limit: int, additional: int) -> AwsError:
    return AwsError(
        "LimitExceededException",
        f"This request would exceed the shard limit for the account {account_id} in {region}. "
        f"Current shard count for the account: {current}. Limit: {limit}. "
        f"Number of additional shards that would have resulted from this request: {additional}. "
        f"Refer to the AWS Service Limits page ({SERVICE_LIMITS_PAGE}) for current limits and how to request "
        "higher limits.",
    )


def rate_exceeded(shard: str, name: str, account_id: str) -> str:
    return f"Rate exceeded for shard {shard} in stream {name} under account {account_id}."


def throughput_exceeded(shard: str, name: str, account_id: str) -> AwsError:
    return AwsError("ProvisionedThroughputExceededException", rate_exceeded(shard, name, account_id))


def _java_date(seconds: float) -> str:
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(seconds))


def iterator_expired(issued_at: float, now: float) -> AwsError:
    return AwsError(
        "ExpiredIteratorException",
        f"Iterator expired. The iterator was created at time {_java_date(issued_at)} while right now it is "
        f"{_java_date(now)} which is further in the future than the tolerated delay of 300000 milliseconds.",
    )


INVALID_ITERATOR = "Invalid ShardIterator."
BAD_TAG_CHARACTERS = (
    "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."
)


def bad_tag_percent(verb: str, name: str, account_id: str) -> AwsError:
    # AWS words a '%' differently from every other character it refuses (kinesalite's suite records both).
    where = "add tags to" if verb == "add" else "remove tags from"
    return invalid_argument(
        f"Failed to {where} stream {name} under account {account_id} because some tags contained illegal "
        "characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."
    )
