"""Beside the bot: how long the bot's own statements on drama_tasks wait while the broadcaster starts or runs.

BotSimulator plays DramaRelayBot: its own connection (autocommit, no statement timeout), every
100 ms the bot's INSERT of a task and a SELECT of that task by task_id, each statement timed.
LongReader is what pg_dump or a long report holds: a transaction that has read drama_tasks, open
for `hold_s` seconds, then committed. While it is open, a gunicorn worker boots (the time until
/healthz answers 200) or `stats_broadcaster.py --init-db` runs (its time); a lock the broadcaster
queues for on drama_tasks makes every later statement of the bot on that table queue behind it.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2

from bench.processes import die_with_parent, start_gunicorn, stop_process, wait_until_healthy
from bench.workload import ROOT

BOT_INSERT = """
INSERT INTO drama_tasks (title, video_url, callback_url, callback_secret, project_id, external_task_id, duration,
                         status)
VALUES (%(title)s, %(video_url)s, %(callback_url)s, %(secret)s, %(project_id)s, %(external)s, %(duration)s, 'active')
RETURNING task_id
"""
BOT_SELECT = ("SELECT task_id, title, video_url, status, callback_url, callback_status, callback_last_attempt "
              "FROM drama_tasks WHERE task_id = %(task_id)s")
TEMPLATE = ("SELECT title, video_url, callback_url, callback_secret AS secret, project_id, duration "
            "FROM drama_tasks ORDER BY task_id LIMIT 1")

Sample = tuple[float, str, float]  # (seconds since the simulator started, "insert" or "select", seconds it took)


class BotSimulator:
    """The bot's INSERT and SELECT on drama_tasks every `interval` seconds, in a thread, until stopped.

    A statement that waits delays the next tick (the bot does one thing at a time); ticks missed
    meanwhile are not made up in a burst. New tasks copy the first task's link and callback, so a
    pass that picks them up delivers them like the others."""

    def __init__(self, url: str, interval: float = 0.1):
        self.url = url
        self.interval = interval
        self.samples: list[Sample] = []
        self.origin = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bot-simulator", daemon=True)

    def __enter__(self) -> BotSimulator:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(120)

    def now(self) -> float:
        """Seconds since the simulator started."""
        return time.monotonic() - self.origin

    def _run(self) -> None:
        conn = psycopg2.connect(self.url, application_name="bench-bot")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("SET statement_timeout = 0")
                cur.execute(TEMPLATE)
                template = dict(zip([d[0] for d in cur.description], cur.fetchone()))
                due, n = time.monotonic(), 0
                while not self._stop.is_set():
                    n += 1
                    (task_id,) = self._timed(cur, "insert", BOT_INSERT, {**template, "external": 900_000 + n})
                    self._timed(cur, "select", BOT_SELECT, {"task_id": task_id})
                    due = max(due + self.interval, time.monotonic())
                    self._stop.wait(max(0.0, due - time.monotonic()))
        finally:
            conn.close()

    def _timed(self, cur, kind: str, statement: str, params: dict):
        began = time.monotonic()
        cur.execute(statement, params)
        row = cur.fetchone()
        self.samples.append((began - self.origin, kind, time.monotonic() - began))
        return row

    def wait_past(self, moment: float, timeout: float = 120.0) -> None:
        """Wait until a statement that began after `moment` (simulator seconds) has finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not any(at > moment for at, _, _ in self.samples[-5:]):
            time.sleep(0.05)

    def summary(self, since: float, until: float | None = None) -> dict:
        """The statements begun in [since, until]: how many, the slowest, those over 1 s (when each began,
        seconds after `since`, and how long it took)."""
        window = [s for s in self.samples if s[0] >= since and (until is None or s[0] <= until)]
        slowest = max(window, key=lambda s: s[2], default=(since, "-", float("nan")))
        waits = [(round(at - since, 1), round(seconds, 2)) for at, _, seconds in window if seconds > 1.0]
        return {"statements": len(window), "slowest_s": slowest[2], "slowest_kind": slowest[1],
                "slowest_began_s": slowest[0] - since, "over_1s": len(waits), "waits": waits,
                "mean_ms": 1000 * sum(s[2] for s in window) / len(window) if window else float("nan")}


class LongReader:
    """A transaction that has read drama_tasks (an ACCESS SHARE lock on it), held `hold_s` seconds."""

    def __init__(self, url: str, hold_s: float):
        self.url = url
        self.hold_s = hold_s
        self.opened = threading.Event()
        self._thread = threading.Thread(target=self._run, name="long-reader", daemon=True)

    def start(self) -> LongReader:
        self._thread.start()
        if not self.opened.wait(30):
            raise RuntimeError("the long reader could not read drama_tasks")
        return self

    def _run(self) -> None:
        conn = psycopg2.connect(self.url, application_name="bench-long-reader")
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM drama_tasks")
                cur.fetchone()
                self.opened.set()
                time.sleep(self.hold_s)
            conn.commit()
        finally:
            conn.close()

    def join(self) -> None:
        self._thread.join(self.hold_s + 60)


def boot_beside_reader(url: str, env: dict[str, str], bot: BotSimulator, hold_s: float, log_path: Path) -> dict:
    """A gunicorn worker boots 1 s after the reader opened: seconds until /healthz answers 200 (None if
    not within hold_s + 60 s), and the bot's statements from the reader's start until the bot is free."""
    since = bot.now()
    reader = LongReader(url, hold_s).start()
    time.sleep(1.0)
    started = time.monotonic()
    healthz_s = None
    with open(log_path, "wb") as log:
        gunicorn, base = start_gunicorn(env, log, workers=1)
        try:
            wait_until_healthy(base, gunicorn, log_path, deadline_s=hold_s + 60, poll_s=0.05)
            healthz_s = time.monotonic() - started
        except RuntimeError as exc:
            print(f"   {exc}")
        finally:
            reader.join()
            bot.wait_past(bot.now() + 1.0)
            stop_process(gunicorn, 30)
    return {"healthz_s": healthz_s, "bot": bot.summary(since)}


def init_db_beside_reader(url: str, env: dict[str, str], bot: BotSimulator, hold_s: float) -> dict:
    """`stats_broadcaster.py --init-db` 1 s after the reader opened: its seconds and exit code, and the
    bot's statements from the reader's start until the bot is free."""
    since = bot.now()
    reader = LongReader(url, hold_s).start()
    time.sleep(1.0)
    init_db = time_init_db(env)
    reader.join()
    bot.wait_past(bot.now() + 1.0)
    return {**init_db, "bot": bot.summary(since)}


def time_init_db(env: dict[str, str], *, timeout: float | None = None) -> dict:
    """Run `python3 stats_broadcaster.py --init-db` with `env`: its seconds, exit code and output
    (every line it printed: each migration applied, with its lock waits, and the verdict)."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "stats_broadcaster.py", "--init-db"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False, preexec_fn=die_with_parent, timeout=timeout)
    return {"init_db_s": time.monotonic() - started, "exit": done.returncode,
            "output": (done.stdout + done.stderr).strip()}
