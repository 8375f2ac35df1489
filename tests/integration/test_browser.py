"""The admin page clicked in a real headless Chromium: live app, supervisor thread and fake upstream."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

import stats_broadcaster as sb
from admin_api import create_app, start_supervisor, stop_supervisor
from tests.conftest import ADMIN_PASSWORD, add_points, basic, insert_records, insert_task, served

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; tests never download a browser
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"  # tests/artifacts
WAIT_MS = 10_000
INTERVAL = 3600  # long enough that only the first scheduled pass runs during a test
GREEN, RED = "rgb(21, 128, 61)", "rgb(220, 38, 38)"  # --btn-ok and --btn-fail in static/admin.css

YT1, YT2, YT_DELETED = "dQw4w9WgXcQ", "aaaaaaaaaaA", "bbbbbbbbbbE"
TT, DY = "7504044860782021930", "7535852404919586100"
# name: (platform, video id, views, likes, behaviour, task video URL)
VIDEOS = {
    "yt1": ("youtube", YT1, 12500, 680, "ok", f"https://www.youtube.com/watch?v={YT1}"),
    "yt2": ("youtube", YT2, 1234567, 8901, "ok", f"https://youtu.be/{YT2}"),
    "tt": ("tiktok", TT, 1776621, 22609, "ok", f"https://www.tiktok.com/@someone/video/{TT}"),
    "dy": ("douyin", DY, None, 7007, "ok", f"https://www.douyin.com/video/{DY}"),
    "gone": ("youtube", YT_DELETED, 1, 1, "deleted", f"https://www.youtube.com/shorts/{YT_DELETED}"),
}
TITLES = {
    "yt1": "《总裁的替身新娘》第1集", "yt2": "《重生之我在豪门当保姆》第2集", "tt": "《闪婚后大佬每天都在掉马》第3集",
    "dy": "《战神归来》第4集", "gone": "《已删除的短剧》第5集",
}


@pytest.fixture(scope="module")
def browser():
    """One headless Debian Chromium shared by this module's tests."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(database, fake_config):
    """The real app and its supervisor thread, served on 127.0.0.1; yields the base URL."""
    app = create_app(fake_config.replace(broadcast_interval_seconds=INTERVAL), database=database)
    start_supervisor(app)
    with served(app) as base:
        yield base
    stop_supervisor(app)


@pytest.fixture
def problems() -> dict:
    """Console errors, page errors and dialogs seen by the page; a test asserts it stays empty."""
    return {"console": [], "dialogs": []}


@pytest.fixture
def page(browser, live_app, fake_config, problems):
    """A logged-in page (HTTP Basic) that records console errors and dismisses any dialog."""
    context = browser.new_context(
        # Basic with every request (not http_credentials): a browser without credentials is sent to
        # the sign-in form, so it would never see the 401 challenge that makes it send them.
        extra_http_headers=basic(ADMIN_PASSWORD, username=fake_config.admin_username),
        viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("console", lambda message: message.type == "error" and problems["console"].append(message.text))
    page.on("pageerror", lambda error: problems["console"].append(f"pageerror: {error}"))

    def on_dialog(dialog):
        problems["dialogs"].append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()  # before the server stops, so no poll is cut off mid-request


def seed_tasks(database, fake) -> dict[str, int]:
    """Videos on the fake and one task per video, each with its own receiver; returns task ids by name."""
    ids = {}
    for number, (name, (platform, video_id, views, likes, behaviour, url)) in enumerate(VIDEOS.items(), 1):
        fake.add_video(platform, video_id, views, likes, behaviour=behaviour)
        fake.set_receiver(name)
        ids[name] = insert_task(database, title=TITLES[name], video_url=url, callback_url=fake.callback_url(name),
                                external_task_id=2000 + number)
    return ids


def counts_text(views: int | None, likes: int | None) -> str:
    """What the tasks table shows for counts: zh-CN grouping (commas), an em dash when unknown."""
    return " / ".join("—" if value is None else f"{value:,}" for value in (views, likes))


def test_admin_page_drives_the_service(page, problems, live_app, database, fake):
    """Start, a scheduled pass, trigger, logs, tasks and stop, clicked; numbers match the fake and the DB."""
    ids = seed_tasks(database, fake)
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. "/" redirects to the admin page, which starts stopped
    response = page.goto(f"{live_app}/")
    assert response.ok and f"{live_app}/admin" == page.url
    toggle, state, message = page.locator("#toggle-btn"), page.locator("#status-state"), page.locator("#message")
    expect(toggle).to_have_text("📡 启动分发数据回传")
    expect(toggle).to_have_attribute("data-running", "false")
    expect(toggle).to_be_enabled()
    expect(state).to_contain_text("已停止")
    expect(page.locator("#countdown")).to_have_text("定时回传已关闭")
    expect(page.locator("#last-run")).to_have_text("暂无回传记录")

    # 2. switch on: the button turns red and the supervisor runs the first scheduled pass
    toggle.click()
    expect(toggle).to_have_text("🛑 停止分发数据回传")
    expect(toggle).to_have_attribute("data-running", "true")
    expect(toggle).to_have_class(re.compile(r"\bbtn--stop\b"))
    page.mouse.move(0, 0)  # off the button, whose :hover colour is darker
    expect(toggle).to_have_css("background-color", RED)
    expect(state).to_contain_text("运行中")
    expect(message).to_have_text("分发数据回传服务已启动，每1小时自动回传一次")
    assert database.fetch_one("SELECT enabled FROM broadcaster_state")["enabled"] is True
    last_run = page.locator("#last-run")
    expect(last_run.locator(".badge")).to_have_text("已完成")
    scheduled = database.fetch_one("SELECT id, trigger, status, total, success_count, failed_count FROM broadcaster_runs")
    assert ("schedule", "succeeded", 5, 4, 1) == (
        scheduled["trigger"], scheduled["status"], scheduled["total"], scheduled["success_count"],
        scheduled["failed_count"],
    )
    expect(last_run.locator(".last-run__id")).to_have_text(f"#{scheduled['id']} · 定时")
    expect(last_run.locator(".pair__value")).to_have_text(["5", "4", "1"])
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^(59分\d\d秒|1小时00分)$"))
    assert 4 == len(fake.received())

    # 3. trigger a pass now, confirmed inline; the result matches what the receivers got
    before = len(fake.received())
    page.locator("#trigger-btn").click()
    expect(page.locator("#trigger-confirm-bar")).to_be_visible()
    page.locator("#trigger-confirm").click()
    expect(page.locator("#trigger-result")).to_be_visible()
    expect(message).to_have_text(re.compile(r"^✅ 回传 #\d+ 已完成$"))
    run_id = int(re.search(r"#(\d+)", message.text_content()).group(1))
    assert run_id != scheduled["id"]
    logs = database.fetch_all("SELECT callback_status, webhook_id FROM broadcaster_delivery_log WHERE run_id = %s", (run_id,))
    delivered = [log["webhook_id"] for log in logs if log["callback_status"] == "success"]
    received = fake.received()[before:]
    assert sorted(r.headers["X-Webhook-Id"] for r in received if r.status == 200) == sorted(delivered)
    assert ["dy", "tt", "yt1", "yt2"] == sorted(r.name for r in received)  # the deleted video sent nothing
    assert (5, 4, 1) == (len(logs), len(received), len(logs) - len(delivered))
    expect(page.locator("#result-total")).to_have_text(str(len(logs)))
    expect(page.locator("#result-success")).to_have_text(str(len(received)))
    expect(page.locator("#result-failed")).to_have_text(str(len(logs) - len(delivered)))
    expect(page.locator("#result-time time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    expect(page.locator("#trigger-btn")).to_have_text("🚀 立即回传一次")
    expect(page.locator("#trigger-btn")).to_be_enabled()
    manual = database.fetch_one("SELECT trigger, status FROM broadcaster_runs WHERE id = %s", (run_id,))
    assert ("manual", "succeeded") == (manual["trigger"], manual["status"])
    expect(page.locator("#runs-table tbody tr[data-run-id]")).to_have_count(2)
    # The storage card: every store now and in steady state, as GET /api/storage says (read on load).
    storage = requests.get(f"{live_app}/api/storage", auth=("admin", ADMIN_PASSWORD), timeout=10).json()["data"]
    expect(page.locator("#storage-table tbody tr[data-store]")).to_have_count(4)
    expect(page.locator("#storage-summary")).to_contain_text(f"按 {storage['projection']['tasks']} 个进行中的任务")
    expect(page.locator("#storage-table tr[data-store='deliveries'] td").first).to_have_text("回传记录")
    page.screenshot(path=ARTIFACTS / "admin-after-trigger.png", full_page=True)

    # 4. logs: 1 hour, 50 rows, failed only; refresh picks up new rows; auto-refresh toggles
    page.locator("#tab-logs").click()
    expect(page.locator("#panel-logs")).to_be_visible()
    rows = page.locator("#logs-table tbody tr[data-log-id]")
    expect(rows).to_have_count(10)  # both passes, 24 hours, all results
    page.locator("#log-hours").select_option(label="1小时")
    page.locator("#log-limit").select_option(label="50")
    with page.expect_response(lambda r: "/api/webhook-logs?" in r.url and "status=failed" in r.url) as answer:
        page.locator("#log-status").select_option(label="失败")
    assert answer.value.url.endswith("/api/webhook-logs?hours=1&limit=50&status=failed")
    failed_sql = "SELECT id FROM broadcaster_delivery_log WHERE callback_status = 'failed' ORDER BY id DESC"
    failed = [str(row["id"]) for row in database.fetch_all(failed_sql)]
    assert 2 == len(failed)
    expect(rows).to_have_count(len(failed))
    assert failed == rows.evaluate_all("rows => rows.map((row) => row.dataset.logId)")
    expect(rows.locator("td:nth-child(3)")).to_have_text(["失败"] * len(failed))
    expect(page.locator("#logs-summary")).to_contain_text(f"1小时内共 {len(failed)} 条 · 成功 0 · 失败 {len(failed)}")

    insert_records(database, [  # another process's failures: one a minute old, one outside the hour
        {"task_id": ids["gone"], "title": TITLES["gone"], "ok": False, "error": "另一进程写入的失败记录",
         "minutes_ago": minutes} for minutes in (0, 120)])
    page.locator("#log-refresh").click()
    expect(rows).to_have_count(len(failed) + 1)
    expect(page.locator("#log-refresh")).to_be_enabled()
    autorefresh = page.locator("#log-autorefresh")
    expect(autorefresh).to_have_attribute("aria-pressed", "false")
    autorefresh.click()
    expect(autorefresh).to_have_attribute("aria-pressed", "true")
    expect(autorefresh).to_have_class(re.compile(r"\bbtn--on\b"))
    rows.first.click()  # expand the newest failure to show its detail
    expect(page.locator("#logs-table tr.log-detail")).to_contain_text("另一进程写入的失败记录")
    page.screenshot(path=ARTIFACTS / "admin-logs.png", full_page=True)
    autorefresh.click()
    expect(autorefresh).to_have_attribute("aria-pressed", "false")

    # 5. tasks: the fake's counts, formatted; pausing a task writes the DB
    page.locator("#tab-tasks").click()
    expect(page.locator("#tasks-table tbody tr[data-task-id]")).to_have_count(len(ids))
    for name, platform_text in [("yt1", "YouTube"), ("yt2", "YouTube"), ("tt", "TikTok"), ("dy", "抖音")]:
        platform, video_id = VIDEOS[name][:2]
        video = fake.video(platform, video_id)
        row = page.locator(f"#tasks-table tr[data-task-id='{ids[name]}']")
        expect(row.locator("td:nth-child(2)")).to_have_text(platform_text)
        expect(row.locator(".counts__value")).to_have_text(counts_text(video.views, video.likes))
    expect(page.locator(f"#tasks-table tr[data-task-id='{ids['yt2']}'] .counts__value")).to_have_text("1,234,567 / 8,901")
    expect(page.locator(f"#tasks-table tr[data-task-id='{ids['gone']}'] .counts__reason")).to_contain_text("不可用")
    target = page.locator(f"#tasks-table tr[data-task-id='{ids['yt2']}']")
    expect(target.locator(".task-toggle")).to_have_text("⏸️ 暂停")
    target.locator(".task-toggle").click()
    expect(target.locator(".task-toggle")).to_have_text("▶️ 恢复")
    expect(target.locator(".badge").last).to_have_text("已暂停")
    expect(message).to_have_text(f"已暂停任务「{TITLES['yt2']}」")
    assert "paused" == database.fetch_one("SELECT status FROM drama_tasks WHERE task_id = %s", (ids["yt2"],))["status"]
    page.screenshot(path=ARTIFACTS / "admin-tasks.png", full_page=True)

    # 6. switch off: green again, stopped, and the DB switch is off
    toggle.click()
    expect(toggle).to_have_text("📡 启动分发数据回传")
    expect(toggle).to_have_attribute("data-running", "false")
    expect(toggle).to_have_class(re.compile(r"\bbtn--start\b"))
    page.mouse.move(0, 0)
    expect(toggle).to_have_css("background-color", GREEN)
    expect(state).to_contain_text("已停止")
    expect(message).to_have_text("分发数据回传服务已停止")
    assert database.fetch_one("SELECT enabled FROM broadcaster_state")["enabled"] is False
    triggers = [row["trigger"] for row in database.fetch_all("SELECT trigger FROM broadcaster_runs ORDER BY id")]
    assert ["schedule", "manual"] == triggers  # one scheduled pass per interval, not more

    assert {"console": [], "dialogs": []} == problems


def test_page_and_api_refuse_requests_without_credentials(browser, live_app):
    """Without (or with wrong) credentials the page and the API answer 401 and reveal nothing; a
    browser that opens the page is sent to the sign-in form (tests/integration/test_browser_projects.py signs in)."""
    context = browser.new_context()  # no http_credentials
    try:
        answer = context.request.get(f"{live_app}/admin")  # no browser: no text/html in Accept
        assert 401 == answer.status
        assert "控制面板" not in answer.text()
        page = context.new_page()
        page.goto(f"{live_app}/admin")
        assert f"{live_app}/login" == page.url
        assert "控制面板" not in page.content() and page.locator("#login-password").is_visible()
    finally:
        context.close()
    page_answer = requests.get(f"{live_app}/admin", auth=("admin", "wrong-password"), timeout=5)
    assert 401 == page_answer.status_code
    assert page_answer.headers["WWW-Authenticate"].startswith("Basic ")
    api_answer = requests.get(f"{live_app}/api/broadcaster/status", timeout=5)
    assert 401 == api_answer.status_code
    assert api_answer.json()["success"] is False
    assert 200 == requests.get(f"{live_app}/healthz", timeout=5).status_code


def seed_history(database, platform: str, video_id: str, views: int, likes: int, days: int = 30) -> list[tuple]:
    """Points every 8 hours over `days` (an hour off the window edges), growing towards (views, likes)."""
    points = []
    for step in range(days * 3, 0, -1):
        hours = step * 8 - 1
        share = 1 - (hours / (days * 24)) ** 0.7  # fast early growth, then slower
        points.append((hours, int(views * (0.2 + 0.8 * share)) - 1, int(likes * (0.1 + 0.9 * share)) - 1))
    add_points(database, platform, video_id, *[(dt.timedelta(hours=hours), point_views, point_likes)
                                                for hours, point_views, point_likes in points])
    return points


def test_retry_failed_tasks_freshness_and_count_history(page, problems, live_app, database, fake, fake_config):
    """A pass with failures: the freshness card, 重试失败的任务 showing the new run in place, and a task's chart."""
    ids = seed_tasks(database, fake)
    fake.set_receiver("yt2", "gone")  # 410: its webhook fails
    first = sb.broadcast_all_tasks(fake_config, database, trigger="cli")
    assert (5, 3, 2) == (first["total"], first["success_count"], first["failed_count"])
    fake.set_receiver("yt2")  # the receiver is back: a retry delivers it
    seed_history(database, "youtube", YT1, 12500, 680)
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. the freshness card shows one line per platform and the egress table after a pass
    page.goto(f"{live_app}/admin")
    lines = page.locator("#freshness-lines li.freshness-line")
    expect(lines).to_have_count(3)
    expect(lines).to_have_text([re.compile(r"^YouTube："), re.compile(r"^TikTok："), re.compile(r"^抖音：")])
    expect(lines.first).to_contain_text("本轮刷新 2 个任务的数据")
    egress_rows = page.locator("#egress-table tbody tr")
    expect(egress_rows).to_have_count(3)
    expect(egress_rows.locator("td:nth-child(2)")).to_have_text(["直连"] * 3)
    expect(egress_rows.locator("td:nth-child(3)")).to_have_text(["可用"] * 3)

    # 2. the run's detail offers 重试失败的任务 for its two failed tasks
    page.locator(f"#runs-table tr[data-run-id='{first['run_id']}']").click()
    retry = page.locator("#run-detail-retry")
    expect(retry).to_have_text("🔁 重试失败的任务（2）")
    expect(retry).to_be_visible()
    page.screenshot(path=ARTIFACTS / "admin-run-detail-failed.png", full_page=True)
    before = len(fake.received("yt2"))
    retry.click()

    # 3. the new run's result replaces the detail in place
    title = page.locator("#run-detail-title")
    expect(title).not_to_have_text(f"回传 #{first['run_id']} 的任务明细")
    new_id = int(re.search(r"#(\d+)", title.text_content()).group(1))
    assert new_id != first["run_id"]
    note = page.locator("#run-detail-note")
    expect(note).to_have_text(f"🔁 这是回传 #{first['run_id']} 中 2 个失败任务的重试：已完成 · 成功 1 · 失败 1")
    expect(page.locator("#run-detail-summary")).to_contain_text("手动回传（选定的 2 个任务） · 已完成")
    # the freshness card keeps the full pass's figures: a retry of two tasks says little about the rest
    expect(lines).to_have_count(3)
    expect(lines.first).to_contain_text("本轮刷新 2 个任务的数据")
    items = page.locator("#run-items-table tbody tr")
    expect(items).to_have_count(2)
    expect(items.filter(has_text=TITLES["yt2"]).locator("td:nth-child(2)")).to_have_text("成功")
    expect(items.filter(has_text=TITLES["gone"]).locator("td:nth-child(2)")).to_have_text("失败")
    expect(page.locator("#message")).to_have_text(f"✅ 重试回传 #{new_id} 已完成：成功 1 · 失败 1")
    run = database.fetch_one("SELECT trigger, scope, task_ids, status FROM broadcaster_runs WHERE id = %s", (new_id,))
    assert ("manual", "selected", "succeeded") == (run["trigger"], run["scope"], run["status"])
    assert sorted([ids["yt2"], ids["gone"]]) == sorted(run["task_ids"])
    assert before + 1 == len(fake.received("yt2"))
    expect(retry).to_have_text("🔁 重试失败的任务（1）")  # the deleted video's task failed again
    expect(page.locator(f"#runs-table tr[data-run-id='{new_id}'] td:nth-child(2)")).to_have_text("手动 · 选定任务")
    page.screenshot(path=ARTIFACTS / "admin-retry-result.png", full_page=True)

    # 4. the task list shows platform, counts and their age; a task opens its chart
    page.locator("#tab-tasks").click()
    row = page.locator(f"#tasks-table tr[data-task-id='{ids['yt1']}']")
    expect(row.locator("td:nth-child(2)")).to_have_text("YouTube")
    expect(row.locator(".counts__value")).to_have_text("12,500 / 680")
    expect(row.locator(".counts__age")).to_have_text(re.compile(r"^\d+ 秒前读取$"))
    row.locator(".task-history-btn").click()
    panel = page.locator("#task-history")
    expect(panel).to_be_visible()
    expect(page.locator("#task-history-title")).to_have_text(f"任务 #{ids['yt1']}「{TITLES['yt1']}」的数据走势")
    expect(panel.locator(".range-btn[aria-pressed='true']")).to_have_text("7 天")
    expect(page.locator("#task-history-summary")).to_contain_text("最近 7 天内 22 个数据点")
    panel.locator(".range-btn[data-hours='720']").click()
    expect(page.locator("#task-history-summary")).to_contain_text("最近 30 天内 91 个数据点")
    dots = page.locator("#history-chart .chart__pt--views")
    expect(dots).to_have_count(91)
    expect(page.locator("#history-chart .chart__trend--likes")).to_have_count(1)

    # 5. hovering a point shows its exact time and numbers
    points = database.fetch_all("SELECT p.recorded_at, p.view_count, p.like_count FROM broadcaster_count_points p "
                                "JOIN broadcaster_videos v ON v.id = p.video_ref WHERE v.video_id = %s "
                                "ORDER BY p.recorded_at", (YT1,))
    target = 45
    dots.nth(target).scroll_into_view_if_needed()
    box = dots.nth(target).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = page.locator("#history-chart .chart__tip")
    expect(tip).to_have_attribute("visibility", "visible")
    shanghai = points[target]["recorded_at"].astimezone(dt.timezone(dt.timedelta(hours=8)))
    expect(tip.locator("text")).to_have_text([
        shanghai.strftime("%Y-%m-%d %H:%M:%S"), f"播放量 {points[target]['view_count']:,}",
        f"点赞数 {points[target]['like_count']:,}",
    ])
    page.screenshot(path=ARTIFACTS / "admin-history-30d.png", full_page=True)
    panel.screenshot(path=ARTIFACTS / "admin-history-30d-panel.png")
    panel.locator(".range-btn[data-hours='24']").click()
    expect(page.locator("#task-history-summary")).to_contain_text("最近 24 小时内 4 个数据点")
    panel.screenshot(path=ARTIFACTS / "admin-history-24h-panel.png")

    # 6. opened afresh after the retry, the freshness card still shows the last full pass
    page.reload()
    expect(page.locator("#last-run .last-run__id")).to_have_text(f"#{new_id} · 手动 · 选定任务")
    expect(lines).to_have_count(3)
    expect(lines.first).to_contain_text("本轮刷新 2 个任务的数据")

    assert {"console": [], "dialogs": []} == problems
