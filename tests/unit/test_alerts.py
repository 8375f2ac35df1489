"""Alerts (docs/operations.md#alerts): the rules, one message per firing/repeat/resolved across processes, channels
that fail or hang, 429s, tokens kept out of logs and answers, Healthchecks pings, the API."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import threading

import pytest
import responses

import stats_broadcaster as sb
from admin_api import create_app
from broadcaster.alerting import alerts, channels, notifier
from broadcaster.core.clock import pacific_day, utcnow
from broadcaster.core.config import Config, config_from_mapping
from broadcaster.core.errors import ConfigError
from broadcaster.core.logs import SecretScrubber, configure_logging
from broadcaster.engine.switch import switch_on
from broadcaster.storage import retention
from broadcaster.storage.db import Database
from fakes.alert_receiver import Receiver
from tests.conftest import ADMIN_TOKEN, insert_task, wait_until

TG_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"
BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
T0 = dt.datetime(2026, 12, 7, 4, 0, tzinfo=dt.UTC)


def insert_run(database: Database, *, trigger="schedule", status="succeeded", scope="all", total=0,
               success=0, error=None, freshness=None, finished_at=None) -> int:
    """A finished run row, as a pass leaves it."""
    return database.fetch_one(
        """INSERT INTO broadcaster_runs (trigger, status, scope, started_at, finished_at, total, done,
               success_count, failed_count, error, freshness)
           VALUES (%(trigger)s, %(status)s, %(scope)s, %(at)s, %(at)s, %(total)s, %(total)s, %(success)s,
                   %(failed)s, %(error)s, %(freshness)s::JSONB) RETURNING id""",
        {"trigger": trigger, "status": status, "scope": scope, "at": finished_at or utcnow(), "total": total,
         "success": success, "failed": total - success, "error": error,
         "freshness": json.dumps(freshness) if freshness else None})["id"]


def facts(**changes) -> dict:
    """Facts of a healthy, switched-on service (`alerts.read_facts`'s shape)."""
    base = {"switch_on": True, "enabled_at": T0 - dt.timedelta(hours=1), "last_success_at": T0,
            "last_scheduled": {"id": 7, "status": "succeeded", "finished_at": T0, "error": None},
            "last_full": {"id": 7, "finished_at": T0, "total": 200, "success_count": 200, "failed_count": 0,
                          "freshness": {}},
            "callback_hosts": {"x2c.example.com": (200, 200)}, "youtube_units": 0, "tikhub_requests": 0,
            "egresses": {}}
    base.update(changes)
    return base


def keys(config: Config, fact: dict, now: dt.datetime = T0) -> list[str]:
    return [alert.key for alert in alerts.firing_alerts(config, fact, now)]


# --------------------------------------------------------------------------------------------
# Rules


def test_a_healthy_service_fires_nothing():
    """Recent success, every delivery through, budgets far from their ends: no alert."""
    assert [] == keys(Config(), facts())


def test_each_rule_fires_with_its_numbers():
    """Each rule of docs/operations.md#alerts fires on its condition, and its summary carries the plain numbers."""
    config = Config(youtube_api_key="k" * 20, tikhub_api_key="t" * 20, tikhub_daily_requests=100,
                    alert_failed_ratio=0.1)
    full = {"id": 8, "finished_at": T0, "total": 200, "success_count": 163, "failed_count": 37,
            "freshness": {"tiktok": {"tasks": 40, "max_age_s": 30 * 3600}}}
    fired = alerts.firing_alerts(config, facts(
        last_scheduled={"id": 9, "status": "abandoned", "finished_at": T0, "error": "心跳超时"},
        last_success_at=T0 - dt.timedelta(minutes=20), last_full=full,
        callback_hosts={"down.example.com": (0, 12), "up.example.com": (150, 151)},
        youtube_units=9100, tikhub_requests=100,
        egresses={"douyin": [{"state": "benched", "benched_until": T0 + dt.timedelta(minutes=10)}],
                  "tiktok": [{"state": "benched", "benched_until": T0}, {"state": "ready"}]},
    ), T0)
    summaries = {alert.key: alert.summary for alert in fired}
    assert sorted(summaries) == ["callback_host_down:down.example.com", "counts_stale:tiktok", "deliveries_failing",
                                 "no_successful_pass", "pass_failed", "platform_dark:douyin", "tikhub_allowance",
                                 "youtube_quota"]
    assert "37/200 个任务回传失败" in summaries["deliveries_failing"]
    assert "12/12" in summaries["callback_host_down:down.example.com"]
    assert "9100/10000" in summaries["youtube_quota"] and "100/100" in summaries["tikhub_allowance"]
    assert "20 分钟" in summaries["no_successful_pass"] and "30 小时" in summaries["counts_stale:tiktok"]


def test_thresholds_and_the_switch():
    """Five tasks at least and more than the ratio; the pass alerts only while switched on."""
    small = {"id": 1, "finished_at": T0, "total": 4, "success_count": 0, "failed_count": 4, "freshness": {}}
    assert "deliveries_failing" not in keys(Config(), facts(last_full=small))
    at_ratio = {**small, "total": 10, "success_count": 8, "failed_count": 2}
    assert "deliveries_failing" not in keys(Config(), facts(last_full=at_ratio))
    assert "deliveries_failing" in keys(Config(alert_failed_ratio=0.1), facts(last_full=at_ratio))
    stale = facts(last_success_at=T0 - dt.timedelta(minutes=14))
    assert "no_successful_pass" not in keys(Config(), stale)
    assert "no_successful_pass" in keys(Config(alert_no_pass_minutes=10), stale)
    assert [] == keys(Config(), facts(switch_on=False, last_success_at=None, last_full=small))


# --------------------------------------------------------------------------------------------
# Firing, repeat, resolved: one message each, through a real json:// receiver


@pytest.fixture
def receiver():
    with Receiver() as receiver:
        yield receiver


def failing_service(database: Database) -> int:
    """Switched on, the last scheduled pass failed."""
    switch_on(database)
    return insert_run(database, status="failed", error="StorageError: 数据库查询失败", finished_at=T0)


def test_firing_then_a_reminder_then_one_resolved_message(database, config, receiver):
    """Firing → one message; checks before ALERT_REPEAT_HOURS → none; after → one reminder;
    cleared → one 已恢复 message. The clock is passed in, nothing sleeps."""
    config = config.replace(alert_urls=(receiver.url,), alert_no_pass_minutes=10080,
                            admin_public_url="https://bot.example.com/admin")
    run_id = failing_service(database)
    monitor = notifier.AlertMonitor(config, database)

    assert ["pass_failed"] == [event.key for event in monitor.check(T0 + dt.timedelta(minutes=1))]
    assert monitor.deliveries.wait(15) and receiver.wait_for(1)
    for minutes in (2, 30, 239):
        assert [] == monitor.check(T0 + dt.timedelta(minutes=minutes))
    assert ["repeat"] == [event.kind for event in monitor.check(T0 + dt.timedelta(hours=4, minutes=2))]
    assert [] == monitor.check(T0 + dt.timedelta(hours=4, minutes=3))
    insert_run(database, status="succeeded", finished_at=T0 + dt.timedelta(hours=5))
    assert ["resolved"] == [event.kind for event in monitor.check(T0 + dt.timedelta(hours=5, minutes=1))]
    assert [] == monitor.check(T0 + dt.timedelta(hours=5, minutes=2))
    assert monitor.deliveries.wait(15) and receiver.wait_for(3)

    assert receiver.titles() == ["【告警】DramaRelayBot：定时回传失败", "【仍在告警】DramaRelayBot：定时回传失败",
                                 "【告警已恢复】DramaRelayBot：定时回传失败"]
    first, reminder, resolved = (message["message"] for message in receiver.messages)
    assert f"第 {run_id} 轮定时回传失败" in first and "开始于 北京时间 2026-12-07 12:00" in first
    assert "https://bot.example.com/admin" in first
    assert "已持续 4 小时 2 分钟" in reminder
    assert "持续了 5 小时 1 分钟" in resolved
    events = database.fetch_all("SELECT kind, sent, failed, error FROM broadcaster_alert_events ORDER BY id")
    assert [(e["kind"], e["sent"], e["failed"], e["error"]) for e in events] == [
        ("firing", 1, 0, None), ("repeat", 1, 0, None), ("resolved", 1, 0, None)]


def test_many_evaluators_at_once_send_one_message(database, database_url, config, receiver):
    """Eight processes' worth of monitors (own connection pools) check at the same moment:
    one firing message."""
    config = config.replace(alert_urls=(receiver.url,), alert_no_pass_minutes=10080)
    failing_service(database)
    pools = [Database(database_url) for _ in range(8)]
    monitors = [notifier.AlertMonitor(config, pool) for pool in pools]
    barrier = threading.Barrier(len(monitors))
    owned: list = []

    def check(monitor):
        barrier.wait()
        owned.extend(monitor.check(T0 + dt.timedelta(minutes=1)))

    threads = [threading.Thread(target=check, args=(monitor,)) for monitor in monitors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(monitor.deliveries.wait(15) for monitor in monitors)
    for pool in pools:
        pool.close()
    assert 1 == len(owned) and 1 == len(receiver.messages)


@pytest.mark.parametrize("mode, error", [("fail", "HTTP 500"), ("hang", "超时")])
def test_a_failing_or_hanging_channel_is_recorded_failed(database, config, receiver, mode, error):
    """The other channel still gets the message; the event says 1 sent, 1 failed, and why."""
    with Receiver(mode) as bad:
        config = config.replace(alert_urls=(receiver.url, bad.url), alert_no_pass_minutes=10080)
        failing_service(database)
        monitor = notifier.AlertMonitor(config, database, send=functools.partial(channels.send_to_channels,
                                                                                 timeout=1.5))
        monitor.check(T0)
        assert monitor.deliveries.wait(15)
    event = database.fetch_one("SELECT sent, failed, error FROM broadcaster_alert_events")
    assert (1, 1) == (event["sent"], event["failed"])
    assert event["error"].startswith(f"json://127.0.0.1:{bad.port}: {error}")
    assert 1 == len(receiver.messages)


def test_a_429_is_retried_no_sooner_than_asked(receiver):
    """json:// answering 429 with Retry-After: 7 → one wait of 7 s (recorded, not slept), then sent."""
    waits = []
    with Receiver("429", retry_after=7) as limited:
        result = channels.send_to_channel(limited.url, "t", "b", sleep=waits.append)
    assert result.ok and [7.0] == waits and 2 == len(limited.messages)
    with Receiver("429", retry_after=600) as limited:
        result = channels.send_to_channel(limited.url, "t", "b", sleep=waits.append)
    assert not result.ok and "600 秒" in result.error and [7.0] == waits


@responses.activate
def test_telegram_429_waits_for_retry_after_and_the_token_stays_out(capfd):
    """Telegram's 429 names its wait in parameters.retry_after; the bot token is never logged."""
    url = f"https://api.telegram.org/bot{TG_TOKEN}/sendMessage"
    responses.post(url, status=429, json={"ok": False, "error_code": 429, "description": "Too Many Requests",
                                          "parameters": {"retry_after": 3}})
    responses.post(url, json={"ok": True, "result": {}})
    config = config_from_mapping({"ALERT_URLS": f"tgram://{TG_TOKEN}/-100123456"})
    waits = []
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(config.secrets())
        result = channels.send_to_channel(config.alert_urls[0], "t", "b", sleep=waits.append)
        logging.getLogger("test").warning("request failed: %s", url)  # an exception text quoting the URL
    finally:
        root.handlers[:], root.level = saved
    assert result.ok and [3.0] == waits
    assert "tgram://***" == result.channel
    err = capfd.readouterr().err
    assert "failed" in err and TG_TOKEN not in err and TG_TOKEN.split(":")[1] not in err


def test_the_scrubber_hides_any_telegram_token_and_every_alert_secret():
    """The Telegram token pattern is scrubbed even when it is not configured; so is each
    ALERT_URLS/HEALTHCHECK_URL secret."""
    config = config_from_mapping({
        "ALERT_URLS": "dingtalk://SECRETab12cd34@0123456789abcdef0123456789abcdef/ "
                      "wecombot://e5b9b29c-5f1a-4b53-8c7c-123456789abc",
        "HEALTHCHECK_URL": "https://hc-ping.com/0b9e3f3c-61cd-4a38-a7e6-5f1a0d9c1e2f"})
    scrub = SecretScrubber(config.secrets()).scrub
    text = scrub(f"POST https://api.telegram.org/bot{TG_TOKEN}/sendMessage, SECRETab12cd34, "
                 "0123456789abcdef0123456789abcdef, e5b9b29c-5f1a-4b53-8c7c-123456789abc, "
                 "GET https://hc-ping.com/0b9e3f3c-61cd-4a38-a7e6-5f1a0d9c1e2f/fail")
    for secret in (TG_TOKEN, "SECRETab12cd34", "0123456789abcdef", "e5b9b29c", "0b9e3f3c"):
        assert secret not in text
    assert "api.telegram.org/bot***/sendMessage" in text and "GET ***/fail" in text


def test_a_malformed_alert_url_stops_start_up_naming_its_position(monkeypatch, capsys):
    """The setting and the entry's position, never its token; --once exits 2 with one line."""
    raw = f"json://127.0.0.1:9/a, tgram://{TG_TOKEN}/-1001 nosuchservice://SECRETTOKEN123456"
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"ALERT_URLS": raw})
    assert "ALERT_URLS 第 3 项" in str(caught.value) and "SECRETTOKEN" not in str(caught.value)
    with pytest.raises(ConfigError, match="ALERT_URLS 第 1 项"):
        config_from_mapping({"ALERT_URLS": "tgram://"})
    monkeypatch.setenv("ALERT_URLS", raw)
    assert 2 == sb.main(["--once"])
    err = capsys.readouterr().err
    assert 1 == len(err.strip().splitlines()) and "ALERT_URLS 第 3 项" in err and "SECRETTOKEN" not in err


def test_channels_are_masked():
    """scheme://host when the host is a host name; *** where the host is a token."""
    assert "tgram://***" == channels.mask_channel(f"tgram://{TG_TOKEN}/-100123")
    assert "mailto://example.com" == channels.mask_channel("mailto://user:pw@example.com")
    assert "json://127.0.0.1:8080" == channels.mask_channel("json://127.0.0.1:8080/hook")
    assert "wecombot://***" == channels.mask_channel("wecombot://e5b9b29c-5f1a-4b53-8c7c-123456789abc")


# --------------------------------------------------------------------------------------------
# The API and /metrics


def test_api_lists_channels_firing_and_events_and_the_test_reports_each_channel(database, config, receiver):
    """POST /api/alerts/test: one result per channel (masked); GET /api/alerts as docs/http-api.md#routes; counters."""
    with Receiver("fail") as bad:
        config = config.replace(alert_urls=(receiver.url, bad.url, f"tgram://{TG_TOKEN}/-100123"),
                                alert_no_pass_minutes=10080)
        client = create_app(config, database=database).test_client()
        failing_service(database)
        notifier.AlertMonitor(config.replace(alert_urls=()), database).check(T0)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
            mocked.add_passthru(f"http://127.0.0.1:{receiver.port}")
            mocked.add_passthru(f"http://127.0.0.1:{bad.port}")
            mocked.post(f"https://api.telegram.org/bot{TG_TOKEN}/sendMessage", json={"ok": True, "result": {}})
            answer = client.post("/api/alerts/test", headers=BEARER)
        body = answer.get_data(as_text=True)
        listed = client.get("/api/alerts", headers=BEARER).get_data(as_text=True)
    assert 200 == answer.status_code
    assert answer.json == {"success": False, "data": [
        {"channel": f"json://127.0.0.1:{receiver.port}", "ok": True, "error": None},
        {"channel": f"json://127.0.0.1:{bad.port}", "ok": False, "error": "HTTP 500：Internal server error"},
        {"channel": "tgram://***", "ok": True, "error": None}]}
    data = json.loads(listed)["data"]
    assert data["channels"] == [f"json://127.0.0.1:{receiver.port}", f"json://127.0.0.1:{bad.port}", "tgram://***"]
    assert [alert["key"] for alert in data["firing"]] == ["pass_failed"]
    assert set(data["firing"][0]) == {"key", "summary", "since", "last_sent_at"}
    assert data["recent"][0]["kind"] == "test" and (data["recent"][0]["sent"], data["recent"][0]["failed"]) == (2, 1)
    assert set(data["recent"][0]) == {"at", "key", "kind", "summary", "sent", "failed", "error"}
    assert TG_TOKEN not in body + listed and TG_TOKEN.split(":")[1] not in body + listed
    metrics = client.get("/metrics", headers=BEARER).get_data(as_text=True)
    assert 'broadcaster_alerts_firing{alert="pass_failed"} 1.0' in metrics
    assert 'broadcaster_alerts_firing{alert="youtube_quota"} 0.0' in metrics
    assert 'broadcaster_alert_notifications_total{result="sent"} 2.0' in metrics
    assert 'broadcaster_alert_notifications_total{result="failed"} 1.0' in metrics


def test_the_test_button_without_channels_says_what_to_set(database, config):
    client = create_app(config, database=database).test_client()
    answer = client.post("/api/alerts/test", headers=BEARER)
    assert 400 == answer.status_code and "ALERT_URLS" in answer.json["error"]
    assert {"channels": [], "firing": [], "recent": []} == client.get("/api/alerts", headers=BEARER).json["data"]


def test_events_older_than_7_days_are_pruned(database):
    database.execute("INSERT INTO broadcaster_alert_events (at, key, kind, summary) VALUES "
                     "(NOW() - INTERVAL '8 days', 'pass_failed', 'firing', 'old'), (NOW(), 'pass_failed', 'resolved', 'new')")
    retention.prune_rows(database, days=7)
    assert ["new"] == [row["summary"] for row in database.fetch_all("SELECT summary FROM broadcaster_alert_events")]


# --------------------------------------------------------------------------------------------
# Passes are unaffected; Healthchecks


def seed_failing_deliveries(database, fake, count=5):
    """`count` tasks whose receiver is gone: every delivery fails."""
    fake.add_video("youtube", "dQw4w9WgXcQ", 1200, 34)
    fake.set_receiver("gone", "gone")
    for _ in range(count):
        insert_task(database, callback_url=fake.callback_url("gone"))


def run_scheduled_pass(config, database, fetcher, **alert_options) -> tuple[dict, sb.Broadcaster]:
    """Switch on and run one supervisor tick (a scheduled pass, in this process)."""
    switch_on(database)
    broadcaster = sb.Broadcaster(config, database, fetcher=fetcher, schema_ready=True)
    broadcaster.alerts = notifier.AlertMonitor(config, database, **alert_options)
    broadcaster.alerts.start()  # as start() would, without the supervisor thread
    return broadcaster.run_once(), broadcaster


def test_a_hanging_channel_leaves_the_pass_as_it_is(database, fake, fake_config):
    """The same pass with alerts off and with a hanging channel and ping target: same result and
    webhooks; the pass returns while the alert is still being sent, which then says failed."""
    from video_stats_fetcher import VideoStatsFetcher

    seed_failing_deliveries(database, fake)
    fetcher = VideoStatsFetcher.from_config(fake_config)
    off, broadcaster = run_scheduled_pass(fake_config, database, fetcher)
    broadcaster.stop()
    webhooks_off = len(fake.received("gone"))
    database.execute("DELETE FROM broadcaster_runs")
    with Receiver("hang") as hanging:
        config = fake_config.replace(alert_urls=(hanging.url,), healthcheck_url=hanging.base)
        on, broadcaster = run_scheduled_pass(config, database, fetcher,
                                             send=functools.partial(channels.send_to_channels, timeout=2))
        assert hanging.wait_for(1) and hanging.wait_for(1, pings=True)
        pending = database.fetch_all("SELECT key, sent FROM broadcaster_alert_events ORDER BY key")
        assert broadcaster.alerts.deliveries.wait(15)
        broadcaster.stop()
    assert {key: off[key] for key in ("total", "success_count", "failed_count")} == {
        key: on[key] for key in ("total", "success_count", "failed_count")}
    assert (5, 5, 0) == (on["total"], on["failed_count"], on["success_count"])
    assert 2 * webhooks_off == len(fake.received("gone"))
    assert {"deliveries_failing", "callback_host_down:127.0.0.1"} <= {row["key"] for row in pending}
    assert all(row["sent"] is None for row in pending)  # still being sent after the pass returned
    events = database.fetch_all("SELECT sent, failed, error FROM broadcaster_alert_events")
    assert all((0, 1) == (e["sent"], e["failed"]) and "超时" in e["error"] for e in events)


class BrokenFetcher:
    def __getattr__(self, name):
        raise RuntimeError("fetcher broken")


def test_healthcheck_pings_start_success_and_fail(database, fake, fake_config):
    """/start and the bare URL around a good scheduled pass; /fail for a failed and an
    abandoned one; a manual pass pings nothing."""
    from video_stats_fetcher import VideoStatsFetcher

    fake.add_video("youtube", "dQw4w9WgXcQ", 1200, 34)
    fake.set_receiver("ok")
    insert_task(database, callback_url=fake.callback_url("ok"))
    with Receiver() as hc:
        config = fake_config.replace(healthcheck_url=hc.base)
        _, broadcaster = run_scheduled_pass(config, database, VideoStatsFetcher.from_config(fake_config))
        assert hc.wait_for(2, pings=True)
        broadcaster.stop()
        path = hc.base.removeprefix(f"http://127.0.0.1:{hc.port}")
        assert [f"{path}/start", path] == hc.pings

        database.execute("DELETE FROM broadcaster_runs")
        result, broadcaster = run_scheduled_pass(config, database, BrokenFetcher())
        assert not result["success"] and hc.wait_for(4, pings=True)
        assert [f"{path}/start", f"{path}/fail"] == hc.pings[2:]

        database.execute("UPDATE broadcaster_state SET enabled = FALSE")
        database.execute("INSERT INTO broadcaster_runs (trigger, status, heartbeat_at) "
                         "VALUES ('schedule', 'running', NOW() - INTERVAL '1 minute')")
        broadcaster.run_once()
        assert hc.wait_for(5, pings=True) and f"{path}/fail" == hc.pings[4]
        sb.broadcast_all_tasks(config, database, trigger="manual", fetcher=VideoStatsFetcher.from_config(fake_config))
        broadcaster.stop()
        assert not wait_until(lambda: len(hc.pings) > 5, 0.5)


def test_a_ping_target_that_fails_is_retried_a_few_times_then_logged(caplog):
    with Receiver("fail") as hc:
        pinger = notifier.HealthcheckPinger(hc.base, sleep=lambda seconds: None)
        pinger.finished("succeeded")
        assert pinger.deliveries.wait(15)
    assert 3 == len(hc.pings)
    assert "healthcheck ping / failed after 3 attempts: HTTP 500" in caplog.text


def test_quota_alert_reads_todays_units(database, config):
    """youtube_quota from broadcaster_quota of the Pacific day, with a key set."""
    database.execute("INSERT INTO broadcaster_quota (day, units_used) VALUES (%(day)s, 9500)",
                     {"day": pacific_day(utcnow())})
    events = notifier.AlertMonitor(config.replace(youtube_api_key="k" * 20), database).check()
    assert ["youtube_quota"] == [event.key for event in events]
    assert "9500/10000" in events[0].summary


# --------------------------------------------------------------------------------------------
# Several processes


def test_no_successful_pass_fires_from_the_supervisor_when_no_pass_runs(database, config, receiver):
    """Switched on 20 minutes ago, and nothing runs passes (this process only helps): the
    supervisor's own alert thread still sends no_successful_pass."""
    database.execute("UPDATE broadcaster_state SET enabled = TRUE, enabled_at = NOW() - INTERVAL '20 minutes'")
    config = config.replace(alert_urls=(receiver.url,), pass_helper=True)
    broadcaster = sb.Broadcaster(config, database, schema_ready=True)
    broadcaster.start()
    try:
        assert receiver.wait_for(1)
    finally:
        broadcaster.stop()
    assert ["【告警】DramaRelayBot：长时间没有成功的回传"] == receiver.titles()
    assert "已有 20 分钟没有成功完成的回传" in receiver.messages[0]["message"]
    assert "开启以来从未成功" in receiver.messages[0]["message"]


@responses.activate
def test_telegram_says_why_it_refused(caplog):
    """Telegram's description (chat not found) is the reason, logged once per attempt, token-free."""
    responses.post(f"https://api.telegram.org/bot{TG_TOKEN}/sendMessage", status=400,
                   json={"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
    result = channels.send_to_channel(f"tgram://{TG_TOKEN}/-100123456", "t", "b")
    assert (False, "HTTP 400：chat not found") == (result.ok, result.error)
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert ["alert channel tgram://*** failed: HTTP 400：chat not found"] == lines
