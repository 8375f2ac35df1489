"""Issue #18 for real: gunicorn workers sharing a login block, a proxy chain in front, the
command line, and the audit trail of one whole session (with a real triggered pass)."""

import collections
import http.client
import http.server
import socket
import subprocess
import sys
import threading

import pytest
import requests
from werkzeug.security import generate_password_hash

from admin_api import create_app
from tests.conftest import ROOT, basic, command_env, insert_task, stop_process_group, wait_until

pytestmark = pytest.mark.slow

METHOD = "pbkdf2:sha256:1000"
ALICE, BOB = "alice-pass-1", "bob-pass-2"
USERS = f"alice:operator:{generate_password_hash(ALICE, method=METHOD)},bob:viewer:{generate_password_hash(BOB, method=METHOD)}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving admin_api with an access log of (worker pid, status) lines."""

    def __init__(self, env, tmp_path, workers=2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "access.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--access-logfile", str(self.log), "--access-logformat", "%(p)s %(s)s"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def wait_healthy(self):
        def healthy():
            try:
                return requests.get(f"{self.base}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False
        assert wait_until(healthy, 30), "gunicorn did not come up"
        return self

    def answers(self) -> list[tuple[str, int]]:
        """(worker pid, status) of each request so far, in order."""
        lines = self.log.read_text().split() if self.log.exists() else []
        return [(lines[i].strip("<>"), int(lines[i + 1])) for i in range(0, len(lines) - 1, 2)]

    def stop(self):
        stop_process_group(self.process)


@pytest.fixture
def server_env(database_url, fake, tmp_path, database):
    return command_env(database_url, fake, tmp_path / "instance", ADMIN_USERS=USERS, LOGIN_MAX_FAILURES="10")


@pytest.fixture
def gunicorn(server_env, tmp_path):
    servers = []

    def start(**settings):
        server = Gunicorn({**server_env, **settings}, tmp_path)
        servers.append(server)
        return server.wait_healthy()

    yield start
    for server in servers:
        server.stop()


def test_two_workers_share_one_block(gunicorn, database):
    """Wrong passwords spread over two workers, one fresh connection each: the tenth blocks
    the address for both (a count per worker would allow 20), and a correct password is then
    refused by both."""
    server = gunicorn()
    pids = set()
    for _ in range(200):  # both workers accept connections: see each answer at least once
        requests.get(f"{server.base}/healthz", timeout=5)
        pids = {pid for pid, _ in server.answers()}
        if len(pids) == 2:
            break
    assert 2 == len(pids)
    seen = len(server.answers())

    statuses = [requests.get(f"{server.base}/api/tasks", auth=("alice", "wrong"), timeout=10).status_code
                for _ in range(10)]
    # Then the right password until both workers have refused it: a worker that counted the failures
    # alone would let it through, wherever the kernel sent the ten failures.
    after = []
    for _ in range(20):
        after += [requests.get(f"{server.base}/api/tasks", auth=("alice", ALICE), timeout=10) for _ in range(10)]
        answered = seen + 10 + len(after)
        assert wait_until(lambda answered=answered: len(server.answers()) >= answered, 20)
        refused_by = collections.Counter(pid for pid, _ in server.answers()[seen + 10:])
        if len(refused_by) == 2:
            break

    assert [401] * 9 + [429] == statuses
    assert {429} == {response.status_code for response in after}
    assert all(0 < int(response.headers["Retry-After"]) <= 900 for response in after)
    assert 2 == len(refused_by), refused_by  # both workers refused the right password
    row = database.fetch_one("SELECT block_level FROM broadcaster_login_throttle WHERE address = '127.0.0.1'")
    assert 1 == row["block_level"]
    assert 1 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_audit WHERE action = 'login_blocked'")["n"]


class ForwardingProxy(http.server.ThreadingHTTPServer):
    """A reverse proxy like nginx's `proxy_add_x_forwarded_for`: it forwards each request to
    the app and appends the address it saw the request come from to X-Forwarded-For."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.shutdown()
        self.server_close()


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    def _forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {key: value for key, value in self.headers.items() if key.lower() not in ("connection", "host")}
        previous = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{previous}, {self.client_address[0]}" if previous else self.client_address[0]
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=15)
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = _forward

    def log_message(self, *args):
        pass


def get_from(source: str, port: int, path: str, auth: tuple[str, str], forwarded: str | None = None):
    """GET from the local address `source` (127.0.0.x): a distinct client for the proxy."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0))
    headers = basic(auth[1], username=auth[0])
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_two_clients_behind_a_proxy_are_throttled_apart(gunicorn, database):
    """TRUSTED_PROXIES=1 behind a real forwarding proxy: client .2 is blocked, client .3 is not,
    and .2 claiming another address in its own X-Forwarded-For is still .2."""
    server = gunicorn(TRUSTED_PROXIES="1")
    proxy = ForwardingProxy(server.port)
    port = proxy.server_address[1]
    try:
        statuses = [get_from("127.0.0.2", port, "/api/tasks", ("alice", "wrong"), forwarded="192.0.2.77").status
                    for _ in range(10)]
        forged = get_from("127.0.0.2", port, "/api/tasks", ("alice", ALICE), forwarded="127.0.0.3")
        other = get_from("127.0.0.3", port, "/api/tasks", ("alice", ALICE))
    finally:
        proxy.close()

    assert [401] * 9 + [429] == statuses
    assert 429 == forged.status
    assert 200 == other.status
    assert ["127.0.0.2"] == [row["address"] for row in database.fetch_all(
        "SELECT address FROM broadcaster_login_throttle WHERE blocked_until > NOW()")]


def test_a_forged_forwarded_for_is_ignored_without_trusted_proxies(gunicorn, database):
    """TRUSTED_PROXIES unset, straight to gunicorn: a new X-Forwarded-For on every guess still
    counts every guess against the real peer."""
    server = gunicorn()
    statuses = [requests.get(f"{server.base}/api/tasks", auth=("alice", "wrong"), timeout=10,
                             headers={"X-Forwarded-For": f"192.0.2.{n}"}).status_code for n in range(10)]

    assert [401] * 9 + [429] == statuses
    assert ["127.0.0.1"] == [row["address"] for row in database.fetch_all(
        "SELECT address FROM broadcaster_login_throttle")]


def run(args, env, stdin_text=None):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, input=stdin_text, capture_output=True,
                          text=True, timeout=60)


def test_hash_password_from_stdin(server_env):
    """`--hash-password` with the password on stdin prints one hash that signs in."""
    from werkzeug.security import check_password_hash

    result = run(["stats_broadcaster.py", "--hash-password"], server_env, stdin_text="s3cret-Pw\n")

    assert 0 == result.returncode, result.stderr
    assert check_password_hash(result.stdout.strip(), "s3cret-Pw")
    assert "s3cret-Pw" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", [["stats_broadcaster.py", "--init-db"], ["stats_broadcaster.py"],
                                     ["-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0"]],
                         ids=["init-db", "loop", "gunicorn"])
def test_a_bad_entry_stops_start_up_with_one_line(server_env, command):
    """An unknown role in the second entry: exit 2, one line naming ADMIN_USERS and the entry,
    no hash."""
    good = USERS.split(",")[0]
    bad_hash = generate_password_hash("x", method=METHOD)
    result = run(command, {**server_env, "ADMIN_USERS": f"{good},carol:admin:{bad_hash}"})

    assert 2 == result.returncode
    # gunicorn logs its own "[time] [pid] [INFO] Starting gunicorn" first: that is not ours.
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("[")]
    assert 1 == len(lines), result.stderr
    assert "ADMIN_USERS" in lines[0] and "第 2 项" in lines[0]
    assert "$" not in result.stderr and "Traceback" not in result.stderr


def test_the_audit_trail_of_one_session(fake_config, database, fake):
    """Guesses that end in a block, then an operator's start, a pass over two selected tasks,
    a task edit and stop, and a viewer's refused stop: one row each, newest first in
    /api/audit, and the pass says who triggered it."""
    from broadcaster.core.config import config_from_mapping

    users = config_from_mapping({"ADMIN_USERS": USERS}).admin_users
    client = create_app(fake_config.replace(admin_users=users), database=database).test_client()
    fake.add_video("youtube", "dQw4w9WgXcQ", 100, 10)
    fake.set_receiver("ok")
    ids = [insert_task(database, callback_url=fake.callback_url("ok"), title=f"任务{n}") for n in range(3)]
    attacker, office = {"REMOTE_ADDR": "203.0.113.9"}, {"REMOTE_ADDR": "198.51.100.7"}
    alice = basic(ALICE, username="alice")

    for _ in range(10):
        client.get("/admin", headers=basic("guess", username="alice"), environ_base=attacker)
    assert 200 == client.post("/api/broadcaster/start", headers=alice, environ_base=office).status_code
    triggered = client.post("/api/broadcaster/trigger", headers=alice, environ_base=office,
                            json={"task_ids": [ids[0], ids[2]]})
    assert 200 == triggered.status_code, triggered.get_json()
    assert 200 == client.patch(f"/api/tasks/{ids[1]}", headers=alice, environ_base=office,
                               json={"title": "改过的标题", "status": "paused"}).status_code
    assert 403 == client.post("/api/broadcaster/stop", headers=basic(BOB, username="bob"),
                              environ_base=office).status_code
    assert 200 == client.post("/api/broadcaster/stop", headers=alice, environ_base=office).status_code

    rows = client.get("/api/audit", headers=alice, environ_base=office).get_json()["data"]
    run_id = triggered.get_json()["data"]["run_id"]
    assert [
        ("alice", "operator", "198.51.100.7", "stop", "service", 200),
        ("bob", "viewer", "198.51.100.7", "stop", "service", 403),
        ("alice", "operator", "198.51.100.7", "task_update", f"task:{ids[1]}", 200),
        ("alice", "operator", "198.51.100.7", "trigger", f"run:{run_id}", 200),
        ("alice", "operator", "198.51.100.7", "start", "service", 200),
        ("alice", "operator", "203.0.113.9", "login_blocked", "203.0.113.9", 429),
    ] == [(r["user"], r["role"], r["address"], r["action"], r["target"], r["status"]) for r in rows]
    assert {"running": [True, False]} == rows[0]["detail"]["changes"]
    assert {"title": ["任务1", "改过的标题"], "status": ["active", "paused"]} == rows[2]["detail"]["changes"]
    assert ([ids[0], ids[2]], run_id) == (rows[3]["detail"]["task_ids"], rows[3]["detail"]["run_id"])
    assert {"running": [False, True]} == rows[4]["detail"]["changes"]
    run = client.get(f"/api/broadcaster/runs/{run_id}", headers=alice, environ_base=office).get_json()["data"]
    assert ("alice", "selected", 2) == (run["triggered_by"], run["scope"], run["total"])
    assert 2 == len(fake.received("ok"))
    assert wait_until(lambda: not [t for t in threading.enumerate() if t.name.startswith("manual-pass-")], 30)
