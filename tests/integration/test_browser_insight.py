"""The page's integrity and delivery insight (docs/operations.md#integrity) in headless Chromium: 疑似异常 in the task
list, the log's counts columns and task filter, the 回调地址 table and the 导出 CSV links."""

from __future__ import annotations

import csv
import io

import pytest
import requests
from playwright.sync_api import expect

import stats_broadcaster as sb
from tests.conftest import ADMIN_PASSWORD, insert_task
from tests.integration.test_browser import ARTIFACTS, browser, live_app, page, problems  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

YT, TT = "dQw4w9WgXcQ", "7504044860782021930"


def test_suspect_counts_log_columns_hosts_and_exports(page, problems, live_app, database, fake, fake_config):  # noqa: F811
    """A collapsed read shows as 疑似异常 with both numbers; the log shows what X2C got; hosts; CSV."""
    fake.set_receiver("yt")
    fake.set_receiver("tt", "always_500")
    yt = insert_task(database, title="《总裁的替身新娘》第1集", video_url=f"https://youtu.be/{YT}",
                     callback_url=fake.callback_url("yt"))
    tt = insert_task(database, title="=HYPERLINK(\"http://evil.example\")", callback_url=fake.callback_url("tt"),
                     video_url=f"https://www.tiktok.com/@a/video/{TT}")
    config = fake_config.replace(webhook_max_attempts=1)
    fake.add_video("tiktok", TT, 71_400, 1_819)
    for views, likes in [(1_200_000, 34_000), (1_200, 34)]:  # the second read collapses: held back
        fake.add_video("youtube", YT, views, likes)
        sb.broadcast_all_tasks(config, database, trigger="cli")

    page.goto(f"{live_app}/admin")
    page.locator("#tab-tasks").click()
    row = page.locator(f"#tasks-table tr[data-task-id='{yt}']")
    expect(row.locator(".counts__value")).to_have_text("1,200,000 / 34,000")
    expect(row.locator(".suspect-note")).to_have_text("⚠️ 疑似异常：新读到 1,200 / 34")
    expect(page.locator(f"#tasks-table tr[data-task-id='{tt}'] .suspect-note")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#tasks-table").screenshot(path=str(ARTIFACTS / "insight-suspect.png"))

    page.locator("#tab-logs").click()
    rows = page.locator("#logs-table tbody tr[data-log-id]")
    expect(rows).to_have_count(4)
    page.locator("#log-task-id").fill(str(yt))
    expect(rows).to_have_count(2)
    expect(rows.locator("td:nth-child(7)")).to_have_text(["1,200,000", "1,200,000"])  # held back: the old counts
    expect(rows.locator("td:nth-child(8)")).to_have_text(["34,000", "34,000"])
    expect(rows.first.locator("td:nth-child(9)")).to_contain_text("秒")
    rows.first.click()
    expect(page.locator("#logs-table tr.log-detail pre.payload")).to_contain_text('"yt_view_count": 1200000')
    page.locator("#logs-table").screenshot(path=str(ARTIFACTS / "insight-log-held.png"))
    page.locator("#log-task-id").fill(str(tt))
    expect(rows).to_have_count(2)
    expect(rows.locator("td:nth-child(3)")).to_have_text(["失败", "失败"])

    hosts = page.locator("#hosts-table tbody tr")
    expect(hosts).to_have_count(1)
    expect(hosts.locator("td:nth-child(1)")).to_have_text("127.0.0.1")
    expect(hosts.locator("td:nth-child(2)")).to_have_text("2")
    expect(hosts.locator("td:nth-child(3)")).to_have_text("4")
    expect(hosts.locator("td:nth-child(4)")).to_have_text("50.0%")
    expect(hosts.locator("td:nth-child(8)")).to_contain_text("HTTP 500")
    page.locator("#panel-logs").screenshot(path=str(ARTIFACTS / "insight-logs.png"))

    href = page.locator("#log-export").get_attribute("href")
    assert f"task_id={tt}" in href and "limit" not in href
    answer = requests.get(f"{live_app}{href}", auth=(fake_config.admin_username, ADMIN_PASSWORD), timeout=10)
    assert answer.content.startswith(b"\xef\xbb\xbf")
    header, *body = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    assert 2 == len(body) and all(row[header.index("标题")] == "'=HYPERLINK(\"http://evil.example\")" for row in body)
    assert page.locator("#task-export").get_attribute("href").endswith("/api/tasks.csv")
    assert not problems["console"] and not problems["dialogs"], problems
