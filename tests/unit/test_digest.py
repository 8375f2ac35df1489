"""The daily digest (docs/operations.md#the-daily-digest): when it is due, once a day across processes (a missed one once
the same Beijing day, never twice), what it says and how it fits every channel, the test route."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
import responses
from werkzeug.security import generate_password_hash

import stats_broadcaster as sb
from admin_api import create_app
from broadcaster.alerting import channels, digest, notifier
from broadcaster.reports import projects
from broadcaster.storage.db import Database
from fakes.alert_receiver import Receiver
from tests.conftest import insert_task, token_client, wait_until

BEIJING = dt.timezone(dt.timedelta(hours=8))
TG_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"


def beijing(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time on 2026-12-`day`, Beijing, as UTC."""
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=BEIJING).astimezone(dt.UTC)


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def digest_config(config, receiver):
    return config.replace(alert_urls=(receiver.url,), digest_at="09:30")


def facts(**changes) -> dict:
    """The facts of a quiet day (`digest.read_facts`'s shape)."""
    base = {"passes": {"passes": 480, "succeeded": 478, "failed": 1, "interrupted": 1, "delivered": 4_780_000,
                       "not_delivered": 12},
            "top": [], "new_unavailable": [], "stalled": 0, "freshness": {}, "firing": []}
    base.update(changes)
    return base


# --------------------------------------------------------------------------------------------
# When


@pytest.mark.parametrize(("now", "due"), [
    (beijing(7, 9, 29), None),
    (beijing(7, 9, 30), dt.date(2026, 12, 7)),
    (beijing(7, 23, 59), dt.date(2026, 12, 7)),  # every process was down at 09:30: still today's
    (beijing(8, 0, 0), None),  # a new Beijing day (16:00 UTC): yesterday's is not sent late
])
def test_the_digest_is_due_from_digest_at_until_beijing_midnight(digest_config, now, due):
    """DIGEST_AT is Beijing time; the day is Beijing's."""
    assert due == digest.due_day(digest_config, now)


def test_no_digest_without_digest_at_or_channels(config, receiver):
    """DIGEST_AT unset (the default) or no ALERT_URLS: never due."""
    assert digest.due_day(config.replace(alert_urls=(receiver.url,)), beijing(7, 12)) is None
    assert digest.due_day(config.replace(digest_at="09:30"), beijing(7, 12)) is None


def test_one_digest_a_day_however_many_processes_check(database_url, database, digest_config, receiver):
    """Eight monitors, each with its own pool (as eight processes), check at once at 09:31: one
    message; checks later that day send nothing; the next day's goes out from its DIGEST_AT."""
    monitors = [notifier.AlertMonitor(digest_config, Database(database_url)) for _ in range(8)]
    barrier = threading.Barrier(len(monitors))

    def check(monitor):
        barrier.wait()
        monitor.check(beijing(7, 9, 31))

    threads = [threading.Thread(target=check, args=(monitor,)) for monitor in monitors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for monitor in monitors:
        assert monitor.deliveries.wait(20)
    for at in (beijing(7, 14), beijing(7, 23, 59), beijing(8, 9, 29)):
        monitors[0].check(at)
    assert receiver.wait_for(1) and not wait_until(lambda: len(receiver.messages) > 1, 1)
    monitors[3].check(beijing(8, 9, 30))
    assert monitors[3].deliveries.wait(20) and receiver.wait_for(2)
    for monitor in monitors:
        monitor.database.close()

    assert ["【日报】DramaRelayBot 回传日报 2026-12-07", "【日报】DramaRelayBot 回传日报 2026-12-08"] == receiver.titles()
    rows = database.fetch_all("SELECT day, sent, failed FROM broadcaster_digests ORDER BY day")
    assert [(dt.date(2026, 12, 7), 1, 0), (dt.date(2026, 12, 8), 1, 0)] == [tuple(row.values()) for row in rows]


def test_a_digest_that_cannot_be_written_is_tried_again(database, digest_config, receiver, monkeypatch):
    """The database fails while the facts are read: nothing went out, so the next check sends it."""
    monitor = notifier.AlertMonitor(digest_config, database)
    monkeypatch.setattr(digest, "read_facts", lambda *args: (_ for _ in ()).throw(RuntimeError("database gone")))
    monitor.check(beijing(7, 10))
    assert monitor.deliveries.wait(10) and [] == receiver.messages
    monkeypatch.undo()

    monitor.check(beijing(7, 10, 1))
    assert monitor.deliveries.wait(20) and receiver.wait_for(1)


# --------------------------------------------------------------------------------------------
# What


def test_the_message_reports_the_day_in_plain_numbers(config):
    """Passes, deliveries, the top projects, new unavailable videos, stalled tasks, count ages and
    the alerts firing; 告警 is always there (DingTalk's keyword); the page's link when set."""
    top = [{"project_id": f"p{i}", "sample_title": f"《剧{i}》第1集", "gain_24h": 10_000 - i, "views": 1_000_000 + i}
           for i in range(10)]
    since = beijing(7, 8)
    title, body = digest.digest_message(config.replace(admin_public_url="https://bot.example.com/admin"), facts(
        top=top, new_unavailable=[{"platform": "douyin", "videos": 1}, {"platform": "youtube", "videos": 2}],
        stalled=12, freshness={"youtube": {"tasks": 5, "max_age_s": 75060}, "tiktok": {"tasks": 3, "max_age_s": 1200}},
        firing=[{"key": "callback_host_down:x2c.example.com", "since": since}]), beijing(7, 9, 30))

    assert "【日报】DramaRelayBot 回传日报 2026-12-07" == title
    lines = body.splitlines()
    assert "北京时间 2026-12-07 09:30，最近 24 小时：" == lines[0]
    assert "回传 480 轮：成功 478，失败 1，中断 1" == lines[1]
    assert "任务回传：成功 4780000 次，失败 12 次" == lines[2]
    assert "1. 《剧0》第1集 +10000（累计 1000000）" == lines[4] and lines[13].startswith("10. 《剧9》")
    assert "新增不可用视频：3 个（抖音 1，YouTube 2）" in lines
    assert "停滞任务（3 天没有新增播放）：12 个" in lines
    assert "数据时效（上一轮全量回传中最旧的）：TikTok 20 分钟，YouTube 20.9 小时" in lines
    assert ["正在告警：1 个", "- 回调地址 x2c.example.com 无法送达（北京时间 2026-12-07 08:00 起）",
            "查看：https://bot.example.com/admin"] == lines[-3:]


def test_a_quiet_day_says_so_and_still_names_the_alerts(config):
    """No project gained, nothing gone, no alert: short lines that still carry 告警."""
    _, body = digest.digest_message(config, facts(passes={"passes": 0, "succeeded": 0, "failed": 0, "interrupted": 0,
                                                          "delivered": 0, "not_delivered": 0}), beijing(7, 9, 30))

    assert "播放量增长最多的项目：无（24 小时内没有项目新增播放）" in body
    assert "新增不可用视频：0 个" in body and "正在告警：无" in body


def test_long_titles_and_many_alerts_stay_within_wecoms_2048_bytes(config):
    """Ten 500-character titles and twelve alerts: the message shortens itself to fit."""
    top = [{"project_id": f"p{i}", "sample_title": "很长的标题" * 100, "gain_24h": 5, "views": 9} for i in range(10)]
    firing = [{"key": f"callback_host_down:host{i}.example.com", "since": beijing(7, 1)} for i in range(12)]
    title, body = digest.digest_message(config, facts(top=top, firing=firing), beijing(7, 9, 30))

    assert len(f"{title}\r\n{body}".encode()) <= digest.MESSAGE_BYTES
    assert "告警" in body and "- …另有 7 个" in body and "1. 很长的标题" in body


@responses.activate
def test_telegram_gets_the_text_escaped():
    """A `&` or `<` in a title goes to Telegram as &amp; and &lt; (its HTML mode), not as markup."""
    responses.post(f"https://api.telegram.org/bot{TG_TOKEN}/sendMessage", json={"ok": True})
    result = channels.send_to_channel(f"tgram://{TG_TOKEN}/-100123", "【日报】标题", "1. Tom & Jerry <3 +5")

    assert result.ok
    assert "1. Tom &amp; Jerry &lt;3 +5" in json.loads(responses.calls[0].request.body)["text"]


def test_the_digest_of_real_passes(database, fake, fake_config, receiver):
    """Two passes with rising counts: the digest counts them and names the project that grew."""
    fake.set_receiver("r")
    for name, video in (("a", "dQw4w9WgXcQ"), ("b", "aaaaaaaaaaa")):
        insert_task(database, title=f"《霸道总裁》{name}", project_id="boss", video_url=f"https://youtu.be/{video}",
                    callback_url=fake.callback_url("r"))
    for views in (1000, 1800):
        fake.add_video("youtube", "dQw4w9WgXcQ", views, 10)
        fake.add_video("youtube", "aaaaaaaaaaa", views // 10, 1)
        assert sb.broadcast_all_tasks(fake_config, database, trigger="cli")["success"]
    config = fake_config.replace(alert_urls=(receiver.url,), digest_at="00:00")
    monitor = notifier.AlertMonitor(config, database)

    monitor.check()
    assert monitor.deliveries.wait(20) and receiver.wait_for(1)
    body = receiver.messages[0]["message"]
    assert "回传 2 轮：成功 2，失败 0，中断 0" in body and "任务回传：成功 4 次，失败 0 次" in body
    assert "1. 《霸道总裁》a +880（累计 1980）" in body
    assert projects.as_of(database, config) is not None


# --------------------------------------------------------------------------------------------
# POST /api/digest/test


def test_the_test_route_sends_now_and_reports_each_channel(database, digest_config, receiver):
    """An operator: 200 with each channel's result, a 【测试日报】 at the receiver, an audit row."""
    client = token_client(create_app(digest_config, database=database))
    response = client.post("/api/digest/test")

    assert 200 == response.status_code
    assert {"success": True, "data": [{"channel": f"json://127.0.0.1:{receiver.port}", "ok": True,
                                       "error": None}]} == response.get_json()
    assert receiver.wait_for(1) and receiver.titles()[0].startswith("【测试日报】DramaRelayBot 回传日报 ")
    assert [("token", "digest_test", 200)] == [tuple(row.values()) for row in database.fetch_all(
        "SELECT user_name, action, status FROM broadcaster_audit")]
    assert {"at": "09:30", "last": None} == client.get("/api/digest").get_json()["data"]


def test_a_viewer_may_not_send_it_and_without_channels_it_says_what_to_set(database, config, receiver):
    """A viewer: 403, nothing sent. No ALERT_URLS: 400 naming the setting."""
    users = (("bob", "viewer", generate_password_hash("bob-pass", method="pbkdf2:sha256:1000")),)
    client = create_app(config.replace(alert_urls=(receiver.url,), admin_users=users), database=database).test_client()
    refused = client.post("/api/digest/test", auth=("bob", "bob-pass"))
    assert 403 == refused.status_code and "只读账号不能执行此操作" == refused.get_json()["error"]

    bare = token_client(create_app(config, database=database)).post("/api/digest/test")
    assert 400 == bare.status_code and "未配置告警渠道：请先设置 ALERT_URLS" == bare.get_json()["error"]
    assert [] == receiver.messages


# --------------------------------------------------------------------------------------------
# Several processes


