"""Throughput benchmark of one pass against the local fake upstream (issue #4; #5 item 7).

    python -m bench.run_bench                  # 10,000 tasks at batch 1 and 100, 20,000 at batch 1
    python -m bench.run_bench --quick          # 1,000 tasks at batch 1 and 100
    python -m bench.run_bench --tasks 5000 --batch-size 1,100 --latency 0.1
    python -m bench.run_bench --baseline       # the earlier design vs this one at 200 tasks (~4 min)
    python -m bench.run_bench --status-load    # 50 clients poll the status API during a 5,000-task pass
    python -m bench.run_bench --freshness      # only the freshness scenario (bench/freshness.py)
    python -m bench.run_bench --scaling        # only 1 vs 2 workers: 10,000 at batch 1, 100,000 at batch 100
    python -m bench.run_bench --suspect-rule   # the suspect-count rule off / on / on / off, 10,000 tasks read before
    python -m bench.run_bench --tasks 5000 --batch-size 1 --alerts   # each pass without, then with ALERT_URLS

Each scenario gets a fresh database on the embedded server under instance/bench-pgdata
(`bench_<scenario>`, e.g. `bench_pass_10000_b1`), seeded with N tasks (50 % YouTube through the API, 30 % TikTok,
20 % Douyin; one distinct video per task, counts known to the fake), and a fresh fake upstream
in its own process (`python -m fakes.upstream --latency L`). The pass itself runs in a child
process (`--child`) through the real code path (stats_broadcaster.broadcast_all_tasks), so its
CPU time (getrusage user+sys around the pass) and peak RSS (ru_maxrss, and /proc sampling) are
its own. Afterwards every delivered webhook is read back from the fake and checked against the
seeded counts; the exit code is 1 when any task is missing or wrong. Speed and memory targets
are printed as PASS/MISS lines and never fail the run.

Output files (logs of the child, the fake and gunicorn; results as JSON) go to bench/out/.

This module is the command line: the flags, which scenarios run, the summary and the exit code.
The rest of the benchmark lives beside it: workload.py (the seeded tasks), database.py (the
embedded server and each scenario's database), processes.py (the fake upstream's process),
measure.py (the measured child), verify.py (the checks), scenario.py (one throughput scenario),
status_load.py (--status-load), report.py (what is printed), freshness.py and baseline.py.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import sys
import time

import psycopg2
import requests

from bench.database import start_database
from bench.measure import child_main
from bench.report import print_header, print_section, print_summary, print_verdict, status_target_lines
from bench.scenario import Scenario, run_scenario
from bench.status_load import run_status_load
from bench.workload import OUT
from fakes.alert_receiver import Receiver


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
    parser.add_argument("--suspect-rule", action="store_true", help="only the cost of the suspect-count rule: "
                        "passes over tasks whose videos were read before, with the rule off and on (ABBA order)")
    parser.add_argument("--alerts", action="store_true", help="with --tasks or --quick: each scenario again with "
                        "ALERT_URLS set (an alert firing, its channel never answering, the alert thread checking "
                        "every second in the pass's own process)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def scenarios_for(args, alert_url: str | None = None) -> list[Scenario]:
    """The throughput scenarios the flags select, in the order they run; with `alert_url`
    (--alerts), each followed by its twin with ALERT_URLS set."""
    chosen = _chosen_scenarios(args)
    if alert_url is None:
        return chosen
    alerts = {"alert_urls": [alert_url], "alert_check_seconds": 1}
    return [twin for scenario in chosen for twin in (
        scenario, dataclasses.replace(scenario, settings={**scenario.settings, **alerts},
                                      label="_".join(filter(None, (scenario.label, "alerts")))))]


def _chosen_scenarios(args) -> list[Scenario]:
    if args.suspect_rule:
        return suspect_rule_scenarios(args.tasks or 10_000)
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


def suspect_rule_scenarios(tasks: int) -> list[Scenario]:
    """Passes where every video has last known counts (so the rule compares each read), with the
    rule off and on, in the order off, on, on, off so that a drifting machine favours neither."""
    def scenario(check: bool) -> Scenario:
        return Scenario(tasks, 1, settings={"suspect_check": check}, prior_counts=True,
                        label="rule_on" if check else "rule_off")

    return [scenario(False), scenario(True), scenario(True), scenario(False)]


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
    if args.freshness or not (args.baseline or args.quick or args.tasks or args.batch_size or args.scaling
                              or args.suspect_rule):
        # Imported only here: the measured child (--child) loads this module too, and the fake proxies
        # the freshness scenario brings along have no place in the memory it measures.
        from bench.freshness import run_freshness

        fresh_outcomes, freshness_targets = run_freshness(args, server_url)
        outcomes += fresh_outcomes
    with contextlib.ExitStack() as stack:
        # --alerts: a notification channel that never answers (each message waits out its 10 s limit).
        alert_url = stack.enter_context(Receiver("hang")).url if args.alerts else None
        for scenario in scenarios_for(args, alert_url) if not args.freshness else []:
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
