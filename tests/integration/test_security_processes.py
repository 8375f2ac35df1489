"""Security with real processes and fuzzing: the generated password across eight processes, secrets in logs, inputs that never earn a 500."""

import contextlib
import json
import logging
import multiprocessing
import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import admin_api
import stats_broadcaster as sb
from admin_api import create_app
from broadcaster.core.config import Config
from broadcaster.core.logs import configure_logging
from broadcaster.engine.runs import claim_run, finish_run
from broadcaster.storage import queries
from broadcaster.web.state import app_state
from tests.conftest import basic, bearer_client, insert_task
from tests.unit.test_security import CLOSED_PORT, client  # noqa: F401 - the unit tests' fixtures and helpers

TASK_KEYS = {
    "task_id", "external_task_id", "project_id", "title", "status", "video_url", "platform", "duration",
    "callback_url", "has_callback_secret", "callback_status", "callback_retry_count", "callback_last_attempt",
    "created_at", "view_count", "like_count", "stats_status", "stats_reason", "stats_fetched_at",
    "stats_suspect",
}


def _ensure_credentials_in_child(instance_path: str, barrier, results) -> None:
    """Child process: wait for the others, then ask for the admin credentials at the same moment."""
    barrier.wait(timeout=60)
    config = admin_api.ensure_admin_credentials(Config(instance_path=instance_path))
    results.put(config.admin_password)


@pytest.mark.slow
def test_generated_password_with_eight_processes_at_once(tmp_path, capfd):
    """Eight processes starting together: one password file, one password for all, printed once."""
    instance = tmp_path / "shared-instance"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(8)
    results = ctx.Queue()
    processes = [ctx.Process(target=_ensure_credentials_in_child, args=(str(instance), barrier, results))
                 for _ in range(8)]
    try:
        for process in processes:
            process.start()
        passwords = [results.get(timeout=60) for _ in processes]
    finally:
        for process in (process for process in processes if process.pid is not None):
            process.join(timeout=30)
            if process.is_alive():  # only after a failure above; never leave children behind
                process.terminate()

    assert [0] * 8 == [process.exitcode for process in processes]
    assert ["admin_password"] == sorted(os.listdir(instance))  # no temp files left behind
    password = (instance / "admin_password").read_text(encoding="utf-8").strip()
    assert [password] * 8 == passwords
    assert 0o600 == stat.S_IMODE((instance / "admin_password").stat().st_mode)
    assert 1 == capfd.readouterr().out.count(password)


SECRETS = {
    "x2c_webhook_secret": "x2c-signing-secret-Q7w1",
    "youtube_api_key": "AIzaYouTubeKey-R8e2",
    "tikhub_api_key": "tikhub-key-T9r3",
    "admin_password": "admin-password-Y0t4",
    "admin_token": "admin-token-U1y5",
}


TASK_SECRET = "task-callback-secret-I2u6"


@contextlib.contextmanager
def configured_logging(config: Config, caplog):
    """configure_logging at DEBUG, with caplog seeing each record before the scrubbing handler does.

    The root handlers and levels are restored afterwards, so later tests keep pytest's capture.
    """
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("urllib3").level
    try:
        configure_logging(config.secrets(), logging.DEBUG)
        caplog.handler.setLevel(logging.DEBUG)
        root.handlers.insert(0, caplog.handler)
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.getLogger("urllib3").setLevel(saved[2])


@pytest.mark.slow
def test_secrets_never_leak(database, fake, fake_config, capfd, caplog):
    """After passes that log errors at DEBUG, no secret is in stderr, a log record, an API answer, the
    page or a request the receivers got (they get only the signature)."""
    config = fake_config.replace(**SECRETS, webhook_max_attempts=2, webhook_timeout_seconds=1.0)
    secrets = [*SECRETS.values(), TASK_SECRET]
    fake.add_video("youtube", "dQw4w9WgXcQ", 100, 10)
    fake.add_video("douyin", "7535852404919586100", 5, 5, behaviour="http_500")
    fake.add_video("tiktok", "7504044860782021930", 7, 7, behaviour="blocked")
    fake.set_receiver("own-secret", secret=TASK_SECRET)
    fake.set_receiver("default-secret", secret=SECRETS["x2c_webhook_secret"])
    fake.set_receiver("failing", "always_500")
    fake.set_receiver("refusing", "bad_request")
    insert_task(database, callback_url=fake.callback_url("own-secret"), callback_secret=TASK_SECRET)
    insert_task(database, callback_url=fake.callback_url("default-secret"))
    insert_task(database, callback_url=fake.callback_url("failing"), callback_secret=TASK_SECRET)
    insert_task(database, callback_url=fake.callback_url("refusing"))
    insert_task(database, video_url="https://www.douyin.com/video/7535852404919586100",
                callback_url=fake.callback_url("default-secret"))
    insert_task(database, video_url="https://www.tiktok.com/@u/video/7504044860782021930",
                callback_url=fake.callback_url("own-secret"), callback_secret=TASK_SECRET)
    unreachable_apis = config.replace(youtube_api_url=CLOSED_PORT + "/yt-api", tikhub_api_url=CLOSED_PORT + "/th")

    with configured_logging(config, caplog):
        first = sb.broadcast_all_tasks(config, database, trigger="cli")
        second = sb.broadcast_all_tasks(unreachable_apis, database, trigger="cli")
        logging.getLogger("test").info("config is %r", config)
        client = create_app(config, database=database).test_client()
        auth = {"Authorization": f"Bearer {SECRETS['admin_token']}"}
        answers = [client.post("/api/broadcaster/trigger", headers=auth), client.post("/api/tasks", headers=auth, json={
            "title": "t", "video_url": "https://youtu.be/dQw4w9WgXcQ", "callback_url": "http://127.0.0.1:9/x",
            "callback_secret": TASK_SECRET})]
        runs = client.get("/api/broadcaster/runs", headers=auth).get_json()["data"]
        answers += [client.get(path, headers=auth) for path in [
            "/api/broadcaster/status", "/api/broadcaster/runs", "/api/webhook-logs?hours=1", "/api/tasks",
            "/api/tasks.csv", "/api/webhook-logs.csv?hours=1", "/api/callback-hosts",
            *(f"/api/broadcaster/runs/{run['id']}" for run in runs)]]
        answers.append(client.get("/admin", headers=basic(SECRETS["admin_password"])))
        answers.append(client.post("/api/broadcaster/start", headers=auth))
    stderr = capfd.readouterr().err
    log_text = caplog.text

    assert (True, True) == (first["success"], second["success"])
    assert 0 < first["failed_count"] and 0 < second["failed_count"]  # errors were logged
    assert " DEBUG " in stderr  # the most talkative level reached stderr
    assert all(200 <= answer.status_code < 300 for answer in answers), [a.status_code for a in answers]
    received = fake.received()
    assert any(r.signature_ok for r in received) and any(r.status == 500 for r in received)
    for secret in secrets:
        assert secret not in stderr, secret
        assert secret not in log_text, secret
        for answer in answers:
            assert secret not in answer.get_data(as_text=True), (secret, answer.request.path)
        for webhook in received:  # the fake keeps every X-* header and the content headers
            assert all(secret not in value for value in webhook.headers.values()), (secret, webhook.headers)
            assert secret.encode() not in webhook.body, secret
    stored_logs = json.dumps(database.fetch_all("SELECT error, payload FROM broadcaster_delivery_log"), default=str)
    stored_errors = json.dumps(database.fetch_all("SELECT error_message FROM broadcaster_fetch_failure_log"), default=str)
    for secret in secrets:
        assert secret not in stored_logs and secret not in stored_errors, secret


FIELDS = ("title", "video_url", "callback_url", "callback_secret", "project_id", "external_task_id", "duration",
          "status")


# NUL, unpaired surrogates (valid in JSON as "\ud800") and other characters that trip encoders and SQL
SPECIAL = st.sampled_from(["\x00", "\ud800", "\udfff", "\u2028", "\ufeff", "\r\n", " ", "%00", "中", "\U0001f3ac"])


AWKWARD_TEXT = st.lists(SPECIAL | st.characters(exclude_categories=()), max_size=20).map("".join)


def _json_containers(children):
    """JSON arrays and objects of `children`."""
    return st.lists(children, max_size=4) | st.dictionaries(AWKWARD_TEXT, children, max_size=4)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | AWKWARD_TEXT, _json_containers, max_leaves=10
)


PLAUSIBLE = {
    "title": st.sampled_from(["《短剧》第1集", "Episode 1", " ", "x" * 501]),
    "video_url": st.sampled_from(["https://youtu.be/dQw4w9WgXcQ", "https://vm.tiktok.com/ZMhAbCdEf/",
                                  "https://www.tiktok.com/@u/video/7504044860782021930",
                                  "7.93 复制打开抖音 https://v.douyin.com/iRNBho6u/ 02/23",
                                  "https://www.youtube.com/watch?v=dQw4w9WgXc", "//youtu.be/dQw4w9WgXcQ"]),
    "callback_url": st.sampled_from(["http://127.0.0.1:9/x2c", "https://x2c.example.com/hook?id=1", "http://[::1/x",
                                     "http://127.0.0.1:99999/x", "HTTP://EXAMPLE.COM/"]),
    "callback_secret": st.sampled_from(["s3cret", "", "密钥"]),
    "project_id": st.sampled_from(["550e8400-e29b-41d4-a716-446655440000", ""]),
    "external_task_id": st.integers(min_value=-2, max_value=2**31 + 1),
    "duration": st.integers(min_value=-2, max_value=40000),
    "status": st.sampled_from(["active", "paused", "ACTIVE", ""]),
}


def _spliced(strategy):
    """A plausible string with awkward characters put somewhere inside it."""
    return st.builds(lambda value, at, extra: value[:at] + extra + value[at:],
                     strategy, st.integers(0, 60), st.lists(SPECIAL, min_size=1, max_size=3).map("".join))


def _field(name):
    plausible = PLAUSIBLE[name]
    if name in ("external_task_id", "duration"):
        return st.one_of(plausible, JSON_VALUES)
    return st.one_of(plausible, plausible, _spliced(plausible), JSON_VALUES)


REQUIRED = ("title", "video_url", "callback_url")


TASK_BODIES = st.builds(
    lambda body, extra: {**body, **extra},
    st.fixed_dictionaries({name: _field(name) for name in REQUIRED},
                          optional={name: _field(name) for name in FIELDS if name not in REQUIRED}),
    st.dictionaries(AWKWARD_TEXT, JSON_VALUES, max_size=1) | st.just({}) | st.just({}),
)


PATCH_BODIES = st.fixed_dictionaries({}, optional={name: _field(name) for name in FIELDS})


@pytest.fixture(scope="module")
def fuzz_client(database_url, tmp_path_factory):
    """An app on the test database for the property test (tasks it creates are simply kept)."""
    with bearer_client(database_url, tmp_path_factory.mktemp("instance")) as client:
        yield client


def _check_answer(response, success_status: int) -> None:
    assert response.status_code in (success_status, 400), (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    if response.status_code == 400:
        assert {"success", "error"} == set(body) and body["success"] is False
        assert isinstance(body["error"], str) and body["error"].strip()
    else:
        assert body["success"] is True and TASK_KEYS == set(body["data"])
        assert "callback_secret" not in body["data"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=TASK_BODIES | JSON_VALUES)
def test_post_task_never_answers_500(fuzz_client, body):
    """POST /api/tasks with arbitrary JSON in every field answers 201 or 400 with a reason."""
    response = fuzz_client.post("/api/tasks", data=json.dumps(body), content_type="application/json")

    _check_answer(response, 201)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=PATCH_BODIES)
def test_patch_task_never_answers_500(fuzz_client, body):
    """PATCH /api/tasks/<id> with arbitrary JSON answers 200 or 400 with a reason."""
    database = app_state(fuzz_client.application).database
    task_id = database.fetch_one(queries.INSERT_TASK, {
        "title": "t", "video_url": "https://youtu.be/dQw4w9WgXcQ", "callback_url": "http://127.0.0.1:9/x",
        "callback_secret": None, "project_id": None, "external_task_id": None, "duration": None,
        "status": "active"})["task_id"]

    response = fuzz_client.patch(f"/api/tasks/{task_id}", data=json.dumps(body), content_type="application/json")

    _check_answer(response, 200)


TRIGGER_BODIES = st.fixed_dictionaries({"task_ids": st.lists(st.integers(), max_size=5) | JSON_VALUES}) | JSON_VALUES


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=TRIGGER_BODIES)
def test_trigger_task_ids_never_answer_500(fuzz_client, body):
    """POST /api/broadcaster/trigger with arbitrary JSON answers 400 with a reason, or 409 for a valid
    selection while a pass runs (one is held running here, so no pass ever starts)."""
    database = app_state(fuzz_client.application).database
    blocker = claim_run(database, "manual")
    try:
        response = fuzz_client.post("/api/broadcaster/trigger", data=json.dumps(body), content_type="application/json")
    finally:
        finish_run(database, blocker, "interrupted", {"total": 0, "done": 0, "success_count": 0}, None,
                             deadline_s=1)

    assert response.status_code in (400, 409), (response.status_code, response.get_data(as_text=True)[:300])
    answer = response.get_json()
    assert {"success", "error"} == set(answer) and answer["success"] is False and answer["error"].strip()
