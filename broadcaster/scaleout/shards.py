"""A shared pass in the database: its plan, its shards cut by task count, their progress summed,
and everything removed once the pass is over."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping

from broadcaster.engine.budget import Budget, RefreshPlan
from broadcaster.fetching.egress import EgressPool
from broadcaster.storage import queries
from broadcaster.storage.db import Database

STALE_SECONDS = 10  # a shard, slot or helper silent this long is free again (heartbeats every 1 s)
MAX_SHARDS = 256
TASKS_PER_SHARD = 10_000


# --------------------------------------------------------------------------------------------
# The plan, as every worker reads it


def plan_to_json(budget: Budget, refresh: RefreshPlan) -> str:
    """The pass's budgets and refresh choice, for the run row."""
    return json.dumps({
        "budget": {**dataclasses.asdict(budget), "quota_day": budget.quota_day.isoformat(),
                   "tikhub_first": sorted(budget.tikhub_first),
                   "tikhub_day": budget.tikhub_day.isoformat() if budget.tikhub_day else None},
        "refresh": {"chosen": {platform: sorted(ids) if ids is not None else None
                               for platform, ids in refresh.chosen.items()}, "videos": refresh.videos},
    })


def plan_from_json(data: dict) -> tuple[Budget, RefreshPlan]:
    """The pass's budgets and refresh choice, from the run row."""
    raw = data["budget"]
    budget = Budget(
        youtube_api=raw["youtube_api"], refresh_limits=raw["refresh_limits"],
        quota_day=dt.date.fromisoformat(raw["quota_day"]), tikhub=raw["tikhub"],
        tikhub_first=frozenset(raw["tikhub_first"]),
        tikhub_day=dt.date.fromisoformat(raw["tikhub_day"]) if raw["tikhub_day"] else None,
    )
    chosen = {platform: frozenset(ids) if ids is not None else None for platform, ids in data["refresh"]["chosen"].items()}
    return budget, RefreshPlan(chosen, data["refresh"]["videos"])


# --------------------------------------------------------------------------------------------
# Cutting the pass


def shard_count(tasks: int, slots: int) -> int:
    """Enough shards that every slot takes several (a dead worker costs little), few enough to be cheap."""
    return max(1, min(MAX_SHARDS, tasks, max(4 * slots, math.ceil(tasks / TASKS_PER_SHARD))))


def cut_shards(keys: Iterable[tuple[str, int]], count: int) -> list[tuple[str | None, str | None]]:
    """[lo, hi) key ranges of about equal task counts from (key, tasks) in key order."""
    keys = list(keys)
    total = sum(tasks for _, tasks in keys)
    bounds: list[str] = []
    running = 0
    for position, (key, tasks) in enumerate(keys):
        if position and running >= total * (len(bounds) + 1) / count and len(bounds) < count - 1:
            bounds.append(key)
        running += tasks
    edges = [None, *bounds, None]
    return list(zip(edges, edges[1:]))


def create_shared_pass(database: Database, run_id: int, slots: int, task_ids, budget: Budget,
                       refresh: RefreshPlan, pools: Mapping[str, EgressPool]) -> int:
    """Record the plan, the shards, the slots, the egresses' shared budgets and the allowances."""
    keys = [(row["sk"], row["tasks"]) for row in database.fetch_all(queries.SHARD_KEYS, {"task_ids": task_ids})]
    bounds = cut_shards(keys, shard_count(sum(tasks for _, tasks in keys), slots))
    egress_rows = [
        {"run_id": run_id, "egress_key": egress.key, "platform": platform, "position": position,
         "budget": egress.budget, "spacing_s": egress.pacer.spacing}
        for platform, pool in pools.items() for position, egress in enumerate(pool.egresses)
    ]
    states = [row for pool in pools.values() for row in pool.state_rows()]
    database.write_batches([
        (queries.INSERT_SHARDS, queries.SHARD_ROW, [{"run_id": run_id, "shard_no": n, "lo": lo, "hi": hi}
                                            for n, (lo, hi) in enumerate(bounds)]),
        (queries.INSERT_SLOTS, queries.SLOT_ROW, [{"run_id": run_id, "slot_no": n} for n in range(slots)]),
        (queries.INSERT_SHARED_EGRESS, queries.SHARED_EGRESS_ROW, egress_rows),
        (queries.INSERT_ALLOWANCES, queries.ALLOWANCE_ROW, [{"run_id": run_id, "name": f"tikhub:{platform}", "remaining": n}
                                                    for platform, n in budget.tikhub.items()]),
        (queries.UPSERT_EGRESS, queries.EGRESS_ROW, states),
    ])
    # The plan goes last: workers wait for it, then expect the slots, shards and egress rows.
    database.execute(queries.SET_RUN_PLAN, {"run_id": run_id, "plan": plan_to_json(budget, refresh), "slots": slots})
    return len(bounds)


# --------------------------------------------------------------------------------------------
# Summing up and cleaning up


def progress(database: Database, run_id: int) -> dict:
    """The pass's progress summed over its shards."""
    return database.fetch_one(queries.SHARD_PROGRESS, {"run_id": run_id})


def merged_ages(database: Database, run_id: int) -> list[dict]:
    """Each finished shard's count-age tally."""
    return [row["ages"] for row in database.fetch_all(queries.FETCH_SHARD_AGES, {"run_id": run_id}) if row["ages"]]


def pages_used(database: Database, run_id: int) -> dict[str, int]:
    """Pages read through each egress over every process of the pass."""
    return {row["egress_key"]: row["used"] for row in database.fetch_all(queries.SHARED_EGRESS_USED, {"run_id": run_id})}


def forget_pass(database: Database, run_id: int) -> None:
    """Remove a finished pass's shards, slots and shared budgets."""
    for statement in queries.DELETE_PASS_ROWS:
        database.execute(statement, {"run_id": run_id})
