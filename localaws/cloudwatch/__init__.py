"""CloudWatch metrics, owned outright: an aggregating store (the endpoint's metrics sink: Kinesis publishes its
stream metrics into it) and the metric API on top of it."""

from localaws.cloudwatch.service import CloudWatchService
from localaws.cloudwatch.store import MetricId, MetricStore

__all__ = ["CloudWatchService", "MetricId", "MetricStore"]
