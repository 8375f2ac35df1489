"""Child processes: a pass or a shard worker started as `python -m broadcaster --run-pass/--shard-worker
RUN_ID`, its settings handed over on stdin, waited for, and stopped with SIGTERM.

A pass runs a few hundred I/O threads; in its own process they never compete for the GIL with
a gunicorn worker's request threads (the status API stays fast during a pass), and the memory a
large pass touches goes back to the system when the child exits. The child's side of these
commands is in `broadcaster.cli`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from broadcaster.core.config import Config
from broadcaster.core.states import RunStatus
from broadcaster.engine.active import ActivePass
from broadcaster.engine.pipeline import STOP_GRACE_SECONDS
from broadcaster.engine.runs import finish_run, result_from_run
from broadcaster.storage import queries
from broadcaster.storage.db import Database

#: Where `python -m broadcaster` finds the package: a child starts through the package, never a top-level script.
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
RUN_PASS, SHARD_WORKER = "--run-pass", "--shard-worker"


def run_pass_in_subprocess(config: Config, database: Database, run_id: int, *,
                           stop_event: threading.Event | None = None) -> dict:
    """Run a claimed pass in a child process and wait for it; `stop_event` terminates it. The
    pass's result; a child that died without recording its end leaves its run failed."""
    process = _run_child(config, database, RUN_PASS, run_id, stop_event or threading.Event())
    row = database.fetch_one(queries.FETCH_RUN, {"run_id": run_id})
    if row["status"] == RunStatus.RUNNING:
        error = f"执行回传的子进程异常退出（退出码 {process.returncode}）"
        counts = {key: row[key] for key in ("total", "done", "success_count")}
        finish_run(database, run_id, RunStatus.FAILED, counts, error, deadline_s=10.0)
        row = database.fetch_one(queries.FETCH_RUN, {"run_id": run_id})
    return result_from_run(row)


def run_shards_in_subprocess(config: Config, database: Database, run_id: int, *,
                             stop_event: threading.Event) -> int:
    """A helper's share of a shared pass: a shard worker child, stopped with `stop_event`."""
    return _run_child(config, database, SHARD_WORKER, run_id, stop_event).returncode


def spawn(config: Config, database: Database, flag: str, run_id: int) -> subprocess.Popen:
    """Start `python -m broadcaster FLAG RUN_ID` with these settings on its stdin."""
    settings = dataclasses.asdict(config.replace(database_url=database.url))
    process = subprocess.Popen(
        [sys.executable, "-m", "broadcaster", flag, str(run_id)],
        stdin=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=str(PACKAGE_PARENT),
    )
    # Settings, secrets included, go through a pipe: never on the command line or in env.
    process.stdin.write(json.dumps(settings).encode("utf-8"))
    process.stdin.close()
    return process


def reap(process: subprocess.Popen, stop: bool, grace: float | None = None) -> None:
    """Wait for a child (at most `grace` seconds); when stopping, ask it to stop first (SIGTERM).
    A child that outstays its grace is terminated, then killed."""
    if stop and process.poll() is None:
        process.terminate()
    try:
        process.wait(STOP_GRACE_SECONDS + 5 if stop else grace)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run_child(config: Config, database: Database, flag: str, run_id: int,
               stop_event: threading.Event) -> subprocess.Popen:
    """Run `python -m broadcaster FLAG RUN_ID` until it exits; `stop_event` stops it (a pass child
    then records its run as interrupted). The exited process."""
    with ActivePass(stop_event):
        process = spawn(config, database, flag, run_id)
        while process.poll() is None:
            if stop_event.wait(0.2):
                reap(process, stop=True)
    return process
