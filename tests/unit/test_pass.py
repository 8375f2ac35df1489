"""A whole pass against the local fake upstream: bodies received and bookkeeping afterwards."""

import hashlib
import hmac
import threading
import time

import stats_broadcaster as sb
import video_stats_fetcher as vsf
from broadcaster.engine import pipeline
from broadcaster.engine.runs import claim_run
from broadcaster.storage import queries
from tests.conftest import insert_task

YT, YT_HIDDEN, YT_DELETED, YT_PRIVATE, YT_BLOCKED = "dQw4w9WgXcQ", "aaaaaaaaaaA", "bbbbbbbbbbE", "cccccccccc0", "dddddddddd8"
TT, DY = "7504044860782021930", "7535852404919586100"


def task_row(database, task_id):
    return database.fetch_one(
        "SELECT callback_status, callback_retry_count, callback_last_attempt FROM drama_tasks WHERE task_id = %s",
        (task_id,),
    )


def log_rows(database, task_id):
    return database.fetch_all("SELECT * FROM broadcaster_delivery_log WHERE task_id = %s ORDER BY id", (task_id,))


def only_stats(received):
    assert 1 == len(received), received
    body = received[0].json
    assert 1 == len(body["stats"])
    return body["stats"][0]


def test_platforms_and_failures_in_one_pass(database, fake, fake_config):
    """Normal, hidden likes, deleted and private videos on every platform; each body and row checked."""
    fake.add_video("youtube", YT, 12500, 680)
    fake.add_video("youtube", YT_HIDDEN, 900, None)
    fake.add_video("youtube", YT_DELETED, 1, 1, behaviour="deleted")
    fake.add_video("youtube", YT_PRIVATE, 1, 1, behaviour="private")
    fake.add_video("tiktok", TT, 1776621, 22609)
    fake.add_video("douyin", DY, None, 7007)
    ids = {}
    for name, url in [
        ("yt", f"https://www.youtube.com/watch?v={YT}"),
        ("hidden", f"https://youtu.be/{YT_HIDDEN}?si=abc"),
        ("deleted", f"https://www.youtube.com/shorts/{YT_DELETED}"),
        ("private", f"https://m.youtube.com/watch?v={YT_PRIVATE}"),
        ("tt", f"https://www.tiktok.com/@someone/video/{TT}?is_from_webapp=1"),
        ("dy", f"7.93 复制打开抖音，看看【短剧的作品】 https://www.douyin.com/video/{DY} 02/23"),
    ]:
        fake.set_receiver(name)
        ids[name] = insert_task(database, video_url=url, callback_url=fake.callback_url(name),
                                external_task_id=1000 + len(ids))

    result = sb.broadcast_all_tasks(fake_config, database, trigger="cli")

    assert (True, 6, 4, 2) == (result["success"], result["total"], result["success_count"], result["failed_count"])
    yt = only_stats(fake.received("yt"))
    assert {"project_id": "550e8400-e29b-41d4-a716-446655440000", "task_id": 1000, "duration": 30,
            "account_count": 0, "yt_account_count": 0, "yt_view_count": 12500, "yt_like_count": 680} == yt
    hidden = only_stats(fake.received("hidden"))
    assert 900 == hidden["yt_view_count"] and "yt_like_count" not in hidden
    tt = only_stats(fake.received("tt"))
    assert (1776621, 22609) == (tt["tt_view_count"], tt["tt_like_count"])  # exact statsV2, not rounded
    dy = only_stats(fake.received("dy"))
    assert 7007 == dy["yt_like_count"] and "yt_view_count" not in dy
    for name in ("deleted", "private"):
        assert [] == fake.received(name)
        row = task_row(database, ids[name])
        assert "pending" == row["callback_status"]  # no webhook was attempted
        [log] = log_rows(database, ids[name])
        assert "failed" == log["callback_status"] and log["error"]
    assert "success" == task_row(database, ids["yt"])["callback_status"]
    errors = database.fetch_all("SELECT task_id, error_type FROM broadcaster_fetch_failure_log ORDER BY task_id")
    assert {(ids["deleted"], "unavailable"), (ids["private"], "unavailable")} == {
        (row["task_id"], row["error_type"]) for row in errors
    }


def test_a_blocked_page_fails_its_task_and_benches_the_egress(database, fake, fake_config):
    """A bot wall: no webhook, an error row 'blocked', and the platform's egress rests 5 minutes."""
    fake.add_video("youtube", YT_BLOCKED, 1, 1, behaviour="blocked")
    fake.set_receiver("blocked")
    task_id = insert_task(database, video_url=f"https://www.youtube.com/live/{YT_BLOCKED}",
                          callback_url=fake.callback_url("blocked"))

    result = sb.broadcast_all_tasks(fake_config, database, trigger="cli")

    assert (1, 0) == (result["total"], result["success_count"])
    assert [] == fake.received("blocked")
    [error] = database.fetch_all("SELECT task_id, error_type FROM broadcaster_fetch_failure_log")
    assert (task_id, "blocked") == (error["task_id"], error["error_type"])
    egress = database.fetch_one("SELECT bench_level, benched_until - NOW() AS rest FROM broadcaster_egress "
                                "WHERE egress_key = 'youtube:direct'")
    assert 1 == egress["bench_level"] and 290 < egress["rest"].total_seconds() <= 300


def test_receiver_behaviours_and_bookkeeping(database, fake, fake_config):
    """Fail-once and 429 are retried to success; 500, redirect and slow receivers fail with reasons."""
    fake.add_video("youtube", YT, 10, 2)
    behaviours = ["fail_once", "retry_after", "always_500", "redirect", "slow"]
    ids = {}
    for behaviour in behaviours:
        fake.set_receiver(behaviour, behaviour)
        ids[behaviour] = insert_task(database, callback_url=fake.callback_url(behaviour))
    config = fake_config.replace(webhook_timeout_seconds=1.0, webhook_max_attempts=3)

    started = time.monotonic()
    result = sb.broadcast_all_tasks(config, database, trigger="cli")
    elapsed = time.monotonic() - started

    assert (5, 2, 3) == (result["total"], result["success_count"], result["failed_count"])
    assert elapsed < 12
    for behaviour, status, attempts in [("fail_once", "success", 2), ("retry_after", "success", 2),
                                        ("always_500", "failed", 3), ("redirect", "failed", 1)]:
        row = task_row(database, ids[behaviour])
        [log] = log_rows(database, ids[behaviour])
        assert (status, attempts) == (row["callback_status"], log["attempts"]), behaviour
        assert row["callback_last_attempt"] is not None
    received = fake.received("fail_once")
    assert [500, 200] == [r.status for r in received]
    assert received[0].headers["X-Webhook-Id"] == received[1].headers["X-Webhook-Id"]
    retry_after = fake.received("retry_after")
    assert retry_after[1].at - retry_after[0].at >= 0.9  # Retry-After: 1 honoured
    redirect_log = log_rows(database, ids["redirect"])[0]
    assert 302 == redirect_log["http_status"] and "重定向" in redirect_log["error"]
    assert 1 == len(fake.received("redirect"))  # the redirect target was never requested
    slow_log = log_rows(database, ids["slow"])[0]
    assert "超时" in slow_log["error"]
    assert 1 == task_row(database, ids["always_500"])["callback_retry_count"]


def test_retry_count_counts_failures_in_a_row(database, fake, fake_config):
    """callback_retry_count grows with each failed pass and returns to 0 after a success."""
    fake.add_video("youtube", YT, 10, 2)
    fake.set_receiver("flaky", "always_500")
    task_id = insert_task(database, callback_url=fake.callback_url("flaky"))
    config = fake_config.replace(webhook_max_attempts=1)

    sb.broadcast_all_tasks(config, database, trigger="cli")
    sb.broadcast_all_tasks(config, database, trigger="cli")
    failed_twice = task_row(database, task_id)
    fake.set_receiver("flaky", "ok")
    sb.broadcast_all_tasks(config, database, trigger="cli")

    assert ("failed", 2) == (failed_twice["callback_status"], failed_twice["callback_retry_count"])
    assert ("success", 0) == (task_row(database, task_id)["callback_status"], task_row(database, task_id)["callback_retry_count"])


def test_signature_verifies_over_received_bytes_with_chinese(database, fake, fake_config):
    """The receiver recomputes the HMAC over the raw bytes it got; Chinese is sent as UTF-8."""
    fake.add_video("youtube", YT, 10, 2)
    fake.set_receiver("signed", secret="任务密钥-secret")
    insert_task(database, callback_url=fake.callback_url("signed"), callback_secret="任务密钥-secret",
                title="《总裁的替身新娘》第 12 集")
    config = fake_config.replace(site_name="短剧分发站")

    sb.broadcast_all_tasks(config, database, trigger="cli")

    [received] = fake.received("signed")
    expected = "sha256=" + hmac.new("任务密钥-secret".encode(), received.body, hashlib.sha256).hexdigest()
    assert expected == received.headers["X-Webhook-Signature"]
    assert received.signature_ok is True
    assert "短剧分发站".encode() in received.body
    assert "X-Webhook-Secret" not in received.headers


def test_default_secret_signs_tasks_without_their_own(database, fake, fake_config):
    """X2C_WEBHOOK_SECRET signs tasks whose callback_secret is empty."""
    fake.add_video("youtube", YT, 10, 2)
    fake.set_receiver("default", secret="global-secret")
    insert_task(database, callback_url=fake.callback_url("default"), callback_secret="")

    sb.broadcast_all_tasks(fake_config.replace(x2c_webhook_secret="global-secret"), database, trigger="cli")

    assert [True] == [r.signature_ok for r in fake.received("default")]


def test_failed_refresh_falls_back_to_last_known_counts(database, fake, fake_config):
    """When a later fetch is blocked, the pass sends the last good counts."""
    fake.add_video("tiktok", TT, 500, 50)
    fake.set_receiver("r")
    insert_task(database, video_url=f"https://www.tiktok.com/@u/video/{TT}", callback_url=fake.callback_url("r"))
    sb.broadcast_all_tasks(fake_config, database, trigger="cli")
    fake.add_video("tiktok", TT, 999, 99, behaviour="blocked")

    result = sb.broadcast_all_tasks(fake_config, database, trigger="cli")

    assert 1 == result["success_count"]
    second = fake.received("r")[1].json["stats"][0]
    assert (500, 50) == (second["tt_view_count"], second["tt_like_count"])
    assert 1 == len(database.fetch_all("SELECT * FROM broadcaster_fetch_failure_log WHERE error_type = 'blocked'"))


def test_tasks_sharing_a_video_share_one_fetch(database, fake, fake_config):
    """Three tasks on one video cause one page request and three webhooks."""
    fake.add_video("tiktok", TT, 5, 5)
    fake.set_receiver("r")
    for _ in range(3):
        insert_task(database, video_url=f"https://www.tiktok.com/@u/video/{TT}", callback_url=fake.callback_url("r"))
    fake.reset_counters()

    sb.broadcast_all_tasks(fake_config, database, trigger="cli")

    assert 1 == fake.request_counts()["tt"]
    assert 3 == len(fake.received("r"))


def test_small_task_window_still_delivers_everything(database, fake, fake_config, monkeypatch):
    """With a window of 6 tasks, a video with 9 tasks (more than the window) and 20 single-task
    videos all get through: the dispatcher waits for refills and never deadlocks."""
    monkeypatch.setattr(pipeline, "TASK_WINDOW", 6)
    monkeypatch.setattr(pipeline, "WINDOW_REFILL", 2)
    fake.set_receiver("r")
    fake.add_video("tiktok", TT, 5, 5)
    for _ in range(9):
        insert_task(database, video_url=f"https://www.tiktok.com/@u/video/{TT}", callback_url=fake.callback_url("r"))
    for i in range(20):
        video_id = str(7_600_000_000_000_000_000 + i)
        fake.add_video("douyin", video_id, 10 + i, i)
        insert_task(database, video_url=f"https://www.douyin.com/video/{video_id}", callback_url=fake.callback_url("r"))

    result = sb.broadcast_all_tasks(fake_config, database, trigger="cli")

    assert (29, 29) == (result["total"], result["success_count"])
    assert 29 == len({entry["task_id"] for r in fake.received("r") for entry in r.json["stats"]})


def test_youtube_api_batches_fifty_ids_per_call(database, fake, fake_config):
    """120 YouTube videos through the API take 3 calls; counts match each video."""
    fake.set_receiver("r")
    for n in range(120):
        video_id = f"vid{n:07d}A"[:10] + "A"
        fake.add_video("youtube", video_id, 1000 + n, n + 1)
        insert_task(database, video_url=f"https://youtu.be/{video_id}", callback_url=fake.callback_url("r"),
                    external_task_id=n)
    fake.reset_counters()

    result = sb.broadcast_all_tasks(fake_config.replace(youtube_api_key="test-key"), database, trigger="cli")

    assert 120 == result["success_count"]
    assert 3 == fake.request_counts()["yt-api"]
    assert 0 == fake.request_counts()["yt"]
    by_task = {r.json["stats"][0]["task_id"]: r.json["stats"][0] for r in fake.received("r")}
    assert all(by_task[n]["yt_view_count"] == 1000 + n for n in range(120))
    quota = database.fetch_one("SELECT units_used, exhausted FROM broadcaster_quota")
    assert (3, False) == (quota["units_used"], quota["exhausted"])


def test_quota_exceeded_falls_back_to_pages_and_is_remembered(database, fake, fake_config):
    """On quotaExceeded the pass reads watch pages; later passes make no API call that day."""
    fake.set_receiver("r")
    fake.add_video("youtube", YT, 77, 7, behaviour="quota")
    insert_task(database, callback_url=fake.callback_url("r"))
    config = fake_config.replace(youtube_api_key="test-key")

    first = sb.broadcast_all_tasks(config, database, trigger="cli")
    fake.reset_counters()
    second = sb.broadcast_all_tasks(config, database, trigger="cli")

    assert (1, 1) == (first["success_count"], second["success_count"])
    assert 77 == fake.received("r")[0].json["stats"][0]["yt_view_count"]
    assert 0 == fake.request_counts()["yt-api"]
    assert database.fetch_one("SELECT exhausted FROM broadcaster_quota")["exhausted"] is True


def test_page_budget_refreshes_stalest_first(database, fake, fake_config):
    """With a budget of one page per pass, each pass refreshes a different video; all are sent."""
    fake.set_receiver("r")
    videos = ["7000000000000000001", "7000000000000000002", "7000000000000000003"]
    for video_id in videos:
        fake.add_video("tiktok", video_id, 10, 1)
        insert_task(database, video_url=f"https://www.tiktok.com/@u/video/{video_id}", callback_url=fake.callback_url("r"))
    config = fake_config.replace(tiktok_pages_per_minute=1, broadcast_interval_seconds=60)

    results = [sb.broadcast_all_tasks(config, database, trigger="cli") for _ in range(3)]

    assert [1, 2, 3] == [r["success_count"] for r in results]  # never-read videos cannot be sent yet
    fetched = database.fetch_all("SELECT video_id FROM broadcaster_videos WHERE fetched_at IS NOT NULL")
    assert set(videos) == {row["video_id"] for row in fetched}


def test_batching_groups_tasks_by_callback(database, fake, fake_config):
    """With WEBHOOK_BATCH_SIZE=2, five tasks to one receiver go in three requests."""
    fake.add_video("youtube", YT, 10, 2)
    fake.set_receiver("batch", "always_500")
    fake.set_receiver("ok")
    for n in range(5):
        insert_task(database, callback_url=fake.callback_url("ok"), external_task_id=n)
    failing = insert_task(database, callback_url=fake.callback_url("batch"))
    config = fake_config.replace(webhook_batch_size=2, webhook_max_attempts=1)

    result = sb.broadcast_all_tasks(config, database, trigger="cli")

    assert (6, 5, 1) == (result["total"], result["success_count"], result["failed_count"])
    sizes = sorted(len(r.json["stats"]) for r in fake.received("ok"))
    assert [1, 2, 2] == sizes
    assert "failed" == task_row(database, failing)["callback_status"]


def test_short_links_are_resolved_once_and_stored(database, fake, fake_config):
    """A short link is resolved on the first pass only; the result is stored per task."""
    fake.add_video("tiktok", TT, 5, 5)
    fake.set_receiver("r")
    insert_task(database, video_url="https://vm.tiktok.com/ZMhAbCdEf/", callback_url=fake.callback_url("r"))
    calls = []

    class Resolving(vsf.VideoStatsFetcher):
        def resolve(self, ref):
            calls.append(ref.short_url)
            return vsf.VideoRef(vsf.TIKTOK, TT, handle="someone")

    fetcher = Resolving(**{key.lower(): value for key, value in fake.settings_env().items()})
    for _ in range(2):
        sb.broadcast_all_tasks(fake_config, database, trigger="cli", fetcher=fetcher)

    assert 1 == len(calls)
    assert 2 == len(fake.received("r"))
    stored = database.fetch_one("SELECT platform, video_id, handle FROM broadcaster_task_videos")
    assert ("tiktok", TT, "someone") == (stored["platform"], stored["video_id"], stored["handle"])


def test_selection_skips_inactive_and_callbackless_tasks(database, fake, fake_config):
    """Only active tasks with a callback URL and a video URL are selected."""
    fake.add_video("youtube", YT, 10, 2)
    fake.set_receiver("r")
    insert_task(database, callback_url=fake.callback_url("r"))
    insert_task(database, callback_url=fake.callback_url("r"), status="paused")
    insert_task(database, callback_url="")
    insert_task(database, callback_url=None)
    insert_task(database, callback_url=fake.callback_url("r"), video_url="")

    result = sb.broadcast_all_tasks(fake_config, database, trigger="cli")

    assert (1, 1) == (result["total"], result["success_count"])


def test_second_pass_is_refused_while_one_runs(database, fake_config):
    """A pass cannot start while another is running (one runner)."""
    assert claim_run(database, "manual") is not None

    result = sb.broadcast_all_tasks(fake_config, database, trigger="cli")

    assert result["success"] is False
    assert "正在进行" in result["error"]


def test_stop_interrupts_a_pass(database, fake, fake_config):
    """Setting the stop event mid-pass ends it quickly and records it as interrupted."""
    fake.set_receiver("r", "slow")
    fake.add_video("youtube", YT, 10, 2)
    for _ in range(20):
        insert_task(database, callback_url=fake.callback_url("r"))
    stop = threading.Event()
    config = fake_config.replace(webhook_timeout_seconds=30, webhook_concurrency=2)
    threading.Timer(1.0, stop.set).start()

    started = time.monotonic()
    result = sb.broadcast_all_tasks(config, database, trigger="cli", stop_event=stop)

    assert time.monotonic() - started < 60  # unstopped: 20 slow webhooks, 2 at a time, 30 s each
    run = database.fetch_one(queries.FETCH_RUN, {"run_id": result["run_id"]})
    assert "interrupted" == run["status"]
    assert run["done"] < 20


def test_private_callback_is_refused_at_send(database, fake, fake_config):
    """A stored callback on a private address is refused at send time; nothing reaches it."""
    fake.add_video("youtube", YT, 10, 2)
    fake.set_receiver("private")
    task_id = insert_task(database, callback_url=fake.callback_url("private"))

    result = sb.broadcast_all_tasks(fake_config.replace(webhook_allow_private_networks=False), database,
                                    trigger="cli")

    assert (1, 0) == (result["total"], result["success_count"])
    assert [] == fake.received("private")
    [log] = log_rows(database, task_id)
    assert "内网" in log["error"]


def test_a_pass_over_selected_tasks_covers_only_them(database, fake, fake_config):
    """A run claimed with task ids selects just those tasks; its scope says so."""
    fake.add_video("youtube", YT, 10, 2)
    fake.set_receiver("r")
    ids = [insert_task(database, callback_url=fake.callback_url("r"), external_task_id=500 + i) for i in range(3)]
    run_id = claim_run(database, "manual", [ids[0], ids[2]])

    result = sb.broadcast_all_tasks(fake_config, database, run_id=run_id)

    assert (2, 2) == (result["total"], result["success_count"])
    assert {500, 502} == {r.json["stats"][0]["task_id"] for r in fake.received("r")}
    row = database.fetch_one("SELECT scope, task_ids FROM broadcaster_runs WHERE id = %s", (run_id,))
    assert ("selected", [ids[0], ids[2]]) == (row["scope"], row["task_ids"])
