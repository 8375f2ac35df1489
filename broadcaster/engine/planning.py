"""``stats_broadcaster.py --plan``: per platform, how fresh the counts can be at the current settings.

For the current tasks it prints the videos, where their counts come from, how many a pass may
refresh, the time to refresh every video once (``cycle_s``), and the one change that would
shorten that cycle most; then the database's size by store and its steady-state projection
(`broadcaster.storage.sizes`). It reads the database but sends nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

from broadcaster.core.clock import interval_text, pacific_day, utcnow
from broadcaster.core.states import Platform
from broadcaster.engine.budget import (
    DAY_SECONDS,
    Budget,
    plan_budget,
    share_for_pass,
)
from broadcaster.engine.freshness import PLATFORM_NAMES, cycle_seconds, hours_text
from broadcaster.engine.tasks import PostgresTaskSource
from broadcaster.fetching import youtube
from broadcaster.fetching.pacing import pages_for_pass
from broadcaster.fetching.proxies import egress_key, mask_proxy
from broadcaster.storage import sizes as storage
from broadcaster.storage.db import Database

TARGET_CYCLE_SECONDS = 3600  # "within an hour" is what an operator asks for first


@dataclasses.dataclass(frozen=True)
class PlanFacts:
    """What the plan is computed from."""

    videos: dict[str, int]
    tasks: dict[str, int]
    benched: frozenset[str]  # egress keys benched right now
    youtube_quota: tuple[int, bool]
    tikhub_used: int
    now: dt.datetime
    sizes: storage.Sizes | None = None
    active_tasks: int = 0  # resolved or not (videos and tasks above count resolved links only)


def load_facts(database: Database) -> PlanFacts:
    """Videos and tasks per platform, benched egresses and today's spending, from the database."""
    now = utcnow()
    source = PostgresTaskSource(database)
    counts = source.platform_counts()
    benched = frozenset(key for key, row in source.egress_states().items()
                        if row["benched_until"] is not None and row["benched_until"] > now)
    return PlanFacts(
        videos={row["platform"]: row["videos"] for row in counts},
        tasks={row["platform"]: row["tasks"] for row in counts},
        benched=benched,
        youtube_quota=source.youtube_quota(pacific_day(now)),
        tikhub_used=source.tikhub_requests(now.astimezone(dt.UTC).date()),
        now=now,
        sizes=storage.store_sizes(database),
        active_tasks=source.count_active(),
    )


def _usable_egresses(config, platform: str, benched: frozenset[str]) -> list[str]:
    return [url for url in config.proxies(platform) if egress_key(platform, url) not in benched]


def _budget(config, facts: PlanFacts) -> Budget:
    interval = config.broadcast_interval_seconds
    capacity = {}
    for platform in Platform:
        per_egress = pages_for_pass(config.pages_per_minute(platform), interval)
        usable = len(_usable_egresses(config, platform, facts.benched))
        capacity[platform] = None if per_egress is None else per_egress * usable
    return plan_budget(config, youtube_api_key=bool(config.youtube_api_key), quota=facts.youtube_quota,
                       page_capacity=capacity, tikhub_key=bool(config.tikhub_api_key),
                       tikhub_used=facts.tikhub_used, now=facts.now, steady=True)


def _sources(config, platform: str, budget: Budget, facts: PlanFacts) -> str:
    interval = config.broadcast_interval_seconds
    parts = []
    if platform == Platform.YOUTUBE and budget.youtube_api:
        units = budget.refresh_limits[platform] // youtube.API_MAX_IDS
        parts.append(f"YouTube Data API（平均每轮 {units} 个单位，每单位 {youtube.API_MAX_IDS} 个视频）")
    elif platform not in budget.tikhub_first:
        egresses = config.proxies(platform)
        usable = _usable_egresses(config, platform, facts.benched)
        per_egress = pages_for_pass(config.pages_per_minute(platform), interval)
        labels = "、".join("直连" if url == "direct" else mask_proxy(url) for url in egresses)
        pace = "不限速" if per_egress is None else f"每个出口每轮 {per_egress} 页"
        cooling = f"，其中 {len(egresses) - len(usable)} 个在冷却中" if len(usable) < len(egresses) else ""
        parts.append(f"页面，{len(egresses)} 个出口（{labels}{cooling}），{pace}")
    if platform in budget.tikhub:
        parts.append(f"TikHub（平均每轮 {budget.tikhub[platform]} 次，每天最多 {config.tikhub_daily_requests:,} 次）")
    return "；".join(parts)


def _suggestion(config, platform: str, budget: Budget, facts: PlanFacts, cycle: float | None) -> str | None:
    """The one change that would shorten this platform's cycle most, in words."""
    interval = config.broadcast_interval_seconds
    videos = facts.videos.get(platform, 0)
    if not videos or (cycle is not None and cycle <= interval):
        return None
    options: list[tuple[float, str]] = []
    if platform == Platform.YOUTUBE and not budget.youtube_api:
        units = share_for_pass(config.youtube_daily_quota or 10_000, 0, DAY_SECONDS, interval)
        better = cycle_seconds(videos, units * youtube.API_MAX_IDS, interval)
        options.append((better, f"设置 YOUTUBE_API_KEY（每天 {config.youtube_daily_quota or 10_000:,} 单位）"))
    per_egress = pages_for_pass(config.pages_per_minute(platform), interval)
    if per_egress and platform not in budget.tikhub_first:
        usable = len(_usable_egresses(config, platform, facts.benched))
        passes = max(1, TARGET_CYCLE_SECONDS // interval)
        needed = math.ceil(math.ceil(videos / passes) / per_egress)
        if needed > usable:
            more = needed - usable
            better = cycle_seconds(videos, needed * per_egress, interval)
            options.append((better, f"再加 {more} 个{_spaced(PLATFORM_NAMES[platform])}出口（{platform.upper()}_PROXIES）"))
    if platform in budget.tikhub:
        passes = max(1, TARGET_CYCLE_SECONDS // interval)
        per_pass = math.ceil(videos / passes) - ((budget.refresh_limits[platform] or 0) - budget.tikhub[platform])
        daily = per_pass * len(budget.tikhub) * (DAY_SECONDS // interval)
        if daily > config.tikhub_daily_requests:
            better = cycle_seconds(videos, budget.refresh_limits[platform] - budget.tikhub[platform] + per_pass, interval)
            options.append((better, f"把 TIKHUB_DAILY_REQUESTS 提高到 {daily:,}（约 ${daily * 0.001:,.0f}/天）"))
    if platform in (Platform.TIKTOK, Platform.DOUYIN) and platform not in budget.tikhub:
        share = share_for_pass(config.tikhub_daily_requests, 0, DAY_SECONDS, interval)
        if share:
            extra = (budget.refresh_limits[platform] or 0) if platform == Platform.TIKTOK else 0
            key = "在 TIKHUB_PLATFORMS 中加入 tiktok" if config.tikhub_api_key else "设置 TIKHUB_API_KEY"
            options.append((cycle_seconds(videos, extra + share, interval), f"{key}（约 $0.001 一次）"))
    options = [(seconds, text) for seconds, text in options if seconds is not None and (cycle is None or seconds < cycle)]
    if not options:
        return None
    seconds, text = min(options)
    return f"{text}可把一轮刷新缩短到约 {hours_text(seconds)}"


def _spaced(name: str) -> str:
    """A Latin name gets spaces around it inside Chinese text."""
    return f" {name} " if name.isascii() else name


def plan_report(config, facts: PlanFacts) -> str:
    """The plan as an operator reads it."""
    interval = config.broadcast_interval_seconds
    budget = _budget(config, facts)
    lines = [f"回传计划（每{interval_text(interval)}一轮，按当前任务、设置和出口状态估算）"]
    for platform in Platform:
        videos, tasks = facts.videos.get(platform, 0), facts.tasks.get(platform, 0)
        name = PLATFORM_NAMES[platform]
        if not videos:
            lines += ["", f"{name}：没有进行中的任务"]
            continue
        limit = budget.refresh_limits[platform]
        cycle = cycle_seconds(videos, limit, interval)
        lines += [
            "",
            f"{name}：{videos:,} 个视频（{tasks:,} 个任务）",
            f"  来源：{_sources(config, platform, budget, facts)}",
            f"  每轮可刷新：{'全部' if limit is None else f'{limit:,} 个视频'}",
            f"  全部刷新一轮约：{hours_text(cycle) if cycle is not None else '无法刷新（没有可用出口或额度）'}",
        ]
        tip = _suggestion(config, platform, budget, facts, cycle)
        if tip:
            lines.append(f"  建议：{tip}")
    if facts.sizes is not None:
        lines += ["", *storage.report_lines(facts.sizes, storage_projection(config, facts), tasks=facts.active_tasks)]
    return "\n".join(lines)


def storage_projection(config, facts: PlanFacts) -> storage.Projection:
    """The database's steady-state size for the current tasks, budgets and retention. A task whose
    link no pass has resolved yet is counted as a video of its own, read every pass."""
    budget = _budget(config, facts)
    unresolved = max(0, facts.active_tasks - sum(facts.tasks.values()))
    reads = unresolved + sum(facts.videos.get(platform, 0) if budget.refresh_limits[platform] is None
                             else min(facts.videos.get(platform, 0), budget.refresh_limits[platform])
                             for platform in Platform)
    return storage.project(facts.sizes, config, tasks=facts.active_tasks,
                           videos=sum(facts.videos.values()) + unresolved, reads_per_pass=reads)
