"""Alerts with real processes: two gunicorn workers and a shell `--once` send one message per event."""

from __future__ import annotations

import pytest

from broadcaster.core.clock import pacific_day, utcnow
from fakes.alert_receiver import Receiver
from tests.conftest import wait_until
from tests.unit.test_alerts import receiver  # noqa: F401 - the unit tests' fixtures and helpers


@pytest.mark.slow
def test_two_gunicorn_workers_and_a_shell_once_send_one_message_per_event(database, database_url, fake, tmp_path):
    """Two workers checking every second and a shell --once at the same time: one firing message;
    a reminder due → one reminder; cleared → one 已恢复 message."""
    from tests.conftest import command_env
    from tests.integration.test_gunicorn import two_workers_and_a_shell_once

    database.execute("INSERT INTO broadcaster_quota (day, units_used) VALUES (%(day)s, 9500)",
                     {"day": pacific_day(utcnow())})
    with Receiver() as receiver:
        env = command_env(database_url, fake, tmp_path / "instance", ADMIN_PASSWORD="test-admin-password",
                          YOUTUBE_API_KEY="test-key-0123456789", ALERT_URLS=receiver.url, ALERT_CHECK_SECONDS="1")
        with two_workers_and_a_shell_once(env) as once:
            assert receiver.wait_for(1) and 0 == once.wait(60)
            # Every process evaluates each second: three seconds without a second message is many checks.
            assert not wait_until(lambda: len(receiver.messages) > 1, 3)
            database.execute("UPDATE broadcaster_alerts SET last_sent_at = last_sent_at - INTERVAL '5 hours'")
            assert receiver.wait_for(2)
            assert not wait_until(lambda: len(receiver.messages) > 2, 3)
            database.execute("DELETE FROM broadcaster_quota")
            assert receiver.wait_for(3)
            assert not wait_until(lambda: len(receiver.messages) > 3, 3)
    assert receiver.titles() == ["【告警】DramaRelayBot：YouTube API 配额即将用完",
                                 "【仍在告警】DramaRelayBot：YouTube API 配额即将用完",
                                 "【告警已恢复】DramaRelayBot：YouTube API 配额即将用完"]
