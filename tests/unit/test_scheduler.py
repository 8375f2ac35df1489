"""The one-runner rule: slots claimed once, no overlap, dead runs abandoned, stop that stops."""

import threading
import time

import stats_broadcaster as sb
from broadcaster.engine.runs import claim_run, claim_scheduled_run, finish_run
from broadcaster.engine.switch import switch_off, switch_on
from broadcaster.storage import queries, retention
from broadcaster.storage.db import Database
from tests.conftest import insert_records, insert_task, wait_until


def runs(database):
    return database.fetch_all("SELECT * FROM broadcaster_runs ORDER BY id")


def test_no_slot_while_switched_off(database):
    """With the switch off nothing is claimed."""
    assert claim_scheduled_run(database, 180) is None


def test_first_slot_right_after_switch_on_then_one_per_interval(database):
    """Switching on makes a slot due at once; the next is due an interval after it started."""
    switch_on(database)

    first = claim_scheduled_run(database, 180)
    while_running = claim_scheduled_run(database, 180)
    database.execute("UPDATE broadcaster_runs SET status = 'succeeded' WHERE id = %s", (first,))
    too_early = claim_scheduled_run(database, 180)
    # Move the clock: as if the switch went on and the first pass started 181 s ago.
    database.execute("UPDATE broadcaster_runs SET started_at = started_at - interval '181 seconds'")
    database.execute("UPDATE broadcaster_state SET enabled_at = enabled_at - interval '181 seconds'")
    due_again = claim_scheduled_run(database, 180)

    assert first is not None
    assert (None, None) == (while_running, too_early)
    assert due_again is not None


def test_concurrent_claims_yield_exactly_one_run(database, database_url):
    """Sixteen processes' worth of connections racing for one slot: exactly one wins."""
    switch_on(database)
    pools = [Database(database_url, maxconn=1) for _ in range(16)]
    barrier = threading.Barrier(len(pools))
    won = []

    def claim(pool):
        barrier.wait()
        run_id = claim_scheduled_run(pool, 180)
        if run_id is not None:
            won.append(run_id)

    threads = [threading.Thread(target=claim, args=(pool,)) for pool in pools]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for pool in pools:
        pool.close()

    assert 1 == len(won)
    assert 1 == len(runs(database))


def test_manual_run_blocks_scheduled_slot_until_it_ends(database):
    """A scheduled slot waits for a running manual pass instead of running alongside it."""
    manual = claim_run(database, "manual")
    switch_on(database)

    blocked = claim_scheduled_run(database, 180)
    database.execute("UPDATE broadcaster_runs SET status = 'succeeded' WHERE id = %s", (manual,))
    after = claim_scheduled_run(database, 180)

    assert blocked is None
    assert after is not None


def test_supervisor_stops_promptly(database, config):
    """stop() interrupts the 60 s wait at once and the thread is gone."""
    supervisor = sb.Broadcaster(config, database, poll_seconds=60)
    supervisor.start()

    started = time.monotonic()
    supervisor.stop(timeout=5)

    assert time.monotonic() - started < 30  # an Event, not a sleep: far below the 60 s wait it interrupts
    assert supervisor.is_alive is False


def test_progress_is_reported_while_running(database, fake, fake_config):
    """A running pass updates done/total in its run row while it runs."""
    fake.add_video("youtube", "dQw4w9WgXcQ", 10, 2)
    fake.set_receiver("r")
    for _ in range(6):
        insert_task(database, callback_url=fake.callback_url("r"))
    fake.latency = 0.5
    config = fake_config.replace(webhook_concurrency=1)
    result = {}
    thread = threading.Thread(target=lambda: result.update(sb.broadcast_all_tasks(config, database, trigger="cli")))
    thread.start()

    seen = wait_until(
        lambda: database.fetch_one(
            "SELECT total, done FROM broadcaster_runs WHERE status = 'running' AND done > 0 AND done < total"
        ),
        15,
    )
    thread.join(30)

    assert seen and 6 == seen["total"]
    assert 6 == result["success_count"]


def test_upkeep_removes_only_old_rows_and_never_the_bots_own(database, config):
    """Whole days of old records are dropped; the rows the broadcaster once wrote into the bot's logs
    are deleted in batches once old (never the bot's own rows); old runs go; recent rows stay."""
    database.execute("UPDATE broadcaster_storage SET legacy_logs = TRUE")
    database.execute(
        "INSERT INTO webhook_logs (task_id, run_id, callback_status, created_at) "
        "SELECT g, 5, 'success', NOW() - interval '10 days' FROM generate_series(1, 2500) g")
    database.execute("INSERT INTO webhook_logs (task_id, run_id, callback_status, created_at) "
                     "VALUES (1, 6, 'success', NOW())")
    database.execute("INSERT INTO webhook_logs (task_id, callback_status, created_at) "
                     "SELECT g, 'success', NOW() - interval '100 days' FROM generate_series(1, 3) g")  # the bot's
    database.execute("INSERT INTO broadcaster_error_logs (task_id, run_id, created_at) "
                     "VALUES (1, 5, NOW() - interval '30 days'), (2, 6, NOW()), (3, NULL, NOW() - interval '30 days')")
    database.execute(
        "INSERT INTO broadcaster_runs (trigger, status, started_at) VALUES ('schedule', 'succeeded', NOW() - interval '9 days')")
    insert_records(database, [{"task_id": 1, "ok": True, "minutes_ago": 10 * 1440},
                              {"task_id": 2, "ok": True, "minutes_ago": 1}])

    done = retention.upkeep(database, config.replace(log_retention_days=7))

    assert done["days_dropped"] >= 1 and 2500 + 1 + 1 == done["rows_deleted"]
    assert [2] == [row["task_id"] for row in database.fetch_all("SELECT task_id FROM broadcaster_deliveries")]
    assert 4 == database.fetch_one("SELECT COUNT(*) AS n FROM webhook_logs")["n"]  # ours of today, the bot's 3
    assert {2, 3} == {row["task_id"] for row in database.fetch_all("SELECT task_id FROM broadcaster_error_logs")}
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_runs")["n"]
    assert database.fetch_one(queries.FETCH_LEGACY_LOGS)["legacy_logs"]  # today's rows of ours are still read
    database.execute("DELETE FROM webhook_logs WHERE run_id IS NOT NULL")
    database.execute("DELETE FROM broadcaster_error_logs WHERE run_id IS NOT NULL")
    retention.upkeep(database, config)
    assert not database.fetch_one(queries.FETCH_LEGACY_LOGS)["legacy_logs"]  # none left: no longer read


def test_prune_removes_what_a_dead_shared_pass_left(database):
    """A shared pass that failed keeps no slots, budgets or allowances; a running one keeps its own;
    a helper silent for a day is forgotten."""
    dead = claim_run(database, "manual")
    finish_run(database, dead, "failed", {"total": 0, "done": 0, "success_count": 0}, "boom", deadline_s=5)
    live = claim_run(database, "manual")
    for run_id in (dead, live):
        database.execute("INSERT INTO broadcaster_pass_slots (run_id, slot_no) VALUES (%s, 0)", (run_id,))
        database.execute("INSERT INTO broadcaster_pass_egress (run_id, egress_key, platform, position) "
                         "VALUES (%s, 'tiktok:direct', 'tiktok', 0)", (run_id,))
        database.execute("INSERT INTO broadcaster_pass_allowance (run_id, name) VALUES (%s, 'tikhub:tiktok')", (run_id,))
    database.execute("INSERT INTO broadcaster_helpers (runner, seen_at) VALUES "
                     "('gone', NOW() - interval '2 days'), ('here', NOW())")

    removed = retention.prune_rows(database, days=7, batch=1000, pause=0)

    assert 3 + 1 == removed
    for table in ("broadcaster_pass_slots", "broadcaster_pass_egress", "broadcaster_pass_allowance"):
        assert [live] == [row["run_id"] for row in database.fetch_all(f"SELECT run_id FROM {table}")], table
    assert ["here"] == [row["runner"] for row in database.fetch_all("SELECT runner FROM broadcaster_helpers")]


def test_a_round_of_pruning_stops_at_its_time_and_the_next_round_goes_on(database):
    """Batched deletes stop once a round's time is spent (a week of a release's webhook_logs after an
    upgrade must not hold a supervisor's tick for an hour); the next round deletes the rest."""
    database.execute("""
        INSERT INTO broadcaster_audit (at, user_name, action, status)
        SELECT NOW() - make_interval(days => 10 + d), 'u', 'start', 200 FROM generate_series(1, 7) AS d""")

    first = retention.prune_rows(database, days=7, audit_days=5, batch=2, pause=0, seconds=0)
    second = retention.prune_rows(database, days=7, audit_days=5, batch=2, pause=0)

    assert (2, 5) == (first, second)
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_audit")["n"]


def test_stop_interrupts_a_manual_pass_even_when_switched_off(database):
    """With the switch off, stop still interrupts a running pass (and says it stopped)."""
    run_id = claim_run(database, "manual")

    assert switch_off(database) is True
    assert database.fetch_one("SELECT cancel_requested FROM broadcaster_runs WHERE id = %s", (run_id,))[
        "cancel_requested"
    ] is True
    assert switch_off(database) is False  # nothing left to stop


def test_a_dead_pass_does_not_block_a_cli_pass_without_supervisor(database, fake_config):
    """A run left 'running' by a dead process is abandoned when the next pass claims."""
    claim_run(database, "manual")
    database.execute("UPDATE broadcaster_runs SET heartbeat_at = NOW() - interval '5 minutes'")

    result = sb.broadcast_all_tasks(fake_config, database, trigger="cli")

    assert result["success"] is True
    assert ["abandoned", "succeeded"] == [row["status"] for row in runs(database)]
