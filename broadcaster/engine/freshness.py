"""Count age: how old the counts X2C receives are, and how long refreshing every video takes.

Every count a payload carries was read at some time; its age when the webhook goes out is what
X2C really gets. A pass tallies those ages per platform, and with the number of videos and
this pass's refresh budget it estimates `cycle_s`, the time to read every video once.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from collections.abc import Mapping

from broadcaster.core.json_schema import INTEGER, NUMBER, described, nullable, obj, shaped
from broadcaster.core.states import Platform

PLATFORM_NAMES = {Platform.YOUTUBE: "YouTube", Platform.TIKTOK: "TikTok", Platform.DOUYIN: "抖音"}

#: One platform's figures in RUN `freshness` (docs/architecture.md#count-age).
PLATFORM_FRESHNESS = obj({
    "tasks": described(INTEGER, "计数被发出的任务数"),
    "refreshed": described(INTEGER, "其中在本轮刷新的"),
    "p50_age_s": nullable(NUMBER),
    "p95_age_s": nullable(NUMBER),
    "max_age_s": described(nullable(NUMBER), "发出时计数已读取的秒数"),
    "cycle_s": described(nullable(NUMBER), "按本轮的额度把该平台每个视频都读一遍需要的秒数；无法读取时为 null"),
    "videos": INTEGER,
}, title="PlatformFreshness")
FRESHNESS = {"type": "object", "title": "Freshness", "description": "每个平台的计数时效；进行中的回传为 null",
             "propertyNames": {"enum": [platform.value for platform in Platform]}, "additionalProperties": PLATFORM_FRESHNESS}


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted `values` (0 < share <= 1)."""
    rank = max(1, math.ceil(share * len(values)))
    return values[rank - 1]


def cycle_seconds(videos: int, per_pass: int | None, interval: int) -> float | None:
    """Time to read every video once when a pass may read `per_pass` of them (None: all).

    None when nothing can be read at all (no budget, every egress benched).
    """
    if videos <= 0 or per_pass is None:
        return float(interval)
    if per_pass <= 0:
        return None
    return float(math.ceil(videos / per_pass) * interval)


class FreshnessTally:
    """Ages of the counts sent in one pass, per platform; safe to add to from many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ages: dict[str, list[float]] = defaultdict(list)
        self._refreshed: Counter = Counter()

    def add(self, platform: str, age_s: float, refreshed: bool) -> None:
        """One task's counts went out, read `age_s` seconds ago (in this pass when `refreshed`)."""
        with self._lock:
            self._ages[platform].append(max(0.0, age_s))
            if refreshed:
                self._refreshed[platform] += 1

    def export(self) -> dict:
        """The raw tallies, as JSON, so the shards of a shared pass can be merged exactly."""
        with self._lock:
            return {platform: {"ages": [round(age, 1) for age in ages], "refreshed": self._refreshed.get(platform, 0)}
                    for platform, ages in self._ages.items()}

    def absorb(self, exported: Mapping) -> None:
        """Add another tally's `export()`."""
        with self._lock:
            for platform, figures in exported.items():
                self._ages[platform].extend(figures["ages"])
                self._refreshed[platform] += figures["refreshed"]

    def summary(self, videos: Mapping[str, int], limits: Mapping[str, int | None], interval: int) -> dict:
        """RUN ``freshness``: per platform with videos or tasks sent (docs/architecture.md#count-age), plus ``videos``."""
        with self._lock:
            ages = {platform: sorted(values) for platform, values in self._ages.items()}
            refreshed = dict(self._refreshed)
        figures = {}
        for platform in Platform:
            sent = ages.get(platform, [])
            count = videos.get(platform, 0)
            if not sent and not count:
                continue
            cycle = cycle_seconds(count, limits.get(platform), interval)
            figures[platform] = shaped(
                PLATFORM_FRESHNESS,
                tasks=len(sent),
                refreshed=refreshed.get(platform, 0),
                p50_age_s=round(percentile(sent, 0.5), 1) if sent else None,
                p95_age_s=round(percentile(sent, 0.95), 1) if sent else None,
                max_age_s=round(sent[-1], 1) if sent else None,
                cycle_s=cycle,
                videos=count,
            )
        return figures


def hours_text(seconds: float | None) -> str:
    """A duration as operators read it: 45 秒, 12 分钟, 8.2 小时, 3.1 天."""
    if seconds is None:
        return "无法估计"
    if seconds < 90:
        return f"{seconds:.0f} 秒"
    if seconds < 5400:
        return f"{seconds / 60:.0f} 分钟"
    if seconds < 72 * 3600:
        return f"{seconds / 3600:.1f} 小时"
    return f"{seconds / 86400:.1f} 天"
