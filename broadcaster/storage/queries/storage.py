"""The database's size by store (broadcaster.storage.sizes)."""

from __future__ import annotations

# Every table of the schema (a day partition counts for its parent) with its indexes and TOAST,
# grouped into stores; rows are PostgreSQL's estimates (reltuples, kept by VACUUM and ANALYZE).
_TABLES = """
SELECT COALESCE(pg_partition_root(c.oid), c.oid)::REGCLASS::TEXT AS root,
       pg_total_relation_size(c.oid) AS bytes, GREATEST(c.reltuples, 0) AS rows
FROM pg_class c
WHERE c.relnamespace = current_schema()::REGNAMESPACE AND c.relkind = 'r'
"""

FETCH_STORE_SIZES = f"""
SELECT pg_database_size(current_database()) AS total_bytes,
       SUM(bytes) FILTER (WHERE root IN ('broadcaster_deliveries', 'broadcaster_delivery_contexts')) AS deliveries_bytes,
       SUM(rows) FILTER (WHERE root = 'broadcaster_deliveries') AS deliveries_rows,
       SUM(bytes) FILTER (WHERE root = 'broadcaster_fetch_failures') AS fetch_failures_bytes,
       SUM(rows) FILTER (WHERE root = 'broadcaster_fetch_failures') AS fetch_failures_rows,
       SUM(bytes) FILTER (WHERE root = 'broadcaster_count_points') AS history_bytes,
       SUM(rows) FILTER (WHERE root = 'broadcaster_count_points') AS history_rows
FROM ({_TABLES}) tables
"""

FETCH_DATABASE_SIZE = "SELECT pg_database_size(current_database()) AS bytes"
