"""How long GET /api/tasks takes at 10,000 and 100,000 tasks: a page, a search, each filter, each sort.

    python -m bench.task_list                  # 10,000 and 100,000 tasks, 30 calls per route
    python -m bench.task_list --tasks 100000 --calls 50

A fresh database (`bench_task_list`) on the benchmark's embedded server is seeded with COPY, the way
the bot's own database looks after a while: tasks with every link form of `bench.workload` (a tenth
paused), most of them read by earlier passes (their videos' counts, a few blocked, failed or gone),
some never read. The links are parsed once before timing (what the first list read does on a
database the bot filled). The routes are called through Flask's test client in this process, so the
figures are the app's own time (database included), without HTTP or gunicorn.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import time

from bench.database import discard_database, fresh_database, run_outside_transaction, start_database, transaction
from bench.ops_latency import app_client, latency_cells, time_route
from bench.workload import make_tasks

CALLBACK_URL = "http://127.0.0.1:9/x2c"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

TASK_COLUMNS = ("title", "video_url", "callback_url", "project_id", "external_task_id", "duration", "status",
                "callback_status", "callback_retry_count", "created_at")
LINK_COLUMNS = ("task_id", "video_url", "platform", "video_id")
VIDEO_COLUMNS = ("platform", "video_id", "view_count", "like_count", "fetch_status", "reason", "fetched_at",
                 "attempted_at")


def task_title(i: int) -> str:
    """The seeded title of the i-th task (0-based): searchable by its number, like the bot's titles."""
    return f"任务{i} 《基准短剧{i % 500}》第{i % 80 + 1}集"


def _copy(cur, table: str, columns: tuple[str, ...], rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    buffer.seek(0)
    cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)


def _fetch_status(i: int) -> str:
    if i % 100 == 5:
        return "unavailable"
    if i % 50 == 1:
        return "blocked"
    if i % 50 == 2:
        return "error"
    return "ok"


def seed_task_list(url: str, count: int) -> None:
    """Seed `count` tasks with COPY: ids 1..count, oldest first; a tenth paused; 4 % never read.

    The videos and links go in first, so the tasks arrive as the bot would write them: with no
    parsed platform and no copy of their video's state (their broadcaster_tasks rows, made by the
    triggers as they arrive, say "to be parsed"), which the first list read fills in.
    """
    tasks = make_tasks(count)
    read = [(i, t) for i, t in enumerate(tasks) if i % 25 != 3]
    with transaction(url) as cur:
        _copy(cur, "broadcaster_videos", VIDEO_COLUMNS, (
            (t.platform, t.video_id, t.views, t.likes, _fetch_status(i),
             None if _fetch_status(i) == "ok" else "seeded", _counts_time(i), "2026-12-07 00:00:00+00:00")
            for i, t in read
        ))
        _copy(cur, "broadcaster_task_videos", LINK_COLUMNS,
              ((i + 1, t.video_url, t.platform, t.video_id) for i, t in read))
        _copy(cur, "drama_tasks", TASK_COLUMNS, (
            (task_title(i), t.video_url, CALLBACK_URL, t.project_id, t.external_task_id, t.duration,
             "paused" if i % 10 == 9 else "active", _callback_status(i), i % 3,
             (START + dt.timedelta(minutes=i)).isoformat()) for i, t in enumerate(tasks)
        ))
    vacuum(url)


def _callback_status(i: int) -> str:
    return ("success", "success", "failed", "pending")[i % 4] if i % 7 else "success"


def _counts_time(i: int) -> str:
    """When the i-th task's video was last read: spread over the week before the seeded 'now'."""
    return (START + dt.timedelta(days=300, seconds=(i * 7919) % 604800)).isoformat()


def vacuum(url: str) -> None:
    """VACUUM ANALYZE the list's tables, as autovacuum would soon after a bulk load."""
    run_outside_transaction(url, *(f"VACUUM ANALYZE {table}"
                                   for table in ("drama_tasks", "broadcaster_tasks", "broadcaster_task_videos",
                                                 "broadcaster_videos")))


def routes(count: int) -> list[tuple[str, str]]:
    """(label, path) of each measured request; ids refer to the seeded tasks (1 = the oldest)."""
    deep = max(0, count - 200)
    return [
        ("page of 200 (newest first)", "/api/tasks?limit=200"),
        ("search: title substring", "/api/tasks?limit=200&q=任务4999"),
        ("search: task id", f"/api/tasks?limit=200&q={count // 2 + 1}"),
        ("search: X2C task id", "/api/tasks?limit=200&q=500000"),
        ("search: one character (a scan)", "/api/tasks?limit=200&q=7"),
        ("filter: platform=tiktok", "/api/tasks?limit=200&platform=tiktok"),
        ("filter: status=paused", "/api/tasks?limit=200&status=paused"),
        ("filter: callback_status=failed", "/api/tasks?limit=200&callback_status=failed"),
        ("filter: stats_status=blocked", "/api/tasks?limit=200&stats_status=blocked"),
        ("filter: stats_status=never", "/api/tasks?limit=200&stats_status=never"),
        ("sort: stale", "/api/tasks?limit=200&sort=stale"),
        ("sort: views", "/api/tasks?limit=200&sort=views"),
        ("deep page (last 200, newest first)", f"/api/tasks?limit=200&offset={deep}"),
        ("deep page (last 200, stale)", f"/api/tasks?limit=200&offset={deep}&sort=stale"),
        ("youtube + active + views", "/api/tasks?limit=200&platform=youtube&status=active&sort=views"),
    ]


def measure(server_url: str, count: int, calls: int, keep: bool) -> None:
    """Seed `count` tasks in a fresh database and print each route's timings."""
    from broadcaster.reports import tasklist
    from broadcaster.storage import db

    name = "bench_task_list"
    url = fresh_database(server_url, name)
    try:
        started = time.perf_counter()
        seed_task_list(url, count)
        seeded = time.perf_counter() - started
        database = db.Database(url)
        started = time.perf_counter()
        tasklist.fill_link_platforms(database)
        parsed = time.perf_counter() - started
        database.close()
        vacuum(url)
        client, load = app_client(url)
        print(f"\n{count:,} tasks (seeded with COPY in {seeded:.1f} s; links parsed in {parsed:.1f} s); "
              f"{calls} calls each (Flask test client); load average {load} on {os.cpu_count()} CPUs")
        print(f"{'GET /api/tasks':<38}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}{'total':>9}  rows")
        for label, path in routes(count):
            timings, response = time_route(client, path, calls, warm=True)
            answer = response.get_json()
            print(f"{label:<38}{latency_cells(timings)}{answer['total']:>9,}  {len(answer['data'])}")
    finally:
        discard_database(server_url, name, keep=keep)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.task_list", description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, action="append", help="task count (repeatable; default 10,000 and 100,000)")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    server_url = start_database()
    for count in args.tasks or [10_000, 100_000]:
        measure(server_url, count, args.calls, args.keep_db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
