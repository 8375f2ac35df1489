"""A pass's decisions, in memory: which counts each task gets, what is refreshed, what is written.

No PostgreSQL and no HTTP: the pass reads typed rows from a list, fetches through
`fakes.memory.FakeFetcher`, sends through `RecordingSender` and records into a list.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from broadcaster.core.config import Config
from broadcaster.core.errors import ApiConfigError, QuotaExceeded
from broadcaster.core.states import ErrorType, FetchStatus, Platform
from broadcaster.delivery.payload import build_body, rebuilt_body, serialize_body
from broadcaster.engine.budget import Budget, RefreshPlan, plan_budget, plan_refreshes
from broadcaster.engine.pipeline import BroadcastPass, decide_counts
from broadcaster.engine.recorder import Recorder, RowBatch
from broadcaster.engine.tasks import VideoStaleness
from broadcaster.fetching.egress import Egress, EgressPool
from broadcaster.fetching.pacing import Pacer
from broadcaster.fetching.results import FetchResult
from fakes.memory import NEVER_READ, FakeFetcher, RecordingSender, stored, task

YT, TT, DY = Platform.YOUTUBE, Platform.TIKTOK, Platform.DOUYIN
OK, UNAVAILABLE, BLOCKED, ERROR = FetchStatus
DAY = dt.date(2026, 12, 1)
CONFIG = Config(youtube_pages_per_minute=0, tiktok_pages_per_minute=0, douyin_pages_per_minute=0)
EVERYTHING = RefreshPlan({YT: None, TT: None, DY: None})
PAGES = Budget(youtube_api=False, refresh_limits={YT: None, TT: None, DY: None}, quota_day=DAY)


def pools(fetcher, pages: dict | None = None) -> dict[str, EgressPool]:
    """One direct, unpaced egress per platform; `pages` caps a platform's pages this pass."""
    pages = pages or {}
    return {platform: EgressPool(platform, [Egress(platform, "direct", fetcher, Pacer(0), pages.get(platform))])
            for platform in (YT, TT, DY)}


def run_pass(rows, fetcher, *, sender=None, budget=PAGES, refresh=EVERYTHING, config=CONFIG, egress=None):
    """Run one pass over `rows`; return its counts, the sender and every row written."""
    sender = sender or RecordingSender()
    written: list[RowBatch] = []
    egress = egress or pools(fetcher)
    the_pass = BroadcastPass(config, run_id=7, rows=rows, budget=budget, refresh=refresh, fetcher=fetcher,
                             egress=egress, sender=sender, recorder=Recorder(written.append, 7, site_name=config.site_name),
                             stop_event=threading.Event())
    counts = the_pass.execute()
    merged = RowBatch()
    for batch in written:
        for name in ("videos", "deliveries", "records", "failures", "quota", "tikhub", "egress", "egress_blocks"):
            getattr(merged, name).extend(getattr(batch, name))
        merged.contexts.update(batch.contexts)
    return counts, sender, merged


# --------------------------------------------------------------------------------------------
# Which counts a task gets


def test_fresh_counts_win():
    """An OK fetch sends its counts, even when older ones are stored."""
    decision = decide_counts(stored(1, 1), FetchResult(OK, 500, 40))

    assert (500, 40, None) == (decision.views, decision.likes, decision.fail_reason)


@pytest.mark.parametrize("status", [BLOCKED, ERROR])
def test_failed_refresh_falls_back_to_last_known(status):
    """A blocked or failed fetch sends the last known counts."""
    decision = decide_counts(stored(300, 20), FetchResult(status, reason="challenge"))

    assert (300, 20, None) == (decision.views, decision.likes, decision.fail_reason)


def test_unavailable_fails_even_with_counts_stored():
    """A video that is gone fails its tasks: X2C must not get stale counts of a deleted video."""
    decision = decide_counts(stored(300, 20), FetchResult(UNAVAILABLE, reason="deleted"))

    assert "视频不可用：deleted" == decision.fail_reason


def test_never_read_and_failed_says_why():
    """No counts ever and a failed fetch: the task fails with the fetch's reason."""
    assert "读取视频数据失败：timeout" == decide_counts(NEVER_READ, FetchResult(ERROR, reason="timeout")).fail_reason


def test_skipped_video_uses_stored_counts_or_waits_for_its_turn():
    """Outside this pass's budget: last known counts, or a reason that says it comes first next pass."""
    assert (9, 8) == (decide_counts(stored(9, 8), None).views, decide_counts(stored(9, 8), None).likes)
    assert "下轮优先读取" in decide_counts(NEVER_READ, None).fail_reason
    assert "视频不可用：gone" == decide_counts(stored(None, None, status=UNAVAILABLE, reason="gone"), None).fail_reason


# --------------------------------------------------------------------------------------------
# Budgets: which videos are refreshed


def _staleness(platform, video_id, status=OK, hours_ago=None):
    attempted = None if hours_ago is None else dt.datetime(2026, 12, 1, tzinfo=dt.UTC) - dt.timedelta(hours=hours_ago)
    return VideoStaleness(platform, video_id, status, attempted)


def test_the_stalest_videos_are_refreshed_first():
    """Never tried first, then the longest since the last try; gone videos last."""
    videos = [
        _staleness(TT, "recent", hours_ago=1),
        _staleness(TT, "gone", UNAVAILABLE, hours_ago=100),
        _staleness(TT, "old", hours_ago=10),
        _staleness(TT, "new", None),
        _staleness(TT, "older", hours_ago=20),
    ]

    plan = plan_refreshes(videos, {TT: 3, YT: None, DY: 0})

    assert {"new", "older", "old"} == plan.chosen[TT]
    assert plan.wants(YT, "anything")  # no limit: every video
    assert not plan.wants(DY, "anything")


def test_youtube_uses_its_share_of_the_day_quota_until_it_is_gone():
    """With a key: units × 50 videos; after quotaExceeded, watch pages within the page budget."""
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    config = Config(youtube_daily_quota=10_000, youtube_pages_per_minute=8)

    pages = {YT: 12, TT: 9, DY: 9}
    fresh = plan_budget(config, youtube_api_key=True, quota=(0, False), page_capacity=pages, now=now)
    spent = plan_budget(config, youtube_api_key=True, quota=(300, True), page_capacity=pages, now=now)
    no_key = plan_budget(config, youtube_api_key=False, quota=(0, False), page_capacity=pages, now=now)

    assert fresh.youtube_api and fresh.refresh_limits[YT] > 50 and fresh.refresh_limits[YT] % 50 == 0
    assert (False, 12) == (spent.youtube_api, spent.refresh_limits[YT])
    assert (False, 12) == (no_key.youtube_api, no_key.refresh_limits[YT])


def test_only_budgeted_videos_are_fetched_and_the_rest_keep_their_counts():
    """A pass fetches the planned videos only; every task is still sent."""
    rows = [(task(1, TT, "1"), stored(10, 1)), (task(2, TT, "2"), stored(20, 2)), (task(3, TT, "3"), NEVER_READ)]
    fetcher = FakeFetcher({(TT, "3"): FetchResult(OK, 30, 3)})

    counts, sender, _ = run_pass(rows, fetcher, refresh=RefreshPlan({TT: frozenset({"3"})}))

    assert {(TT, "3"): 1} == dict(fetcher.calls)
    assert {1: 10, 2: 20, 3: 30} == {tid: entry["tt_view_count"] for tid, entry in sender.entries().items()}
    assert (3, 3, 3) == (counts["total"], counts["done"], counts["success_count"])


# --------------------------------------------------------------------------------------------
# YouTube batching and the quota fallback


def _youtube_rows(count):
    return [(task(i, YT, f"v{i:010d}"), NEVER_READ) for i in range(count)]


API = Budget(youtube_api=True, refresh_limits={YT: None, TT: None, DY: None}, quota_day=DAY)


def test_youtube_ids_go_fifty_to_a_call():
    """120 videos make three API calls of 50, 50 and 20 ids, and one quota row of 3 units."""
    rows = _youtube_rows(120)
    fetcher = FakeFetcher(youtube_api={t.video_id: FetchResult(OK, 5, 1) for t, _ in rows})

    counts, _, written = run_pass(rows, fetcher, budget=API)

    assert [50, 50, 20] == sorted((len(batch) for batch in fetcher.api_batches), reverse=True)
    assert 120 == counts["success_count"]
    assert [{"day": DAY, "units": 3, "exhausted": False}] == written.quota


def test_spent_quota_falls_back_to_pages_within_the_fallback_budget():
    """quotaExceeded: two videos are read from watch pages, the third waits for its turn."""
    rows = _youtube_rows(3)
    pages = {(YT, t.video_id): FetchResult(OK, 7, 2) for t, _ in rows}
    fetcher = FakeFetcher(pages, youtube_api=QuotaExceeded("quota"))

    counts, _, written = run_pass(rows, fetcher, budget=API, egress=pools(fetcher, {YT: 2}))

    assert 2 == sum(fetcher.calls.values())
    assert 2 == counts["success_count"]
    [skipped] = [log for log in written.records if not log["delivered"]]
    assert "YouTube API 配额已用完，本轮未刷新" == skipped["error"]
    assert [{"day": DAY, "units": 1, "exhausted": True}] == written.quota


def test_a_refused_api_key_is_a_per_video_error_and_turns_tikhub_off():
    """A refused TikHub key is an ordinary error for that video (last counts are sent), and
    TikHub is not asked again in this pass."""
    rows = [(task(1, DY, "71"), stored(None, 50)), (task(2, DY, "72"), NEVER_READ)]
    refused = ApiConfigError("TikHub API key 无效或无权限 (HTTP 401)")
    fetcher = FakeFetcher({(DY, "71"): refused, (DY, "72"): refused}, sources={DY: "tikhub"})
    budget = Budget(youtube_api=False, refresh_limits={YT: None, TT: None, DY: 2}, quota_day=DAY,
                    tikhub={DY: 2}, tikhub_first=frozenset({DY}), tikhub_day=DAY)

    counts, sender, written = run_pass(rows, fetcher, budget=budget)

    assert 1 == sum(fetcher.calls.values())
    assert 1 == counts["success_count"]
    assert {1: 50} == {tid: entry["yt_like_count"] for tid, entry in sender.entries().items()}
    [error] = written.failures
    assert ErrorType.ERROR == error["error_type"] and "HTTP 401" in error["message"]
    assert "内部错误" not in error["message"]
    [skipped] = [log for log in written.records if not log["delivered"]]
    assert "TikHub 本轮已停用" in skipped["error"]
    assert [{"day": DAY, "requests": 1}] == written.tikhub


# --------------------------------------------------------------------------------------------
# What the recorder writes


def test_recorder_rows_for_each_kind_of_outcome():
    """Delivered, fallen back, unavailable and invalid-link tasks each leave the right rows."""
    rows = [
        (task(1, TT, "1"), NEVER_READ),
        (task(2, DY, "2"), stored(5, 5)),  # its own platform: the block benches Douyin's egress only
        (task(3, TT, "3"), stored(5, 5)),
        (task(4, None, None, video_error="无法识别的视频链接"), NEVER_READ),
    ]
    fetcher = FakeFetcher({(TT, "1"): FetchResult(OK, 100, 10), (DY, "2"): FetchResult(BLOCKED, reason="challenge"),
                           (TT, "3"): FetchResult(UNAVAILABLE, reason="deleted")})

    _, sender, written = run_pass(rows, fetcher)

    logs = {log["task_id"]: log for log in written.records}
    assert {1: True, 2: True, 3: False, 4: False} == {k: v["delivered"] for k, v in logs.items()}
    assert {"run7-task1", "run7-task2"} == {sent["webhook_id"] for sent in sender.sent}
    assert [{"task_id": 1, "ok": True}, {"task_id": 2, "ok": True}] == sorted(
        written.deliveries, key=lambda row: row["task_id"])  # no webhook, no drama_tasks bookkeeping
    assert {(2, "blocked"), (3, "unavailable"), (4, "invalid_url")} == {
        (row["task_id"], row["error_type"]) for row in written.failures}
    assert {("1", "ok", 100), ("2", "blocked", None), ("3", "unavailable", None)} == {
        (row["video_id"], row["status"], row["views"]) for row in written.videos}
    # The record and its context build the body again, byte for byte; no body, nothing to build.
    context = written.contexts[logs[1]["digest"]]
    [sent] = [sent for sent in sender.sent if sent["webhook_id"] == "run7-task1"]
    assert sent["raw"] == rebuilt_body({
        "body_format": context["body_format"], "body_site_name": context["site_name"],
        "project_id": context["project_id"], "body_task_id": context["x2c_task_id"],
        "body_duration": context["duration"], "body_platform": context["platform"],
        "body_views": logs[1]["views"], "body_likes": logs[1]["likes"]})
    assert (False, None, None) == (logs[4]["attempted"], logs[4]["views"], logs[4]["likes"])


def test_every_record_builds_its_task_entry_again_in_batches_too():
    """Zero, unknown and TikTok counts, sent two tasks to a request: each record's counts and
    context build that task's own entry again, byte for byte, and carry no count it left out."""
    rows = [(task(1, YT, "a"), NEVER_READ), (task(2, YT, "a"), NEVER_READ),
            (task(3, DY, "b"), NEVER_READ), (task(4, TT, "c"), stored(7, 0))]
    fetcher = FakeFetcher({(YT, "a"): FetchResult(OK, 0, 12), (DY, "b"): FetchResult(OK, None, 5),
                           (TT, "c"): FetchResult(BLOCKED, reason="challenge")})

    _, sender, written = run_pass(rows, fetcher, config=CONFIG.replace(webhook_batch_size=2))

    assert [2, 2] == [len(sent["body"]["stats"]) for sent in sender.sent]
    entries = sender.entries()
    for record in written.records:
        context = written.contexts[record["digest"]]
        assert serialize_body(build_body(CONFIG.site_name, [entries[record["task_id"]]])) == rebuilt_body({
            "body_format": context["body_format"], "body_site_name": context["site_name"],
            "project_id": context["project_id"], "body_task_id": context["x2c_task_id"],
            "body_duration": context["duration"], "body_platform": context["platform"],
            "body_views": record["views"], "body_likes": record["likes"]})
    assert {1: (None, 12), 2: (None, 12), 3: (None, 5), 4: (7, None)} == {
        record["task_id"]: (record["views"], record["likes"]) for record in written.records}


def test_tasks_sharing_a_video_share_one_fetch_and_batches_group_by_url():
    """Three tasks on one video: one fetch; with batches of 2, two requests to their URL."""
    rows = [(task(i, TT, "9"), NEVER_READ) for i in (1, 2, 3)]
    fetcher = FakeFetcher({(TT, "9"): FetchResult(OK, 1, 1)})

    counts, sender, _ = run_pass(rows, fetcher, config=CONFIG.replace(webhook_batch_size=2))

    assert 1 == fetcher.calls[(TT, "9")]
    assert [1, 2] == sorted(len(sent["body"]["stats"]) for sent in sender.sent)
    assert 3 == counts["success_count"]


def test_a_failed_webhook_counts_as_failed():
    """A receiver that answers 500 leaves its task failed; the others are delivered."""
    rows = [(task(1, TT, "1", callback_url="https://down.example/hook"), NEVER_READ), (task(2, TT, "1"), NEVER_READ)]
    fetcher = FakeFetcher({(TT, "1"): FetchResult(OK, 1, 1)})

    counts, _, written = run_pass(rows, fetcher, sender=RecordingSender({"https://down.example/hook"}))

    assert (2, 1) == (counts["done"], counts["success_count"])
    assert {1: False, 2: True} == {row["task_id"]: row["ok"] for row in written.deliveries}
