"""Beside the bot, for real: with a transaction holding drama_tasks open (pg_dump holds one for a
whole backup), a worker boots and --init-db finishes, and neither they nor a 4,000-task pass ever
make the bot's own statements wait a second. (A pending migration beside such a reader:
tests/unit/test_migrations.py.)"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time

import psycopg2
import pytest
import requests

from bench.workload import make_tasks
from broadcaster.storage import retention
from tests.conftest import ADMIN_PASSWORD, ROOT, Bot, command_env, stop_process_group, wait_until
from tests.integration.test_gunicorn import free_port

pytestmark = pytest.mark.slow
BOOT_LIMIT_S = 15.0


@contextlib.contextmanager
def long_reader(database_url: str):
    """A transaction that has read drama_tasks and stays open, as pg_dump's does."""
    conn = psycopg2.connect(database_url)
    conn.cursor().execute("SELECT COUNT(*) FROM drama_tasks")
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


def healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def test_a_worker_boots_and_init_db_finishes_beside_a_long_reader(database, database_url, fake, tmp_path):
    """gunicorn's worker serves /healthz within 15 s and --init-db finishes within 15 s while a
    reader holds drama_tasks; the bot's INSERT and SELECT every 100 ms never wait a second."""
    retention.ensure_days(database)  # as the last upkeep left them
    env = command_env(database_url, fake, tmp_path / "instance", ADMIN_PASSWORD=ADMIN_PASSWORD)
    port = free_port()
    server = None
    with long_reader(database_url), Bot(database_url) as bot:
        started = time.monotonic()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            served = wait_until(lambda: healthy(f"http://127.0.0.1:{port}"), BOOT_LIMIT_S + 5)
            boot_s = time.monotonic() - started
            started = time.monotonic()
            init = subprocess.run([sys.executable, "stats_broadcaster.py", "--init-db"], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=60)
            init_s = time.monotonic() - started
            time.sleep(2)  # the worker's supervisor runs its first ticks beside the reader meanwhile
        finally:
            stop_process_group(server)

    assert served and boot_s < BOOT_LIMIT_S, boot_s
    assert 0 == init.returncode and "无需改动" in init.stdout, init.stderr
    assert init_s < BOOT_LIMIT_S, init_s
    assert bot.statements > 20 and bot.slowest < 1.0, bot.slowest


def test_the_bot_never_waits_during_a_4000_task_pass(database, database_url, fake, tmp_path):
    """A 4,000-task pass (a process of its own, as the supervisor runs them) writes every task's
    delivery state back to drama_tasks; the bot's statements beside it never wait a second."""
    tasks = make_tasks(4000)
    fake.add_videos({"platform": t.platform, "video_id": t.video_id, "views": t.views, "likes": t.likes}
                    for t in tasks)
    fake.set_receiver("pool")
    callback = fake.callback_url("pool")
    # A HOT update needs room on the row's page; rows just inserted into packed pages have none, HOT or
    # not (a running bot's table has room once autovacuum has followed a pass or two). The rows go in
    # with room, as in a table that has lived, so the count below tells only whether an update touched
    # an indexed column.
    database.execute("ALTER TABLE drama_tasks SET (fillfactor = 70)")
    try:
        with database.connection() as conn, conn.cursor() as cur:
            cur.executemany("INSERT INTO drama_tasks (title, video_url, callback_url, status, duration) "
                            "VALUES (%s, %s, %s, 'active', 30)",
                            [(f"任务{n}", t.video_url, callback) for n, t in enumerate(tasks)])
    finally:
        database.execute("ALTER TABLE drama_tasks RESET (fillfactor)")
    env = command_env(database_url, fake, tmp_path / "instance", ADMIN_PASSWORD=ADMIN_PASSWORD)
    before = updates(database)
    with Bot(database_url) as bot:
        result = subprocess.run([sys.executable, "stats_broadcaster.py", "--once"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=300)

    assert 0 == result.returncode, result.stderr[-2000:]
    assert "总任务数: 4000" in result.stdout and "成功: 4000" in result.stdout, result.stdout
    assert bot.statements > 20 and bot.slowest < 1.0, bot.slowest
    # The pass wrote each task's callback columns, in no index: every such update is HOT (no new
    # index entries). The pass's processes have ended, so their statistics are in.
    after = updates(database)
    assert after["n_tup_upd"] - before["n_tup_upd"] >= 4000
    assert after["n_tup_hot_upd"] - before["n_tup_hot_upd"] >= 0.95 * (after["n_tup_upd"] - before["n_tup_upd"])


def updates(database) -> dict:
    """drama_tasks' update counts: all, and HOT ones."""
    return database.fetch_one("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'drama_tasks'")
