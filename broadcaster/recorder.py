"""Writing a pass down: each task's outcome, each video's new state and the quota spent.

Outcomes are counted at once (the progress the heartbeat reports) and written in batches from
one writer thread, every batch in one transaction, so a batch retried after a database error
never lands twice. Rows are plain dicts for the named templates in `broadcaster.queries`.
The same transaction stores a count-history point for each video whose counts changed and
adds the batch's deliveries and fetches to the counters of /metrics.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable

from broadcaster import queries
from broadcaster.counters import counter_rows
from broadcaster.db import Database
from broadcaster.errors import StorageError
from broadcaster.integrity import Verdict
from broadcaster.platforms.results import FetchResult
from broadcaster.retry import retry_storage
from broadcaster.states import CallbackStatus, FetchStatus
from broadcaster.tasks import TaskRow
from broadcaster.webhooks import Delivery, callback_host

logger = logging.getLogger(__name__)

RECORD_BATCH = 500
WRITE_CHUNK = RECORD_BATCH * 4
#: A batch is kept until the database takes it, for this long: a restart must not lose outcomes.
RETRY_WRITES_SECONDS = 300.0


@dataclasses.dataclass(frozen=True, slots=True)
class FetchFailure:
    """Why a task's video could not be read this pass (a `broadcaster_error_logs` row)."""

    error_type: str  # an ErrorType
    message: str


@dataclasses.dataclass(slots=True)
class Outcome:
    """One task's result in a pass."""

    task: TaskRow
    ok: bool
    delivery: Delivery | None = None  # None when no webhook was attempted
    payload: dict | None = None  # the task's own entry as sent, for its log row
    webhook_id: str | None = None
    fetch_failure: FetchFailure | None = None
    reason: str | None = None  # why the task failed without a webhook
    age_s: float | None = None  # how old its counts were when they went out
    fresh: bool = False  # those counts were read in this pass


@dataclasses.dataclass
class RowBatch:
    """Rows to write in one transaction."""

    videos: list[dict] = dataclasses.field(default_factory=list)
    deliveries: list[dict] = dataclasses.field(default_factory=list)
    logs: list[dict] = dataclasses.field(default_factory=list)
    errors: list[dict] = dataclasses.field(default_factory=list)
    quota: list[dict] = dataclasses.field(default_factory=list)
    tikhub: list[dict] = dataclasses.field(default_factory=list)
    egress: list[dict] = dataclasses.field(default_factory=list)
    egress_blocks: list[dict] = dataclasses.field(default_factory=list)
    shards: list[dict] = dataclasses.field(default_factory=list)  # finished with these rows

    def statements(self) -> list[tuple[str, str, list[dict]]]:
        """(statement, row template, rows) for `Database.write_batches`."""
        # One statement cannot upsert the same video twice; the last state wins.
        videos = list({(row["platform"], row["video_id"]): row for row in self.videos}.values())
        # Only counts that go out make history: a held-back (suspect) read does not.
        refreshed = [row for row in videos if row["status"] == FetchStatus.OK and not row["held"]]
        return [
            # Before the upsert: a history point compares the new counts with the stored ones.
            (queries.INSERT_COUNT_HISTORY, queries.COUNT_HISTORY_ROW, refreshed),
            (queries.UPSERT_VIDEOS, queries.VIDEO_ROW, videos),
            (queries.RECORD_TASK_DELIVERIES, queries.DELIVERY_ROW, self.deliveries),
            (queries.INSERT_WEBHOOK_LOGS, queries.WEBHOOK_LOG_ROW, self.logs),
            (queries.INSERT_ERROR_LOGS, queries.ERROR_LOG_ROW, self.errors),
            (queries.ADD_QUOTA_UNITS, queries.QUOTA_ROW, self.quota),
            (queries.ADD_TIKHUB_REQUESTS, queries.TIKHUB_ROW, self.tikhub),
            (queries.UPSERT_EGRESS, queries.EGRESS_ROW, self.egress),
            (queries.INSERT_EGRESS_BLOCKS, queries.EGRESS_BLOCK_ROW, self.egress_blocks),
            (queries.FINISH_SHARDS, queries.SHARD_DONE_ROW, self.shards),
            # Every fetch counts, also a video fetched twice in one batch.
            (queries.ADD_COUNTERS, queries.COUNTER_ROW, counter_rows(self.logs, self.videos)),
        ]


def video_row(platform: str, video_id: str, result: FetchResult, verdict: Verdict | None = None) -> dict:
    """A video's state after a fetch (counts only overwrite stored ones when the fetch was OK and
    not held back as suspect; a held-back read stores its numbers as the suspicion)."""
    held = verdict is not None and verdict.held
    suspicion = verdict.suspicion if held else None
    views, likes = (verdict.views, verdict.likes) if held else (result.views, result.likes)
    return {"platform": platform, "video_id": video_id, "views": views, "likes": likes,
            "status": result.status, "reason": result.reason or None, "held": held,
            "suspect_views": suspicion.views if suspicion else None,
            "suspect_likes": suspicion.likes if suspicion else None}


def sent_counts(payload: dict | None) -> tuple[int | None, int | None]:
    """The views and likes in a task's body as sent (absent counts are None)."""
    if not payload or not payload.get("stats"):
        return None, None
    entry = payload["stats"][0]
    views = entry.get("yt_view_count", entry.get("tt_view_count"))
    likes = entry.get("yt_like_count", entry.get("tt_like_count"))
    return views, likes


def delivery_row(outcome: Outcome) -> dict | None:
    """`drama_tasks` bookkeeping, only for webhooks that were actually attempted."""
    if outcome.delivery is None:
        return None
    return {"task_id": outcome.task.task_id, "ok": outcome.ok}


def log_row(outcome: Outcome, run_id: int | None) -> dict:
    """The task's `webhook_logs` row for this pass."""
    task, delivery = outcome.task, outcome.delivery
    went_out = delivery is not None and delivery.went_out
    views, likes = sent_counts(outcome.payload) if went_out else (None, None)
    return {
        "run_id": run_id,
        "shard_no": outcome.task.shard_no,
        "webhook_id": outcome.webhook_id,
        "task_id": task.task_id,
        "task_title": task.title,
        "project_id": task.project_id,
        "callback_url": task.callback_url,
        "callback_status": CallbackStatus.SUCCESS if outcome.ok else CallbackStatus.FAILED,
        "http_status": delivery.http_status if delivery else None,
        "attempts": delivery.attempts if delivery else 0,
        "latency_ms": delivery.latency_ms if delivery else None,
        "error": outcome.reason if delivery is None else delivery.error,
        "payload": json.dumps(outcome.payload, ensure_ascii=False) if outcome.payload is not None else None,
        "views": views,
        "likes": likes,
        "age_s": round(outcome.age_s) if went_out and outcome.age_s is not None else None,
        "callback_host": callback_host(task.callback_url) if delivery is not None else None,
    }


def error_row(outcome: Outcome, run_id: int | None) -> dict | None:
    """The task's `broadcaster_error_logs` row, when its video could not be read."""
    failure, task = outcome.fetch_failure, outcome.task
    if failure is None:
        return None
    return {
        "run_id": run_id, "shard_no": task.shard_no, "task_id": task.task_id, "task_title": task.title,
        "project_id": task.project_id,
        "video_url": task.video_url, "platform": task.platform, "error_type": failure.error_type,
        "error_message": failure.message, "callback_url": task.callback_url,
    }


class CountingRecorder:
    """Counts outcomes and writes nothing: the recorder of a dry run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.done = 0
        self.success_count = 0

    def start(self) -> None:
        """Nothing to start."""

    def add_outcome(self, outcome: Outcome) -> None:
        """Count an outcome."""
        with self._lock:
            self.done += 1
            if outcome.ok:
                self.success_count += 1

    def add_video(self, platform: str, video_id: str, result: FetchResult, verdict: Verdict | None = None) -> None:
        """A video's new state after a fetch (dropped here)."""

    def add_quota(self, day: dt.date, units: int, exhausted: bool) -> None:
        """YouTube API units spent (dropped here)."""

    def add_tikhub_requests(self, day: dt.date, requests: int) -> None:
        """TikHub requests made (dropped here)."""

    def add_egress(self, states: list[dict], blocks: list[dict]) -> None:
        """How a platform's egresses fared (dropped here)."""

    def counts(self) -> dict:
        """Progress so far: tasks finished and delivered."""
        with self._lock:
            return {"done": self.done, "success_count": self.success_count}

    def close(self, timeout: float = 60.0) -> None:
        """Nothing to flush."""


class Recorder(CountingRecorder):
    """Counts outcomes and writes them, video states and quota use in batches from one thread."""

    def __init__(self, write: Callable[[RowBatch], None], run_id: int | None):
        super().__init__()
        self.write = write
        self.run_id = run_id
        # Producers append under a lock and the writer swaps the whole list out: one lock
        # round-trip per item instead of a queue.get() per item, which under a busy GIL made
        # the writer the bottleneck of large passes.
        self._pending: list[tuple[str, object]] = []
        self._wake = threading.Condition(threading.Lock())
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="pass-recorder", daemon=True)

    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def add_outcome(self, outcome: Outcome) -> None:
        """Count an outcome now; write it with the next batch."""
        super().add_outcome(outcome)
        self._put("outcome", outcome)

    def add_video(self, platform: str, video_id: str, result: FetchResult, verdict: Verdict | None = None) -> None:
        """Queue the new state of a video after a fetch (and how the suspect-count rule judged it)."""
        self._put("videos", video_row(platform, video_id, result, verdict))

    def add_quota(self, day: dt.date, units: int, exhausted: bool) -> None:
        """Queue YouTube API units spent on Pacific `day`."""
        if units or exhausted:
            self._put("quota", {"day": day, "units": units, "exhausted": exhausted})

    def add_tikhub_requests(self, day: dt.date, requests: int) -> None:
        """Queue TikHub requests made on UTC `day`."""
        self._put("tikhub", {"day": day, "requests": requests})

    def add_finished_shard(self, row: dict) -> None:
        """Queue a shard's end, to be written with (or after) its last outcomes."""
        self._put("shards", row)

    def add_egress(self, states: list[dict], blocks: list[dict]) -> None:
        """Queue each egress's state after the pass and its blocks."""
        for row in states:
            self._put("egress", row)
        for row in blocks:
            self._put("egress_blocks", row)

    def close(self, timeout: float = 60.0) -> None:
        """Flush everything queued and stop the writer."""
        if self._thread.is_alive():
            with self._wake:
                self._closing = True
                self._wake.notify()
            self._thread.join(timeout)

    def _put(self, kind: str, item: object) -> None:
        with self._wake:
            self._pending.append((kind, item))
            if len(self._pending) >= RECORD_BATCH:
                self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._pending and not self._closing:
                    self._wake.wait(timeout=0.5)
                items, self._pending = self._pending, []
                closing = self._closing and not items
            if closing:
                return
            for start in range(0, len(items), WRITE_CHUNK):
                self._write_with_retry(self._batch(items[start:start + WRITE_CHUNK]))

    def _batch(self, items: list[tuple[str, object]]) -> RowBatch:
        batch = RowBatch()
        for kind, item in items:
            if kind == "outcome":
                delivery, error = delivery_row(item), error_row(item, self.run_id)
                if delivery:
                    batch.deliveries.append(delivery)
                batch.logs.append(log_row(item, self.run_id))
                if error:
                    batch.errors.append(error)
            else:
                getattr(batch, kind).append(item)  # kind names the RowBatch list
        return batch

    def _write_with_retry(self, batch: RowBatch) -> None:
        try:
            retry_storage(lambda: self.write(batch), what="recorder write", deadline_s=RETRY_WRITES_SECONDS)
        except StorageError:
            logger.error("recorder: giving up on a batch of %d outcomes", len(batch.logs),
                         extra={"action": "record_given_up"})


def database_writer(database: Database) -> Callable[[RowBatch], None]:
    """A `Recorder` write function that stores each batch in one transaction."""
    return lambda batch: database.write_batches(batch.statements())
