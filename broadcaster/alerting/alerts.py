"""Alerts (docs/operations.md#alerts): which are firing, their firing → repeat → resolved cycle, their messages.

`firing_alerts` is a pure function of the facts read from the database and `now`.
`evaluate_alerts` reads the facts and applies the transitions in one transaction under an
advisory lock, so that every process may evaluate (each gunicorn worker, a shell loop, another
host) and each transition still happens once: the process whose statement changed the alert's
row owns the event and sends its message (`broadcaster.alerting.notifier`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import psycopg2.extras

from broadcaster.core.clock import pacific_day
from broadcaster.core.config import Config
from broadcaster.core.logs import SecretScrubber
from broadcaster.core.states import RunStatus
from broadcaster.engine import freshness
from broadcaster.fetching.egress import egress_status
from broadcaster.storage import queries
from broadcaster.storage.db import Database, wrap_errors

#: Over this share of today's YouTube units, `youtube_quota` fires.
YOUTUBE_QUOTA_SHARE = 0.9
#: `deliveries_failing` needs at least this many tasks in the pass.
MIN_TASKS_FOR_RATIO = 5
#: Times in messages: the operators read Beijing time.
MESSAGE_ZONE = ZoneInfo("Asia/Shanghai")

def platform_label(platform: str) -> str:
    """The platform's name as a message writes it before Chinese text: a Latin name gets a space."""
    name = freshness.PLATFORM_NAMES.get(platform, platform)
    return f"{name} " if name.isascii() else name
#: Every alert without a host or platform suffix (each is 0 or 1 on /metrics).
PLAIN_ALERTS = ("pass_failed", "no_successful_pass", "deliveries_failing", "youtube_quota", "tikhub_allowance",
                "database_large")


class Kind:
    """What an event's message says about its alert."""

    FIRING = "firing"
    REPEAT = "repeat"
    RESOLVED = "resolved"
    TEST = "test"


@dataclasses.dataclass(frozen=True)
class Alert:
    """An alert that fires now: its key, what is wrong (with the numbers) and since when."""

    key: str
    summary: str
    since: dt.datetime


@dataclasses.dataclass
class AlertEvent:
    """A message due for an alert (firing, repeat or resolved); `id` is its event row."""

    key: str
    kind: str
    summary: str
    since: dt.datetime
    at: dt.datetime
    id: int | None = None


def headline(key: str) -> str:
    """What an alert is about, in a few words (the message title)."""
    name, _, subject = key.partition(":")
    platform = platform_label(subject)
    return {
        "pass_failed": "定时回传失败",
        "no_successful_pass": "长时间没有成功的回传",
        "deliveries_failing": "大量任务回传失败",
        "callback_host_down": f"回调地址 {subject} 无法送达",
        "counts_stale": f"{platform}数据过旧",
        "platform_dark": f"{platform}出口全部被暂停",
        "youtube_quota": "YouTube API 配额即将用完",
        "tikhub_allowance": "TikHub 今日额度已用完",
        "database_large": "数据库容量超过阈值",
    }.get(name, key)


# --------------------------------------------------------------------------------------------
# Rules


def firing_alerts(config: Config, facts: dict, now: dt.datetime) -> list[Alert]:
    """Every alert that fires for these facts (`read_facts`), with its summary and start."""
    alerts: list[Alert] = []
    if facts["switch_on"]:
        alerts += _pass_alerts(config, facts, now)
    alerts += _budget_alerts(config, facts, now)
    for platform, egresses in sorted(facts["egresses"].items()):
        if egresses and all(egress["state"] == "benched" for egress in egresses):
            back = min(egress["benched_until"] for egress in egresses)
            alerts.append(Alert(f"platform_dark:{platform}",
                                f"{platform_label(platform)}的 {len(egresses)} 个出口全部因被封锁而暂停，"
                                f"最早 {format_time(back)} 恢复", now))
    return alerts


def _pass_alerts(config: Config, facts: dict, now: dt.datetime) -> list[Alert]:
    alerts = []
    scheduled = facts["last_scheduled"]
    if scheduled and scheduled["status"] in (RunStatus.FAILED, RunStatus.ABANDONED):
        how = "失败" if scheduled["status"] == RunStatus.FAILED else "中断（执行它的进程停止了响应）"
        reason = f"：{scheduled['error'][:200]}" if scheduled["error"] else ""
        alerts.append(Alert("pass_failed", f"第 {scheduled['id']} 轮定时回传{how}{reason}", scheduled["finished_at"]))
    since = max(filter(None, (facts["enabled_at"], facts["last_success_at"])), default=None)
    if since is not None and now - since >= dt.timedelta(minutes=config.alert_no_pass_minutes):
        last = format_time(facts["last_success_at"]) if facts["last_success_at"] else "开启以来从未成功"
        alerts.append(Alert("no_successful_pass",
                            f"已有 {duration_text(now - since)}没有成功完成的回传"
                            f"（阈值 {config.alert_no_pass_minutes} 分钟；上次成功：{last}）", since))
    full = facts["last_full"]
    if full is None:
        return alerts
    total, failed = full["total"], full["failed_count"]
    if total >= MIN_TASKS_FOR_RATIO and failed > config.alert_failed_ratio * total:
        alerts.append(Alert("deliveries_failing",
                            f"第 {full['id']} 轮回传中 {failed}/{total} 个任务回传失败"
                            f"（{failed * 100 // total}%，阈值 {config.alert_failed_ratio:.0%}）", full["finished_at"]))
    for host, (delivered, sent) in sorted(facts["callback_hosts"].items()):
        if sent and not delivered:
            alerts.append(Alert(f"callback_host_down:{host}",
                                f"第 {full['id']} 轮回传中发往 {host} 的 {sent}/{sent} 个回传全部失败",
                                full["finished_at"]))
    for platform, figures in sorted((full["freshness"] or {}).items()):
        oldest = figures.get("max_age_s")
        if oldest is not None and oldest > config.stale_warn_hours * 3600:
            alerts.append(Alert(f"counts_stale:{platform}",
                                f"{platform_label(platform)}最旧的数据已是 {oldest / 3600:.0f} 小时前读取的"
                                f"（{figures.get('tasks', 0)} 个任务，阈值 {config.stale_warn_hours} 小时）",
                                full["finished_at"]))
    return alerts


def _budget_alerts(config: Config, facts: dict, now: dt.datetime) -> list[Alert]:
    alerts = []
    units, quota = facts["youtube_units"] or 0, config.youtube_daily_quota
    if config.youtube_api_key and quota and units > YOUTUBE_QUOTA_SHARE * quota:
        alerts.append(Alert("youtube_quota", f"YouTube API 今日配额已用 {units}/{quota} 单位（{units * 100 // quota}%），"
                                             "用完后改读网页，太平洋时间午夜重置", now))
    used, allowance = facts["tikhub_requests"] or 0, config.tikhub_daily_requests
    if config.tikhub_api_key and allowance and used >= allowance:
        alerts.append(Alert("tikhub_allowance", f"TikHub 今日请求额度已用完：{used}/{allowance} 次（UTC 午夜重置）", now))
    size = facts.get("database_bytes")
    if config.alert_database_gb and size is not None and size > config.alert_database_gb * 1e9:
        alerts.append(Alert("database_large", f"数据库已有 {size / 1e9:.1f} GB，超过阈值 {config.alert_database_gb:g} GB"
                                              "（ALERT_DATABASE_GB）；各部分大小与稳定后的估算见 --plan", now))
    return alerts


def read_facts(cursor, config: Config, now: dt.datetime) -> dict:
    """What the rules need, read on `cursor` (a RealDictCursor inside the alerts' lock)."""

    def one(sql: str, params: dict | None = None) -> dict | None:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return dict(row) if row else None

    facts = one(queries.FETCH_ALERT_SWITCH) or {"switch_on": False, "enabled_at": None, "last_success_at": None}
    facts["last_scheduled"] = one(queries.FETCH_LAST_SCHEDULED_RUN)
    facts["last_full"] = one(queries.FETCH_LAST_FULL_RUN)
    facts["callback_hosts"] = {}
    if facts["last_full"]:
        cursor.execute(queries.FETCH_RUN_CALLBACKS, {"run_id": facts["last_full"]["id"]})
        facts["callback_hosts"] = {row["host"]: (row["delivered"], row["total"]) for row in cursor.fetchall()}
    facts.update(one(queries.FETCH_BUDGETS_USED, {"quota_day": pacific_day(now), "tikhub_day": now.date()}))
    if config.alert_database_gb:
        facts["database_bytes"] = one(queries.FETCH_DATABASE_SIZE)["bytes"]
    cursor.execute(queries.FETCH_EGRESS_STATUS)
    facts["egresses"] = {}
    for egress in egress_status(config, [dict(row) for row in cursor.fetchall()], now):
        if egress["state"] == "benched":
            egress["benched_until"] = dt.datetime.fromisoformat(egress["benched_until"])
        facts["egresses"].setdefault(egress["platform"], []).append(egress)
    return facts


# --------------------------------------------------------------------------------------------
# Transitions


def evaluate_alerts(config: Config, database: Database, now: dt.datetime) -> list[AlertEvent]:
    """Read the facts, and record what started firing, is due a reminder, or has resolved since
    the last evaluation by any process; the events this call owns (their messages are to send)."""
    scrub = SecretScrubber(config.secrets()).scrub
    repeat = dt.timedelta(hours=config.alert_repeat_hours)
    events: list[AlertEvent] = []
    with database.connection() as conn, wrap_errors("告警状态读写失败"):
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(queries.LOCK_ALERTS)
            alerts = {alert.key: alert for alert in firing_alerts(config, read_facts(cur, config, now), now)}
            cur.execute(queries.FETCH_FIRING_ALERTS)
            stored = {row["key"]: dict(row) for row in cur.fetchall()}
            for key, alert in alerts.items():
                params = {"key": key, "summary": scrub(alert.summary)[:1000], "since": min(alert.since, now),
                          "now": now, "due": now - repeat}
                if key not in stored:
                    cur.execute(queries.INSERT_ALERT, params)
                    kind = Kind.FIRING
                else:
                    cur.execute(queries.CLAIM_ALERT_REPEAT, params)
                    kind = Kind.REPEAT
                row = cur.fetchone()
                if row is not None:
                    events.append(AlertEvent(key, kind, params["summary"], row["since"], now))
                else:
                    cur.execute(queries.UPDATE_ALERT_SUMMARY, params)
            for key in sorted(stored.keys() - alerts.keys()):
                cur.execute(queries.RESOLVE_ALERT, {"key": key})
                row = cur.fetchone()
                if row is not None:
                    events.append(AlertEvent(key, Kind.RESOLVED, row["summary"], row["since"], now))
            for event in events:
                cur.execute(queries.INSERT_ALERT_EVENT, {"at": now, "key": event.key, "kind": event.kind,
                                                         "summary": event.summary})
                event.id = cur.fetchone()["id"]
    return events


# --------------------------------------------------------------------------------------------
# Messages


def format_time(value: dt.datetime) -> str:
    """A time as operators read it in a message: 北京时间 2026-12-07 12:00."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return "北京时间 " + value.astimezone(MESSAGE_ZONE).strftime("%Y-%m-%d %H:%M")


def duration_text(delta: dt.timedelta) -> str:
    """A duration in words: 3 小时 5 分钟, 25 分钟, 2 天 4 小时."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {minutes} 分钟" if minutes else f"{hours} 小时"
    return f"{minutes} 分钟"


def message_for(config: Config, event: AlertEvent) -> tuple[str, str]:
    """The title and body of an event's message: short Chinese text, plain numbers, the start,
    and the page link when ADMIN_PUBLIC_URL is set. Summaries were scrubbed when stored."""
    title_prefix = {Kind.FIRING: "【告警】", Kind.REPEAT: "【仍在告警】", Kind.RESOLVED: "【告警已恢复】"}[event.kind]
    title = f"{title_prefix}{config.site_name}：{headline(event.key)}"
    lasted = duration_text(event.at - event.since)
    if event.kind == Kind.FIRING:
        lines = [event.summary, f"开始于 {format_time(event.since)}"]
    elif event.kind == Kind.REPEAT:
        lines = [event.summary, f"开始于 {format_time(event.since)}，已持续 {lasted}"]
    else:
        lines = [f"已恢复：{headline(event.key)}", f"告警时：{event.summary}", f"持续了 {lasted}（{format_time(event.since)} 起）"]
    if config.admin_public_url:
        lines.append(f"查看：{config.admin_public_url}")
    return title, "\n".join(lines)


def test_message(config: Config, now: dt.datetime) -> tuple[str, str]:
    """The title and body of 发送测试告警."""
    lines = [f"这是一条测试告警，发送于 {format_time(now)}。收到即说明告警渠道可用。"]
    if config.admin_public_url:
        lines.append(f"查看：{config.admin_public_url}")
    return f"【测试】{config.site_name}：告警通知测试", "\n".join(lines)


def metric_keys(firing: Iterable[str]) -> dict[str, int]:
    """broadcaster_alerts_firing: every plain alert (0 or 1) and every firing suffixed one (1)."""
    values = dict.fromkeys(PLAIN_ALERTS, 0)
    values.update(dict.fromkeys(firing, 1))
    return values
