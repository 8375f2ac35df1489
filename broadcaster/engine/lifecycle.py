"""The life of a pass: claimed, run (in a child process), heartbeating, finished.

Any number of processes may share the database. A pass only runs after claiming a row in
``broadcaster_runs``; a partial unique index allows one running pass among them all, and a
unique slot key lets exactly one process claim each scheduled slot. The running pass
heartbeats its progress every second and sees a requested stop there; a pass whose process
died stops heartbeating and is marked abandoned by whoever looks next. The switch and the
result shapes live here too.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from broadcaster.core.clock import isoformat, utcnow
from broadcaster.core.config import Config
from broadcaster.core.errors import StorageError
from broadcaster.core.json_schema import BOOLEAN, INTEGER, STRING, TIME, described, nullable, obj, shaped
from broadcaster.core.logs import configure_logging
from broadcaster.core.retry import retry_storage
from broadcaster.core.states import RunStatus
from broadcaster.delivery.webhooks import PrintingSender
from broadcaster.engine import shards
from broadcaster.engine.assembly import Heartbeat, build_pass, make_sender, plan_pass, runner_id
from broadcaster.engine.freshness import FreshnessTally
from broadcaster.engine.pipeline import STOP_GRACE_SECONDS
from broadcaster.engine.recorder import CountingRecorder, Recorder, database_writer
from broadcaster.engine.tasks import PostgresTaskSource
from broadcaster.fetching.fetcher import VideoStatsFetcher
from broadcaster.fetching.links import UnstoredLinks, resolve_new_links, sync_task_videos
from broadcaster.storage import queries, retention
from broadcaster.storage.db import Database, wrap_errors

logger = logging.getLogger(__name__)

STALE_RUN_SECONDS = 20  # a running pass silent this long is abandoned (heartbeat every 1 s)
#: Where `python -m broadcaster` finds the package: a child starts through the package, never a top-level script.
PACKAGE_PARENT = Path(__file__).resolve().parents[2]

_ACTIVE_PASSES: set[threading.Event] = set()
_ACTIVE_LOCK = threading.Lock()


def interrupt_active_passes() -> None:
    """Ask every pass running in this process to stop (used at shutdown)."""
    with _ACTIVE_LOCK:
        for event in _ACTIVE_PASSES:
            event.set()


class _Active:
    """Registers a pass's stop event for `interrupt_active_passes` while it runs."""

    def __init__(self, stop_event: threading.Event):
        self.stop_event = stop_event

    def __enter__(self) -> threading.Event:
        with _ACTIVE_LOCK:
            _ACTIVE_PASSES.add(self.stop_event)
        return self.stop_event

    def __exit__(self, *exc) -> None:
        with _ACTIVE_LOCK:
            _ACTIVE_PASSES.discard(self.stop_event)


# --------------------------------------------------------------------------------------------
# Results


def failed_count(*, total: int, done: int, success_count: int, finished: bool) -> int:
    """How many tasks failed: while a pass runs, those recorded as failed so far; once it has
    ended, every selected task not delivered (DESIGN §4.6), those a stop left unreached too."""
    return (total if finished else done) - success_count


#: The result of a pass (DESIGN §4.6): what POST /api/broadcaster/trigger answers when it finished.
RESULT = obj({
    "success": described(BOOLEAN, "只有这一轮无法执行时才为 false（此时 error 说明原因）"),
    "run_id": nullable(INTEGER),
    "total": described(INTEGER, "选中的任务数"),
    "success_count": described(INTEGER, "回传成功的任务数"),
    "failed_count": described(INTEGER, "其余的任务数"),
    "timestamp": TIME,
    "error": nullable(STRING),
    "interrupted": described({"const": True}, "这一轮被停止"),
}, optional=("error", "interrupted"), title="PassResult")


def make_result(status: str, run_id: int | None, total: int, success_count: int, error: str | None = None,
                finished_at=None) -> dict:
    """The result dict of DESIGN.md §4.6; `success` is false only when the pass could not run."""
    ending = {}
    if status == RunStatus.FAILED:
        ending["error"] = error
    elif status == RunStatus.INTERRUPTED:
        ending["interrupted"] = True
    return shaped(
        RESULT,
        success=status != RunStatus.FAILED,
        run_id=run_id,
        total=total,
        success_count=success_count,
        failed_count=failed_count(total=total, done=total, success_count=success_count, finished=True),
        timestamp=isoformat(finished_at or utcnow()),
        **ending,
    )


def result_from_run(row: dict) -> dict:
    """The result dict for a finished run row."""
    return make_result(row["status"], row["id"], row["total"], row["success_count"], row.get("error"),
                       row["finished_at"])


# --------------------------------------------------------------------------------------------
# Claim, heartbeat, finish


def abandon_stale_runs(database: Database) -> list[dict]:
    """Mark running passes that stopped heartbeating as abandoned; return their `id` and `trigger`."""
    return database.fetch_all(queries.MARK_ABANDONED_RUNS, {"stale_seconds": STALE_RUN_SECONDS})


def mark_abandoned_runs(database: Database) -> list[int]:
    """Mark running passes that stopped heartbeating as abandoned; return their ids."""
    return [row["id"] for row in abandon_stale_runs(database)]


def claim_run(database: Database, trigger: str, task_ids: list[int] | None = None, *,
              triggered_by: str | None = None) -> int | None:
    """Insert a running pass for `trigger` (over just `task_ids` when given), asked for by the
    user `triggered_by` (None when no one signed in did); None when another (live) pass is running."""
    # A pass whose process died must not block this one, even where no supervisor runs.
    mark_abandoned_runs(database)
    row = database.fetch_one(queries.CLAIM_RUN, {"trigger": trigger, "runner": runner_id(), "task_ids": task_ids,
                                                    "triggered_by": triggered_by})
    return row["id"] if row else None


def claim_scheduled_run(database: Database, interval: int) -> int | None:
    """Claim the due scheduled slot, if the switch is on, it is due and no pass runs."""
    row = database.fetch_one(queries.CLAIM_SCHEDULED_RUN, {"runner": runner_id(), "interval": interval})
    return row["id"] if row else None


def beat_run(database: Database, run_id: int, progress: dict) -> bool:
    """Report a running pass's progress; True when it should stop (an operator stopped it, or it
    was marked abandoned and so taken from us)."""
    params = {"run_id": run_id, **progress, "failed_count": failed_count(**progress, finished=False)}
    row = database.fetch_one(queries.HEARTBEAT_RUN, params)
    return row is None or row["cancel_requested"]


def finish_run(database: Database, run_id: int, status: str, counts: dict, error: str | None,
               *, deadline_s: float) -> None:
    """Record how a run ended, retrying a restarting database for up to `deadline_s`."""
    tallies = {key: counts[key] for key in ("total", "done", "success_count")}
    freshness = counts.get("freshness")
    params = {"run_id": run_id, "status": status, "error": error, **tallies,
              "failed_count": failed_count(**tallies, finished=True),
              "freshness": json.dumps(freshness, ensure_ascii=False) if freshness is not None else None}
    try:
        retry_storage(lambda: database.execute(queries.FINISH_RUN, params), what=f"recording the end of run {run_id}",
                      deadline_s=deadline_s)
    except StorageError as exc:
        logger.error("could not record the end of run %s: %s", run_id, exc)


# --------------------------------------------------------------------------------------------
# Running a claimed pass


def run_claimed_pass(config: Config, database: Database, run_id: int, *,
                     stop_event: threading.Event | None = None, fetcher=None) -> dict:
    """Execute a pass whose run row this process has claimed, and record how it ended.

    The pass runs in this process, or — with PASS_WORKERS above 1 or helpers standing by — is
    shared by several processes (`broadcaster.engine.shards`).
    """
    stop_event = stop_event or threading.Event()
    fetcher = fetcher or VideoStatsFetcher.from_config(config)
    task_ids = database.fetch_one(queries.FETCH_RUN_TASK_IDS, {"run_id": run_id})["task_ids"]
    source = PostgresTaskSource(database, task_ids)
    status, error, counts = RunStatus.SUCCEEDED, None, {"total": 0, "done": 0, "success_count": 0}
    with _Active(stop_event):
        try:
            retention.ensure_days(database)  # the upkeep creates them ahead; a pass never goes without
            initial_total = source.count_active()
            sync_task_videos(database, fetcher, stop_event, task_ids)
            slots = pass_slots(config, database)
            run = _run_shared if slots > 1 else _run_here
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
    helpers = shards.live_helpers(database)
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


def _run_shared(config: Config, database: Database, run_id: int, source: PostgresTaskSource, *, fetcher,
                stop_event: threading.Event, initial_total: int, slots: int, progress_out: dict) -> dict:
    """The pass cut into shards and shared with PASS_WORKERS − 1 local processes and any helpers."""
    # The workers start first: a Python process takes about a second to be ready, the plan less.
    # No more local workers than slots: a worker without a slot would only start and leave.
    workers = [spawn(config, database, "--shard-worker", run_id) for _ in range(min(config.pass_workers, slots) - 1)]
    budget, refresh, pools = plan_pass(config, source, fetcher)
    count = shards.create_shared_pass(database, run_id, slots, source.scope["task_ids"], budget, refresh, pools)
    logger.info("pass %s shared by %s slots in %s shards", run_id, slots, count, extra={"action": "pass_shared"})

    def progress() -> dict:
        figures = shards.progress(database, run_id)
        progress_out.update(total=max(figures["total"], initial_total), done=figures["done"],
                            success_count=figures["success_count"])
        return dict(progress_out)

    finished = False
    try:
        with Heartbeat(lambda: beat_run(database, run_id, progress()), stop_event, f"heartbeat-{run_id}"):
            shards.ShardWorker(config, database, run_id, fetcher=fetcher, stop_event=stop_event).run()
        finished = not stop_event.is_set()
    finally:
        # Done: the other workers find nothing left and leave; stopped or failed: they are told to.
        for worker in workers:
            _reap(worker, stop=not finished, grace=shards.STALE_SECONDS)
    figures = shards.progress(database, run_id)
    tally = FreshnessTally()
    for ages in shards.merged_ages(database, run_id):
        tally.absorb(ages)
    for egress_key, pages in shards.pages_used(database, run_id).items():
        database.execute(queries.SET_EGRESS_PAGES, {"egress_key": egress_key, "pages": pages})
    shards.forget_pass(database, run_id)
    return {"total": figures["total"], "done": figures["done"], "success_count": figures["success_count"],
            "freshness": tally.summary(refresh.videos, budget.refresh_limits, config.broadcast_interval_seconds)}


def dry_run_pass(config: Config, database: Database, write_line: Callable[[str], None] | None = None) -> dict:
    """Fetch and build every payload and print each body (or hand it to `write_line`); send and store nothing."""
    stop_event = threading.Event()
    fetcher = VideoStatsFetcher.from_config(config)
    unstored = UnstoredLinks([link for links in resolve_new_links(database, fetcher, stop_event) for link in links])
    the_pass = build_pass(config, PostgresTaskSource(database), run_id=None, fetcher=fetcher,
                          sender=PrintingSender(write_line), recorder=CountingRecorder(), stop_event=stop_event,
                          unstored=unstored)
    counts = the_pass.execute()
    return make_result(RunStatus.SUCCEEDED, None, counts["total"], counts["success_count"])


def run_pass_in_subprocess(config: Config, database: Database, run_id: int, *,
                           stop_event: threading.Event | None = None) -> dict:
    """Run a claimed pass in a child process and wait for it; `stop_event` terminates it.

    A pass runs a few hundred I/O threads; in its own process they never compete for the GIL
    with a gunicorn worker's request threads (the status API stays fast during a pass), and the
    memory a large pass touches goes back to the system when the child exits.
    """
    process = _run_child(config, database, "--run-pass", run_id, stop_event or threading.Event())
    row = database.fetch_one(queries.FETCH_RUN, {"run_id": run_id})
    if row["status"] == RunStatus.RUNNING:
        error = f"执行回传的子进程异常退出（退出码 {process.returncode}）"
        counts = {key: row[key] for key in ("total", "done", "success_count")}
        finish_run(database, run_id, RunStatus.FAILED, counts, error, deadline_s=10.0)
        row = database.fetch_one(queries.FETCH_RUN, {"run_id": run_id})
    return result_from_run(row)


def spawn(config: Config, database: Database, flag: str, run_id: int) -> subprocess.Popen:
    """Start `python -m broadcaster FLAG RUN_ID` with these settings on its stdin."""
    settings = dataclasses.asdict(config.replace(database_url=database.url))
    process = subprocess.Popen(
        [sys.executable, "-m", "broadcaster", flag, str(run_id)],
        stdin=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=str(PACKAGE_PARENT),
    )
    # Settings, secrets included, go through a pipe: never on the command line or in env.
    process.stdin.write(json.dumps(settings).encode("utf-8"))
    process.stdin.close()
    return process


def run_shards_in_subprocess(config: Config, database: Database, run_id: int, *,
                             stop_event: threading.Event) -> int:
    """A helper's share of a shared pass: a shard worker child, stopped with `stop_event`."""
    return _run_child(config, database, "--shard-worker", run_id, stop_event).returncode


def _run_child(config: Config, database: Database, flag: str, run_id: int,
               stop_event: threading.Event) -> subprocess.Popen:
    """Run `python -m broadcaster FLAG RUN_ID` until it exits; `stop_event` stops it (a pass child
    then records its run as interrupted). The exited process."""
    with _Active(stop_event):
        process = spawn(config, database, flag, run_id)
        while process.poll() is None:
            if stop_event.wait(0.2):
                _reap(process, stop=True)
    return process


def _reap(process: subprocess.Popen, stop: bool, grace: float | None = None) -> None:
    """Wait for a child (at most `grace` seconds); when stopping, ask it to stop first (SIGTERM).
    A child that outstays its grace is terminated, then killed."""
    if stop and process.poll() is None:
        process.terminate()
    try:
        process.wait(STOP_GRACE_SECONDS + 5 if stop else grace)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _child_settings() -> tuple[Config, threading.Event]:
    """A child's settings from stdin, its logging, and a stop event set by SIGTERM/SIGINT."""
    config = Config(**json.loads(sys.stdin.read()))
    configure_logging(config.secrets())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return config, stop


def run_shard_worker_child(run_id: int) -> int:
    """`--shard-worker RUN_ID` (internal): take shards of a shared pass until none is left."""
    config, stop = _child_settings()
    database = Database(config.database_url)
    shards.ShardWorker(config, database, run_id, fetcher=VideoStatsFetcher.from_config(config),
                       stop_event=stop).run()
    return 0


def run_pass_child(run_id: int) -> int:
    """`--run-pass RUN_ID` (internal): run a pass claimed by the parent; settings on stdin."""
    config, stop = _child_settings()
    run_claimed_pass(config, Database(config.database_url), run_id, stop_event=stop)
    return 0


# --------------------------------------------------------------------------------------------
# The switch


def switch_on(database: Database) -> bool:
    """Turn the service on; False when it already was."""
    return database.execute(queries.SWITCH_ON) == 1


def switch_off(database: Database) -> bool:
    """Turn the service off and interrupt any pass in progress (manual ones too).

    False when there was nothing to stop: the switch was off and no pass was running.
    """
    with database.connection() as conn, wrap_errors("数据库写入失败"):
        with conn.cursor() as cur:
            cur.execute(queries.SWITCH_OFF)
            switched = cur.rowcount == 1
            cur.execute(queries.REQUEST_CANCEL)
            interrupted = cur.rowcount > 0
    return switched or interrupted
