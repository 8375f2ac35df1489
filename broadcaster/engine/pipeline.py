"""One pass: read the tasks, fetch the budgeted videos, build each task's entry, deliver, record.

Fetching and delivery run in bounded thread pools and overlap: a video's tasks are delivered
as soon as its counts are known. At most `TASK_WINDOW` tasks are in flight, so memory stays
flat as the task count grows. Everything a pass touches is passed in: the task source, the
fetcher, the sender (a printing one for dry runs) and the recorder (a counting one for dry
runs), which keeps the pass itself free of storage and of dry-run branches.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable

from broadcaster.core.clock import utcnow
from broadcaster.core.errors import FetchError, QuotaExceeded
from broadcaster.core.states import ErrorType, FetchStatus, Platform
from broadcaster.core.workers import WorkerPool
from broadcaster.delivery.payload import build_body, build_stats_entry, serialize_body
from broadcaster.delivery.webhooks import Delivery
from broadcaster.engine.budget import Budget, RefreshPlan
from broadcaster.engine.freshness import FreshnessTally
from broadcaster.engine.integrity import Verdict, judge
from broadcaster.engine.recorder import FetchFailure, Outcome, PassRecorder
from broadcaster.engine.tasks import StoredCounts, TaskRow, VideoJob, group_jobs
from broadcaster.fetching import youtube
from broadcaster.fetching.egress import PagePool
from broadcaster.fetching.results import FetchResult, no_counts
from broadcaster.fetching.sources import PAGES_SPENT, Allowance, LocalAllowance, TikHubGate, read_page
from broadcaster.fetching.urls import VideoRef

logger = logging.getLogger(__name__)

TASK_WINDOW = 4096  # tasks dispatched but not yet recorded; keeps memory flat in N
WINDOW_REFILL = 256  # a full window drains this far before the dispatcher wakes to refill it
STOP_GRACE_SECONDS = 5.0  # in-flight webhooks may finish this long after a stop
QUOTA_SPENT = "YouTube API 配额已用完，本轮未刷新"


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    """What a video's tasks get: counts to send, or the reason they fail without a webhook."""

    views: int | None = None
    likes: int | None = None
    fail_reason: str | None = None
    read_at: dt.datetime | None = None  # when the counts sent were read
    fresh: bool = False  # read in this pass
    verdict: Verdict | None = None  # how a fresh read fared against the last known counts


def judge_read(stored: StoredCounts, result: FetchResult, now: dt.datetime, *, check: bool = True) -> Verdict:
    """The suspect-count rule (broadcaster.engine.integrity) applied to an OK read of a video."""
    if not check:
        return Verdict(result.views, result.likes)
    known = stored.fetched_at is not None
    return judge(stored.view_count, stored.like_count, known, stored.suspicion, result.views, result.likes, now)


def decide_counts(stored: StoredCounts, result: FetchResult | None, skipped: str | None = None,
                  *, now: dt.datetime | None = None, check_suspect: bool = True) -> Decision:
    """Fresh counts when the fetch worked (unless they are suspect: then the last known ones),
    else the last known ones, else a reason to fail.

    `result` is None when the video was not read this pass (`skipped` may say why); `now` is
    when a fresh result was read.
    """
    if result is not None and result.status == FetchStatus.OK:
        now = now or utcnow()
        verdict = judge_read(stored, result, now, check=check_suspect)
        if verdict.held:
            return Decision(verdict.views, verdict.likes, read_at=stored.fetched_at, verdict=verdict)
        return Decision(verdict.views, verdict.likes, read_at=now, fresh=True, verdict=verdict)
    if result is not None and result.status == FetchStatus.UNAVAILABLE:
        return Decision(fail_reason=f"视频不可用：{result.reason}")
    if stored.usable:
        return Decision(stored.view_count, stored.like_count, read_at=stored.fetched_at)
    if result is not None:
        return Decision(fail_reason=f"读取视频数据失败：{result.reason}")
    if stored.fetch_status == FetchStatus.UNAVAILABLE:
        return Decision(fail_reason=f"视频不可用：{stored.reason or ''}".rstrip("："))
    return Decision(fail_reason=skipped or "尚未读取到该视频的数据（本轮额度已用完，下轮优先读取）")


def fetch_failure(result: FetchResult | None) -> FetchFailure | None:
    """The error-log entry for a fetch that did not read counts."""
    if result is None or result.status == FetchStatus.OK:
        return None
    return FetchFailure(result.status, result.reason)


@dataclasses.dataclass(frozen=True, slots=True)
class Pending:
    """A task's entry waiting for its webhook."""

    task: TaskRow
    entry: dict
    fetch_failure: FetchFailure | None
    decision: Decision  # the counts in its entry, and when they were read


class TaskWindow:
    """Counts tasks dispatched and not yet finished; the dispatcher waits while it is full.

    A full window has to drain by `refill` tasks before the dispatcher goes on, so it wakes
    once per refill instead of once per finished task (each wake-up is a thread switch the busy
    workers pay for). A video with more tasks than the window still goes through once nothing
    else is outstanding.
    """

    def __init__(self, stop_event: threading.Event):
        self.size = TASK_WINDOW
        self.refill = WINDOW_REFILL
        self.stop_event = stop_event
        self.outstanding = 0
        self._resume_at: int | None = None
        self.changed = threading.Condition()

    def reserve(self, count: int) -> bool:
        """Make room for `count` tasks; False when the pass is stopping."""
        with self.changed:
            if self.outstanding and self.outstanding + count > self.size:
                self._resume_at = max(0, self.size - self.refill - count)
                try:
                    while self.outstanding > self._resume_at:
                        if self.stop_event.is_set():
                            return False
                        self.changed.wait(timeout=0.25)
                finally:
                    self._resume_at = None
            self.outstanding += count
        return True

    def release(self) -> None:
        """One task finished."""
        with self.changed:
            self.outstanding -= 1
            if self.outstanding == 0 or self.outstanding == self._resume_at:
                self.changed.notify_all()


class DeliveryBatcher:
    """Groups entries sharing a callback URL and secret into requests of up to `size` entries."""

    def __init__(self, size: int, send: Callable[[list[Pending], str | None], None]):
        self.size = size
        self.send = send
        self._batches: dict[tuple[str, str | None], list[Pending]] = {}
        self._lock = threading.Lock()

    def add(self, pending: Pending, secret: str | None) -> None:
        """Queue one entry; send its batch when full (at once when batches are of one)."""
        if self.size <= 1:
            self.send([pending], secret)
            return
        key = (pending.task.callback_url, secret)
        with self._lock:
            batch = self._batches.setdefault(key, [])
            batch.append(pending)
            if len(batch) < self.size:
                return
            del self._batches[key]
        self.send(batch, secret)

    def held(self) -> int:
        """Entries waiting for their batch to fill."""
        with self._lock:
            return sum(len(batch) for batch in self._batches.values())

    def flush(self) -> None:
        """Send every partial batch."""
        with self._lock:
            batches, self._batches = self._batches, {}
        for (_, secret), batch in batches.items():
            self.send(batch, secret)


class BroadcastPass:
    """Everything one pass needs; `execute()` runs it and returns the result counts."""

    def __init__(self, config, *, run_id: int | None, rows, budget: Budget, refresh: RefreshPlan,
                 fetcher, egress: dict[str, PagePool], sender, recorder: PassRecorder,
                 stop_event: threading.Event, tikhub_allowance: Allowance | None = None):
        self.config = config
        self.run_id = run_id
        self.rows = rows  # iterable of (TaskRow, StoredCounts), ordered by video
        self.budget = budget
        self.refresh = refresh
        self.fetcher = fetcher  # the YouTube API and TikHub, never through an egress proxy
        self.egress = egress  # page platform -> its egresses
        self.tikhub = TikHubGate(fetcher, tikhub_allowance or LocalAllowance(budget.tikhub), stop_event)
        self.freshness = FreshnessTally()
        self.sender = sender
        self.recorder = recorder
        self.stop_event = stop_event
        self.window = TaskWindow(stop_event)
        self.total = 0
        self.api_calls = 0
        self.quota_exhausted = False
        self._lock = threading.Lock()
        self._fetch_pools: dict[str, WorkerPool] = {}
        # One pool of WEBHOOK_CONCURRENCY threads for every callback host: no host can have
        # more requests in flight than that, so no per-host semaphore is needed on top.
        self._deliver_pool = WorkerPool(config.webhook_concurrency, "deliver")
        self._batcher = DeliveryBatcher(config.webhook_batch_size, self._submit_delivery)
        self._youtube_batch: list[VideoJob] = []

    def execute(self) -> dict:
        """Run the pass to the end or until stopped; return its counts."""
        self.recorder.start()
        try:
            for job in group_jobs(self.rows, self.refresh.wants):
                self.total += len(job.tasks)
                if self.stop_event.is_set() or not self.window.reserve(len(job.tasks)):
                    break
                self._dispatch(job)
            if not self.stop_event.is_set():
                self._flush_youtube_batch()
            self._wait_idle()
        finally:
            stopping = self.stop_event.is_set()
            for pool in [*self._fetch_pools.values(), self._deliver_pool]:
                pool.shutdown(wait=not stopping)
            for egress_pool in self.egress.values():
                egress_pool.close()
            self._record_sources()
            self.recorder.close(timeout=3.0 if stopping else 120.0)
        freshness = self.freshness.summary(self.refresh.videos, self.budget.refresh_limits,
                                           self.config.broadcast_interval_seconds)
        return {"total": self.total, **self.recorder.counts(), "freshness": freshness}

    def _record_sources(self) -> None:
        """Quota and TikHub requests spent, and how each egress fared."""
        self.recorder.add_quota(self.budget.quota_day, self.api_calls, self.quota_exhausted)
        if self.tikhub.requests:
            self.recorder.add_tikhub_requests(self.budget.tikhub_day, self.tikhub.requests)
        for pool in self.egress.values():
            self.recorder.add_egress(pool.state_rows(), pool.block_rows())

    def flush_pending(self) -> None:
        """Send what waits for company (a YouTube API batch, partial webhook batches) now: the rows
        pause (a shared pass waiting for other workers), so no more company is coming soon."""
        self._flush_youtube_batch()
        self._batcher.flush()

    def _wait_idle(self) -> None:
        """Wait until every dispatched task is recorded, flushing partial batches once only
        they are left (tasks join batches after their fetch, so earlier would be too soon)."""
        window = self.window
        while True:
            with window.changed:
                if window.outstanding == 0:
                    return
                if self.stop_event.is_set():
                    window.changed.wait_for(lambda: window.outstanding == 0, timeout=STOP_GRACE_SECONDS)
                    return
                outstanding = window.outstanding
            held = self._batcher.held()
            if held and held == outstanding:
                self._batcher.flush()
            with window.changed:
                window.changed.wait(timeout=0.05)

    def _finish(self, outcome: Outcome) -> None:
        self.recorder.add_outcome(outcome)
        if outcome.age_s is not None:
            self.freshness.add(outcome.task.platform, outcome.age_s, outcome.fresh)
        self.window.release()

    # -- fetching ------------------------------------------------------------------------------

    def _fetch_pool(self, key: str) -> WorkerPool:
        with self._lock:
            if key not in self._fetch_pools:
                self._fetch_pools[key] = WorkerPool(self.config.fetch_concurrency, f"fetch-{key}")
            return self._fetch_pools[key]

    def _dispatch(self, job: VideoJob) -> None:
        if job.video_id is None:
            reason = job.tasks[0].video_error or "视频链接尚未解析，下轮重试"
            for task in job.tasks:
                self._finish(Outcome(task, False, fetch_failure=FetchFailure(ErrorType.INVALID_URL, reason),
                                     reason=reason))
        elif not job.refresh:
            self._deliver_job(job, None)
        elif job.platform == Platform.YOUTUBE and self.budget.youtube_api and not self.quota_exhausted:
            self._youtube_batch.append(job)
            if len(self._youtube_batch) >= youtube.API_MAX_IDS:
                self._flush_youtube_batch()
        else:
            self._fetch_pool(job.platform).submit(self._fetch_and_deliver, job)

    def _flush_youtube_batch(self) -> None:
        batch, self._youtube_batch = self._youtube_batch, []
        if batch:
            self._fetch_pool("youtube-api").submit(self._fetch_youtube_api, batch)

    def _fetch_youtube_api(self, jobs: list[VideoJob]) -> None:
        results: dict[str, FetchResult] = {}
        if not self.quota_exhausted and not self.stop_event.is_set():
            with self._lock:
                self.api_calls += 1
            try:
                results = self.fetcher.fetch_youtube_api([job.video_id for job in jobs])
            except QuotaExceeded:
                logger.warning("YouTube API quota exceeded; using watch pages until Pacific midnight")
                self.quota_exhausted = True
            except FetchError as exc:  # a refused key is a per-video error, like any other
                results = {job.video_id: no_counts(FetchStatus.ERROR, f"YouTube API 调用失败：{exc}") for job in jobs}
            except Exception as exc:  # one bad batch must not lose its tasks
                logger.exception("YouTube API batch failed")
                results = {job.video_id: _internal_error(exc) for job in jobs}
        for job in jobs:
            if job.video_id in results:
                self._after_fetch(job, results[job.video_id])
            else:  # the quota ran out: watch pages, as far as their budget goes
                self._fetch_pool(Platform.YOUTUBE).submit(self._fetch_and_deliver, job, QUOTA_SPENT)

    def _fetch_and_deliver(self, job: VideoJob, spent_reason: str | None = None) -> None:
        try:
            result, skipped = self._read(VideoRef(job.platform, job.video_id, handle=job.handle))
        except Exception as exc:  # a parser bug must fail this video only
            logger.exception("fetch of %s %s failed", job.platform, job.video_id)
            result, skipped = _internal_error(exc), None
        if skipped == PAGES_SPENT and spent_reason:
            skipped = spent_reason
        self._after_fetch(job, result, skipped)

    def _read(self, ref: VideoRef) -> tuple[FetchResult | None, str | None]:
        """TikHub first where it is the better source (Douyin's views); else the page over the
        platform's egresses, then TikHub when the pages are blocked or spent."""
        if ref.platform in self.budget.tikhub_first:
            return self.tikhub.read(ref)
        result, skipped = read_page(self.egress[ref.platform], ref, self.stop_event)
        page_failed = result is None or result.egress_blocked
        if ref.platform in self.budget.tikhub and page_failed and not self.stop_event.is_set():
            fallback, _ = self.tikhub.read(ref)
            if fallback is not None:
                return fallback, None
        return result, skipped

    def _after_fetch(self, job: VideoJob, result: FetchResult | None, skipped: str | None = None) -> None:
        self._deliver_job(job, result, skipped)

    # -- delivery ------------------------------------------------------------------------------

    def _deliver_job(self, job: VideoJob, result: FetchResult | None, skipped: str | None = None) -> None:
        """Send a video's tasks the counts `decide_counts` picks, or fail them with its reason.

        The video's new state is recorded here, where its last known counts are at hand, so that
        a suspect read is held back the same way in every pass and process (one job per video).
        """
        decision = decide_counts(job.stored, result, skipped, check_suspect=self.config.suspect_check)
        if result is not None:
            self.recorder.add_video(job.platform, job.video_id, result, decision.verdict)
        failure = fetch_failure(result)
        for task in job.tasks:
            if decision.fail_reason is not None:
                self._finish(Outcome(task, False, fetch_failure=failure, reason=decision.fail_reason))
                continue
            entry = build_stats_entry(task, job.platform, decision.views, decision.likes)
            pending = Pending(task, entry, failure, decision)
            self._batcher.add(pending, task.callback_secret or self.config.x2c_webhook_secret)

    def _submit_delivery(self, batch: list[Pending], secret: str | None) -> None:
        self._deliver_pool.submit(self._deliver_batch, batch, secret)

    def _deliver_batch(self, batch: list[Pending], secret: str | None) -> None:
        first = batch[0].task
        body = build_body(self.config.site_name, [pending.entry for pending in batch])
        # Unique in the run whichever process sends it, and the same when a shard is sent again.
        kind = f"task{first.task_id}" if len(batch) == 1 else f"batch{first.task_id}"
        webhook_id = f"run{self.run_id or 0}-{kind}"
        sent_at = utcnow()
        try:
            delivery = self.sender.deliver(first.callback_url, serialize_body(body), secret=secret,
                                           webhook_id=webhook_id)
        except Exception as exc:  # never lose the batch's tasks
            logger.exception("delivery of %s failed", webhook_id)
            delivery = Delivery(False, None, 0, 0, f"内部错误：{type(exc).__name__}")
        for pending in batch:
            decision = pending.decision
            sent_read = delivery.went_out and decision.read_at is not None
            age = (sent_at - decision.read_at).total_seconds() if sent_read else None
            self._finish(Outcome(pending.task, delivery.ok, delivery, views=decision.views, likes=decision.likes,
                                 webhook_id=webhook_id, fetch_failure=pending.fetch_failure, age_s=age,
                                 fresh=decision.fresh, batch_lead=first.task_id if len(batch) > 1 else None))


def _internal_error(exc: Exception) -> FetchResult:
    return no_counts(FetchStatus.ERROR, f"内部错误：{type(exc).__name__}")
