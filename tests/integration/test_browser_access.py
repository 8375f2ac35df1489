"""Issue #18 in a real headless Chromium: a viewer sees who they are and every control disabled
with the reason, and a POST sent straight from the page is refused; the 操作记录 tab."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from admin_api import create_app
from tests.conftest import basic, insert_task, served
from tests.integration.test_browser import ARTIFACTS, WAIT_MS, browser  # noqa: F401 - the shared Chromium fixture

pytestmark = pytest.mark.slow

READ_ONLY = "只读账号不能执行此操作"
PASSWORDS = {"alice": "alice-pass-1", "bob": "bob-pass-2"}
USERS = (("alice", "operator", generate_password_hash(PASSWORDS["alice"], method="pbkdf2:sha256:1000")),
         ("bob", "viewer", generate_password_hash(PASSWORDS["bob"], method="pbkdf2:sha256:1000")))


@pytest.fixture
def live_app(database, config):
    """The app with named accounts, served on 127.0.0.1 (no supervisor: nothing runs by itself)."""
    app = create_app(config.replace(admin_users=USERS, broadcast_interval_seconds=3600), database=database)
    with served(app) as base:
        yield base


@pytest.fixture
def open_page(browser, live_app):  # noqa: F811 - the fixture imported above
    """open_page(user): a page signed in as `user`, with console errors collected."""
    contexts, errors = [], []

    def open_as(user: str):
        context = browser.new_context(extra_http_headers=basic(PASSWORDS[user], username=user),
                                      viewport={"width": 1280, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
        page.goto(f"{live_app}/admin")
        return page

    open_as.errors = errors
    yield open_as
    for context in contexts:
        context.close()


def test_a_viewer_sees_every_control_disabled_and_is_refused(open_page, database):
    """bob (viewer): his name and role in the header, the note, start/trigger and each task's
    pause button disabled with the reason, also after the status poll re-renders them; a POST
    sent from the page's own script is refused 403 and changes nothing; 操作记录 shows it."""
    insert_task(database, title="《只读测试》第1集")
    page = open_page("bob")

    expect(page.locator("#current-user")).to_have_text("👤 bob（只读）")
    expect(page.locator("#read-only-note")).to_be_visible()
    expect(page.locator("#read-only-note")).to_contain_text("不能执行此操作")
    toggle = page.locator("#toggle-btn")
    expect(toggle).to_have_text("📡 启动分发数据回传")  # the status poll has rendered it
    for _ in range(2):  # the next status polls re-render the button (disabled = false): it stays disabled
        with page.expect_response(lambda response: "/api/broadcaster/status" in response.url):
            pass
    for selector in ("#toggle-btn", "#trigger-btn"):
        expect(page.locator(selector)).to_be_disabled()
        expect(page.locator(selector)).to_have_attribute("title", READ_ONLY)
    page.locator("#tab-tasks").click()
    pause = page.locator("#tasks-table button.task-toggle")
    expect(pause).to_have_count(1)
    expect(pause).to_be_disabled()
    expect(pause).to_have_attribute("title", READ_ONLY)
    expect(page.locator("#tasks-table button.task-history-btn")).to_be_enabled()  # reads stay open

    answer = page.evaluate("""async () => {
        const response = await fetch("/api/broadcaster/start", {method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json"}, body: "{}"});
        return {status: response.status, body: await response.json()};
    }""")

    assert {"status": 403, "body": {"success": False, "error": READ_ONLY}} == answer
    assert database.fetch_one("SELECT enabled FROM broadcaster_state")["enabled"] is False
    page.locator("#tab-audit").click()
    page.locator("#audit-user").fill("bob")
    page.locator("#audit-action").select_option("start")
    row = page.locator("#audit-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("bob")
    expect(row).to_contain_text("只读")
    expect(row).to_contain_text("被拒绝：只读账号不能执行此操作")
    expect(row).to_contain_text("403")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viewer.png"), full_page=True)
    # The one console error is Chromium reporting the refused POST sent above.
    assert ["Failed to load resource: the server responded with a status of 403 (FORBIDDEN)"] == open_page.errors


def test_an_operator_keeps_every_control_and_sees_the_audit(open_page, database):
    """alice (operator): controls enabled, no note; her start shows in 操作记录 with before → after."""
    page = open_page("alice")

    expect(page.locator("#current-user")).to_have_text("👤 alice（操作员）")
    expect(page.locator("#read-only-note")).to_be_hidden()
    expect(page.locator("#toggle-btn")).to_have_text("📡 启动分发数据回传")
    expect(page.locator("#toggle-btn")).to_be_enabled()
    page.locator("#toggle-btn").click()
    expect(page.locator("#toggle-btn")).to_have_text("🛑 停止分发数据回传")
    page.locator("#tab-audit").click()
    row = page.locator("#audit-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("服务开关：关 → 开")
    expect(row).to_contain_text("启动")
    assert [] == open_page.errors
