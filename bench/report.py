"""What the benchmark prints: the header, each scenario's figures, the summary table and the targets.

Targets are printed as PASS/MISS lines and never fail the run; only the verification does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence

from bench.workload import ROOT
from fakes.server import PREFIXES  # the fake's request counters, by URL prefix

# Single-process targets (issue #9, at 100 ms upstream latency, FETCH/WEBHOOK_CONCURRENCY=64, 2 cores):
# requests' CPU cost is accepted, so the wall-time goal of 20 s moved to the scale-out scenarios.
TARGET_TASKS = 10_000
TARGET_WALL_SECONDS = 30.0
TARGET_RSS_MB = 250.0
TARGET_CPU_PER_1K = 2.5
TARGET_FLATNESS = 0.20
# Issue #5 item 7.
TARGET_STATUS_P95_MS = 200.0


def print_header(args) -> None:
    """The machine, the settings every scenario shares, and the code measured."""
    print(f"Stats Broadcaster benchmark — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"fake upstream latency {args.latency * 1000:.0f} ms, FETCH_CONCURRENCY={args.fetch_concurrency}, "
          f"WEBHOOK_CONCURRENCY={args.webhook_concurrency}")
    print(f"code: {code_version()}")


def code_version() -> str:
    """The commit measured, and which of the measured modules differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "stats_broadcaster.py", "video_stats_fetcher.py", "broadcaster",
             "schema.sql", "admin_api.py"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    changed = [name for name in dirty if name.endswith((".py", ".sql"))]
    return head + (f" + uncommitted changes in {', '.join(changed)}" if changed else "")


def per_prefix(values: dict) -> str:
    """Per-host figures such as "yt-api 10  tt 300", in a fixed order, hosts at zero left out."""
    return "  ".join(f"{prefix} {values.get(prefix, 0)}" for prefix in PREFIXES if values.get(prefix))


def print_scenario(o: dict) -> None:
    """One scenario's figures and its verification, under the scenario's heading."""
    v = o["verification"]
    print(f"   wall {o['wall']:.2f} s   {o['tasks_per_second']:.0f} tasks/s   "
          f"CPU {o['cpu']:.2f} s (user {o['cpu_user']:.2f} + sys {o['cpu_sys']:.2f}) = {o['cpu_per_1k']:.2f} s/1k tasks")
    print(f"   thread switches:  {o['voluntary_switches']:,} voluntary, {o['involuntary_switches']:,} involuntary; "
          f"minor page faults {o['minor_faults']:,}")
    print(f"   peak RSS {o['maxrss_mb']:.0f} MB (ru_maxrss; /proc sampled {o['sampled_peak_rss_mb']:.0f} MB; "
          f"{o['rss_before_pass_mb']:.0f} MB before the pass)")
    print(f"   requests:         {per_prefix(o['requests'])}")
    print(f"   peak concurrency: {per_prefix(o['peak_concurrency'])}   "
          f"(TCP connections accepted: {o['connections_accepted']})")
    print(f"   same 2 cores: fake upstream CPU {o['fake_cpu']:.1f} s, PostgreSQL CPU {o['postgres_cpu']:.1f} s; "
          f"PostgreSQL sessions opened in the scenario's database: {v['database'].get('sessions')}")
    print(f"   verified: {v['delivered']}/{o['tasks']} tasks delivered with the right counts in {v['requests']} "
          f"webhooks (max {v['entries_per_request_max']} entries each), {v['duplicates']} duplicates; "
          f"log lines {o['child_log_lines'] or 'none'}")
    for problem in o["problems"]:
        print(f"   VERIFY FAILED: {problem}")


def print_status_load(o: dict) -> None:
    """The --status-load scenario's latencies, its run and its verification."""
    check, pass_seconds = o["verification"], o["pass_seconds"]
    print(f"   status requests: {o['requests']} in {o['duration']:g} s, errors {o['errors']}")
    print(f"   latency all:        p50 {o['p50_ms']:.1f} ms  p95 {o['p95_ms']:.1f} ms  "
          f"p99 {o['p99_ms']:.1f} ms  max {o['max_ms']:.1f} ms")
    print(f"   latency during pass ({o['during_pass_requests']} requests over "
          f"{pass_seconds if pass_seconds is not None else float('nan'):.2f} s): p50 {o['during_pass_p50_ms']:.1f} ms  "
          f"p95 {o['during_pass_p95_ms']:.1f} ms  max {o['during_pass_max_ms']:.1f} ms")
    print(f"   latency outside the pass ({o['outside_pass_requests']} requests): "
          f"p50 {o['outside_pass_p50_ms']:.1f} ms  p95 {o['outside_pass_p95_ms']:.1f} ms")
    print(f"   run: {json.dumps(o['run'], ensure_ascii=False) if o['run'] else None}")
    print(f"   upstream requests: {per_prefix(o['upstream_requests'])};  peak concurrency: "
          f"{per_prefix(o['peak_concurrency'])}")
    print(f"   verified: {check['delivered']}/{o['tasks']} tasks delivered with the right counts, "
          f"{check['duplicates']} duplicates")
    for at, _status, error in o["error_examples"]:
        print(f"   error at {at:.1f} s: {error}")
    for problem in o["problems"]:
        print(f"   VERIFY FAILED: {problem}")


def print_table(outcomes: list[dict]) -> None:
    """One row per scenario run."""
    header = (f"{'scenario':<22}{'tasks':>7}{'batch':>6}{'wall s':>8}{'tasks/s':>9}{'CPU s/1k':>10}"
              f"{'RSS MB':>8}{'x2c req':>9}{'conc tt/dy/api/x2c':>20}{'verified':>10}")
    print("\n" + header)
    print("-" * len(header))
    for o in outcomes:
        peaks = o["peak_concurrency"]
        conc = f"{peaks.get('tt', 0)}/{peaks.get('dy', 0)}/{peaks.get('yt-api', 0)}/{peaks.get('x2c', 0)}"
        print(f"{o['scenario']:<22}{o['tasks']:>7}{o['batch_size']:>6}{o['wall']:>8.2f}{o['tasks_per_second']:>9.0f}"
              f"{o['cpu_per_1k']:>10.2f}{o['maxrss_mb']:>8.0f}{o['requests'].get('x2c', 0):>9}{conc:>20}"
              f"{'ok' if o['ok'] else 'FAILED':>10}")


def target_lines(outcomes: list[dict], args) -> list[str]:
    """The single-process targets (issue #9): wall time, peak RSS, CPU per 1,000 tasks, memory flat in N."""
    lines = []
    passes = [o for o in outcomes if o["impl"] == "pass"]
    standard = args.latency == 0.1 and args.fetch_concurrency == 64 and args.webhook_concurrency == 64
    if not standard:
        lines.append("NOTE  targets are defined at --latency 0.1 with concurrency 64/64; these runs differ")

    def mark(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    for o in passes:
        label = f"{o['tasks']} tasks batch {o['batch_size']}"
        small = o["tasks"] < TARGET_TASKS
        note = " - indicative only: below 10,000 tasks fixed start-up costs weigh more" if small else ""
        if o["tasks"] == TARGET_TASKS:
            lines.append(f"{mark(o['wall'] <= TARGET_WALL_SECONDS)}  wall {o['wall']:.2f} s <= {TARGET_WALL_SECONDS:g} s "
                         f"({label})")
        lines.append(f"{mark(o['maxrss_mb'] <= TARGET_RSS_MB)}  peak RSS {o['maxrss_mb']:.0f} MB <= "
                     f"{TARGET_RSS_MB:g} MB ({label})")
        lines.append(f"{mark(o['cpu_per_1k'] <= TARGET_CPU_PER_1K)}  CPU {o['cpu_per_1k']:.2f} s per 1,000 tasks <= "
                     f"{TARGET_CPU_PER_1K:g} ({label}{note})")
    if passes and not any(o["tasks"] == TARGET_TASKS for o in passes):
        lines.append(f"n/a   wall target is defined at {TARGET_TASKS:,} tasks (run without --quick/--tasks)")
    by_key = {(o["tasks"], o["batch_size"]): o for o in passes}
    for (count, batch), big in sorted(by_key.items()):
        small = by_key.get((count // 2, batch))
        if small and count % 2 == 0:
            growth = big["maxrss_mb"] / small["maxrss_mb"] - 1
            lines.append(f"{mark(growth <= TARGET_FLATNESS)}  memory flat in N: RSS {big['maxrss_mb']:.0f} MB at "
                         f"{count:,} vs {small['maxrss_mb']:.0f} MB at {count // 2:,} tasks (batch {batch}): "
                         f"{growth * 100:+.1f} % (<= +{TARGET_FLATNESS * 100:.0f} %)")
    return lines


def scaling_lines(outcomes: list[dict]) -> list[str]:
    """The 1-against-2-workers table and the scale-out targets (issue #13)."""
    runs = {(o["tasks"], o["batch_size"], o["scenario"].endswith("_w2")): o for o in outcomes
            if o["impl"] == "pass" and "egress" not in o["scenario"]}
    lines = [f"{'tasks':>7}{'batch':>6}{'workers':>8}{'wall s':>8}{'CPU s/1k':>10}{'RSS MB':>8}"
             f"{'requests tt/dy/api/x2c':>24}{'peak in flight tt/dy/api/x2c':>30}"]
    for (tasks, batch, two), o in sorted(runs.items()):
        req, peak = o["requests"], o["peak_concurrency"]
        lines.append(f"{tasks:>7}{batch:>6}{2 if two else 1:>8}{o['wall']:>8.1f}{o['cpu_per_1k']:>10.2f}"
                     f"{o['maxrss_mb']:>8.0f}{'/'.join(str(req.get(k, 0)) for k in ('tt', 'dy', 'yt-api', 'x2c')):>24}"
                     f"{'/'.join(str(peak.get(k, 0)) for k in ('tt', 'dy', 'yt-api', 'x2c')):>30}")
    marks = []
    for (tasks, batch, limit) in ((10_000, 1, 20.0), (100_000, 100, 90.0)):
        o = runs.get((tasks, batch, True))
        if o:
            marks.append(f"{'PASS' if o['wall'] <= limit else 'MISS'}  wall {o['wall']:.1f} s <= {limit:g} s "
                         f"({tasks:,} tasks, batch {batch}, PASS_WORKERS=2)")
    two = [o for (_, _, w), o in runs.items() if w]
    if two:
        rss = max(o["maxrss_mb"] for o in two)
        peak = max(max(o["peak_concurrency"].get(k, 0) for k in ("tt", "dy", "x2c")) for o in two)
        marks.append(f"{'PASS' if rss <= TARGET_RSS_MB else 'MISS'}  peak RSS of each process {rss:.0f} MB <= "
                     f"{TARGET_RSS_MB:g} MB (PASS_WORKERS=2)")
        marks.append(f"{'PASS' if peak <= 64 else 'MISS'}  peak in flight per host {peak} <= 64 over both workers")
    return lines + [""] + marks


def status_target_lines(outcome: dict) -> list[str]:
    """The targets of the status API under load (issue #5 item 7)."""
    ok_p95 = outcome["p95_ms"] < TARGET_STATUS_P95_MS
    return [
        f"{'PASS' if not outcome['errors'] else 'MISS'}  no errors ({outcome['errors']} of {outcome['requests']})",
        f"{'PASS' if ok_p95 else 'MISS'}  status p95 {outcome['p95_ms']:.1f} ms < {TARGET_STATUS_P95_MS:g} ms "
        f"(during the pass: {outcome['during_pass_p95_ms']:.1f} ms)",
    ]


def print_summary(outcomes: list[dict], freshness_targets: list[str], args) -> None:
    """After the scenarios: the table, the baseline comparison and every group of targets that applies."""
    print_table(outcomes)
    print_baseline_comparison(outcomes)
    standard = [o for o in outcomes if "egress" not in o["scenario"] and o["tasks"] <= 20_000
                and not o["scenario"].endswith("_w2")]
    if not args.baseline and standard:
        print_section("Targets (one process):", target_lines(standard, args))
    if freshness_targets:
        print_section("Targets (freshness):", freshness_targets)
    if any(o["scenario"].endswith("_w2") for o in outcomes):
        print_section("Scaling, 1 against 2 workers (issue #13):", scaling_lines(outcomes))


def print_baseline_comparison(outcomes: list[dict]) -> None:
    """The earlier design against this one, when both ran (--baseline)."""
    base = next((o for o in outcomes if o["impl"] == "baseline"), None)
    new = next((o for o in outcomes if o["impl"] == "pass"), None)
    if not (base and new):
        return
    per_task = base["wall"] / base["tasks"]
    print(f"\nbaseline vs this design at {base['tasks']} tasks: wall {base['wall']:.1f} s vs {new['wall']:.2f} s "
          f"= {base['wall'] / new['wall']:.0f}x faster;  CPU {base['cpu_per_1k']:.2f} vs {new['cpu_per_1k']:.2f} "
          f"s/1k tasks;  RSS {base['maxrss_mb']:.0f} vs {new['maxrss_mb']:.0f} MB;  YouTube API calls "
          f"{base['requests'].get('yt-api', 0)} vs {new['requests'].get('yt-api', 0)}")
    print(f"baseline extrapolated: {per_task:.2f} s per task -> {per_task * 10_000 / 3600:.1f} h for 10,000 tasks "
          f"(a pass fits the 180 s interval up to ~{180 / per_task:.0f} tasks)")


def print_section(title: str, lines: list[str]) -> None:
    """A titled block of lines after an empty line."""
    print("\n" + title)
    for line in lines:
        print(line)


def print_verdict(ok: bool, started: float, failed: Sequence[str] = ()) -> None:
    """The last line: whether every delivery checked out (else which scenarios failed, if named), the time taken."""
    verdict = "verification ok" if ok else "VERIFICATION FAILED" + (": " + ", ".join(failed) if failed else "")
    print(f"\n{verdict}; {time.monotonic() - started:.0f} s in all; details in bench/out/")
