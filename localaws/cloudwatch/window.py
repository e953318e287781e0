"""The time window of a metric query: Period's allowed values, StartTime's rounding, the datapoint limit.

As GetMetricStatistics' and GetMetricData's documentation declares: a period is 1, 5, 10, 20, 30 or a multiple of
60; StartTime is rounded down to the minute (to 5 minutes when 15 to 63 days old, to the hour beyond), or, for a
period under a minute, to a whole number of periods; EndTime is exclusive. Buckets then start at the rounded
StartTime and every Period after it.
"""

import math
from dataclasses import dataclass

from localaws.cloudwatch.errors import invalid_combination, invalid_value

SUB_MINUTE_PERIODS = (1, 5, 10, 20, 30)
MAX_STATISTICS_DATAPOINTS = 1440
DAY = 86_400


@dataclass(frozen=True)
class Window:
    start: int  # the rounded StartTime: the first bucket's timestamp
    end: float  # EndTime, exclusive
    period: int

    def bucket_time(self, index: int) -> int:
        return self.start + index * self.period

    def datapoints(self) -> int:
        """How many buckets the window can hold (what AWS counts against its datapoint limits)."""
        return max(0, math.ceil((self.end - self.start) / self.period))


def check_period(period: int, parameter: str = "Period") -> None:
    if period in SUB_MINUTE_PERIODS or (period > 0 and period % 60 == 0):
        return
    raise invalid_value(f"The parameter {parameter} must be 1, 5, 10, 20, 30, or a multiple of 60.")


def check_times(start: float, end: float) -> None:
    if start == end:
        raise invalid_value("The parameter StartTime must not equal parameter EndTime.")
    if start > end:
        raise invalid_value("The parameter EndTime must be greater than StartTime.")


def rounded_start(start: float, period: int, now: float) -> int:
    if period < 60:
        return math.floor(start / period) * period
    age = now - start
    step = 60 if age < 15 * DAY else 300 if age < 63 * DAY else 3600
    return math.floor(start / step) * step


def window(start: float, end: float, period: int, now: float) -> Window:
    check_times(start, end)
    return Window(rounded_start(start, period, now), end, period)


def check_statistics_datapoints(win: Window) -> None:
    requested = win.datapoints()
    if requested > MAX_STATISTICS_DATAPOINTS:
        raise invalid_combination(
            f"You have requested up to {requested} datapoints, which exceeds the limit of "
            f"{MAX_STATISTICS_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or "
            "decreasing the time range."
        )
