"""The daily digest (docs/operations.md#the-daily-digest): one 日报 a day to ALERT_URLS, exactly once across processes.

From DIGEST_AT (Beijing time) on, every process's alert thread asks whether today's digest is
due; the one whose INSERT makes the day's row (`queries.CLAIM_DIGEST`) sends it, whether the
service is switched on or not. A process that starts later the same Beijing day (every process
was down at DIGEST_AT) finds the row missing and sends it then; the next day starts afresh, so
a missed day is never sent twice or late. The claim comes before the send: a process that dies
in between loses that day's digest rather than risk a second one.

The message is short plain Chinese text with plain numbers. One text suits every channel: it
stays under WeCom's 2048 bytes (title included), carries the word 告警 that DingTalk's keyword
filter is usually set to (BROADCASTER_README.md#告警通知), and is sent as text, so Telegram escapes it.
"""

from __future__ import annotations

import datetime as dt

from broadcaster.alerting.alerts import MESSAGE_ZONE, format_time, headline, platform_label
from broadcaster.core.config import Config
from broadcaster.reports import projects
from broadcaster.storage import queries
from broadcaster.storage.db import Database

TOP_PROJECTS = 10
MAX_ALERT_LINES = 5
#: WeCom refuses a text over 2048 bytes; Apprise puts the title on the body's first line.
MESSAGE_BYTES = 2000
#: The projects' figures are refreshed first when they are older than this.
FIGURES_MAX_AGE_S = 600
#: Shorter and shorter forms of the list of projects, tried until the message fits.
_SHAPES = ((TOP_PROJECTS, 24), (TOP_PROJECTS, 12), (5, 12), (3, 10), (0, 0))


def due_day(config: Config, now: dt.datetime) -> dt.date | None:
    """The Beijing day whose digest is due at `now` (DIGEST_AT has passed today), else None."""
    if not config.digest_at or not config.alert_urls:
        return None
    local = now.astimezone(MESSAGE_ZONE)
    hour, minute = (int(part) for part in config.digest_at.split(":"))
    return local.date() if (local.hour, local.minute) >= (hour, minute) else None


def claim_day(database: Database, day: dt.date) -> bool:
    """True for the one caller that takes `day`'s digest."""
    return database.fetch_one(queries.CLAIM_DIGEST, {"day": day}) is not None


def release_day(database: Database, day: dt.date) -> None:
    """Give a claimed day back when its digest could not even be written (nothing went out)."""
    database.execute(queries.RELEASE_DIGEST, {"day": day})


def finish_day(database: Database, day: dt.date, tally: dict) -> None:
    """Record how the channels took the day's digest."""
    database.execute(queries.FINISH_DIGEST, {"day": day, **tally})


def read_facts(config: Config, database: Database) -> dict:
    """What the digest reports, with the projects' figures refreshed when they are old."""
    projects.refresh(database, config, max_age_s=FIGURES_MAX_AGE_S)
    last_full = database.fetch_one(queries.FETCH_LAST_FULL_RUN)
    return {
        "passes": database.fetch_one(queries.FETCH_DIGEST_PASSES),
        "top": database.fetch_all(queries.FETCH_DIGEST_TOP_PROJECTS, {"limit": TOP_PROJECTS}),
        "new_unavailable": database.fetch_all(queries.FETCH_DIGEST_NEW_UNAVAILABLE),
        "stalled": database.fetch_one(queries.FETCH_DIGEST_STALLED_TASKS)["tasks"],
        "freshness": (last_full or {}).get("freshness") or {},
        "firing": database.fetch_all(queries.FETCH_FIRING_ALERTS),
    }


def age_text(seconds: float | None) -> str:
    """An age in one plain number and its unit: 45 秒, 20 分钟, 3.5 小时, 2.1 天."""
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{seconds:.0f} 秒"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} 分钟"
    if seconds < 72 * 3600:
        return f"{seconds / 3600:.1f} 小时"
    return f"{seconds / 86400:.1f} 天"


def _short(text: str | None, length: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _project_lines(top: list[dict], count: int, title_length: int) -> list[str]:
    if not top:
        return ["播放量增长最多的项目：无（24 小时内没有项目新增播放）"]
    if not count:
        return [f"播放量增长最多的项目：{len(top)} 个（详见管理页面的项目页）"]
    lines = ["播放量增长最多的项目："]
    for rank, row in enumerate(top[:count], start=1):
        name = _short(row["sample_title"], title_length) or _short(row["project_id"], title_length)
        lines.append(f"{rank}. {name} +{row['gain_24h']}（累计 {row['views'] if row['views'] is not None else '—'}）")
    return lines


def _fixed_lines(config: Config, facts: dict) -> tuple[list[str], list[str]]:
    """The lines before the projects (passes, deliveries) and after them (videos, tasks, ages, alerts)."""
    passes = facts["passes"]
    head = [f"回传 {passes['passes']} 轮：成功 {passes['succeeded']}，失败 {passes['failed']}，中断 {passes['interrupted']}",
            f"任务回传：成功 {passes['delivered']} 次，失败 {passes['not_delivered']} 次"]
    gone = facts["new_unavailable"]
    total = sum(row["videos"] for row in gone)
    by_platform = "，".join(f"{platform_label(row['platform']).strip()} {row['videos']}" for row in gone)
    tail = [f"新增不可用视频：{total} 个" + (f"（{by_platform}）" if total else ""),
            f"停滞任务（{config.stall_days} 天没有新增播放）：{facts['stalled']} 个"]
    ages = [f"{platform_label(platform).strip()} {age_text(figures.get('max_age_s'))}"
            for platform, figures in sorted(facts["freshness"].items()) if figures.get("tasks")]
    tail.append("数据时效（上一轮全量回传中最旧的）：" + ("，".join(ages) if ages else "暂无"))
    firing = facts["firing"]
    if not firing:
        tail.append("正在告警：无")
    else:
        tail.append(f"正在告警：{len(firing)} 个")
        tail += [f"- {headline(row['key'])}（{format_time(row['since'])} 起）" for row in firing[:MAX_ALERT_LINES]]
        if len(firing) > MAX_ALERT_LINES:
            tail.append(f"- …另有 {len(firing) - MAX_ALERT_LINES} 个")
    if config.admin_public_url:
        tail.append(f"查看：{config.admin_public_url}")
    return head, tail


def digest_message(config: Config, facts: dict, now: dt.datetime, *, test: bool = False) -> tuple[str, str]:
    """The title and body of the digest for `facts` at `now`: within MESSAGE_BYTES, shortening the
    list of projects (its titles, then its length) until it fits."""
    local = now.astimezone(MESSAGE_ZONE)
    title = f"【{'测试' if test else ''}日报】{config.site_name} 回传日报 {local:%Y-%m-%d}"
    head, tail = _fixed_lines(config, facts)
    opening = f"{format_time(now)}，最近 24 小时："
    room = MESSAGE_BYTES - len(f"{title}\r\n".encode())
    for count, title_length in _SHAPES:
        body = "\n".join([opening, *head, *_project_lines(facts["top"], count, title_length), *tail])
        if len(body.encode()) <= room:
            return title, body
    return title, body.encode()[: room - 3].decode("utf-8", "ignore") + "…"  # very long alert names

