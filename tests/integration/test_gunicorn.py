"""Several gunicorn workers share one schedule: one webhook per task per interval, stop that
stops, and recovery after the whole server is killed mid-pass."""

import collections
import contextlib
import re
import runpy
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import ADMIN_PASSWORD, ROOT, command_env, insert_task, stop_process_group, wait_until

pytestmark = pytest.mark.slow
INTERVAL = 3


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]




class Server:
    """gunicorn with N workers serving admin_api, in its own process group."""

    def __init__(self, env, workers=3, bind_flag=True):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.workers = workers
        self.bind_flag = bind_flag
        self.process = None

    def start(self):
        bind = ["--bind", f"127.0.0.1:{self.port}"] if self.bind_flag else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *bind, "--workers", str(self.workers)],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        assert wait_until(self.healthy, 30), "gunicorn did not come up"
        return self

    def healthy(self):
        try:
            return requests.get(f"{self.base}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def post(self, path):
        return requests.post(f"{self.base}{path}", auth=("admin", ADMIN_PASSWORD), timeout=15)

    def stop(self, sig=signal.SIGTERM):
        stop_process_group(self.process, sig)


@contextlib.contextmanager
def two_workers_and_a_shell_once(env):
    """gunicorn with two workers and, once they answer, a shell `stats_broadcaster.py --once` beside
    them, all on `env`; yields the shell's process; stops both afterwards."""
    server = Server(env, workers=2)
    once = None
    try:
        server.start()
        once = subprocess.Popen([sys.executable, "stats_broadcaster.py", "--once"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        yield once
    finally:
        server.stop()
        if once is not None and once.poll() is None:
            once.kill()


@pytest.fixture
def server_env(database_url, fake, tmp_path):
    """gunicorn's environment: test database, fake upstream, known password, short interval."""
    return command_env(database_url, fake, tmp_path / "instance", ADMIN_PASSWORD=ADMIN_PASSWORD,
                       BROADCAST_INTERVAL_SECONDS=str(INTERVAL))


def webhook_ids(fake, name):
    return [r.headers["X-Webhook-Id"] for r in fake.received(name)]


def test_three_workers_one_webhook_per_task_per_interval(database, fake, server_env):
    """Over several intervals each task gets exactly one webhook per pass, passes are an interval
    apart, and a stop sent to any worker silences them all within 2 s."""
    fake.add_video("youtube", "dQw4w9WgXcQ", 10, 2)
    fake.add_video("tiktok", "7504044860782021930", 30, 4)
    fake.set_receiver("r")
    tasks = [insert_task(database, callback_url=fake.callback_url("r")) for _ in range(3)]
    tasks += [insert_task(database, video_url="https://www.tiktok.com/@u/video/7504044860782021930",
                          callback_url=fake.callback_url("r")) for _ in range(2)]
    server = Server(server_env, workers=3).start()
    try:
        assert server.post("/api/broadcaster/start").json()["success"] is True
        assert wait_until(
            lambda: database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_runs WHERE status = 'succeeded'")["n"] >= 4,
            5 * INTERVAL + 10,
        )
        stop_answer = server.post("/api/broadcaster/stop").json()
        count_at_stop = len(fake.received("r"))
        # A pass in flight when stop was sent ends (interrupted or done) before we count.
        assert wait_until(lambda: database.fetch_one(
            "SELECT COUNT(*) AS n FROM broadcaster_runs WHERE status = 'running'")["n"] == 0, 30)
        settled = len(fake.received("r"))
        time.sleep(INTERVAL + 1.0)  # a full interval more: nothing new may arrive
        after = len(fake.received("r"))
    finally:
        server.stop()

    assert stop_answer["success"] is True
    assert settled == after, (count_at_stop, settled, after)
    ids = webhook_ids(fake, "r")
    assert len(ids) == len(set(ids)), "a task got two webhooks in one pass"
    per_run = collections.defaultdict(set)
    for webhook_id in ids:
        run_id, task_id = re.match(r"run(\d+)-task(\d+)", webhook_id).groups()
        per_run[int(run_id)].add(int(task_id))
    runs = database.fetch_all("SELECT id, trigger, status, started_at FROM broadcaster_runs ORDER BY id")
    finished = [run for run in runs if run["status"] == "succeeded"]
    assert len(finished) >= 4
    for run in finished:
        assert set(tasks) == per_run[run["id"]], run
    starts = [run["started_at"] for run in runs]
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(starts, starts[1:])]
    assert all(gap >= INTERVAL - 0.01 for gap in gaps), gaps
    assert all(run["trigger"] == "schedule" for run in runs)


def test_killed_server_leaves_an_abandoned_run_and_passes_resume(database, fake, server_env):
    """SIGKILL to every gunicorn process mid-pass: after a restart the old run becomes
    abandoned within 60 s and scheduled passes resume because the switch stayed on."""
    fake.add_video("youtube", "dQw4w9WgXcQ", 10, 2)
    fake.set_receiver("slow-r")
    for _ in range(8):
        insert_task(database, callback_url=fake.callback_url("slow-r"))
    fake.latency = 0.7
    env = {**server_env, "WEBHOOK_CONCURRENCY": "1", "BROADCAST_INTERVAL_SECONDS": "5"}
    server = Server(env, workers=2).start()
    try:
        server.post("/api/broadcaster/start")
        assert wait_until(lambda: len(fake.received("slow-r")) >= 2, 20)
        server.stop(signal.SIGKILL)
        killed_at = time.monotonic()
        stuck = database.fetch_one("SELECT id, status FROM broadcaster_runs ORDER BY id LIMIT 1")
        assert "running" == stuck["status"]
        fake.latency = 0.0
        server = Server(env, workers=2).start()
        abandoned = wait_until(
            lambda: database.fetch_one("SELECT status FROM broadcaster_runs WHERE id = %s", (stuck["id"],))["status"]
            == "abandoned",
            60,
        )
        abandoned_after = time.monotonic() - killed_at
        resumed = wait_until(
            lambda: database.fetch_one(
                "SELECT COUNT(*) AS n FROM broadcaster_runs WHERE id > %s AND status = 'succeeded'", (stuck["id"],)
            )["n"] >= 1,
            30,
        )
    finally:
        server.stop()

    assert abandoned and abandoned_after < 60
    assert resumed
    assert database.fetch_one("SELECT enabled FROM broadcaster_state")["enabled"] is True


def test_a_malformed_proxy_stops_gunicorn_with_one_line_naming_it(server_env):
    """A bad setting stops the master before any worker starts: one line, the setting named, no password."""
    env = {**server_env, "DOUYIN_PROXIES": "http://ops:s3cret-pw@proxy.example:notaport"}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{free_port()}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )

    assert 0 != result.returncode
    errors = [line for line in result.stderr.splitlines() if line.startswith("配置错误")]
    assert 1 == len(errors), result.stderr
    assert "DOUYIN_PROXIES" in errors[0]
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_port_is_honoured_when_bind_is_unset(server_env):
    """As Railway, Render and Heroku start it: no --bind, no BIND, only PORT; /healthz answers there."""
    server = Server(server_env, workers=1, bind_flag=False)
    server.env = {**server_env, "PORT": str(server.port)}
    server.start()
    try:
        answer = requests.get(f"{server.base}/healthz", timeout=5)
        assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    finally:
        server.stop()


def test_bind_wins_over_port_and_a_bad_port_is_one_line():
    """BIND beats PORT; without either, loopback only; a PORT that is not a port stops start-up."""
    default_bind = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["default_bind"]
    assert default_bind({"BIND": "127.0.0.1:7000", "PORT": "8080"}) == "127.0.0.1:7000"
    assert default_bind({"PORT": "8080"}) == "0.0.0.0:8080"
    assert default_bind({}) == "127.0.0.1:5001"
    with pytest.raises(SystemExit) as stopped:
        default_bind({"PORT": "web"})
    assert stopped.value.code == 2
