"""The daily digest with real processes: two gunicorn workers and a shell send one digest."""

from __future__ import annotations

import pytest

from tests.conftest import command_env, wait_until
from tests.unit.test_digest import receiver  # noqa: F401 - the unit tests' fixtures and helpers


@pytest.mark.slow
def test_two_gunicorn_workers_and_a_shell_send_one_digest(database, database_url, fake, tmp_path, receiver):
    """Two workers checking every second and a shell --once, all past DIGEST_AT (every process
    came back after it): one digest, and no second one while they keep checking."""
    from tests.integration.test_gunicorn import two_workers_and_a_shell_once

    env = command_env(database_url, fake, tmp_path / "instance", ADMIN_PASSWORD="test-admin-password",
                      ALERT_URLS=receiver.url, ALERT_CHECK_SECONDS="1", DIGEST_AT="00:00")
    with two_workers_and_a_shell_once(env) as once:
        assert receiver.wait_for(1, timeout=30) and 0 == once.wait(60)
        # Every process checks each second: three seconds without a second digest is many checks.
        assert not wait_until(lambda: len(receiver.messages) > 1, 3)
    assert 1 == len(receiver.titles()) and receiver.titles()[0].startswith("【日报】DramaRelayBot 回传日报 ")
    assert [(1, 0)] == [(row["sent"], row["failed"]) for row in database.fetch_all("SELECT sent, failed FROM broadcaster_digests")]
