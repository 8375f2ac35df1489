"""The sign-in form (docs/access.md#the-sign-in-form): the form, the session cookie, sessions shared by workers and
restarts, signing out for real, throttling shared with Basic, the audit rows, and CSRF."""

from __future__ import annotations

import re

import pytest

from admin_api import create_app
from broadcaster.access import sessions
from tests.conftest import ADMIN_PASSWORD, ADMIN_TOKEN, basic
from tests.unit.test_access import PASSWORDS, USERS  # alice (operator), bob and carol (viewers)

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SAME_SITE = {"Origin": "http://localhost"}
EVIL = {"Origin": "https://evil.example.com"}


@pytest.fixture
def access_config(config):
    return config.replace(admin_users=USERS, login_max_failures=10)


@pytest.fixture
def client(access_config, database):
    return create_app(access_config, database=database).test_client()


def sign_in(client, user: str, password: str | None = None, headers: dict | None = None):
    return client.post("/login", data={"username": user, "password": password or PASSWORDS[user]},
                       headers={**SAME_SITE, **BROWSER, **(headers or {})})


def cookie_of(client) -> str | None:
    cookie = client.get_cookie(sessions.COOKIE)
    return cookie.value if cookie else None


def me(client) -> int | str:
    response = client.get("/api/me")
    return response.get_json()["data"]["user"] if response.status_code == 200 else response.status_code


def audit(database) -> list[tuple]:
    return [(row["user_name"], row["action"], row["status"]) for row in database.fetch_all(
        "SELECT user_name, action, status FROM broadcaster_audit ORDER BY id")]


def test_a_browser_without_credentials_is_sent_to_the_form(client):
    """/admin and / in a browser → 303 /login; the form itself needs nothing; the API stays 401 JSON,
    and a client that is no browser still gets 401 with the Basic challenge."""
    for path in ("/admin", "/"):
        response = client.get(path, headers=BROWSER)
        assert 303 == response.status_code and response.headers["Location"].endswith("/login"), path
    form = client.get("/login", headers=BROWSER)
    assert 200 == form.status_code
    html = form.get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html and "登录" in html
    api = client.get("/api/broadcaster/status", headers=BROWSER)
    assert 401 == api.status_code and api.get_json()["success"] is False
    plain = client.get("/admin")
    assert 401 == plain.status_code and plain.headers["WWW-Authenticate"].startswith("Basic")


def test_signing_in_sets_a_strict_http_only_cookie_and_opens_the_page(client, database):
    """Right password → 303 /admin with the session cookie (HttpOnly, SameSite=Strict, 12 h, not
    Secure over plain HTTP); the page then shows 退出; the database keeps only the token's hash."""
    response = sign_in(client, "alice")

    assert 303 == response.status_code and response.headers["Location"].endswith("/admin")
    header = response.headers["Set-Cookie"]
    assert header.startswith(f"{sessions.COOKIE}=") and "HttpOnly" in header and "SameSite=Strict" in header
    assert "Max-Age=43200" in header and "Secure" not in header and "Path=/" in header
    page = client.get("/admin", headers=BROWSER)
    assert 200 == page.status_code and 'id="logout-btn"' in page.get_data(as_text=True)
    assert "alice" == me(client)
    token = cookie_of(client)
    stored = database.fetch_all("SELECT token_hash, user_name FROM broadcaster_sessions")
    assert 1 == len(stored) and token not in stored[0]["token_hash"] and "alice" == stored[0]["user_name"]
    assert 303 == client.get("/login", headers=BROWSER).status_code  # signed in: on to the page


def test_the_cookie_is_secure_when_a_trusted_proxy_says_https(access_config, database):
    """Behind TRUSTED_PROXIES=1, X-Forwarded-Proto: https makes the cookie Secure; SESSION_HOURS sets its age."""
    client = create_app(access_config.replace(trusted_proxies=1, session_hours=2), database=database).test_client()
    response = sign_in(client, "alice", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"})

    assert "Secure" in response.headers["Set-Cookie"] and "Max-Age=7200" in response.headers["Set-Cookie"]
    assert 1 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_sessions WHERE expires_at "
                                   "BETWEEN NOW() + INTERVAL '119 minutes' AND NOW() + INTERVAL '2 hours'")["n"]


def test_a_session_holds_across_workers_and_restarts(access_config, database, client):
    """Another app on the same database (a second worker, or this one restarted) takes the cookie."""
    sign_in(client, "bob")
    other = create_app(access_config, database=database).test_client()
    other.set_cookie(sessions.COOKIE, cookie_of(client))

    assert "bob" == me(other)


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(access_config, database, client):
    """退出 → 303 /login and the cookie cleared; a copy of the cookie kept elsewhere stops working."""
    sign_in(client, "alice")
    copy = create_app(access_config, database=database).test_client()
    copy.set_cookie(sessions.COOKIE, cookie_of(client))
    assert "alice" == me(copy)

    response = client.post("/logout", headers={**SAME_SITE, **BROWSER})

    assert 303 == response.status_code and response.headers["Location"].endswith("/login")
    assert re.search(rf"{sessions.COOKIE}=;.*Max-Age=0|{sessions.COOKIE}=;.*Expires=Thu, 01 Jan 1970",
                     response.headers["Set-Cookie"])
    assert 401 == me(client) and 401 == me(copy)
    assert 303 == copy.get("/admin", headers=BROWSER).status_code
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_sessions")["n"]


def test_a_viewer_may_sign_out_but_change_nothing_else(client, database):
    """bob (viewer): his POST /logout is no state change the read-only rule refuses."""
    sign_in(client, "bob")
    assert 403 == client.post("/api/broadcaster/start", headers=SAME_SITE).status_code

    assert 303 == client.post("/logout", headers=SAME_SITE).status_code
    assert 401 == me(client)
    assert [("bob", "login", 303), ("bob", "start", 403), ("bob", "logout", 303)] == audit(database)


def test_an_expired_session_or_a_removed_account_signs_nobody_in(access_config, database, client):
    """Past SESSION_HOURS the cookie is worth nothing; so is a session of an account no longer configured."""
    sign_in(client, "alice")
    database.execute("UPDATE broadcaster_sessions SET expires_at = NOW() - INTERVAL '1 second'")
    assert 401 == me(client)

    sign_in(client, "bob")
    without_bob = create_app(access_config.replace(admin_users=USERS[:1]), database=database).test_client()
    without_bob.set_cookie(sessions.COOKIE, cookie_of(client))
    assert 401 == me(without_bob)


def test_wrong_passwords_through_the_form_are_refused_and_recorded(client, database):
    """A wrong password: 401 with the form and the reason; an unknown name is not recorded as a name."""
    wrong = sign_in(client, "alice", "nope")
    unknown = sign_in(client, "mallory", "nope")
    empty = client.post("/login", data={"username": "alice"}, headers=SAME_SITE)

    assert 401 == wrong.status_code and "用户名或密码不正确" in wrong.get_data(as_text=True)
    assert 'value="alice"' in wrong.get_data(as_text=True)  # the name stays typed in
    assert 401 == unknown.status_code and 400 == empty.status_code
    assert cookie_of(client) is None
    assert [("alice", "login", 401), (None, "login", 401)] == audit(database)


def test_an_overlong_name_or_password_is_refused_as_it_stands(client, database):
    """Over 64 or 1,024 characters: 400 with the limits, never cut short and tried (the fuzzer's find)."""
    long_password = sign_in(client, "alice", "x" * 1025)
    long_name = client.post("/login", data={"username": "a" * 65, "password": "pw"}, headers=SAME_SITE)

    assert (400, 400) == (long_password.status_code, long_name.status_code)
    assert "密码最多 1024 个字符" in long_password.get_data(as_text=True)
    assert cookie_of(client) is None and [] == audit(database)


def test_the_form_and_basic_share_one_throttle(client, database):
    """Five Basic failures and five form failures from one address block it (LOGIN_MAX_FAILURES 10):
    the tenth is answered 429 with Retry-After, then the right password is refused on the form and
    by Basic alike; the block is in the audit trail."""
    for _ in range(5):
        assert 401 == client.get("/api/me", headers=basic("wrong", username="alice")).status_code
    answers = [sign_in(client, "alice", "wrong") for _ in range(5)]

    assert [401] * 4 + [429] == [answer.status_code for answer in answers]
    assert int(answers[-1].headers["Retry-After"]) > 800
    assert "登录失败次数过多，请 15 分钟后再试" in answers[-1].get_data(as_text=True)
    refused = sign_in(client, "alice")
    assert 429 == refused.status_code and cookie_of(client) is None
    assert 429 == client.get("/api/me", headers=basic(PASSWORDS["alice"], username="alice")).status_code
    other = client.post("/login", data={"username": "alice", "password": PASSWORDS["alice"]},
                        headers=SAME_SITE, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert 303 == other.status_code  # another address is not blocked
    assert ("alice", "login_blocked", 429) in audit(database)
    assert 4 == sum(1 for row in audit(database) if row == ("alice", "login", 401))


@pytest.mark.parametrize("path", ["/login", "/logout"])
def test_a_cross_site_post_to_the_form_or_sign_out_is_refused(client, database, path):
    """With the session cookie or not, another site's POST to /login or /logout is a 403 that
    changes nothing."""
    sign_in(client, "alice")
    token = cookie_of(client)
    response = client.post(path, data={"username": "bob", "password": PASSWORDS["bob"]}, headers={**EVIL, **BROWSER})

    assert 403 == response.status_code and {"success": False, "error": "拒绝跨站请求"} == response.get_json()
    assert token == cookie_of(client) and "alice" == me(client)
    assert 1 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_sessions")["n"]
    # A refused sign-out is a row of alice's; a refused sign-in is no row (nobody signed in: no end to them).
    refused = ("alice", "logout", 403) if path == "/logout" else None
    assert [("alice", "login", 303), *([refused] if refused else [])] == audit(database)


def test_a_write_with_the_session_cookie_must_come_from_the_page(client, database):
    """A cookie-borne write with another site's Origin, or with no Origin or Referer at all, is
    refused; from the page's own origin it goes through."""
    sign_in(client, "alice")

    assert 403 == client.post("/api/broadcaster/start", headers=EVIL).status_code
    assert 403 == client.post("/api/broadcaster/start").status_code
    assert 200 == client.post("/api/broadcaster/start", headers=SAME_SITE).status_code
    assert database.fetch_one("SELECT enabled FROM broadcaster_state")["enabled"] is True


def test_basic_and_bearer_keep_working_beside_the_form(client):
    """Scripts: Basic (a named account or ADMIN_PASSWORD) and the token, on reads and writes."""
    for headers in (basic(PASSWORDS["alice"], username="alice"), basic(ADMIN_PASSWORD),
                    {"Authorization": f"Bearer {ADMIN_TOKEN}"}):
        assert 200 == client.get("/api/me", headers=headers).status_code
        assert 200 == client.post("/api/broadcaster/stop", headers=headers).status_code
