"""Throughput benchmark of one pass against the local fake upstream (issue #4; #5 item 7).

    python -m bench.run_bench                  # 10,000 tasks at batch 1 and 100, 20,000 at batch 1
    python -m bench.run_bench --quick          # 1,000 tasks at batch 1 and 100
    python -m bench.run_bench --tasks 5000 --batch-size 1,100 --latency 0.1
    python -m bench.run_bench --baseline       # the earlier design vs this one at 200 tasks (~4 min)
    python -m bench.run_bench --status-load    # 50 clients poll the status API during a 5,000-task pass
    python -m bench.run_bench --freshness      # only the freshness scenario (bench/freshness.py)
    python -m bench.run_bench --scaling        # only 1 vs 2 workers: 10,000 at batch 1, 100,000 at batch 100

Each scenario gets a fresh database on the embedded server under instance/bench-pgdata
(`bench_<tasks>_b<batch>`), seeded with N tasks (50 % YouTube through the API, 30 % TikTok,
20 % Douyin; one distinct video per task, counts known to the fake), and a fresh fake upstream
in its own process (`python -m fakes.upstream --latency L`). The pass itself runs in a child
process (`--child`) through the real code path (stats_broadcaster.broadcast_all_tasks), so its
CPU time (getrusage user+sys around the pass) and peak RSS (ru_maxrss, and /proc sampling) are
its own. Afterwards every delivered webhook is read back from the fake and checked against the
seeded counts; the exit code is 1 when any task is missing or wrong. Speed and memory targets
are printed as PASS/MISS lines and never fail the run.

Output files (logs of the child, the fake and gunicorn; results as JSON) go to bench/out/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import requests

from bench.database import (
    discard_database,
    fresh_database,
    seed,
    start_database,
)
from bench.measure import child_main
from bench.processes import FakeProcess, die_with_parent
from bench.report import per_prefix, print_header, print_section, print_summary, print_verdict, status_target_lines
from bench.scenario import Scenario, run_scenario
from bench.verify import verify_deliveries
from bench.workload import OUT, RECEIVER, ROOT, SITE_NAME, YOUTUBE_KEY, make_tasks

ADMIN_PASSWORD = "bench-admin-password"  # noqa: S105 - a fixed test password


# ---------------------------------------------------------------------------------------------
# --status-load (issue #5 item 7)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def run_status_load(args, server_url: str) -> dict:
    count = args.tasks or 5000
    name = f"status_load_{count}"
    print(f"\n== {name}: {args.clients} clients poll /api/broadcaster/status every {args.poll_interval:g} s for "
          f"{args.duration:g} s; a {count}-task pass starts after {args.trigger_after:g} s "
          f"({'POST /api/broadcaster/trigger' if args.runner_kind == 'worker' else 'stats_broadcaster.py --once'}) "
          f"(gunicorn --workers 2, latency {args.latency * 1000:.0f} ms)", flush=True)
    tasks = make_tasks(count)
    fake = FakeProcess(args.latency, OUT / f"{name}.fake.log")
    db_name = f"bench_{name}"
    gunicorn = None
    gunicorn_log = open(OUT / f"{name}.gunicorn.log", "wb")  # noqa: SIM115
    try:
        url = fresh_database(server_url, db_name)
        seed(url, tasks, fake.callback_url(RECEIVER))
        fake.load(tasks)
        port = _free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "YOUTUBE_", "TIKTOK_", "DOUYIN_"))},
            **fake.info["env"],
            "DATABASE_URL": url, "ADMIN_PASSWORD": ADMIN_PASSWORD, "ADMIN_USERNAME": "admin",
            "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
            "YOUTUBE_PAGES_PER_MINUTE": "0", "TIKTOK_PAGES_PER_MINUTE": "0", "DOUYIN_PAGES_PER_MINUTE": "0",
            "YOUTUBE_API_KEY": YOUTUBE_KEY, "YOUTUBE_DAILY_QUOTA": "10000000",
            "FETCH_CONCURRENCY": str(args.fetch_concurrency), "WEBHOOK_CONCURRENCY": str(args.webhook_concurrency),
            "WEBHOOK_BATCH_SIZE": "1", "SITE_NAME": SITE_NAME, "INSTANCE_PATH": str(OUT / "instance"),
        }
        executable = Path(sys.executable).parent / "gunicorn"
        command = [str(executable)] if executable.exists() else [sys.executable, "-m", "gunicorn"]
        gunicorn = subprocess.Popen(
            command + ["-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT, env=env, stdout=gunicorn_log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if gunicorn.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not come up; see {OUT / (name + '.gunicorn.log')}")
            time.sleep(0.2)
        time.sleep(1.0)  # let both workers finish starting

        samples: list[tuple[float, float, int | None, str | None]] = []  # (start, ms, status, error)
        samples_lock = threading.Lock()
        stop = threading.Event()
        origin = time.monotonic()
        origin_wall = time.time()

        def client(index: int) -> None:
            session = requests.Session()
            session.auth = ("admin", ADMIN_PASSWORD)
            session.trust_env = False
            if args.poll_interval:
                stop.wait(random.Random(index).uniform(0, args.poll_interval))
            while not stop.is_set():
                began = time.monotonic()
                status, error = None, None
                try:
                    response = session.get(base + "/api/broadcaster/status", timeout=30)
                    status = response.status_code
                    if status != 200 or response.json().get("success") is not True:
                        error = f"HTTP {status}: {response.text[:120]}"
                except (requests.RequestException, ValueError) as exc:
                    error = f"{type(exc).__name__}: {exc}"[:200]
                elapsed = (time.monotonic() - began) * 1000
                with samples_lock:
                    samples.append((began - origin, elapsed, status, error))
                if args.poll_interval:
                    stop.wait(args.poll_interval)
            session.close()

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        time.sleep(args.trigger_after)
        trigger_at = time.monotonic() - origin
        cli = None
        if args.runner_kind == "worker":
            response = requests.post(base + "/api/broadcaster/trigger", auth=("admin", ADMIN_PASSWORD), timeout=30)
            trigger = {"status": response.status_code, "seconds": time.monotonic() - origin - trigger_at,
                       "body": response.json()}
            print(f"   POST /api/broadcaster/trigger: HTTP {trigger['status']} after {trigger['seconds']:.2f} s: "
                  f"{json.dumps(trigger['body'], ensure_ascii=False)}", flush=True)
            run_id = trigger["body"].get("data", {}).get("run_id")
        else:
            cli = subprocess.Popen([sys.executable, "stats_broadcaster.py", "--once"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
            trigger = {"command": "stats_broadcaster.py --once"}
            print("   started `python stats_broadcaster.py --once` (the pass in its own process)", flush=True)
            run_id = None
        time.sleep(max(0.0, args.duration - (time.monotonic() - origin)))
        stop.set()
        for thread in threads:
            thread.join(35)
        if cli is not None:
            output, _ = cli.communicate(timeout=600)
            trigger["exit"] = cli.returncode
            trigger["output"] = output.decode(errors="replace").strip()[-500:]
            runs = requests.get(f"{base}/api/broadcaster/runs?limit=1", auth=("admin", ADMIN_PASSWORD), timeout=30)
            run_id = (runs.json()["data"] or [{}])[0].get("id")
        run = None
        deadline = time.monotonic() + 300
        while run_id is not None and time.monotonic() < deadline:
            run = requests.get(f"{base}/api/broadcaster/runs/{run_id}", auth=("admin", ADMIN_PASSWORD),
                               timeout=30).json()["data"]
            if run["status"] != "running":
                break
            time.sleep(0.5)
        if run is not None:
            run["items"] = len(run.get("items") or [])
        records = fake.received()
        check = verify_deliveries(tasks, records)
        stats = fake.get("/stats")
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
                gunicorn.wait()
        gunicorn_log.close()
        fake.stop()
        discard_database(server_url, db_name, keep=args.keep_db)

    pass_seconds = None
    pass_window = (trigger_at, trigger_at)
    if run and run.get("finished_at"):
        started = dt.datetime.fromisoformat(run["started_at"])
        finished = dt.datetime.fromisoformat(run["finished_at"])
        pass_seconds = (finished - started).total_seconds()
        pass_window = (started.timestamp() - origin_wall, finished.timestamp() - origin_wall)
    latencies = [ms for _, ms, _, _ in samples]
    during = [ms for at, ms, _, _ in samples if pass_window[0] <= at <= pass_window[1]]
    outside = [ms for at, ms, _, _ in samples if not pass_window[0] <= at <= pass_window[1]]
    errors = [(at, status, error) for at, _, status, error in samples if error]
    problems = list(check["problems"])
    if run is None or run.get("status") != "succeeded" or run.get("success_count") != count:
        problems.append(f"run: {run}")
    outcome = {
        "scenario": name, "tasks": count, "clients": args.clients, "poll_interval": args.poll_interval,
        "duration": args.duration, "requests": len(samples), "errors": len(errors), "error_examples": errors[:5],
        "p50_ms": _percentile(latencies, 0.50), "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99), "max_ms": max(latencies, default=float("nan")),
        "mean_ms": statistics.fmean(latencies) if latencies else float("nan"),
        "during_pass_requests": len(during), "during_pass_p50_ms": _percentile(during, 0.50),
        "during_pass_p95_ms": _percentile(during, 0.95), "during_pass_max_ms": max(during, default=float("nan")),
        "outside_pass_requests": len(outside), "outside_pass_p50_ms": _percentile(outside, 0.50),
        "outside_pass_p95_ms": _percentile(outside, 0.95), "pass_runs_in": args.runner_kind,
        "pass_seconds": pass_seconds, "run": run, "trigger": trigger,
        "upstream_requests": stats["request_counts"], "peak_concurrency": stats["peak_concurrency"],
        "verification": check, "problems": problems, "ok": not problems,
    }
    print(f"   status requests: {outcome['requests']} in {args.duration:g} s, errors {outcome['errors']}")
    print(f"   latency all:        p50 {outcome['p50_ms']:.1f} ms  p95 {outcome['p95_ms']:.1f} ms  "
          f"p99 {outcome['p99_ms']:.1f} ms  max {outcome['max_ms']:.1f} ms")
    print(f"   latency during pass ({outcome['during_pass_requests']} requests over "
          f"{pass_seconds if pass_seconds is not None else float('nan'):.2f} s): p50 {outcome['during_pass_p50_ms']:.1f} ms  "
          f"p95 {outcome['during_pass_p95_ms']:.1f} ms  max {outcome['during_pass_max_ms']:.1f} ms")
    print(f"   latency outside the pass ({outcome['outside_pass_requests']} requests): "
          f"p50 {outcome['outside_pass_p50_ms']:.1f} ms  p95 {outcome['outside_pass_p95_ms']:.1f} ms")
    print(f"   run: {json.dumps(run, ensure_ascii=False) if run else None}")
    print(f"   upstream requests: {per_prefix(stats['request_counts'])};  peak concurrency: "
          f"{per_prefix(stats['peak_concurrency'])}")
    print(f"   verified: {check['delivered']}/{count} tasks delivered with the right counts, "
          f"{check['duplicates']} duplicates")
    for at, _status, error in errors[:5]:
        print(f"   error at {at:.1f} s: {error}")
    for problem in problems:
        print(f"   VERIFY FAILED: {problem}")
    return outcome


# ---------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line; --child is internal (bench/measure.py spawns it)."""
    parser = argparse.ArgumentParser(prog="python -m bench.run_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, help="tasks per scenario (default: 10,000 and 20,000; "
                        "200 with --baseline; 5,000 with --status-load)")
    parser.add_argument("--batch-size", default=None, help="WEBHOOK_BATCH_SIZE values, comma separated "
                        "(default 1,100)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the fake adds to every request")
    parser.add_argument("--fetch-concurrency", type=int, default=64)
    parser.add_argument("--webhook-concurrency", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="1,000 tasks at batch 1 and 100")
    parser.add_argument("--baseline", action="store_true", help="the earlier design vs this one (200 tasks)")
    parser.add_argument("--scaling", action="store_true", help="only the scaling scenarios (1 vs 2 workers; "
                        "part of the default run)")
    parser.add_argument("--freshness", action="store_true", help="only the freshness scenario (1 vs 10 egresses; "
                        "part of the default run)")
    parser.add_argument("--status-load", action="store_true", help="status API latency under gunicorn during a pass")
    parser.add_argument("--clients", type=int, default=50, help="--status-load: polling clients")
    parser.add_argument("--poll-interval", type=float, default=1.0,
                        help="--status-load: seconds each client waits between polls (the admin page waits 2; "
                             "0 = back to back)")
    parser.add_argument("--duration", type=float, default=60.0, help="--status-load: seconds of polling")
    parser.add_argument("--trigger-after", type=float, default=5.0, help="--status-load: seconds before the trigger")
    parser.add_argument("--pass-in", dest="runner_kind", choices=("worker", "process"), default="worker",
                        help="--status-load: run the pass inside a gunicorn worker (POST /api/broadcaster/trigger, "
                             "the default) or in its own process (stats_broadcaster.py --once), for comparison")
    parser.add_argument("--keep-db", action="store_true", help="keep the bench_* databases for inspection")
    parser.add_argument("--pass-workers", type=int, default=None, help="PASS_WORKERS for --tasks runs "
                        "(the default run measures 1 and 2)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def scenarios_for(args) -> list[Scenario]:
    """The throughput scenarios the flags select, in the order they run."""
    if args.baseline:
        count = args.tasks or 200
        return [Scenario(count, 1, "baseline"), Scenario(count, 1, "pass")]
    batches = [int(b) for b in (args.batch_size or "1,100").split(",") if b.strip()]
    if args.quick:
        return [Scenario(1000, b) for b in batches]
    if args.tasks:
        settings = {"pass_workers": args.pass_workers} if args.pass_workers else {}
        label = f"w{args.pass_workers}" if args.pass_workers else ""
        return [Scenario(args.tasks, b, settings=settings, label=label) for b in batches]
    if args.batch_size:
        return [Scenario(10_000, b) for b in batches] + [Scenario(20_000, batches[0])]
    if args.scaling:
        return scaling_scenarios()
    return [Scenario(10_000, 1), Scenario(10_000, 100), Scenario(20_000, 1), *scaling_scenarios()]


def scaling_scenarios() -> list[Scenario]:
    """One pass over one and over two processes (PASS_WORKERS), at 10,000 and 100,000 tasks."""
    two = {"pass_workers": 2}
    return [Scenario(10_000, 1, settings=two, label="w2"), Scenario(100_000, 100, label="w1"),
            Scenario(100_000, 100, settings=two, label="w2")]

def main(argv: list[str] | None = None) -> int:
    """The benchmark the flags select, or the measured child (--child); the exit code."""
    args = parse_args(argv)
    if args.child:
        return child_main()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    print_header(args)
    server_url = start_database()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if args.status_load:
        return status_load_main(args, server_url, stamp, started)
    return scenarios_main(args, server_url, stamp, started)


def status_load_main(args, server_url: str, stamp: str, started: float) -> int:
    """--status-load: the one scenario, its targets, its JSON; exit code 1 when its verification failed."""
    outcome = run_status_load(args, server_url)
    print_section("Targets (issue #5 item 7):", status_target_lines(outcome))
    (OUT / f"results-{stamp}-status-load.json").write_text(json.dumps(outcome, indent=1, default=str))
    print_verdict(outcome["ok"], started)
    return 0 if outcome["ok"] else 1


def scenarios_main(args, server_url: str, stamp: str, started: float) -> int:
    """The throughput scenarios selected (and the freshness one); exit code 1 when any failed or crashed."""
    outcomes, crashed, freshness_targets = [], [], []
    if args.freshness or not (args.baseline or args.quick or args.tasks or args.batch_size or args.scaling):
        # Imported only here: the measured child (--child) loads this module too, and its baseline RSS
        # should not carry the freshness scenario's imports (the proxies, the budget code).
        from bench.freshness import run_freshness

        fresh_outcomes, freshness_targets = run_freshness(args, server_url)
        outcomes += fresh_outcomes
    for scenario in scenarios_for(args) if not args.freshness else []:
        try:
            outcomes.append(run_scenario(scenario, args, server_url))
        except (RuntimeError, OSError, psycopg2.Error, requests.RequestException) as exc:
            print(f"   SCENARIO FAILED: {type(exc).__name__}: {exc}")
            crashed.append(scenario.name)
    print_summary(outcomes, freshness_targets, args)
    (OUT / f"results-{stamp}.json").write_text(json.dumps(outcomes, indent=1, default=str))
    failed = [o["scenario"] for o in outcomes if not o["ok"]] + crashed
    print_verdict(not failed, started, failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
