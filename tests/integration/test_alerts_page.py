"""The admin page's 告警 card in headless Chromium: channels, what fires, the last messages, and
发送测试告警 against local json:// receivers, each channel's result shown inline."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from admin_api import create_app
from broadcaster.alerting import notifier
from broadcaster.engine.switch import switch_on
from fakes.alert_receiver import Receiver
from tests.conftest import ADMIN_PASSWORD, basic, served
from tests.integration.test_browser import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, browser, problems  # noqa: F401 (fixtures)
from tests.unit.test_alerts import insert_run

pytestmark = pytest.mark.slow


@pytest.fixture
def receivers():
    with Receiver() as ok, Receiver("fail") as bad:
        yield ok, bad


@pytest.fixture
def alerts_app(database, config, receivers):
    """The app with two alert channels (one answering 500), served on 127.0.0.1."""
    ok, bad = receivers
    config = config.replace(alert_urls=(ok.url, bad.url), alert_no_pass_minutes=10080)
    app = create_app(config, database=database)
    with served(app) as base:
        yield config, base


def test_the_alerts_card_shows_what_fires_and_the_test_button_reports_each_channel(
        browser, problems, alerts_app, database, receivers):  # noqa: F811
    ok, bad = receivers
    config, base = alerts_app
    switch_on(database)
    insert_run(database, status="failed", error="StorageError: 数据库查询失败",
               finished_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=12))
    notifier.AlertMonitor(config.replace(alert_urls=()), database).check()  # firing, recorded, nothing sent

    context = browser.new_context(extra_http_headers=basic(ADMIN_PASSWORD),
                                  viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("console", lambda message: message.type == "error" and problems["console"].append(message.text))
    page.on("pageerror", lambda error: problems["console"].append(f"pageerror: {error}"))
    try:
        page.goto(f"{base}/admin")
        channels = page.locator("#alert-channels li")
        expect(channels).to_have_text([f"json://127.0.0.1:{ok.port}", f"json://127.0.0.1:{bad.port}"])
        firing = page.locator("#alert-firing li")
        expect(firing).to_have_count(1)
        expect(firing).to_contain_text("定时回传失败")
        expect(firing).to_contain_text("已持续 12分")
        events = page.locator("#alert-events tbody tr")
        expect(events).to_have_count(1)
        expect(events.first).to_contain_text("开始告警")
        expect(events.first).to_contain_text("未设置渠道")

        page.click("#alert-test-btn")
        results = page.locator("#alert-test-results li")
        expect(results).to_have_count(2)
        expect(results.nth(0)).to_contain_text(f"json://127.0.0.1:{ok.port}")
        expect(results.nth(0)).to_contain_text("✅ 已送达")
        expect(results.nth(1)).to_contain_text("❌ HTTP 500")
        expect(page.locator("#alert-test-btn")).to_be_enabled()
        expect(events).to_have_count(2)
        expect(events.first).to_contain_text("测试")
        expect(events.first).to_contain_text("已送达 1")
        expect(events.first).to_contain_text("失败 1")
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(".alerts-card").screenshot(path=str(ARTIFACTS / "alerts-card.png"))
    finally:
        context.close()
    assert 1 == len(ok.messages) and "告警通知测试" in ok.messages[0]["title"]
    assert [] == problems["console"]
