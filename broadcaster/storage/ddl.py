"""Schema changes beside a live database: wait for locks briefly, and retry instead of queueing.

A DDL statement that waits for a lock (say, behind pg_dump's transaction) makes every later
statement on that table wait behind it, the bot's included. So every statement run here gives up
its place in the lock queue after `LOCK_TIMEOUT`, rolls back, and is tried again with backoff
(`PatientSession`); while it keeps waiting it says so once a minute. The migrations
(`broadcaster.storage.migrations`) and the day partitions (`broadcaster.storage.partitions`) run their DDL so.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator

import psycopg2
import psycopg2.errors
import psycopg2.extras

from broadcaster.core.errors import StorageError
from broadcaster.storage import queries

logger = logging.getLogger(__name__)

LOCK_TIMEOUT = "500ms"  # the longest a statement of the bot can queue behind one of ours
BACKOFF_START_S, BACKOFF_MAX_S = 0.25, 4.0
SAY_EVERY_S = 60.0
_RETRYABLE = (psycopg2.errors.LockNotAvailable, psycopg2.errors.DeadlockDetected)


class GaveUp(StorageError):
    """A statement was still waiting for its lock when the caller's stop event was set."""


def split_statements(sql: str) -> list[str]:
    """The statements of a SQL script, split at top-level semicolons (quotes, comments and
    dollar-quoted bodies respected); empty ones dropped."""
    statements, start, i, n = [], 0, 0, len(sql)
    while i < n:
        char = sql[i]
        if sql.startswith("--", i):
            i = _end_of(sql, "\n", i)
        elif sql.startswith("/*", i):
            i = _end_of(sql, "*/", i)
        elif char in "'\"":
            i = _end_of(sql, char, i + 1)
        elif char == "$" and (tag := re.match(r"\$[A-Za-z_]*\$", sql[i:])):
            i = _end_of(sql, tag.group(0), i + len(tag.group(0)))
        elif char == ";":
            statements.append(sql[start:i])
            i += 1
            start = i
        else:
            i += 1
    statements.append(sql[start:])
    return [statement.strip() for statement in statements if _has_code(statement)]


def _end_of(sql: str, token: str, start: int) -> int:
    end = sql.find(token, start)
    return len(sql) if end < 0 else end + len(token)


def _has_code(statement: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in statement.splitlines())


def first_line(sql: str) -> str:
    """A statement's first line of code, for messages."""
    lines = [line.strip() for line in sql.splitlines() if line.strip() and not line.strip().startswith("--")]
    return (lines[0] if lines else sql)[:80]


class PatientSession:
    """A connection of its own (autocommit, short lock timeout) whose statements are retried while
    another transaction holds what they need. `label` names the work in messages; `lock_wait_seconds`
    and `retries` say what the waiting cost."""

    def __init__(self, conn, label: str, say: Callable[[str], None], stop_event: threading.Event | None = None):
        self.conn = conn
        self.label = label
        self.say = say
        self.stop_event = stop_event
        self.lock_wait_seconds = 0.0
        self.retries = 0

    def execute(self, sql: str, params=None) -> int:
        """Run one statement in its own transaction; the number of rows it touched."""
        def run(cur):
            cur.execute(sql, params)
            return cur.rowcount
        return self.atomic(run, what=sql)

    def fetch_all(self, sql: str, params=None) -> list[dict]:
        """Run a query; its rows as dicts."""
        def read(cur):
            cur.execute(sql, params)
            return [dict(row) for row in cur.fetchall()]
        return self.atomic(read, what=sql)

    def run_script(self, sql: str, *, per_statement: bool) -> None:
        """A SQL script: in one transaction, or each statement in its own."""
        if per_statement:
            for statement in split_statements(sql):
                self.execute(statement)
        else:
            self.atomic(lambda cur: cur.execute(sql), what=sql)

    def atomic(self, work: Callable, *, what: str):
        """Run `work(cursor)` in one transaction, again from the start whenever a lock wait times
        out; its result."""
        started, backoff, last_said = time.monotonic(), BACKOFF_START_S, None
        while True:
            attempt_started = time.monotonic()
            try:
                with self.conn:  # a transaction: committed on success, rolled back on error
                    with self.conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                        return work(cur)
            except _RETRYABLE:
                now = time.monotonic()
                self.retries += 1
                if last_said is None or now - last_said >= SAY_EVERY_S:
                    last_said = now
                    self.say(f"{self.label}：等待锁（{first_line(what)}），已等待 {now - started:.0f} 秒；"
                             "有其他事务占用相关的表，稍后自动重试")
            pause = backoff * random.uniform(0.8, 1.2)
            if self.stop_event is not None:
                if self.stop_event.wait(pause):
                    raise GaveUp(f"{self.label}：等待锁时被停止") from None
            else:
                time.sleep(pause)
            self.lock_wait_seconds += time.monotonic() - attempt_started
            backoff = min(BACKOFF_MAX_S, backoff * 2)


@contextlib.contextmanager
def patient_session(database, label: str, *, say: Callable[[str], None] | None = None,
                    stop_event: threading.Event | None = None) -> Iterator[PatientSession]:
    """A `PatientSession` on a dedicated connection of `database`."""
    say = say or (lambda text: logger.warning("%s", text))
    with database.dedicated_connection() as conn:
        with conn.cursor() as cur:
            cur.execute(queries.PATIENT_SESSION, {"lock_timeout": LOCK_TIMEOUT})
        yield PatientSession(conn, label, say, stop_event)
