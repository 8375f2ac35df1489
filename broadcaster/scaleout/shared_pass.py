"""The claiming process's side of a shared pass: it starts PASS_WORKERS − 1 local workers, plans
and cuts the pass, works a slot itself, then sums up what every worker did."""

from __future__ import annotations

import logging
import threading

from broadcaster.core.config import Config
from broadcaster.engine.assembly import Heartbeat, plan_pass
from broadcaster.engine.children import SHARD_WORKER, reap, spawn
from broadcaster.engine.freshness import FreshnessTally
from broadcaster.engine.runs import beat_run
from broadcaster.engine.tasks import PostgresTaskSource
from broadcaster.scaleout import shards
from broadcaster.scaleout.worker import ShardWorker
from broadcaster.storage import queries
from broadcaster.storage.db import Database

logger = logging.getLogger(__name__)


def run_shared_pass(config: Config, database: Database, run_id: int, source: PostgresTaskSource, *, fetcher,
                    stop_event: threading.Event, initial_total: int, slots: int, progress_out: dict) -> dict:
    """The pass cut into shards and shared with PASS_WORKERS − 1 local processes and any helpers; its counts."""
    # The workers start first: a Python process takes about a second to be ready, the plan less.
    # No more local workers than slots: a worker without a slot would only start and leave.
    workers = [spawn(config, database, SHARD_WORKER, run_id) for _ in range(min(config.pass_workers, slots) - 1)]
    budget, refresh, pools = plan_pass(config, source, fetcher)
    count = shards.create_shared_pass(database, run_id, slots, source.scope["task_ids"], budget, refresh, pools)
    logger.info("pass %s shared by %s slots in %s shards", run_id, slots, count, extra={"action": "pass_shared"})

    def progress() -> dict:
        figures = shards.progress(database, run_id)
        progress_out.update(total=max(figures["total"], initial_total), done=figures["done"],
                            success_count=figures["success_count"])
        return dict(progress_out)

    finished = False
    try:
        with Heartbeat(lambda: beat_run(database, run_id, progress()), stop_event, f"heartbeat-{run_id}"):
            ShardWorker(config, database, run_id, fetcher=fetcher, stop_event=stop_event).run()
        finished = not stop_event.is_set()
    finally:
        # Done: the other workers find nothing left and leave; stopped or failed: they are told to.
        for worker in workers:
            reap(worker, stop=not finished, grace=shards.STALE_SECONDS)
    figures = shards.progress(database, run_id)
    tally = FreshnessTally()
    for ages in shards.merged_ages(database, run_id):
        tally.absorb(ages)
    for egress_key, pages in shards.pages_used(database, run_id).items():
        database.execute(queries.SET_EGRESS_PAGES, {"egress_key": egress_key, "pages": pages})
    shards.forget_pass(database, run_id)
    return {"total": figures["total"], "done": figures["done"], "success_count": figures["success_count"],
            "freshness": tally.summary(refresh.videos, budget.refresh_limits, config.broadcast_interval_seconds)}
