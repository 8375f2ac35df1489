"""schema.sql is idempotent and safe on the bot's existing tables."""

import psycopg2
import pytest

from broadcaster import db, queries

LEGACY = """
CREATE TABLE drama_tasks (
    task_id SERIAL PRIMARY KEY,
    title VARCHAR(255),
    status VARCHAR(32) DEFAULT 'active',
    video_url TEXT,
    callback_url TEXT,
    reward_points INTEGER DEFAULT 10
);
CREATE TABLE webhook_logs (
    id SERIAL PRIMARY KEY, task_id INTEGER, task_title TEXT, project_id TEXT, callback_url TEXT,
    callback_status TEXT, payload JSONB, created_at TIMESTAMP DEFAULT NOW()
);
CREATE TABLE broadcaster_error_logs (
    id SERIAL PRIMARY KEY, task_id INTEGER, task_title TEXT, project_id TEXT, video_url TEXT,
    platform TEXT, error_type TEXT, error_message TEXT, callback_url TEXT,
    created_at TIMESTAMP DEFAULT NOW()
);
INSERT INTO drama_tasks (title, video_url, callback_url, reward_points)
VALUES ('《旧任务》', 'https://youtu.be/dQw4w9WgXcQ', 'https://x2c.example.com/cb', 25);
INSERT INTO webhook_logs (task_id, task_title, callback_status, payload)
VALUES (1, '《旧任务》', 'success', '{"a": 1}');
INSERT INTO broadcaster_error_logs (task_id, error_type, error_message) VALUES (1, 'x', 'y');
"""


@pytest.fixture
def legacy(database_url):
    """A connection whose search_path is a fresh schema holding the bot's own tables."""
    conn = psycopg2.connect(database_url, options="-c search_path=legacy_bot")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS legacy_bot CASCADE; CREATE SCHEMA legacy_bot")
        cur.execute(LEGACY)
    yield conn
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA legacy_bot CASCADE")
    conn.close()


def columns(cur, table):
    cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'legacy_bot' AND table_name = %s",
        (table,),
    )
    return dict(cur.fetchall())


def test_schema_on_the_bots_database_keeps_rows_and_adds_columns(legacy):
    """Applied twice to the bot's tables: no error, every row and type survives, columns appear."""
    sql = db.SCHEMA_PATH.read_text(encoding="utf-8")
    with legacy.cursor() as cur:
        cur.execute(sql)
        cur.execute(sql)

        task_columns = columns(cur, "drama_tasks")
        cur.execute("SELECT title, reward_points, status, callback_status, callback_retry_count FROM drama_tasks")
        task = cur.fetchone()
        cur.execute("SELECT COUNT(*) FROM webhook_logs")
        logs = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM broadcaster_error_logs")
        errors = cur.fetchone()[0]
        log_columns = columns(cur, "webhook_logs")

    assert ("《旧任务》", 25, "active", "pending", 0) == task
    assert "character varying" == task_columns["title"]  # never retyped
    for name in ("external_task_id", "project_id", "duration", "callback_secret", "callback_status",
                 "callback_retry_count", "callback_last_attempt", "created_at"):
        assert name in task_columns
    assert {"run_id", "http_status", "attempts", "latency_ms", "error"} <= set(log_columns)
    assert (1, 1) == (logs, errors)


def test_schema_applies_twice_on_an_empty_database(database):
    """apply_schema is idempotent through the normal entry point."""
    db.apply_schema(database)
    db.apply_schema(database)

    assert database.fetch_one(queries.FETCH_STATE)["enabled"] is False
