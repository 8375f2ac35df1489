"""GET /api/alerts, POST /api/alerts/test (docs/operations.md#alerts), GET /api/digest and POST /api/digest/test (docs/operations.md#the-daily-digest), in
their own blueprint.

Authentication is the app's before_request hook, which covers every blueprint.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from broadcaster.access import audit
from broadcaster.access.audit import audited
from broadcaster.alerting import notifier
from broadcaster.alerting.alerts import Kind
from broadcaster.alerting.channels import mask_channel
from broadcaster.core.clock import isoformat
from broadcaster.core.json_schema import (
    BOOLEAN,
    INTEGER,
    STRING,
    TIME,
    array,
    described,
    nullable,
    obj,
    one_of_values,
    project,
    shaped,
)
from broadcaster.storage import queries
from broadcaster.web.openapi import documented, envelope, json_answer
from broadcaster.web.shapes import error_response
from broadcaster.web.state import app_state

bp = Blueprint("alerts", __name__)

#: The page shows this many of the last 7 days' events.
RECENT_EVENTS = 50


ALERT = obj({"key": described(STRING, "告警键，如 callback_host_down:<主机>"), "summary": STRING, "since": TIME,
             "last_sent_at": nullable(TIME)}, title="Alert", description="正在告警的一项（ALERT）")
EVENT = obj({
    "at": TIME, "key": STRING, "kind": one_of_values((Kind.FIRING, Kind.REPEAT, Kind.RESOLVED, Kind.TEST)), "summary": STRING,
    "sent": described(nullable(INTEGER), "发送成功的渠道数；仍在发送时为 null"),
    "failed": described(nullable(INTEGER), "发送失败的渠道数"),
    "error": nullable(STRING),
}, title="AlertEvent", description="一条告警消息（EVENT）")
OVERVIEW = obj({
    "channels": described(array(STRING), "告警渠道（隐去令牌）"),
    "firing": array(ALERT),
    "recent": described(array(EVENT), "最近 7 天，最新的在前"),
}, title="AlertOverview")
CHANNEL_RESULT = obj({"channel": described(STRING, "渠道（隐去令牌）"), "ok": BOOLEAN, "error": nullable(STRING)},
                     title="ChannelResult")
#: What a test message answers (POST /api/alerts/test), one result per channel.
CHANNEL_RESULTS = obj({"success": described(BOOLEAN, "全部渠道都发送成功时为 true"), "data": array(CHANNEL_RESULT)},
                      title="ChannelResults")


def channel_results(results) -> dict:
    """CHANNEL_RESULTS of notifier results."""
    return shaped(CHANNEL_RESULTS, success=all(result.ok for result in results), data=[
        shaped(CHANNEL_RESULT, channel=result.channel, ok=result.ok, error=result.error) for result in results])


def alert_json(row: dict) -> dict:
    """ALERT of docs/http-api.md#routes."""
    return project(ALERT, row)


def event_json(row: dict) -> dict:
    """EVENT of docs/http-api.md#routes (`sent`/`failed` are null while the message is still being sent)."""
    return project(EVENT, row)


@bp.get("/api/alerts")
@documented("告警渠道、正在告警的项和最近 7 天的告警消息", tag="告警", ok=json_answer(envelope(OVERVIEW), "告警概况"))
def alerts():
    """The channels (masked), what fires now and since when, the last 7 days' events."""
    state = app_state()
    config, database = state.config, state.database
    firing = database.fetch_all(queries.FETCH_FIRING_ALERTS)
    recent = database.fetch_all(queries.FETCH_ALERT_EVENTS, {"limit": RECENT_EVENTS})
    return jsonify({"success": True, "data": shaped(
        OVERVIEW,
        channels=[mask_channel(url) for url in config.alert_urls],
        firing=[alert_json(row) for row in firing],
        recent=[event_json(row) for row in recent],
    )})


DIGEST_LAST = obj({"day": described({"type": "string", "format": "date"}, "北京时间的日期"),
                   "sent_at": TIME, "sent": described(nullable(INTEGER), "发送成功的渠道数；仍在发送时为 null"),
                   "failed": nullable(INTEGER), "error": nullable(STRING)},
                  title="DigestLast", description="最近一份日报")
DIGEST_STATE = obj({"at": described(nullable(STRING), "DIGEST_AT（北京时间 HH:MM）；未设置时为 null"),
                    "last": nullable(DIGEST_LAST)}, title="DigestState")


@bp.get("/api/digest")
@documented("每日日报：发送时间和最近一份的结果", tag="告警", ok=json_answer(envelope(DIGEST_STATE), "日报状态"))
def digest_state():
    """The daily digest: its time (DIGEST_AT, Beijing) and how the last one went (the 告警 card shows both)."""
    state = app_state()
    config, database = state.config, state.database
    last = database.fetch_one(queries.FETCH_LAST_DIGEST)
    return jsonify({"success": True, "data": shaped(DIGEST_STATE, at=config.digest_at,
                                                    last=digest_json(last) if last else None)})


def digest_json(row: dict) -> dict:
    """The last daily digest: its Beijing day, when it was sent, and how many channels took it."""
    return shaped(DIGEST_LAST, day=row["day"].isoformat(), sent_at=isoformat(row["finished_at"] or row["claimed_at"]),
                  sent=row["sent"], failed=row["failed"], error=row["error"])


@bp.post("/api/alerts/test")
@audited(audit.ALERT_TEST)
@documented("向每个告警渠道发送一条测试消息", tag="告警",
            ok=json_answer(CHANNEL_RESULTS, "每个渠道的结果"),
            errors={400: "未配置告警渠道（ALERT_URLS）"})
def send_test():
    """A test message to every channel; each channel's result."""
    return _send_to_channels(notifier.send_test_alert)


@bp.post("/api/digest/test")
@audited(audit.DIGEST_TEST)
@documented("立即把日报发送到每个告警渠道（仅操作员）", tag="告警",
            ok=json_answer(CHANNEL_RESULTS, "每个渠道的结果（与 POST /api/alerts/test 相同）"),
            errors={400: "未配置告警渠道（ALERT_URLS）"})
def send_test_digest():
    """The daily digest now, to every channel (operators only: the auth hook); each channel's result."""
    return _send_to_channels(notifier.send_test_digest)


def _send_to_channels(send):
    state = app_state()
    config, database = state.config, state.database
    if not config.alert_urls:
        return error_response("未配置告警渠道：请先设置 ALERT_URLS", 400)
    return jsonify(channel_results(send(config, database)))
