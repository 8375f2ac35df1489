"""One pass over several processes and hosts: shards, slots, a killed worker, a helper, a stop."""

from __future__ import annotations

import datetime as dt
import json

from broadcaster.engine.budget import Budget, RefreshPlan
from broadcaster.scaleout.shards import cut_shards, plan_from_json, plan_to_json, shard_count

# --------------------------------------------------------------------------------------------
# In memory: cutting and the stored plan


def test_shards_are_cut_by_task_count_and_keep_each_key_whole():
    """Cuts fall between keys, never inside one, and the ranges cover everything in order."""
    keys = [("a", 5), ("b", 1), ("c", 1), ("d", 5), ("e", 1), ("f", 1), ("g", 5)]

    bounds = cut_shards(keys, 3)

    assert [(None, "d"), ("d", "f"), ("f", None)] == bounds  # 7, 6 and 6 tasks
    assert (3, 8, 10) == (shard_count(3, 2), shard_count(10_000, 2), shard_count(100_000, 2))


def test_the_plan_survives_the_database():
    """Budgets and the refresh choice read back as they were written."""
    budget = Budget(youtube_api=True, refresh_limits={"youtube": 100, "tiktok": None, "douyin": 9},
                    quota_day=dt.date(2026, 12, 1), tikhub={"douyin": 5}, tikhub_first=frozenset({"douyin"}),
                    tikhub_day=dt.date(2026, 12, 2))
    refresh = RefreshPlan({"youtube": frozenset({"a", "b"}), "tiktok": None, "douyin": frozenset()},
                          {"youtube": 2, "tiktok": 7, "douyin": 0})

    assert (budget, refresh) == plan_from_json(json.loads(plan_to_json(budget, refresh)))


# --------------------------------------------------------------------------------------------
# Whole passes over processes (slow: they start processes)


