"""0004: count history keyed by a video number, partitioned by day and thinned.

`broadcaster_count_history` repeated each video's platform and id on every point, with a serial
id and two indexes: about 180 bytes a point, kept at full resolution for 90 days. Its successor
`broadcaster_count_points` holds (recorded_at, video_ref, view_count, like_count), one partition
per UTC day, thinned as days age (docs/storage.md#count-history: full resolution for 48 hours, the last reading of
each hour to 30 days, of each day after). Videos get an 8-byte number (`broadcaster_videos.id`).

The old points are copied a day at a time, thinned on the way as their age says, then the old
table goes. Only the broadcaster's own tables are touched.
"""

from __future__ import annotations

import datetime as dt
import time

from psycopg2 import sql as pgsql

from broadcaster.storage import partitions
from broadcaster.storage.partitions import COUNT_POINTS, DayPartition
from broadcaster.storage.retention import resolution_for

PROGRESS_EVERY_S = 10.0

CREATE = """
ALTER TABLE broadcaster_videos ADD COLUMN IF NOT EXISTS id BIGINT GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX IF NOT EXISTS broadcaster_videos_id_key ON broadcaster_videos (id);
-- A pass rewrites each video's counts, in no index: room on the page keeps those updates HOT.
ALTER TABLE broadcaster_videos SET (fillfactor = 80);
CREATE TABLE IF NOT EXISTS broadcaster_count_points (
    recorded_at TIMESTAMPTZ NOT NULL,
    video_ref BIGINT NOT NULL,
    view_count BIGINT,
    like_count BIGINT
) PARTITION BY RANGE (recorded_at);
-- A video's newest point, or its first in a window, is one probe (the task's chart, the projects'
-- gains and hourly totals).
CREATE INDEX IF NOT EXISTS broadcaster_count_points_video_idx ON broadcaster_count_points (video_ref, recorded_at);
"""

OLD_DAYS = """
SELECT DISTINCT (recorded_at AT TIME ZONE 'UTC')::DATE AS day FROM broadcaster_count_history ORDER BY 1
"""

HAS_OLD_TABLE = "SELECT to_regclass('broadcaster_count_history') IS NOT NULL AS present"

# A day of the old points as they are (it ended less than 48 hours ago)...
COPY_DAY = """
INSERT INTO broadcaster_count_points (recorded_at, video_ref, view_count, like_count)
SELECT h.recorded_at, v.id, h.view_count, h.like_count
FROM broadcaster_count_history h
JOIN broadcaster_videos v ON v.platform = h.platform AND v.video_id = h.video_id
WHERE h.recorded_at >= %(lo)s AND h.recorded_at < %(hi)s
"""

# ... or thinned to the last reading of each hour or day.
COPY_DAY_THINNED = """
INSERT INTO broadcaster_count_points (recorded_at, video_ref, view_count, like_count)
SELECT DISTINCT ON (v.id, date_trunc(%(unit)s, h.recorded_at)) h.recorded_at, v.id, h.view_count, h.like_count
FROM broadcaster_count_history h
JOIN broadcaster_videos v ON v.platform = h.platform AND v.video_id = h.video_id
WHERE h.recorded_at >= %(lo)s AND h.recorded_at < %(hi)s
ORDER BY v.id, date_trunc(%(unit)s, h.recorded_at), h.recorded_at DESC, h.id DESC
"""

DAY_COPIED = """
SELECT EXISTS (SELECT 1 FROM broadcaster_count_points WHERE recorded_at >= %(lo)s AND recorded_at < %(hi)s) AS copied
"""

RENAME = pgsql.SQL("ALTER TABLE {old} RENAME TO {new}")
DROP_OLD_TABLE = "DROP TABLE IF EXISTS broadcaster_count_history"


def apply(session) -> str:
    """Create the new table, copy the old points day by day, drop the old table."""
    session.run_script(CREATE, per_statement=True)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    has_old = session.fetch_all(HAS_OLD_TABLE)[0]["present"]
    old_days = [row["day"] for row in session.fetch_all(OLD_DAYS)] if has_old else []
    copied, said = 0, time.monotonic()
    for number, day in enumerate(old_days, 1):
        copied += _copy_day(session, day, resolution_for(day, now))
        if time.monotonic() - said >= PROGRESS_EVERY_S:
            said = time.monotonic()
            session.say(f"{session.label}：已复制 {number}/{len(old_days)} 天的计数历史，共 {copied} 点")
    partitions.create_days(session, COUNT_POINTS, today, today + dt.timedelta(days=3),
                           partitions.day_partitions(session, COUNT_POINTS))
    session.execute(DROP_OLD_TABLE)
    return f"计数历史 {copied} 点移入按日分区的新表" if has_old else None


def _copy_day(session, day: dt.date, resolution: str) -> int:
    """Copy one day of old points into its new partition; how many (none when an earlier try
    that was cut short copied it already)."""
    lo = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    params = {"lo": lo, "hi": lo + dt.timedelta(days=1), "unit": partitions.UNITS.get(resolution)}
    partitions.create_days(session, COUNT_POINTS, day, day, partitions.day_partitions(session, COUNT_POINTS))
    if session.fetch_all(DAY_COPIED, params)[0]["copied"]:
        return 0
    count = session.execute(COPY_DAY_THINNED if resolution else COPY_DAY, params)
    if resolution:
        # The copy is thinned already: its name says so (DayPartition), no second copy needed.
        session.execute(RENAME.format(old=pgsql.Identifier(DayPartition(COUNT_POINTS, day).name),
                                      new=pgsql.Identifier(DayPartition(COUNT_POINTS, day, resolution).name)))
    return count
