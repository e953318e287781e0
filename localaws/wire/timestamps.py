"""Timestamps on the wire: epoch seconds inside, ISO 8601 / RFC 822 / epoch text outside."""

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_text(text: str) -> float:
    """Epoch seconds of an ISO 8601, RFC 822 or numeric epoch timestamp; ValueError otherwise."""
    text = text.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            raise ValueError(text)
        return seconds
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise ValueError(text) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def to_seconds(value: float | int | datetime) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    return float(value)


def iso8601(value: float | int | datetime) -> str:
    """'2026-11-30T19:35:08Z', with milliseconds when there are any ('…08.250Z')."""
    seconds = to_seconds(value)
    moment = datetime.fromtimestamp(seconds, UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc822(value: float | int | datetime) -> str:
    moment = datetime.fromtimestamp(to_seconds(value), UTC)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")
