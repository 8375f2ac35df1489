"""Running a claimed pass to its end and recording how it ended: in this process, or shared with
other processes (`broadcaster.scaleout`) when PASS_WORKERS is above 1 or helpers stand by."""

from __future__ import annotations

import logging
import threading

from broadcaster.core.config import Config
from broadcaster.core.states import RunStatus
from broadcaster.engine.active import ActivePass
from broadcaster.engine.assembly import Heartbeat, build_pass, make_sender
from broadcaster.engine.links import sync_task_videos
from broadcaster.engine.recorder import Recorder, database_writer
from broadcaster.engine.runs import beat_run, finish_run, make_result
from broadcaster.engine.tasks import PostgresTaskSource
from broadcaster.fetching.fetcher import VideoStatsFetcher
from broadcaster.scaleout.joining import live_helpers
from broadcaster.scaleout.shared_pass import run_shared_pass
from broadcaster.storage import queries, retention
from broadcaster.storage.db import Database

logger = logging.getLogger(__name__)


def run_claimed_pass(config: Config, database: Database, run_id: int, *,
                     stop_event: threading.Event | None = None, fetcher=None) -> dict:
    """Execute a pass whose run row this process has claimed, and record how it ended."""
    stop_event = stop_event or threading.Event()
    fetcher = fetcher or VideoStatsFetcher.from_config(config)
    task_ids = database.fetch_one(queries.FETCH_RUN_TASK_IDS, {"run_id": run_id})["task_ids"]
    source = PostgresTaskSource(database, task_ids)
    status, error, counts = RunStatus.SUCCEEDED, None, {"total": 0, "done": 0, "success_count": 0}
    with ActivePass(stop_event):
        try:
            retention.ensure_days(database)  # the upkeep creates them ahead; a pass never goes without
            initial_total = source.count_active()
            sync_task_videos(database, fetcher, stop_event, task_ids)
            slots = pass_slots(config, database)
            run = run_shared_pass if slots > 1 else _run_here
            counts = run(config, database, run_id, source, fetcher=fetcher, stop_event=stop_event,
                         initial_total=initial_total, slots=slots, progress_out=counts)
            if stop_event.is_set():
                status, error = RunStatus.INTERRUPTED, "回传被停止（服务停止或进程退出）"
        except Exception as exc:
            logger.exception("pass %s failed", run_id)
            status, error = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:500]
    # At shutdown the process must exit promptly; otherwise wait for a restarting database.
    finish_run(database, run_id, status, counts, error, deadline_s=3.0 if stop_event.is_set() else 300.0)
    result = make_result(status, run_id, counts["total"], counts["success_count"], error)
    logger.info(
        "pass %s %s: %s tasks, %s delivered, %s failed",
        run_id, status, result["total"], result["success_count"], result["failed_count"],
        extra={"action": "pass_finished"},
    )
    return result


def pass_slots(config: Config, database: Database) -> int:
    """How many processes share the pass: PASS_WORKERS plus live helpers, while every one of them
    still gets at least one request of each concurrency limit."""
    helpers = live_helpers(database)
    return max(1, min(config.pass_workers + helpers, config.fetch_concurrency, config.webhook_concurrency))


def _run_here(config: Config, database: Database, run_id: int, source: PostgresTaskSource, *, fetcher,
              stop_event: threading.Event, initial_total: int, progress_out: dict, **_) -> dict:
    """The whole pass in this process; its counts."""
    sender = make_sender(config, stop_event)
    recorder = Recorder(database_writer(database), run_id, site_name=config.site_name)
    the_pass = build_pass(config, source, run_id=run_id, fetcher=fetcher, sender=sender, recorder=recorder,
                          stop_event=stop_event)

    def progress() -> dict:
        progress_out.update(total=max(the_pass.total, initial_total), **recorder.counts())
        return dict(progress_out)

    try:
        with Heartbeat(lambda: beat_run(database, run_id, progress()), stop_event, f"heartbeat-{run_id}"):
            return the_pass.execute()
    finally:
        sender.close()
        progress_out.update(total=the_pass.total, **recorder.counts())
