"""How each callback host took its webhooks (GET /api/callback-hosts, docs/operations.md#callback-hosts).

10,000 tasks every 3 minutes write 4.8 million log rows a day, and even an index-only scan of a
week of them takes seconds. So closed hours of the log (ended 15 minutes ago, when no pass can
still write or replace rows in them) are rolled up once into `broadcaster_host_hours` (per host
and latency value) and `broadcaster_host_tasks` (each host's tasks and their last delivery); the
figures then read those for the whole hours of the window and the log itself only for the rest:
from `since` to the next whole hour, and the hours not rolled up yet. Every figure
stays exact (`queries.FETCH_CALLBACK_HOSTS` says how). The supervisor rolls up with its pruning
tick; a request rolls up at most a few hours itself, so it never waits for a backlog.
"""

from __future__ import annotations

import datetime as dt

from broadcaster.storage import queries
from broadcaster.storage.db import Database

HOUR = dt.timedelta(hours=1)
#: An hour is rolled up once it ended this long ago: passes write rows with their commit time,
#: and a shard taken again replaces its rows within the pass.
MARGIN_MINUTES = 15
ROLL_UP_PER_REQUEST = 3
MAX_HOURS = 720


def roll_up_closed_hours(database: Database, since_hour: dt.datetime | None = None, *, limit: int = 24 * 31) -> int:
    """Roll up the closed hours since `since_hour` (default: the longest window) not done yet,
    oldest first, at most `limit`; how many were rolled up."""
    if since_hour is None:
        since_hour = _db_now(database) - dt.timedelta(hours=MAX_HOURS + 1)
    hours = database.fetch_all(queries.FETCH_HOURS_TO_ROLL_UP, {
        "since_hour": since_hour, "margin_minutes": MARGIN_MINUTES, "limit": limit})
    for row in hours:
        database.execute(queries.ROLL_UP_HOUR, {"hour": row["hour"]})
    return len(hours)


def callback_host_rows(database: Database, hours: int) -> list[dict]:
    """Each host's figures over the last `hours`, busiest first."""
    now = _db_now(database)
    since = now - dt.timedelta(hours=hours)
    edge = _next_whole_hour(since)
    roll_up_closed_hours(database, edge, limit=ROLL_UP_PER_REQUEST)
    rolled = {row["hour"] for row in database.fetch_all(queries.FETCH_ROLLED_HOURS, {"edge": edge})}
    ranges = log_ranges(since, edge, now, rolled)
    return database.fetch_all(queries.FETCH_CALLBACK_HOSTS, {
        "since": since, "edge": edge, "lo": [lo for lo, _ in ranges], "hi": [hi for _, hi in ranges]})


def log_ranges(since: dt.datetime, edge: dt.datetime, now: dt.datetime,
               rolled: set[dt.datetime]) -> list[tuple[dt.datetime, dt.datetime]]:
    """The [lo, hi) ranges of the window read from the log: up to the first whole hour, then
    every run of hours not rolled up (the last one open to a little past `now`)."""
    ranges = [(since, edge)] if since < edge else []
    hour, end = edge, now + HOUR
    while hour < end:
        if hour in rolled:
            hour += HOUR
            continue
        start = hour
        while hour < end and hour not in rolled:
            hour += HOUR
        if ranges and ranges[-1][1] == start:
            start = ranges.pop()[0]
        ranges.append((start, hour))
    return ranges


def _next_whole_hour(moment: dt.datetime) -> dt.datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + HOUR


def _db_now(database: Database) -> dt.datetime:
    """The database's clock in UTC, naive like webhook_logs.created_at (rows are stamped by it)."""
    return database.fetch_one(queries.FETCH_LOG_CLOCK)["now"]
