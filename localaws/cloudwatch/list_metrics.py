"""ListMetrics: the metrics with data in the past two weeks, filtered by namespace, name and dimensions (a metric
with more dimensions than the filter names still matches), 500 a page in a stable order."""

from typing import Any

from localaws.cloudwatch import tokens
from localaws.cloudwatch.errors import invalid_value, required
from localaws.cloudwatch.store import MetricId, MetricStore

PAGE_SIZE = 500
LISTED_FOR = 14 * 86_400
RECENTLY_ACTIVE = {"PT3H": 3 * 3600}


def list_metrics(store: MetricStore, account_id: str, region: str, params: dict[str, Any], now: float) -> dict:
    namespace, name = params.get("Namespace"), params.get("MetricName")
    filters = [
        (required(f, "Name", f"Dimensions.member.{i}."), f.get("Value"))
        for i, f in enumerate(params.get("Dimensions") or [], 1)
    ]
    recently = params.get("RecentlyActive")
    if recently is not None and recently not in RECENTLY_ACTIVE:
        raise invalid_value(f"The value {recently} for parameter RecentlyActive is invalid.")
    active_since = now - (RECENTLY_ACTIVE[recently] if recently else LISTED_FOR)

    def wanted(metric: MetricId) -> bool:
        if (metric.account_id, metric.region) != (account_id, region):
            return False
        if namespace is not None and metric.namespace != namespace:
            return False
        if name is not None and metric.name != name:
            return False
        held = dict(metric.dimensions)
        return all(key in held and (value is None or held[key] == value) for key, value in filters)

    found = sorted(
        (metric.namespace, metric.name, metric.dimensions)
        for metric, last_put in store.metrics()
        if last_put >= active_since and wanted(metric)
    )
    if params.get("NextToken"):
        try:
            after = tokens.decode(params["NextToken"])
            namespace_after, name_after, dimensions_after = after
            last = (namespace_after, name_after, tuple(tuple(pair) for pair in dimensions_after))
        except (ValueError, TypeError):
            raise invalid_value("Request parameter NextToken is invalid") from None
        found = [entry for entry in found if entry > last]
    page = found[:PAGE_SIZE]
    result: dict[str, Any] = {
        "Metrics": [
            {"Namespace": ns, "MetricName": metric, "Dimensions": [{"Name": k, "Value": v} for k, v in dims]}
            for ns, metric, dims in page
        ]
    }
    if len(found) > PAGE_SIZE:
        result["NextToken"] = tokens.encode(page[-1])
    if params.get("IncludeLinkedAccounts"):
        result["OwningAccounts"] = [account_id] * len(page)
    return result
