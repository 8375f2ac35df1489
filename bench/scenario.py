"""One throughput scenario: a fresh database and fake upstream, the measured pass, its verification.

Every scenario seeds its own database and starts its own fake upstream, so that no two scenarios
share state; the pass runs in a child process (bench/measure.py) so its figures are its own.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from bench.database import database_facts, discard_database, fresh_database, postgres_cpu, seed, seed_prior_counts
from bench.measure import pass_spec, run_child
from bench.processes import FakeProcess
from bench.report import print_scenario
from bench.verify import verify_database, verify_deliveries
from bench.workload import OUT, RECEIVER, Task, make_tasks


@dataclasses.dataclass
class Scenario:
    """One measured pass: how many tasks, the webhook batch size, which design, and what it changes."""

    tasks: int
    batch_size: int
    impl: str = "pass"  # or "baseline"
    settings: dict = dataclasses.field(default_factory=dict)  # overrides of bench_config
    prior_counts: bool = False  # every video already read once (hours ago), as in a running service
    label: str = ""

    @property
    def name(self) -> str:
        suffix = f"_{self.label}" if self.label else ""
        return f"{'baseline' if self.impl == 'baseline' else 'pass'}_{self.tasks}_b{self.batch_size}{suffix}"


def run_scenario(scenario: Scenario, args, server_url: str) -> dict:
    """Run and verify one scenario; its outcome, printed as it ends."""
    name = scenario.name
    print(f"\n== {name}: {scenario.tasks} tasks, batch {scenario.batch_size}, latency {args.latency * 1000:.0f} ms",
          flush=True)
    tasks = make_tasks(scenario.tasks)
    fake = FakeProcess(args.latency, OUT / f"{name}.fake.log")
    db_name = f"bench_{name}"
    try:
        url = fresh_database(server_url, db_name)
        _seed_scenario(scenario, url, tasks, fake)
        child, fake_cpu, pg_cpu = _measure_pass(scenario, args, url, fake)
        stats = fake.get("/stats")
        records = fake.received()
        if os.environ.get("BENCH_VERBOSE") and records:
            _print_webhooks_per_second(records)
        check = verify_deliveries(tasks, records)
        facts = database_facts(url)
        problems = _problems(scenario, check, facts, child["result"], stats)
        warnings = _count_log_lines(OUT / f"{name}.child.log")
    finally:
        fake.stop()
        discard_database(server_url, db_name, keep=args.keep_db)
    outcome = {
        "scenario": name, "impl": scenario.impl, "tasks": scenario.tasks, "batch_size": scenario.batch_size,
        "latency": args.latency, "fetch_concurrency": args.fetch_concurrency,
        "webhook_concurrency": args.webhook_concurrency,
        **_pass_figures(child, scenario.tasks),
        "fake_cpu": fake_cpu, "postgres_cpu": pg_cpu,
        "requests": stats["request_counts"], "peak_concurrency": stats["peak_concurrency"],
        "connections_accepted": stats["connections_accepted"],
        "verification": {**check, "database": facts}, "problems": problems, "ok": not problems,
        "child_log_lines": warnings, "result": child["result"],
    }
    print_scenario(outcome)
    return outcome


def _seed_scenario(scenario: Scenario, url: str, tasks: list[Task], fake: FakeProcess) -> None:
    """The tasks into the database (with prior counts if the scenario wants them) and their videos into the fake."""
    seed(url, tasks, fake.callback_url(RECEIVER))
    if scenario.prior_counts:
        seed_prior_counts(url, tasks)
    fake.load(tasks)


def _measure_pass(scenario: Scenario, args, url: str, fake: FakeProcess) -> tuple[dict, float, float]:
    """The child's measurements, and the CPU seconds the fake and PostgreSQL spent meanwhile."""
    spec = pass_spec(url, fake, args, scenario.batch_size, scenario.settings, impl=scenario.impl)
    fake_cpu, pg_cpu = fake.cpu(), postgres_cpu()
    if scenario.impl == "baseline":
        print(f"   running the baseline (about {scenario.tasks * 1.25:.0f} s) ...", flush=True)
    child = run_child(spec, OUT / f"{scenario.name}.child.log")
    return child, fake.cpu() - fake_cpu, postgres_cpu() - pg_cpu


def _print_webhooks_per_second(records: list[dict]) -> None:
    """How the deliveries spread over the pass (BENCH_VERBOSE)."""
    start = min(r["at"] for r in records)
    per_second: dict[int, int] = {}
    for r in records:
        per_second[int(r["at"] - start)] = per_second.get(int(r["at"] - start), 0) + 1
    print("   webhooks per second:", [per_second.get(s, 0) for s in range(max(per_second) + 1)])


def _problems(scenario: Scenario, check: dict, facts: dict, result: dict, stats: dict) -> list[str]:
    """Everything wrong with the scenario: deliveries, database (for this design), the pass's result, the fake."""
    problems = list(check["problems"])
    if scenario.impl == "pass":
        problems += verify_database(facts, scenario.tasks)
    if not (result.get("success") and result["total"] == scenario.tasks
            and result["success_count"] == scenario.tasks and result["failed_count"] == 0):
        problems.append(f"pass result: {result}")
    if stats.get("errors"):
        problems.append(f"the fake upstream noted {stats['errors']} internal errors (see {scenario.name}.fake.log)")
    return problems


def _pass_figures(child: dict, tasks: int) -> dict:
    """The child's measurements in the outcome's units: seconds, per 1,000 tasks, MB."""
    cpu = child["cpu_user"] + child["cpu_sys"]
    return {
        "wall": child["wall"], "tasks_per_second": tasks / child["wall"],
        "cpu": cpu, "cpu_user": child["cpu_user"], "cpu_sys": child["cpu_sys"],
        "cpu_per_1k": cpu * 1000 / tasks,
        "voluntary_switches": child["voluntary_switches"], "involuntary_switches": child["involuntary_switches"],
        "minor_faults": child["minor_faults"],
        "maxrss_mb": max(child["maxrss_bytes"], child["worker_maxrss_bytes"]) / 2**20,
        "sampled_peak_rss_mb": child["sampled_peak_rss_bytes"] / 2**20,
        "rss_before_pass_mb": child["rss_before_pass_bytes"] / 2**20,
        "rss_timeline_mb": [(t, round(v / 2**20, 1)) for t, v in child["rss_timeline"]],
    }


def _count_log_lines(path: Path) -> dict:
    """How many WARNING, ERROR and CRITICAL lines the child logged."""
    counts: dict[str, int] = {}
    try:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            for level in ("WARNING", "ERROR", "CRITICAL"):
                if f" {level} " in line:
                    counts[level] = counts.get(level, 0) + 1
    except OSError:
        pass
    return counts
