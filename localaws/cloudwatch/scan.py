"""A query over one series: its cells gathered into the query's period buckets."""

import math

from localaws.cloudwatch.aggregate import Aggregate
from localaws.cloudwatch.series import Series


def series_buckets(series: Series, start: int, end: float, period: int, kept_from: float) -> dict[int, Aggregate]:
    out: dict[int, Aggregate] = {}
    first_minute, last_minute = start // 60, math.floor(end / 60)
    for minute_key in _keys_between(series.minutes, first_minute, last_minute):
        base = minute_key * 60
        if base + 60 <= kept_from:
            continue
        minute = series.minutes[minute_key]
        cells = minute.cells
        # The minute's histogram goes with its data only when all of that data fell in one bucket.
        touched: set[int] = set()
        excluded = False
        for offset in range(60):
            at = offset * 4
            if not cells[at]:
                continue
            second = base + offset
            if second < start or second >= end:
                excluded = True
                continue
            index = (second - start) // period
            touched.add(index)
            _bucket(out, index).absorb(cells[at], cells[at + 1], cells[at + 2], cells[at + 3])
        if len(touched) == 1 and not excluded:
            out[touched.pop()].absorb_hist(minute.hist)
        else:
            for index in touched:
                out[index].hist = None
    if period % 60:
        # As on CloudWatch: data past high resolution answers no period shorter than (or not whole) minutes.
        return out
    for hour_key in _keys_between(series.hours, first_minute // 60, last_minute // 60):
        cells = series.hours[hour_key]
        for offset in range(60):
            at = offset * 4
            base = (hour_key * 60 + offset) * 60
            if not cells[at] or base < start or base >= end or base + 60 <= kept_from:
                continue
            bucket = _bucket(out, (base - start) // period)
            bucket.absorb(cells[at], cells[at + 1], cells[at + 2], cells[at + 3])
            bucket.hist = None  # rolled-up minutes keep no histogram
    return out


def _keys_between(slots: dict[int, object], first: int, last: int) -> list[int]:
    """The keys of `slots` in [first, last], by whichever is fewer: the range or the slots."""
    if last - first < len(slots):
        return [key for key in range(first, last + 1) if key in slots]
    return [key for key in slots if first <= key <= last]


def _bucket(out: dict[int, Aggregate], index: int) -> Aggregate:
    bucket = out.get(index)
    if bucket is None:
        bucket = out[index] = Aggregate()
    return bucket
