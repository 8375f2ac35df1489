"""The ledger of applied schema migrations (broadcaster.storage.migrations), and DDL sessions (broadcaster.storage.ddl)."""

from __future__ import annotations

# Created by the migrator itself, before the first migration, and only when one is pending: an
# up-to-date start reads it and runs nothing else.
CREATE_MIGRATION_LEDGER = """
CREATE TABLE IF NOT EXISTS broadcaster_schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    seconds DOUBLE PRECISION NOT NULL,
    lock_wait_seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
    note TEXT
)
"""

FETCH_APPLIED_MIGRATIONS = "SELECT version FROM broadcaster_schema_migrations ORDER BY version"

RECORD_MIGRATION = """
INSERT INTO broadcaster_schema_migrations (version, name, seconds, lock_wait_seconds, note)
VALUES (%(version)s, %(name)s, %(seconds)s, %(lock_wait_seconds)s, %(note)s)
ON CONFLICT (version) DO NOTHING
"""

# Session-level, so it spans the migration's many transactions; released explicitly (and by
# PostgreSQL when the connection ends).
TRY_MIGRATION_LOCK = "SELECT pg_try_advisory_lock(%(key)s) AS locked"
RELEASE_MIGRATION_LOCK = "SELECT pg_advisory_unlock(%(key)s)"

# broadcaster.storage.ddl's sessions: every statement gives up its place in a lock queue after
# `lock_timeout` (then it is retried); long work in batches is not cut short.
PATIENT_SESSION = "SET lock_timeout = %(lock_timeout)s; SET statement_timeout = 0"

# Which of the objects the baseline creates (broadcaster/storage/migrations/0001_baseline.py) a database
# lacks: columns as table.column, indexes, triggers and functions by name, storage options as
# table:option=value.
FIND_MISSING_OBJECTS = """
SELECT n.kind, n.name FROM unnest(%(kinds)s::TEXT[], %(names)s::TEXT[]) AS n(kind, name)
WHERE NOT CASE n.kind
    WHEN 'column' THEN EXISTS (
        SELECT 1 FROM pg_attribute a
        WHERE a.attrelid = to_regclass(split_part(n.name, '.', 1)) AND a.attname = split_part(n.name, '.', 2)
          AND NOT a.attisdropped)
    WHEN 'index' THEN to_regclass(n.name) IS NOT NULL
    WHEN 'trigger' THEN EXISTS (
        SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE t.tgname = n.name AND c.relnamespace = current_schema()::REGNAMESPACE)
    WHEN 'function' THEN EXISTS (
        SELECT 1 FROM pg_proc p WHERE p.proname = n.name AND p.pronamespace = current_schema()::REGNAMESPACE)
    WHEN 'option' THEN split_part(n.name, ':', 2) = ANY(
        COALESCE((SELECT reloptions FROM pg_class WHERE oid = to_regclass(split_part(n.name, ':', 1))), '{}'))
    END
"""
