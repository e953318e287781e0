"""GetMetricStatistics: one metric (exact dimensions), buckets from the rounded StartTime, one datapoint per bucket
and unit that holds data."""

from typing import Any

from localaws.cloudwatch.errors import both_given, invalid_combination, invalid_value, required
from localaws.cloudwatch.statistic_names import BASIC, is_percentile
from localaws.cloudwatch.store import MetricId, MetricStore, dimensions_key
from localaws.cloudwatch.window import check_period, check_statistics_datapoints, window


def get_metric_statistics(
    store: MetricStore, account_id: str, region: str, params: dict[str, Any], now: float
) -> dict[str, Any]:
    namespace = required(params, "Namespace")
    name = required(params, "MetricName")
    start, end, period = required(params, "StartTime"), required(params, "EndTime"), required(params, "Period")
    statistics = list(params.get("Statistics") or [])
    extended = list(params.get("ExtendedStatistics") or [])
    if statistics and extended:
        raise both_given("Statistics", "ExtendedStatistics")
    if not statistics and not extended:
        raise invalid_combination("Must specify either Statistics or ExtendedStatistics")
    for i, statistic in enumerate(statistics, 1):
        if statistic not in BASIC:
            raise invalid_value(f"The parameter Statistics.member.{i} must be a value in the set [{', '.join(BASIC)}].")
    for statistic in extended:
        if not is_percentile(statistic):
            raise invalid_value(f"The value {statistic} for parameter ExtendedStatistics is not supported.")
    check_period(period)
    win = window(start, end, period, now)
    check_statistics_datapoints(win)
    dimensions = {d["Name"]: d["Value"] for d in params.get("Dimensions") or []}
    metric = MetricId(account_id, region, namespace, name, dimensions_key(dimensions))
    datapoints: list[dict[str, Any]] = []
    for unit, buckets in store.buckets(metric, params.get("Unit"), win.start, win.end, period).items():
        for index in sorted(buckets):
            aggregate = buckets[index]
            point: dict[str, Any] = {"Timestamp": float(win.bucket_time(index)), "Unit": unit}
            for statistic in statistics:
                point[statistic] = aggregate.statistic(statistic)
            if extended:
                values = {p: aggregate.statistic(p) for p in extended}
                point["ExtendedStatistics"] = {p: v for p, v in values.items() if v is not None}
            datapoints.append(point)
    # AWS does not promise an order; oldest first reads best.
    datapoints.sort(key=lambda point: point["Timestamp"])
    return {"Label": name, "Datapoints": datapoints}
