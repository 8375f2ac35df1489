"""The measured pass: a child process (`python -m bench.run_bench --child`) that runs one pass and reports.

The parent writes the pass's spec as JSON to the child's stdin; the child runs the pass (the real
stats_broadcaster.broadcast_all_tasks, or bench/baseline.py) and prints one JSON line with its
wall time, CPU time (getrusage around the pass, its own workers included) and peak RSS, so that
none of the benchmark's own work is counted.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.processes import die_with_parent
from bench.workload import OUT, ROOT, SITE_NAME, YOUTUBE_KEY
from broadcaster.core.logs import configure_logging


def bench_config(spec: dict):
    """The broadcaster's settings for a benchmark pass (never read from the environment or .env)."""
    from broadcaster.core.config import Config

    fake = spec["fake"]
    config = Config(
        database_url=spec["database_url"],
        site_name=SITE_NAME,
        fetch_concurrency=spec["fetch_concurrency"],
        webhook_concurrency=spec["webhook_concurrency"],
        webhook_batch_size=spec["batch_size"],
        webhook_allow_private_networks=True,
        youtube_api_key=YOUTUBE_KEY,
        youtube_daily_quota=10_000_000,
        youtube_pages_per_minute=0,
        tiktok_pages_per_minute=0,
        douyin_pages_per_minute=0,
        youtube_api_url=fake["youtube_api_url"],
        youtube_web_url=fake["youtube_web_url"],
        tiktok_web_url=fake["tiktok_web_url"],
        douyin_web_url=fake["douyin_web_url"],
        tikhub_api_url=fake["tikhub_api_url"],
        instance_path=str(OUT / "instance"),
    )
    return config.replace(**spec.get("settings", {}))


class RssSampler:
    """Samples this process's RSS from /proc every `interval` seconds; keeps the peak."""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def rss(self) -> int:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * self._page

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(self.interval):
            value = self.rss()
            self.peak = max(self.peak, value)
            self.samples.append((round(time.monotonic() - started, 2), value))

    def __enter__(self) -> RssSampler:
        self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())


def child_main() -> int:
    """Run one pass (or the baseline) as the spec on stdin says; print the measurements as JSON."""
    spec = json.loads(sys.stdin.read())
    sys.path.insert(0, str(ROOT))
    import logging

    import stats_broadcaster as sb
    from broadcaster.storage import db

    config = bench_config(spec)
    configure_logging(config.secrets(), logging.INFO if os.environ.get("BENCH_VERBOSE") else logging.WARNING)
    database = db.Database(spec["database_url"]) if spec["impl"] == "pass" else None
    monitor = start_alert_monitor(config, database) if config.alert_urls and database is not None else None
    rss_before = RssSampler().rss()
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    workers_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with RssSampler(0.1 if spec["impl"] == "pass" else 1.0) as sampler:
        if spec["impl"] == "pass":
            result = sb.broadcast_all_tasks(config, database, trigger="cli")
        else:
            from bench import baseline

            result = baseline.run_pass({**spec["fake"], "database_url": spec["database_url"], "site_name": SITE_NAME,
                                        "youtube_api_key": YOUTUBE_KEY}, sleep_seconds=spec["baseline_sleep"])
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # With PASS_WORKERS > 1 the pass's other processes are this one's children, reaped by now.
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    if monitor is not None:
        monitor.stop()
    if database is not None:
        database.close()
    print(json.dumps({
        "result": result,
        "wall": wall,
        "cpu_user": usage.ru_utime - usage_before.ru_utime + workers.ru_utime - workers_before.ru_utime,
        "cpu_sys": usage.ru_stime - usage_before.ru_stime + workers.ru_stime - workers_before.ru_stime,
        "worker_maxrss_bytes": workers.ru_maxrss * 1024,
        "voluntary_switches": usage.ru_nvcsw - usage_before.ru_nvcsw,
        "involuntary_switches": usage.ru_nivcsw - usage_before.ru_nivcsw,
        "minor_faults": usage.ru_minflt - usage_before.ru_minflt,
        "cpu_process_total": usage.ru_utime + usage.ru_stime,
        "maxrss_bytes": usage.ru_maxrss * 1024,
        "sampled_peak_rss_bytes": sampler.peak,
        "rss_before_pass_bytes": rss_before,
        "threads_at_end": threading.active_count(),
        "rss_timeline": sampler.samples[:: max(1, len(sampler.samples) // 40)],
    }, default=str), flush=True)
    return 0


def start_alert_monitor(config, database):
    """--alerts: a failed scheduled pass on record (so pass_failed fires and its message goes to a
    channel that never answers) and the alert thread checking every second in this process during
    the pass; in the service the pass runs in a child process, so this is the harsher case."""
    from broadcaster.alerting.notifier import AlertMonitor
    from broadcaster.engine.switch import switch_on

    switch_on(database)
    database.execute("INSERT INTO broadcaster_runs (trigger, status, finished_at, error) "
                     "VALUES ('schedule', 'failed', NOW(), 'bench: a failed pass on record')")
    monitor = AlertMonitor(config, database)
    monitor.start()
    return monitor


def pass_spec(url: str, fake, args, batch_size: int = 1, settings: dict | None = None, *, impl: str = "pass") -> dict:
    """What the child needs to run one pass over database `url` against the fake upstream `fake`
    (a bench.processes.FakeProcess) with the concurrency flags of `args`."""
    return {
        "impl": impl, "database_url": url, "fake": fake.info, "batch_size": batch_size,
        "fetch_concurrency": args.fetch_concurrency, "webhook_concurrency": args.webhook_concurrency,
        "baseline_sleep": 1.0, "settings": settings or {},
    }


def run_child(spec: dict, log_path: Path) -> dict:
    """Run the measured child; return its JSON."""
    with open(log_path, "wb") as log:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.run_bench", "--child"], cwd=ROOT, input=json.dumps(spec).encode(),
            stdout=subprocess.PIPE, stderr=log, check=False, preexec_fn=die_with_parent,
        )
    lines = completed.stdout.decode().strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"the measured pass exited with {completed.returncode}; see {log_path}")
    return json.loads(lines[-1])
