"""Day partitions of the records and of count history (broadcaster.storage.partitions).

Identifiers are composed with psycopg2.sql (`{parent}`, `{partition}`, `{old}`); day bounds are
literals of the parent's key type. A day is created as a table of its own and then attached,
which takes only a SHARE UPDATE EXCLUSIVE lock on the parent (CREATE TABLE … PARTITION OF would
take an ACCESS EXCLUSIVE one and queue the pass's writes behind any long reader).
"""

from __future__ import annotations

from psycopg2 import sql as pgsql

# The partitions of a parent table, by name.
FETCH_PARTITIONS = """
SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = to_regclass(%(parent)s) ORDER BY c.relname
"""

# Tables named like a parent's day that are not (or no longer) attached to it: what a thinning
# cut short left behind.
FETCH_LOOSE_DAY_TABLES = """
SELECT c.relname AS name FROM pg_class c
WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::REGNAMESPACE AND c.relname LIKE %(pattern)s
  AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)
"""

CREATE_DAY_TABLE = pgsql.SQL("CREATE TABLE IF NOT EXISTS {partition} (LIKE {parent} INCLUDING DEFAULTS)")

# The day's bounds as a constraint first: ATTACH then need not scan the table to check them.
ATTACH_DAY = pgsql.SQL("""
ALTER TABLE {partition} ADD CONSTRAINT {bounds} CHECK ({key} >= {lo} AND {key} < {hi});
ALTER TABLE {parent} ATTACH PARTITION {partition} FOR VALUES FROM ({lo}) TO ({hi});
ALTER TABLE {partition} DROP CONSTRAINT {bounds};
""")

DROP_TABLE = pgsql.SQL("DROP TABLE IF EXISTS {partition}")

# Count history thinned (docs/storage.md#count-history): the last reading of each video in each hour (or day) of the
# old partition, into a table of its own that then takes the old one's place.
COPY_THINNED_POINTS = pgsql.SQL("""
INSERT INTO {partition} (recorded_at, video_ref, view_count, like_count)
SELECT DISTINCT ON (video_ref, date_trunc({unit}, recorded_at)) recorded_at, video_ref, view_count, like_count
FROM {old}
ORDER BY video_ref, date_trunc({unit}, recorded_at), recorded_at DESC
""")

INDEX_POINTS = pgsql.SQL("CREATE INDEX IF NOT EXISTS {index} ON {partition} (video_ref, recorded_at)")

ANALYZE_TABLE = pgsql.SQL("ANALYZE {partition}")
