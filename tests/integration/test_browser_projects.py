"""Issue 26 in a real headless Chromium, in the light and the dark colour scheme: a browser with no
credentials lands on the sign-in form, signs in, sees the page and the 项目 tab (a project's chart
and tasks, a task's own chart), signs out; every text on the page keeps enough contrast.
Screenshots go to tests/artifacts/ (projects-*.png, login-*.png)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import stats_broadcaster as sb
from admin_api import create_app, start_supervisor, stop_supervisor
from broadcaster.reports import projects
from tests.conftest import ADMIN_PASSWORD, insert_task, served, update_points
from tests.integration.test_browser import ARTIFACTS, WAIT_MS, browser  # noqa: F401 - the shared Chromium fixture

pytestmark = pytest.mark.slow

YT, YT2, TT = "dQw4w9WgXcQ", "aaaaaaaaaaA", "7504044860782021930"
DRAMA, OTHER = "boss-2026", "war-god-2026"

# Every element that shows text of its own, its colour and the nearest opaque background behind
# it, and the WCAG contrast ratio of the two (disabled controls and the header's gradient aside).
CONTRAST = """() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const style = getComputedStyle(n);
      if (style.backgroundImage !== "none") return null;  // a gradient: not judged here
      const c = rgb(style.backgroundColor);
      if (c.length === 3 || c[3] > 0.9) return c.slice(0, 3);
    }
    return rgb(getComputedStyle(document.body).backgroundColor).slice(0, 3);
  };
  const low = [];
  for (const node of document.querySelectorAll("main *, .login-card *")) {
    if (!node.offsetParent || node.closest("svg") || node.closest(":disabled") || node.disabled) continue;
    const own = [...node.childNodes].some((child) => child.nodeType === 3 && child.textContent.trim());
    if (!own) continue;
    const back = background(node);
    if (!back) continue;
    const fore = rgb(getComputedStyle(node).color).slice(0, 3);
    const [a, b] = [lum(fore), lum(back)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) low.push(`${node.tagName}.${node.className} "${node.textContent.trim().slice(0, 20)}" ${ratio.toFixed(2)}`);
  }
  return low;
}"""


@pytest.fixture
def live_app(database, fake, fake_config):
    """Two dramas read by two real passes with rising counts (the first three hours back), the
    figures refreshed; the app and its supervisor served on 127.0.0.1."""
    fake.set_receiver("r")
    url = fake.callback_url("r")
    for title, project, link in [
        ("《霸道总裁爱上我》第1集", DRAMA, f"https://www.youtube.com/watch?v={YT}"),
        ("《霸道总裁爱上我》第1集（转发）", DRAMA, f"https://youtu.be/{YT}"),
        ("《霸道总裁爱上我》第2集", DRAMA, f"https://www.tiktok.com/@boss/video/{TT}"),
        ("《战神归来》第1集", OTHER, f"https://youtu.be/{YT2}"),
    ]:
        insert_task(database, title=title, project_id=project, video_url=link, callback_url=url)
    for views in (120_000, 185_000):
        fake.add_video("youtube", YT, views, views // 50)
        fake.add_video("tiktok", TT, views * 3, views // 20)
        fake.add_video("youtube", YT2, 9_000, 300)
        assert sb.broadcast_all_tasks(fake_config, database, trigger="cli")["success"]
        update_points(database, "recorded_at = h.recorded_at - INTERVAL '3 hours'", "TRUE")
    update_points(database, "recorded_at = h.recorded_at + INTERVAL '2 hours'",
                  "h.recorded_at > NOW() - INTERVAL '4 hours'")  # the second pass: an hour ago
    projects.refresh(database, fake_config)
    app = create_app(fake_config.replace(broadcast_interval_seconds=3600), database=database)
    start_supervisor(app)
    with served(app) as base:
        yield base
    stop_supervisor(app)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sign_in_the_projects_tab_and_sign_out(browser, live_app, scheme):  # noqa: F811 - the fixture imported above
    """No credentials → /login; the form signs in; 项目 shows both dramas with their totals; a
    drama opens its chart and tasks, a task its own chart; 退出 ends the session."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", color_scheme=scheme)
    errors = []
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    try:
        page.goto(f"{live_app}/admin")
        assert f"{live_app}/login" == page.url
        page.locator("#login-username").fill("admin")
        page.locator("#login-password").fill("not-the-password")
        page.locator("#login-submit").click()
        expect(page.locator("#login-error")).to_have_text("用户名或密码不正确")
        assert [] == page.evaluate(CONTRAST), scheme
        page.screenshot(path=str(ARTIFACTS / f"login-{scheme}.png"))
        page.locator("#login-password").fill(ADMIN_PASSWORD)
        page.locator("#login-submit").click()

        expect(page).to_have_url(f"{live_app}/admin")
        expect(page.locator("#current-user")).to_have_text("👤 admin（操作员）")
        expect(page.locator("#logout-btn")).to_be_visible()
        expect(page.locator("#toggle-btn")).to_have_text("📡 启动分发数据回传")
        page.locator("#tab-projects").click()
        rows = page.locator("#projects-table tbody tr")
        expect(rows).to_have_count(2)
        expect(page.locator("#projects-summary")).to_contain_text("共 2 个项目 · 数据截至")
        first = rows.nth(0)
        expect(first).to_contain_text("《霸道总裁爱上我》第1集")
        expect(first).to_contain_text(DRAMA)
        expect(first).to_contain_text("740,000")  # 185,000 once (shared by two tasks) + 555,000
        expect(first).to_contain_text("+260,000")  # (185,000 − 120,000) + (555,000 − 360,000)
        first.click()

        detail = page.locator("#project-detail")
        expect(detail).to_be_visible()
        expect(page.locator("#project-detail-title")).to_have_text("项目「《霸道总裁爱上我》第1集」")
        expect(page.locator("#project-detail-summary")).to_contain_text("3 个任务（进行中 3） · 2 个视频")
        expect(page.locator("#project-chart .chart__trend--views")).to_have_count(1)
        expect(page.locator("#project-chart .chart__trend--likes")).to_have_count(1)
        tasks = page.locator("#project-tasks-table tbody tr")
        expect(tasks).to_have_count(3)
        expect(tasks.nth(0)).to_contain_text("《霸道总裁爱上我》第2集")  # most viewed first
        tasks.nth(0).click()
        expect(page.locator("#project-task-history")).to_be_visible()
        expect(page.locator("#project-task-history-summary")).to_contain_text("2 个数据点")
        expect(page.locator("#project-task-history-chart .chart__trend--views")).to_have_count(1)
        page.locator("#project-sort").select_option("gain_24h")
        expect(rows.nth(0)).to_contain_text(DRAMA)
        page.locator("#project-filter").fill("战神")
        expect(rows).to_have_count(1)
        expect(page.locator("#projects-summary")).to_contain_text("匹配 1 个项目")
        page.locator("#project-filter").fill("")
        expect(rows).to_have_count(2)
        assert [] == page.evaluate(CONTRAST), scheme
        page.screenshot(path=str(ARTIFACTS / f"projects-{scheme}.png"), full_page=True)
        detail.screenshot(path=str(ARTIFACTS / f"projects-detail-{scheme}.png"))
        page.locator("#tab-runs").click()
        assert [] == page.evaluate(CONTRAST), scheme
        page.screenshot(path=str(ARTIFACTS / f"admin-{scheme}.png"), full_page=True)

        page.locator("#logout-btn").click()
        expect(page).to_have_url(f"{live_app}/login")
        page.goto(f"{live_app}/admin")
        assert f"{live_app}/login" == page.url  # the session really ended
    finally:
        context.close()
    assert [] == [error for error in errors if "401" not in error]  # the wrong password's 401 is expected
