"""Day partitions: created ahead, dropped whole when they age out, count history thinned.

The records of deliveries and failed fetches and the count history are partitioned by day (UTC).
A partition is named ``<parent>_YYYYMMDD``; a day of count history that has been thinned is
``…_YYYYMMDD_hourly`` or ``…_daily``, so the catalog itself says how far each day is thinned.
Every change runs through a `ddl.PatientSession`: it never queues anyone behind a long reader
for more than the lock timeout. Only the supervisor's upkeep (under its own advisory lock) and a
pass that finds its day missing change partitions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from psycopg2 import sql as pgsql

from broadcaster.storage import queries

logger = logging.getLogger(__name__)

DELIVERIES = "broadcaster_deliveries"
FETCH_FAILURES = "broadcaster_fetch_failures"
COUNT_POINTS = "broadcaster_count_points"
#: Each partitioned table's key column, and whether it is a TIMESTAMPTZ (else a UTC TIMESTAMP).
KEYS = {DELIVERIES: ("created_at", False), FETCH_FAILURES: ("created_at", False), COUNT_POINTS: ("recorded_at", True)}
FULL, HOURLY, DAILY = "", "hourly", "daily"
UNITS = {HOURLY: "hour", DAILY: "day"}


@dataclasses.dataclass(frozen=True)
class DayPartition:
    """One day of a partitioned table."""

    parent: str
    day: dt.date
    resolution: str = FULL  # count history only: FULL, HOURLY or DAILY

    @property
    def name(self) -> str:
        """Its table name."""
        suffix = f"_{self.resolution}" if self.resolution else ""
        return f"{self.parent}_{self.day:%Y%m%d}{suffix}"

    @classmethod
    def parse(cls, parent: str, name: str) -> DayPartition | None:
        """The partition a table name stands for, or None when it is not one of `parent`'s days."""
        rest = name.removeprefix(f"{parent}_")
        day_text, _, resolution = rest.partition("_")
        if rest == name or len(day_text) != 8 or not day_text.isdigit() or resolution not in (FULL, HOURLY, DAILY):
            return None
        try:
            return cls(parent, dt.datetime.strptime(day_text, "%Y%m%d").date(), resolution)
        except ValueError:
            return None


def day_partitions(database, parent: str) -> list[DayPartition]:
    """The days `parent` has, oldest first."""
    rows = database.fetch_all(queries.FETCH_PARTITIONS, {"parent": parent})
    days = [DayPartition.parse(parent, row["name"]) for row in rows]
    return sorted((day for day in days if day is not None), key=lambda day: day.day)


def _bound(parent: str, day: dt.date) -> pgsql.Literal:
    _, zoned = KEYS[parent]
    return pgsql.Literal(f"{day.isoformat()} 00:00:00{'+00' if zoned else ''}")


def _attach_statement(partition: DayPartition) -> pgsql.Composed:
    key, _ = KEYS[partition.parent]
    return queries.ATTACH_DAY.format(
        parent=pgsql.Identifier(partition.parent), partition=pgsql.Identifier(partition.name),
        bounds=pgsql.Identifier(f"{partition.name}_bounds"), key=pgsql.Identifier(key),
        lo=_bound(partition.parent, partition.day), hi=_bound(partition.parent, partition.day + dt.timedelta(days=1)))


def attach_day(session, partition: DayPartition) -> None:
    """Attach an existing table as `partition`'s day of its parent."""
    session.execute(_attach_statement(partition))


def create_days(session, parent: str, first: dt.date, last: dt.date, existing: list[DayPartition]) -> list[dt.date]:
    """Create the days from `first` to `last` that `parent` lacks; the days created."""
    have = {partition.day for partition in existing}
    created = []
    day = first
    while day <= last:
        if day not in have:
            partition = DayPartition(parent, day)
            session.execute(queries.CREATE_DAY_TABLE.format(partition=pgsql.Identifier(partition.name),
                                                            parent=pgsql.Identifier(parent)))
            attach_day(session, partition)
            created.append(day)
        day += dt.timedelta(days=1)
    return created


def drop_day(session, partition: DayPartition) -> None:
    """Drop a whole day: constant time, whatever it holds, and no vacuum debt."""
    session.execute(queries.DROP_TABLE.format(partition=pgsql.Identifier(partition.name)))


def thin_day(session, partition: DayPartition, resolution: str) -> DayPartition:
    """Replace a day of count history with its last reading per video per hour (or day).

    The thinned copy is built beside the day, indexed, then swapped in with one short
    transaction (drop the old, attach the new). Nothing writes to a day that old any more.
    """
    thinned = DayPartition(partition.parent, partition.day, resolution)
    target = pgsql.Identifier(thinned.name)
    session.execute(queries.DROP_TABLE.format(partition=target))  # a copy an earlier try left behind
    session.execute(queries.CREATE_DAY_TABLE.format(partition=target, parent=pgsql.Identifier(partition.parent)))
    session.execute(queries.COPY_THINNED_POINTS.format(partition=target, old=pgsql.Identifier(partition.name),
                                                        unit=pgsql.Literal(UNITS[resolution])))
    session.execute(queries.INDEX_POINTS.format(index=pgsql.Identifier(f"{thinned.name}_video_idx"), partition=target))
    session.execute(queries.ANALYZE_TABLE.format(partition=target))
    swap = (queries.DROP_TABLE.format(partition=pgsql.Identifier(partition.name))
            + pgsql.SQL(";") + _attach_statement(thinned))
    session.atomic(lambda cur: cur.execute(swap), what=f"替换 {partition.name}")
    return thinned


def drop_loose_days(session, database) -> int:
    """Drop thinned copies attached to nothing (their swap never happened); how many. (A plain day
    left unattached is attached by the next `create_days`.)"""
    dropped = 0
    for parent in KEYS:
        pattern = parent.replace("_", r"\_") + r"\_%"
        for row in database.fetch_all(queries.FETCH_LOOSE_DAY_TABLES, {"pattern": pattern}):
            partition = DayPartition.parse(parent, row["name"])
            if partition is not None and partition.resolution != FULL:
                session.execute(queries.DROP_TABLE.format(partition=pgsql.Identifier(row["name"])))
                dropped += 1
    return dropped
