"""How a pass reads one video: its page over the platform's egresses, or TikHub within its share.

Both answer ``(result, skipped)``: a FetchResult when a request was made (the last one when
every try failed), and a reason when the video could not be read this pass at all.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import abstractmethod
from collections.abc import Mapping
from typing import Protocol

from broadcaster.core.errors import ApiConfigError
from broadcaster.core.httpclient import RETRY_AFTER_CAP_SECONDS
from broadcaster.core.states import FetchStatus
from broadcaster.fetching.egress import PagePool
from broadcaster.fetching.results import FetchResult, no_counts

logger = logging.getLogger(__name__)

PAGES_SPENT = "本轮页面额度已用完（或出口都在冷却中），下轮优先读取"
STOPPED = "服务已停止"
TIKHUB_SPENT = "TikHub 本轮额度已用完"
RATE_LIMIT_PAUSE_SECONDS = 5.0  # a 429 without Retry-After
# A video is tried on at most this many egresses in one pass: a block that follows the video,
# not the IP, must not bench every egress of the platform.
MAX_EGRESS_TRIES = 3


def read_page(pool: PagePool, ref, stop_event: threading.Event) -> tuple[FetchResult | None, str | None]:
    """Read `ref`'s page through the pool; a blocked egress is benched and the next one tried."""
    tried, last = [], None
    while not stop_event.is_set() and len(tried) < MAX_EGRESS_TRIES:
        slot = pool.acquire(tried)
        if slot is None:
            return last, None if last is not None else PAGES_SPENT
        egress = slot.egress
        tried.append(egress)
        if stop_event.wait(slot.wait_s):
            break
        result = egress.fetcher.fetch_page(ref)
        if result.egress_blocked:
            cooldown = pool.bench(egress, result.reason)
            logger.warning("%s egress %s benched for %d min: %s", pool.platform, egress.label, cooldown // 60,
                           result.reason, extra={"action": "egress_benched"})
            last = result
            continue
        pool.succeeded(egress)
        return result, None
    return last, STOPPED if stop_event.is_set() else None


class Allowance(Protocol):
    """TikHub's requests for this pass, as `TikHubGate` spends them: `LocalAllowance` in one
    process, `broadcaster.scaleout.limits.SharedAllowance` over every process of a shared pass."""

    @abstractmethod
    def take(self, platform: str) -> bool:
        """Spend one request of `platform`'s share; False when it is spent."""

    @abstractmethod
    def refuse(self, reason: str) -> bool:
        """Turn TikHub off for the rest of the pass; True the first time."""

    @abstractmethod
    def refusal(self) -> str | None:
        """Why TikHub is off for this pass, if it is."""


class LocalAllowance(Allowance):
    """TikHub requests this pass may still make, per platform, and whether the key was refused."""

    def __init__(self, shares: Mapping[str, int]):
        self.left = dict(shares)
        self._refusal: str | None = None
        self._lock = threading.Lock()

    def take(self, platform: str) -> bool:
        """Spend one request of `platform`'s share; False when it is spent."""
        with self._lock:
            if self.left.get(platform, 0) <= 0:
                return False
            self.left[platform] -= 1
            return True

    def refuse(self, reason: str) -> bool:
        """Turn TikHub off for the rest of the pass; True the first time."""
        with self._lock:
            first, self._refusal = self._refusal is None, self._refusal or reason
            return first

    def refusal(self) -> str | None:
        """Why TikHub is off for this pass, if it is."""
        return self._refusal


class TikHubGate:
    """This pass's TikHub: a share of the day's requests, off once the key is refused, paused by 429."""

    def __init__(self, fetcher, allowance: Allowance, stop_event: threading.Event):
        self.fetcher = fetcher
        self.allowance = allowance
        self.stop_event = stop_event
        self.requests = 0  # made this pass by this process, for the daily allowance
        self._not_before = 0.0
        self._lock = threading.Lock()

    def read(self, ref) -> tuple[FetchResult | None, str | None]:
        """Read `ref` through TikHub, if this pass may."""
        refusal = self.allowance.refusal()
        if refusal is not None:
            return None, f"TikHub 本轮已停用：{refusal}"
        if not self.allowance.take(ref.platform):
            return None, TIKHUB_SPENT
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
            if self.allowance.refuse(str(exc)):
                logger.warning("TikHub refused the key; off for the rest of this pass: %s", exc,
                               extra={"action": "tikhub_refused"})
            return no_counts(FetchStatus.ERROR, str(exc))
