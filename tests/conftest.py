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

from broadcaster import db
from broadcaster.config import Config
from broadcaster.db import Database

ROOT = Path(__file__).resolve().parent.parent
# One database per pytest process, so parallel runs on one machine never share tables.
TEST_DB_NAME = f"broadcaster_test_{os.getpid()}"
TABLES = (
    "drama_tasks", "webhook_logs", "broadcaster_error_logs", "broadcaster_runs",
    "broadcaster_task_videos", "broadcaster_videos", "broadcaster_quota", "broadcaster_tikhub_usage",
    "broadcaster_egress", "broadcaster_egress_blocks", "broadcaster_counters", "broadcaster_count_history",
    "broadcaster_shards", "broadcaster_pass_slots", "broadcaster_pass_egress", "broadcaster_pass_allowance",
    "broadcaster_helpers", "broadcaster_alerts", "broadcaster_alert_events", "broadcaster_login_throttle",
    "broadcaster_audit", "broadcaster_task_counts",
    "broadcaster_host_hours", "broadcaster_host_tasks", "broadcaster_host_rollups",
    "broadcaster_video_insight", "broadcaster_projects", "broadcaster_project_hours", "broadcaster_project_rollups",
    "broadcaster_digests", "broadcaster_sessions",
)
SERIALS = (("drama_tasks", "task_id"), ("webhook_logs", "id"), ("broadcaster_error_logs", "id"),
           ("broadcaster_runs", "id"), ("broadcaster_count_history", "id"),
           ("broadcaster_alert_events", "id"), ("broadcaster_audit", "id"))
ADMIN_PASSWORD = "test-admin-password"
ADMIN_TOKEN = "test-admin-token-0123456789"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def database_url() -> str:
    """URL of a dedicated, freshly created test database with the schema applied."""
    url = os.environ.get("TEST_DATABASE_URL")
    server_url = None
    if not url:
        server_url = db.start_embedded_server(ROOT / "instance" / "test-pgdata")
        _admin(server_url, f"DROP DATABASE IF EXISTS {TEST_DB_NAME} WITH (FORCE)", f"CREATE DATABASE {TEST_DB_NAME}")
        url = _with_database(server_url, TEST_DB_NAME)
    try:
        database = Database(url)
        db.apply_schema(database)
        database.close()
    except Exception as exc:  # fail loudly: every database test needs this
        pytest.exit(f"test database unavailable ({url!r}): {exc}", returncode=3)
    yield url
    if server_url:
        _admin(server_url, f"DROP DATABASE IF EXISTS {TEST_DB_NAME} WITH (FORCE)")


def _admin(server_url: str, *statements: str) -> None:
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
        # DELETE and a sequence reset are ~10x faster than TRUNCATE on these small tables.
        for table in TABLES:
            cur.execute(f"DELETE FROM {table}")
        for table, column in SERIALS:
            cur.execute("SELECT setval(pg_get_serial_sequence(%s, %s), 1, false)", (table, column))
        cur.execute("UPDATE broadcaster_state SET enabled = FALSE, enabled_at = NULL")
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


# Environment variables that are settings: scrubbed from the environment of spawned commands.
SETTINGS_PREFIXES = ("BROADCAST_", "WEBHOOK_", "YOUTUBE_", "TIKTOK_", "DOUYIN_", "TIKHUB_", "ADMIN_", "X2C_",
                     "FETCH_", "SITE_NAME", "LOG_RETENTION", "DATABASE_URL", "INSTANCE_PATH", "BIND", "PORT",
                     "WEB_CONCURRENCY", "ALERT_", "HEALTHCHECK_URL", "LOGIN_", "TRUSTED_PROXIES", "AUDIT_",
                     "DIGEST_AT", "STALL_DAYS", "SESSION_HOURS")


def command_env(database_url: str, fake, instance_path, **settings: str) -> dict[str, str]:
    """Environment for a spawned command: the given database, the fake upstream, no pacing."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(SETTINGS_PREFIXES)}
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
