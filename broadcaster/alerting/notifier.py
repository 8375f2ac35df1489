"""Sending alerts, the daily digest and Healthchecks pings from a process, always off the pass's
critical path.

`AlertMonitor` is a daemon thread in every long-lived process (each gunicorn worker, the shell
loop): it evaluates the alerts every ALERT_CHECK_SECONDS, and at once when poked after a pass, so
`no_successful_pass` fires even when no pass runs at all; on the same check it sends the daily
digest when this process wins the day's (`broadcaster.alerting.digest`). The messages of the events it
owns go out from daemon threads and their outcome is written to the event. `HealthcheckPinger`
does the same for the dead-man's switch of HEALTHCHECK_URL.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

import requests

from broadcaster.alerting import alerts, digest
from broadcaster.alerting.channels import ChannelResult, send_to_channels
from broadcaster.core.clock import utcnow
from broadcaster.core.config import Config
from broadcaster.core.errors import StorageError
from broadcaster.storage import queries
from broadcaster.storage.db import Database

logger = logging.getLogger(__name__)

def channel_tally(results: list[ChannelResult]) -> dict:
    """An event's `sent` and `failed` channel counts and its `error` text (each failed channel's reason)."""
    errors = [f"{result.channel}: {result.error}" for result in results if not result.ok]
    return {"sent": sum(result.ok for result in results), "failed": len(errors),
            "error": "; ".join(errors)[:1000] or None}


def record_results(database: Database, event_id: int | None, results: list[ChannelResult]) -> None:
    """Write how the channels took an event's message (and count it for /metrics)."""
    if event_id is None:
        return
    database.execute(queries.FINISH_ALERT_EVENT, {"id": event_id, **channel_tally(results)})


class Deliveries:
    """Messages being sent from daemon threads; `wait` lets a short-lived process (or a test)
    let them finish."""

    def __init__(self):
        self._pending = 0
        self._idle = threading.Condition()

    def start(self, fn: Callable[[], None], name: str) -> None:
        """Run `fn` in a daemon thread."""
        with self._idle:
            self._pending += 1

        def run() -> None:
            try:
                fn()
            except Exception:  # a failed send is recorded by `fn`; this is a last resort
                logger.exception("%s failed", name)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

        threading.Thread(target=run, name=name, daemon=True).start()

    def wait(self, timeout: float) -> bool:
        """Wait until nothing is being sent (True) or `timeout` passes (False)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)


class AlertMonitor:
    """Evaluates the alerts in its own thread and sends the messages of the events it owns."""

    def __init__(self, config: Config, database: Database, *, clock: Callable[[], dt.datetime] = utcnow,
                 send: Callable = send_to_channels):
        self.config = config
        self.database = database
        self.clock = clock
        self.send = send
        self.deliveries = Deliveries()
        self._stop = threading.Event()
        self._poke = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the evaluating thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="alert-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop evaluating; messages already being sent finish in their own threads."""
        self._stop.set()
        self._poke.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def poke(self) -> None:
        """Evaluate now (a pass has just ended) instead of at the next check."""
        self._poke.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except StorageError as exc:  # the database restarting: try at the next check
                logger.warning("alert check failed: %s", exc, extra={"action": "alert_check_failed"})
            except Exception:
                logger.exception("alert check failed", extra={"action": "alert_check_failed"})
            self._poke.wait(self.config.alert_check_seconds)
            self._poke.clear()

    def check(self, now: dt.datetime | None = None) -> list[alerts.AlertEvent]:
        """Evaluate the alerts once and start sending the messages of the events this call owns;
        start sending the daily digest when it is due and this call takes the day."""
        now = now or self.clock()
        events = alerts.evaluate_alerts(self.config, self.database, now)
        for event in events:
            logger.info("alert %s %s: %s", event.key, event.kind, event.summary, extra={"action": "alert_event"})
            self.deliveries.start(lambda event=event: self.deliver(event), f"alert-{event.kind}")
        day = digest.due_day(self.config, now)
        if day is not None and digest.claim_day(self.database, day):
            logger.info("daily digest of %s: this process sends it", day, extra={"action": "digest_claimed"})
            self.deliveries.start(lambda: self.deliver_digest(day, now), "daily-digest")
        return events

    def deliver(self, event: alerts.AlertEvent) -> list[ChannelResult]:
        """Send one event's message to every channel and record how they took it."""
        title, body = alerts.message_for(self.config, event)
        results = self.send(self.config.alert_urls, title, body) if self.config.alert_urls else []
        record_results(self.database, event.id, results)
        return results


    def deliver_digest(self, day: dt.date, now: dt.datetime) -> list[ChannelResult]:
        """Write the day's digest and send it to every channel; record how they took it. A digest
        that could not be written (the database failed) gives the day back for the next check."""
        try:
            title, body = digest.digest_message(self.config, digest.read_facts(self.config, self.database), now)
        except Exception:
            digest.release_day(self.database, day)
            raise
        results = self.send(self.config.alert_urls, title, body)
        digest.finish_day(self.database, day, channel_tally(results))
        return results


def send_test_digest(config: Config, database: Database, now: dt.datetime | None = None,
                     send: Callable = send_to_channels) -> list[ChannelResult]:
    """发送测试日报: today's digest as it stands, now, to every channel (titled as a test)."""
    now = now or utcnow()
    title, body = digest.digest_message(config, digest.read_facts(config, database), now, test=True)
    return send(config.alert_urls, title, body)


def send_test_alert(config: Config, database: Database, now: dt.datetime | None = None,
                    send: Callable = send_to_channels) -> list[ChannelResult]:
    """发送测试告警: a test message to every channel, recorded as a `test` event."""
    title, body = alerts.test_message(config, now or utcnow())
    results = send(config.alert_urls, title, body)
    database.execute(queries.RECORD_TEST_EVENT, {"summary": "测试告警", **channel_tally(results)})
    return results


# --------------------------------------------------------------------------------------------
# Healthchecks


class HealthcheckPinger:
    """Pings HEALTHCHECK_URL (Healthchecks.io's convention) from daemon threads: `/start` when a
    scheduled pass starts, the bare URL when it succeeds, `/fail` when it does not. A ping has a
    short timeout and a few retries, and never blocks or fails the pass."""

    TIMEOUT = (3.0, 5.0)
    ATTEMPTS = 3
    BACKOFF_SECONDS = 1.0

    def __init__(self, url: str | None, *, sleep: Callable[[float], object] = time.sleep):
        self.url = url
        self.sleep = sleep
        self.deliveries = Deliveries()

    def started(self) -> None:
        """A scheduled pass started."""
        self._ping("/start")

    def finished(self, status: str) -> None:
        """A scheduled pass ended with `status` (succeeded: success; any other: failure)."""
        self._ping("" if status == "succeeded" else "/fail")

    def _ping(self, suffix: str) -> None:
        if self.url:
            self.deliveries.start(lambda: self._send(self.url + suffix, suffix or "/"), "healthcheck-ping")

    def _send(self, url: str, what: str) -> None:
        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                response = requests.get(url, timeout=self.TIMEOUT, headers={"User-Agent": "StatsBroadcaster"})
                if response.status_code < 500:
                    return
                problem = f"HTTP {response.status_code}"
            except requests.RequestException as exc:
                problem = type(exc).__name__
            if attempt < self.ATTEMPTS:
                self.sleep(self.BACKOFF_SECONDS * attempt)
        logger.warning("healthcheck ping %s failed after %s attempts: %s", what, self.ATTEMPTS, problem,
                       extra={"action": "healthcheck_failed"})
