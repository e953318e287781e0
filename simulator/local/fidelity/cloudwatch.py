"""CloudWatch as `simulate stats` (the console's Monitoring tab) needs it."""

from datetime import datetime, timedelta
from typing import Any

from simulator.local.fidelity import fix


@fix("cloudwatch")
def metric_statistics_misbucketed() -> None:
    """moto 5.2.5's GetMetricStatistics starts its buckets at the first datapoint instead of at StartTime,
    and truncates EndTime to the second, so a datapoint of the last second is left out and bucket labels
    fall at odd times. AWS labels each bucket StartTime + k x Period and counts every datapoint in
    [StartTime, EndTime). Bucket as AWS does."""
    from moto.cloudwatch.exceptions import InvalidParameterValue
    from moto.cloudwatch.models import CloudWatchBackend, Statistics

    def get_metric_statistics(
        self: CloudWatchBackend,
        namespace: str,
        metric_name: str,
        start_time: datetime,
        end_time: datetime,
        period: int,
        stats: list[str],
        dimensions: list[dict[str, str]],
        unit: str | None = None,
    ) -> list[Any]:
        if start_time >= end_time:
            raise InvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.")
        points = [
            datum
            for datum in self.get_all_metrics()
            if datum.namespace == namespace and datum.name == metric_name and start_time <= datum.timestamp < end_time
        ]
        if unit:
            points = [datum for datum in points if datum.unit == unit]
        if dimensions:
            points = [datum for datum in points if datum.filter(None, None, dimensions)]
        buckets: dict[int, Statistics] = {}
        for datum in sorted(points, key=lambda d: d.timestamp):
            index = int((datum.timestamp - start_time).total_seconds() // period)
            bucket = buckets.get(index)
            if bucket is None:
                bucket = buckets[index] = Statistics(stats, start_time + timedelta(seconds=index * period))
            bucket.metric_data.append(datum)
            bucket.unit = datum.unit
        return [buckets[index] for index in sorted(buckets)]

    CloudWatchBackend.get_metric_statistics = get_metric_statistics  # type: ignore[method-assign]


@fix("cloudwatch")
def kinesis_put_success_metrics_missing() -> None:
    """moto 5.2.5 publishes only IncomingBytes and IncomingRecords for a stream. AWS also publishes
    PutRecord.Success and PutRecords.SuccessfulRecords / TotalRecords / FailedRecords, which the console's
    "Put Record (success count)" graph (and `simulate stats`) shows. Publish them after each put."""
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.kinesis.models import KinesisBackend

    put_records, put_record = KinesisBackend.put_records, KinesisBackend.put_record

    def publish(backend: Any, stream_arn: str | None, stream_name: str | None, counts: dict[str, int]) -> None:
        stream = backend.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
        dimensions = [{"Name": "StreamName", "Value": stream.stream_name}]
        cloudwatch_backends[backend.account_id][backend.region_name].put_metric_data(
            namespace="AWS/Kinesis",
            metric_data=[
                {"MetricName": name, "Value": value, "Unit": "Count", "Dimensions": dimensions}
                for name, value in counts.items()
            ],
        )

    def put_records_with_metrics(self: Any, stream_arn: str, stream_name: str, records: list[Any]) -> Any:
        reply = put_records(self, stream_arn, stream_name, records)
        failed = int(reply.get("FailedRecordCount", 0))
        publish(
            self,
            stream_arn,
            stream_name,
            {
                "PutRecords.TotalRecords": len(records),
                "PutRecords.SuccessfulRecords": len(records) - failed,
                "PutRecords.FailedRecords": failed,
            },
        )
        return reply

    def put_record_with_metrics(self: Any, stream_arn: str, stream_name: str, *args: Any, **kwargs: Any) -> Any:
        reply = put_record(self, stream_arn, stream_name, *args, **kwargs)
        publish(self, stream_arn, stream_name, {"PutRecord.Success": 1})
        return reply

    KinesisBackend.put_records = put_records_with_metrics  # type: ignore[method-assign]
    KinesisBackend.put_record = put_record_with_metrics  # type: ignore[method-assign]
