"""Writing a pass down: each task's outcome, each video's new state and the quota spent.

Outcomes are counted at once (the progress the heartbeat reports) and written in batches from
one writer thread, every batch in one transaction, so a batch retried after a database error
never lands twice. Rows are plain dicts for the named templates in `broadcaster.storage.queries`.
Each outcome is a delivery record (and a fetch failure record when its video could not be read)
pointing to its context: the task as sent, stored once per task rather than per record
(migration 0002). The same transaction stores a count-history point for each video whose counts
changed and adds the batch's deliveries and fetches to the counters of /metrics.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import threading
import uuid
from abc import abstractmethod
from collections.abc import Callable
from typing import Protocol

from broadcaster.core.errors import StorageError
from broadcaster.core.retry import retry_storage
from broadcaster.core.states import FetchStatus
from broadcaster.delivery.payload import BODY_FORMAT, sent_count
from broadcaster.delivery.webhooks import Delivery, callback_host
from broadcaster.engine.integrity import Verdict
from broadcaster.engine.tasks import TaskRow
from broadcaster.fetching.results import FetchResult
from broadcaster.storage import queries
from broadcaster.storage.counters import counter_rows
from broadcaster.storage.db import Database

logger = logging.getLogger(__name__)

RECORD_BATCH = 500
WRITE_CHUNK = RECORD_BATCH * 4
#: A batch is kept until the database takes it, for this long: a restart must not lose outcomes.
RETRY_WRITES_SECONDS = 300.0


@dataclasses.dataclass(frozen=True, slots=True)
class FetchFailure:
    """Why a task's video could not be read this pass (a `broadcaster_fetch_failures` row)."""

    error_type: str  # an ErrorType
    message: str


@dataclasses.dataclass(slots=True)
class Outcome:
    """One task's result in a pass."""

    task: TaskRow
    ok: bool
    delivery: Delivery | None = None  # None when no webhook was attempted
    views: int | None = None  # the counts decided for its entry (None when it has none)
    likes: int | None = None
    webhook_id: str | None = None
    fetch_failure: FetchFailure | None = None
    reason: str | None = None  # why the task failed without a webhook
    age_s: float | None = None  # how old its counts were when they went out
    fresh: bool = False  # those counts were read in this pass
    batch_lead: int | None = None  # the first task of the request, when it carried several


@dataclasses.dataclass
class RowBatch:
    """Rows to write in one transaction."""

    videos: list[dict] = dataclasses.field(default_factory=list)
    deliveries: list[dict] = dataclasses.field(default_factory=list)
    contexts: dict[str, dict] = dataclasses.field(default_factory=dict)  # by digest
    records: list[dict] = dataclasses.field(default_factory=list)
    failures: list[dict] = dataclasses.field(default_factory=list)
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
            # Before the upsert, a history point compares the new counts with the stored ones; a
            # video read for the first time gets its row (and number) first.
            (queries.ENSURE_VIDEOS, queries.VIDEO_KEY_ROW, refreshed),
            (queries.INSERT_COUNT_POINTS, queries.COUNT_POINT_ROW, refreshed),
            (queries.UPSERT_VIDEOS, queries.VIDEO_ROW, videos),
            (queries.RECORD_TASK_DELIVERIES, queries.DELIVERY_ROW, self.deliveries),
            (queries.UPSERT_DELIVERY_CONTEXTS, queries.CONTEXT_ROW, list(self.contexts.values())),
            (queries.INSERT_DELIVERY_RECORDS, queries.DELIVERY_RECORD_ROW, self.records),
            (queries.INSERT_FETCH_FAILURES, queries.FETCH_FAILURE_ROW, self.failures),
            (queries.ADD_QUOTA_UNITS, queries.QUOTA_ROW, self.quota),
            (queries.ADD_TIKHUB_REQUESTS, queries.TIKHUB_ROW, self.tikhub),
            (queries.UPSERT_EGRESS, queries.EGRESS_ROW, self.egress),
            (queries.INSERT_EGRESS_BLOCKS, queries.EGRESS_BLOCK_ROW, self.egress_blocks),
            (queries.FINISH_SHARDS, queries.SHARD_DONE_ROW, self.shards),
            # Every fetch counts, also a video fetched twice in one batch.
            (queries.ADD_COUNTERS, queries.COUNTER_ROW, counter_rows(self.records, self.videos)),
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


def delivery_row(outcome: Outcome) -> dict | None:
    """`drama_tasks` bookkeeping, only for webhooks that were actually attempted."""
    if outcome.delivery is None:
        return None
    return {"task_id": outcome.task.task_id, "ok": outcome.ok}


def context_row(outcome: Outcome, site_name: str) -> dict:
    """The task as this outcome sent it (a `broadcaster_delivery_contexts` row), with its digest."""
    task = outcome.task
    row = {
        "task_id": task.task_id, "body_format": BODY_FORMAT, "x2c_task_id": task.x2c_task_id,
        "duration": task.duration, "site_name": site_name, "platform": task.platform, "title": task.title,
        "project_id": task.project_id, "callback_url": task.callback_url,
        "callback_host": callback_host(task.callback_url), "video_url": task.video_url,
    }
    text = json.dumps(list(row.values()), ensure_ascii=False)
    row["digest"] = str(uuid.UUID(bytes=hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()))
    return row


def record_row(outcome: Outcome, run_id: int | None, digest: str) -> dict:
    """The task's delivery record for this pass: the counts in its body, and how delivering went."""
    delivery = outcome.delivery
    went_out = delivery is not None and delivery.went_out
    return {
        "digest": digest, "run_id": run_id, "views": sent_count(outcome.views), "likes": sent_count(outcome.likes),
        "task_id": outcome.task.task_id,
        "latency_ms": delivery.latency_ms if delivery else None,
        "age_s": round(outcome.age_s) if went_out and outcome.age_s is not None else None,
        "batch_lead": outcome.batch_lead,
        "http_status": delivery.http_status if delivery else None,
        "attempts": delivery.attempts if delivery else 0,
        "shard_no": outcome.task.shard_no, "delivered": outcome.ok, "attempted": delivery is not None,
        "error": outcome.reason if delivery is None else delivery.error,
    }


def failure_row(outcome: Outcome, run_id: int | None, digest: str) -> dict | None:
    """The task's fetch failure record, when its video could not be read."""
    failure = outcome.fetch_failure
    if failure is None:
        return None
    return {"digest": digest, "run_id": run_id, "task_id": outcome.task.task_id, "shard_no": outcome.task.shard_no,
            "error_type": failure.error_type, "message": failure.message}


class PassRecorder(Protocol):
    """What a pass writes down as it goes (`BroadcastPass`): `CountingRecorder` for a dry run,
    `Recorder` for a pass, `broadcaster.scaleout.worker.ShardRecorder` for a worker's shards."""

    @abstractmethod
    def start(self) -> None:
        """Get ready to take what the pass hands over."""

    @abstractmethod
    def add_outcome(self, outcome: Outcome) -> None:
        """One task finished."""

    @abstractmethod
    def add_video(self, platform: str, video_id: str, result: FetchResult, verdict: Verdict | None = None) -> None:
        """A video's new state after a fetch (and how the suspect-count rule judged it)."""

    @abstractmethod
    def add_quota(self, day: dt.date, units: int, exhausted: bool) -> None:
        """YouTube API units spent on Pacific `day`."""

    @abstractmethod
    def add_tikhub_requests(self, day: dt.date, requests: int) -> None:
        """TikHub requests made on UTC `day`."""

    @abstractmethod
    def add_egress(self, states: list[dict], blocks: list[dict]) -> None:
        """How a platform's egresses fared: their states after the pass and their blocks."""

    @abstractmethod
    def counts(self) -> dict:
        """Progress so far: tasks finished (`done`) and delivered (`success_count`)."""

    @abstractmethod
    def close(self, timeout: float = 60.0) -> None:
        """Write what is left, waiting at most `timeout` seconds."""


class CountingRecorder(PassRecorder):
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

    def __init__(self, write: Callable[[RowBatch], None], run_id: int | None, *, site_name: str):
        super().__init__()
        self.write = write
        self.run_id = run_id
        self.site_name = site_name  # part of each context: the body is built again from it
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
                delivery, context = delivery_row(item), context_row(item, self.site_name)
                if delivery:
                    batch.deliveries.append(delivery)
                batch.contexts[context["digest"]] = context
                batch.records.append(record_row(item, self.run_id, context["digest"]))
                failure = failure_row(item, self.run_id, context["digest"])
                if failure:
                    batch.failures.append(failure)
            else:
                getattr(batch, kind).append(item)  # kind names the RowBatch list
        return batch

    def _write_with_retry(self, batch: RowBatch) -> None:
        try:
            retry_storage(lambda: self.write(batch), what="recorder write", deadline_s=RETRY_WRITES_SECONDS)
        except StorageError:
            logger.error("recorder: giving up on a batch of %d outcomes", len(batch.records),
                         extra={"action": "record_given_up"})


def database_writer(database: Database) -> Callable[[RowBatch], None]:
    """A `Recorder` write function that stores each batch in one transaction."""
    return lambda batch: database.write_batches(batch.statements())
