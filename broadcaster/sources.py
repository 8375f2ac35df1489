"""How a pass reads one video: its page over the platform's egresses, or TikHub within its share.

Both answer ``(result, skipped)``: a FetchResult when a request was made (the last one when
every try failed), and a reason when the video could not be read this pass at all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping

from broadcaster.egress import EgressPool
from broadcaster.errors import ApiConfigError
from broadcaster.httpclient import RETRY_AFTER_CAP_SECONDS
from broadcaster.platforms.results import FetchResult, no_counts
from broadcaster.states import FetchStatus

logger = logging.getLogger(__name__)

PAGES_SPENT = "本轮页面额度已用完（或出口都在冷却中），下轮优先读取"
STOPPED = "服务已停止"
TIKHUB_SPENT = "TikHub 本轮额度已用完"
RATE_LIMIT_PAUSE_SECONDS = 5.0  # a 429 without Retry-After
# A video is tried on at most this many egresses in one pass: a block that follows the video,
# not the IP, must not bench every egress of the platform.
MAX_EGRESS_TRIES = 3


def read_page(pool: EgressPool, ref, stop_event: threading.Event) -> tuple[FetchResult | None, str | None]:
    """Read `ref`'s page through the pool; a blocked egress is benched and the next one tried."""
    tried, last = [], None
    while not stop_event.is_set() and len(tried) < MAX_EGRESS_TRIES:
        egress = pool.acquire(tried)
        if egress is None:
            return last, None if last is not None else PAGES_SPENT
        tried.append(egress)
        if not egress.pacer.wait_turn(stop_event):
            break
        result = egress.fetcher.fetch_page(ref)
        if result.status == FetchStatus.BLOCKED or result.egress_fault:
            cooldown = pool.bench(egress, result.reason)
            logger.warning("%s egress %s benched for %d min: %s", pool.platform, egress.label, cooldown // 60,
                           result.reason, extra={"action": "egress_benched"})
            last = result
            continue
        pool.succeeded(egress)
        return result, None
    return last, STOPPED if stop_event.is_set() else None


class TikHubGate:
    """This pass's TikHub: a share of the day's requests, off once the key is refused, paused by 429."""

    def __init__(self, fetcher, allowance: Mapping[str, int], stop_event: threading.Event):
        self.fetcher = fetcher
        self.left = dict(allowance)
        self.stop_event = stop_event
        self.requests = 0  # made this pass, for the daily allowance
        self.refused: str | None = None
        self._not_before = 0.0
        self._lock = threading.Lock()

    def read(self, ref) -> tuple[FetchResult | None, str | None]:
        """Read `ref` through TikHub, if this pass may."""
        with self._lock:
            if self.refused is not None:
                return None, f"TikHub 本轮已停用：{self.refused}"
            if self.left.get(ref.platform, 0) <= 0:
                return None, TIKHUB_SPENT
            self.left[ref.platform] -= 1
        result = None
        for _ in range(2):  # a 429 is waited out once
            pause = self._not_before - time.monotonic()
            if pause > 0 and self.stop_event.wait(pause):
                return result, STOPPED
            result = self._request(ref)
            if result.retry_after is None or result.status != FetchStatus.BLOCKED:
                return result, None
            with self._lock:
                wait = min(RETRY_AFTER_CAP_SECONDS, result.retry_after or RATE_LIMIT_PAUSE_SECONDS)
                self._not_before = max(self._not_before, time.monotonic() + wait)
        return result, None

    def _request(self, ref) -> FetchResult:
        with self._lock:
            self.requests += 1
        try:
            return self.fetcher.fetch_tikhub(ref)
        except ApiConfigError as exc:
            with self._lock:
                first, self.refused = self.refused is None, str(exc)
            if first:
                logger.warning("TikHub refused the key; off for the rest of this pass: %s", exc,
                               extra={"action": "tikhub_refused"})
            return no_counts(FetchStatus.ERROR, str(exc))
