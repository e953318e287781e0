"""CloudWatch's metric API on our own store: PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics.

CloudWatch metrics have no ARNs, so IAM checks each call as "cloudwatch:<Operation>" on "*". Alarms, dashboards
and the rest of CloudWatch are not served: the lab does not use them.
"""

from collections.abc import Callable
from typing import Any

from localaws.cloudwatch.get_data import get_metric_data
from localaws.cloudwatch.get_statistics import get_metric_statistics
from localaws.cloudwatch.list_metrics import list_metrics
from localaws.cloudwatch.put_data import put_metric_data
from localaws.cloudwatch.store import MetricStore
from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.runtime import Runtime
from localaws.services import Access

Operation = Callable[[MetricStore, str, str, dict[str, Any], float], dict[str, Any] | None]

OPERATIONS: dict[str, Operation] = {
    "PutMetricData": put_metric_data,
    "GetMetricStatistics": get_metric_statistics,
    "GetMetricData": get_metric_data,
    "ListMetrics": list_metrics,
}


class CloudWatchService:
    name = "cloudwatch"

    def __init__(self, runtime: Runtime, store: MetricStore) -> None:
        self.runtime = runtime
        self.store = store

    def authorization(self, ctx: RequestContext, params: dict[str, Any]) -> list[Access]:
        return [Access(f"cloudwatch:{ctx.operation}", "*")]

    def call(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None:
        operation = OPERATIONS.get(ctx.operation)
        if operation is None:
            raise AwsError(
                "InvalidAction",
                f"The action {ctx.operation} is not valid for this endpoint: its CloudWatch serves metrics only "
                f"({', '.join(sorted(OPERATIONS))}).",
            )
        if ctx.account_id is None:
            # Every CloudWatch call is signed; the front door refuses an unsigned one before it gets here.
            raise AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
        return operation(self.store, ctx.account_id, ctx.region, params, ctx.clock.time())
