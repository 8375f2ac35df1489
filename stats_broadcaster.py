"""The Stats Broadcaster: one pass, the loop, the one-runner rule and the command line.

A pass reads every active task, refreshes the stalest videos within per-platform budgets,
builds one stats entry per task and POSTs it as a signed webhook. Fetching and delivery run
in bounded thread pools and overlap; results are written in batches. Any number of processes
may share the database: a pass only runs after claiming a row in `broadcaster_runs`, and a
partial unique index allows one running pass among them all.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import ctypes
import dataclasses
import datetime as dt
import json
import logging
import math
import os
import queue
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import db
import video_stats_fetcher as vsf
from config import Config, load_config
from db import Database
from errors import ConfigError, StorageError
from webhooks import CircuitBreakers, Delivery, WebhookSender, serialize_body

logger = logging.getLogger(__name__)

PACIFIC = ZoneInfo("America/Los_Angeles")
HEARTBEAT_SECONDS = 1.0
STALE_RUN_SECONDS = 20  # a running pass silent this long is abandoned (heartbeat every 1 s)
SUPERVISOR_POLL_SECONDS = 1.0
YOUTUBE_IDS_PER_CALL = 50
TASK_WINDOW = 4096  # tasks dispatched but not yet recorded; keeps memory flat in N
WINDOW_REFILL = 256  # a full window drains this far before the dispatcher wakes to refill it
RECORD_BATCH = 500
STOP_GRACE_SECONDS = 5.0
RESOLVE_CONCURRENCY = 8


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def isoformat(value: dt.datetime | None) -> str | None:
    """ISO-8601 in UTC; naive values (the bot's TIMESTAMP columns) are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def runner_id() -> str:
    """Identity of this process in the runs table."""
    return f"{socket.gethostname()}:{os.getpid()}"


# --------------------------------------------------------------------------------------------
# Payload


def build_stats_entry(task: dict, platform: str | None, views: int | None, likes: int | None) -> dict:
    """One X2C stats entry for a task (reference/x2c-pool.md): NULL keys and unknown counts left out."""
    entry = {
        "project_id": task.get("project_id"),
        "task_id": task["external_task_id"] if task.get("external_task_id") is not None else task["task_id"],
        "duration": task.get("duration"),
        "account_count": 0,
    }
    entry = {key: value for key, value in entry.items() if value is not None}
    # Douyin has no fields of its own at X2C; its counts go into the yt_* fields.
    prefix = "tt" if platform == vsf.TIKTOK else "yt"
    counts = {f"{prefix}_view_count": views, f"{prefix}_like_count": likes}
    sent = {key: value for key, value in counts.items() if value is not None and value > 0}
    if sent:
        entry[f"{prefix}_account_count"] = 0
        entry.update(sent)
    return entry


def build_body(site_name: str, entries: list[dict]) -> dict:
    """The webhook body: the site name and the stats entries."""
    return {"site_name": site_name, "stats": entries}


# --------------------------------------------------------------------------------------------
# Budgets


def pacific_day(now: dt.datetime) -> dt.date:
    """The YouTube quota day (it resets at midnight Pacific time)."""
    return now.astimezone(PACIFIC).date()


def seconds_to_pacific_midnight(now: dt.datetime) -> float:
    """Seconds until the YouTube quota resets."""
    local = now.astimezone(PACIFIC)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=PACIFIC)
    return max(1.0, (midnight - local).total_seconds())


def youtube_units_for_pass(daily_quota: int, used: int, now: dt.datetime, interval: int) -> int:
    """This pass's share of the day's remaining API units, so the day's quota is never exceeded."""
    remaining = max(0, daily_quota - used)
    if remaining == 0:
        return 0
    passes_left = max(1, math.ceil(seconds_to_pacific_midnight(now) / interval))
    return min(remaining, max(1, remaining // passes_left))


def pages_for_pass(per_minute: int, interval: int) -> int | None:
    """Page requests one pass may make (None = unlimited): paced over half an interval."""
    if per_minute <= 0:
        return None
    return max(1, int(per_minute * interval / 60 / 2))


class Pacer:
    """Spaces requests to one platform at `per_minute` with ±30 % jitter; 0 = no pacing."""

    def __init__(self, per_minute: int, *, clock=time.monotonic):
        self.spacing = 60.0 / per_minute if per_minute > 0 else 0.0
        self.clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def wait_turn(self, stop_event: threading.Event) -> bool:
        """Wait for this request's slot; False when the pass is stopping."""
        if not self.spacing:
            return not stop_event.is_set()
        with self._lock:
            now = self.clock()
            slot = max(now, self._next)
            self._next = slot + self.spacing * random.uniform(0.7, 1.3)
        return not stop_event.wait(max(0.0, slot - now))


@dataclasses.dataclass
class Budget:
    """How this pass may refresh videos."""

    youtube_mode: str  # "api" or "page"
    youtube_api_units: int
    refresh_limits: dict[str, int | None]  # per platform; None = unlimited
    youtube_fallback_pages: int | None  # watch pages allowed when the API quota runs out mid-pass
    quota_day: dt.date


def plan_budget(config: Config, database: Database | None, now: dt.datetime) -> Budget:
    """Per-platform refresh limits for a pass, from the settings and the quota spent today."""
    interval = config.broadcast_interval_seconds
    youtube_pages = pages_for_pass(config.youtube_pages_per_minute, interval)
    day = pacific_day(now)
    mode, units = "page", 0
    if config.youtube_api_key:
        row = database.fetch_one(db.FETCH_QUOTA, {"day": day}) if database else None
        used = row["units_used"] if row else 0
        exhausted = bool(row and row["exhausted"])
        if not exhausted:
            units = youtube_units_for_pass(config.youtube_daily_quota, used, now, interval)
            mode = "api" if units > 0 else "page"
    limits = {
        vsf.YOUTUBE: units * YOUTUBE_IDS_PER_CALL if mode == "api" else youtube_pages,
        vsf.TIKTOK: pages_for_pass(config.tiktok_pages_per_minute, interval),
        vsf.DOUYIN: pages_for_pass(config.douyin_pages_per_minute, interval),
    }
    return Budget(mode, units, limits, youtube_pages, day)


# --------------------------------------------------------------------------------------------
# Video URL resolution (short links once per task, stored)


def map_video_url(fetcher: vsf.VideoStatsFetcher, url: str) -> tuple[vsf.VideoRef | None, str | None, bool]:
    """(ref, error, permanent): a parsed and, for short links, resolved video reference."""
    try:
        ref = vsf.parse_video_url(url)
        if ref.needs_resolution:
            ref = fetcher.resolve(ref)
        return ref, None, True
    except vsf.InvalidVideoURL as exc:
        return None, str(exc), True
    except vsf.FetchError as exc:
        return None, f"短链接解析失败，下轮重试：{exc}", False


def sync_task_videos(database: Database, fetcher: vsf.VideoStatsFetcher, stop_event: threading.Event) -> int:
    """Parse (and resolve) the video URL of every task that has none stored yet."""
    rows = database.fetch_all(db.FETCH_TASKS_TO_RESOLVE)
    if not rows:
        return 0
    with concurrent.futures.ThreadPoolExecutor(RESOLVE_CONCURRENCY, thread_name_prefix="resolve") as pool:
        mapped = list(pool.map(lambda row: (row, map_video_url(fetcher, row["video_url"])), rows))
    values = []
    for row, (ref, error, permanent) in mapped:
        if not permanent or stop_event.is_set():
            continue  # a network failure: try again next pass
        values.append(
            (
                row["task_id"],
                row["video_url"],
                ref.platform if ref else None,
                ref.video_id if ref else None,
                ref.handle if ref else None,
                error,
            )
        )
    database.execute_values(db.UPSERT_TASK_VIDEOS, values)
    return len(values)


# --------------------------------------------------------------------------------------------
# One pass


@dataclasses.dataclass
class Outcome:
    """One task's result in a pass."""

    task: dict
    ok: bool
    delivery: Delivery | None = None
    payload: dict | None = None  # the task's own entry as sent, for its log row
    webhook_id: str | None = None
    fetch_error: tuple[str, str] | None = None  # (error_type, message) for broadcaster_error_logs
    reason: str | None = None


# A task waiting for delivery: (task row, its stats entry, the fetch error to log or None).
PendingEntry = tuple[dict, dict, "tuple[str, str] | None"]


@dataclasses.dataclass
class VideoJob:
    """Tasks that share one video, with its stored counts."""

    platform: str | None
    video_id: str | None
    handle: str | None
    refresh: bool
    stored: dict
    tasks: list[dict]


class WorkerPool:
    """Up to `size` daemon threads running submitted calls in order.

    Unlike ThreadPoolExecutor, whose threads the interpreter joins at exit, these threads never
    keep a stopping process alive: a webhook stuck in a hanging receiver is simply abandoned.
    """

    def __init__(self, size: int, name: str):
        self.size = size
        self.name = name
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._cancelled = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable, *args) -> None:
        """Queue `fn(*args)`; start another thread while below `size`."""
        self._queue.put((fn, args))
        with self._lock:
            if len(self._threads) < self.size:
                thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()

    def shutdown(self, *, wait: bool) -> None:
        """Stop the threads after the queued calls (or drop them when not waiting)."""
        with self._lock:
            self._cancelled = not wait
            threads = list(self._threads)
        for _ in threads:
            self._queue.put(None)
        if wait:
            for thread in threads:
                thread.join()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._cancelled:
                continue
            fn, args = item
            try:
                fn(*args)
            except Exception:  # the callables record their own failures; this is a last resort
                logger.exception("%s: unexpected error", self.name)


class Recorder:
    """Writes outcomes, video states and progress in batches from one thread."""

    def __init__(self, database: Database | None, run_id: int | None):
        self.database = database
        self.run_id = run_id
        # Producers append under a lock and the writer swaps the whole list out: one lock
        # round-trip per item instead of a queue.get() per item, which under a busy GIL made
        # the writer the bottleneck of large passes.
        self._pending: list = []
        self._wake = threading.Condition(threading.Lock())
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="pass-recorder", daemon=True)
        self._lock = threading.Lock()
        self.done = 0
        self.success_count = 0
        self.failed_count = 0

    def start(self) -> None:
        """Start the writer thread."""
        if self.database is not None:
            self._thread.start()

    def _put(self, item: tuple) -> None:
        with self._wake:
            self._pending.append(item)
            if len(self._pending) >= RECORD_BATCH:
                self._wake.notify()

    def add_outcome(self, outcome: Outcome) -> None:
        """Count an outcome now; write it with the next batch."""
        with self._lock:
            self.done += 1
            if outcome.ok:
                self.success_count += 1
            else:
                self.failed_count += 1
        if self.database is not None:
            self._put(("outcome", outcome))

    def add_video(self, platform: str, video_id: str, result: vsf.FetchResult) -> None:
        """Queue the new state of a video after a fetch."""
        if self.database is not None:
            self._put(("video", (platform, video_id, result)))

    def counts(self) -> dict:
        """Progress so far."""
        with self._lock:
            return {"done": self.done, "success_count": self.success_count, "failed_count": self.failed_count}

    def close(self, timeout: float = 60.0) -> None:
        """Flush everything queued and stop the writer."""
        if self.database is not None and self._thread.is_alive():
            with self._wake:
                self._closing = True
                self._wake.notify()
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._pending and not self._closing:
                    self._wake.wait(timeout=0.5)
                items, self._pending = self._pending, []
                closing = self._closing and not items
            if closing:
                return
            for start in range(0, len(items), RECORD_BATCH * 4):
                self._write_with_retry(items[start:start + RECORD_BATCH * 4])

    def _write_with_retry(self, items: list) -> None:
        delay = 0.5
        # Keep the batch until the database takes it: a restart must not lose outcomes.
        deadline = time.monotonic() + 300
        while items:
            try:
                self._write(items)
                return
            except StorageError as exc:
                logger.warning("recorder: write failed, retrying: %s", exc, extra={"action": "record_retry"})
                if time.monotonic() > deadline:
                    logger.error("recorder: giving up on %d items", len(items))
                    return
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _write(self, items: list) -> None:
        videos, deliveries, logs, errors = [], [], [], []
        for kind, value in items:
            if kind == "video":
                platform, video_id, result = value
                videos.append(
                    (platform, video_id, result.views, result.likes, result.status, result.reason or None,
                     result.status == vsf.OK)
                )
            elif kind == "outcome":
                deliveries_row, log_row, error_row = self._rows(value)
                if deliveries_row:
                    deliveries.append(deliveries_row)
                logs.append(log_row)
                if error_row:
                    errors.append(error_row)
        # One transaction, so a batch retried after a database error is never written twice.
        self.database.execute_values_together([
            (db.UPSERT_VIDEOS, _dedupe_videos(videos), db.UPSERT_VIDEOS_TEMPLATE),
            (db.RECORD_TASK_DELIVERIES, deliveries, db.RECORD_TASK_DELIVERIES_TEMPLATE),
            (db.INSERT_WEBHOOK_LOGS, logs, db.INSERT_WEBHOOK_LOGS_TEMPLATE),
            (db.INSERT_ERROR_LOGS, errors, db.INSERT_ERROR_LOGS_TEMPLATE),
        ])

    def _rows(self, outcome: Outcome):
        task = outcome.task
        delivery = outcome.delivery
        payload = json.dumps(outcome.payload, ensure_ascii=False) if outcome.payload is not None else None
        error = outcome.reason if delivery is None else delivery.error
        log_row = (
            self.run_id,
            outcome.webhook_id,
            task["task_id"],
            task.get("title"),
            task.get("project_id"),
            task.get("callback_url"),
            "success" if outcome.ok else "failed",
            delivery.http_status if delivery else None,
            delivery.attempts if delivery else 0,
            delivery.latency_ms if delivery else None,
            error,
            payload,
        )
        # Bookkeeping in drama_tasks follows webhooks that were actually attempted.
        delivery_row = (task["task_id"], outcome.ok) if delivery is not None else None
        error_row = None
        if outcome.fetch_error:
            error_type, message = outcome.fetch_error
            error_row = (
                self.run_id,
                task["task_id"],
                task.get("title"),
                task.get("project_id"),
                task.get("video_url"),
                task.get("platform"),
                error_type,
                message,
                task.get("callback_url"),
            )
        return delivery_row, log_row, error_row


def _dedupe_videos(rows: list[tuple]) -> list[tuple]:
    # One statement cannot upsert the same key twice; the last state wins.
    latest = {(row[0], row[1]): row for row in rows}
    return list(latest.values())


class BroadcastPass:
    """Everything one pass needs; `execute()` runs it and returns the result counts."""

    def __init__(
        self,
        config: Config,
        database: Database | None,
        *,
        run_id: int | None,
        fetcher: vsf.VideoStatsFetcher,
        sender: WebhookSender,
        stop_event: threading.Event,
        dry_run: bool = False,
        on_payload: Callable[[dict], None] | None = None,
        now: dt.datetime | None = None,
    ):
        self.config = config
        self.database = database
        self.run_id = run_id
        self.fetcher = fetcher
        self.sender = sender
        self.stop_event = stop_event
        self.dry_run = dry_run
        self.on_payload = on_payload
        self.now = now or utcnow()
        self.recorder = Recorder(None if dry_run else database, run_id)
        self.total = 0
        self.api_calls = 0
        self.quota_exhausted = False
        self._fallback_pages_used = 0
        self._lock = threading.Lock()
        self._outstanding = 0  # tasks dispatched and not yet finished (the window)
        self._resume_at: int | None = None  # set while the dispatcher waits for the window
        self._idle = threading.Condition()
        self._pacers: dict[str, Pacer] = {}
        self._fetch_pools: dict[str, WorkerPool] = {}
        # One pool of WEBHOOK_CONCURRENCY threads for every callback host: no host can have
        # more requests in flight than that, so no per-host semaphore is needed on top.
        self._deliver_pool = WorkerPool(config.webhook_concurrency, "deliver")
        self._batches: dict[tuple[str, str | None], list[PendingEntry]] = {}
        self._batch_seq = 0
        self._youtube_batch: list[VideoJob] = []

    # -- plumbing --------------------------------------------------------------------------

    def _fetch_pool(self, key: str) -> WorkerPool:
        with self._lock:
            if key not in self._fetch_pools:
                self._fetch_pools[key] = WorkerPool(self.config.fetch_concurrency, f"fetch-{key}")
            return self._fetch_pools[key]

    def _pacer(self, platform: str) -> Pacer:
        with self._lock:
            if platform not in self._pacers:
                per_minute = getattr(self.config, f"{platform}_pages_per_minute")
                if platform == vsf.YOUTUBE and self.budget.youtube_mode == "api" and not self.quota_exhausted:
                    per_minute = 0  # the API is budgeted in units, not paced
                self._pacers[platform] = Pacer(per_minute)
            return self._pacers[platform]

    def _begin(self, count: int) -> bool:
        """Reserve window room for `count` tasks; False when stopping.

        A full window has to drain by WINDOW_REFILL tasks before the dispatcher goes on, so
        it wakes once per refill instead of once per finished task (each wake-up is a thread
        switch the busy workers pay for). A video with more tasks than the window still goes
        through once nothing else is outstanding.
        """
        with self._idle:
            if self._outstanding and self._outstanding + count > TASK_WINDOW:
                self._resume_at = max(0, TASK_WINDOW - WINDOW_REFILL - count)
                try:
                    while self._outstanding > self._resume_at:
                        if self.stop_event.is_set():
                            return False
                        self._idle.wait(timeout=0.25)
                finally:
                    self._resume_at = None
            self._outstanding += count
        return True

    def _finish(self, outcome: Outcome) -> None:
        self.recorder.add_outcome(outcome)
        with self._idle:
            self._outstanding -= 1
            if self._outstanding == 0 or self._outstanding == self._resume_at:
                self._idle.notify_all()

    # -- the pass --------------------------------------------------------------------------

    def execute(self) -> dict:
        """Run the pass to the end or until stopped; return its counts."""
        self.recorder.start()
        try:
            if self.database is not None and not self.dry_run:
                sync_task_videos(self.database, self.fetcher, self.stop_event)
            self.budget = plan_budget(self.config, self.database, self.now)
            for job in self._jobs():
                if self.stop_event.is_set():
                    break
                if not self._begin(len(job.tasks)):
                    break
                self._dispatch(job)
            if not self.stop_event.is_set():
                self._flush_youtube_batch()
            self._wait_idle()
        finally:
            self._shutdown_pools()
            self.recorder.close(timeout=3.0 if self.stop_event.is_set() else 120.0)
            self._record_quota()
        counts = self.recorder.counts()
        return {"total": self.total, **counts}

    def _wait_idle(self) -> None:
        """Wait until every dispatched task is recorded, flushing partial batches once only
        they are left (tasks join batches after their fetch, so earlier would be too soon)."""
        while True:
            with self._idle:
                if self._outstanding == 0:
                    return
                if self.stop_event.is_set():
                    self._idle.wait_for(lambda: self._outstanding == 0, timeout=STOP_GRACE_SECONDS)
                    return
                outstanding = self._outstanding
            with self._lock:
                held = sum(len(batch) for batch in self._batches.values())
            if held and held == outstanding:
                self._flush_all_batches()
            with self._idle:
                self._idle.wait(timeout=0.05)

    def _shutdown_pools(self) -> None:
        stopping = self.stop_event.is_set()
        for pool in list(self._fetch_pools.values()) + [self._deliver_pool]:
            pool.shutdown(wait=not stopping)

    def _record_quota(self) -> None:
        if self.database is None or self.dry_run or not (self.api_calls or self.quota_exhausted):
            return
        try:
            self.database.execute(
                db.ADD_QUOTA_UNITS,
                {"day": self.budget.quota_day, "units": self.api_calls, "exhausted": self.quota_exhausted},
            )
        except StorageError as exc:
            logger.warning("could not record YouTube quota use: %s", exc)

    def _rows(self) -> Iterator[dict]:
        params = {
            "youtube_budget": self.budget.refresh_limits[vsf.YOUTUBE],
            "tiktok_budget": self.budget.refresh_limits[vsf.TIKTOK],
            "douyin_budget": self.budget.refresh_limits[vsf.DOUYIN],
        }
        for row in self.database.stream(db.SELECT_PASS_TASKS, params):
            self.total += 1
            if row["platform"] is None and row["video_error"] is None and self.dry_run:
                ref, error, _ = map_video_url(self.fetcher, row["video_url"])
                row.update(
                    platform=ref.platform if ref else None,
                    video_id=ref.video_id if ref else None,
                    handle=ref.handle if ref else None,
                    video_error=error,
                    refresh=ref is not None,
                )
            yield row

    def _jobs(self) -> Iterator[VideoJob]:
        """Group consecutive rows of the same video into one job."""
        job: VideoJob | None = None
        for row in self._rows():
            key = (row["platform"], row["video_id"])
            if job is not None and job.video_id is not None and (job.platform, job.video_id) == key:
                job.tasks.append(row)
                continue
            if job is not None:
                yield job
            stored = {
                "view_count": row["view_count"],
                "like_count": row["like_count"],
                "fetch_status": row["fetch_status"],
                "reason": row["fetch_reason"],
                "fetched_at": row["fetched_at"],
            }
            job = VideoJob(row["platform"], row["video_id"], row["handle"], bool(row["refresh"]), stored, [row])
        if job is not None:
            yield job

    def _dispatch(self, job: VideoJob) -> None:
        if job.video_id is None:
            reason = job.tasks[0]["video_error"] or "视频链接尚未解析，下轮重试"
            for task in job.tasks:
                self._finish(Outcome(task, False, fetch_error=("invalid_url", reason), reason=reason))
            return
        if not job.refresh:
            self._deliver_job(job, None)
            return
        if job.platform == vsf.YOUTUBE and self.budget.youtube_mode == "api" and not self.quota_exhausted:
            self._youtube_batch.append(job)
            if len(self._youtube_batch) >= YOUTUBE_IDS_PER_CALL:
                self._flush_youtube_batch()
            return
        self._fetch_pool(job.platform).submit(self._fetch_and_deliver, job)

    def _flush_youtube_batch(self) -> None:
        batch, self._youtube_batch = self._youtube_batch, []
        if batch:
            self._fetch_pool("youtube-api").submit(self._fetch_youtube_api, batch)

    def _fetch_youtube_api(self, jobs: list[VideoJob]) -> None:
        results: dict[str, vsf.FetchResult] = {}
        if not self.quota_exhausted and not self.stop_event.is_set():
            try:
                with self._lock:
                    self.api_calls += 1
                results = self.fetcher.fetch_youtube_api([job.video_id for job in jobs])
            except vsf.QuotaExceeded:
                logger.warning("YouTube API quota exceeded; using watch pages until Pacific midnight")
                self.quota_exhausted = True
            except vsf.FetchError as exc:
                results = {job.video_id: vsf.FetchResult(vsf.ERROR, reason=f"YouTube API 调用失败：{exc}") for job in jobs}
            except Exception as exc:  # one bad batch must not lose its tasks
                logger.exception("YouTube API batch failed")
                results = {job.video_id: vsf.FetchResult(vsf.ERROR, reason=f"内部错误：{type(exc).__name__}") for job in jobs}
        for job in jobs:
            if job.video_id in results:
                self._after_fetch(job, results[job.video_id])
            elif self._take_fallback_page():
                self._fetch_pool(vsf.YOUTUBE).submit(self._fetch_and_deliver, job)
            else:
                self._after_fetch(job, None, skipped="YouTube API 配额已用完，本轮未刷新")

    def _take_fallback_page(self) -> bool:
        with self._lock:
            limit = self.budget.youtube_fallback_pages
            if limit is not None and self._fallback_pages_used >= limit:
                return False
            self._fallback_pages_used += 1
            return True

    def _fetch_and_deliver(self, job: VideoJob) -> None:
        try:
            if not self._pacer(job.platform).wait_turn(self.stop_event):
                self._after_fetch(job, None, skipped="服务已停止")
                return
            result = self._fetch_one(job)
        except Exception as exc:  # a parser bug must fail this video only
            logger.exception("fetch of %s %s failed", job.platform, job.video_id)
            result = vsf.FetchResult(vsf.ERROR, reason=f"内部错误：{type(exc).__name__}")
        self._after_fetch(job, result)

    def _fetch_one(self, job: VideoJob) -> vsf.FetchResult:
        if job.platform == vsf.YOUTUBE:
            return self.fetcher.fetch_youtube_page(job.video_id)
        if job.platform == vsf.TIKTOK:
            return self.fetcher.fetch_tiktok_page(job.video_id, job.handle)
        if self.config.tikhub_api_key:
            return self.fetcher.fetch_douyin_tikhub(job.video_id)
        return self.fetcher.fetch_douyin_page(job.video_id)

    def _after_fetch(self, job: VideoJob, result: vsf.FetchResult | None, skipped: str | None = None) -> None:
        if result is not None:
            self.recorder.add_video(job.platform, job.video_id, result)
        self._deliver_job(job, result, skipped)

    def _deliver_job(self, job: VideoJob, result: vsf.FetchResult | None, skipped: str | None = None) -> None:
        """Decide the counts for a video's tasks (fresh or last known) and send them."""
        stored = job.stored
        fetch_error = None
        if result is not None and result.status != vsf.OK:
            fetch_error = (result.status, result.reason)
        if result is not None and result.status == vsf.OK:
            views, likes = result.views, result.likes
        elif result is not None and result.status == vsf.UNAVAILABLE:
            self._fail_tasks(job, f"视频不可用：{result.reason}", fetch_error)
            return
        elif stored["fetched_at"] is not None and stored["fetch_status"] != vsf.UNAVAILABLE:
            views, likes = stored["view_count"], stored["like_count"]
        else:
            if fetch_error:
                reason = f"读取视频数据失败：{result.reason}"
            elif stored["fetch_status"] == vsf.UNAVAILABLE:
                reason = f"视频不可用：{stored['reason'] or ''}".rstrip("：")
            else:
                reason = skipped or "尚未读取到该视频的数据（本轮额度已用完，下轮优先读取）"
            self._fail_tasks(job, reason, fetch_error)
            return
        for task in job.tasks:
            entry = build_stats_entry(task, job.platform, views, likes)
            self._queue_delivery(task, entry, fetch_error)

    def _fail_tasks(self, job: VideoJob, reason: str, fetch_error) -> None:
        for task in job.tasks:
            self._finish(Outcome(task, False, fetch_error=fetch_error, reason=reason))

    def _queue_delivery(self, task: dict, entry: dict, fetch_error) -> None:
        secret = task.get("callback_secret") or self.config.x2c_webhook_secret
        if self.config.webhook_batch_size <= 1:
            self._submit_delivery([(task, entry, fetch_error)], secret)
            return
        key = (task["callback_url"], secret)
        with self._lock:
            batch = self._batches.setdefault(key, [])
            batch.append((task, entry, fetch_error))
            if len(batch) < self.config.webhook_batch_size:
                return
            del self._batches[key]
        self._submit_delivery(batch, secret)

    def _flush_all_batches(self) -> None:
        with self._lock:
            batches, self._batches = self._batches, {}
        for (_, secret), batch in batches.items():
            self._submit_delivery(batch, secret)

    def _submit_delivery(self, batch: list[PendingEntry], secret: str | None) -> None:
        with self._lock:
            self._batch_seq += 1
            seq = self._batch_seq
        self._deliver_pool.submit(self._deliver_batch, batch, secret, seq)

    def _deliver_batch(self, batch: list[PendingEntry], secret: str | None, seq: int) -> None:
        first = batch[0][0]
        body = build_body(self.config.site_name, [entry for _, entry, _ in batch])
        if len(batch) == 1:
            webhook_id = f"run{self.run_id or 0}-task{first['task_id']}"
        else:
            webhook_id = f"run{self.run_id or 0}-batch{seq}"
        try:
            if self.dry_run:
                if self.on_payload:
                    self.on_payload(body)
                delivery = None
            else:
                delivery = broadcast_task_stats(self.sender, first["callback_url"], body, secret, webhook_id)
        except Exception as exc:  # never lose the batch's tasks
            logger.exception("delivery of %s failed", webhook_id)
            delivery = Delivery(False, None, 0, 0, f"内部错误：{type(exc).__name__}")
        for task, entry, fetch_error in batch:
            ok = delivery.ok if delivery is not None else True  # a dry run counts built payloads
            payload = build_body(self.config.site_name, [entry])
            self._finish(Outcome(task, ok, delivery, payload, webhook_id, fetch_error))


def broadcast_task_stats(
    sender: WebhookSender,
    callback_url: str,
    body: dict,
    secret: str | None,
    webhook_id: str,
) -> Delivery:
    """Send one stats body (one task, or a batch sharing URL and secret) to its callback URL."""
    return sender.deliver(callback_url, serialize_body(body), secret=secret, webhook_id=webhook_id)



# --------------------------------------------------------------------------------------------
# Runs: claim, heartbeat, finish


_ACTIVE_PASSES: set[threading.Event] = set()
_ACTIVE_LOCK = threading.Lock()


def interrupt_active_passes() -> None:
    """Ask every pass running in this process to stop (used at shutdown)."""
    with _ACTIVE_LOCK:
        for event in _ACTIVE_PASSES:
            event.set()


def make_fetcher(config: Config) -> vsf.VideoStatsFetcher:
    """A fetcher wired to the configured platform base URLs and keys."""
    return vsf.VideoStatsFetcher(
        youtube_api_url=config.youtube_api_url,
        youtube_web_url=config.youtube_web_url,
        tiktok_web_url=config.tiktok_web_url,
        douyin_web_url=config.douyin_web_url,
        tikhub_api_url=config.tikhub_api_url,
        youtube_api_key=config.youtube_api_key,
        tikhub_api_key=config.tikhub_api_key,
    )


def make_sender(config: Config, stop_event: threading.Event) -> WebhookSender:
    """A webhook sender with this pass's stop event and fresh circuit breakers."""
    return WebhookSender(
        timeout=config.webhook_timeout_seconds,
        max_attempts=config.webhook_max_attempts,
        allow_private=config.webhook_allow_private_networks,
        pool_maxsize=8,
        stop_event=stop_event,
        breakers=CircuitBreakers(),
    )


def claim_run(database: Database, trigger: str) -> int | None:
    """Insert a running pass for `trigger`; None when another (live) pass is running."""
    # A pass whose process died must not block this one, even where no supervisor runs.
    database.fetch_all(db.MARK_ABANDONED_RUNS, {"stale_seconds": STALE_RUN_SECONDS})
    row = database.fetch_one(db.CLAIM_RUN, {"trigger": trigger, "runner": runner_id()})
    return row["id"] if row else None


def claim_scheduled_run(database: Database, interval: int) -> int | None:
    """Claim the due scheduled slot, if the switch is on, it is due and no pass runs."""
    row = database.fetch_one(db.CLAIM_SCHEDULED_RUN, {"runner": runner_id(), "interval": interval})
    return row["id"] if row else None


class Heartbeat:
    """Reports a pass's progress every second and turns a requested cancel into a stop."""

    def __init__(self, database: Database, run_id: int, stop_event: threading.Event, progress: Callable[[], dict]):
        self.database = database
        self.run_id = run_id
        self.stop_event = stop_event
        self.progress = progress
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._done.wait(HEARTBEAT_SECONDS):
            try:
                row = self.database.fetch_one(db.HEARTBEAT_RUN, {"run_id": self.run_id, **self.progress()})
            except StorageError as exc:
                logger.warning("heartbeat of run %s failed: %s", self.run_id, exc)
                continue
            if row is None or row["cancel_requested"]:
                # Stopped by an operator, or the run was taken from us (marked abandoned).
                self.stop_event.set()


def _finish_run(database: Database, run_id: int, status: str, counts: dict, error: str | None, deadline: float) -> None:
    # As DESIGN §4.6 counts them: every selected task not delivered has failed, including the
    # ones an interrupted pass never reached.
    failed = counts["total"] - counts["success_count"]
    params = {"run_id": run_id, "status": status, "error": error, **counts, "failed_count": failed}
    delay = 0.5
    while True:
        try:
            database.execute(db.FINISH_RUN, params)
            return
        except StorageError as exc:
            if time.monotonic() + delay > deadline:
                logger.error("could not record the end of run %s: %s", run_id, exc)
                return
            logger.warning("recording the end of run %s failed, retrying: %s", run_id, exc)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas for this process (no-op elsewhere).

    With hundreds of threads each reading 40–400 KB pages, glibc grows one arena per thread and
    RSS creeps up with the task count; two arenas keep it flat at no measurable CPU cost.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def run_claimed_pass(
    config: Config,
    database: Database,
    run_id: int,
    *,
    stop_event: threading.Event | None = None,
    fetcher: vsf.VideoStatsFetcher | None = None,
) -> dict:
    """Execute a pass whose run row this process has claimed, and record how it ended."""
    limit_malloc_arenas()
    stop_event = stop_event or threading.Event()
    with _ACTIVE_LOCK:
        _ACTIVE_PASSES.add(stop_event)
    sender = make_sender(config, stop_event)
    the_pass = BroadcastPass(
        config, database, run_id=run_id, fetcher=fetcher or make_fetcher(config), sender=sender, stop_event=stop_event
    )
    status, error, counts = "succeeded", None, {"total": 0, "done": 0, "success_count": 0, "failed_count": 0}
    try:
        try:
            initial_total = database.fetch_one(db.COUNT_ACTIVE_TASKS)["total"]
        except StorageError:
            initial_total = 0

        def progress() -> dict:
            return {"total": max(the_pass.total, initial_total), **the_pass.recorder.counts()}

        with Heartbeat(database, run_id, stop_event, progress):
            counts = the_pass.execute()
        if stop_event.is_set():
            status, error = "interrupted", "回传被停止（服务停止或进程退出）"
    except Exception as exc:
        logger.exception("pass %s failed", run_id)
        status, error = "failed", f"{type(exc).__name__}: {exc}"[:500]
        counts = {"total": the_pass.total, **the_pass.recorder.counts()}
    finally:
        sender.close()
        with _ACTIVE_LOCK:
            _ACTIVE_PASSES.discard(stop_event)
    # At shutdown the process must exit promptly; otherwise wait for a restarting database.
    deadline = time.monotonic() + (3.0 if stop_event.is_set() else 300.0)
    _finish_run(database, run_id, status, counts, error, deadline)
    result = make_result(status, run_id, counts["total"], counts["success_count"], error)
    logger.info(
        "pass %s %s: %s tasks, %s delivered, %s failed",
        run_id, status, result["total"], result["success_count"], result["failed_count"],
        extra={"action": "pass_finished"},
    )
    return result


def broadcast_all_tasks(
    config: Config | None = None,
    database: Database | None = None,
    *,
    trigger: str = "schedule",
    run_id: int | None = None,
    stop_event: threading.Event | None = None,
    fetcher: vsf.VideoStatsFetcher | None = None,
) -> dict:
    """Run one pass over every active task; the result dict of DESIGN.md §4.6."""
    config = config or load_config()
    try:
        database = database or Database(db.resolve_database_url(config))
        if run_id is None:
            run_id = claim_run(database, trigger)
            if run_id is None:
                return make_result("failed", None, 0, 0, "已有一次回传正在进行中")
    except StorageError as exc:
        return make_result("failed", None, 0, 0, str(exc))
    return run_claimed_pass(config, database, run_id, stop_event=stop_event, fetcher=fetcher)


def make_result(status: str, run_id: int | None, total: int, success_count: int, error: str | None = None,
                finished_at: dt.datetime | None = None) -> dict:
    """The result dict of DESIGN.md §4.6; `success` is false only when the pass could not run."""
    result = {
        "success": status != "failed",
        "run_id": run_id,
        "total": total,
        "success_count": success_count,
        "failed_count": total - success_count,
        "timestamp": isoformat(finished_at or utcnow()),
    }
    if status == "failed":
        result["error"] = error
    elif status == "interrupted":
        result["interrupted"] = True
    return result


def result_from_run(row: dict) -> dict:
    """The result dict for a finished run row."""
    return make_result(row["status"], row["id"], row["total"], row["success_count"], row.get("error"),
                       row["finished_at"])


def run_pass_in_subprocess(
    config: Config, database: Database, run_id: int, *, stop_event: threading.Event | None = None
) -> dict:
    """Run a claimed pass in a child process and wait for it; `stop_event` terminates it.

    A pass runs a few hundred I/O threads; in its own process they never compete for the GIL
    with a gunicorn worker's request threads (the status API stays fast during a pass), and the
    memory a large pass touches goes back to the system when the child exits.
    """
    stop_event = stop_event or threading.Event()
    settings = dataclasses.asdict(config.replace(database_url=database.url))
    # Few malloc arenas keep a many-threaded pass's RSS flat as the task count grows.
    env = {**os.environ, "MALLOC_ARENA_MAX": "2", "PYTHONUNBUFFERED": "1"}
    with _ACTIVE_LOCK:
        _ACTIVE_PASSES.add(stop_event)
    try:
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--run-pass", str(run_id)],
            stdin=subprocess.PIPE, env=env, cwd=str(Path(__file__).resolve().parent),
        )
        # Settings, secrets included, go through a pipe: never on the command line or in env.
        process.stdin.write(json.dumps(settings).encode("utf-8"))
        process.stdin.close()
        while process.poll() is None:
            if stop_event.wait(0.2):
                process.terminate()  # the child records the run as interrupted
                try:
                    process.wait(STOP_GRACE_SECONDS + 5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE_PASSES.discard(stop_event)
    row = database.fetch_one(db.FETCH_RUN, {"run_id": run_id})
    if row["status"] == "running":
        error = f"执行回传的子进程异常退出（退出码 {process.returncode}）"
        counts = {key: row[key] for key in ("total", "done", "success_count", "failed_count")}
        _finish_run(database, run_id, "failed", counts, error, time.monotonic() + 10)
        row = database.fetch_one(db.FETCH_RUN, {"run_id": run_id})
    return result_from_run(row)


def _run_pass_child(run_id: int) -> int:
    """`--run-pass RUN_ID` (internal): run a pass claimed by the parent; settings on stdin."""
    config = Config(**json.loads(sys.stdin.read()))
    configure_logging(config)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    database = Database(config.database_url)
    run_claimed_pass(config, database, run_id, stop_event=stop)
    return 0


def dry_run_pass(config: Config, database: Database, on_payload: Callable[[dict], None]) -> dict:
    """Fetch and build every payload without sending or writing anything."""
    stop_event = threading.Event()
    the_pass = BroadcastPass(
        config, database, run_id=None, fetcher=make_fetcher(config), sender=make_sender(config, stop_event),
        stop_event=stop_event, dry_run=True, on_payload=on_payload,
    )
    counts = the_pass.execute()
    return make_result("succeeded", None, counts["total"], counts["success_count"])


def format_report(result: dict) -> str:
    """The seed's report lines."""
    lines = []
    if not result.get("success"):
        lines.append(f"回传未能执行: {result.get('error')}")
    lines += [
        f"总任务数: {result['total']}",
        f"成功: {result['success_count']}",
        f"失败: {result['failed_count']}",
        f"时间: {result['timestamp']}",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The switch and the loop


def switch_on(database: Database) -> bool:
    """Turn the service on; False when it already was."""
    return database.execute(db.SWITCH_ON) == 1


def switch_off(database: Database) -> bool:
    """Turn the service off and interrupt any pass in progress (manual ones too).

    False when there was nothing to stop: the switch was off and no pass was running.
    """
    with database.connection() as conn, db.wrap_errors("数据库写入失败"):
        with conn.cursor() as cur:
            cur.execute(db.SWITCH_OFF)
            switched = cur.rowcount == 1
            cur.execute(db.REQUEST_CANCEL)
            interrupted = cur.rowcount > 0
    return switched or interrupted


def prune_old_rows(database: Database, days: int, *, batch: int = 1000, pause: float = 0.05) -> int:
    """Delete log and run rows older than `days`, a small batch per statement."""
    removed = 0
    for statement in db.PRUNE_STATEMENTS:
        while True:
            count = database.execute(statement, {"days": days, "batch": batch})
            removed += count
            if count < batch:
                break
            time.sleep(pause)  # let other writers in between batches
    return removed


class Broadcaster:
    """The per-process supervisor: a daemon thread that claims due slots and runs them.

    Every process (each gunicorn worker, the shell command) runs one. They never coordinate
    directly: the database decides which process runs a slot.
    """

    PRUNE_EVERY_SECONDS = 600

    def __init__(self, config: Config, database: Database, *, poll_seconds: float = SUPERVISOR_POLL_SECONDS,
                 fetcher: vsf.VideoStatsFetcher | None = None):
        """Passes run in a child process, unless a `fetcher` is injected (tests): then in this one."""
        self.config = config
        self.database = database
        self.poll_seconds = poll_seconds
        self.fetcher = fetcher
        self._stop = threading.Event()
        self._pass_stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._last_prune = 0.0
        self._schema_ready = False

    @property
    def is_alive(self) -> bool:
        """True while the supervisor thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the supervisor thread (idempotent)."""
        if self.is_alive:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="stats-broadcaster", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and interrupt its pass; idempotent."""
        self._stop.set()
        if self._pass_stop is not None:
            self._pass_stop.set()
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
                               extra={"action": "tick_failed"})

    def run_once(self) -> dict | None:
        """One supervisor tick: clean up dead runs, then run the due slot if this process wins it."""
        if not self._schema_ready:
            db.apply_schema(self.database)  # the app may have started while the database was down
            self._schema_ready = True
        abandoned = self.database.fetch_all(db.MARK_ABANDONED_RUNS, {"stale_seconds": STALE_RUN_SECONDS})
        for row in abandoned:
            logger.warning("run %s abandoned: its process stopped heartbeating", row["id"])
        if time.monotonic() - self._last_prune > self.PRUNE_EVERY_SECONDS:
            self._last_prune = time.monotonic()
            prune_old_rows(self.database, self.config.log_retention_days)
        run_id = claim_scheduled_run(self.database, self.config.broadcast_interval_seconds)
        if run_id is None:
            return None
        self._pass_stop = threading.Event()
        if self._stop.is_set():
            self._pass_stop.set()
        try:
            if self.fetcher is not None:
                return run_claimed_pass(
                    self.config, self.database, run_id, stop_event=self._pass_stop, fetcher=self.fetcher
                )
            return run_pass_in_subprocess(self.config, self.database, run_id, stop_event=self._pass_stop)
        finally:
            self._pass_stop = None


# --------------------------------------------------------------------------------------------
# Command line


class SecretScrubber(logging.Filter):
    """Replaces every configured secret in log records with ***."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        self.secrets = [secret for secret in secrets if secret and len(secret) >= 4]

    def scrub(self, text: str) -> str:
        """`text` with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg, record.args = self.scrub(record.getMessage()), None
            if record.exc_info and not record.exc_text:
                # Tracebacks can quote URLs with keys in them: format and scrub them here too.
                record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
        return True


def configure_logging(config: Config, level: int = logging.INFO) -> None:
    """Log to stderr, secrets scrubbed (entry points only; libraries just log)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretScrubber(config.secrets()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("urllib3").setLevel(logging.WARNING)


def open_database(config: Config, *, stop_event: threading.Event | None = None) -> Database:
    """Connect (starting the embedded server if needed) and apply the schema.

    Without a stop event, one try. With one, retry with backoff until it works or stop is set.
    """
    delay = 1.0
    while True:
        try:
            database = Database(db.resolve_database_url(config))
            db.apply_schema(database)
            return database
        except StorageError as exc:
            if stop_event is None:
                raise
            print(f"数据库不可用: {exc}；{delay:.0f} 秒后重试", file=sys.stderr, flush=True)
            if stop_event.wait(delay):
                raise
            delay = min(delay * 2, 30.0)


def _run_loop(config: Config) -> int:
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        logger.info("signal %s received: stopping", signum)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        database = open_database(config, stop_event=stop)
    except StorageError:
        return 0  # stopped while waiting for the database
    switch_on(database)
    broadcaster = Broadcaster(config, database)
    broadcaster.start()
    print(f"分发数据回传服务已启动，每{interval_text(config.broadcast_interval_seconds)}自动回传一次（Ctrl+C 停止）", flush=True)
    stop.wait()
    broadcaster.stop(timeout=8.0)
    print("分发数据回传服务已停止", flush=True)
    return 0


def interval_text(seconds: int) -> str:
    """The interval as operators read it: 3分钟 for 180, 1小时 for 3600, 45秒 for 45."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600}小时"
    if seconds % 60 == 0:
        return f"{seconds // 60}分钟"
    return f"{seconds}秒"


def main(argv: list[str] | None = None) -> int:
    """`python3 stats_broadcaster.py [--once [--dry-run] | --init-db]`."""
    parser = argparse.ArgumentParser(prog="stats_broadcaster.py", description="分发数据回传服务")
    parser.add_argument("--once", action="store_true", help="run one pass now and print the report")
    parser.add_argument("--dry-run", action="store_true", help="with --once: fetch and print payloads, send nothing")
    parser.add_argument("--init-db", action="store_true", help="apply the schema and exit")
    parser.add_argument("--run-pass", type=int, metavar="RUN_ID", help=argparse.SUPPRESS)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    if args.run_pass is not None:
        return _run_pass_child(args.run_pass)
    if args.dry_run and not args.once:
        print("错误: --dry-run 只能与 --once 一起使用", file=sys.stderr)
        return 2
    if args.init_db and args.once:
        print("错误: --init-db 不能与 --once 一起使用", file=sys.stderr)
        return 2
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"配置错误: {exc}", file=sys.stderr)
        return 2
    configure_logging(config, logging.WARNING if args.once or args.init_db else logging.INFO)
    if not (args.once or args.init_db):
        return _run_loop(config)
    try:
        database = open_database(config)
    except StorageError as exc:
        print(f"数据库不可用: {exc}", file=sys.stderr)
        return 1
    if args.init_db:
        print("数据库结构已就绪")
        return 0
    if args.once and args.dry_run:
        print_lock = threading.Lock()

        def print_payload(item: dict) -> None:
            with print_lock:
                print(json.dumps(item, ensure_ascii=False), flush=True)

        result = dry_run_pass(config, database, print_payload)
        print(format_report(result), file=sys.stderr)
        return 0
    result = broadcast_all_tasks(config, database, trigger="cli")
    print(format_report(result))
    return 0 if result["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
