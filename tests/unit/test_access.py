"""Issue #18: named accounts with roles, login throttling per client address, the audit trail.

Blocks are made to end or age by moving their rows' times in the database, never by waiting.
"""

import io
import json
import re

import pytest
from flask import Blueprint, jsonify
from werkzeug.security import check_password_hash, generate_password_hash

import stats_broadcaster as sb
from admin_api import create_app
from broadcaster.access import audit, auth
from broadcaster.core.config import config_from_mapping
from broadcaster.core.errors import ConfigError
from broadcaster.engine.runs import claim_run, finish_run
from broadcaster.storage import retention
from tests.conftest import ADMIN_PASSWORD, ADMIN_TOKEN, basic, insert_task

# A cheap hash method keeps the tests quick; production hashes are werkzeug's default (scrypt).
METHOD = "pbkdf2:sha256:1000"
PASSWORDS = {"alice": "alice-pass-1", "bob": "bob-pass-2", "carol": "carol-pass-3"}
HASHES = {name: generate_password_hash(password, method=METHOD) for name, password in PASSWORDS.items()}
USERS = (("alice", "operator", HASHES["alice"]), ("bob", "viewer", HASHES["bob"]), ("carol", "viewer", HASHES["carol"]))
READ_ONLY = "只读账号不能执行此操作"
ATTACKER, OTHER = "203.0.113.9", "198.51.100.7"
UNSAFE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
SIGN_IN_ROUTES = {"/login", "/logout"}


def login(name: str) -> dict:
    return basic(PASSWORDS[name], username=name)


def at(address: str) -> dict:
    return {"REMOTE_ADDR": address}


@pytest.fixture
def access_config(config):
    return config.replace(admin_users=USERS, login_max_failures=10)


@pytest.fixture
def app(access_config, database):
    return create_app(access_config, database=database)


@pytest.fixture
def client(app):
    return app.test_client()


def state(database) -> dict:
    """Everything a change could touch: the switch, the tasks, the runs."""
    return {
        "switch": database.fetch_one("SELECT enabled FROM broadcaster_state")["enabled"],
        "tasks": database.fetch_all("SELECT * FROM drama_tasks ORDER BY task_id"),
        "runs": database.fetch_all("SELECT id, status FROM broadcaster_runs ORDER BY id"),
    }


def audit_rows(database) -> list[dict]:
    return database.fetch_all("SELECT user_name, role, address, action, target, detail, status "
                              "FROM broadcaster_audit ORDER BY id")


def fail(client, times: int, address: str = ATTACKER, username: str = "alice"):
    """`times` wrong passwords from `address`; the last answer."""
    response = None
    for _ in range(times):
        response = client.get("/api/broadcaster/status", headers=basic("wrong", username=username),
                              environ_base=at(address))
    return response


# --------------------------------------------------------------------------------------------
# ADMIN_USERS


def test_admin_users_are_parsed_at_the_first_two_colons():
    """name:role:hash, the hash keeping its own colons; spaces around entries are ignored."""
    config = config_from_mapping({"ADMIN_USERS": f" alice:operator:{HASHES['alice']} ,bob:viewer:{HASHES['bob']}"})

    assert (("alice", "operator", HASHES["alice"]), ("bob", "viewer", HASHES["bob"])) == config.admin_users
    assert HASHES["alice"] not in repr(config)
    assert HASHES["alice"] in config.secrets()  # scrubbed from logs like any secret


@pytest.mark.parametrize(("raw", "position"), [
    (f"alice:operator:{HASHES['alice']},bob-viewer-{HASHES['bob']}", 2),
    (f"alice:admin:{HASHES['alice']}", 1),
    (f"alice:operator:{HASHES['alice']},bob:viewer:{HASHES['bob']},alice:viewer:{HASHES['carol']}", 3),
    (f"alice:operator:{HASHES['alice']},bob:viewer:plain-password", 2),
    (f"al ice:operator:{HASHES['alice']}", 1),
], ids=["malformed", "unknown-role", "duplicate", "not-a-hash", "bad-name"])
def test_a_bad_entry_names_the_setting_and_position_never_a_hash(raw, position):
    """One line naming ADMIN_USERS and the entry's position; no hash, no password in it."""
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"ADMIN_USERS": raw})

    message = str(caught.value)
    assert "ADMIN_USERS" in message and f"第 {position} 项" in message and "\n" not in message
    assert not any(value in message for value in (*HASHES.values(), "plain-password"))
    assert "$" not in message


def test_admin_username_may_not_be_a_named_account_too():
    """ADMIN_USERNAME with ADMIN_PASSWORD is an operator already: a second `admin` is a duplicate."""
    with pytest.raises(ConfigError, match="ADMIN_USERS 第 1 项"):
        config_from_mapping({"ADMIN_PASSWORD": "x", "ADMIN_USERS": f"admin:viewer:{HASHES['bob']}"})
    assert config_from_mapping({"ADMIN_USERS": f"admin:viewer:{HASHES['bob']}"}).admin_users


def test_no_password_is_generated_when_named_accounts_exist(access_config, database, tmp_path):
    """ADMIN_USERS alone is enough: no generated password, and nothing served without credentials."""
    only_users = access_config.replace(admin_password=None, admin_token=None, instance_path=str(tmp_path / "i"))
    client = create_app(only_users, database=database).test_client()

    assert not (tmp_path / "i" / "admin_password").exists()
    assert 401 == client.get("/api/broadcaster/status").status_code
    assert 200 == client.get("/api/broadcaster/status", headers=login("bob")).status_code


def test_hash_password_reads_stdin_and_prints_a_hash(monkeypatch, capsys):
    """--hash-password: the password comes from stdin (never argv); the hash printed verifies it."""
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))

    assert 0 == sb.main(["--hash-password"])

    printed = capsys.readouterr().out.strip()
    assert check_password_hash(printed, "correct horse battery")
    assert "correct horse" not in printed
    config = config_from_mapping({"ADMIN_USERS": f"dave:operator:{printed}"})
    assert "dave" == config.admin_users[0][0]


def test_hash_password_refuses_an_empty_password(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))

    assert 2 == sb.main(["--hash-password"])
    assert "" == capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# Roles


def test_me_says_who_is_signed_in(client):
    """GET /api/me: user, role, whether they may change anything and why not."""
    operator = client.get("/api/me", headers=login("alice")).get_json()["data"]
    viewer = client.get("/api/me", headers=login("bob")).get_json()["data"]
    token = client.get("/api/me", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()["data"]
    admin = client.get("/api/me", headers=basic(ADMIN_PASSWORD)).get_json()["data"]

    assert {"user": "alice", "role": "operator", "can_change": True, "read_only_reason": None} == operator
    assert {"user": "bob", "role": "viewer", "can_change": False, "read_only_reason": READ_ONLY} == viewer
    assert ("token", "operator", True) == (token["user"], token["role"], token["can_change"])
    assert ("admin", "operator", True) == (admin["user"], admin["role"], admin["can_change"])


def test_every_state_changing_route_has_an_audit_action(app):
    """Walk the URL map: every non-read method of every rule names its audit action (@audited),
    so a route added later is recorded under its proper action."""
    unsafe = {(method, rule.rule) for rule in app.url_map.iter_rules() for method in rule.methods & UNSAFE_METHODS}

    assert unsafe, "the walk found the state-changing routes"
    assert unsafe <= set(audit.declared_actions(app)), unsafe - set(audit.declared_actions(app))


def _filled(rule: str) -> str:
    return re.sub(r"<(?:int:)?[^>]+>", "1", rule)


def test_a_viewer_is_refused_every_state_change_and_nothing_changes(client, database):
    """Walk the URL map: each non-read method of each rule answers a viewer 403 with the reason,
    with or without a body (trigger with task_ids too), and the database is as before. (Signing in
    and out are open to a viewer by design: tests/unit/test_signin.py.)"""
    insert_task(database)
    before = state(database)
    bodies = [None, {}, {"task_ids": [1]}, {"title": "改名", "status": "paused"}]
    walked = 0
    for rule in client.application.url_map.iter_rules():
        if rule.rule in SIGN_IN_ROUTES:
            continue
        for method in sorted(rule.methods & UNSAFE_METHODS):
            for body in bodies:
                response = client.open(_filled(rule.rule), method=method, json=body, headers=login("bob"))
                assert 403 == response.status_code, (method, rule.rule, response.status_code)
                assert {"success": False, "error": READ_ONLY} == response.get_json()
                walked += 1

    assert walked >= 5 * len(bodies)
    assert before == state(database)


def test_a_route_added_later_cannot_forget_the_role(access_config, database):
    """A new blueprint's POST is refused to a viewer and recorded (under its endpoint until
    its view names an action with @audited), with no code of its own for either."""
    app = create_app(access_config, database=database)
    extra = Blueprint("extra", __name__)
    calls = []

    @extra.post("/api/later/thing")
    def later_thing():
        calls.append(1)
        return jsonify({"success": True, "message": "完成"})

    app.register_blueprint(extra)
    client = app.test_client()

    assert 403 == client.post("/api/later/thing", headers=login("bob")).status_code
    assert 200 == client.post("/api/later/thing", headers=login("alice")).status_code
    assert [1] == calls
    rows = audit_rows(database)
    assert [("bob", "viewer", "extra.later_thing", 403), ("alice", "operator", "extra.later_thing", 200)] == [
        (row["user_name"], row["role"], row["action"], row["status"]) for row in rows]


def test_viewers_read_everything(client, database):
    """A viewer gets every read an operator gets."""
    task_id = insert_task(database)
    for path in ("/admin", "/api/broadcaster/status", "/api/broadcaster/runs", "/api/webhook-logs", "/api/tasks",
                 f"/api/tasks/{task_id}/history", "/metrics", "/api/audit", "/api/me"):
        assert 200 == client.get(path, headers=login("bob")).status_code, path


def test_operators_of_every_kind_may_change(client, database):
    """An ADMIN_USERS operator, ADMIN_USERNAME/ADMIN_PASSWORD and the token all switch the service."""
    for headers in (login("alice"), basic(ADMIN_PASSWORD), {"Authorization": f"Bearer {ADMIN_TOKEN}"}):
        assert client.post("/api/broadcaster/start", headers=headers).get_json()["success"] is True
        assert client.post("/api/broadcaster/stop", headers=headers).get_json()["success"] is True
    assert ["alice", "alice", "admin", "admin", "token", "token"] == [row["user_name"] for row in audit_rows(database)]


# --------------------------------------------------------------------------------------------
# Constant time and the per-process cache


@pytest.fixture
def hash_checks(monkeypatch):
    """Counts werkzeug hash verifications made by the authenticator."""
    checks = []

    def counting(password_hash, password):
        checks.append(password_hash)
        return check_password_hash(password_hash, password)

    monkeypatch.setattr(auth, "check_password_hash", counting)
    return checks


@pytest.mark.parametrize("header", [
    basic("wrong", username="alice"), basic("wrong", username="nobody"), basic("wrong", username="admin"),
    basic(ADMIN_PASSWORD, username="admin"), basic(PASSWORDS["alice"], username="alice"),
], ids=["known-wrong", "unknown", "plain-wrong", "plain-right", "known-right"])
def test_every_basic_check_costs_one_hash_check(access_config, header, hash_checks):
    """Known name or not, right password or not, plain-text or hashed account: exactly one hash
    verification of the same method, so the time does not tell them apart."""
    authenticator = auth.Authenticator(access_config)

    authenticator.authenticate(header["Authorization"])

    assert 1 == len(hash_checks)
    assert hash_checks[0].startswith(METHOD + "$")


def test_unknown_and_known_names_get_the_same_answer(client):
    """A wrong password for a real name and for a made-up one: same status, same body."""
    known = client.get("/api/tasks", headers=basic("wrong", username="alice"), environ_base=at(ATTACKER))
    unknown = client.get("/api/tasks", headers=basic("wrong", username="zed"), environ_base=at(ATTACKER))

    assert (known.status_code, known.get_data()) == (unknown.status_code, unknown.get_data())


def test_a_verified_header_is_not_hashed_again(access_config, hash_checks):
    """The second use of a correct header is a cache hit; a wrong one is always checked."""
    authenticator = auth.Authenticator(access_config)
    right, wrong = login("alice")["Authorization"], basic("nope", username="alice")["Authorization"]

    for _ in range(3):
        assert "alice" == authenticator.authenticate(right)[0].name
        assert authenticator.authenticate(wrong)[0] is None

    assert 1 + 3 == len(hash_checks)


def test_the_cache_forgets_after_its_time(access_config, hash_checks, monkeypatch):
    authenticator = auth.Authenticator(access_config)
    header = login("bob")["Authorization"]
    authenticator.authenticate(header)
    now = auth.time.monotonic()
    monkeypatch.setattr(auth.time, "monotonic", lambda: now + auth.Authenticator.CACHE_SECONDS + 1)

    assert "bob" == authenticator.authenticate(header)[0].name
    assert 2 == len(hash_checks)


# --------------------------------------------------------------------------------------------
# Throttling


def test_ten_failures_block_the_address_with_429(client, database):
    """Nine wrong passwords get 401; the tenth blocks: 429, Retry-After 900, the message; a
    correct password from that address is refused too; another address is unaffected."""
    assert 401 == fail(client, 9).status_code

    blocked = fail(client, 1)

    assert 429 == blocked.status_code
    assert "900" == blocked.headers["Retry-After"]
    assert {"success": False, "error": "登录失败次数过多，请 15 分钟后再试"} == blocked.get_json()
    right = client.get("/api/broadcaster/status", headers=login("alice"), environ_base=at(ATTACKER))
    assert 429 == right.status_code and int(right.headers["Retry-After"]) <= 900
    assert 429 == client.get("/admin", environ_base=at(ATTACKER)).status_code
    assert 200 == client.get("/api/broadcaster/status", headers=login("alice"), environ_base=at(OTHER)).status_code
    assert 200 == client.get("/healthz", environ_base=at(ATTACKER)).status_code


def test_a_right_guess_in_flight_when_the_block_starts_is_refused(client, database, monkeypatch):
    """A correct password whose hash check was running when another request blocked the address
    gets 429, so a guess in flight cannot tell right from wrong."""
    def block_meanwhile(password_hash, password):
        database.execute("INSERT INTO broadcaster_login_throttle (address, blocked_until) "
                         "VALUES (%(a)s, NOW() + INTERVAL '15 minutes')", {"a": ATTACKER})
        return check_password_hash(password_hash, password)

    monkeypatch.setattr(auth, "check_password_hash", block_meanwhile)

    response = client.get("/api/broadcaster/status", headers=login("alice"), environ_base=at(ATTACKER))

    assert 429 == response.status_code


def test_unknown_names_count_the_same(client):
    """Made-up names count towards the block like real ones (no name is special)."""
    fail(client, 5, username="alice")
    fail(client, 4, username="zed")

    assert 429 == fail(client, 1, username="zed").status_code


def test_failures_older_than_15_minutes_do_not_count(client, database):
    fail(client, 9)
    database.execute("UPDATE broadcaster_login_throttle SET window_started_at = NOW() - INTERVAL '16 minutes'")

    assert 401 == fail(client, 9).status_code
    assert 429 == fail(client, 1).status_code


def test_missing_credentials_are_not_failures(client):
    """A browser's first request carries no credentials: it gets 401 and counts for nothing."""
    for _ in range(20):
        assert 401 == client.get("/admin", environ_base=at(ATTACKER)).status_code

    assert 200 == client.get("/admin", headers=login("alice"), environ_base=at(ATTACKER)).status_code


def end_block(database, address: str = ATTACKER, ended_ago: str = "1 second") -> None:
    database.execute("UPDATE broadcaster_login_throttle SET blocked_until = NOW() - %(ago)s::INTERVAL "
                     "WHERE address = %(address)s", {"ago": ended_ago, "address": address})


def test_each_repeat_doubles_the_block_up_to_a_day(client, database):
    """15, 30, 60 … minutes, never more than 24 h; after a quiet day it starts at 15 again."""
    seen = []
    for _ in range(9):
        seen.append(int(fail(client, 10).headers["Retry-After"]))
        end_block(database)

    assert [900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400] == seen
    end_block(database, ended_ago="25 hours")
    assert "900" == fail(client, 10).headers["Retry-After"]


def test_a_success_does_not_clear_the_failures(client):
    """Signing in as a viewer between guesses does not reset the count for guessing an operator."""
    fail(client, 9)
    assert 200 == client.get("/api/me", headers=login("bob"), environ_base=at(ATTACKER)).status_code

    assert 429 == fail(client, 1).status_code


def test_a_forged_forwarded_for_changes_nothing_without_trusted_proxies(client):
    """TRUSTED_PROXIES unset: X-Forwarded-For is ignored; the blocked peer stays blocked."""
    fail(client, 10)

    forged = client.get("/api/broadcaster/status", environ_base=at(ATTACKER),
                        headers={**login("alice"), "X-Forwarded-For": "192.0.2.1"})

    assert 429 == forged.status_code


def test_trusted_proxies_take_the_address_the_proxy_saw(access_config, database):
    """TRUSTED_PROXIES=1: two clients behind one proxy are throttled apart; a client's own
    X-Forwarded-For entry (before the proxy's) does not pick its address."""
    client = create_app(access_config.replace(trusted_proxies=1), database=database).test_client()
    proxy = at("10.0.0.1")

    def through_proxy(client_address, headers, claimed=None):
        forwarded = f"{claimed}, {client_address}" if claimed else client_address
        return client.get("/api/broadcaster/status", environ_base=proxy,
                          headers={**headers, "X-Forwarded-For": forwarded})

    for _ in range(10):
        last = through_proxy(ATTACKER, basic("wrong", username="alice"), claimed="192.0.2.50")
    assert 429 == last.status_code
    assert 429 == through_proxy(ATTACKER, login("alice"), claimed=OTHER).status_code
    assert 200 == through_proxy(OTHER, login("alice")).status_code
    blocked = database.fetch_all("SELECT address FROM broadcaster_login_throttle WHERE blocked_until > NOW()")
    assert [ATTACKER] == [row["address"] for row in blocked]


def test_login_counters_in_metrics(client):
    """broadcaster_login_failures_total and broadcaster_login_blocks_total count up."""
    def sample(text, name):
        return float(re.search(rf"^{name} (\S+)$", text, re.M).group(1))

    fail(client, 10)
    fail(client, 3, address=OTHER)
    text = client.get("/metrics", headers=login("bob"), environ_base=at("192.0.2.3")).get_data(as_text=True)

    assert 13 == sample(text, "broadcaster_login_failures_total")
    assert 1 == sample(text, "broadcaster_login_blocks_total")
    assert "# TYPE broadcaster_login_blocks_total counter" in text


# --------------------------------------------------------------------------------------------
# The audit trail


def test_a_block_is_recorded(client, database):
    """login_blocked: the address, a known name tried (none for a made-up one), the status 429."""
    fail(client, 10, username="alice")
    fail(client, 10, address=OTHER, username="zed")

    rows = audit_rows(database)
    assert [("alice", "operator", ATTACKER, "login_blocked", ATTACKER, 429),
            (None, None, OTHER, "login_blocked", OTHER, 429)] == [
        (r["user_name"], r["role"], r["address"], r["action"], r["target"], r["status"]) for r in rows]
    assert {"blocked_seconds": 900} == rows[0]["detail"]


def test_a_task_edit_records_before_and_after_without_secrets(client, database):
    """task_update keeps what changed, before → after; a new callback secret is only "changed";
    a refused edit (400) and a viewer's (403) are recorded too."""
    task_id = insert_task(database, callback_secret="old-secret-Aa1", title="旧标题")

    edit = client.patch(f"/api/tasks/{task_id}", headers=login("alice"), json={
        "title": "新标题", "callback_secret": "new-secret-Bb2", "callback_url": "http://127.0.0.1:9/y"})
    bad = client.patch(f"/api/tasks/{task_id}", headers=login("alice"), json={"status": "nonsense"})
    refused = client.patch(f"/api/tasks/{task_id}", headers=login("bob"), json={"title": "viewer"})

    assert (200, 400, 403) == (edit.status_code, bad.status_code, refused.status_code)
    rows = audit_rows(database)
    assert [("alice", 200), ("alice", 400), ("bob", 403)] == [(r["user_name"], r["status"]) for r in rows]
    assert {"task_update"} == {r["action"] for r in rows} and {f"task:{task_id}"} == {r["target"] for r in rows}
    changes = rows[0]["detail"]["changes"]
    assert ["旧标题", "新标题"] == changes["title"]
    assert ["已设置", "已更改"] == changes["callback_secret"]
    assert ["http://127.0.0.1:9/x2c", "http://127.0.0.1:9/y"] == changes["callback_url"]
    assert {} == rows[1]["detail"]["changes"] and rows[1]["detail"]["error"]
    assert READ_ONLY == rows[2]["detail"]["error"]
    text = json.dumps([dict(r) for r in database.fetch_all("SELECT * FROM broadcaster_audit")], default=str)
    assert not any(secret in text for secret in ("old-secret-Aa1", "new-secret-Bb2", *HASHES.values(),
                                                  *PASSWORDS.values(), ADMIN_PASSWORD, ADMIN_TOKEN))


def test_urls_lose_their_credentials():
    """A URL in an audit row never carries a user:password part."""
    assert "http://***@127.0.0.1:9/x?a=1" == audit.without_credentials("http://u:pw@127.0.0.1:9/x?a=1")
    assert "https://example.com/x" == audit.without_credentials("https://example.com/x")


def test_start_stop_and_create_are_recorded(client, database):
    client.post("/api/broadcaster/start", headers=login("alice"), environ_base=at(OTHER))
    client.post("/api/broadcaster/start", headers=login("alice"), environ_base=at(OTHER))
    created = client.post("/api/tasks", headers=login("alice"), environ_base=at(OTHER), json={
        "title": "t", "video_url": "https://youtu.be/dQw4w9WgXcQ", "callback_url": "http://127.0.0.1:9/x",
        "callback_secret": "create-secret-Dd4"})
    client.post("/api/broadcaster/stop", headers=login("alice"), environ_base=at(OTHER))

    rows = audit_rows(database)
    assert ["start", "start", "task_create", "stop"] == [r["action"] for r in rows]
    assert {OTHER} == {r["address"] for r in rows}
    assert {"running": [False, True]} == rows[0]["detail"]["changes"]
    assert {} == rows[1]["detail"]["changes"] and "已在运行中" in rows[1]["detail"]["error"]
    task_id = created.get_json()["data"]["task_id"]
    assert f"task:{task_id}" == rows[2]["target"] and 201 == rows[2]["status"]
    assert [None, "t"] == rows[2]["detail"]["changes"]["title"]
    assert [None, True] == rows[2]["detail"]["changes"]["has_callback_secret"]
    assert {"running": [True, False]} == rows[3]["detail"]["changes"]
    assert "create-secret-Dd4" not in json.dumps([r["detail"] for r in rows], ensure_ascii=False)


def test_cross_site_refusals_are_recorded(client, database):
    client.post("/api/broadcaster/start", headers={**login("alice"), "Origin": "https://evil.example.com"})

    assert [("start", 403)] == [(r["action"], r["status"]) for r in audit_rows(database)]


def test_audit_api_filters_and_limits(client, database):
    """GET /api/audit: newest first, by user and action, hours and limit bounded; bad → 400."""
    client.post("/api/broadcaster/start", headers=login("alice"))
    client.post("/api/broadcaster/stop", headers=login("alice"))
    client.post("/api/broadcaster/start", headers=login("bob"))
    database.execute("INSERT INTO broadcaster_audit (at, user_name, role, action, status) "
                     "VALUES (NOW() - INTERVAL '200 hours', 'alice', 'operator', 'stop', 200)")

    def get(query=""):
        response = client.get(f"/api/audit{query}", headers=login("bob"))
        return response.status_code, response.get_json()

    status, body = get()
    assert 200 == status and body["success"] is True
    assert [("bob", "start"), ("alice", "stop"), ("alice", "start")] == [(r["user"], r["action"]) for r in body["data"]]
    assert {"id", "at", "user", "role", "address", "action", "target", "detail", "status"} == set(body["data"][0])
    assert body["data"][0]["at"].endswith("+00:00")
    assert ["stop", "start"] == [r["action"] for r in get("?user=alice")[1]["data"]]
    assert [("alice", "stop")] == [(r["user"], r["action"]) for r in get("?user=alice&action=stop")[1]["data"]]
    assert 2 == len(get("?user=alice&action=stop&hours=8760")[1]["data"])
    assert 1 == len(get("?limit=1")[1]["data"])
    for query in ("?hours=0", "?hours=8761", "?limit=0", "?limit=1001", "?action=delete", "?hours=x"):
        status, body = get(query)
        assert 400 == status and body["success"] is False, query


def test_pruning_keeps_audit_rows_for_audit_retention_days(database):
    """Rows older than AUDIT_RETENTION_DAYS go, a batch at a time; LOG_RETENTION_DAYS does not apply;
    throttle rows quiet for a day go too."""
    database.execute("""
        INSERT INTO broadcaster_audit (at, user_name, action, status)
        SELECT NOW() - make_interval(days => d), 'u', 'start', 200 FROM generate_series(1, 9) AS d""")
    database.execute("""
        INSERT INTO broadcaster_login_throttle (address, failures, window_started_at, block_level, blocked_until)
        VALUES ('old', 3, NOW() - INTERVAL '2 days', 2, NOW() - INTERVAL '30 hours'),
               ('recent', 3, NOW() - INTERVAL '2 days', 2, NOW() - INTERVAL '2 hours'),
               ('fresh', 3, NOW(), 0, NULL)""")

    removed = retention.prune_rows(database, days=1, audit_days=5, batch=2, pause=0)

    assert removed >= 5
    days = database.fetch_all("SELECT EXTRACT(DAY FROM NOW() - at)::INT AS d FROM broadcaster_audit ORDER BY at DESC")
    assert [1, 2, 3, 4] == [row["d"] for row in days]
    assert ["fresh", "recent"] == [row["address"] for row in database.fetch_all(
        "SELECT address FROM broadcaster_login_throttle ORDER BY address")]


def test_config_reads_the_access_settings():
    config = config_from_mapping({"LOGIN_MAX_FAILURES": "5", "TRUSTED_PROXIES": "1", "AUDIT_RETENTION_DAYS": "30"})

    assert (5, 1, 30) == (config.login_max_failures, config.trusted_proxies, config.audit_retention_days)
    assert (10, 0, 180) == (config_from_mapping({}).login_max_failures, config_from_mapping({}).trusted_proxies,
                            config_from_mapping({}).audit_retention_days)
    for name in ("LOGIN_MAX_FAILURES", "TRUSTED_PROXIES", "AUDIT_RETENTION_DAYS"):
        with pytest.raises(ConfigError, match=name):
            config_from_mapping({name: "-1"})


def test_runs_say_who_triggered_them(client, database):
    """RUN's triggered_by: the user for a manual pass, null for a scheduled or command-line one."""
    manual = claim_run(database, "manual", triggered_by="alice")
    finish_run(database, manual, "succeeded", {"total": 0, "done": 0, "success_count": 0}, None,
                         deadline_s=1)
    scheduled = claim_run(database, "schedule")

    runs = {run["id"]: run for run in client.get("/api/broadcaster/runs", headers=login("bob")).get_json()["data"]}

    assert ("alice", None) == (runs[manual]["triggered_by"], runs[scheduled]["triggered_by"])


@pytest.mark.parametrize(("method", "path"), [("PATCH", "/api/tasks/1"), ("POST", "/api/broadcaster/trigger"),
                                              ("POST", "/api/tasks")])
def test_an_oversized_change_is_recorded_as_refused(client, database, method, path):
    """A body over the size limit: 413 as before, and an audit row saying so (the body unread)."""
    insert_task(database)
    body = json.dumps({"title": "x" * 2_000_000, "task_ids": [1]})

    response = client.open(path, method=method, data=body, content_type="application/json", headers=login("alice"))

    assert 413 == response.status_code
    assert [413] == [row["status"] for row in audit_rows(database)]
