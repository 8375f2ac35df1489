"""Keeping storage bounded: the supervisor's upkeep, every few minutes, in one process at a time.

* Records of deliveries and failed fetches (LOG_RETENTION_DAYS) and count history
  (COUNT_HISTORY_DAYS) are partitioned by UTC day: days are created ahead, and a day that has
  aged out is dropped whole: constant time, no DELETE, no vacuum debt (`broadcaster.storage.partitions`).
* Count history is thinned as days age (docs/storage.md#count-history): after 48 hours to the last reading of each
  video in each hour, after 30 days to the last of each day.
* What is not partitioned (runs, audit, alert events, contexts no record uses, and the rows the
  broadcaster once wrote into the bot's logs) is deleted in small batches.
* broadcaster_tasks is checked against drama_tasks: a row for every task, each link parsed as it is now.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable

from broadcaster.storage import ddl, partitions, queries
from broadcaster.storage.db import Database
from broadcaster.storage.partitions import COUNT_POINTS, DAILY, DELIVERIES, FETCH_FAILURES, FULL, HOURLY, DayPartition

logger = logging.getLogger(__name__)

UPKEEP_LOCK_KEY = 0x5B7A_0002
DAYS_AHEAD = 3  # days created before they begin: a pass never finds its day missing
PRUNE_BATCH = 1000
#: How long one round of upkeep deletes rows in batches. The round runs on a supervisor's tick, before
#: it claims a pass; what is left (a week of a release's webhook_logs after an upgrade: 4.8 M rows a
#: day at 10,000 tasks) goes in the next rounds, every PRUNE_EVERY_SECONDS. At ~15,000 rows/s that is
#: 450,000 rows a round, 65 M a day: more than 100,000 tasks write.
PRUNE_ROUND_SECONDS = 30.0
_COARSER = {FULL: 0, HOURLY: 1, DAILY: 2}


def resolution_for(day: dt.date, now: dt.datetime) -> str:
    """How far a day of count history is thinned at `now` (docs/storage.md#count-history), by when the day ended."""
    age = now - _start(day + dt.timedelta(days=1))
    if age >= dt.timedelta(days=30):
        return DAILY
    if age >= dt.timedelta(hours=48):
        return HOURLY
    return FULL


def expired(day: dt.date, now: dt.datetime, keep_days: int) -> bool:
    """True once every moment of `day` is older than `keep_days`."""
    return _start(day + dt.timedelta(days=1)) <= now - dt.timedelta(days=keep_days)


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def ensure_days(database: Database, *, now: dt.datetime | None = None, say: Callable[[str], None] | None = None,
                back: int = 1, ahead: int = DAYS_AHEAD) -> int:
    """Create the days from `back` days ago (yesterday) to `ahead` days on that the partitioned
    tables lack; how many. Reading the catalog is all it costs when they exist (a pass calls it as
    it starts). Seeding rows in the past (tests, benchmarks) asks for more days back."""
    today = (now or dt.datetime.now(dt.UTC)).date()
    first, last = today - dt.timedelta(days=back), today + dt.timedelta(days=ahead)
    lacking = {parent: existing for parent in partitions.KEYS
               if not _covers(existing := partitions.day_partitions(database, parent), first, last)}
    if not lacking:
        return 0
    created = 0
    with ddl.patient_session(database, "创建分区", say=say) as session:
        for parent, existing in lacking.items():
            created += len(partitions.create_days(session, parent, first, last, existing))
    return created


def _covers(existing: list[DayPartition], first: dt.date, last: dt.date) -> bool:
    days = {partition.day for partition in existing}
    return all(first + dt.timedelta(days=n) in days for n in range((last - first).days + 1))


def upkeep(database: Database, config, *, now: dt.datetime | None = None,
           say: Callable[[str], None] | None = None) -> dict | None:
    """One round of upkeep (None when another process is doing it): what it did, by kind."""
    now = now or dt.datetime.now(dt.UTC)
    say = say or (lambda text: logger.warning("%s", text))
    done = {"days_created": 0, "days_dropped": 0, "days_thinned": 0, "rows_deleted": 0}
    with ddl.patient_session(database, "存储维护", say=say) as session, _upkeep_lock(session) as mine:
        if not mine:
            return None
        done["days_created"] = ensure_days(database, now=now, say=say)
        for parent in (DELIVERIES, FETCH_FAILURES):
            for partition in partitions.day_partitions(database, parent):
                if expired(partition.day, now, config.log_retention_days):
                    partitions.drop_day(session, partition)
                    done["days_dropped"] += 1
        for partition in partitions.day_partitions(database, COUNT_POINTS):
            if expired(partition.day, now, config.count_history_days):
                partitions.drop_day(session, partition)
                done["days_dropped"] += 1
            elif _COARSER[target := resolution_for(partition.day, now)] > _COARSER[partition.resolution]:
                partitions.thin_day(session, partition, target)
                done["days_thinned"] += 1
        partitions.drop_loose_days(session, database)
    done["rows_deleted"] = prune_rows(database, days=config.log_retention_days,
                                      audit_days=config.audit_retention_days)
    database.execute(queries.FORGET_LEGACY_LOGS)
    check_task_rows(database)
    if any(done.values()):
        logger.info("storage upkeep: %s", done, extra={"action": "upkeep"})
    return done


@contextlib.contextmanager
def _upkeep_lock(session: ddl.PatientSession):
    with session.conn.cursor() as cur:
        cur.execute(queries.TRY_UPKEEP_LOCK, {"key": UPKEEP_LOCK_KEY})
        mine = cur.fetchone()[0]
    try:
        yield mine
    finally:
        if mine:
            with session.conn.cursor() as cur:
                cur.execute(queries.RELEASE_UPKEEP_LOCK, {"key": UPKEEP_LOCK_KEY})


def prune_rows(database: Database, *, days: int, audit_days: int = 180, batch: int = PRUNE_BATCH,
               pause: float = 0.05, seconds: float = PRUNE_ROUND_SECONDS,
               clock: Callable[[], float] = time.monotonic) -> int:
    """Delete what is not partitioned by day and has aged out, a small batch per statement, for
    about `seconds` (at least one batch); the rest is left to the next round."""
    removed, deadline = 0, clock() + seconds
    for statement in queries.PRUNE_STATEMENTS:
        while True:
            count = database.execute(statement, {"days": days, "audit_days": audit_days, "batch": batch})
            removed += count
            if count < batch:
                break
            if clock() >= deadline:
                logger.info("storage upkeep: %d rows deleted, the rest in the next round", removed,
                            extra={"action": "prune_round_full"})
                return removed
            time.sleep(pause)  # let other writers in between batches
    return removed


def check_task_rows(database: Database) -> None:
    """Every task has its broadcaster_tasks row, no row outlives its task, and a link that changed
    past the triggers is parsed again."""
    database.execute(queries.ADD_MISSING_TASK_ROWS)
    database.execute(queries.PRUNE_GONE_TASK_ROWS)
    database.execute(queries.MARK_DRIFTED_LINKS)
