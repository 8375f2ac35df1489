"""The benchmark's PostgreSQL: the embedded server, one fresh database per scenario, its seed and facts.

The server runs under instance/bench-pgdata, apart from the service's and the tests' servers; each
scenario gets its own database (`bench_<scenario>`), dropped afterwards unless --keep-db.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg2
import psycopg2.extras

from bench.workload import ROOT, SECRET, Task

PGDATA = ROOT / "instance" / "bench-pgdata"


def with_database(url: str, name: str) -> str:
    """The same server URL, naming database `name`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def run_outside_transaction(server_url: str, *statements: str) -> None:
    """Run statements outside a transaction (CREATE and DROP DATABASE, and VACUUM, refuse to run inside one)."""
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        conn.close()


def start_database() -> str:
    """URL of the embedded server under instance/bench-pgdata (started if needed)."""
    sys.path.insert(0, str(ROOT))
    from broadcaster.storage import db

    return db.start_embedded_server(PGDATA)


def fresh_database(server_url: str, name: str) -> str:
    """Drop and create database `name`, apply the schema; its URL."""
    from broadcaster.storage import db

    run_outside_transaction(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    url = with_database(server_url, name)
    database = db.Database(url)
    try:
        db.apply_schema(database)
    finally:
        database.close()
    return url


def drop_database(server_url: str, name: str) -> None:
    """Drop database `name`, closing its connections."""
    run_outside_transaction(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def discard_database(server_url: str, name: str, *, keep: bool) -> None:
    """Drop a scenario's database after it ran (unless --keep-db); a failure is only reported."""
    if keep:
        return
    try:
        drop_database(server_url, name)
    except psycopg2.Error as exc:
        print(f"   (could not drop {name}: {exc})")


@contextmanager
def transaction(url: str) -> Iterator[psycopg2.extensions.cursor]:
    """A cursor in one transaction on database `url`, committed on success; the connection closed after."""
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


def seed(url: str, tasks: list[Task], callback_url: str) -> None:
    """Insert the tasks in bulk."""
    rows = [
        (t.title, t.video_url, callback_url, SECRET, t.project_id, t.external_task_id, t.duration, "active")
        for t in tasks
    ]
    with transaction(url) as cur:
        psycopg2.extras.execute_values(
            cur,
            "INSERT INTO drama_tasks (title, video_url, callback_url, callback_secret, project_id, "
            "external_task_id, duration, status) VALUES %s",
            rows, page_size=2000,
        )
        cur.execute("ANALYZE drama_tasks")


def seed_prior_counts(url: str, tasks: list[Task]) -> None:
    """Every video read once before, 1–24 hours ago, with the counts the fake serves."""
    rows = [(t.platform, t.video_id, t.views, t.likes, f"{1 + i % 24} hours") for i, t in enumerate(tasks)]
    with transaction(url) as cur:
        psycopg2.extras.execute_values(
            cur,
            "INSERT INTO broadcaster_videos (platform, video_id, view_count, like_count, fetch_status, "
            "fetched_at, attempted_at) SELECT v.p, v.id, v.views, v.likes, 'ok', NOW() - v.age::INTERVAL, "
            "NOW() - v.age::INTERVAL FROM (VALUES %s) AS v(p, id, views, likes, age)",
            rows, page_size=2000,
        )


def database_facts(url: str) -> dict:
    """What the pass left in the database."""
    with transaction(url) as cur:
        cur.execute("SELECT callback_status, COUNT(*) FROM drama_tasks GROUP BY 1")
        statuses = dict(cur.fetchall())
        cur.execute("SELECT COUNT(*), COUNT(DISTINCT task_id) FROM broadcaster_deliveries")
        logs, logged_tasks = cur.fetchone()
        cur.execute("SELECT COUNT(*) FROM broadcaster_fetch_failures")
        (errors,) = cur.fetchone()
        cur.execute("SELECT pg_stat_force_next_flush()")
        cur.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        (sessions,) = cur.fetchone()
        cur.execute("SELECT status, total, success_count, failed_count FROM broadcaster_runs ORDER BY id")
        runs = [dict(zip(("status", "total", "success_count", "failed_count"), row)) for row in cur.fetchall()]
    return {"callback_status": statuses, "records": logs, "recorded_tasks": logged_tasks,
            "fetch_failures": errors, "runs": runs, "sessions": sessions}


def postgres_cpu() -> float:
    """CPU seconds used so far by the embedded server (postmaster, live and reaped backends)."""
    try:
        pid = int((PGDATA / "postmaster.pid").read_text().split()[0])
        master = psutil.Process(pid)
        times = master.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in master.children(recursive=True):
            try:
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
            except psutil.Error:
                pass
        return total
    except (OSError, ValueError, psutil.Error):
        return float("nan")


def cover_month(url: str) -> None:
    """The day partitions of count history for the month of points, as the upkeep would have made them."""
    from broadcaster.storage import db, retention

    database = db.Database(url)
    try:
        retention.ensure_days(database, back=31, ahead=1)
    finally:
        database.close()
