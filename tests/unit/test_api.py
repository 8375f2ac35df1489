"""Every admin API route through Flask's test client, against the real PostgreSQL and the fake upstream."""

import datetime as dt
import io
import json
import threading

import pytest

import stats_broadcaster as sb
from admin_api import create_app
from broadcaster.engine.runs import claim_run
from broadcaster.storage.db import Database
from broadcaster.web.inputs import MAX_REQUEST_BYTES
from broadcaster.web.state import app_state
from tests.conftest import ADMIN_PASSWORD, ADMIN_TOKEN, basic, bearer_client, insert_task, shift_records, token_client

YT = "dQw4w9WgXcQ"
YT_URL = f"https://www.youtube.com/watch?v={YT}"
RUN_KEYS = {"id", "trigger", "scope", "status", "started_at", "finished_at", "total", "done", "success_count",
            "failed_count", "freshness", "triggered_by"}
SERVED_RUN_KEYS = RUN_KEYS | {"error"}  # the contract's RUN plus why a run failed or was interrupted
TASK_KEYS = {
    "task_id", "external_task_id", "project_id", "title", "status", "video_url", "platform", "duration",
    "callback_url", "has_callback_secret", "callback_status", "callback_retry_count", "callback_last_attempt",
    "created_at", "view_count", "like_count", "stats_status", "stats_reason", "stats_fetched_at",
    "stats_suspect",  # docs/operations.md#suspect-counts
}
STATUS_KEYS = {"running", "interval_seconds", "next_run_at", "current_run", "last_run", "timestamp",
               "stale_warn_hours", "egresses"}  # docs/http-api.md#routes: the status, with its egress list and the warning threshold
UNREACHABLE_DATABASE = "postgresql://u:p@127.0.0.1:1/x"


def is_utc_iso(value) -> bool:
    """True for an ISO-8601 string with a UTC offset."""
    return isinstance(value, str) and dt.datetime.fromisoformat(value).utcoffset() == dt.timedelta(0)


@pytest.fixture
def app(fake_config, database):
    """The admin app on the test database, its platforms pointed at the fake upstream."""
    yield create_app(fake_config, database=database)
    # A triggered pass's waiting thread reads its run row after the child exits: let it finish
    # before the next test empties the tables under it.
    for thread in threading.enumerate():
        if thread.name.startswith("manual-pass-"):
            thread.join(30)


@pytest.fixture
def client(app):
    """A test client sending the Bearer token with every request."""
    return token_client(app)


@pytest.fixture(scope="module")
def shared_client(database_url, tmp_path_factory):
    """One app for tests whose requests are refused or only read: no emptying per test."""
    with bearer_client(database_url, tmp_path_factory.mktemp("instance")) as client:
        yield client


def count_tasks(database: Database) -> int:
    return database.fetch_one("SELECT COUNT(*) AS n FROM drama_tasks")["n"]


def switch_enabled(database: Database) -> bool:
    return database.fetch_one("SELECT enabled FROM broadcaster_state WHERE id = 1")["enabled"]


def add_delivering_tasks(database, fake, count: int = 1, receiver: str = "ok", behaviour: str = "ok") -> list[int]:
    """Tasks on one fake YouTube video whose webhooks go to one fake receiver."""
    fake.add_video("youtube", YT, 1200, 34)
    fake.set_receiver(receiver, behaviour)
    return [insert_task(database, video_url=YT_URL, callback_url=fake.callback_url(receiver), external_task_id=n)
            for n in range(count)]


# --------------------------------------------------------------------------------------------
# The switch


@pytest.mark.parametrize(("interval", "wording"), [(180, "每3分钟"), (45, "每45秒"), (90, "每90秒"), (3600, "每1小时")])
def test_start_names_the_real_interval(fake_config, database, interval, wording):
    """Start answers the contract's message with the configured interval, and persists the switch."""
    client = create_app(fake_config.replace(broadcast_interval_seconds=interval), database=database).test_client()

    response = client.post("/api/broadcaster/start", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    assert 200 == response.status_code
    assert {"success": True, "message": f"分发数据回传服务已启动，{wording}自动回传一次"} == response.get_json()
    assert switch_enabled(database) is True


def test_start_when_already_on(client, database):
    """A second start says the service is already running and leaves it on."""
    client.post("/api/broadcaster/start")

    response = client.post("/api/broadcaster/start")

    assert 200 == response.status_code
    assert {"success": False, "message": "分发数据回传服务已在运行中"} == response.get_json()
    assert switch_enabled(database) is True


def test_stop_switches_off(client, database):
    """Stop after start answers the contract's message and persists the switch."""
    client.post("/api/broadcaster/start")

    response = client.post("/api/broadcaster/stop")

    assert {"success": True, "message": "分发数据回传服务已停止"} == response.get_json()
    assert switch_enabled(database) is False


def test_stop_when_already_off(client, database):
    """Stop while off says the service is not running."""
    response = client.post("/api/broadcaster/stop")

    assert 200 == response.status_code
    assert {"success": False, "message": "分发数据回传服务未运行"} == response.get_json()
    assert switch_enabled(database) is False


def test_stop_requests_cancel_of_a_running_pass(client, database):
    """Stop marks the pass in progress cancel_requested, so its heartbeat interrupts it."""
    client.post("/api/broadcaster/start")
    run_id = claim_run(database, "schedule")

    client.post("/api/broadcaster/stop")

    row = database.fetch_one("SELECT cancel_requested FROM broadcaster_runs WHERE id = %s", (run_id,))
    assert row["cancel_requested"] is True


def test_stop_while_off_still_interrupts_a_manual_pass(client, database):
    """With the switch off, stop still interrupts a running (manual) pass and says it stopped."""
    run_id = claim_run(database, "manual")

    response = client.post("/api/broadcaster/stop")

    assert {"success": True, "message": "分发数据回传服务已停止"} == response.get_json()
    row = database.fetch_one("SELECT cancel_requested FROM broadcaster_runs WHERE id = %s", (run_id,))
    assert row["cancel_requested"] is True


def test_switch_survives_a_new_app(fake_config, database, client):
    """The switch lives in the database: another process (a new app) sees it."""
    client.post("/api/broadcaster/start")
    other = create_app(fake_config, database=database).test_client()

    data = other.get("/api/broadcaster/status", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()["data"]

    assert data["running"] is True


# --------------------------------------------------------------------------------------------
# Status


def test_status_when_off(client):
    """Off: the full shape, no next slot, no runs yet."""
    response = client.get("/api/broadcaster/status")

    body = response.get_json()
    assert 200 == response.status_code and body["success"] is True
    data = body["data"]
    assert STATUS_KEYS == set(data)
    assert (False, 180, None, None, None) == (
        data["running"], data["interval_seconds"], data["next_run_at"], data["current_run"], data["last_run"]
    )
    assert is_utc_iso(data["timestamp"])


def test_status_when_on_with_runs(client, database, fake_config):
    """On: next_run_at is an ISO time; current_run and last_run are RUNs."""
    client.post("/api/broadcaster/start")
    finished = sb.broadcast_all_tasks(fake_config, database, trigger="cli")
    running = claim_run(database, "manual")

    data = client.get("/api/broadcaster/status").get_json()["data"]

    assert data["running"] is True
    assert is_utc_iso(data["next_run_at"])
    assert SERVED_RUN_KEYS == set(data["current_run"]) == set(data["last_run"])
    assert (running, "manual", "running", None) == (
        data["current_run"]["id"], data["current_run"]["trigger"], data["current_run"]["status"],
        data["current_run"]["finished_at"],
    )
    assert (finished["run_id"], "cli", "succeeded") == (
        data["last_run"]["id"], data["last_run"]["trigger"], data["last_run"]["status"]
    )
    assert is_utc_iso(data["last_run"]["started_at"]) and is_utc_iso(data["last_run"]["finished_at"])


# --------------------------------------------------------------------------------------------
# Trigger


def test_trigger_refused_while_a_pass_runs(client, database):
    """With a run already 'running', trigger answers 409 and starts nothing."""
    running = claim_run(database, "schedule")

    response = client.post("/api/broadcaster/trigger")

    assert 409 == response.status_code
    body = response.get_json()
    assert body["success"] is False and body["error"]
    assert [running] == [row["id"] for row in database.fetch_all("SELECT id FROM broadcaster_runs")]


@pytest.mark.parametrize(("body", "reason"), [
    ({"task_ids": "1"}, "数组"),
    ({"task_ids": {"1": 1}}, "数组"),
    ({"task_ids": None}, "数组"),
    ({"task_ids": 7}, "数组"),
    ({"task_ids": []}, "不能为空"),
    ({"task_ids": ["1"]}, "整数"),
    ({"task_ids": [1.0]}, "整数"),
    ({"task_ids": [True]}, "整数"),
    ({"task_ids": [1, None]}, "整数"),
    ({"task_ids": list(range(1, 1002))}, "最多 1000"),
    ({"task_ids": [987654]}, "未找到"),
    ({"task_ids": [2**40, -3, 0]}, "未找到"),
    ({"task_ids": list(range(5000, 6000)) + [5000]}, "未找到"),  # 1,001 entries, 1,000 ids: folded first
    ({"task_id": [1]}, "未知字段"),
    ([1, 2], "JSON 对象"),
    ("not json", "JSON 对象"),
])
def test_trigger_refuses_bad_task_ids(client, database, body, reason):
    """Bad selections are a 400 with the reason, and no run is claimed."""
    insert_task(database)
    data = body if isinstance(body, str) else json.dumps(body)

    response = client.post("/api/broadcaster/trigger", data=data, content_type="application/json")

    assert 400 == response.status_code
    error = response.get_json()["error"]
    assert reason in error, error
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_runs")["n"]


def test_trigger_refuses_tasks_a_pass_would_not_select(client, database):
    """Paused tasks and active ones without a callback or video URL are named in the 400."""
    active = insert_task(database)
    paused = insert_task(database, status="paused")
    no_callback = insert_task(database, callback_url="")
    no_video = insert_task(database, video_url=None)

    answers = [client.post("/api/broadcaster/trigger", json={"task_ids": ids})
               for ids in ([active, paused], [no_callback, active, no_video], [active, 424242, paused])]

    assert [400, 400, 400] == [answer.status_code for answer in answers]
    errors = [answer.get_json()["error"] for answer in answers]
    assert "active" in errors[0] and f"#{paused}" in errors[0] and f"#{active}" not in errors[0]
    assert f"#{no_callback}, #{no_video}" in errors[1] and "回传地址或视频链接" in errors[1]
    assert "未找到" in errors[2] and "#424242" in errors[2]  # unknown ids are named first
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_runs")["n"]


def test_trigger_over_selected_tasks_refused_while_a_pass_runs(client, database):
    """The one-runner rule holds for a selected pass too: 409 and nothing claimed."""
    task_id = insert_task(database)
    running = claim_run(database, "schedule")

    response = client.post("/api/broadcaster/trigger", json={"task_ids": [task_id]})

    assert 409 == response.status_code
    assert "正在进行" in response.get_json()["error"]
    assert [running] == [row["id"] for row in database.fetch_all("SELECT id FROM broadcaster_runs")]


# --------------------------------------------------------------------------------------------
# Runs and logs


def test_runs_newest_first_with_limit(client, database, fake_config):
    """Runs come newest first as RUNs; limit keeps the newest N."""
    ids = [sb.broadcast_all_tasks(fake_config, database, trigger="cli")["run_id"] for _ in range(3)]

    everything = client.get("/api/broadcaster/runs").get_json()["data"]
    two = client.get("/api/broadcaster/runs?limit=2").get_json()["data"]

    assert ids[::-1] == [run["id"] for run in everything]
    assert ids[:0:-1] == [run["id"] for run in two]
    assert all(SERVED_RUN_KEYS == set(run) for run in everything)
    assert all(run["status"] == "succeeded" and is_utc_iso(run["finished_at"]) for run in everything)


def test_run_detail_lists_each_tasks_outcome(client, database, fake, fake_config):
    """runs/<id> is the RUN plus one item per task with its delivery outcome."""
    ok_ids = add_delivering_tasks(database, fake, count=2)
    fake.set_receiver("bad", "gone")
    bad = insert_task(database, video_url=YT_URL, callback_url=fake.callback_url("bad"), title="坏的回调")
    run_id = sb.broadcast_all_tasks(fake_config, database, trigger="cli")["run_id"]

    response = client.get(f"/api/broadcaster/runs/{run_id}")

    assert 200 == response.status_code
    data = response.get_json()["data"]
    assert SERVED_RUN_KEYS | {"items"} == set(data)
    assert (run_id, 3, 2, 1) == (data["id"], data["total"], data["success_count"], data["failed_count"])
    outcomes = {item["task_id"]: item for item in data["items"]}
    assert {**dict.fromkeys(ok_ids, "success"), bad: "failed"} == {
        task_id: item["callback_status"] for task_id, item in outcomes.items()
    }
    assert (410, "坏的回调") == (outcomes[bad]["http_status"], outcomes[bad]["task_title"])
    assert outcomes[bad]["error"]
    assert is_utc_iso(outcomes[bad]["created_at"])


@pytest.mark.parametrize("run_id", [987654, 2**63 + 5])
def test_unknown_run_is_404(shared_client, run_id):
    """An unknown run id is a JSON 404."""
    response = shared_client.get(f"/api/broadcaster/runs/{run_id}")

    assert 404 == response.status_code
    body = response.get_json()
    assert body["success"] is False and body["error"]


def test_webhook_logs_filters(client, database, fake, fake_config):
    """Logs come newest first; status, limit and hours filter them."""
    add_delivering_tasks(database, fake, count=2)
    fake.set_receiver("bad", "gone")
    bad = insert_task(database, video_url=YT_URL, callback_url=fake.callback_url("bad"))
    sb.broadcast_all_tasks(fake_config, database, trigger="cli")
    shift_records(database, dt.timedelta(hours=3), task_id=bad)

    def logs(query=""):
        response = client.get(f"/api/webhook-logs{query}")
        assert 200 == response.status_code, response.get_json()
        return response.get_json()["data"]

    everything = logs()
    assert 3 == len(everything)
    times = [dt.datetime.fromisoformat(log["created_at"]) for log in everything]
    assert sorted(times, reverse=True) == times  # newest first
    assert bad == everything[-1]["task_id"]  # moved three hours back
    assert {"success"} == {log["callback_status"] for log in logs("?status=success")}
    assert [bad] == [log["task_id"] for log in logs("?status=failed")]
    assert 1 == len(logs("?limit=1"))
    assert 2 == len(logs("?hours=1"))
    assert [] == logs("?hours=1&status=failed")
    assert "callback_secret" not in json.dumps(everything)


@pytest.mark.parametrize("query", [
    "status=bogus", "limit=abc", "hours=0", "hours=abc", "limit=0", "limit=100000", "hours=-1", "limit=1.5",
    "hours=1_0", "hours=%205", "limit=%EF%BC%95", "hours=1&hours=2", "status=success&status=failed",
])
def test_webhook_logs_bad_params(shared_client, query):
    """Bad filters are a 400 with a reason."""
    response = shared_client.get(f"/api/webhook-logs?{query}")

    assert 400 == response.status_code
    body = response.get_json()
    assert body["success"] is False and body["error"]


def test_an_empty_argument_is_its_default_and_a_repeated_one_is_refused(shared_client):
    """`hours=` is not given (as a form sends an unset field); a filter given twice would have
    its second value silently ignored, so it is refused by name."""
    assert 200 == shared_client.get("/api/webhook-logs?hours=&status=&task_id=&limit=").status_code
    response = shared_client.get("/api/tasks?platform=youtube&platform=tiktok")

    assert (400, "参数 platform 只能给一次") == (response.status_code, response.get_json()["error"])


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "limit=501"])
def test_runs_bad_limit(shared_client, query):
    """A bad runs limit is a 400."""
    assert 400 == shared_client.get(f"/api/broadcaster/runs?{query}").status_code


# --------------------------------------------------------------------------------------------
# Tasks


def test_list_tasks_shape_and_no_secret(client, database):
    """Each TASK has the listed keys, has_callback_secret instead of the secret, newest first."""
    plain = insert_task(database, callback_secret=None)
    empty = insert_task(database, callback_secret="")
    secret = insert_task(database, callback_secret="very-secret-value-42")

    response = client.get("/api/tasks")

    assert 200 == response.status_code
    data = response.get_json()["data"]
    assert [secret, empty, plain] == [task["task_id"] for task in data]
    assert all(TASK_KEYS == set(task) for task in data)
    assert [True, False, False] == [task["has_callback_secret"] for task in data]
    assert "callback_secret" not in response.get_data(as_text=True).replace("has_callback_secret", "")
    assert "very-secret-value-42" not in response.get_data(as_text=True)
    assert is_utc_iso(data[0]["created_at"])


def test_list_tasks_shows_last_counts_and_delivery(client, database, fake, fake_config):
    """After a pass, a task shows its platform, counts and delivery status."""
    [task_id] = add_delivering_tasks(database, fake)
    sb.broadcast_all_tasks(fake_config, database, trigger="cli")

    [task] = client.get("/api/tasks").get_json()["data"]

    assert (task_id, "youtube", 1200, 34, "ok", "success", 0) == (
        task["task_id"], task["platform"], task["view_count"], task["like_count"], task["stats_status"],
        task["callback_status"], task["callback_retry_count"],
    )
    assert is_utc_iso(task["callback_last_attempt"]) and is_utc_iso(task["stats_fetched_at"])


def test_list_tasks_status_filter_and_paging(client, database):
    """status, limit and offset narrow the list."""
    active = insert_task(database)
    paused = insert_task(database, status="paused")

    assert [paused] == [t["task_id"] for t in client.get("/api/tasks?status=paused").get_json()["data"]]
    assert [active] == [t["task_id"] for t in client.get("/api/tasks?limit=1&offset=1").get_json()["data"]]
    assert 400 == client.get("/api/tasks?limit=0").status_code


@pytest.mark.parametrize("query", ["status=%00", "status=" + "x" * 33, "limit=abc", "offset=-1"])
def test_list_tasks_bad_params(shared_client, query):
    """Bad list filters are a 400 with a reason (a NUL would otherwise reach PostgreSQL)."""
    response = shared_client.get(f"/api/tasks?{query}")

    assert 400 == response.status_code
    assert response.get_json()["error"]


def test_create_task_with_defaults(client, database):
    """POST with the required fields answers 201 with an active, pending TASK, stored as such."""
    body = {"title": "《测试短剧》第2集", "video_url": f"https://youtu.be/{YT}",
            "callback_url": "http://127.0.0.1:9/x2c"}

    response = client.post("/api/tasks", json=body)

    assert 201 == response.status_code
    task = response.get_json()["data"]
    assert TASK_KEYS == set(task)
    assert ("active", "pending", 0, False) == (
        task["status"], task["callback_status"], task["callback_retry_count"], task["has_callback_secret"]
    )
    assert (None, None, None) == (task["project_id"], task["external_task_id"], task["duration"])
    row = database.fetch_one("SELECT * FROM drama_tasks WHERE task_id = %s", (task["task_id"],))
    assert (body["title"], body["video_url"], body["callback_url"], "active", "pending") == (
        row["title"], row["video_url"], row["callback_url"], row["status"], row["callback_status"]
    )
    assert [task["task_id"]] == [t["task_id"] for t in client.get("/api/tasks").get_json()["data"]]


def test_create_task_with_every_field(client, database):
    """Optional fields are stored; the secret is stored but never answered."""
    body = {"title": "  带空格的标题  ", "video_url": "https://www.tiktok.com/@u/video/7504044860782021930",
            "callback_url": "https://x2c.example.com/hook", "callback_secret": "s3cret-of-the-task",
            "project_id": "p-1", "external_task_id": 77, "duration": 45, "status": "paused"}

    response = client.post("/api/tasks", json=body)

    assert 201 == response.status_code
    assert "s3cret-of-the-task" not in response.get_data(as_text=True)
    task = response.get_json()["data"]
    assert ("带空格的标题", "p-1", 77, 45, "paused", True) == (
        task["title"], task["project_id"], task["external_task_id"], task["duration"], task["status"],
        task["has_callback_secret"],
    )
    row = database.fetch_one("SELECT callback_secret FROM drama_tasks WHERE task_id = %s", (task["task_id"],))
    assert "s3cret-of-the-task" == row["callback_secret"]


VALID = {"title": "t", "video_url": f"https://youtu.be/{YT}", "callback_url": "http://127.0.0.1:9/x2c"}


def _without(name):
    return {k: v for k, v in VALID.items() if k != name}


@pytest.mark.parametrize(("body", "why"), [
    ("not json at all", "body not JSON"),
    (json.dumps([VALID]), "a JSON list"),
    (json.dumps("a string"), "a JSON string"),
    ("", "an empty body"),
    ("[" * 100_000, "nesting deeper than the parser's recursion limit"),
    (json.dumps(_without("title")), "missing title"),
    (json.dumps(_without("video_url")), "missing video_url"),
    (json.dumps(_without("callback_url")), "missing callback_url"),
    (json.dumps({**VALID, "title": "   "}), "blank title"),
    (json.dumps({**VALID, "video_url": "https://example.com/v"}), "unknown platform"),
    (json.dumps({**VALID, "video_url": "javascript:alert(1)//youtu.be/dQw4w9WgXcQ"}), "javascript: video url"),
    (json.dumps({**VALID, "callback_url": "ftp://127.0.0.1/x2c"}), "callback not http(s)"),
    (json.dumps({**VALID, "callback_url": "http://user:pw@127.0.0.1:9/x2c"}), "callback with userinfo"),
    (json.dumps({**VALID, "callback_url": "javascript:alert(1)"}), "javascript: callback"),
    (json.dumps({**VALID, "title": 123}), "title not a string"),
    (json.dumps({**VALID, "external_task_id": "7"}), "external_task_id a string"),
    (json.dumps({**VALID, "external_task_id": -1}), "negative external_task_id"),
    (json.dumps({**VALID, "external_task_id": 2**31}), "external_task_id beyond INTEGER"),
    (json.dumps({**VALID, "external_task_id": 7.0}), "external_task_id a float"),
    (json.dumps({**VALID, "duration": True}), "duration a boolean"),
    (json.dumps({**VALID, "project_id": ["p"]}), "project_id a list"),
    (json.dumps({**VALID, "callback_secret": {"k": "v"}}), "secret an object"),
    (json.dumps({**VALID, "title": "长" * 10_000}), "title 10,000 chars"),
    (json.dumps({**VALID, "video_url": f"https://youtu.be/{YT}?x=" + "a" * 10_240}), "video_url 10 KB"),
    (json.dumps({**VALID, "callback_url": "http://127.0.0.1:9/" + "a" * 10_240}), "callback_url 10 KB"),
    (json.dumps({**VALID, "callback_secret": "s" * 10_000}), "secret 10,000 chars"),
    (json.dumps({**VALID, "colour": "red"}), "unknown field"),
    (json.dumps({**VALID, "task_id": 5}), "the primary key"),
    (json.dumps({**VALID, "status": "deleted"}), "status not active/paused"),
    (json.dumps({**VALID, "status": ["active"]}), "status a list"),
    (json.dumps({**VALID, "title": "a\x00b"}), "NUL in title"),
    (json.dumps({**VALID, "callback_url": "http://127.0.0.1:9/x\x00"}), "NUL in callback_url"),
    (json.dumps({**VALID, "project_id": "p\x00"}), "NUL in project_id"),
    ('{"title": "\\ud800", "video_url": "https://youtu.be/dQw4w9WgXcQ", "callback_url": "http://127.0.0.1:9/x"}',
     "unpaired surrogate in title"),
    ('{"title": "t", "video_url": "https://youtu.be/dQw4w9WgXcQ", "callback_url": "http://127.0.0.1:9/\\udfff"}',
     "unpaired surrogate in callback_url"),
    ('{"title": "t", "video_url": "https://youtu.be/dQw4w9WgXcQ?\\ud800", "callback_url": "http://127.0.0.1:9/x"}',
     "unpaired surrogate in video_url"),
    ('{"title": "t", "video_url": "https://youtu.be/dQw4w9WgXcQ", "callback_url": "http://127.0.0.1:9/x", '
     '"\\ud800": 1}', "unpaired surrogate in an unknown field's name"),
], ids=lambda value: value if isinstance(value, str) and len(value) < 60 and value.isprintable() else None)
def test_create_task_rejects_bad_input(shared_client, body, why):
    """Bad input is a 400 with a reason, and nothing is stored."""
    database = app_state(shared_client.application).database
    before = count_tasks(database)

    response = shared_client.post("/api/tasks", data=body, content_type="application/json")

    assert 400 == response.status_code, why
    error = response.get_json()["error"]
    assert response.get_json()["success"] is False and isinstance(error, str) and error, why
    assert before == count_tasks(database), why


def test_create_task_body_too_large(shared_client):
    """A body over the request size limit is refused with a JSON 413."""
    response = shared_client.post("/api/tasks", data=json.dumps({**VALID, "title": "x" * 2_000_000}),
                           content_type="application/json")

    assert 413 == response.status_code
    assert response.get_json()["success"] is False


@pytest.mark.parametrize(("size", "status"), [(MAX_REQUEST_BYTES, 200), (MAX_REQUEST_BYTES + 1, 413), (2 << 20, 413)])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_the_body_limit_is_exact_however_the_body_comes(client, database, size, status, chunked):
    """Up to 1 MB is read, one byte more is a 413, with a Content-Length or chunked (no length:
    werkzeug cuts such a body at the limit, and the first megabyte of a longer one parses)."""
    task_id = insert_task(database)
    body = b'{"status": "paused"}'.ljust(size)
    if chunked:
        response = client.patch(f"/api/tasks/{task_id}", input_stream=io.BytesIO(body), content_type="application/json",
                                environ_overrides={"wsgi.input_terminated": True})
    else:
        response = client.patch(f"/api/tasks/{task_id}", data=body, content_type="application/json")

    assert status == response.status_code, response.get_json()
    stored = database.fetch_one("SELECT status FROM drama_tasks WHERE task_id = %s", (task_id,))["status"]
    assert ("paused" if status == 200 else "active") == stored


def test_patch_pause_resume_and_edit(client, database):
    """PATCH pauses, resumes and edits a task; the answer is the updated TASK."""
    task_id = insert_task(database, callback_secret="keep-me-secret")

    paused = client.patch(f"/api/tasks/{task_id}", json={"status": "paused"})
    resumed = client.patch(f"/api/tasks/{task_id}", json={"status": "active"})
    edited = client.patch(f"/api/tasks/{task_id}", json={
        "title": "新标题", "duration": 90, "external_task_id": 12, "callback_url": "https://x2c.example.com/new",
        "video_url": "https://vm.tiktok.com/ZMhAbCdEf/",
    })

    assert [200, 200, 200] == [paused.status_code, resumed.status_code, edited.status_code]
    assert "paused" == paused.get_json()["data"]["status"]
    assert "active" == resumed.get_json()["data"]["status"]
    task = edited.get_json()["data"]
    assert ("新标题", 90, 12, "https://x2c.example.com/new", "https://vm.tiktok.com/ZMhAbCdEf/", True) == (
        task["title"], task["duration"], task["external_task_id"], task["callback_url"], task["video_url"],
        task["has_callback_secret"],
    )
    assert "keep-me-secret" not in edited.get_data(as_text=True)
    row = database.fetch_one("SELECT title, status, callback_secret FROM drama_tasks WHERE task_id = %s", (task_id,))
    assert ("新标题", "active", "keep-me-secret") == (row["title"], row["status"], row["callback_secret"])


def test_patch_can_clear_the_secret(client, database):
    """callback_secret null removes a task's own secret."""
    task_id = insert_task(database, callback_secret="old")

    task = client.patch(f"/api/tasks/{task_id}", json={"callback_secret": None}).get_json()["data"]

    assert task["has_callback_secret"] is False


@pytest.mark.parametrize(("body", "status"), [
    ({}, 400), ([], 400), ({"status": "deleted"}, 400), ({"title": ""}, 400), ({"video_url": None}, 400),
    ({"callback_url": "ftp://x/y"}, 400), ({"task_id": 3}, 400),
])
def test_patch_rejects_bad_input(client, database, body, status):
    """An empty or invalid PATCH is a 400 with a reason and changes nothing."""
    task_id = insert_task(database, title="原标题")

    response = client.patch(f"/api/tasks/{task_id}", json=body)

    assert status == response.status_code
    assert response.get_json()["error"]
    assert "原标题" == database.fetch_one("SELECT title FROM drama_tasks WHERE task_id = %s", (task_id,))["title"]


@pytest.mark.parametrize("task_id", [12345, 2**31, 2**70])
def test_patch_unknown_task_is_404(shared_client, task_id):
    """PATCH of a task that does not exist is a JSON 404."""
    response = shared_client.patch(f"/api/tasks/{task_id}", json={"status": "paused"})

    assert 404 == response.status_code
    assert response.get_json()["success"] is False


# --------------------------------------------------------------------------------------------
# Health, pages, errors


def test_healthz_without_auth(config, database):
    """/healthz answers 200 {"status": "ok"} without credentials."""
    response = create_app(config, database=database).test_client().get("/healthz")

    assert (200, {"status": "ok"}) == (response.status_code, response.get_json())


def test_healthz_503_when_database_unreachable(config):
    """/healthz answers 503 when the database cannot be reached."""
    unreachable = Database(UNREACHABLE_DATABASE)
    client = create_app(config, database=unreachable).test_client()

    response = client.get("/healthz")
    api = client.get("/api/broadcaster/status", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    assert 503 == response.status_code
    assert response.get_json()["status"] != "ok"
    assert 503 == api.status_code and api.get_json()["success"] is False
    assert "p@127.0.0.1" not in api.get_data(as_text=True)


def test_root_redirects_to_admin(client):
    """/ redirects to /admin."""
    response = client.get("/", headers=basic(ADMIN_PASSWORD))

    assert response.status_code in (301, 302, 303, 307, 308)
    assert response.headers["Location"].endswith("/admin")


def test_admin_page_renders(client):
    """/admin with Basic credentials is the HTML admin page."""
    response = client.get("/admin", headers=basic(ADMIN_PASSWORD))

    assert 200 == response.status_code
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "分发数据回传服务" in html and "每3分钟" in html


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/no-such-route", 404),
    ("DELETE", "/api/tasks/1", 405),
    ("GET", "/api/broadcaster/start", 405),
])
def test_errors_are_json(shared_client, method, path, status):
    """Unknown routes and wrong methods answer {"success": false, "error": ...}."""
    response = shared_client.open(path, method=method)

    assert status == response.status_code
    body = response.get_json()
    assert body["success"] is False and isinstance(body["error"], str) and body["error"]


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/api/tasks/1", {"PATCH", "OPTIONS"}),
    ("GET", "/api/broadcaster/start", {"POST", "OPTIONS"}),
])
def test_405_names_the_allowed_methods(shared_client, method, path, allowed):
    """A 405 carries the Allow header HTTP requires."""
    response = shared_client.open(path, method=method)

    assert 405 == response.status_code
    assert allowed == {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("callback_url", ["http://127.0.0.1:9/x2c", "http://169.254.169.254/latest", "http://[::1]/x",
                                          "http://10.0.0.7/hook", "http://localhost:8080/cb"])
def test_private_callback_urls_are_refused_at_registration(fake_config, database, callback_url):
    """Without WEBHOOK_ALLOW_PRIVATE_NETWORKS, a callback resolving to a private address is a 400."""
    app = create_app(fake_config.replace(webhook_allow_private_networks=False), database=database)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {ADMIN_TOKEN}"

    response = client.post("/api/tasks", json={"title": "t", "video_url": f"https://youtu.be/{YT}",
                                               "callback_url": callback_url})

    assert 400 == response.status_code
    assert "内网" in response.get_json()["error"]
    assert 0 == count_tasks(database)
