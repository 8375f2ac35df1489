"""Insight by drama (docs/architecture.md#insight-by-drama): project totals against a known mix through real passes with rising
counts, gains and stalled tasks from the count history, the hourly chart, the list's search, sorts
and paging, the CSV, and every 400 and 404.

History points are moved back in time in the database to stand for passes of earlier hours and
days, never by waiting.
"""

from __future__ import annotations

import csv
import io

import pytest

import stats_broadcaster as sb
from admin_api import create_app
from broadcaster.reports import projects
from broadcaster.web.csv_export import BOM
from tests.conftest import insert_task, token_client, update_points

P1, P2 = "drama-one", "drama-two"
A, D = "dQw4w9WgXcQ", "Dd1234567_A"  # YouTube
B, E = "7504044860782021930", "7504044860782021931"  # TikTok
C = "7535852404919586100"  # Douyin: likes only (no TikHub key)


@pytest.fixture
def client(fake_config, database):
    """A test client of the admin app on the test database, sending the admin token."""
    return token_client(create_app(fake_config, database=database))


def get(client, path: str) -> dict:
    response = client.get(path)
    assert 200 == response.status_code, response.get_json()
    return response.get_json()


def run_pass(fake, fake_config, database, videos: dict) -> None:
    """Set the fake's counts, then one real pass over every active task."""
    for (platform, video_id), counts in videos.items():
        if counts == "deleted":
            fake.add_video(platform, video_id, behaviour="deleted")
        else:
            fake.add_video(platform, video_id, *counts)
    result = sb.broadcast_all_tasks(fake_config, database, trigger="cli")
    assert result["success"], result


def move_points(database, video_id: str, interval: str, *, newer_than: str | None = None) -> None:
    """Move a video's history points back by `interval` (only those newer than `newer_than` ago)."""
    condition = f"AND h.recorded_at > NOW() - INTERVAL '{newer_than}'" if newer_than else ""
    update_points(database, f"recorded_at = h.recorded_at - INTERVAL '{interval}'",
                  f"v.video_id = %(video_id)s {condition}", {"video_id": video_id})


@pytest.fixture
def mix(client, database, fake, fake_config):
    """Two dramas through two real passes with rising counts. P1: video A shared by two tasks in two
    link forms, TikTok B (its task paused after the first pass, B still read for P2), Douyin C (likes
    only), YouTube D (gone in the second pass), and a task paused before any pass; P2: B again and
    TikTok E (unchanged); one task in no project."""
    fake.set_receiver("r")
    url = fake.callback_url("r")
    task = {}
    for name, project, link in [
        ("a1", P1, f"https://www.youtube.com/watch?v={A}"), ("a2", P1, f"https://youtu.be/{A}?si=share"),
        ("b1", P1, f"https://www.tiktok.com/@x/video/{B}"), ("c", P1, f"https://www.douyin.com/video/{C}"),
        ("d", P1, f"https://www.youtube.com/shorts/{D}"), ("b2", P2, f"https://www.tiktok.com/@y/video/{B}?lang=en"),
        ("e", P2, f"https://www.tiktok.com/@y/video/{E}"), ("none", None, f"https://youtu.be/{A}"),
    ]:
        task[name] = insert_task(database, title=f"《{project or '无项目'}》{name}", project_id=project,
                                 video_url=link, callback_url=url)
    task["never"] = insert_task(database, title="《drama-one》未读", project_id=P1, status="paused",
                                video_url="https://youtu.be/Nn1234567_A", callback_url=url)
    run_pass(fake, fake_config, database, {("youtube", A): (1000, 10), ("tiktok", B): (500, 5),
                                           ("douyin", C): (None, 20), ("youtube", D): (300, 3),
                                           ("tiktok", E): (50, 1)})
    assert 200 == client.patch(f"/api/tasks/{task['b1']}", json={"status": "paused"}).status_code
    run_pass(fake, fake_config, database, {("youtube", A): (1500, 15), ("tiktok", B): (800, 8),
                                           ("douyin", C): (None, 25), ("youtube", D): "deleted",
                                           ("tiktok", E): (50, 1)})
    return task


def test_project_totals_count_each_video_once(client, database, fake_config, mix):
    """P1: 6 tasks (4 active), videos A, B, C, D once each (D unavailable, with its last counts),
    gains from the two passes' points; P2 shares B; the task without a project is in none."""
    projects.refresh(database, fake_config)
    answer = get(client, "/api/projects")

    assert 2 == answer["total"] and answer["as_of"]
    p1, p2 = answer["data"]  # most viewed first
    assert {"project_id": P1, "sample_title": "《drama-one》a1", "tasks": 6, "active_tasks": 4, "videos": 4,
            "unavailable": 1, "stalled": 0, "views": 1500 + 800 + 300, "likes": 15 + 8 + 25 + 3,
            "yt_views": 1500 + 300, "tt_views": 800, "gain_24h": 500 + 300, "gain_7d": 500 + 300} == {
        key: value for key, value in p1.items() if key != "last_read_at"}
    assert p1["last_read_at"].endswith("+00:00")
    assert (P2, 2, 2, 2, 850, None, 850, 300) == (p2["project_id"], p2["tasks"], p2["active_tasks"], p2["videos"],
                                               p2["views"], p2["yt_views"], p2["tt_views"], p2["gain_24h"])


def test_gains_use_the_first_and_last_point_in_each_window(client, database, fake_config, mix):
    """A's first reading two days back: out of the 24 h window (one point in it: gains 0), inside
    the 7-day one (gains 500). B's first reading eight days back: B gains 0 in both."""
    update_points(database, "recorded_at = NOW() - INTERVAL '2 days'", "v.video_id = %(v)s AND h.view_count = 1000",
                  {"v": A})
    update_points(database, "recorded_at = NOW() - INTERVAL '8 days'", "v.video_id = %(v)s AND h.view_count = 500",
                  {"v": B})
    projects.refresh(database, fake_config)

    p1 = get(client, f"/api/projects/{P1}")["data"]
    assert (0, 500) == (p1["gain_24h"], p1["gain_7d"])


def test_a_video_read_for_stall_days_without_new_views_stalls_its_active_tasks(client, database, fake_config, mix):
    """E read 4 days ago and unchanged since: P2's active task on it is stalled (STALL_DAYS 3);
    with STALL_DAYS 5 it is not; B read 4 days ago but grown since is not; the gone D never is."""
    for video_id in (E, B, D):
        move_points(database, video_id, "4 days")
    update_points(database, "recorded_at = NOW()", "v.video_id = %(v)s AND h.view_count = 800", {"v": B})
    projects.refresh(database, fake_config)
    stalled = {row["project_id"]: row["stalled"] for row in get(client, "/api/projects")["data"]}
    assert {P1: 0, P2: 1} == stalled
    assert [P2, P1] == [row["project_id"] for row in get(client, "/api/projects?sort=stalled")["data"]]

    projects.refresh(database, fake_config.replace(stall_days=5))
    assert {P1: 0, P2: 0} == {row["project_id"]: row["stalled"] for row in get(client, "/api/projects")["data"]}


def test_the_chart_has_the_total_at_each_hours_end_then_now(client, database, fake_config, mix):
    """The first pass's points 3 hours back, the second's 90 minutes back: the hours' totals step
    from the first pass's sums to the second's, and the last point is the current total."""
    update_points(database, "recorded_at = NOW() - INTERVAL '3 hours'",
                  "(h.video_ref, h.recorded_at) IN (SELECT video_ref, MIN(recorded_at) FROM broadcaster_count_points "
                  "GROUP BY video_ref)")
    update_points(database, "recorded_at = NOW() - INTERVAL '90 minutes'", "h.recorded_at > NOW() - INTERVAL '1 hour'")
    projects.refresh(database, fake_config)

    detail = get(client, f"/api/projects/{P1}?hours=24")["data"]
    views = [point["views"] for point in detail["series"]]
    likes = [point["likes"] for point in detail["series"]]
    assert 4 <= len(views) <= 5  # the hours ending since the first reading, then now
    assert views[0] == 1000 + 500 + 300 and likes[0] == 10 + 5 + 20 + 3
    assert views[-2:] == [2600, 2600] and likes[-1] == 51
    assert sorted(views) == views
    assert [point["at"] for point in detail["series"]] == sorted(point["at"] for point in detail["series"])


def test_a_project_lists_its_tasks_most_viewed_first(client, database, fake_config, mix):
    """items: every task of P1 as TASK, most viewed first (never-read ones last); limit pages them."""
    detail = get(client, f"/api/projects/{P1}")["data"]

    assert [mix["a2"], mix["a1"], mix["b1"], mix["d"]] == [item["task_id"] for item in detail["items"][:4]]
    assert {mix["c"], mix["never"]} == {item["task_id"] for item in detail["items"][4:]}
    assert "callback_secret" not in detail["items"][0] and "stats_suspect" in detail["items"][0]
    assert [mix["a1"]] == [item["task_id"] for item in
                           get(client, f"/api/projects/{P1}?limit=1&offset=1")["data"]["items"]]


def test_search_sort_and_paging_with_the_true_total(client, database, fake_config, mix):
    """q: a project id exactly or any task title's substring; sorts largest first; offset pages."""
    insert_task(database, title="另一部剧 第1集", project_id="drama-three")
    projects.refresh(database, fake_config)

    def ids(path):
        answer = get(client, path)
        return [row["project_id"] for row in answer["data"]], answer["total"]

    assert ([P1, P2, "drama-three"], 3) == ids("/api/projects")
    assert ([P2], 1) == ids(f"/api/projects?q={P2}")
    assert (["drama-three"], 1) == ids("/api/projects?q=另一部")
    assert ([P1], 1) == ids("/api/projects?q=未读")
    assert ([], 0) == ids("/api/projects?q=three")  # a project id matches exactly, not in part
    assert ([P1, P2], 2) == ids("/api/projects?q=drama")  # …the titles hold "drama-one" and "drama-two"
    assert ([P1, P2, "drama-three"], 3) == ids("/api/projects?sort=tasks")
    assert ([P2], 3) == ids("/api/projects?limit=1&offset=1")
    assert ([], 3) == ids("/api/projects?offset=5")


def test_the_csv_takes_the_lists_arguments(client, database, fake_config, mix):
    """UTF-8 with a byte-order mark, Chinese headers, every matching project in the list's order."""
    projects.refresh(database, fake_config)
    response = client.get("/api/projects.csv?sort=tasks&limit=1")

    assert 200 == response.status_code and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert ["项目ID", "示例标题", "任务数"] == rows[0][:3]
    assert [[P1, "《drama-one》a1", "6"], [P2, "《drama-two》b2", "2"]] == [row[:3] for row in rows[1:]]
    assert 'filename="projects.csv"' in response.headers["Content-Disposition"]


def test_a_fresh_database_is_computed_on_the_first_request(client, database, mix):
    """Nothing refreshed yet (no supervisor ran): the first request computes the figures."""
    assert 2 == get(client, "/api/projects")["total"]


def test_a_project_newer_than_the_refresh_is_computed_for_its_page(client, database, fake_config, mix):
    """Tasks of a new project added after the refresh: its page is computed now; unknown ones 404."""
    projects.refresh(database, fake_config)
    insert_task(database, title="新剧", project_id="drama-new")

    detail = get(client, "/api/projects/drama-new")["data"]
    assert (1, 0, None, []) == (detail["tasks"], detail["videos"], detail["views"], detail["series"])
    response = client.get("/api/projects/no-such-drama")
    assert 404 == response.status_code and {"success": False, "error": "未找到该项目"} == response.get_json()


@pytest.mark.parametrize(("path", "error"), [
    ("/api/projects?sort=likes", "参数 sort 只能是 views / gain_24h / gain_7d / tasks / stalled"),
    ("/api/projects?limit=0", "参数 limit 必须在 1–1000 之间"),
    ("/api/projects?offset=-1", "参数 offset 必须在 0–10000000 之间"),
    ("/api/projects?q=" + "x" * 201, "参数 q 过长"),
    ("/api/projects.csv?sort=x", "参数 sort 只能是 views / gain_24h / gain_7d / tasks / stalled"),
    (f"/api/projects/{P1}?hours=721", "参数 hours 必须在 1–720 之间"),
    (f"/api/projects/{P1}?hours=abc", "参数 hours 必须是整数"),
    (f"/api/projects/{P1}?limit=1001", "参数 limit 必须在 1–1000 之间"),
    ("/api/projects/" + "x" * 129, "项目 ID 无效"),
])
def test_bad_arguments_answer_400_with_the_reason(client, path, error):
    """Every bad argument: 400 with its Chinese reason."""
    response = client.get(path)

    assert 400 == response.status_code
    assert {"success": False, "error": error} == response.get_json()


def test_the_supervisor_refreshes_after_its_pass_and_when_due(client, database, fake, fake_config):
    """A scheduled pass run by the supervisor leaves the figures refreshed; a tick refreshes them
    again once they are REFRESH_SECONDS old (a paused task shows), not sooner."""
    from broadcaster.engine.switch import switch_off, switch_on
    from video_stats_fetcher import VideoStatsFetcher

    fake.set_receiver("r")
    fake.add_video("youtube", A, 700, 7)
    task_id = insert_task(database, project_id=P1, video_url=f"https://youtu.be/{A}", callback_url=fake.callback_url("r"))
    switch_on(database)
    supervisor = sb.Broadcaster(fake_config, database, fetcher=VideoStatsFetcher.from_config(fake_config),
                                schema_ready=True)
    assert supervisor.run_once()["success"]
    row = database.fetch_one("SELECT tasks, active_tasks, views FROM broadcaster_projects")
    assert {"tasks": 1, "active_tasks": 1, "views": 700} == row

    switch_off(database)
    database.execute("UPDATE drama_tasks SET status = 'paused' WHERE task_id = %(id)s", {"id": task_id})
    supervisor._last_insight_check = None
    supervisor.run_once()
    assert 1 == database.fetch_one("SELECT active_tasks FROM broadcaster_projects")["active_tasks"]  # not due yet
    database.execute("UPDATE broadcaster_insight_state SET as_of = as_of - INTERVAL '301 seconds'")
    supervisor._last_insight_check = None
    supervisor.run_once()
    assert 0 == database.fetch_one("SELECT active_tasks FROM broadcaster_projects")["active_tasks"]


def test_a_project_the_refresh_has_not_seen_answers_integers(client, database, fake_config, mix):
    """A project named only after the last refresh is computed on the spot; its sums are JSON
    integers like the refreshed ones (PostgreSQL's SUM of a BIGINT is a NUMERIC; the fuzzer found
    them answered as strings)."""
    detail = get(client, f"/api/projects/{P1}")["data"]  # no refresh ran: computed now

    assert all(isinstance(detail[key], int) for key in ("views", "likes", "yt_views", "tt_views", "gain_24h",
                                                         "gain_7d"))
    assert 1500 + 800 + 300 == detail["views"]
