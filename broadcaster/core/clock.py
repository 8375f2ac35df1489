"""Time helpers shared by the pass, the API and the command line."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

#: The YouTube Data API quota resets at midnight Pacific time.
PACIFIC = ZoneInfo("America/Los_Angeles")


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def isoformat(value: dt.datetime | None) -> str | None:
    """ISO-8601 in UTC; naive values (the bot's TIMESTAMP columns) are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def interval_text(seconds: int) -> str:
    """The interval as operators read it: 3分钟 for 180, 1小时 for 3600, 45秒 for 45."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600}小时"
    if seconds % 60 == 0:
        return f"{seconds // 60}分钟"
    return f"{seconds}秒"


def pacific_day(now: dt.datetime) -> dt.date:
    """The YouTube quota day that `now` falls in."""
    return now.astimezone(PACIFIC).date()


def seconds_to_midnight(now: dt.datetime, zone: dt.tzinfo) -> float:
    """Seconds until the next day begins in `zone` (at least 1)."""
    local = now.astimezone(zone)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return max(1.0, (midnight - local).total_seconds())


def seconds_to_pacific_midnight(now: dt.datetime) -> float:
    """Seconds until the YouTube quota resets (at least 1)."""
    return seconds_to_midnight(now, PACIFIC)


def seconds_to_utc_midnight(now: dt.datetime) -> float:
    """Seconds until the next UTC day, when TikHub's daily allowance starts again (at least 1)."""
    return seconds_to_midnight(now, dt.UTC)
