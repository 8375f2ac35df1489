"""GET /api/tasks at any size (docs/architecture.md#the-task-list-at-any-size): search, filters, sorts, true totals, and each task's platform."""


import pytest

from admin_api import create_app
from broadcaster.storage import db, queries
from tests.conftest import insert_task, token_client

YT_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
TIKTOK_SHORT = "https://vm.tiktok.com/ZMabc123/"
DOUYIN_SHARE = "7.93 复制打开抖音，看看【测试】 https://v.douyin.com/i5JpSdu8/ 02/23"


@pytest.fixture
def client(config, database):
    """A test client on the emptied test database, sending the admin token."""
    return token_client(create_app(config, database=database))


def listed(client, query: str = "") -> dict:
    """The answer of GET /api/tasks?query (asserting 200)."""
    response = client.get(f"/api/tasks?{query}")
    assert 200 == response.status_code, response.get_data(as_text=True)
    return response.get_json()


def ids(answer: dict) -> list[int]:
    return [task["task_id"] for task in answer["data"]]


def read_video(database, task_id: int, platform: str, video_id: str, status: str = "ok", views: int | None = 100,
               fetched_at: str | None = "2026-12-01 00:00:00+00") -> None:
    """What a pass stores for a task: its resolved link, then its video's state."""
    task = database.fetch_one("SELECT video_url FROM drama_tasks WHERE task_id = %(id)s", {"id": task_id})
    database.write_batches([(queries.UPSERT_TASK_VIDEOS, queries.TASK_VIDEO_ROW, [
        {"task_id": task_id, "video_url": task["video_url"], "platform": platform, "video_id": video_id,
         "handle": None, "error": None}])])
    database.execute(
        "INSERT INTO broadcaster_videos (platform, video_id, view_count, like_count, fetch_status, fetched_at)"
        " VALUES (%(p)s, %(v)s, %(views)s, 1, %(status)s, %(at)s) ON CONFLICT (platform, video_id) DO UPDATE"
        " SET view_count = EXCLUDED.view_count, fetch_status = EXCLUDED.fetch_status, fetched_at = EXCLUDED.fetched_at",
        {"p": platform, "v": video_id, "views": views, "status": status, "at": fetched_at},
    )


# --------------------------------------------------------------------------------------------
# A task's platform


def test_platform_known_before_any_pass(client, database):
    """Tasks the bot wrote and no pass has read show the platform their link names, paused ones too."""
    youtube = insert_task(database, video_url=YT_URL)
    tiktok = insert_task(database, video_url=TIKTOK_SHORT, status="paused")
    douyin = insert_task(database, video_url=DOUYIN_SHARE)
    broken = insert_task(database, video_url="https://example.com/video/1")

    platforms = {task["task_id"]: task["platform"] for task in listed(client)["data"]}

    assert {youtube: "youtube", tiktok: "tiktok", douyin: "douyin", broken: None} == platforms
    assert [tiktok] == ids(listed(client, "platform=tiktok"))


def test_platform_follows_a_changed_link(client, database):
    """A link edited through the API or by the bot in the database is parsed again before the list is read."""
    task_id = insert_task(database, video_url=YT_URL)
    listed(client)

    assert "tiktok" == client.patch(f"/api/tasks/{task_id}", json={"video_url": TIKTOK_SHORT}).get_json()["data"]["platform"]
    database.execute("UPDATE drama_tasks SET video_url = %(url)s WHERE task_id = %(id)s", {"url": DOUYIN_SHARE, "id": task_id})

    assert ["douyin"] == [task["platform"] for task in listed(client)["data"]]
    assert 1 == listed(client, "platform=douyin")["total"]


def test_created_task_has_its_platform(client):
    """POST /api/tasks answers with the platform of the new task's link."""
    body = {"title": "新任务", "video_url": TIKTOK_SHORT, "callback_url": "http://127.0.0.1:9/x2c"}

    assert "tiktok" == client.post("/api/tasks", json=body).get_json()["data"]["platform"]


# --------------------------------------------------------------------------------------------
# Search


@pytest.mark.parametrize(("q", "expected"), [("100%", ["完成100%"]), ("%", ["完成100%"]), ("a_b", ["a_b 合集"]),
                                             ("_", ["a_b 合集"])])
def test_search_percent_and_underscore_are_literal(client, database, q, expected):
    """`%` and `_` in a search match those characters, not any text."""
    for title in ("完成100%", "完成1000", "a_b 合集", "axb 合集"):
        insert_task(database, title=title)

    answer = listed(client, f"q={q.replace('%', '%25')}")

    assert expected == [task["title"] for task in answer["data"]]
    assert len(expected) == answer["total"]


def test_search_chinese_substring_and_case(client, database):
    """A search finds Chinese text anywhere in a title, and Latin letters in either case."""
    wanted = insert_task(database, title="《霸道总裁爱上我》第3集 EP03")
    insert_task(database, title="《总裁》第1集")

    assert [wanted] == ids(listed(client, "q=总裁爱"))
    assert [wanted] == ids(listed(client, "q=ep03"))
    assert 2 == listed(client, "q=总裁")["total"]
    assert 0 == listed(client, "q=总裁恨")["total"]


def test_search_by_ids_lists_the_exact_match_first(client, database):
    """A search for a number finds the task of that id, X2C task id or project id before titles holding it."""
    first = insert_task(database, title="任务 A", external_task_id=777, project_id="proj-9")
    insert_task(database, title=f"任务 {first} 号")  # the id is also part of a newer title
    by_x2c = insert_task(database, title="任务 C", external_task_id=4242)

    assert first == ids(listed(client, f"q={first}"))[0]
    assert [by_x2c] == ids(listed(client, "q=4242"))
    assert [first] == ids(listed(client, "q=proj-9"))
    assert [first] == ids(listed(client, "q=777"))


# --------------------------------------------------------------------------------------------
# Filters, sorts, totals


def test_filters_totals_and_counts(client, database):
    """Each filter narrows the list; total counts the matches, counts the whole table."""
    ok_old = insert_task(database, video_url=YT_URL, callback_status="success")
    blocked = insert_task(database, video_url="https://www.tiktok.com/@a/video/7300000000000000001",
                          callback_status="failed")
    never = insert_task(database, video_url=DOUYIN_SHARE, status="paused")
    ok_new = insert_task(database, video_url="https://youtu.be/aaaaaaaaaaa")
    read_video(database, ok_old, "youtube", "dQw4w9WgXcQ", views=50, fetched_at="2026-12-01 00:00:00+00")
    read_video(database, blocked, "tiktok", "7300000000000000001", status="blocked", views=None, fetched_at=None)
    read_video(database, ok_new, "youtube", "aaaaaaaaaaa", views=900, fetched_at="2026-12-05 00:00:00+00")

    everything = listed(client)
    assert {"all": 4, "active": 3, "paused": 1} == everything["counts"]
    assert (4, [ok_new, never, blocked, ok_old]) == (everything["total"], ids(everything))
    assert [ok_new, ok_old] == ids(listed(client, "stats_status=ok"))
    assert [blocked] == ids(listed(client, "stats_status=blocked"))
    assert [never] == ids(listed(client, "stats_status=never"))
    assert [blocked] == ids(listed(client, "callback_status=failed"))
    assert [never] == ids(listed(client, "status=paused"))
    assert [ok_new, ok_old] == ids(listed(client, "platform=youtube&status=active"))
    assert [ok_old, ok_new, blocked, never] == ids(listed(client, "sort=stale"))  # no counts: last, oldest first
    assert [ok_new, ok_old, never, blocked] == ids(listed(client, "sort=views"))
    paged = listed(client, "sort=views&limit=1&offset=1")
    assert ([ok_old], 4, {"all": 4, "active": 3, "paused": 1}) == (ids(paged), paged["total"], paged["counts"])
    assert ([], 4) == (ids(listed(client, "offset=10")), listed(client, "offset=10")["total"])


def test_counts_follow_every_write(client, database):
    """The totals stay the table's own counts through API and direct inserts, status changes and deletes."""
    first = insert_task(database)
    second = insert_task(database)
    third = insert_task(database, status="paused")
    client.patch(f"/api/tasks/{first}", json={"status": "paused"})
    database.execute("UPDATE drama_tasks SET status = 'active' WHERE task_id = %(id)s", {"id": third})
    database.execute("UPDATE drama_tasks SET status = 'expired', title = 'x' WHERE task_id = %(id)s", {"id": second})
    database.execute("INSERT INTO drama_tasks (title, video_url) SELECT 'bulk', %(url)s FROM generate_series(1, 5)",
                     {"url": YT_URL})
    database.execute("DELETE FROM drama_tasks WHERE task_id = %(id)s", {"id": first})
    db.apply_schema(database)  # applying the schema again counts nothing twice

    by_status = {row["status"]: row["n"] for row in database.fetch_all(
        "SELECT status, COUNT(*) AS n FROM drama_tasks GROUP BY status")}
    answer = listed(client)
    assert {"all": 7, "active": 6, "paused": 0} == answer["counts"]
    assert {"active": 6, "expired": 1} == by_status
    assert (7, 0) == (answer["total"], listed(client, "status=paused")["total"])


def test_video_state_follows_what_a_pass_writes(client, database):
    """A video's new state (an upsert by the pass) moves its tasks between stats_status filters."""
    task_id = insert_task(database, video_url=YT_URL)
    read_video(database, task_id, "youtube", "dQw4w9WgXcQ", status="ok")
    assert [task_id] == ids(listed(client, "stats_status=ok"))

    database.write_batches([(queries.UPSERT_VIDEOS, queries.VIDEO_ROW, [
        {"platform": "youtube", "video_id": "dQw4w9WgXcQ", "views": None, "likes": None, "status": "unavailable",
         "reason": "gone", "held": False, "suspect_views": None, "suspect_likes": None}])])

    assert [task_id] == ids(listed(client, "stats_status=unavailable"))
    assert "unavailable" == listed(client)["data"][0]["stats_status"]
    database.execute("UPDATE drama_tasks SET video_url = 'https://youtu.be/bbbbbbbbbbb' WHERE task_id = %(id)s",
                     {"id": task_id})
    assert [task_id] == ids(listed(client, "stats_status=never"))


def test_suspect_filter_finds_the_tasks_whose_video_holds_suspect_counts(client, database):
    """stats_status=suspect lists exactly the tasks whose video has a held-back read (docs/operations.md#suspect-counts)."""
    calm, suspect = insert_task(database, video_url=YT_URL), insert_task(database, video_url="https://youtu.be/bbbbbbbbbbb")
    read_video(database, calm, "youtube", "dQw4w9WgXcQ")
    read_video(database, suspect, "youtube", "bbbbbbbbbbb", views=1_200_000)
    assert (0, []) == (listed(client, "stats_status=suspect")["total"], listed(client, "stats_status=suspect")["data"])

    database.execute("UPDATE broadcaster_videos SET suspect_views = 1200, suspect_likes = 3, suspect_at = NOW() "
                     "WHERE video_id = 'bbbbbbbbbbb'")
    answer = listed(client, "stats_status=suspect")

    assert (1, [suspect]) == (answer["total"], ids(answer))
    assert {"views": 1200, "likes": 3} == {key: answer["data"][0]["stats_suspect"][key] for key in ("views", "likes")}


@pytest.mark.parametrize("query", ["platform=vimeo", "stats_status=late", "callback_status=done", "status=deleted",
                                   "sort=title", "q=" + "x" * 201, "q=%00", "limit=1001", "offset=x"])
def test_bad_values_are_refused(client, query):
    """A value outside the contract is a 400 with the reason in Chinese."""
    response = client.get(f"/api/tasks?{query}")

    assert 400 == response.status_code
    assert "参数" in response.get_json()["error"]


# --------------------------------------------------------------------------------------------
# 100,000 tasks


