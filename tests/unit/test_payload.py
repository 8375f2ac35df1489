"""Payload rules of docs/webhook.md#the-body."""

import pytest

import stats_broadcaster as sb
from broadcaster.core.clock import PACIFIC
from broadcaster.delivery.payload import build_stats_entry
from broadcaster.engine.budget import youtube_units_for_pass
from broadcaster.engine.tasks import TaskRow
from broadcaster.fetching.pacing import pages_for_pass

TASK = TaskRow(task_id=7, video_url="https://youtu.be/dQw4w9WgXcQ", callback_url="https://x2c.example.com/hook",
               external_task_id=42, project_id="p-1", duration=30)


def test_youtube_counts_go_to_yt_fields():
    """YouTube views and likes go to yt_*, with yt_account_count 0 and account_count 0."""
    entry = build_stats_entry(TASK, "youtube", 12500, 680)

    assert {
        "project_id": "p-1",
        "task_id": 42,
        "duration": 30,
        "account_count": 0,
        "yt_account_count": 0,
        "yt_view_count": 12500,
        "yt_like_count": 680,
    } == entry


def test_tiktok_counts_go_to_tt_fields():
    """TikTok counts go to tt_* fields."""
    entry = build_stats_entry(TASK, "tiktok", 71400, 1819)

    assert 71400 == entry["tt_view_count"]
    assert 1819 == entry["tt_like_count"]
    assert 0 == entry["tt_account_count"]
    assert not any(key.startswith("yt_") for key in entry)


def test_douyin_likes_go_to_yt_fields_without_views():
    """Douyin has no X2C fields: its likes go to yt_like_count; unknown views are left out."""
    entry = build_stats_entry(TASK, "douyin", None, 7007)

    assert 7007 == entry["yt_like_count"]
    assert "yt_view_count" not in entry
    assert 0 == entry["yt_account_count"]


@pytest.mark.parametrize(("views", "likes"), [(None, None), (0, 0), (0, None)])
def test_no_known_positive_count_sends_no_platform_fields(views, likes):
    """Zero or unknown counts are left out, and so is the platform's account count."""
    entry = build_stats_entry(TASK, "youtube", views, likes)

    assert {"project_id", "task_id", "duration", "account_count"} == set(entry)


def test_task_id_falls_back_and_null_keys_are_left_out():
    """Without external_task_id the task's own id is sent; NULL project_id/duration are dropped."""
    entry = build_stats_entry(TaskRow(task_id=9, video_url="https://youtu.be/dQw4w9WgXcQ", callback_url="https://x2c.example.com/hook"),
                              "youtube", 5, None)

    assert {"task_id": 9, "account_count": 0, "yt_account_count": 0, "yt_view_count": 5} == entry


def test_report_has_the_seed_lines():
    """The printed report carries 总任务数 / 成功 / 失败 / 时间 on their own lines."""
    report = sb.format_report(
        {"success": True, "run_id": 1, "total": 3, "success_count": 2, "failed_count": 1,
         "timestamp": "2026-11-27T00:00:00+00:00"}
    )

    assert ["总任务数: 3", "成功: 2", "失败: 1", "时间: 2026-11-27T00:00:00+00:00"] == report.splitlines()


def test_quota_share_never_exceeds_the_day():
    """Each pass spends a share of the remaining units; shares over a day stay within the quota."""
    import datetime as dt

    now = dt.datetime(2026, 11, 27, 0, 0, 1, tzinfo=PACIFIC)  # just after Pacific midnight
    used = 0
    for step in range(480):
        units = youtube_units_for_pass(10000, used, now + dt.timedelta(minutes=3 * step), 180)
        used += units

    assert used <= 10000
    assert used >= 9000
    assert 0 == youtube_units_for_pass(10000, 10000, now, 180)


def test_page_budget_is_half_an_interval_of_pacing():
    """Page budgets: rate × interval / 2, at least 1; 0 per minute means unlimited."""
    assert 12 == pages_for_pass(8, 180)
    assert 1 == pages_for_pass(6, 5)
    assert pages_for_pass(0, 180) is None
