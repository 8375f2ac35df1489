"""PASS_HELPER processes: each announces itself, is counted when a pass is cut, and finds the
shared passes it may join."""

from __future__ import annotations

from broadcaster.engine.assembly import runner_id
from broadcaster.scaleout.shards import STALE_SECONDS
from broadcaster.storage import queries
from broadcaster.storage.db import Database


def live_helpers(database: Database) -> int:
    """Helper processes (PASS_HELPER) seen in the last few seconds."""
    return database.fetch_one(queries.COUNT_LIVE_HELPERS, {"stale_seconds": STALE_SECONDS})["helpers"]


def announce_helper(database: Database) -> None:
    """Tell claiming processes this helper is there to take shards."""
    database.execute(queries.HELPER_SEEN, {"runner": runner_id()})


def joinable_runs(database: Database) -> list[int]:
    """Running shared passes with open shards and a free slot."""
    return [row["id"] for row in database.fetch_all(queries.FETCH_JOINABLE_RUNS, {"stale_seconds": STALE_SECONDS})]
