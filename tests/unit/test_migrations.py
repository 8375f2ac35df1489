"""Numbered migrations: applied in order and once, beside the bot's own tables, never stalling them."""

from __future__ import annotations

import contextlib
import importlib.util
import threading
import time

import psycopg2
import pytest

import stats_broadcaster as sb
from admin_api import create_app
from broadcaster import cli
from broadcaster.core.errors import StorageError
from broadcaster.storage import ddl, migrations, retention
from broadcaster.storage.db import Database
from broadcaster.web.state import app_state
from tests.conftest import Bot, insert_task

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
BOT_TABLES = ("drama_tasks", "webhook_logs", "broadcaster_error_logs")


@contextlib.contextmanager
def scratch_schema(database_url: str, name: str, sql: str = ""):
    """A Database whose search_path is a fresh schema `name` (holding `sql`), dropped afterwards."""
    conn = psycopg2.connect(database_url, options=f"-c search_path={name}")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")
        if sql:
            cur.execute(sql)
    database = Database(database_url, options=f"-c search_path={name}")
    try:
        yield database
    finally:
        database.close()
        with conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA {name} CASCADE")
        conn.close()


def columns(database: Database, table: str) -> dict:
    rows = database.fetch_all("SELECT column_name, data_type FROM information_schema.columns "
                              "WHERE table_schema = current_schema() AND table_name = %s", (table,))
    return {row["column_name"]: row["data_type"] for row in rows}


def quiet(_line: str) -> None:
    """Migration output is not under test here."""


# --------------------------------------------------------------------------------------------
# On the bot's database


def test_migrations_on_the_bots_database_keep_its_rows_and_types(database_url):
    """Every migration, then again: the bot's rows and column types survive, ours appear, nothing twice."""
    with scratch_schema(database_url, "legacy_bot", LEGACY) as database:
        applied = migrations.migrate(database, say=quiet)
        again = migrations.migrate(database, say=quiet)

        task = database.fetch_one("SELECT title, reward_points, status, callback_status, callback_retry_count "
                                  "FROM drama_tasks")
        task_columns = columns(database, "drama_tasks")
        assert [m.version for m in migrations.discover()] == [a.migration.version for a in applied]
        assert [] == again
        assert ("《旧任务》", 25, "active", "pending", 0) == tuple(task.values())
        assert "character varying" == task_columns["title"]  # never retyped
        for name in ("external_task_id", "project_id", "duration", "callback_secret", "callback_status",
                     "callback_retry_count", "callback_last_attempt", "created_at"):
            assert name in task_columns
        assert not {"link_platform", "link_platform_url", "video_fetch_status"} & set(task_columns)  # moved out
        assert (1, 1) == (database.fetch_one("SELECT COUNT(*) AS n FROM webhook_logs")["n"],
                          database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_error_logs")["n"])
        # The bot's existing task has its own row, to be parsed; a task the bot inserts now gets one too.
        database.execute("INSERT INTO drama_tasks (title, video_url) VALUES ('新任务', 'https://youtu.be/aaaaaaaaaaA')")
        rows = database.fetch_all("SELECT task_id, link_url FROM broadcaster_tasks ORDER BY task_id")
        assert [(1, None), (2, None)] == [(row["task_id"], row["link_url"]) for row in rows]


def test_the_release_schema_is_recognised_without_changes(database_url):
    """A database the last release made (baseline.sql applied) is at version 1 without running it."""
    baseline = (migrations.FOLDER / "baseline.sql").read_text(encoding="utf-8")
    with scratch_schema(database_url, "release_bot", LEGACY + baseline) as database:
        applied = migrations.migrate(database, say=quiet)

        assert "已有该版本的全部结构，未做改动" == applied[0].note
        assert applied[1].note is None  # the next ones do their work


def test_the_baseline_check_knows_every_object_the_baseline_makes(database_url):
    """0001 recognises the release by every column, index, trigger and function baseline.sql makes:
    a schema lacking any one of them is not recognised."""
    spec = importlib.util.spec_from_file_location("baseline", migrations.FOLDER / "0001_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    baseline = (migrations.FOLDER / "baseline.sql").read_text(encoding="utf-8")
    with scratch_schema(database_url, "baseline_check", baseline) as database:
        catalog = database.fetch_all("""
            SELECT 'column' AS kind, c.relname || '.' || a.attname AS name FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = current_schema()::REGNAMESPACE AND c.relkind = 'r' AND a.attnum > 0
              AND NOT a.attisdropped
            UNION ALL SELECT 'index', relname FROM pg_class
            WHERE relnamespace = current_schema()::REGNAMESPACE AND relkind = 'i' AND relname NOT LIKE '%%_pkey'
              AND relname NOT LIKE '%%_key'
            UNION ALL SELECT 'trigger', t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = current_schema()::REGNAMESPACE AND NOT t.tgisinternal
            UNION ALL SELECT 'function', proname FROM pg_proc WHERE pronamespace = current_schema()::REGNAMESPACE""")

        expected = set(module.expected_objects(baseline))
        assert {(row["kind"], row["name"]) for row in catalog} == {item for item in expected if item[0] != "option"}
        with ddl.patient_session(database, "check", say=quiet) as session:
            assert [] == module.missing_objects(session, baseline)
            session.execute("DROP INDEX broadcaster_audit_at_idx")
            assert ["index broadcaster_audit_at_idx"] == module.missing_objects(session, baseline)


# --------------------------------------------------------------------------------------------
# Nothing runs out, nothing runs twice


def test_every_table_of_ours_has_8_byte_ids(database):
    """From the catalog: every column fed by a sequence (serial or identity) outside the bot's own
    tables is a bigint, and so is every such sequence, so no table of ours stops at 2,147,483,647."""
    fed = database.fetch_all("""
        SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = current_schema()::REGNAMESPACE AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND a.attnum > 0 AND NOT a.attisdropped
          AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%%')""")
    sequences = database.fetch_all("""
        SELECT s.seqrelid::REGCLASS::TEXT AS name, format_type(s.seqtypid, NULL) AS type, t.relname AS owner
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
        LEFT JOIN pg_depend dep ON dep.objid = s.seqrelid AND dep.deptype IN ('a', 'i')
        LEFT JOIN pg_class t ON t.oid = dep.refobjid
        WHERE c.relnamespace = current_schema()::REGNAMESPACE""")

    ours = [row for row in fed if row["table_name"] not in BOT_TABLES]
    assert {"broadcaster_deliveries", "broadcaster_runs", "broadcaster_audit"} <= {row["table_name"] for row in ours}
    assert [] == [row for row in ours if row["type"] != "bigint"]
    assert [] == [row for row in sequences if row["owner"] not in BOT_TABLES and row["type"] != "bigint"]


def test_versions_run_without_gaps(tmp_path):
    """A missing or repeated number stops the migrator before it touches anything."""
    for name in ("0001_a.sql", "0003_c.sql"):
        (tmp_path / name).write_text("SELECT 1", encoding="utf-8")
    with pytest.raises(RuntimeError, match="without gaps"):
        migrations.discover(tmp_path)


def test_statements_split_at_top_level_semicolons_only():
    """Quotes, comments and dollar-quoted bodies keep their semicolons."""
    sql = """
    -- a comment; with a semicolon
    CREATE FUNCTION f() RETURNS INT LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
    SELECT 'a;b', "we;ird" FROM t; /* block; comment */
    DO $body$ BEGIN PERFORM 1; END $body$;
    """
    statements = ddl.split_statements(sql)

    assert 3 == len(statements)
    assert statements[0].endswith("END $$") and "'a;b'" in statements[1] and "DO $body$" in statements[2]


def test_two_migrators_apply_each_migration_once(database_url):
    """Two processes starting together: one migrates, the other waits for it and finds nothing left."""
    with scratch_schema(database_url, "race_bot", LEGACY) as database:
        results: list = []
        threads = [threading.Thread(target=lambda: results.append(migrations.migrate(database, say=quiet)))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

        applied = [[a.migration.version for a in result] for result in results]
        assert sorted(applied, key=len) == [[], [m.version for m in migrations.discover()]]
        ledger = database.fetch_all("SELECT version FROM broadcaster_schema_migrations ORDER BY version")
        assert [m.version for m in migrations.discover()] == [row["version"] for row in ledger]


def test_a_failing_migration_says_which_and_is_not_recorded(database_url, tmp_path):
    """A migration that fails stops the rest, names itself, and stays pending (its transaction rolled back)."""
    (tmp_path / "0001_fine.sql").write_text("CREATE TABLE fine (id BIGINT)", encoding="utf-8")
    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE half (id BIGINT); SELECT * FROM nowhere",
                                              encoding="utf-8")
    with scratch_schema(database_url, "broken_bot") as database:
        with pytest.raises(StorageError, match="0002 broken"):
            migrations.migrate(database, migrations=migrations.discover(tmp_path), say=quiet)

        assert [1] == [row["version"] for row in database.fetch_all("SELECT version FROM broadcaster_schema_migrations")]
        assert database.fetch_one("SELECT to_regclass('half') IS NULL AS gone")["gone"]


# --------------------------------------------------------------------------------------------
# Beside the bot


REFUSE_DDL = """
CREATE OR REPLACE FUNCTION public.test_refuse_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'DDL during an up-to-date start: %', tg_tag; END $$;
CREATE EVENT TRIGGER test_refuse_ddl ON ddl_command_start EXECUTE FUNCTION public.test_refuse_ddl();
"""


def test_an_up_to_date_start_runs_no_ddl(database, config, capsys):
    """With every migration applied and the days in place, a worker's start, --init-db and the
    supervisor's first tick run no DDL at all (an event trigger refuses any)."""
    # The days in place as the upkeep leaves them: ahead created, and none left to drop or thin (an
    # earlier test may have left days of long ago, which the tick's upkeep would rightly drop).
    retention.upkeep(database, config)
    database.execute(REFUSE_DDL)
    try:
        app = create_app(config)  # opens its own pool, as a gunicorn worker does
        app_state(app).database.close()
        assert app_state(app).schema_ready
        assert 0 == cli.init_db(config)
        assert "无需改动" in capsys.readouterr().out
        sb.Broadcaster(config, database).run_once()
        with pytest.raises(StorageError, match="DDL during an up-to-date start"):
            database.execute("CREATE TABLE proof_the_trigger_works (id INT)")
    finally:
        database.execute("DROP EVENT TRIGGER test_refuse_ddl")


def test_a_pending_migration_waits_for_a_long_reader_and_the_bot_never_waits(database_url):
    """A reader holds drama_tasks (as pg_dump does) while the migrations that change it are pending:
    the bot's inserts and selects never wait a second, and the migration completes once the reader ends."""
    with scratch_schema(database_url, "busy_bot", LEGACY) as database:
        pending = migrations.discover()
        migrations.migrate(database, migrations=pending[:2], say=quiet)  # 0003 changes drama_tasks
        reader = psycopg2.connect(database_url, options="-c search_path=busy_bot")
        reader.cursor().execute("SELECT COUNT(*) FROM drama_tasks")  # a transaction that has read it
        done: list = []
        said: list[str] = []
        migrator = threading.Thread(target=lambda: done.append(migrations.migrate(database, say=said.append)))
        with Bot(database_url, "busy_bot") as bot:
            migrator.start()
            time.sleep(3)  # the migration keeps trying meanwhile; nothing to wait for but time itself
            assert not done and migrator.is_alive()
            reader.commit()
            ended = time.monotonic()
            migrator.join(15)
            finished_after = time.monotonic() - ended

        reader.close()
        assert done and [3, 4] == [a.migration.version for a in done[0]][:2]
        assert finished_after < 6  # backoff tops out at a few seconds
        waited = done[0][0]
        assert waited.retries > 0 and waited.lock_wait_seconds > 2
        assert any("等待锁" in line for line in said)
        assert bot.statements > 20 and bot.slowest < 1.0, bot.slowest


def test_upkeep_runs_in_one_process_at_a_time(database, config):
    """While one process holds the upkeep, another's round does nothing and says so (None)."""
    with ddl.patient_session(database, "hold", say=quiet) as session, retention._upkeep_lock(session) as mine:
        assert mine
        assert retention.upkeep(database, config) is None
    assert retention.upkeep(database, config) is not None


def test_tasks_the_bot_inserts_are_tracked_and_drift_is_caught(database):
    """Every task gets a broadcaster_tasks row to be parsed; a link changed behind the triggers'
    back is found by the upkeep's check and parsed again."""
    task_id = insert_task(database)
    from broadcaster.reports import tasklist

    assert 1 == tasklist.fill_link_platforms(database)
    database.execute("ALTER TABLE drama_tasks DISABLE TRIGGER drama_tasks_tracked_links")
    try:
        database.execute("UPDATE drama_tasks SET video_url = 'https://www.tiktok.com/@a/video/7504044860782021930' "
                         "WHERE task_id = %s", (task_id,))
    finally:
        database.execute("ALTER TABLE drama_tasks ENABLE TRIGGER drama_tasks_tracked_links")
    retention.check_task_rows(database)

    assert 1 == tasklist.fill_link_platforms(database)
    row = database.fetch_one("SELECT link_platform FROM broadcaster_tasks WHERE task_id = %s", (task_id,))
    assert "tiktok" == row["link_platform"]
