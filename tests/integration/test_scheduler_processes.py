"""The one-runner rule with real processes: stale runs, a switch off from elsewhere, a pass longer than the interval."""

import time

import pytest

import stats_broadcaster as sb
from broadcaster.engine import pipeline
from broadcaster.engine.runs import claim_run
from broadcaster.engine.switch import switch_off, switch_on
from broadcaster.storage.db import Database
from tests.conftest import insert_task, wait_until
from tests.unit.test_scheduler import runs  # noqa: F401 - the unit tests' fixtures and helpers


@pytest.mark.slow
def test_stale_run_is_abandoned_and_unblocks(database, config):
    """A running pass whose heartbeat stopped is marked abandoned; the next pass can start."""
    stale = claim_run(database, "manual")
    database.execute("UPDATE broadcaster_runs SET heartbeat_at = NOW() - interval '5 minutes'")
    switch_on(database)
    supervisor = sb.Broadcaster(config, database)

    supervisor.run_once()

    rows = runs(database)
    assert "abandoned" == rows[0]["status"] and stale == rows[0]["id"]
    assert rows[0]["finished_at"] is not None
    assert ["abandoned", "succeeded"] == [row["status"] for row in rows]


@pytest.mark.slow
def test_switch_off_from_elsewhere_interrupts_the_pass(database, database_url, fake, fake_config):
    """Stop written by another process's pool interrupts the running pass within 2 s."""
    fake.add_video("youtube", "dQw4w9WgXcQ", 10, 2)
    fake.set_receiver("slow", "slow")
    for _ in range(10):
        insert_task(database, callback_url=fake.callback_url("slow"))
    config = fake_config.replace(webhook_timeout_seconds=30, webhook_concurrency=1)
    switch_on(database)
    supervisor = sb.Broadcaster(config, database, poll_seconds=0.2)
    supervisor.start()
    try:
        assert wait_until(lambda: fake.received("slow"), 10)
        other = Database(database_url)
        stopped_at = time.monotonic()
        assert switch_off(other) is True
        other.close()

        finished = wait_until(lambda: runs(database)[0]["status"] != "running", 60)
        elapsed = time.monotonic() - stopped_at
    finally:
        supervisor.stop()

    assert finished
    assert "interrupted" == runs(database)[0]["status"]
    # Noticed within 2 s (poll 0.2 s) plus the grace for requests in flight; unstopped, the 10 slow
    # webhooks one at a time would take 10 × 30 s. The slack is for a loaded machine.
    assert elapsed < 2 + pipeline.STOP_GRACE_SECONDS + 15
    assert 1 == len(runs(database))  # the switch is off: no further pass


@pytest.mark.slow
def test_pass_longer_than_interval_skips_slots_instead_of_overlapping(database, fake, fake_config):
    """With a 1 s interval and ~2.5 s passes, passes never overlap and start ≥ 1 s apart."""
    fake.add_video("youtube", "dQw4w9WgXcQ", 10, 2)
    fake.set_receiver("r")
    insert_task(database, callback_url=fake.callback_url("r"))
    fake.latency = 1.2  # a page fetch and a webhook: about 2.5 s per pass
    config = fake_config.replace(broadcast_interval_seconds=1)
    switch_on(database)
    supervisor = sb.Broadcaster(config, database, poll_seconds=0.1)
    supervisor.start()
    try:
        assert wait_until(lambda: len([r for r in runs(database) if r["status"] == "succeeded"]) >= 3, 20)
    finally:
        supervisor.stop()

    finished = [r for r in runs(database) if r["finished_at"] is not None]
    for earlier, later in zip(finished, finished[1:]):
        assert later["started_at"] >= earlier["finished_at"]  # never alongside
        assert (later["started_at"] - earlier["started_at"]).total_seconds() >= 1.0
