"""In-memory stand-ins for what a pass talks to, for tests without PostgreSQL or HTTP.

``FakeFetcher`` answers from a dict of results and counts its calls, ``RecordingSender``
keeps every webhook it was asked to send, and ``task`` / ``stored`` build the typed rows a
pass reads. With `broadcaster.engine.recorder.Recorder` writing to a list, a whole pass runs in
memory in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter

from broadcaster.core.errors import ApiConfigError, QuotaExceeded
from broadcaster.core.states import FetchStatus
from broadcaster.delivery.webhooks import Delivery
from broadcaster.engine.tasks import StoredCounts, TaskRow
from broadcaster.fetching.results import FetchResult

NEVER_READ = StoredCounts()


def task(task_id: int, platform: str | None, video_id: str | None, **fields) -> TaskRow:
    """A task on one video, with a callback URL of its own unless given."""
    fields.setdefault("video_url", f"https://example.invalid/{platform}/{video_id}")
    fields.setdefault("callback_url", "https://x2c.example.com/hook")
    return TaskRow(task_id=task_id, platform=platform, video_id=video_id, **fields)


def stored(views: int | None, likes: int | None, *, status: str = FetchStatus.OK, reason: str | None = None,
           hours_ago: float = 1.0) -> StoredCounts:
    """Counts a video had from an earlier pass."""
    fetched_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago) if status == FetchStatus.OK else None
    return StoredCounts(views, likes, status, reason, fetched_at)


class FakeFetcher:
    """Answers fetches from `results` ((platform, video_id) → FetchResult or exception)."""

    def __init__(self, results: dict | None = None, *, sources: dict[str, str] | None = None,
                 youtube_api: dict | Exception | None = None):
        self.results = dict(results or {})
        self.sources = dict(sources or {})
        self.youtube_api = youtube_api  # id → result, or an exception every call raises
        self.calls: Counter = Counter()
        self.api_batches: list[list[str]] = []
        self._lock = threading.Lock()

    def source(self, platform: str) -> str:
        """"api", "tikhub" or "page", as configured."""
        return self.sources.get(platform, "page")

    def uses_tikhub(self, platform: str) -> bool:
        """True when TikHub is configured for the platform."""
        return self.sources.get(platform) == "tikhub"

    def through(self, proxy: str) -> FakeFetcher:
        """Every egress answers alike here."""
        return self

    def close(self) -> None:
        """Nothing to close."""

    def fetch_page(self, ref) -> FetchResult:
        """A page read: the configured result."""
        return self._answer(ref)

    def fetch_tikhub(self, ref) -> FetchResult:
        """A TikHub read: the configured result."""
        return self._answer(ref)

    def _answer(self, ref) -> FetchResult:
        """The configured result for one video (raising it when it is an exception)."""
        with self._lock:
            self.calls[(ref.platform, ref.video_id)] += 1
        answer = self.results.get((ref.platform, ref.video_id), FetchResult(FetchStatus.ERROR, reason="no fake"))
        if isinstance(answer, Exception):
            raise answer
        return answer

    def fetch_youtube_api(self, ids: list[str]) -> dict[str, FetchResult]:
        """The configured API answer for a batch of ids."""
        with self._lock:
            self.api_batches.append(list(ids))
        if isinstance(self.youtube_api, (QuotaExceeded, ApiConfigError)):
            raise self.youtube_api
        return {video_id: self.youtube_api[video_id] for video_id in ids if video_id in (self.youtube_api or {})}


class RecordingSender:
    """Keeps every webhook; answers 200, or failure for the URLs in `failing`."""

    def __init__(self, failing: set[str] | None = None):
        self.failing = set(failing or ())
        self.sent: list[dict] = []
        self._lock = threading.Lock()

    def deliver(self, url: str, body: bytes, *, secret: str | None, webhook_id: str) -> Delivery:
        """Record one webhook."""
        with self._lock:
            self.sent.append({"url": url, "body": json.loads(body), "raw": body, "secret": secret,
                              "webhook_id": webhook_id})
        if url in self.failing:
            return Delivery(False, 500, 1, 3, "HTTP 500")
        return Delivery(True, 200, 1, 3, None)

    def entries(self) -> dict[int, dict]:
        """Every stats entry sent, by X2C task id."""
        return {entry["task_id"]: entry for sent in self.sent for entry in sent["body"]["stats"]}

    def close(self) -> None:
        """Nothing to close."""
