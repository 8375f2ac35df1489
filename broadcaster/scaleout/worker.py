"""A worker of a shared pass: it takes a slot, then shard after shard through one pipeline, and
heartbeats the shards it holds; a shard ends in the transaction of its last rows."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable

from broadcaster.core.config import Config
from broadcaster.core.states import RunStatus
from broadcaster.engine.assembly import Heartbeat, make_sender, runner_id
from broadcaster.engine.freshness import FreshnessTally
from broadcaster.engine.pipeline import BroadcastPass
from broadcaster.engine.recorder import Outcome, Recorder, RowBatch, database_writer
from broadcaster.engine.tasks import PostgresTaskSource
from broadcaster.fetching.egress import build_pools
from broadcaster.scaleout.limits import SharedAllowance, SharedEgressPool
from broadcaster.scaleout.shards import STALE_SECONDS, plan_from_json
from broadcaster.storage import queries
from broadcaster.storage.db import Database

logger = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 0.5
# Shards a worker holds unfinished at once: the one draining and the one being read. More would
# let a fast reader take every shard before slower-starting workers get any.
MAX_HELD = 3
PLAN_WAIT_SECONDS = 60.0  # a worker started with the pass waits this long for its plan


class ShardRecorder(Recorder):
    """The recorder of a worker's pass: it records each outcome, then has it counted for its shard."""

    def __init__(self, write: Callable[[RowBatch], None], run_id: int, *, site_name: str,
                 counted: Callable[[Outcome], None]):
        super().__init__(write, run_id, site_name=site_name)
        self.counted = counted

    def add_outcome(self, outcome: Outcome) -> None:
        """Record the outcome, then count it for its shard."""
        super().add_outcome(outcome)
        self.counted(outcome)


@dataclasses.dataclass
class _Held:
    """A shard this worker took, and how far it has got."""

    shard_no: int
    attempts: int
    total: int = 0  # tasks read from it so far
    dispatched: bool = False  # every task of it has been read
    done: int = 0
    success_count: int = 0
    finished: bool = False
    tally: FreshnessTally = dataclasses.field(default_factory=FreshnessTally)


class ShardWorker:
    """Takes a slot of a shared pass, then shards, one after another through one pipeline, so the
    work never drains between shards; a shard is finished in the transaction of its last rows."""

    def __init__(self, config: Config, database: Database, run_id: int, *, fetcher, stop_event: threading.Event):
        self.config = config
        self.database = database
        self.run_id = run_id
        self.fetcher = fetcher
        self.stop_event = stop_event
        self.runner = runner_id()
        self._held: dict[int, _Held] = {}
        self._lock = threading.Lock()
        self._finished_one = threading.Condition(self._lock)
        self._recorder: ShardRecorder | None = None
        self._pass: BroadcastPass | None = None

    def run(self) -> None:
        """Work until no open shard is left to others or the pass stops."""
        row = self._planned_run()
        if row is None:
            return
        if self.database.fetch_one(queries.CLAIM_SLOT, {"run_id": self.run_id, "runner": self.runner,
                                                    "stale_seconds": STALE_SECONDS}) is None:
            logger.info("run %s has no free slot; not joining", self.run_id)
            return
        budget, refresh = plan_from_json(row["plan"])
        config = share_of(self.config, row["slots"])
        stored = PostgresTaskSource(self.database).egress_states()
        pools = {platform: SharedEgressPool(platform, pool.egresses, self.database, self.run_id)
                 for platform, pool in build_pools(config, stored, self.fetcher.through).items()}
        self._recorder = ShardRecorder(database_writer(self.database), self.run_id, site_name=config.site_name,
                                       counted=self._counted)
        sender = make_sender(config, self.stop_event)
        the_pass = self._pass = BroadcastPass(
            config, run_id=self.run_id, rows=self._rows(row["task_ids"]), budget=budget, refresh=refresh,
            fetcher=self.fetcher, egress=pools, sender=sender, recorder=self._recorder,
            stop_event=self.stop_event, tikhub_allowance=SharedAllowance(self.database, self.run_id))
        try:
            with Heartbeat(self._beat, self.stop_event, f"heartbeat-{self.run_id}-{self.runner}"):
                the_pass.execute()
        finally:
            sender.close()

    def _planned_run(self) -> dict | None:
        """The run once its plan is stored (a worker may start before it is); None when it ended."""
        deadline = time.monotonic() + PLAN_WAIT_SECONDS
        while not self.stop_event.is_set():
            row = self.database.fetch_one(queries.FETCH_RUN_PLAN, {"run_id": self.run_id})
            if row is None or row["status"] != RunStatus.RUNNING:
                return None
            if row["plan"] is not None:
                return row
            if time.monotonic() > deadline:
                return None
            self.stop_event.wait(0.1)
        return None

    def _rows(self, task_ids):
        """Rows of one shard after another, claimed as the previous one is read."""
        while not self.stop_event.is_set():
            if self._unfinished() >= MAX_HELD:
                self._pass.flush_pending()  # so that a held shard can finish
                with self._finished_one:
                    self._finished_one.wait(0.2)
                continue
            claimed = self.database.fetch_one(queries.CLAIM_SHARD, {"run_id": self.run_id, "runner": self.runner,
                                                                "stale_seconds": STALE_SECONDS})
            if claimed is None:
                if self._nothing_left():
                    return
                # Our own shards must be able to finish while we wait for the others'.
                self._pass.flush_pending()
                self.stop_event.wait(IDLE_POLL_SECONDS)
                continue
            held = self._take(claimed)
            logger.info("run %s: shard %s taken by %s", self.run_id, held.shard_no, self.runner)
            source = PostgresTaskSource(self.database, task_ids, (claimed["lo_key"], claimed["hi_key"]), held.shard_no)
            for task, stored in source.rows():
                with self._lock:
                    held.total += 1
                yield task, stored
            with self._lock:
                held.dispatched = True
            yield None  # the shard's last video goes out now, not when the next rows come
            self._maybe_finish(held)

    def _unfinished(self) -> int:
        with self._lock:
            return sum(not held.finished for held in self._held.values())

    def _take(self, claimed: dict) -> _Held:
        held = _Held(claimed["shard_no"], claimed["attempts"])
        if held.attempts > 1:  # its earlier worker died: what it logged is sent and logged again
            logger.warning("run %s shard %s taken over (attempt %s)", self.run_id, held.shard_no, held.attempts)
            params = {"run_id": self.run_id, "shard_no": held.shard_no}
            self.database.execute(queries.DELETE_SHARD_RECORDS, params)
            self.database.execute(queries.DELETE_SHARD_FAILURES, params)
        with self._lock:
            self._held[held.shard_no] = held
        return held

    def _nothing_left(self) -> bool:
        """True when every shard not ours is done (ours finish as their tasks do), or the pass ended."""
        row = self.database.fetch_one(queries.FETCH_RUN_PLAN, {"run_id": self.run_id})
        if row is None or row["status"] != RunStatus.RUNNING or row["cancel_requested"]:
            self.stop_event.set()
            return True
        return self.database.fetch_one(queries.OTHERS_OPEN, {"run_id": self.run_id, "runner": self.runner})["open"] == 0

    def _counted(self, outcome: Outcome) -> None:
        """One task of a held shard finished."""
        with self._lock:
            held = self._held[outcome.task.shard_no]
            held.done += 1
            held.success_count += outcome.ok
        if outcome.age_s is not None:
            held.tally.add(outcome.task.platform, outcome.age_s, outcome.fresh)
        self._maybe_finish(held)

    def _maybe_finish(self, held: _Held) -> None:
        with self._lock:
            if held.finished or not held.dispatched or held.done < held.total:
                return
            held.finished = True
            self._finished_one.notify_all()
        logger.info("run %s: shard %s finished by %s", self.run_id, held.shard_no, self.runner)
        self._recorder.add_finished_shard({
            "run_id": self.run_id, "shard_no": held.shard_no, "runner": self.runner, "total": held.total,
            "done": held.done, "success_count": held.success_count, "ages": json.dumps(held.tally.export())})

    def _beat(self) -> bool:
        """Heartbeat every shard in progress; True when this worker should stop."""
        with self._lock:
            active = [dataclasses.replace(held) for held in self._held.values() if not held.finished]
        self.database.execute(queries.TOUCH_SLOT, {"run_id": self.run_id, "runner": self.runner})
        for held in active:
            row = self.database.fetch_one(queries.HEARTBEAT_SHARD, {
                "run_id": self.run_id, "shard_no": held.shard_no, "runner": self.runner, "total": held.total,
                "done": held.done, "success_count": held.success_count})
            if row is not None and row["cancel_requested"]:
                return True  # the pass was stopped
            if row is None and not self._held[held.shard_no].finished:
                return True  # the shard was taken from us (we looked dead): leave the rest to others
        return False


def share_of(config: Config, slots: int) -> Config:
    """This slot's share of the concurrency limits, so that all slots together keep within them."""
    return config.replace(fetch_concurrency=max(1, config.fetch_concurrency // slots),
                          webhook_concurrency=max(1, config.webhook_concurrency // slots))
