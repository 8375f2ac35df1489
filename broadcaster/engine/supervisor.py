"""The per-process supervisor: the loop that runs a pass every interval while the switch is on.

Every process (each gunicorn worker, the shell command) runs one `Broadcaster`: a daemon thread
that claims due slots in the database, so any number of processes may share one database and at
most one pass runs at a time (`broadcaster.engine.runs`; docs/architecture.md). The pass
itself is `broadcaster.engine.pipeline`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator

from broadcaster.alerting.notifier import AlertMonitor, HealthcheckPinger
from broadcaster.core.config import Config, load_config
from broadcaster.core.errors import StorageError
from broadcaster.core.states import RunStatus, Trigger
from broadcaster.engine import children, execution, runs
from broadcaster.reports import hosts, projects, tasklist
from broadcaster.scaleout import joining
from broadcaster.storage import retention
from broadcaster.storage.db import Database, apply_schema, resolve_database_url

logger = logging.getLogger(__name__)

SUPERVISOR_POLL_SECONDS = 1.0
PRUNE_EVERY_SECONDS = 600
#: How often a supervisor asks whether the projects' figures are due a refresh (broadcaster.reports.projects).
INSIGHT_CHECK_SECONDS = 30


def broadcast_all_tasks(
    config: Config | None = None,
    database: Database | None = None,
    *,
    trigger: str = Trigger.SCHEDULE,
    run_id: int | None = None,
    stop_event: threading.Event | None = None,
    fetcher=None,
) -> dict:
    """Run one pass over every active task; the result dict of docs/http-api.md#the-pass-result."""
    config = config or load_config()
    try:
        database = database or Database(resolve_database_url(config))
        if run_id is None:
            run_id = runs.claim_run(database, trigger)
            if run_id is None:
                return runs.make_result(RunStatus.FAILED, None, 0, 0, "已有一次回传正在进行中")
    except StorageError as exc:
        return runs.make_result(RunStatus.FAILED, None, 0, 0, str(exc))
    return execution.run_claimed_pass(config, database, run_id, stop_event=stop_event, fetcher=fetcher)


class Broadcaster:
    """The per-process supervisor: a daemon thread that claims due slots and runs them.

    Every process (each gunicorn worker, the shell command) runs one. They never coordinate
    directly: the database decides which process runs a slot.
    """

    def __init__(self, config: Config, database: Database, *, poll_seconds: float = SUPERVISOR_POLL_SECONDS,
                 fetcher=None, schema_ready: bool = False):
        """Passes run in a child process, unless a `fetcher` is injected (tests): then in this one.
        `schema_ready` says the caller has applied the schema already (else the first tick does)."""
        self.config = config
        self.database = database
        self.poll_seconds = poll_seconds
        self.fetcher = fetcher
        self._stop = threading.Event()
        self._pass_stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        # None, not 0.0: monotonic() counts from boot, so on a machine up less than
        # PRUNE_EVERY_SECONDS a 0.0 start would skip the first prune.
        self._last_prune: float | None = None
        self._last_insight_check: float | None = None
        self._schema_ready = schema_ready
        self.alerts = AlertMonitor(config, database)
        self.pinger = HealthcheckPinger(config.healthcheck_url)
        self._monitor_alerts = False  # set by start(): a bare run_once() (tests) starts no thread

    @property
    def is_alive(self) -> bool:
        """True while the supervisor thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the supervisor thread (idempotent)."""
        if self.is_alive:
            return
        self._stop.clear()
        self._monitor_alerts = True
        self._thread = threading.Thread(target=self._run, name="stats-broadcaster", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and interrupt its pass; idempotent."""
        self._stop.set()
        if self._pass_stop is not None:
            self._pass_stop.set()
        self.alerts.stop(timeout=1.0)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        failures = 0
        wait = 0.0
        while not self._stop.wait(wait):
            try:
                self.run_once()
                failures, wait = 0, self.poll_seconds
            except Exception as exc:  # one bad tick (e.g. the database restarting) never kills the loop
                failures += 1
                wait = min(30.0, self.poll_seconds * 2 ** min(failures, 5))
                logger.warning("broadcaster tick failed (retry in %.0f s): %s", wait, exc,
                               exc_info=True, extra={"action": "tick_failed"})

    def run_once(self) -> dict | None:
        """One supervisor tick: clean up dead runs, then run the due slot if this process wins it
        (a helper instead joins a shared pass in progress)."""
        if not self._schema_ready:
            # The app may have started while the database was down, or a migration waited for a lock.
            apply_schema(self.database, stop_event=self._stop)
            self._schema_ready = True
        if self._monitor_alerts and not self._stop.is_set():
            self.alerts.start()  # idempotent; after the schema, whose tables it reads
        if self.config.pass_helper:
            self._help()
            return None
        for run in runs.abandon_stale_runs(self.database):
            logger.warning("run %s abandoned: its process stopped heartbeating", run["id"])
            if run["trigger"] == Trigger.SCHEDULE:
                self.pinger.finished(RunStatus.ABANDONED)
            self.alerts.poke()
        if self._last_prune is None or time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = time.monotonic()
            retention.upkeep(self.database, self.config)  # days ahead, aged-out days dropped, history thinned
            hosts.roll_up_closed_hours(self.database)  # GET /api/callback-hosts then reads whole hours
            # Links the bot wrote since: parsed here, off the request path, so the task list's
            # own fill before each read (broadcaster.reports.tasklist) rarely finds any left.
            tasklist.fill_link_platforms(self.database)
        if self._last_insight_check is None or time.monotonic() - self._last_insight_check > INSIGHT_CHECK_SECONDS:
            self._last_insight_check = time.monotonic()
            self._refresh_projects(projects.REFRESH_SECONDS)
        run_id = runs.claim_scheduled_run(self.database, self.config.broadcast_interval_seconds)
        if run_id is None:
            return None
        self.pinger.started()
        result = None
        try:
            with self._pass_stop_event() as stop_event:
                if self.fetcher is not None:
                    result = execution.run_claimed_pass(
                        self.config, self.database, run_id, stop_event=stop_event, fetcher=self.fetcher
                    )
                else:
                    result = children.run_pass_in_subprocess(self.config, self.database, run_id,
                                                              stop_event=stop_event)
            return result
        finally:
            self.pinger.finished(result_status(result))
            self._refresh_projects(0.0)  # the pass changed counts: the project figures follow at once
            self.alerts.poke()

    def _refresh_projects(self, max_age_s: float) -> None:
        """Refresh the projects' figures when the last refresh is `max_age_s` old; a failure waits
        for the next chance (it never costs the tick or the pass)."""
        try:
            projects.refresh(self.database, self.config, max_age_s=max_age_s)
        except StorageError as exc:
            logger.warning("project insight not refreshed: %s", exc, extra={"action": "projects_refresh_failed"})

    def _help(self) -> None:
        """PASS_HELPER: announce this process, and take shards of the first joinable shared pass
        in a child process."""
        joining.announce_helper(self.database)
        joinable = joining.joinable_runs(self.database)
        if not joinable:
            return
        with self._pass_stop_event() as stop_event:
            children.run_shards_in_subprocess(self.config, self.database, joinable[0], stop_event=stop_event)

    @contextlib.contextmanager
    def _pass_stop_event(self) -> Iterator[threading.Event]:
        """The stop event of the pass about to run here: set by stop(), or by the pass's own
        heartbeat when the run is cancelled (which must not stop the supervisor itself)."""
        self._pass_stop = threading.Event()
        if self._stop.is_set():
            self._pass_stop.set()
        try:
            yield self._pass_stop
        finally:
            self._pass_stop = None


def result_status(result: dict | None) -> str:
    """How a pass ended, from its result (None: it raised)."""
    if result is None or not result.get("success"):
        return RunStatus.FAILED
    return RunStatus.INTERRUPTED if result.get("interrupted") else RunStatus.SUCCEEDED
