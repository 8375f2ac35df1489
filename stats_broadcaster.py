"""The Stats Broadcaster: the loop that runs a pass every interval, and the command line.

While the switch is on, every 3 minutes a pass reads every active task, refreshes the stalest
videos within per-platform budgets, builds one stats entry per task and POSTs it as a signed
webhook (the pass itself: `broadcaster.engine.pipeline`). Every process (each gunicorn worker, this
command) runs one `Broadcaster`: a daemon thread that claims due slots in the database, so
any number of processes may share one database and at most one pass runs at a time
(`broadcaster.engine.lifecycle`).

    python3 stats_broadcaster.py                   switch on and run the loop until SIGINT/SIGTERM
    python3 stats_broadcaster.py --once            one pass now, report on stdout
    python3 stats_broadcaster.py --once --dry-run  print each payload, send and write nothing
    python3 stats_broadcaster.py --init-db         apply the schema
    python3 stats_broadcaster.py --plan            how fresh the counts can be at the current settings
    python3 stats_broadcaster.py --hash-password   read a password (prompt or stdin), print its hash
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator

from werkzeug.security import generate_password_hash

from broadcaster.alerting.notifier import AlertMonitor, HealthcheckPinger
from broadcaster.core.clock import interval_text
from broadcaster.core.config import Config, load_config
from broadcaster.core.errors import ConfigError, StorageError
from broadcaster.core.logs import configure_logging
from broadcaster.core.states import RunStatus, Trigger
from broadcaster.engine import lifecycle, planning, shards
from broadcaster.reports import hosts, projects, tasklist
from broadcaster.storage import migrations, retention
from broadcaster.storage.db import Database, apply_schema, open_database, resolve_database_url

logger = logging.getLogger(__name__)

SUPERVISOR_POLL_SECONDS = 1.0
PRUNE_EVERY_SECONDS = 600
#: How often a supervisor asks whether the projects' figures are due a refresh (broadcaster.reports.projects).
INSIGHT_CHECK_SECONDS = 30
#: How long `--once` waits for its alert messages after printing the report.
ONCE_ALERT_WAIT_SECONDS = 25.0


def broadcast_all_tasks(
    config: Config | None = None,
    database: Database | None = None,
    *,
    trigger: str = Trigger.SCHEDULE,
    run_id: int | None = None,
    stop_event: threading.Event | None = None,
    fetcher=None,
) -> dict:
    """Run one pass over every active task; the result dict of DESIGN.md §4.6."""
    config = config or load_config()
    try:
        database = database or Database(resolve_database_url(config))
        if run_id is None:
            run_id = lifecycle.claim_run(database, trigger)
            if run_id is None:
                return lifecycle.make_result(RunStatus.FAILED, None, 0, 0, "已有一次回传正在进行中")
    except StorageError as exc:
        return lifecycle.make_result(RunStatus.FAILED, None, 0, 0, str(exc))
    return lifecycle.run_claimed_pass(config, database, run_id, stop_event=stop_event, fetcher=fetcher)


class Broadcaster:
    """The per-process supervisor: a daemon thread that claims due slots and runs them.

    Every process (each gunicorn worker, the shell command) runs one. They never coordinate
    directly: the database decides which process runs a slot.
    """

    def __init__(self, config: Config, database: Database, *, poll_seconds: float = SUPERVISOR_POLL_SECONDS,
                 fetcher=None, schema_ready: bool = False):
        """Passes run in a child process, unless a `fetcher` is injected (tests): then in this one.
        `schema_ready` says the caller has applied the schema already (else the first tick does)."""
        self.config = config
        self.database = database
        self.poll_seconds = poll_seconds
        self.fetcher = fetcher
        self._stop = threading.Event()
        self._pass_stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        # None, not 0.0: monotonic() counts from boot, so on a machine up less than
        # PRUNE_EVERY_SECONDS a 0.0 start would skip the first prune.
        self._last_prune: float | None = None
        self._last_insight_check: float | None = None
        self._schema_ready = schema_ready
        self.alerts = AlertMonitor(config, database)
        self.pinger = HealthcheckPinger(config.healthcheck_url)
        self._monitor_alerts = False  # set by start(): a bare run_once() (tests) starts no thread

    @property
    def is_alive(self) -> bool:
        """True while the supervisor thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the supervisor thread (idempotent)."""
        if self.is_alive:
            return
        self._stop.clear()
        self._monitor_alerts = True
        self._thread = threading.Thread(target=self._run, name="stats-broadcaster", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and interrupt its pass; idempotent."""
        self._stop.set()
        if self._pass_stop is not None:
            self._pass_stop.set()
        self.alerts.stop(timeout=1.0)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        failures = 0
        wait = 0.0
        while not self._stop.wait(wait):
            try:
                self.run_once()
                failures, wait = 0, self.poll_seconds
            except Exception as exc:  # one bad tick (e.g. the database restarting) never kills the loop
                failures += 1
                wait = min(30.0, self.poll_seconds * 2 ** min(failures, 5))
                logger.warning("broadcaster tick failed (retry in %.0f s): %s", wait, exc,
                               exc_info=True, extra={"action": "tick_failed"})

    def run_once(self) -> dict | None:
        """One supervisor tick: clean up dead runs, then run the due slot if this process wins it
        (a helper instead joins a shared pass in progress)."""
        if not self._schema_ready:
            # The app may have started while the database was down, or a migration waited for a lock.
            apply_schema(self.database, stop_event=self._stop)
            self._schema_ready = True
        if self._monitor_alerts and not self._stop.is_set():
            self.alerts.start()  # idempotent; after the schema, whose tables it reads
        if self.config.pass_helper:
            self._help()
            return None
        for run in lifecycle.abandon_stale_runs(self.database):
            logger.warning("run %s abandoned: its process stopped heartbeating", run["id"])
            if run["trigger"] == Trigger.SCHEDULE:
                self.pinger.finished(RunStatus.ABANDONED)
            self.alerts.poke()
        if self._last_prune is None or time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = time.monotonic()
            retention.upkeep(self.database, self.config)  # days ahead, aged-out days dropped, history thinned
            hosts.roll_up_closed_hours(self.database)  # GET /api/callback-hosts then reads whole hours
            # Links the bot wrote since: parsed here, off the request path, so the task list's
            # own fill before each read (broadcaster.reports.tasklist) rarely finds any left.
            tasklist.fill_link_platforms(self.database)
        if self._last_insight_check is None or time.monotonic() - self._last_insight_check > INSIGHT_CHECK_SECONDS:
            self._last_insight_check = time.monotonic()
            self._refresh_projects(projects.REFRESH_SECONDS)
        run_id = lifecycle.claim_scheduled_run(self.database, self.config.broadcast_interval_seconds)
        if run_id is None:
            return None
        self.pinger.started()
        result = None
        try:
            with self._pass_stop_event() as stop_event:
                if self.fetcher is not None:
                    result = lifecycle.run_claimed_pass(
                        self.config, self.database, run_id, stop_event=stop_event, fetcher=self.fetcher
                    )
                else:
                    result = lifecycle.run_pass_in_subprocess(self.config, self.database, run_id,
                                                              stop_event=stop_event)
            return result
        finally:
            self.pinger.finished(result_status(result))
            self._refresh_projects(0.0)  # the pass changed counts: the project figures follow at once
            self.alerts.poke()

    def _refresh_projects(self, max_age_s: float) -> None:
        """Refresh the projects' figures when the last refresh is `max_age_s` old; a failure waits
        for the next chance (it never costs the tick or the pass)."""
        try:
            projects.refresh(self.database, self.config, max_age_s=max_age_s)
        except StorageError as exc:
            logger.warning("project insight not refreshed: %s", exc, extra={"action": "projects_refresh_failed"})

    def _help(self) -> None:
        """PASS_HELPER: announce this process, and take shards of the first joinable shared pass
        in a child process."""
        shards.announce_helper(self.database)
        runs = shards.joinable_runs(self.database)
        if not runs:
            return
        with self._pass_stop_event() as stop_event:
            lifecycle.run_shards_in_subprocess(self.config, self.database, runs[0], stop_event=stop_event)

    @contextlib.contextmanager
    def _pass_stop_event(self) -> Iterator[threading.Event]:
        """The stop event of the pass about to run here: set by stop(), or by the pass's own
        heartbeat when the run is cancelled (which must not stop the supervisor itself)."""
        self._pass_stop = threading.Event()
        if self._stop.is_set():
            self._pass_stop.set()
        try:
            yield self._pass_stop
        finally:
            self._pass_stop = None


def result_status(result: dict | None) -> str:
    """How a pass ended, from its result (None: it raised)."""
    if result is None or not result.get("success"):
        return RunStatus.FAILED
    return RunStatus.INTERRUPTED if result.get("interrupted") else RunStatus.SUCCEEDED


# --------------------------------------------------------------------------------------------
# Command line


def format_report(result: dict) -> str:
    """The seed's report lines."""
    lines = []
    if not result.get("success"):
        lines.append(f"回传未能执行: {result.get('error')}")
    lines += [
        f"总任务数: {result['total']}",
        f"成功: {result['success_count']}",
        f"失败: {result['failed_count']}",
        f"时间: {result['timestamp']}",
    ]
    return "\n".join(lines)


def print_database_retry(error: StorageError, wait: float) -> None:
    """Tell the operator the database is not there yet."""
    print(f"数据库不可用: {error}；{wait:.0f} 秒后重试", file=sys.stderr, flush=True)


def run_loop(config: Config) -> int:
    """Switch on and run the supervisor in this process until SIGINT/SIGTERM (a helper, with
    PASS_HELPER, leaves the switch alone: it only takes shards of shared passes)."""
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        logger.info("signal %s received: stopping", signum)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        database = open_database(config, stop_event=stop, on_retry=print_database_retry)
    except StorageError:
        return 0  # stopped while waiting for the database
    if not config.pass_helper:
        lifecycle.switch_on(database)
    broadcaster = Broadcaster(config, database, schema_ready=True)  # open_database applied it
    broadcaster.start()
    if config.pass_helper:
        print("协助进程已启动：只分担其他进程发起的回传（Ctrl+C 停止）", flush=True)
    else:
        print(f"分发数据回传服务已启动，每{interval_text(config.broadcast_interval_seconds)}自动回传一次（Ctrl+C 停止）",
              flush=True)
    stop.wait()
    broadcaster.stop(timeout=8.0)
    print("协助进程已停止" if config.pass_helper else "分发数据回传服务已停止", flush=True)
    return 0


def print_password_hash() -> int:
    """`--hash-password`: a password from a prompt (asked twice) or one line of stdin, never argv
    (argv is visible to every user in `ps` and kept in shell history), printed as a werkzeug hash."""
    if sys.stdin.isatty():
        password = getpass.getpass("密码: ")
        if getpass.getpass("再输入一次: ") != password:
            print("错误: 两次输入的密码不一致", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print("错误: 密码不能为空", file=sys.stderr)
        return 2
    print(generate_password_hash(password))
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace | int:
    """The parsed command line, or an exit code when it is bad (or asked for help)."""
    parser = argparse.ArgumentParser(prog="stats_broadcaster.py", description="分发数据回传服务")
    parser.add_argument("--once", action="store_true", help="run one pass now and print the report")
    parser.add_argument("--dry-run", action="store_true", help="with --once: fetch and print payloads, send nothing")
    parser.add_argument("--init-db", action="store_true", help="apply the schema and exit")
    parser.add_argument("--plan", action="store_true", help="print how fresh the counts can be at the current settings")
    parser.add_argument("--hash-password", action="store_true",
                        help="read a password from a prompt or stdin and print its hash for ADMIN_USERS")
    parser.add_argument("--run-pass", type=int, metavar="RUN_ID", help=argparse.SUPPRESS)
    parser.add_argument("--shard-worker", type=int, metavar="RUN_ID", help=argparse.SUPPRESS)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    if args.dry_run and not args.once:
        print("错误: --dry-run 只能与 --once 一起使用", file=sys.stderr)
        return 2
    if sum((args.once, args.init_db, args.plan, args.hash_password)) > 1:
        print("错误: --once、--init-db、--plan 和 --hash-password 只能选一个", file=sys.stderr)
        return 2
    return args


def main(argv: list[str] | None = None) -> int:
    """`python3 stats_broadcaster.py [--once [--dry-run] | --init-db]`."""
    args = parse_args(argv)
    if isinstance(args, int):
        return args
    if args.run_pass is not None:
        return lifecycle.run_pass_child(args.run_pass)
    if args.shard_worker is not None:
        return lifecycle.run_shard_worker_child(args.shard_worker)
    if args.hash_password:
        return print_password_hash()
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"配置错误: {exc}", file=sys.stderr)
        return 2
    one_shot = args.once or args.init_db or args.plan
    configure_logging(config.secrets(), logging.WARNING if one_shot else logging.INFO)
    if not one_shot:
        return run_loop(config)
    if args.init_db:
        return init_db(config)
    try:
        database = open_database(config, say=print_migration_progress)
    except StorageError as exc:
        print(f"数据库不可用: {exc}", file=sys.stderr)
        return 1
    if args.plan:
        print(planning.plan_report(config, planning.load_facts(database)))
        return 0
    if args.dry_run:
        result = lifecycle.dry_run_pass(config, database)
        print(format_report(result), file=sys.stderr)
        return 0
    result = broadcast_all_tasks(config, database, trigger=Trigger.CLI)
    print(format_report(result), flush=True)
    send_alerts_once(config, database)
    return 0 if result["success"] else 1


def init_db(config: Config) -> int:
    """`--init-db`: apply the pending migrations, saying what each did and waited for."""
    try:
        database = Database(resolve_database_url(config))
        applied = apply_schema(database, say=lambda line: print(line, flush=True))
        version = max(migrations.applied_versions(database))
    except StorageError as exc:
        print(f"数据库不可用: {exc}", file=sys.stderr)
        return 1
    if applied:
        print(f"数据库结构已就绪（版本 {version}，本次应用 {len(applied)} 个迁移）")
    else:
        print(f"数据库结构已是最新（版本 {version}），无需改动")
    return 0


def print_migration_progress(line: str) -> None:
    """What a migration applied at start does or waits for (the other commands)."""
    print(line, file=sys.stderr, flush=True)


def send_alerts_once(config: Config, database: Database) -> None:
    """After `--once` has printed its report: evaluate the alerts and let their messages go out
    (each channel has a time limit, so this ends)."""
    monitor = AlertMonitor(config, database)
    try:
        monitor.check()
    except StorageError as exc:
        logger.warning("alert check failed: %s", exc)
        return
    monitor.deliveries.wait(ONCE_ALERT_WAIT_SECONDS)


if __name__ == "__main__":
    sys.exit(main())
