"""CloudWatch metric buckets, as `simulate stats` reads them (fix metric_statistics_misbucketed)."""

from datetime import UTC, datetime, timedelta


def incoming_per_hour(endpoint, stream: str) -> list[tuple[datetime, float]]:
    end = datetime.now(UTC)
    start = end.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    reply = endpoint.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Kinesis",
        MetricName="IncomingRecords",
        Dimensions=[{"Name": "StreamName", "Value": stream}],
        StartTime=start,
        EndTime=end + timedelta(microseconds=1),
        Period=3600,
        Statistics=["Sum"],
    )
    return start, sorted((p["Timestamp"], p["Sum"]) for p in reply["Datapoints"])


def put_now(endpoint, stream: str) -> None:
    kinesis = endpoint.client("kinesis")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    for n in range(3):
        kinesis.put_records(StreamName=stream, Records=[{"Data": b"x", "PartitionKey": str(n)}] * 2)


def test_buckets_start_at_start_time_and_count_every_datapoint(endpoint):
    put_now(endpoint, "cw-buckets")
    start, buckets = incoming_per_hour(endpoint, "cw-buckets")
    assert len(buckets) == 1
    moment, total = buckets[0]
    assert total == 6
    assert (moment - start) % timedelta(hours=1) == timedelta(0)


def test_plain_moto_drops_the_last_second_or_misaligns_buckets(plain_endpoint):
    put_now(plain_endpoint, "cw-buckets")
    start, buckets = incoming_per_hour(plain_endpoint, "cw-buckets")
    counted = sum(total for _, total in buckets)
    misaligned = any((moment - start) % timedelta(hours=1) != timedelta(0) for moment, _ in buckets)
    assert counted != 6 or misaligned


def put_success(endpoint, stream: str) -> float:
    end = datetime.now(UTC)
    total = 0.0
    for metric in ("PutRecords.SuccessfulRecords", "PutRecord.Success"):
        reply = endpoint.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/Kinesis",
            MetricName=metric,
            Dimensions=[{"Name": "StreamName", "Value": stream}],
            StartTime=end - timedelta(hours=1),
            EndTime=end + timedelta(seconds=1),
            Period=3600,
            Statistics=["Sum"],
        )
        total += sum(p["Sum"] for p in reply["Datapoints"])
    return total


def test_put_success_counts_are_published(endpoint):
    put_now(endpoint, "cw-success")
    endpoint.client("kinesis").put_record(StreamName="cw-success", PartitionKey="k", Data=b"x")
    assert put_success(endpoint, "cw-success") == 7  # 3 PutRecords x 2 entries + 1 PutRecord


def test_plain_moto_publishes_no_put_success_counts(plain_endpoint):
    put_now(plain_endpoint, "cw-success")
    assert put_success(plain_endpoint, "cw-success") == 0
