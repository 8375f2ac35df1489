"""The limits of a shared pass kept in the database, so they hold over every process of it: each
platform's page budgets, pacing and benches (`SharedEgressPool`), and TikHub's allowance
(`SharedAllowance`). They stand in for the one-process `EgressPool` and `LocalAllowance`."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable

from broadcaster.core.clock import utcnow
from broadcaster.fetching.egress import Egress, PagePool, Slot, cooldown_seconds
from broadcaster.fetching.sources import Allowance
from broadcaster.storage import queries
from broadcaster.storage.db import Database

BENCH_REFRESH_SECONDS = 5.0  # how often unshared egresses look at the benches other processes set


class SharedEgressPool(PagePool):
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
        """None: benches are stored as they happen, and the claiming process stores the pages used."""
        return []

    def block_rows(self) -> list[dict]:
        """None: blocks are stored as they happen."""
        return []


class SharedAllowance(Allowance):
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
