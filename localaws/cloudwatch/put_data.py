"""PutMetricData: every datum is checked before any is stored, so a refused request stores nothing."""

import math
from dataclasses import dataclass
from typing import Any

from localaws.cloudwatch.errors import (
    bad_value,
    both_given,
    invalid_value,
    missing_parameter,
    required,
    too_many,
)
from localaws.cloudwatch.store import MetricStore

MAX_METRICS = 1000
MAX_VALUES = 150
MAX_DIMENSIONS = 30
VALUE_LIMIT = 2.0**360  # CloudWatch refuses values outside ±2^360
PAST_LIMIT = 14 * 86_400  # timestamps may be two weeks old...
FUTURE_LIMIT = 2 * 3600  # ...or two hours ahead
STORAGE_RESOLUTIONS = (1, 60)


@dataclass(frozen=True)
class Datum:
    name: str
    dimensions: dict[str, str]
    unit: str
    timestamp: float
    values: list[tuple[float, float]] | None  # (value, count); None for a statistic set
    statistics: tuple[float, float, float, float] | None  # SampleCount, Sum, Minimum, Maximum


def put_metric_data(store: MetricStore, account_id: str, region: str, params: dict[str, Any], now: float) -> None:
    namespace = required(params, "Namespace")
    if namespace.startswith("AWS/"):
        # AWS/ belongs to AWS's own services (Kinesis publishes there through the metrics sink, not this call).
        raise invalid_value(f"The value {namespace} for parameter Namespace is invalid.")
    entries: list[tuple[str, dict[str, Any]]] = [
        (f"MetricData.member.{i}", datum) for i, datum in enumerate(params.get("MetricData") or [], 1)
    ]
    for j, entity in enumerate(params.get("EntityMetricData") or [], 1):
        entries += [
            (f"EntityMetricData.member.{j}.MetricData.member.{i}", datum)
            for i, datum in enumerate(entity.get("MetricData") or [], 1)
        ]
    if not entries:
        raise missing_parameter("The parameter MetricData is required.")
    if len(entries) > MAX_METRICS:
        raise too_many("MetricData", MAX_METRICS)
    data = [checked(datum, where, now) for where, datum in entries]
    for datum in data:
        if datum.statistics is not None:
            store.put_statistics(
                account_id, region, namespace, datum.name, datum.dimensions, datum.unit, datum.timestamp,
                *datum.statistics,
            )  # fmt: skip
        else:
            assert datum.values is not None
            store.put_values(
                account_id, region, namespace, datum.name, datum.dimensions, datum.unit, datum.timestamp, datum.values
            )


def checked(datum: dict[str, Any], where: str, now: float) -> Datum:
    name = required(datum, "MetricName", f"{where}.")
    dimensions = checked_dimensions(datum.get("Dimensions") or [], f"{where}.Dimensions")
    timestamp = datum.get("Timestamp")
    if timestamp is None:
        timestamp = now
    elif not now - PAST_LIMIT <= timestamp <= now + FUTURE_LIMIT:
        raise invalid_value(f"The parameter {where}.Timestamp must specify a time within the past two weeks.")
    resolution = datum.get("StorageResolution")
    if resolution is not None and resolution not in STORAGE_RESOLUTIONS:
        raise bad_value(resolution, f"{where}.StorageResolution")
    unit = datum.get("Unit") or "None"
    value, values, statistics = datum.get("Value"), datum.get("Values"), datum.get("StatisticValues")
    if value is not None and statistics is not None:
        raise both_given(f"{where}.Value", f"{where}.StatisticValues")
    if value is not None and values:
        raise both_given(f"{where}.Value", f"{where}.Values")
    if values and statistics is not None:
        raise both_given(f"{where}.Values", f"{where}.StatisticValues")
    if value is not None:
        return Datum(name, dimensions, unit, timestamp, [(checked_number(value, f"{where}.Value"), 1.0)], None)
    if values:
        return Datum(name, dimensions, unit, timestamp, checked_values(values, datum.get("Counts"), where), None)
    if statistics is not None:
        return Datum(
            name, dimensions, unit, timestamp, None, checked_statistics(statistics, f"{where}.StatisticValues")
        )
    raise missing_parameter(
        f"At least one of the parameters {where}.Value, {where}.Values or {where}.StatisticValues must be specified."
    )


def checked_dimensions(dimensions: list[dict[str, str]], where: str) -> dict[str, str]:
    if len(dimensions) > MAX_DIMENSIONS:
        raise too_many(where, MAX_DIMENSIONS)
    result: dict[str, str] = {}
    for i, dimension in enumerate(dimensions, 1):
        name = required(dimension, "Name", f"{where}.member.{i}.")
        value = required(dimension, "Value", f"{where}.member.{i}.")
        if name in result:
            # One metric cannot have a dimension twice; AWS refuses rather than keeping either value.
            raise invalid_value(f"The parameter {where}.member.{i}.Name must be unique: {name} is given twice.")
        result[name] = value
    return result


def checked_number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_value(value, where)
    number = float(value)
    if not math.isfinite(number) or abs(number) > VALUE_LIMIT:
        raise bad_value(number, where)
    return number


def checked_values(values: list[Any], counts: list[Any] | None, where: str) -> list[tuple[float, float]]:
    if len(values) > MAX_VALUES:
        raise too_many(f"{where}.Values", MAX_VALUES)
    if counts is not None and len(counts) != len(values):
        raise invalid_value(f"The parameters {where}.Values and {where}.Counts must be of the same size.")
    pairs = []
    for i, value in enumerate(values, 1):
        number = checked_number(value, f"{where}.Values.member.{i}")
        count = 1.0 if counts is None else checked_number(counts[i - 1], f"{where}.Counts.member.{i}")
        if count < 0:
            raise bad_value(count, f"{where}.Counts.member.{i}")
        if count:
            pairs.append((number, count))
    return pairs


def checked_statistics(statistics: dict[str, Any], where: str) -> tuple[float, float, float, float]:
    absent = [name for name in ("Maximum", "Minimum", "SampleCount", "Sum") if statistics.get(name) is None]
    if absent:
        raise missing_parameter("\n".join(f"The parameter {where}.{name} is required." for name in absent))
    count = checked_number(statistics["SampleCount"], f"{where}.SampleCount")
    total = checked_number(statistics["Sum"], f"{where}.Sum")
    low = checked_number(statistics["Minimum"], f"{where}.Minimum")
    high = checked_number(statistics["Maximum"], f"{where}.Maximum")
    if high < low:
        raise missing_parameter(f"The parameter {where}.Maximum must be greater than {where}.Minimum.")
    if count < 0:
        raise missing_parameter(f"The parameter {where}.SampleCount must be greater than 0.")
    if count == 0:
        raise missing_parameter(f"The parameter {where}.SampleCount must not equal 0.")
    return count, total, low, high
