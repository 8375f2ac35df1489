"""Shared fixtures: a real PostgreSQL (embedded, or TEST_DATABASE_URL), settings, fake upstream."""

from __future__ import annotations

import base64
import contextlib
import multiprocessing.process
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from werkzeug.serving import make_server

from broadcaster.core.config import SETTINGS, Config
from broadcaster.storage import db, partitions, queries
from broadcaster.storage.db import Database

ROOT = Path(__file__).resolve().parent.parent
# One database per pytest process, so parallel runs on one machine never share tables.
TEST_DB_NAME = f"broadcaster_test_{os.getpid()}"
# Tables reset_database leaves alone: the migrations' ledger and the one-row state tables.
KEPT_TABLES = ("broadcaster_schema_migrations", "broadcaster_state", "broadcaster_storage",
               "broadcaster_insight_state")
# Every other table of the schema, read from the catalog (partitioned parents, not their days), and
# every sequence: a table added later is emptied between tests without being listed here.
FETCH_TABLES = """
SELECT c.relname FROM pg_class c
WHERE c.relnamespace = current_schema()::REGNAMESPACE AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND c.relname <> ALL(%s)
ORDER BY c.relname
"""
FETCH_SEQUENCES = "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::REGNAMESPACE AND relkind = 'S'"
ADMIN_PASSWORD = "test-admin-password"
ADMIN_TOKEN = "test-admin-token-0123456789"


def with_database(url: str, name: str) -> str:
    """The same server's URL, naming database `name`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def database_url() -> str:
    """URL of a dedicated, freshly created test database with the schema applied."""
    url = os.environ.get("TEST_DATABASE_URL")
    server_url = None
    if not url:
        server_url = db.start_embedded_server(ROOT / "instance" / "test-pgdata")
        run_outside_transaction(server_url, f"DROP DATABASE IF EXISTS {TEST_DB_NAME} WITH (FORCE)", f"CREATE DATABASE {TEST_DB_NAME}")
        url = with_database(server_url, TEST_DB_NAME)
    try:
        database = Database(url)
        db.apply_schema(database)
        # The tests read the webhook and fetch-failure logs as the service does, as views.
        database.execute(f"CREATE OR REPLACE VIEW broadcaster_delivery_log AS {queries.DELIVERY_LOG}")
        database.execute(f"CREATE OR REPLACE VIEW broadcaster_fetch_failure_log AS {queries.FETCH_FAILURE_LOG}")
        database.close()
    except Exception as exc:  # fail loudly: every database test needs this
        pytest.exit(f"test database unavailable ({url!r}): {exc}", returncode=3)
    yield url
    if server_url:
        run_outside_transaction(server_url, f"DROP DATABASE IF EXISTS {TEST_DB_NAME} WITH (FORCE)")


def run_outside_transaction(server_url: str, *statements: str) -> None:
    """Run statements outside a transaction (CREATE and DROP DATABASE refuse to run inside one)."""
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    admin.close()


def reset_database(url: str) -> None:
    """Empty every table and switch the service off."""
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(FETCH_TABLES, (list(KEPT_TABLES),))
        tables = [row[0] for row in cur.fetchall()]
        cur.execute(FETCH_SEQUENCES)
        sequences = [row[0] for row in cur.fetchall()]
        # DELETE and a sequence reset are ~10x faster than TRUNCATE on these small tables.
        for table in tables:
            cur.execute(f"DELETE FROM {table}")
        for sequence in sequences:
            cur.execute("SELECT setval(%s, 1, false)", (sequence,))
        # Days of count history a test thinned are dropped, so that the next test's points on that day
        # land in a day of full resolution (a thinned day keeps what it is given).
        cur.execute(queries.FETCH_PARTITIONS, {"parent": partitions.COUNT_POINTS})
        for (name,) in cur.fetchall():
            day = partitions.DayPartition.parse(partitions.COUNT_POINTS, name)
            if day is not None and day.resolution != partitions.FULL:
                cur.execute(f"DROP TABLE {name}")
        cur.execute("UPDATE broadcaster_state SET enabled = FALSE, enabled_at = NULL")
        cur.execute("UPDATE broadcaster_storage SET legacy_logs = FALSE")
        cur.execute("UPDATE broadcaster_insight_state SET as_of = NULL, refresh_ms = NULL")
    conn.close()


@pytest.fixture
def database(database_url) -> Database:
    """A pool on the emptied test database."""
    reset_database(database_url)
    database = Database(database_url)
    yield database
    database.close()


@pytest.fixture
def config(database_url, tmp_path) -> Config:
    """Settings for tests: loopback callbacks allowed, no page pacing, known credentials."""
    return Config(
        database_url=database_url,
        webhook_allow_private_networks=True,
        youtube_pages_per_minute=0,
        tiktok_pages_per_minute=0,
        douyin_pages_per_minute=0,
        webhook_timeout_seconds=2.0,
        admin_password=ADMIN_PASSWORD,
        admin_token=ADMIN_TOKEN,
        instance_path=str(tmp_path / "instance"),
    )


@pytest.fixture
def fake():
    """A running fake upstream (platforms and X2C receivers) on 127.0.0.1."""
    from fakes.upstream import FakeUpstream

    with FakeUpstream() as upstream:
        yield upstream


@pytest.fixture
def fake_config(config, fake) -> Config:
    """Settings pointing every platform at the fake upstream."""
    return config.replace(**{name.lower(): url for name, url in fake.settings_env().items()})


# Environment variables that are settings (the declared ones, gunicorn's included): scrubbed from
# the environment of spawned commands, so a developer's own settings never leak into a test.
SETTING_NAMES = frozenset(setting.name for setting in SETTINGS)


def command_env(database_url: str, fake, instance_path, **settings: str) -> dict[str, str]:
    """Environment for a spawned command: the given database, the fake upstream, no pacing."""
    env = {key: value for key, value in os.environ.items() if key not in SETTING_NAMES}
    env.update(fake.settings_env())
    env.update(
        DATABASE_URL=database_url,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS="true",
        YOUTUBE_PAGES_PER_MINUTE="0",
        TIKTOK_PAGES_PER_MINUTE="0",
        DOUYIN_PAGES_PER_MINUTE="0",
        INSTANCE_PATH=str(instance_path),
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


def wait_until(predicate, timeout: float, interval: float = 0.05):
    """Poll `predicate` until it is truthy or the deadline passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def insert_task(database: Database, **fields) -> int:
    """Insert a drama_tasks row with sensible defaults; return its task_id."""
    values = {
        "title": "《测试短剧》第1集",
        "status": "active",
        "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "callback_url": "http://127.0.0.1:9/x2c",
        "callback_secret": None,
        "project_id": "550e8400-e29b-41d4-a716-446655440000",
        "external_task_id": None,
        "duration": 30,
    }
    values.update(fields)
    columns = ", ".join(values)
    placeholders = ", ".join(f"%({name})s" for name in values)
    row = database.fetch_one(
        f"INSERT INTO drama_tasks ({columns}) VALUES ({placeholders}) RETURNING task_id", values
    )
    return row["task_id"]


@pytest.fixture(autouse=True)
def _quick_tests_start_no_processes(request, monkeypatch):
    """Tests outside the `slow` mark may not start processes: `pytest -m "not slow"` stays quick."""
    if request.node.get_closest_marker("slow") is not None:
        return

    def refuse(*args, **kwargs):
        raise AssertionError(f"{request.node.nodeid} starts a process: mark it slow")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refuse)


def basic(password: str, username: str = "admin") -> dict:
    """An Authorization header for HTTP Basic."""
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def token_client(app):
    """A test client of `app` that sends the admin token with every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {ADMIN_TOKEN}"
    return client


@contextlib.contextmanager
def bearer_client(database_url: str, instance_path, **settings):
    """A test client of an app on the test database, sending the admin token with every request."""
    from admin_api import create_app

    config = Config(database_url=database_url, webhook_allow_private_networks=True, admin_password=ADMIN_PASSWORD,
                    admin_token=ADMIN_TOKEN, instance_path=str(instance_path), **settings)
    database = Database(database_url)
    client = token_client(create_app(config, database=database))
    try:
        yield client
    finally:
        database.close()


@contextlib.contextmanager
def served(app):
    """Serve a Flask app on 127.0.0.1 from a thread (werkzeug's threaded server); yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="admin-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def stop_process_group(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Send `sig` to a process started with start_new_session=True; SIGKILL its group if it lingers."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# A delivery record as the recorder writes it, but dated: `minutes_ago` before now (UTC).
_INSERT_DATED_RECORD = """
INSERT INTO broadcaster_deliveries
    (created_at, run_id, context_id, views, likes, task_id, latency_ms, age_s, http_status, attempts, shard_no,
     delivered, attempted, error)
SELECT (NOW() AT TIME ZONE 'UTC') - (%(minutes_ago)s * INTERVAL '1 minute'), %(run_id)s, c.id, %(views)s, %(likes)s,
       %(task_id)s, %(latency_ms)s, %(age_s)s, %(http_status)s, %(attempts)s, NULL, %(ok)s, %(attempted)s, %(error)s
FROM broadcaster_delivery_contexts c WHERE c.digest = %(digest)s
"""


def insert_records(database: Database, records: list[dict]) -> None:
    """Delivery records, each a dict of: task_id, host, ok, and optionally latency_ms, attempts,
    http_status, error, minutes_ago, run_id, views, likes, age_s, attempted, title. Each record's
    context is stored with the recorder's own statement; the days they fall on get their partitions."""
    import datetime as dt

    from broadcaster.engine.recorder import Outcome, context_row
    from broadcaster.engine.tasks import TaskRow
    from broadcaster.storage import queries, retention

    now = dt.datetime.now(dt.UTC)
    for minutes in {round(record.get("minutes_ago", 0) / 1440) for record in records}:
        retention.ensure_days(database, now=now - dt.timedelta(days=minutes), ahead=1)
    contexts, rows = {}, []
    for record in records:
        host = record.get("host", "x2c.example.com")
        task = TaskRow(task_id=record["task_id"], video_url="https://youtu.be/dQw4w9WgXcQ",
                       callback_url=f"https://{host}/hook", title=record.get("title", "t"), platform="youtube")
        context = context_row(Outcome(task, record["ok"]), "DramaRelayBot")
        contexts[context["digest"]] = context
        ok = record["ok"]
        rows.append({"digest": context["digest"], "task_id": record["task_id"], "ok": ok,
                     "minutes_ago": record.get("minutes_ago", 0), "run_id": record.get("run_id", 1),
                     "views": record.get("views", 1), "likes": record.get("likes", 1), "age_s": record.get("age_s", 1),
                     "latency_ms": record.get("latency_ms"), "attempts": record.get("attempts", 1 if ok else 3),
                     "http_status": record.get("http_status", 200 if ok else 500), "error": record.get("error"),
                     "attempted": record.get("attempted", True)})
    database.write_batches([(queries.UPSERT_DELIVERY_CONTEXTS, queries.CONTEXT_ROW, list(contexts.values()))])
    with database.connection() as conn, conn.cursor() as cur:
        for row in rows:
            cur.execute(_INSERT_DATED_RECORD, row)


def add_points(database: Database, platform: str, video_id: str, *ages_and_counts) -> None:
    """Count-history points of a video, each (age as a timedelta, views, likes), on days that get
    their partitions; the video gets its row (and number) first, as the recorder does it."""
    import datetime as dt

    from broadcaster.storage import queries, retention

    database.write_batches([(queries.ENSURE_VIDEOS, queries.VIDEO_KEY_ROW, [{"platform": platform,
                                                                            "video_id": video_id}])])
    now = dt.datetime.now(dt.UTC)
    for age in {age.days for age, _, _ in ages_and_counts}:
        retention.ensure_days(database, now=now - dt.timedelta(days=age), ahead=1)
    for age, views, likes in ages_and_counts:
        database.execute(
            "INSERT INTO broadcaster_count_points (recorded_at, video_ref, view_count, like_count) "
            "SELECT NOW() - %s, id, %s, %s FROM broadcaster_videos WHERE platform = %s AND video_id = %s",
            (age, views, likes, platform, video_id))


def shift_records(database: Database, by, *, task_id: int | None = None) -> None:
    """Move delivery records (of one task, or all) `by` (a timedelta) into the past, onto days that
    get their partitions (a record changing day moves to that day's partition)."""
    import datetime as dt

    from broadcaster.storage import retention

    retention.ensure_days(database, now=dt.datetime.now(dt.UTC) - by, ahead=1)
    database.execute("UPDATE broadcaster_deliveries SET created_at = created_at - %s "
                     "WHERE %s::INTEGER IS NULL OR task_id = %s", (by, task_id, task_id))


class Bot:
    """The bot beside us: its own statements on drama_tasks every 100 ms on a connection of its own,
    each timed (INSERT a task, SELECT the newest back). `slowest` is the longest any one took."""

    def __init__(self, database_url: str, search_path: str = "public"):
        self.conn = psycopg2.connect(database_url, options=f"-c search_path={search_path}")
        self.conn.autocommit = True
        self.slowest = 0.0
        self.statements = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.conn.cursor() as cur:
            while not self.stop.wait(0.1):
                # Paused, so that no pass beside it picks the bot's tasks up.
                for sql in ("INSERT INTO drama_tasks (title, status, video_url, callback_url) "
                            "VALUES ('机器人任务', 'paused', 'https://youtu.be/dQw4w9WgXcQ', 'https://x2c.example.com/cb') "
                            "RETURNING task_id",
                            "SELECT task_id, title, status FROM drama_tasks ORDER BY task_id DESC LIMIT 1"):
                    started = time.monotonic()
                    cur.execute(sql)
                    cur.fetchall()
                    self.slowest = max(self.slowest, time.monotonic() - started)
                    self.statements += 1

    def __enter__(self) -> Bot:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(10)
        self.conn.close()


def cover_days(database: Database, days_back: int) -> None:
    """Give the partitioned tables every day from the day before `days_back` days ago to tomorrow (a
    test moving rows back in time needs their new day to exist, as the upkeep would have made it)."""
    from broadcaster.storage import retention

    retention.ensure_days(database, back=days_back + 1, ahead=1)


def update_points(database: Database, assignment: str, where: str, params: dict | None = None) -> None:
    """UPDATE the count-history points of the videos `where` selects (on `h`, a point, and `v`, its
    video in broadcaster_videos), e.g. moving them back in time, their days covered first."""
    cover_days(database, 10)
    database.execute(f"UPDATE broadcaster_count_points h SET {assignment} FROM broadcaster_videos v "
                     f"WHERE v.id = h.video_ref AND {where}", params)
