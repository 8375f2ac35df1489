"""Numbered schema migrations, applied in order beside the bot's live database.

Each migration is a file in this folder: ``NNNN_name.sql`` (one transaction, or one transaction
per statement when its first lines say ``-- migrate: per-statement``) or ``NNNN_name.py`` (an
``apply(session)`` function, for work done in batches; `session` is a `ddl.PatientSession`).
``broadcaster_schema_migrations`` lists the applied versions. `migrate` is called by
``--init-db`` and by every entry point at start:

* an up-to-date database is recognised by reading that table and nothing else: no DDL, no lock;
* otherwise one process at a time (a session advisory lock) applies what is pending, in order;
* every statement waits for a lock at most `ddl.LOCK_TIMEOUT` and is then retried with backoff,
  so that a long transaction of someone else (pg_dump, a report) makes the migration wait
  instead of queueing the bot's own statements behind it; meanwhile it says so once a minute.

A new migration is a new file with the next number; a migration that has been released is never
edited. `tests/migration/` upgrades a database the last release made, with data in it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import psycopg2.errors

from broadcaster.core.errors import StorageError
from broadcaster.storage import ddl, queries

logger = logging.getLogger(__name__)

FOLDER = Path(__file__).resolve().parent
MIGRATION_LOCK_KEY = 0x5B7A_0001  # the advisory lock that serialises migrators
PER_STATEMENT = "-- migrate: per-statement"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(sql|py)$")


class MigrationPending(StorageError):
    """Migrations could not be applied before the deadline (or the caller stopped waiting)."""


@dataclasses.dataclass(frozen=True)
class Migration:
    """One numbered migration file."""

    version: int
    name: str
    path: Path

    @property
    def label(self) -> str:
        """How output names it: ``0002 delivery_records``."""
        return f"{self.version:04d} {self.name}"


@dataclasses.dataclass
class Applied:
    """What applying one migration took."""

    migration: Migration
    seconds: float
    lock_wait_seconds: float
    retries: int
    note: str | None = None

    def line(self) -> str:
        """One line for ``--init-db``."""
        text = f"已应用 {self.migration.label}：{self.seconds:.1f} 秒"
        if self.retries:
            text += f"，其中等待锁 {self.lock_wait_seconds:.1f} 秒（重试 {self.retries} 次）"
        else:
            text += "，未等待锁"
        if self.note:
            text += f"；{self.note}"
        return text


def discover(folder: Path = FOLDER) -> list[Migration]:
    """Every migration in `folder`, by version; the versions must run 1, 2, 3… without a gap."""
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), path))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration versions must be 1..N without gaps or repeats: {versions}")
    return found


def applied_versions(database) -> set[int]:
    """The versions recorded as applied; empty when the ledger does not exist yet."""
    try:
        return {row["version"] for row in database.fetch_all(queries.FETCH_APPLIED_MIGRATIONS)}
    except StorageError as exc:
        if isinstance(exc.__cause__, psycopg2.errors.UndefinedTable):
            return set()
        raise


def pending(database, migrations: list[Migration] | None = None) -> list[Migration]:
    """The migrations not applied yet, in order."""
    done = applied_versions(database)
    return [migration for migration in (migrations or discover()) if migration.version not in done]


def migrate(database, *, say: Callable[[str], None] | None = None, stop_event: threading.Event | None = None,
            deadline_s: float | None = None, migrations: list[Migration] | None = None) -> list[Applied]:
    """Apply every pending migration, in order; what each took (empty when up to date).

    Waits for another process that is migrating (then finds nothing left); gives up with
    `MigrationPending` once `deadline_s` has passed or `stop_event` is set.
    """
    say = say or (lambda text: logger.warning("%s", text))
    migrations = migrations or discover()
    if not pending(database, migrations):
        return []
    deadline = None if deadline_s is None else time.monotonic() + deadline_s
    stop = stop_event or threading.Event()
    if deadline is not None:
        # Waiting for a lock ends at the deadline too.
        timer = threading.Timer(deadline_s, stop.set)
        timer.daemon = True
        timer.start()
    try:
        with ddl.patient_session(database, "数据库结构升级", say=say, stop_event=stop) as session:
            with _migration_lock(session.conn, say, stop):
                session.execute(queries.CREATE_MIGRATION_LEDGER)
                done = applied_versions(database)
                applied = []
                for migration in migrations:
                    if migration.version not in done:
                        applied.append(_apply(session, migration))
                        say(applied[-1].line())
                return applied
    except ddl.GaveUp as exc:
        raise MigrationPending(f"数据库结构升级未完成：{exc}") from exc
    finally:
        if deadline is not None:
            timer.cancel()


@contextlib.contextmanager
def _migration_lock(conn, say, stop: threading.Event) -> Iterator[None]:
    """Hold the migrators' advisory lock; wait (it takes no table lock) while another process holds it."""
    said = False
    while True:
        with conn.cursor() as cur:
            cur.execute(queries.TRY_MIGRATION_LOCK, {"key": MIGRATION_LOCK_KEY})
            if cur.fetchone()[0]:
                break
        if not said:
            say("另一个进程正在升级数据库结构，等待它完成")
            said = True
        if stop.wait(0.5):
            raise MigrationPending("另一个进程正在升级数据库结构")
    try:
        yield
    finally:
        with contextlib.suppress(psycopg2.Error), conn.cursor() as cur:
            cur.execute(queries.RELEASE_MIGRATION_LOCK, {"key": MIGRATION_LOCK_KEY})


def _apply(session: ddl.PatientSession, migration: Migration) -> Applied:
    session.label = f"迁移 {migration.label}"
    session.lock_wait_seconds, session.retries = 0.0, 0
    started = time.monotonic()
    note = None

    def ledger_row() -> dict:
        return {"version": migration.version, "name": migration.name, "seconds": time.monotonic() - started,
                "lock_wait_seconds": session.lock_wait_seconds, "note": note}

    try:
        if migration.path.suffix == ".py":
            note = _load(migration).apply(session)
            session.execute(queries.RECORD_MIGRATION, ledger_row())
        else:
            sql = migration.path.read_text(encoding="utf-8")
            if PER_STATEMENT in sql.split("\n\n", 1)[0]:
                session.run_script(sql, per_statement=True)
                session.execute(queries.RECORD_MIGRATION, ledger_row())
            else:
                # The script and its ledger row in one transaction: applied wholly or not at all.
                def script_and_record(cur):
                    cur.execute(sql)
                    cur.execute(queries.RECORD_MIGRATION, ledger_row())
                session.atomic(script_and_record, what=sql)
    except psycopg2.Error as exc:
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StorageError(f"迁移 {migration.label} 失败：{message}") from exc
    return Applied(migration, time.monotonic() - started, session.lock_wait_seconds, session.retries, note)


def _load(migration: Migration):
    spec = importlib.util.spec_from_file_location(f"broadcaster.storage.migrations.m{migration.version:04d}", migration.path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
