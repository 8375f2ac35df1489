"""The --status-load scenario (issue #5 item 7): the status API's latency under gunicorn while a pass runs.

gunicorn serves the service with 2 workers; `--clients` threads poll GET /api/broadcaster/status,
each every `--poll-interval` seconds, for `--duration` seconds. After `--trigger-after` seconds a
pass over the seeded tasks starts, inside a gunicorn worker (POST /api/broadcaster/trigger) or in
its own process (stats_broadcaster.py --once, `--pass-in process`). The latencies are reported over
all requests, over those during the pass and over those outside it; the deliveries are verified
as in every scenario.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from bench.database import discard_database, fresh_database, seed
from bench.processes import FakeProcess, die_with_parent, start_gunicorn, stop_process, wait_until_healthy
from bench.report import print_status_load
from bench.verify import verify_deliveries
from bench.workload import OUT, RECEIVER, ROOT, SITE_NAME, YOUTUBE_KEY, make_tasks
from broadcaster.engine.freshness import percentile

ADMIN_PASSWORD = "bench-admin-password"  # noqa: S105 - a fixed test password
AUTH = ("admin", ADMIN_PASSWORD)

Sample = tuple[float, float, int | None, str | None]  # (start, ms, status, error)


def run_status_load(args, server_url: str) -> dict:
    """Run and verify the scenario; its outcome, printed as it ends."""
    count = args.tasks or 5000
    name = f"status_load_{count}"
    print(f"\n== {name}: {args.clients} clients poll /api/broadcaster/status every {args.poll_interval:g} s for "
          f"{args.duration:g} s; a {count}-task pass starts after {args.trigger_after:g} s "
          f"({'POST /api/broadcaster/trigger' if args.runner_kind == 'worker' else 'stats_broadcaster.py --once'}) "
          f"(gunicorn --workers 2, latency {args.latency * 1000:.0f} ms)", flush=True)
    tasks = make_tasks(count)
    fake = FakeProcess(args.latency, OUT / f"{name}.fake.log")
    db_name = f"bench_{name}"
    try:
        url = fresh_database(server_url, db_name)
        seed(url, tasks, fake.callback_url(RECEIVER))
        fake.load(tasks)
        env = service_env(args, fake, url)
        with _gunicorn(env, OUT / f"{name}.gunicorn.log") as base:
            polled = _poll_through_pass(args, base, env)
            check = verify_deliveries(tasks, fake.received())
            stats = fake.get("/stats")
    finally:
        fake.stop()
        discard_database(server_url, db_name, keep=args.keep_db)
    outcome = _outcome(args, name, count, polled, check, stats)
    print_status_load(outcome)
    return outcome


def service_env(args, fake: FakeProcess, url: str) -> dict[str, str]:
    """The environment of gunicorn and of stats_broadcaster.py: the fake's URLs, this database, no page pacing."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "YOUTUBE_", "TIKTOK_", "DOUYIN_"))},
        **fake.info["env"],
        "DATABASE_URL": url, "ADMIN_PASSWORD": ADMIN_PASSWORD, "ADMIN_USERNAME": "admin",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
        "YOUTUBE_PAGES_PER_MINUTE": "0", "TIKTOK_PAGES_PER_MINUTE": "0", "DOUYIN_PAGES_PER_MINUTE": "0",
        "YOUTUBE_API_KEY": YOUTUBE_KEY, "YOUTUBE_DAILY_QUOTA": "10000000",
        "FETCH_CONCURRENCY": str(args.fetch_concurrency), "WEBHOOK_CONCURRENCY": str(args.webhook_concurrency),
        "WEBHOOK_BATCH_SIZE": "1", "SITE_NAME": SITE_NAME, "INSTANCE_PATH": str(OUT / "instance"),
    }


@contextlib.contextmanager
def _gunicorn(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """gunicorn with 2 workers on a free local port, answering /healthz; its base URL. Stopped on exit."""
    with open(log_path, "wb") as log:
        gunicorn, base = start_gunicorn(env, log, workers=2)
        try:
            wait_until_healthy(base, gunicorn, log_path)
            time.sleep(1.0)  # let both workers finish starting
            yield base
        finally:
            stop_process(gunicorn, 30)


class StatusPollers:
    """Client threads polling GET /api/broadcaster/status until stopped; every request's timing is kept."""

    def __init__(self, base: str, clients: int, poll_interval: float):
        self.base = base
        self.poll_interval = poll_interval
        self.samples: list[Sample] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.origin = time.monotonic()
        self.origin_wall = time.time()
        self._threads = [threading.Thread(target=self._poll, args=(i,), daemon=True) for i in range(clients)]
        for thread in self._threads:
            thread.start()

    def elapsed(self) -> float:
        """Seconds since the polling started."""
        return time.monotonic() - self.origin

    def stop(self) -> None:
        """Stop polling; each client finishes its request in flight (up to 35 s)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(35)

    def _poll(self, index: int) -> None:
        session = requests.Session()
        session.auth = AUTH
        session.trust_env = False
        if self.poll_interval:
            # A seeded random start per client spreads the clients over the interval, the same way every run.
            self._stop.wait(random.Random(index).uniform(0, self.poll_interval))
        while not self._stop.is_set():
            began = time.monotonic()
            status, error = self._request(session)
            elapsed = (time.monotonic() - began) * 1000
            with self._lock:
                self.samples.append((began - self.origin, elapsed, status, error))
            if self.poll_interval:
                self._stop.wait(self.poll_interval)
        session.close()

    def _request(self, session: requests.Session) -> tuple[int | None, str | None]:
        """One status request: its HTTP status, and what was wrong with it (None when it succeeded)."""
        status, error = None, None
        try:
            response = session.get(self.base + "/api/broadcaster/status", timeout=30)
            status = response.status_code
            if status != 200 or response.json().get("success") is not True:
                error = f"HTTP {status}: {response.text[:120]}"
        except (requests.RequestException, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:200]
        return status, error


def _poll_through_pass(args, base: str, env: dict[str, str]) -> dict:
    """Poll for --duration seconds, starting the pass after --trigger-after; the samples, the trigger, the run."""
    pollers = StatusPollers(base, args.clients, args.poll_interval)
    time.sleep(args.trigger_after)
    trigger_at = pollers.elapsed()
    cli = None
    if args.runner_kind == "worker":
        trigger = _trigger_in_worker(base, pollers, trigger_at)
        run_id = trigger["body"].get("data", {}).get("run_id")
    else:
        cli = subprocess.Popen([sys.executable, "stats_broadcaster.py", "--once"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        trigger = {"command": "stats_broadcaster.py --once"}
        print("   started `python stats_broadcaster.py --once` (the pass in its own process)", flush=True)
        run_id = None
    time.sleep(max(0.0, args.duration - pollers.elapsed()))
    pollers.stop()
    if cli is not None:
        run_id = _finish_cli_pass(cli, trigger, base)
    return {"samples": pollers.samples, "origin_wall": pollers.origin_wall, "trigger_at": trigger_at,
            "trigger": trigger, "run": _finished_run(base, run_id)}


def _trigger_in_worker(base: str, pollers: StatusPollers, trigger_at: float) -> dict:
    """POST /api/broadcaster/trigger: its status, its body, and the seconds it took to answer."""
    response = requests.post(base + "/api/broadcaster/trigger", auth=AUTH, timeout=30)
    trigger = {"status": response.status_code, "seconds": pollers.elapsed() - trigger_at, "body": response.json()}
    print(f"   POST /api/broadcaster/trigger: HTTP {trigger['status']} after {trigger['seconds']:.2f} s: "
          f"{json.dumps(trigger['body'], ensure_ascii=False)}", flush=True)
    return trigger


def _finish_cli_pass(cli: subprocess.Popen, trigger: dict, base: str) -> int | None:
    """Wait for stats_broadcaster.py --once, note its exit and output in `trigger`; the id of the newest run."""
    output, _ = cli.communicate(timeout=600)
    trigger["exit"] = cli.returncode
    trigger["output"] = output.decode(errors="replace").strip()[-500:]
    runs = requests.get(f"{base}/api/broadcaster/runs?limit=1", auth=AUTH, timeout=30)
    return (runs.json()["data"] or [{}])[0].get("id")


def _finished_run(base: str, run_id: int | None) -> dict | None:
    """The run as the API shows it once it no longer runs (waiting up to 300 s), its items only counted."""
    run = None
    deadline = time.monotonic() + 300
    while run_id is not None and time.monotonic() < deadline:
        run = requests.get(f"{base}/api/broadcaster/runs/{run_id}", auth=AUTH, timeout=30).json()["data"]
        if run["status"] != "running":
            break
        time.sleep(0.5)
    if run is not None:
        run["items"] = len(run.get("items") or [])
    return run


def _outcome(args, name: str, count: int, polled: dict, check: dict, stats: dict) -> dict:
    """The scenario's results as written to the JSON file; `ok` when every delivery and the run checked out."""
    run = polled["run"]
    pass_seconds, pass_window = _pass_window(run, polled["trigger_at"], polled["origin_wall"])
    problems = list(check["problems"])
    if run is None or run.get("status") != "succeeded" or run.get("success_count") != count:
        problems.append(f"run: {run}")
    return {
        "scenario": name, "tasks": count, "clients": args.clients, "poll_interval": args.poll_interval,
        "duration": args.duration, **_latency_figures(polled["samples"], pass_window),
        "pass_runs_in": args.runner_kind, "pass_seconds": pass_seconds, "run": run, "trigger": polled["trigger"],
        "upstream_requests": stats["request_counts"], "peak_concurrency": stats["peak_concurrency"],
        "verification": check, "problems": problems, "ok": not problems,
    }


def _pass_window(run: dict | None, trigger_at: float, origin_wall: float) -> tuple[float | None, tuple[float, float]]:
    """The pass's seconds and its window on the polling clock (empty, at the trigger, if it never finished)."""
    if not (run and run.get("finished_at")):
        return None, (trigger_at, trigger_at)
    started = dt.datetime.fromisoformat(run["started_at"])
    finished = dt.datetime.fromisoformat(run["finished_at"])
    return (finished - started).total_seconds(), (started.timestamp() - origin_wall, finished.timestamp() - origin_wall)


def _latency_figures(samples: list[Sample], pass_window: tuple[float, float]) -> dict:
    """Request and error counts, and the latency percentiles over all requests, during the pass and outside it."""
    latencies = [ms for _, ms, _, _ in samples]
    during = [ms for at, ms, _, _ in samples if pass_window[0] <= at <= pass_window[1]]
    outside = [ms for at, ms, _, _ in samples if not pass_window[0] <= at <= pass_window[1]]
    errors = [(at, status, error) for at, _, status, error in samples if error]
    return {
        "requests": len(samples), "errors": len(errors), "error_examples": errors[:5],
        "p50_ms": _percentile(latencies, 0.50), "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99), "max_ms": max(latencies, default=float("nan")),
        "mean_ms": statistics.fmean(latencies) if latencies else float("nan"),
        "during_pass_requests": len(during), "during_pass_p50_ms": _percentile(during, 0.50),
        "during_pass_p95_ms": _percentile(during, 0.95), "during_pass_max_ms": max(during, default=float("nan")),
        "outside_pass_requests": len(outside), "outside_pass_p50_ms": _percentile(outside, 0.50),
        "outside_pass_p95_ms": _percentile(outside, 0.95),
    }


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank `share` percentile (0.95 for p95), as the count ages use; NaN without values."""
    return percentile(sorted(values), share) if values else float("nan")
