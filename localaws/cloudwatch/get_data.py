"""GetMetricData for MetricStat queries: one time series per query (data of every unit together unless Unit is
given), ScanBy order, MaxDatapoints pages. Metric math and Metrics Insights expressions are refused with a clear
InvalidParameterValue rather than answered wrongly."""

import re
from dataclasses import dataclass
from typing import Any

from localaws.cloudwatch import tokens
from localaws.cloudwatch.aggregate import Aggregate
from localaws.cloudwatch.errors import both_given, invalid_next_token, invalid_value, missing, required, too_many
from localaws.cloudwatch.statistic_names import is_statistic
from localaws.cloudwatch.store import MetricId, MetricStore, dimensions_key
from localaws.cloudwatch.window import check_period, check_times, window

MAX_QUERIES = 500
DEFAULT_MAX_DATAPOINTS = 100_800
QUERY_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")


@dataclass
class Series:
    id: str
    label: str
    timestamps: list[float]
    values: list[float]


def get_metric_data(store: MetricStore, account_id: str, region: str, params: dict[str, Any], now: float) -> dict:
    queries = required(params, "MetricDataQueries")
    if len(queries) > MAX_QUERIES:
        raise too_many("MetricDataQueries", MAX_QUERIES)
    start, end = required(params, "StartTime"), required(params, "EndTime")
    check_times(start, end)
    newest_first = (params.get("ScanBy") or "TimestampDescending") == "TimestampDescending"
    max_points = params.get("MaxDatapoints")
    if max_points is None:
        max_points = DEFAULT_MAX_DATAPOINTS
    elif max_points < 1:
        raise invalid_value(f"The value {max_points} for parameter MaxDatapoints is invalid.")
    skip = 0
    if params.get("NextToken"):
        try:
            skip = tokens.decode(params["NextToken"])["skip"]
            if not isinstance(skip, int) or skip < 0:
                raise ValueError
        except (ValueError, TypeError, KeyError):
            raise invalid_next_token() from None

    seen: set[str] = set()
    returned: list[Series] = []
    for i, query in enumerate(queries, 1):
        series = run_query(store, account_id, region, query, f"MetricDataQueries.member.{i}", seen, start, end, now)
        if query.get("ReturnData", True):
            if newest_first:
                series.timestamps.reverse()
                series.values.reverse()
            returned.append(series)
    return page(returned, skip, max_points)


def run_query(
    store: MetricStore,
    account_id: str,
    region: str,
    query: dict[str, Any],
    where: str,
    seen: set[str],
    start: float,
    end: float,
    now: float,
) -> Series:
    query_id = required(query, "Id", f"{where}.")
    if not QUERY_ID.fullmatch(query_id):
        raise invalid_value(
            f"The value {query_id} for parameter {where}.Id is invalid: an Id starts with a lowercase letter and "
            "holds only letters, digits and underscores."
        )
    if query_id in seen:
        raise invalid_value(f"The value {query_id} for parameter {where}.Id is not unique.")
    seen.add(query_id)
    stat, expression = query.get("MetricStat"), query.get("Expression")
    if stat is not None and expression is not None:
        raise both_given(f"{where}.Expression", f"{where}.MetricStat")
    if expression is not None:
        raise invalid_value(
            f"{where}.Expression: metric math and Metrics Insights queries are not supported by the local "
            "endpoint; ask for each metric with MetricStat."
        )
    if stat is None:
        raise missing(f"{where}.MetricStat")
    metric = required(stat, "Metric", f"{where}.MetricStat.")
    namespace = required(metric, "Namespace", f"{where}.MetricStat.Metric.")
    name = required(metric, "MetricName", f"{where}.MetricStat.Metric.")
    period = required(stat, "Period", f"{where}.MetricStat.")
    check_period(period, f"{where}.MetricStat.Period")
    statistic = required(stat, "Stat", f"{where}.MetricStat.")
    if not is_statistic(statistic):
        raise invalid_value(f"The value {statistic} for parameter {where}.MetricStat.Stat is invalid.")
    dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
    win = window(start, end, period, now)
    merged: dict[int, Aggregate] = {}
    metric_id = MetricId(account_id, region, namespace, name, dimensions_key(dimensions))
    for buckets in store.buckets(metric_id, stat.get("Unit"), win.start, win.end, period).values():
        for index, aggregate in buckets.items():
            if index in merged:
                merged[index].merge(aggregate)
            else:
                merged[index] = aggregate
    series = Series(query_id, query.get("Label") or name, [], [])
    for index in sorted(merged):
        value = merged[index].statistic(statistic)
        if value is not None:
            series.timestamps.append(float(win.bucket_time(index)))
            series.values.append(value)
    return series


def page(returned: list[Series], skip: int, max_points: int) -> dict[str, Any]:
    """Datapoints skip … skip + max_points of all returned series, in query order."""
    results = []
    offset = 0
    for series in returned:
        size = len(series.values)
        first = min(max(skip - offset, 0), size)
        last = min(max(skip + max_points - offset, 0), size)
        results.append(
            {
                "Id": series.id,
                "Label": series.label,
                "Timestamps": series.timestamps[first:last],
                "Values": series.values[first:last],
                "StatusCode": "Complete" if last == size else "PartialData",
                "Messages": [],
            }
        )
        offset += size
    reply: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if skip + max_points < offset:
        reply["NextToken"] = tokens.encode({"skip": skip + max_points})
    return reply
