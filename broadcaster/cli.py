"""The command line of `python3 stats_broadcaster.py` (also `python -m broadcaster`): the loop,
`--once [--dry-run]`, `--init-db`, `--plan` and `--hash-password` (docs/command-line.md).

A pass and a shard worker run as children of a supervisor through the hidden `--run-pass RUN_ID`
and `--shard-worker RUN_ID` (`broadcaster.engine.children.spawn`); their side is at the end of this
module.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import signal
import sys
import threading

from broadcaster.alerting.notifier import AlertMonitor
from broadcaster.core.clock import interval_text
from broadcaster.core.config import Config, load_config
from broadcaster.core.errors import ConfigError, StorageError
from broadcaster.core.logs import configure_logging
from broadcaster.core.states import Trigger
from broadcaster.engine import planning
from broadcaster.engine.children import RUN_PASS, SHARD_WORKER
from broadcaster.engine.dry_run import dry_run_pass
from broadcaster.engine.execution import run_claimed_pass
from broadcaster.engine.supervisor import Broadcaster, broadcast_all_tasks
from broadcaster.engine.switch import switch_on
from broadcaster.fetching.fetcher import VideoStatsFetcher
from broadcaster.scaleout.worker import ShardWorker
from broadcaster.storage import migrations
from broadcaster.storage.db import Database, apply_schema, open_database, resolve_database_url

logger = logging.getLogger(__name__)

#: How long `--once` waits for its alert messages after printing the report.
ONCE_ALERT_WAIT_SECONDS = 25.0


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
        switch_on(database)
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
    # Imported here: the pass children start through this module and load nothing of the web stack.
    from werkzeug.security import generate_password_hash

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
    parser.add_argument(RUN_PASS, type=int, metavar="RUN_ID", help=argparse.SUPPRESS)
    parser.add_argument(SHARD_WORKER, type=int, metavar="RUN_ID", help=argparse.SUPPRESS)
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
        return run_pass_child(args.run_pass)
    if args.shard_worker is not None:
        return run_shard_worker_child(args.shard_worker)
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
        result = dry_run_pass(config, database)
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


# --------------------------------------------------------------------------------------------
# The children's side (`broadcaster.engine.children` starts them)


def _child_settings() -> tuple[Config, threading.Event]:
    """A child's settings from stdin, its logging, and a stop event set by SIGTERM/SIGINT."""
    config = Config(**json.loads(sys.stdin.read()))
    configure_logging(config.secrets())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return config, stop


def run_pass_child(run_id: int) -> int:
    """`--run-pass RUN_ID` (internal): run a pass claimed by the parent; settings on stdin."""
    config, stop = _child_settings()
    run_claimed_pass(config, Database(config.database_url), run_id, stop_event=stop)
    return 0


def run_shard_worker_child(run_id: int) -> int:
    """`--shard-worker RUN_ID` (internal): take shards of a shared pass until none is left."""
    config, stop = _child_settings()
    database = Database(config.database_url)
    ShardWorker(config, database, run_id, fetcher=VideoStatsFetcher.from_config(config), stop_event=stop).run()
    return 0
