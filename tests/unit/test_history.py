"""Count history (docs/storage.md#count-history): a point per changed refresh, GET /api/tasks/<id>/history, retention."""

from __future__ import annotations

import datetime as dt

import pytest

import stats_broadcaster as sb
from admin_api import create_app
from broadcaster.core.config import config_from_mapping
from broadcaster.core.errors import ConfigError
from broadcaster.reports import history
from broadcaster.storage import retention
from tests.conftest import ADMIN_TOKEN, add_points, insert_task

YT, DY = "dQw4w9WgXcQ", "7535852404919586100"
POINT_KEYS = {"at", "views", "likes"}


@pytest.fixture
def client(fake_config, database):
    """A test client of the admin app on the test database, sending the admin token."""
    client = create_app(fake_config, database=database).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {ADMIN_TOKEN}"
    return client


def get_history(client, task_id: int, query: str = "") -> dict:
    """The history answer's data (asserting a 200 success)."""
    response = client.get(f"/api/tasks/{task_id}/history{query}")
    assert 200 == response.status_code, response.get_json()
    body = response.get_json()
    assert body["success"] is True and {"task_id", "platform", "points"} == set(body["data"])
    return body["data"]


def counts(data: dict) -> list[tuple]:
    """(views, likes) of each point, in the answer's order."""
    return [(point["views"], point["likes"]) for point in data["points"]]


def resolved_task(database, platform: str = "youtube", video_id: str = YT) -> int:
    """A task whose link is already resolved to `video_id` (as after its first pass)."""
    url = f"https://youtu.be/{video_id}" if platform == "youtube" else f"https://www.douyin.com/video/{video_id}"
    task_id = insert_task(database, video_url=url)
    database.execute("INSERT INTO broadcaster_task_videos (task_id, video_url, platform, video_id) "
                     "VALUES (%s, %s, %s, %s)", (task_id, url, platform, video_id))
    return task_id


# --------------------------------------------------------------------------------------------
# Points are stored by the pass


def test_a_point_whenever_a_refresh_changes_the_counts(client, database, fake, fake_config):
    """First read, unchanged, changed, blocked, unchanged again: two points, shared by the video's tasks."""
    fake.set_receiver("r")
    first = insert_task(database, video_url=f"https://youtu.be/{YT}", callback_url=fake.callback_url("r"))
    second = insert_task(database, video_url=f"https://www.youtube.com/watch?v={YT}",
                         callback_url=fake.callback_url("r"))
    for views, likes, behaviour in [(100, 10, "ok"), (100, 10, "ok"), (150, 12, "ok"), (999, 99, "blocked"),
                                    (150, 12, "ok")]:
        fake.add_video("youtube", YT, views, likes, behaviour=behaviour)
        result = sb.broadcast_all_tasks(fake_config, database, trigger="cli")
        assert 2 == result["total"]

    data = get_history(client, first)

    assert {"task_id": first, "platform": "youtube"} == {key: data[key] for key in ("task_id", "platform")}
    assert [(100, 10), (150, 12)] == counts(data)
    times = [dt.datetime.fromisoformat(point["at"]) for point in data["points"]]
    assert times == sorted(times) and all(t.utcoffset() == dt.timedelta(0) for t in times)
    assert all(POINT_KEYS == set(point) for point in data["points"])
    assert data["points"] == get_history(client, second)["points"]
    assert 2 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_count_points")["n"]


def test_a_count_that_is_unknown_stays_null(client, database, fake, fake_config):
    """Douyin share pages give likes only: the point has views null and the likes read."""
    fake.add_video("douyin", DY, None, 7007)
    fake.set_receiver("r")
    task_id = insert_task(database, video_url=f"https://www.douyin.com/video/{DY}", callback_url=fake.callback_url("r"))

    sb.broadcast_all_tasks(fake_config, database, trigger="cli")

    data = get_history(client, task_id)
    assert ("douyin", [(None, 7007)]) == (data["platform"], counts(data))


# --------------------------------------------------------------------------------------------
# The API


def test_hours_picks_the_window_and_defaults_to_a_week(client, database):
    """Default 168 hours; hours=24 and hours=720 narrow and widen it; points come oldest first."""
    task_id = resolved_task(database)
    add_points(database, "youtube", YT, (dt.timedelta(hours=200), 1, 1), (dt.timedelta(hours=30), 2, 1),
               (dt.timedelta(hours=2), 3, 2))
    add_points(database, "youtube", "aaaaaaaaaaA", (dt.timedelta(hours=1), 50, 5))  # another video

    assert [(2, 1), (3, 2)] == counts(get_history(client, task_id))
    assert [(3, 2)] == counts(get_history(client, task_id, "?hours=24"))
    assert [(1, 1), (2, 1), (3, 2)] == counts(get_history(client, task_id, "?hours=720"))


def test_a_task_not_read_yet_has_no_points(client, database):
    """A task whose link no pass has resolved answers its id, no platform and no points."""
    task_id = insert_task(database)

    assert {"task_id": task_id, "platform": None, "points": []} == get_history(client, task_id)


def test_a_long_window_is_thinned_to_the_newest_point_of_each_slice(client, database):
    """3,000 points in a day come back as at most MAX_POINTS, oldest first, the newest point kept."""
    task_id = resolved_task(database)
    add_points(database, "youtube", YT, (dt.timedelta(days=1), 0, 0))  # its row, and yesterday's partition
    database.execute(
        "INSERT INTO broadcaster_count_points (recorded_at, video_ref, view_count, like_count) "
        "SELECT NOW() - (g * INTERVAL '28 seconds'), v.id, 100000 - g, 1000 - g / 10 "
        "FROM generate_series(1, 3000) g, broadcaster_videos v WHERE v.video_id = %s", (YT,))

    points = get_history(client, task_id, "?hours=24")["points"]

    assert 900 < len(points) <= history.MAX_POINTS
    times = [point["at"] for point in points]
    assert times == sorted(times)
    assert (99999, 1000) == (points[-1]["views"], points[-1]["likes"])
    assert all(point["views"] < 100000 for point in points)


@pytest.mark.parametrize("query", ["hours=0", "hours=-1", "hours=abc", "hours=1.5", "hours=87601", "hours=1e3",
                                   "hours=%00"])
def test_bad_hours_are_a_400(client, database, query):
    """An out-of-range or non-numeric `hours` is a 400 with a reason."""
    task_id = resolved_task(database)

    response = client.get(f"/api/tasks/{task_id}/history?{query}")

    assert 400 == response.status_code
    body = response.get_json()
    assert body["success"] is False and "hours" in body["error"]


@pytest.mark.parametrize("task_id", [12345, 2**31, 2**70])
def test_unknown_task_is_a_404(client, database, task_id):
    """The history of a task that does not exist is a JSON 404."""
    response = client.get(f"/api/tasks/{task_id}/history")

    assert 404 == response.status_code
    assert {"success": False, "error": "未找到该任务"} == response.get_json()


def test_history_needs_credentials(fake_config, database):
    """Like every API route, the history needs the admin credentials."""
    task_id = insert_task(database)

    response = create_app(fake_config, database=database).test_client().get(f"/api/tasks/{task_id}/history")

    assert 401 == response.status_code


# --------------------------------------------------------------------------------------------
# Retention


def points_by_day(database) -> dict:
    """{partition name: [(views, likes), …] oldest first} of the video's count history."""
    rows = database.fetch_all("SELECT c.relname, p.view_count, p.like_count FROM broadcaster_count_points p "
                              "JOIN pg_class c ON c.oid = p.tableoid ORDER BY p.recorded_at")
    days: dict = {}
    for row in rows:
        days.setdefault(row["relname"], []).append((row["view_count"], row["like_count"]))
    return days


def test_history_is_thinned_as_days_age_and_dropped_after_count_history_days(database, config):
    """Full resolution for 48 hours; then the last reading of each hour; after 30 days the last of
    each day; days past COUNT_HISTORY_DAYS dropped whole. Every kept point is a real reading."""
    now = dt.datetime.now(dt.UTC)
    midnight = dt.datetime.combine(now.date(), dt.time(0), tzinfo=dt.UTC)

    def at(days_back: int, hour: int, minute: int) -> dt.timedelta:
        return now - (midnight - dt.timedelta(days=days_back) + dt.timedelta(hours=hour, minutes=minute))

    readings = []
    for days_back in (1, 4, 40, 100):  # a day that stays full, one thinned hourly, one daily, one dropped
        for hour, minute in ((5, 0), (5, 20), (5, 40), (6, 10), (6, 50)):
            readings.append((at(days_back, hour, minute), days_back * 1000 + hour * 60 + minute, minute))
    add_points(database, "youtube", YT, *readings)

    done = retention.upkeep(database, config.replace(count_history_days=90))

    days = points_by_day(database)
    day = {n: f"broadcaster_count_points_{(now.date() - dt.timedelta(days=n)):%Y%m%d}" for n in (1, 4, 40, 100)}
    assert [(1300, 0), (1320, 20), (1340, 40), (1370, 10), (1410, 50)] == days[day[1]]  # under 48 hours old
    assert [(4340, 40), (4410, 50)] == days[day[4] + "_hourly"]  # the last of hour 5 and of hour 6
    assert [(40410, 50)] == days[day[40] + "_daily"]  # the last of the day
    assert not any(name.startswith(day[100]) for name in days)  # past 90 days: dropped whole
    assert done["days_dropped"] >= 1 and done["days_thinned"] >= 2  # (empty days around them too)
    again = retention.upkeep(database, config.replace(count_history_days=90))
    assert (0, 0) == (again["days_dropped"], again["days_thinned"])  # nothing left to do
    assert days == points_by_day(database)


def test_the_supervisor_keeps_history_by_count_history_days(database, config):
    """The supervisor's tick drops history with its COUNT_HISTORY_DAYS, not LOG_RETENTION_DAYS."""
    add_points(database, "youtube", YT, (dt.timedelta(days=10), 7, 7), (dt.timedelta(hours=2), 8, 8))

    sb.Broadcaster(config.replace(count_history_days=5, log_retention_days=30), database).run_once()

    assert [8] == [row["view_count"] for row in database.fetch_all("SELECT view_count FROM broadcaster_count_points")]


def test_count_history_days_setting():
    """COUNT_HISTORY_DAYS defaults to 90 and is validated like the other integers."""
    assert 90 == config_from_mapping({}).count_history_days
    assert 30 == config_from_mapping({"COUNT_HISTORY_DAYS": " 30 "}).count_history_days
    for bad in ("0", "3651", "abc", "1.5"):
        with pytest.raises(ConfigError, match="COUNT_HISTORY_DAYS"):
            config_from_mapping({"COUNT_HISTORY_DAYS": bad})
