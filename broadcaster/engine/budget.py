"""Politeness and budgets: how many videos a pass may refresh, which ones, and at what pace.

Every pass sends the last known counts of every task; only a budgeted share of the videos is
read again, the stalest first. YouTube with an API key gets this pass's share of the day's
remaining units; pages (and TikHub) get half an interval of paced requests per pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import math
from collections.abc import Iterable, Mapping

from broadcaster.core.clock import pacific_day, seconds_to_pacific_midnight, seconds_to_utc_midnight
from broadcaster.core.states import FetchStatus, Platform
from broadcaster.engine.tasks import VideoStaleness
from broadcaster.fetching import youtube

DAY_SECONDS = 86400


def share_for_pass(daily: int, used: int, seconds_left: float, interval: int) -> int:
    """This pass's share of what is left of a daily allowance, so the day's total is never exceeded."""
    remaining = max(0, daily - used)
    if remaining == 0:
        return 0
    passes_left = max(1, math.ceil(seconds_left / interval))
    return min(remaining, max(1, remaining // passes_left))


def youtube_units_for_pass(daily_quota: int, used: int, now: dt.datetime, interval: int) -> int:
    """This pass's share of the day's remaining API units (the day ends at Pacific midnight)."""
    return share_for_pass(daily_quota, used, seconds_to_pacific_midnight(now), interval)


@dataclasses.dataclass(frozen=True)
class Budget:
    """How this pass may refresh videos."""

    youtube_api: bool  # YouTube counts come from the Data API (else from watch pages)
    refresh_limits: dict[str, int | None]  # videos per platform; None = unlimited
    quota_day: dt.date  # the YouTube quota day
    tikhub: dict[str, int] = dataclasses.field(default_factory=dict)  # TikHub requests per platform
    tikhub_first: frozenset[str] = frozenset()  # platforms read through TikHub before pages (Douyin: views)
    tikhub_day: dt.date | None = None


def plan_budget(config, *, youtube_api_key: bool, quota: tuple[int, bool], page_capacity: Mapping[str, int | None],
                tikhub_key: bool = False, tikhub_used: int = 0, now: dt.datetime, steady: bool = False) -> Budget:
    """Per-platform refresh limits for a pass: API units, page capacity of the usable egresses,
    and TikHub's share of the day.

    `quota` is (YouTube units used today, whether the API said the day's quota is gone);
    `page_capacity` is pages per platform over its usable egresses (None = unlimited). With
    `steady`, daily allowances are shared as on an average pass of a whole day (for estimates).
    """
    interval = config.broadcast_interval_seconds
    units = 0
    used, exhausted = quota
    if youtube_api_key and not exhausted:
        units = (share_for_pass(config.youtube_daily_quota, 0, DAY_SECONDS, interval) if steady
                 else youtube_units_for_pass(config.youtube_daily_quota, used, now, interval))
    tikhub = _tikhub_shares(config, tikhub_key, 0 if steady else tikhub_used, now, steady)
    tikhub_first = frozenset({Platform.DOUYIN} & set(tikhub))
    limits = {
        Platform.YOUTUBE: units * youtube.API_MAX_IDS if units > 0 else page_capacity[Platform.YOUTUBE],
        Platform.TIKTOK: _add(page_capacity[Platform.TIKTOK], tikhub.get(Platform.TIKTOK, 0)),
        # Douyin through TikHub only: its pages have no views, and mixing would lose them.
        Platform.DOUYIN: tikhub[Platform.DOUYIN] if Platform.DOUYIN in tikhub else page_capacity[Platform.DOUYIN],
    }
    return Budget(units > 0, limits, pacific_day(now), tikhub, tikhub_first, now.astimezone(dt.UTC).date())


def _tikhub_shares(config, key: bool, used: int, now: dt.datetime, steady: bool) -> dict[str, int]:
    """This pass's TikHub requests per platform that uses it (split evenly when both do)."""
    platforms = [Platform(name) for name in config.tikhub_platforms] if key else []
    if not platforms:
        return {}
    left = DAY_SECONDS if steady else seconds_to_utc_midnight(now)
    share = share_for_pass(config.tikhub_daily_requests, used, left, config.broadcast_interval_seconds)
    first, rest = divmod(share, len(platforms))
    return {platform: first + (1 if index < rest else 0) for index, platform in enumerate(platforms)}


def _add(pages: int | None, extra: int) -> int | None:
    return None if pages is None else pages + extra


@dataclasses.dataclass(frozen=True)
class RefreshPlan:
    """Which videos this pass reads again: per platform, a set of ids, or None for all."""

    chosen: dict[str, frozenset[str] | None]
    videos: dict[str, int] = dataclasses.field(default_factory=dict)  # videos per platform in the plan

    def wants(self, platform: str, video_id: str) -> bool:
        """True when this pass reads the video again."""
        ids = self.chosen.get(platform)
        return ids is None or video_id in ids


def _staleness_key(video: VideoStaleness) -> tuple:
    # Never tried first; then the longest since the last attempt; videos known to be gone last.
    if video.fetch_status is None:
        rank = 0
    else:
        rank = 2 if video.fetch_status == FetchStatus.UNAVAILABLE else 1
    attempted = video.attempted_at.timestamp() if video.attempted_at is not None else -math.inf
    return rank, attempted, video.video_id


def plan_refreshes(videos: Iterable[VideoStaleness], limits: dict[str, int | None]) -> RefreshPlan:
    """Pick the stalest videos of each platform up to its limit (None: every video).

    Memory grows with the limits, not with the number of videos.
    """
    kept: dict[str, list[_Kept]] = {platform: [] for platform, limit in limits.items() if limit is not None}
    counts: dict[str, int] = dict.fromkeys(limits, 0)
    for video in videos:
        counts[video.platform] = counts.get(video.platform, 0) + 1
        heap = kept.get(video.platform)
        if heap is None or limits[video.platform] <= 0:
            continue
        item = _Kept(_staleness_key(video), video.video_id)
        if len(heap) < limits[video.platform]:
            heapq.heappush(heap, item)
        elif item.key < heap[0].key:
            heapq.heapreplace(heap, item)
    chosen: dict[str, frozenset[str] | None] = {platform: None for platform in limits}
    for platform, heap in kept.items():
        chosen[platform] = frozenset(item.video_id for item in heap)
    return RefreshPlan(chosen, counts)


class _Kept:
    """A video kept for refresh; the heap's top is the least stale one kept so far."""

    __slots__ = ("key", "video_id")

    def __init__(self, key: tuple, video_id: str):
        self.key = key
        self.video_id = video_id

    def __lt__(self, other: _Kept) -> bool:
        return self.key > other.key
