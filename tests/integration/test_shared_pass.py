"""A pass shared by real processes: reads like one process, a killed worker's shard taken again, a helper on another host, stop."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import stats_broadcaster as sb
from broadcaster.engine.assembly import runner_id
from broadcaster.engine.switch import switch_off
from broadcaster.storage.db import Database
from tests.conftest import ROOT, command_env, insert_task, wait_until

TT = 7504044860782021930


def shared_tasks(database, fake, count, receiver="r", behaviour="ok"):
    """`count` tasks on their own videos over three platforms, all sending to one receiver."""
    fake.set_receiver(receiver, behaviour)
    ids = []
    for i in range(count):
        if i % 3 == 0:
            video_id = f"v{i:09d}A"
            fake.add_video("youtube", video_id, 1000 + i, 10 + i)
            url = f"https://www.youtube.com/watch?v={video_id}"
        elif i % 3 == 1:
            fake.add_video("tiktok", str(TT + i), 1000 + i, 10 + i)
            url = f"https://www.tiktok.com/@u/video/{TT + i}"
        else:
            fake.add_video("douyin", str(TT + i), None, 10 + i)
            url = f"https://www.douyin.com/video/{TT + i}"
        ids.append(insert_task(database, video_url=url, callback_url=fake.callback_url(receiver),
                               external_task_id=10_000 + i))
    return ids


def webhook_ids(fake, receiver="r"):
    return [r.headers["X-Webhook-Id"] for r in fake.received(receiver)]


@pytest.mark.slow
def test_a_shared_pass_reads_like_one_process(database, fake, fake_config):
    """PASS_WORKERS=2: every task once, one log row each, RUN and freshness as one pass, the
    concurrency limits kept across both processes."""
    ids = shared_tasks(database, fake, 60)
    config = fake_config.replace(pass_workers=2, webhook_concurrency=4, fetch_concurrency=4)
    fake.latency = 0.3  # a few seconds of work: the second process starts in about one

    result = sb.broadcast_all_tasks(config, database, trigger="cli")

    assert (True, 60, 60, 0) == (result["success"], result["total"], result["success_count"], result["failed_count"])
    assert sorted(f"run1-task{task_id}" for task_id in ids) == sorted(webhook_ids(fake))
    run = database.fetch_one("SELECT status, total, done, success_count, failed_count, slots, freshness "
                             "FROM broadcaster_runs")
    assert ("succeeded", 60, 60, 60, 0, 2) == (run["status"], run["total"], run["done"], run["success_count"],
                                               run["failed_count"], run["slots"])
    assert 60 == sum(figures["tasks"] for figures in run["freshness"].values())
    logs = database.fetch_all("SELECT task_id, shard_no FROM broadcaster_delivery_log")
    assert sorted(ids) == sorted(row["task_id"] for row in logs) and all(row["shard_no"] is not None for row in logs)
    shards = database.fetch_all("SELECT status, runner FROM broadcaster_shards")
    assert {"done"} == {row["status"] for row in shards} and 2 == len({row["runner"] for row in shards})
    peaks = fake.peak_concurrency()
    assert peaks["x2c"] <= 4 and peaks["tt"] <= 4 and peaks["dy"] <= 4
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_pass_slots")["n"]  # cleaned up


def _spawned_worker_pid(database, run_id) -> int | None:
    """The pid of a shard worker that is not this process (the one the pass started)."""
    me = runner_id()
    rows = database.fetch_all("SELECT runner FROM broadcaster_shards WHERE run_id = %s AND status = 'running' "
                              "AND runner <> %s AND done > 0", (run_id, me))
    return int(rows[0]["runner"].rsplit(":", 1)[1]) if rows else None


@pytest.mark.slow
def test_a_killed_worker_shard_is_taken_again(database, fake, fake_config):
    """SIGKILL to the second worker mid-pass: its shard is taken again, the run succeeds, every task
    is delivered, a re-sent webhook keeps its X-Webhook-Id and the log has one row per task."""
    ids = shared_tasks(database, fake, 40)
    fake.latency = 0.25
    config = fake_config.replace(pass_workers=2, webhook_concurrency=2, fetch_concurrency=4)
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(sb.broadcast_all_tasks(config, database, trigger="cli")))
    thread.start()

    pid = wait_until(lambda: _spawned_worker_pid(database, 1), 30, interval=0.1)
    os.kill(pid, signal.SIGKILL)
    thread.join(90)

    assert not thread.is_alive() and outcome["success"] and (40, 40) == (outcome["total"], outcome["success_count"])
    received = collections.Counter(webhook_ids(fake))
    assert {f"run1-task{task_id}" for task_id in ids} == set(received)
    assert 1 <= database.fetch_one("SELECT MAX(attempts) AS n FROM broadcaster_shards")["n"] - 1
    logs = database.fetch_one("SELECT COUNT(*) AS n, COUNT(DISTINCT task_id) AS tasks FROM broadcaster_delivery_log")
    assert (40, 40) == (logs["n"], logs["tasks"])
    assert "succeeded" == database.fetch_one("SELECT status FROM broadcaster_runs")["status"]


@pytest.mark.slow
def test_a_helper_on_another_host_takes_shards(database, database_url, fake, fake_config, tmp_path):
    """A PASS_HELPER process (its own INSTANCE_PATH, same database) joins a pass it did not start,
    and never starts one itself."""
    shared_tasks(database, fake, 40)
    fake.latency = 0.2
    env = command_env(database_url, fake, tmp_path / "helper-instance", PASS_HELPER="true", ADMIN_PASSWORD="x")
    helper = subprocess.Popen([sys.executable, "stats_broadcaster.py"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_until(lambda: database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_helpers")["n"], 30)
        config = fake_config.replace(pass_workers=1, webhook_concurrency=2, fetch_concurrency=4)

        result = sb.broadcast_all_tasks(config, database, trigger="cli")
    finally:
        helper.send_signal(signal.SIGTERM)
        output, _ = helper.communicate(timeout=30)

    assert (40, 40) == (result["total"], result["success_count"])
    runners = {row["runner"] for row in database.fetch_all("SELECT runner FROM broadcaster_shards")}
    assert runner_id() in runners and len(runners) == 2  # this process and the helper's worker
    assert [runner_id()] == [row["runner"] for row in database.fetch_all("SELECT runner FROM broadcaster_runs")]
    assert database.fetch_one("SELECT enabled FROM broadcaster_state")["enabled"] is False  # never switched on
    assert "协助进程已启动" in output and "Traceback" not in output


@pytest.mark.slow
def test_stop_interrupts_every_worker_of_a_shared_pass(database, database_url, fake, fake_config):
    """Stop from another connection: the shared pass ends interrupted within 2 s (plus the grace
    of webhooks in flight) and its worker processes are gone."""
    shared_tasks(database, fake, 30)
    fake.latency = 0.5
    config = fake_config.replace(pass_workers=2, webhook_concurrency=2, fetch_concurrency=2)
    thread = threading.Thread(target=lambda: sb.broadcast_all_tasks(config, database, trigger="manual"))
    thread.start()
    assert wait_until(lambda: _spawned_worker_pid(database, 1), 30, interval=0.1)
    worker = _spawned_worker_pid(database, 1)

    other = Database(database_url)
    stopped_at = time.monotonic()
    assert switch_off(other) is True
    other.close()
    ended = wait_until(lambda: database.fetch_one("SELECT status FROM broadcaster_runs")["status"] != "running", 60)
    elapsed = time.monotonic() - stopped_at
    thread.join(30)

    # 2 s to notice, 5 s of grace; slack for a loaded machine. Unstopped, 30 tasks at 0.5 s each
    # on 2 × 2 threads would run on for about 4 s more per shard, so 'interrupted' is the proof.
    assert ended and elapsed < 2 + 5 + 15
    assert "interrupted" == database.fetch_one("SELECT status FROM broadcaster_runs")["status"]
    assert wait_until(lambda: not os.path.exists(f"/proc/{worker}"), 15)
