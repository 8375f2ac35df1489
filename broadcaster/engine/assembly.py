"""Putting a pass together: who runs it, its plan, its sender, and a heartbeat while it runs.

Used by a whole pass in one process (`broadcaster.engine.execution`) and by each worker of a pass
shared by several processes (`broadcaster.scaleout`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from itertools import chain

from broadcaster.core.clock import pacific_day, utcnow
from broadcaster.core.errors import StorageError
from broadcaster.core.states import Platform
from broadcaster.delivery.webhooks import CircuitBreakers, WebhookSender
from broadcaster.engine.budget import Budget, RefreshPlan, plan_budget, plan_refreshes
from broadcaster.engine.links import UnstoredLinks
from broadcaster.engine.pipeline import BroadcastPass
from broadcaster.engine.tasks import PostgresTaskSource
from broadcaster.fetching.egress import EgressPool, build_pools
from broadcaster.fetching.fetcher import SOURCE_API

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0


def runner_id() -> str:
    """Identity of this process in the runs, shards and slots tables."""
    return f"{socket.gethostname()}:{os.getpid()}"


def make_sender(config, stop_event: threading.Event) -> WebhookSender:
    """A webhook sender with this pass's stop event and fresh circuit breakers."""
    return WebhookSender(
        timeout=config.webhook_timeout_seconds,
        max_attempts=config.webhook_max_attempts,
        allow_private=config.webhook_allow_private_networks,
        pool_maxsize=8,
        stop_event=stop_event,
        breakers=CircuitBreakers(),
    )


def plan_pass(config, source: PostgresTaskSource, fetcher, *, unstored: UnstoredLinks | None = None,
              now: dt.datetime | None = None) -> tuple[Budget, RefreshPlan, dict[str, EgressPool]]:
    """This pass's budgets, the videos it refreshes and the egress pools, from the database."""
    now = now or utcnow()
    youtube_api = fetcher.source(Platform.YOUTUBE) == SOURCE_API
    tikhub_key = any(fetcher.uses_tikhub(platform) for platform in (Platform.TIKTOK, Platform.DOUYIN))
    pools = build_pools(config, source.egress_states(), fetcher.through)
    budget = plan_budget(
        config, youtube_api_key=youtube_api,
        quota=source.youtube_quota(pacific_day(now)) if youtube_api else (0, False),
        page_capacity={platform: pool.capacity() for platform, pool in pools.items()},
        tikhub_key=tikhub_key, tikhub_used=source.tikhub_requests(now.astimezone(dt.UTC).date()) if tikhub_key else 0,
        now=now,
    )
    staleness = source.video_staleness()
    if unstored is not None:
        staleness = chain(unstored.staleness(), staleness)
    return budget, plan_refreshes(staleness, budget.refresh_limits), pools


def build_pass(config, source: PostgresTaskSource, *, run_id: int | None, fetcher, sender, recorder,
               stop_event: threading.Event, unstored: UnstoredLinks | None = None) -> BroadcastPass:
    """Plan the budgets and the refreshes from the database, and assemble the pass."""
    budget, refresh, pools = plan_pass(config, source, fetcher, unstored=unstored)
    rows = source.rows() if unstored is None else unstored.apply(source.rows())
    return BroadcastPass(config, run_id=run_id, rows=rows, budget=budget, refresh=refresh, fetcher=fetcher,
                         egress=pools, sender=sender, recorder=recorder, stop_event=stop_event)


class Heartbeat:
    """Calls `beat()` every second while a pass (or a shard) runs; sets `stop_event` when it
    answers True (a requested stop, or the work was taken from us)."""

    def __init__(self, beat: Callable[[], bool], stop_event: threading.Event, name: str):
        self.beat = beat
        self.stop_event = stop_event
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._done.wait(HEARTBEAT_SECONDS):
            try:
                stop = self.beat()
            except StorageError as exc:
                logger.warning("%s failed: %s", self._thread.name, exc)
                continue
            if stop:
                self.stop_event.set()
