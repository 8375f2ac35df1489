"""A pass's row in ``broadcaster_runs``: claimed, heartbeating, finished or abandoned; and its result.

Any number of processes may share the database. A pass only runs after claiming a row in
``broadcaster_runs``; a partial unique index allows one running pass among them all, and a
unique slot key lets exactly one process claim each scheduled slot. The running pass
heartbeats its progress every second and sees a requested stop there; a pass whose process
died stops heartbeating and is marked abandoned by whoever looks next.
"""

from __future__ import annotations

import json
import logging

from broadcaster.core.clock import isoformat, utcnow
from broadcaster.core.errors import StorageError
from broadcaster.core.json_schema import BOOLEAN, INTEGER, STRING, TIME, described, nullable, obj, shaped
from broadcaster.core.retry import retry_storage
from broadcaster.core.states import RunStatus
from broadcaster.engine.assembly import runner_id
from broadcaster.storage import queries
from broadcaster.storage.db import Database

logger = logging.getLogger(__name__)

STALE_RUN_SECONDS = 20  # a running pass silent this long is abandoned (heartbeat every 1 s)


# --------------------------------------------------------------------------------------------
# Results


def failed_count(*, total: int, done: int, success_count: int, finished: bool) -> int:
    """How many tasks failed: while a pass runs, those recorded as failed so far; once it has
    ended, every selected task not delivered (docs/http-api.md#the-pass-result), those a stop left unreached too."""
    return (total if finished else done) - success_count


#: The result of a pass (docs/http-api.md#the-pass-result): what POST /api/broadcaster/trigger answers when it finished.
RESULT = obj({
    "success": described(BOOLEAN, "只有这一轮无法执行时才为 false（此时 error 说明原因）"),
    "run_id": nullable(INTEGER),
    "total": described(INTEGER, "选中的任务数"),
    "success_count": described(INTEGER, "回传成功的任务数"),
    "failed_count": described(INTEGER, "其余的任务数"),
    "timestamp": TIME,
    "error": nullable(STRING),
    "interrupted": described({"const": True}, "这一轮被停止"),
}, optional=("error", "interrupted"), title="PassResult")


def make_result(status: str, run_id: int | None, total: int, success_count: int, error: str | None = None,
                finished_at=None) -> dict:
    """The result dict of docs/http-api.md#the-pass-result; `success` is false only when the pass could not run."""
    ending = {}
    if status == RunStatus.FAILED:
        ending["error"] = error
    elif status == RunStatus.INTERRUPTED:
        ending["interrupted"] = True
    return shaped(
        RESULT,
        success=status != RunStatus.FAILED,
        run_id=run_id,
        total=total,
        success_count=success_count,
        failed_count=failed_count(total=total, done=total, success_count=success_count, finished=True),
        timestamp=isoformat(finished_at or utcnow()),
        **ending,
    )


def result_from_run(row: dict) -> dict:
    """The result dict for a finished run row."""
    return make_result(row["status"], row["id"], row["total"], row["success_count"], row.get("error"),
                       row["finished_at"])


# --------------------------------------------------------------------------------------------
# Claim, heartbeat, finish


def abandon_stale_runs(database: Database) -> list[dict]:
    """Mark running passes that stopped heartbeating as abandoned; return their `id` and `trigger`."""
    return database.fetch_all(queries.MARK_ABANDONED_RUNS, {"stale_seconds": STALE_RUN_SECONDS})


def mark_abandoned_runs(database: Database) -> list[int]:
    """Mark running passes that stopped heartbeating as abandoned; return their ids."""
    return [row["id"] for row in abandon_stale_runs(database)]


def claim_run(database: Database, trigger: str, task_ids: list[int] | None = None, *,
              triggered_by: str | None = None) -> int | None:
    """Insert a running pass for `trigger` (over just `task_ids` when given), asked for by the
    user `triggered_by` (None when no one signed in did); None when another (live) pass is running."""
    # A pass whose process died must not block this one, even where no supervisor runs.
    mark_abandoned_runs(database)
    row = database.fetch_one(queries.CLAIM_RUN, {"trigger": trigger, "runner": runner_id(), "task_ids": task_ids,
                                                    "triggered_by": triggered_by})
    return row["id"] if row else None


def claim_scheduled_run(database: Database, interval: int) -> int | None:
    """Claim the due scheduled slot, if the switch is on, it is due and no pass runs."""
    row = database.fetch_one(queries.CLAIM_SCHEDULED_RUN, {"runner": runner_id(), "interval": interval})
    return row["id"] if row else None


def beat_run(database: Database, run_id: int, progress: dict) -> bool:
    """Report a running pass's progress; True when it should stop (an operator stopped it, or it
    was marked abandoned and so taken from us)."""
    params = {"run_id": run_id, **progress, "failed_count": failed_count(**progress, finished=False)}
    row = database.fetch_one(queries.HEARTBEAT_RUN, params)
    return row is None or row["cancel_requested"]


def finish_run(database: Database, run_id: int, status: str, counts: dict, error: str | None,
               *, deadline_s: float) -> None:
    """Record how a run ended, retrying a restarting database for up to `deadline_s`."""
    tallies = {key: counts[key] for key in ("total", "done", "success_count")}
    freshness = counts.get("freshness")
    params = {"run_id": run_id, "status": status, "error": error, **tallies,
              "failed_count": failed_count(**tallies, finished=True),
              "freshness": json.dumps(freshness, ensure_ascii=False) if freshness is not None else None}
    try:
        retry_storage(lambda: database.execute(queries.FINISH_RUN, params), what=f"recording the end of run {run_id}",
                      deadline_s=deadline_s)
    except StorageError as exc:
        logger.error("could not record the end of run %s: %s", run_id, exc)
