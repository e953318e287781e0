"""The statistics a query may ask for: the five basic ones and percentiles pNN(.N) from p0 to p100 (CloudWatch's
other extended statistics, trimmed means and the like, are not offered here)."""

import re

BASIC = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"p(\d{1,3}(?:\.\d{1,10})?)")


def is_percentile(name: str) -> bool:
    match = _PERCENTILE.fullmatch(name)
    return match is not None and float(match.group(1)) <= 100.0


def is_statistic(name: str) -> bool:
    return name in BASIC or is_percentile(name)
