"""One pass over several processes and hosts (DESIGN §10), with PostgreSQL as the coordinator.

The process that claimed a pass plans it once (budgets, the videos to refresh), cuts it into
shards — ranges of the video key, so tasks sharing a video stay together — and records them in
``broadcaster_shards``. Every worker (the claiming process, the PASS_WORKERS − 1 processes it
starts, and PASS_HELPER processes on other hosts) takes a slot, then shards with ``FOR UPDATE
SKIP LOCKED``, and heartbeats the shard it works on; a shard whose worker stopped heartbeating
is taken again. Each slot gets its share of FETCH_CONCURRENCY and WEBHOOK_CONCURRENCY, and page
budgets, pacing and TikHub's allowance live in the database, so the limits stay global.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
import threading
import time
from collections.abc import Iterable

from broadcaster.core.clock import utcnow
from broadcaster.core.states import RunStatus
from broadcaster.engine.assembly import Heartbeat, make_sender, runner_id
from broadcaster.engine.budget import Budget, RefreshPlan
from broadcaster.engine.freshness import FreshnessTally
from broadcaster.engine.pipeline import BroadcastPass
from broadcaster.engine.recorder import Recorder, database_writer
from broadcaster.engine.tasks import PostgresTaskSource
from broadcaster.fetching.egress import Egress, Slot, build_pools, cooldown_seconds
from broadcaster.storage import queries
from broadcaster.storage.db import Database

logger = logging.getLogger(__name__)

STALE_SECONDS = 10  # a shard, slot or helper silent this long is free again (heartbeats every 1 s)
MAX_SHARDS = 256
TASKS_PER_SHARD = 10_000
IDLE_POLL_SECONDS = 0.5
# Shards a worker holds unfinished at once: the one draining and the one being read. More would
# let a fast reader take every shard before slower-starting workers get any.
MAX_HELD = 3
BENCH_REFRESH_SECONDS = 5.0
PLAN_WAIT_SECONDS = 60.0  # a worker started with the pass waits this long for its plan  # how often unshared egresses look at the benches other processes set


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
                       refresh: RefreshPlan, pools) -> int:
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


def live_helpers(database: Database) -> int:
    """Helper processes (PASS_HELPER) seen in the last few seconds."""
    return database.fetch_one(queries.COUNT_LIVE_HELPERS, {"stale_seconds": STALE_SECONDS})["helpers"]


def announce_helper(database: Database) -> None:
    """Tell claiming processes this helper is there to take shards."""
    database.execute(queries.HELPER_SEEN, {"runner": runner_id()})


def joinable_runs(database: Database) -> list[int]:
    """Running shared passes with open shards and a free slot."""
    return [row["id"] for row in database.fetch_all(queries.FETCH_JOINABLE_RUNS, {"stale_seconds": STALE_SECONDS})]


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


# --------------------------------------------------------------------------------------------
# Limits shared through the database


class SharedEgressPool:
    """A platform's egresses with their page budgets and pacing shared by every process of a pass."""

    def __init__(self, platform: str, egresses: list[Egress], database: Database, run_id: int,
                 *, clock=time.monotonic):
        self.platform = platform
        self.egresses = egresses
        self.database = database
        self.run_id = run_id
        self.clock = clock
        self._by_key = {egress.key: egress for egress in egresses}
        # Unlimited, unpaced egresses have nothing to share but their benches: pages are handed
        # out here, and the benches other processes set are read every few seconds.
        self._local = all(egress.budget is None and not egress.pacer.spacing for egress in egresses)
        self._benches_read: float | None = None  # never yet (monotonic() may be small after boot)
        self._lock = threading.Lock()

    def acquire(self, tried: Iterable[Egress] = ()) -> Slot | None:
        """Reserve one page on the usable egress with the most budget left, over all processes."""
        if self._local:
            return self._acquire_here(tried)
        row = self.database.fetch_one(queries.ACQUIRE_SHARED_PAGE, {
            "run_id": self.run_id, "platform": self.platform, "tried": [egress.key for egress in tried]})
        if row is None:
            return None
        egress = self._by_key[row["egress_key"]]
        egress.used += 1
        return Slot(egress, float(row["wait_s"]))

    def _acquire_here(self, tried: Iterable[Egress]) -> Slot | None:
        if self._benches_read is None or self.clock() - self._benches_read > BENCH_REFRESH_SECONDS:
            self._benches_read = self.clock()
            rows = self.database.fetch_all(queries.FETCH_BENCHES, {"keys": list(self._by_key)})
            for row in rows:
                self._by_key[row["egress_key"]].benched_until = row["benched_until"]
        tried_keys = {egress.key for egress in tried}
        now = utcnow()
        with self._lock:
            usable = [egress for egress in self.egresses if egress.key not in tried_keys and egress.usable(now)]
            if not usable:
                return None
            chosen = min(usable, key=lambda egress: egress.used)
            chosen.used += 1
        return Slot(chosen, 0.0)

    def bench(self, egress: Egress, reason: str) -> int:
        """Bench a blocked egress for every process at once; return its cool-down in seconds."""
        params = {"egress_key": egress.key, "reason": reason[:300]}
        row = self.database.fetch_one(queries.BENCH_EGRESS, params)
        egress.level = row["bench_level"] if row else 1
        cooldown = cooldown_seconds(egress.level)
        self.database.execute(queries.SET_EGRESS_BENCH, {**params, "cooldown": cooldown})
        self.database.execute(queries.INSERT_EGRESS_BLOCK, params)
        egress.benched_until = utcnow() + dt.timedelta(seconds=cooldown)
        return cooldown

    def succeeded(self, egress: Egress) -> None:
        """A page read through it: its next bench starts from 5 minutes again."""
        if egress.level:  # a write per page only when there is something to reset
            egress.level = 0
            self.database.execute(queries.RESET_EGRESS_LEVEL, {"egress_key": egress.key})

    def close(self) -> None:
        """Close every egress's sessions; pages handed out here join the pass's count."""
        for egress in self.egresses:
            egress.fetcher.close()
            if self._local and egress.used:
                self.database.execute(queries.ADD_SHARED_PAGES, {"run_id": self.run_id, "egress_key": egress.key,
                                                             "pages": egress.used})
                egress.used = 0

    def state_rows(self) -> list[dict]:
        """Nothing to record at the end of a shard: benches are stored when they happen."""
        return []

    def block_rows(self) -> list[dict]:
        """Nothing to record at the end of a shard: blocks are stored when they happen."""
        return []


class SharedAllowance:
    """TikHub's requests for this pass, shared by every process of it."""

    def __init__(self, database: Database, run_id: int):
        self.database = database
        self.run_id = run_id

    def take(self, platform: str) -> bool:
        """Spend one request of `platform`'s share; False when it is spent."""
        row = self.database.fetch_one(queries.TAKE_ALLOWANCE, {"run_id": self.run_id, "name": f"tikhub:{platform}"})
        return row is not None

    def refuse(self, reason: str) -> bool:
        """Turn TikHub off for the rest of the pass in every process; True the first time."""
        return self.database.fetch_one(queries.REFUSE_ALLOWANCE, {"run_id": self.run_id, "note": reason[:300]}) is not None

    def refusal(self) -> str | None:
        """Why TikHub is off for this pass, if it is."""
        row = self.database.fetch_one(queries.FETCH_REFUSAL, {"run_id": self.run_id})
        return row["note"] if row else None


# --------------------------------------------------------------------------------------------
# A worker


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

    def __init__(self, config, database: Database, run_id: int, *, fetcher, stop_event: threading.Event):
        self.config = config
        self.database = database
        self.run_id = run_id
        self.fetcher = fetcher
        self.stop_event = stop_event
        self.runner = runner_id()
        self._held: dict[int, _Held] = {}
        self._lock = threading.Lock()
        self._finished_one = threading.Condition(self._lock)
        self._recorder: Recorder | None = None
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
        config = _share_of(self.config, row["slots"])
        stored = PostgresTaskSource(self.database).egress_states()
        pools = {platform: SharedEgressPool(platform, pool.egresses, self.database, self.run_id)
                 for platform, pool in build_pools(config, stored, self.fetcher.through).items()}
        self._recorder = Recorder(database_writer(self.database), self.run_id, site_name=config.site_name)
        sender = make_sender(config, self.stop_event)
        the_pass = self._pass = BroadcastPass(
            config, run_id=self.run_id, rows=self._rows(row["task_ids"]), budget=budget, refresh=refresh,
            fetcher=self.fetcher, egress=pools, sender=sender, recorder=_ShardRecorder(self._recorder, self),
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

    def counted(self, outcome) -> None:
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


class _ShardRecorder:
    """The recorder of a worker's pass, telling the worker as each task finishes."""

    def __init__(self, recorder: Recorder, worker: ShardWorker):
        self._recorder = recorder
        self._worker = worker

    def __getattr__(self, name):
        return getattr(self._recorder, name)

    def add_outcome(self, outcome) -> None:
        """Record the outcome, then count it for its shard."""
        self._recorder.add_outcome(outcome)
        self._worker.counted(outcome)


def _share_of(config, slots: int):
    """This slot's share of the concurrency limits, so that all slots together keep within them."""
    return config.replace(fetch_concurrency=max(1, config.fetch_concurrency // slots),
                          webhook_concurrency=max(1, config.webhook_concurrency // slots))
