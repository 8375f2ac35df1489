"""The real commands run as subprocesses: exit codes, report lines, dry run, signals."""

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, command_env, insert_task, wait_until

pytestmark = pytest.mark.slow  # every test here runs the real commands as processes


@pytest.fixture
def env(database_url, fake, tmp_path):
    """A clean environment for the commands: the test database, the fake upstream, no pacing."""
    return command_env(database_url, fake, tmp_path / "instance")


def run(args, env, timeout=60):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def seeded(database, fake):
    """Two deliverable tasks and one with an unknown video URL."""
    fake.add_video("youtube", "dQw4w9WgXcQ", 321, 12)
    fake.set_receiver("cli")
    insert_task(database, callback_url=fake.callback_url("cli"), external_task_id=501)
    insert_task(database, callback_url=fake.callback_url("cli"), external_task_id=502)
    insert_task(database, callback_url=fake.callback_url("cli"), video_url="https://vimeo.com/1")
    return database


def test_once_prints_the_report_and_exits_0(seeded, fake, env):
    """--once runs a pass, prints 总任务数/成功/失败/时间 and exits 0 even with a failed task."""
    result = run(["stats_broadcaster.py", "--once"], env)

    assert 0 == result.returncode, result.stderr
    lines = result.stdout.splitlines()
    assert ["总任务数: 3", "成功: 2", "失败: 1"] == lines[:3]
    assert lines[3].startswith("时间: 20")
    assert 2 == len(fake.received("cli"))
    run_row = seeded.fetch_one("SELECT trigger, status FROM broadcaster_runs")
    assert ("cli", "succeeded") == (run_row["trigger"], run_row["status"])


def test_dry_run_prints_payloads_and_writes_nothing(seeded, fake, env):
    """--once --dry-run prints one JSON line per payload; nothing is sent or written."""
    result = run(["stats_broadcaster.py", "--once", "--dry-run"], env)

    assert 0 == result.returncode, result.stderr
    payloads = [json.loads(line) for line in result.stdout.splitlines()]
    assert 2 == len(payloads)
    assert {501, 502} == {p["stats"][0]["task_id"] for p in payloads}
    assert all(p["stats"][0]["yt_view_count"] == 321 for p in payloads)
    assert [] == fake.received("cli")
    for table in ("broadcaster_runs", "webhook_logs", "broadcaster_videos", "broadcaster_task_videos"):
        assert 0 == seeded.fetch_one(f"SELECT COUNT(*) AS n FROM {table}")["n"], table
    assert "pending" == seeded.fetch_one("SELECT callback_status FROM drama_tasks LIMIT 1")["callback_status"]


def test_smoke_script_prints_the_seed_report(seeded, fake, env):
    """python3 test_broadcaster.py runs one pass and prints the seed's report."""
    result = run(["test_broadcaster.py"], env)

    assert 0 == result.returncode, result.stderr
    assert "总任务数: 3" in result.stdout and "成功: 2" in result.stdout and "失败: 1" in result.stdout


def test_init_db_applies_the_schema(database, env):
    """--init-db exits 0 and the schema is there."""
    result = run(["stats_broadcaster.py", "--init-db"], env)

    assert 0 == result.returncode, result.stderr
    assert database.fetch_one("SELECT enabled FROM broadcaster_state") is not None


@pytest.mark.parametrize(
    ("args", "extra_env", "needle"),
    [
        (["--once"], {"BROADCAST_INTERVAL_SECONDS": "abc"}, "BROADCAST_INTERVAL_SECONDS"),
        (["--once"], {"WEBHOOK_MAX_ATTEMPTS": "0"}, "WEBHOOK_MAX_ATTEMPTS"),
        (["--dry-run"], {}, "--dry-run"),
        (["--bogus"], {}, "--bogus"),
        (["--once"], {"TIKTOK_PROXIES": "direct,socks4://user:hunter2-pw@10.0.0.1:1080"}, "TIKTOK_PROXIES 第 2 项"),
        (["--plan", "--once"], {}, "--plan"),
    ],
)
def test_bad_usage_or_config_exits_2_with_one_line(env, args, extra_env, needle):
    """A bad setting or flag exits 2 with a message naming it and no traceback."""
    result = run(["stats_broadcaster.py", *args], {**env, **extra_env})

    assert 2 == result.returncode
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter2-pw" not in result.stderr


def test_unreachable_database_exits_1_with_one_line(env):
    """With the database down, --once exits 1 with one clear line and no traceback."""
    password = "db-password-Z8k2"
    result = run(["stats_broadcaster.py", "--once"], {**env, "DATABASE_URL": f"postgresql://u:{password}@127.0.0.1:1/x"})

    assert 1 == result.returncode
    assert "数据库不可用" in result.stderr
    assert "Traceback" not in result.stderr
    assert 1 == len(result.stderr.strip().splitlines())
    assert password not in result.stderr




def test_loop_switches_on_runs_and_stops_on_sigterm(seeded, fake, env):
    """The loop turns the switch on, runs a pass right away and exits 0 soon after SIGTERM."""
    process = subprocess.Popen([sys.executable, "stats_broadcaster.py"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_until(lambda: len(fake.received("cli")) >= 2, 20)
        assert seeded.fetch_one("SELECT enabled FROM broadcaster_state")["enabled"] is True
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert 0 == process.returncode
    # The loop's wait is an Event, so SIGTERM ends it at once; a sleeping loop would sit out the
    # interval (an hour here). The bound leaves room for a loaded machine, not for the interval.
    assert elapsed < 20
    assert "已启动" in output and "已停止" in output


def test_sigterm_during_a_pass_records_interrupted(database, fake, env):
    """SIGTERM while webhooks hang: the process exits within 10 s and the run is interrupted."""
    fake.add_video("youtube", "dQw4w9WgXcQ", 321, 12)
    fake.set_receiver("hang", "hang")
    for _ in range(30):
        insert_task(database, callback_url=fake.callback_url("hang"))
    process = subprocess.Popen([sys.executable, "stats_broadcaster.py"], cwd=ROOT,
                               env={**env, "WEBHOOK_TIMEOUT_SECONDS": "60", "WEBHOOK_CONCURRENCY": "4"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: len(fake.received("hang")) >= 4, 20)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=50)
        elapsed = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()

    assert 0 == code
    assert elapsed < 45  # the hanging webhooks would hold it 60 s; the stop cuts them after the grace
    run_row = database.fetch_one("SELECT status, done, total FROM broadcaster_runs")
    assert "interrupted" == run_row["status"]
    assert run_row["done"] < 30


def test_plan_reads_the_tasks_and_names_a_change(env, database):
    """--plan prints each platform's videos, sources, budget and cycle, and what would shorten it."""
    for i in range(30):
        insert_task(database, video_url=f"https://www.tiktok.com/@u/video/{7504044860782021930 + i}")
    insert_task(database, video_url="https://youtu.be/dQw4w9WgXcQ")
    run(["stats_broadcaster.py", "--once"], env)  # stores the links

    result = run(["stats_broadcaster.py", "--plan"], {**env, "TIKTOK_PAGES_PER_MINUTE": "6"})

    assert 0 == result.returncode, result.stderr
    assert "TikTok：30 个视频（30 个任务）" in result.stdout
    assert "每轮可刷新：9 个视频" in result.stdout and "全部刷新一轮约：12 分钟" in result.stdout
    assert "再加 1 个 TikTok 出口（TIKTOK_PROXIES）" not in result.stdout  # 12 minutes is within the hour
    assert "抖音：没有进行中的任务" in result.stdout
