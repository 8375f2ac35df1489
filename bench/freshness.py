"""The freshness scenario of `make bench` (issue #11): how fresh counts stay with 1 and 10 egresses.

3,000 TikTok, 2,000 Douyin and 5,000 YouTube videos (no API key), one task each, default page
paces (YouTube 8, TikTok 6, Douyin 6 a minute per egress), a pass every 180 s.

* A simulated day: 480 passes driven by a fake clock through the real budget and scheduling code
  (egress pools and their budgets, `plan_budget`, `plan_refreshes` picking the stalest videos,
  the count-age tally); every planned video is read at once. It prints, per platform, the
  estimated `cycle_s`, the longest a video really waited for its refresh, and the p95 age of the
  counts sent in the day's last pass.
* One real pass each with 1 and with 10 egresses (10 local forward proxies on 127.0.0.x), time
  compressed tenfold (an 18 s interval, paces ×10, so the same pages per egress per pass) and
  every video read once before, to show that a pass's own wall time does not change.

Targets: with 10 egresses each platform's cycle is at most 1/9 of the one-egress cycle, and the
pass's wall time is unchanged within noise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from bench.scenario import Scenario, run_scenario
from broadcaster.core.config import Config
from broadcaster.engine.budget import plan_budget, plan_refreshes
from broadcaster.engine.freshness import FreshnessTally, hours_text
from broadcaster.engine.tasks import VideoStaleness
from broadcaster.fetching.egress import build_pools
from fakes.proxy import FakeProxy

VIDEOS = {"youtube": 5000, "tiktok": 3000, "douyin": 2000}
INTERVAL = 180
PASSES_PER_DAY = 86400 // INTERVAL
COMPRESSION = 10
START = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


class _Clock:
    def __init__(self):
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


def simulate_day(egresses: int) -> dict:
    """A day of passes with `egresses` per platform; per platform: cycle_s, longest wait, p95 age."""
    proxies = ("direct",) + tuple(f"http://10.0.0.{i}:8080" for i in range(1, egresses))
    config = Config(youtube_proxies=proxies, tiktok_proxies=proxies, douyin_proxies=proxies)
    clock = _Clock()
    state = {(platform, f"{platform}-{n}"): None for platform, count in VIDEOS.items() for n in range(count)}
    last_read: dict = {}
    longest = defaultdict(float)
    summary = {}
    for step in range(PASSES_PER_DAY):
        clock.now = START + dt.timedelta(seconds=step * INTERVAL)
        pools = build_pools(config, {}, lambda url: None, clock=clock)
        budget = plan_budget(config, youtube_api_key=False, quota=(0, False), now=clock.now,
                             page_capacity={platform: pool.capacity() for platform, pool in pools.items()})
        staleness = (VideoStaleness(platform, video_id, "ok" if read else None, read)
                     for (platform, video_id), read in state.items())
        plan = plan_refreshes(staleness, budget.refresh_limits)
        tally = FreshnessTally()
        for (platform, video_id), read in state.items():
            if plan.wants(platform, video_id) and pools[platform].acquire() is not None:
                if video_id in last_read:
                    longest[platform] = max(longest[platform], (clock.now - last_read[video_id]).total_seconds())
                state[(platform, video_id)] = last_read[video_id] = read = clock.now
                tally.add(platform, 0.0, refreshed=True)
            elif read is not None:
                tally.add(platform, (clock.now - read).total_seconds(), refreshed=False)
        summary = tally.summary(plan.videos, budget.refresh_limits, INTERVAL)
    return {platform: {"cycle_s": summary[platform]["cycle_s"], "longest_wait_s": longest[platform] or None,
                       "p95_age_s": summary[platform]["p95_age_s"], "per_pass": budget.refresh_limits[platform]}
            for platform in VIDEOS}


def _real_pass(args, server_url: str, egresses: int) -> dict:
    paces = {"youtube_pages_per_minute": 8 * COMPRESSION, "tiktok_pages_per_minute": 6 * COMPRESSION,
             "douyin_pages_per_minute": 6 * COMPRESSION}
    settings = {"broadcast_interval_seconds": INTERVAL // COMPRESSION, "youtube_api_key": None, **paces}
    proxies = [FakeProxy(f"127.0.0.{10 + i}") for i in range(egresses - 1)]
    for proxy in proxies:
        proxy.__enter__()
    try:
        urls = ["direct", *(proxy.url for proxy in proxies)]
        settings.update(youtube_proxies=urls, tiktok_proxies=urls, douyin_proxies=urls)
        scenario = Scenario(sum(VIDEOS.values()), 1, settings=settings, prior_counts=True, label=f"egress{egresses}")
        return run_scenario(scenario, args, server_url)
    finally:
        for proxy in proxies:
            proxy.__exit__(None, None, None)


def run_freshness(args, server_url: str) -> tuple[list[dict], list[str]]:
    """The scenario's outcomes (the two real passes) and its PASS/MISS lines."""
    print("\n== freshness: a simulated day of passes (fake clock), 1 and 10 egresses per platform", flush=True)
    days = {count: simulate_day(count) for count in (1, 10)}
    print(f"   {'platform':<10}{'egresses':>9}{'per pass':>10}{'cycle_s':>10}{'cycle':>12}{'longest wait':>14}"
          f"{'p95 age':>12}")
    for count, figures in days.items():
        for platform, f in figures.items():
            print(f"   {platform:<10}{count:>9}{f['per_pass']:>10}{f['cycle_s']:>10.0f}{hours_text(f['cycle_s']):>12}"
                  f"{hours_text(f['longest_wait_s']):>14}{hours_text(f['p95_age_s']):>12}")
    outcomes = [_real_pass(args, server_url, count) for count in (1, 10)]
    lines = []
    for platform in VIDEOS:
        one, ten = days[1][platform]["cycle_s"], days[10][platform]["cycle_s"]
        lines.append(f"{'PASS' if ten <= one / 9 else 'MISS'}  {platform} cycle with 10 egresses {ten:.0f} s <= "
                     f"1/9 of {one:.0f} s ({one / 9:.0f} s)")
    walls = [o["wall"] for o in outcomes]
    change = walls[1] / walls[0] - 1
    lines.append(f"{'PASS' if abs(change) <= 0.15 else 'MISS'}  pass wall with 10 egresses {walls[1]:.1f} s vs "
                 f"{walls[0]:.1f} s with 1 ({change * 100:+.0f} %, within ±15 % noise)")
    return outcomes, lines
