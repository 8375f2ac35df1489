"""Issue #5 items 4-5: authentication on every route, cross-site refusal, headers, the generated
password, secrets kept out of logs and answers, and API input that never causes a 500."""

import base64
import contextlib
import json
import logging
import multiprocessing
import os
import re
import stat
from html.parser import HTMLParser

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
from broadcaster.storage.db import Database
from broadcaster.web.state import app_state
from tests.conftest import ADMIN_PASSWORD, ADMIN_TOKEN, basic, bearer_client, insert_task, reset_database

UNREACHABLE_DATABASE = "postgresql://u:p@127.0.0.1:1/x"
CLOSED_PORT = "http://127.0.0.1:1"
PUBLIC_PATHS = ("/healthz", "/static/", "/login")  # /login: the sign-in form (tests/test_signin.py)
UNSAFE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
TASK_KEYS = {
    "task_id", "external_task_id", "project_id", "title", "status", "video_url", "platform", "duration",
    "callback_url", "has_callback_secret", "callback_status", "callback_retry_count", "callback_last_attempt",
    "created_at", "view_count", "like_count", "stats_status", "stats_reason", "stats_fetched_at",
    "stats_suspect",
}


BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _route_requests() -> list[tuple[str, str]]:
    """(method, path) for every rule of the app and each of its methods; <int:...> filled with 1."""
    app = create_app(Config(admin_password="x"), database=Database(UNREACHABLE_DATABASE))
    found = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<path:[^>]+>", "js/main.js", rule.rule)
        path = re.sub(r"<[^>]+>", "1", path)
        for method in rule.methods:
            found.add((method, path))
    return sorted(found, key=lambda pair: (pair[1], pair[0]))


ROUTES = _route_requests()
PROTECTED = [(m, p) for m, p in ROUTES if not p.startswith(PUBLIC_PATHS)]
UNSAFE = [(m, p) for m, p in PROTECTED if m in UNSAFE_METHODS]


def route_id(pair) -> str:
    return f"{pair[0]} {pair[1]}"


@pytest.fixture(scope="module")
def walk_client(database_url, tmp_path_factory):
    """An app on the test database whose platforms are all unreachable (a triggered pass never leaves
    the machine); shared by the route walk, where only status codes matter."""
    reset_database(database_url)
    config = Config(
        database_url=database_url, webhook_allow_private_networks=True, webhook_timeout_seconds=1.0,
        admin_password=ADMIN_PASSWORD, admin_token=ADMIN_TOKEN,
        instance_path=str(tmp_path_factory.mktemp("instance")), login_max_failures=1000,  # the walk fails on purpose
        youtube_api_url=CLOSED_PORT, youtube_web_url=CLOSED_PORT, tiktok_web_url=CLOSED_PORT,
        douyin_web_url=CLOSED_PORT, tikhub_api_url=CLOSED_PORT,
    )
    database = Database(database_url)
    yield create_app(config, database=database).test_client()
    database.close()


@pytest.fixture
def client(config, database):
    """A test client of an app on the emptied test database."""
    return create_app(config, database=database).test_client()


def assert_json_error(response, status: int) -> None:
    assert status == response.status_code, response.get_data(as_text=True)[:200]
    body = response.get_json()
    assert body["success"] is False
    assert isinstance(body["error"], str) and body["error"]


# --------------------------------------------------------------------------------------------
# Authentication on every route


def test_the_walk_covers_every_api_route():
    """The route list is taken from the app; it holds every route of docs/http-api.md#routes."""
    paths = {path for _, path in PROTECTED}

    assert {"/", "/admin", "/api/broadcaster/start", "/api/broadcaster/stop", "/api/broadcaster/status",
            "/api/broadcaster/trigger", "/api/broadcaster/runs", "/api/broadcaster/runs/1", "/api/webhook-logs",
            "/api/tasks", "/api/tasks/1", "/api/tasks/1/history", "/metrics", "/api/alerts", "/api/alerts/test",
            "/api/me", "/api/audit", "/api/callback-hosts", "/api/tasks.csv", "/api/webhook-logs.csv",
            "/api/storage", "/api/projects", "/api/projects/1", "/api/projects.csv", "/api/digest", "/api/digest/test",
            "/logout", "/api/openapi.json"} == paths
    assert {("POST", "/api/tasks"), ("PATCH", "/api/tasks/1"), ("GET", "/api/tasks")} <= set(PROTECTED)


def _walk_params(pairs):
    """Routes as parameters; a POST to trigger starts a real pass (a process), so it is slow."""
    return [pytest.param(*pair, id=route_id(pair), marks=[pytest.mark.slow] if pair[1].endswith("/trigger") else [])
            for pair in pairs]


@pytest.mark.parametrize(("method", "path"), _walk_params(PROTECTED))
def test_every_route_needs_credentials(walk_client, method, path):
    """No credentials, a wrong password, a wrong token, the wrong user: 401; the token or the password: allowed."""
    refused = [
        {},
        basic("wrong-password"),
        basic(ADMIN_PASSWORD, username="root"),
        basic(ADMIN_TOKEN),
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {ADMIN_PASSWORD}"},
        {"Authorization": f"Token {ADMIN_TOKEN}"},
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Basic \xe9\xe9"},
        {"Authorization": "Basic " + base64.b64encode(b"admin").decode()},
    ]
    for headers in refused:
        response = walk_client.open(path, method=method, headers=headers)
        assert 401 == response.status_code, (headers, response.status_code)
        if path.startswith("/api/") and method != "HEAD":
            assert_json_error(response, 401)
        if not path.startswith("/api/"):
            assert response.headers["WWW-Authenticate"].startswith("Basic")

    for headers in (BEARER, basic(ADMIN_PASSWORD)):
        response = walk_client.open(path, method=method, headers=headers)
        assert response.status_code not in (401, 403, 500), (headers, response.status_code)


@pytest.mark.parametrize("path", ["/healthz", "/static/js/main.js", "/static/js/format.js", "/static/admin.css"])
def test_public_paths_need_no_credentials(walk_client, path):
    """/healthz and the page's static files are served without credentials."""
    with walk_client.get(path) as response:  # closing it closes the static file
        assert 200 == response.status_code


@pytest.mark.parametrize("path", ["/static/js/main.js", "/static/js/http.js"])
def test_page_modules_are_served_as_javascript(walk_client, path):
    """Browsers run an ES module only when it is served with a JavaScript type (and nosniff is on)."""
    with walk_client.get(path) as response:
        assert "text/javascript" == response.mimetype
        assert "nosniff" == response.headers["X-Content-Type-Options"]


@pytest.mark.parametrize("path", ["/api/nothing-here", "/nothing-here", "/healthz/", "/admin/", "/api/tasks/x"])
def test_unknown_paths_need_credentials_too(walk_client, path):
    """Without credentials an unknown path is a 401 too, so routes cannot be probed."""
    assert 401 == walk_client.get(path).status_code


# --------------------------------------------------------------------------------------------
# Cross-site requests


@pytest.mark.parametrize(("method", "path"), UNSAFE, ids=[route_id(pair) for pair in UNSAFE])
@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example.com"},
    {"Referer": "https://evil.example.com/page"},
    {"Origin": "null"},
    {"Origin": "http://localhost.evil.example.com"},
    {"Origin": "http://localhost@evil.example.com"},
    {"Origin": "https://evil.example.com", "Referer": "http://localhost/admin"},
], ids=["origin", "referer", "null-origin", "lookalike-host", "userinfo-trick", "origin-wins"])
def test_cross_site_writes_are_refused(walk_client, method, path, headers):
    """A write whose Origin or Referer is another site is a JSON 403, even with valid credentials."""
    response = walk_client.open(path, method=method, headers={**basic(ADMIN_PASSWORD), **headers}, json={})

    assert_json_error(response, 403)


def test_cross_site_refusal_has_no_effect(client, database):
    """A refused cross-site start leaves the switch off; a refused task POST stores nothing."""
    evil = {**basic(ADMIN_PASSWORD), "Origin": "https://evil.example.com"}

    client.post("/api/broadcaster/start", headers=evil)
    client.post("/api/tasks", headers=evil, json={
        "title": "t", "video_url": "https://youtu.be/dQw4w9WgXcQ", "callback_url": "http://127.0.0.1:9/x"})

    assert database.fetch_one("SELECT enabled FROM broadcaster_state")["enabled"] is False
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM drama_tasks")["n"]


@pytest.mark.parametrize("headers", [
    {"Origin": "http://localhost"},
    {"Referer": "http://localhost/admin"},
    {},
], ids=["same-origin", "same-origin-referer", "api-client"])
def test_same_site_and_api_client_writes_are_allowed(client, database, headers):
    """A same-origin write, or one with neither Origin nor Referer (an API client), goes through."""
    response = client.post("/api/broadcaster/start", headers={**basic(ADMIN_PASSWORD), **headers})

    assert 200 == response.status_code
    assert response.get_json()["success"] is True
    assert database.fetch_one("SELECT enabled FROM broadcaster_state")["enabled"] is True


def test_cross_site_reads_are_not_blocked(client):
    """GET is not a write: a cross-site Origin does not change a read (the browser's CORS rules apply)."""
    response = client.get("/api/broadcaster/status", headers={**BEARER, "Origin": "https://evil.example.com"})

    assert 200 == response.status_code
    assert "Access-Control-Allow-Origin" not in response.headers


# --------------------------------------------------------------------------------------------
# The page's headers and HTML


class _PageScan(HTMLParser):
    """Collects <script> tags with their content and every on*= attribute."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.handlers: list[tuple[str, str]] = []
        self.javascript_urls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append((tag, name))
            if value and value.strip().lower().startswith("javascript:"):
                self.javascript_urls.append(value)
        if tag == "script":
            self.scripts.append({"attrs": dict(attrs), "content": ""})
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1]["content"] += data


def test_admin_page_security_headers(client):
    """CSP without 'unsafe-inline' scripts, no framing, no sniffing, no caching."""
    response = client.get("/admin", headers=basic(ADMIN_PASSWORD))

    assert 200 == response.status_code
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response.headers["Content-Security-Policy"].split(";") if directive.strip()
    }
    script_src = policy.get("script-src", policy.get("default-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'none'" in policy["frame-ancestors"]
    assert "DENY" == response.headers["X-Frame-Options"]
    assert "nosniff" == response.headers["X-Content-Type-Options"]
    assert "no-store" in response.headers["Cache-Control"]


def test_admin_page_has_no_inline_script(client):
    """Every <script> loads a file; no element carries an on*= handler or a javascript: URL."""
    scan = _PageScan()

    scan.feed(client.get("/admin", headers=basic(ADMIN_PASSWORD)).get_data(as_text=True))

    assert scan.scripts, "the page loads its script"
    assert all(script["attrs"].get("src") and not script["content"].strip() for script in scan.scripts)
    assert [] == scan.handlers
    assert [] == scan.javascript_urls


@pytest.mark.parametrize("path", ["/api/broadcaster/status", "/healthz"])
def test_api_answers_carry_the_same_headers(client, path):
    """JSON answers are not sniffable or frameable either."""
    response = client.get(path, headers=BEARER)

    assert ("nosniff", "DENY") == (response.headers["X-Content-Type-Options"], response.headers["X-Frame-Options"])


# --------------------------------------------------------------------------------------------
# The generated password


def test_generated_password_when_none_is_configured(config, database, tmp_path, capsys):
    """With no password and no token, one is generated (0600), printed once, required and accepted."""
    instance = tmp_path / "fresh-instance"
    fresh = config.replace(admin_password=None, admin_token=None, instance_path=str(instance))

    app = create_app(fresh, database=database)
    first_output = capsys.readouterr().out
    again = create_app(fresh, database=database)
    second_output = capsys.readouterr().out

    path = instance / "admin_password"
    password = path.read_text(encoding="utf-8").strip()
    assert len(password) >= 16
    assert 0o600 == stat.S_IMODE(path.stat().st_mode)
    assert 1 == first_output.count(password)
    assert password not in second_output and "" == second_output
    for client in (app.test_client(), again.test_client()):
        assert 401 == client.get("/api/broadcaster/status").status_code
        assert 401 == client.get("/admin").status_code
        assert 401 == client.get("/api/broadcaster/status", headers=basic("")).status_code
        assert 401 == client.get("/api/broadcaster/status", headers={"Authorization": f"Bearer {password}"}).status_code
        assert 401 == client.get("/api/broadcaster/status", headers={"Authorization": "Bearer "}).status_code
        assert 200 == client.get("/api/broadcaster/status", headers=basic(password)).status_code
        assert 200 == client.get("/admin", headers=basic(password)).status_code


def test_password_file_is_private_from_the_start(config, database, tmp_path, monkeypatch):
    """The password file is created 0600, not made private by a later chmod (no moment it is readable)."""
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    previous_umask = os.umask(0o022)
    try:
        create_app(config.replace(admin_password=None, admin_token=None, instance_path=str(tmp_path / "i")),
                   database=database)
    finally:
        os.umask(previous_umask)

    assert 0o600 == stat.S_IMODE((tmp_path / "i" / "admin_password").stat().st_mode)


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


# --------------------------------------------------------------------------------------------
# Secrets stay secret

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


# --------------------------------------------------------------------------------------------
# Arbitrary input never causes a 500

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
