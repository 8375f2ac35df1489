"""Issue #5 items 4-5: authentication on every route, cross-site refusal, headers, the generated
password, secrets kept out of logs and answers, and API input that never causes a 500."""

import base64
import os
import re
import stat
from html.parser import HTMLParser

import pytest

from admin_api import create_app
from broadcaster.core.config import Config
from broadcaster.storage.db import Database
from tests.conftest import ADMIN_PASSWORD, ADMIN_TOKEN, basic, reset_database

UNREACHABLE_DATABASE = "postgresql://u:p@127.0.0.1:1/x"
CLOSED_PORT = "http://127.0.0.1:1"
PUBLIC_PATHS = ("/healthz", "/static/", "/login")  # /login: the sign-in form (tests/unit/test_signin.py)
UNSAFE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}


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


# --------------------------------------------------------------------------------------------
# Secrets stay secret


# --------------------------------------------------------------------------------------------
# Arbitrary input never causes a 500


