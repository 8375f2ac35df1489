"""The task list at 100,000 tasks."""

import time

import psycopg2
import pytest

from bench.task_list import seed_task_list, task_title
from tests.unit.test_task_list import client, ids, listed  # noqa: F401 - the unit tests' fixtures and helpers


@pytest.mark.slow
def test_hundred_thousand_tasks(client, database, database_url):
    """With 100,000 tasks seeded with COPY, the oldest is found by title, task id and X2C task id,
    the totals are the SQL counts, and unread and paused tasks have their platform."""
    seed_task_list(database_url, 100_000)
    try:
        started = time.monotonic()
        everything = listed(client, "limit=200")
        first_read = time.monotonic() - started  # parses 100,000 links the bot wrote

        assert {"all": 100_000, "active": 90_000, "paused": 10_000} == everything["counts"]
        assert 100_000 == everything["total"] and 200 == len(everything["data"])
        assert [1] == ids(listed(client, f"q={task_title(0)}"))
        assert 1 == ids(listed(client, "q=1"))[0]
        assert [1] == ids(listed(client, "q=500000"))
        with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
            for query, where in [("platform=tiktok", "s.link_platform = 'tiktok'"),
                                 ("callback_status=failed", "d.callback_status = 'failed'"),
                                 ("stats_status=blocked", "s.video_fetch_status = 'blocked'"),
                                 ("status=paused&q=任务4999", "d.status = 'paused' AND d.title LIKE '%任务4999%'")]:
                cur.execute("SELECT COUNT(*) FROM drama_tasks d JOIN broadcaster_tasks s ON s.task_id = d.task_id "
                            f"WHERE {where}")  # noqa: S608 - fixed test text
                assert cur.fetchone()[0] == listed(client, query)["total"], query
            cur.execute("SELECT COUNT(*) FROM drama_tasks d LEFT JOIN broadcaster_task_videos tv"
                        " ON tv.task_id = d.task_id WHERE tv.task_id IS NULL")
            assert cur.fetchone()[0] == listed(client, "stats_status=never")["total"] == 4_000
        for query in ("stats_status=never", "status=paused"):  # never read by a pass; paused
            assert all(task["platform"] in ("youtube", "tiktok", "douyin") for task in listed(client, query)["data"])
        assert first_read < 60
    finally:
        with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
            cur.execute("TRUNCATE drama_tasks, broadcaster_tasks, broadcaster_task_videos, broadcaster_videos")
