"""Egresses: the ways out to a platform's pages, direct or through a proxy (docs/platforms.md#egresses).

Platforms limit page reads per IP, so each egress has its own page budget per pass, its own
jittered pacing and its own sessions (cookies never cross egresses). A pass spreads a platform's
pages over its egresses; an egress that gets blocked (challenge or captcha page, 403, 429,
TikTok 10204) or whose proxy cannot be reached is benched with a cool-down that grows from
5 minutes to 1 hour, and the video is tried again on another egress while budget remains.
The bench outlives the pass: it is stored in ``broadcaster_egress``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import threading
from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from broadcaster.core.clock import isoformat, utcnow
from broadcaster.core.json_schema import INTEGER, STRING, TIME, described, nullable, obj, one_of_values, shaped
from broadcaster.core.states import Platform
from broadcaster.fetching.pacing import Pacer, pages_for_pass
from broadcaster.fetching.proxies import egress_key, mask_proxy

COOLDOWN_FIRST_SECONDS = 300
COOLDOWN_MAX_SECONDS = 3600


def cooldown_seconds(level: int) -> int:
    """The bench after `level` blocks in a row: 5, 10, 20, 40 minutes, then 1 hour."""
    return min(COOLDOWN_MAX_SECONDS, COOLDOWN_FIRST_SECONDS * 2 ** max(0, level - 1))


@dataclasses.dataclass
class Egress:
    """One way out to a platform's pages, and how it has fared."""

    platform: str
    url: str  # proxy URL (credentials and all) or "direct"
    fetcher: object  # a VideoStatsFetcher whose sessions go through this egress only
    pacer: Pacer
    budget: int | None  # pages this pass may read through it; None = unlimited
    level: int = 0  # blocks in a row; the next cool-down grows with it
    benched_until: dt.datetime | None = None
    used: int = 0  # pages this pass
    blocks: list[tuple[dt.datetime, str]] = dataclasses.field(default_factory=list)  # this pass
    last_error: str | None = None

    @functools.cached_property
    def key(self) -> str:
        """Stable id for storage (no credentials in it); a hash, so worked out once."""
        return egress_key(self.platform, self.url)

    @property
    def label(self) -> str:
        """What operators see: the proxy with credentials masked, or "direct"."""
        return mask_proxy(self.url)

    def usable(self, now: dt.datetime) -> bool:
        """Not benched (or the bench is over)."""
        return self.benched_until is None or self.benched_until <= now

    def left(self) -> float:
        """Pages it may still read this pass (infinity when unlimited)."""
        return float("inf") if self.budget is None else self.budget - self.used


@dataclasses.dataclass(frozen=True)
class Slot:
    """A page reserved on an egress, and how long to wait for its paced turn."""

    egress: Egress
    wait_s: float


class PagePool(Protocol):
    """What a pass asks of one platform's egresses (`broadcaster.fetching.sources.read_page` and
    `BroadcastPass`): a page slot, a bench for a blocked egress, and at the end the rows to store.

    `EgressPool` keeps it all in this process; `broadcaster.scaleout.limits.SharedEgressPool`
    shares budgets, pacing and benches with every process of a shared pass.
    """

    platform: str

    @abstractmethod
    def acquire(self, tried: Iterable[Egress] = ()) -> Slot | None:
        """Reserve one page on a usable egress not in `tried`; None when no egress may read another."""

    @abstractmethod
    def bench(self, egress: Egress, reason: str) -> int:
        """Bench a blocked egress; return its cool-down in seconds."""

    @abstractmethod
    def succeeded(self, egress: Egress) -> None:
        """A page read through it: its next bench starts from 5 minutes again."""

    @abstractmethod
    def close(self) -> None:
        """Close every egress's sessions at the end of the pass."""

    @abstractmethod
    def state_rows(self) -> list[dict]:
        """Each egress's state after the pass, for ``broadcaster_egress`` (none when stored as it changes)."""

    @abstractmethod
    def block_rows(self) -> list[dict]:
        """Each block this pass, for ``broadcaster_egress_blocks`` (none when stored as it happens)."""


class EgressPool(PagePool):
    """One platform's egresses for one pass: fair page slots, benches for blocked egresses."""

    def __init__(self, platform: str, egresses: list[Egress], *, clock: Callable[[], dt.datetime] = utcnow):
        self.platform = platform
        self.egresses = egresses
        self.clock = clock
        self._lock = threading.Lock()

    def capacity(self) -> int | None:
        """Pages this pass may read over every usable egress (None = unlimited)."""
        now = self.clock()
        usable = [egress for egress in self.egresses if egress.usable(now)]
        if any(egress.budget is None for egress in usable):
            return None
        return sum(egress.budget for egress in usable)

    def acquire(self, tried: Iterable[Egress] = ()) -> Slot | None:
        """Reserve one page on the usable egress with the most budget left (fewest pages used
        on a tie, then the configured order); None when no egress may read another page."""
        tried_keys = {egress.key for egress in tried}
        now = self.clock()
        with self._lock:
            candidates = [egress for egress in self.egresses
                          if egress.key not in tried_keys and egress.usable(now) and egress.left() > 0]
            if not candidates:
                return None
            # max() keeps the first of equals, and the candidates are in the configured order.
            chosen = max(candidates, key=lambda egress: (egress.left(), -egress.used))
            chosen.used += 1
        return Slot(chosen, chosen.pacer.reserve())

    def bench(self, egress: Egress, reason: str) -> int:
        """Bench a blocked egress; return its cool-down in seconds."""
        with self._lock:
            now = self.clock()
            egress.level += 1
            egress.blocks.append((now, reason[:300]))
            egress.last_error = reason[:300]
            cooldown = cooldown_seconds(egress.level)
            egress.benched_until = now + dt.timedelta(seconds=cooldown)
            return cooldown

    def succeeded(self, egress: Egress) -> None:
        """A page read through it: its next bench starts from 5 minutes again."""
        with self._lock:
            egress.level = 0

    def close(self) -> None:
        """Close every egress's sessions."""
        for egress in self.egresses:
            egress.fetcher.close()

    def state_rows(self) -> list[dict]:
        """Each egress's state after the pass, for ``broadcaster_egress``."""
        return [{"egress_key": egress.key, "platform": self.platform, "label": egress.label, "level": egress.level,
                 "benched_until": egress.benched_until, "pages": egress.used, "last_error": egress.last_error}
                for egress in self.egresses]

    def block_rows(self) -> list[dict]:
        """Each block this pass, for ``broadcaster_egress_blocks`` (blocks in the last hour)."""
        return [{"egress_key": egress.key, "blocked_at": at, "reason": reason}
                for egress in self.egresses for at, reason in egress.blocks]


def build_pools(config, stored: Mapping[str, Mapping], make_fetcher: Callable[[str], object],
                *, clock: Callable[[], dt.datetime] = utcnow) -> dict[str, EgressPool]:
    """Every page platform's pool from the settings and the benches stored by earlier passes.

    `make_fetcher(proxy_url_or_direct)` builds the page fetcher of one egress.
    """
    pools = {}
    for platform in Platform:
        budget = pages_for_pass(config.pages_per_minute(platform), config.broadcast_interval_seconds)
        egresses = []
        for url in config.proxies(platform):
            state = stored.get(egress_key(platform, url), {})
            egresses.append(Egress(
                platform, url, make_fetcher(url), Pacer(config.pages_per_minute(platform)), budget,
                level=state.get("bench_level") or 0, benched_until=state.get("benched_until"),
            ))
        pools[platform] = EgressPool(platform, egresses, clock=clock)
    return pools


#: One egress in the status API.
EGRESS = obj({
    "platform": one_of_values(Platform),
    "label": described(STRING, "direct 或代理地址（隐去用户名和密码）"),
    "state": one_of_values(("ready", "benched"), "ready 可用 / benched 暂停使用中"),
    "benched_until": nullable(TIME),
    "pages_last_pass": INTEGER,
    "blocks_last_hour": INTEGER,
    "last_error": nullable(STRING),
}, title="Egress")


def egress_status(config, rows: Iterable[Mapping], now: dt.datetime) -> list[dict]:
    """Every configured egress for the status API: masked label, state, pages in the last pass,
    blocks in the last hour (`rows` from ``FETCH_EGRESS_STATUS``; an egress no pass has used yet
    shows as ready)."""
    stored = {row["egress_key"]: row for row in rows}
    answer = []
    for platform in Platform:
        for url in config.proxies(platform):
            row = stored.get(egress_key(platform, url), {})
            benched_until = row.get("benched_until")
            benched = benched_until is not None and benched_until > now
            answer.append(shaped(
                EGRESS,
                platform=platform,
                label=mask_proxy(url),
                state="benched" if benched else "ready",
                benched_until=isoformat(benched_until) if benched else None,
                pages_last_pass=row.get("pages_last_pass", 0),
                blocks_last_hour=row.get("blocks_last_hour", 0),
                last_error=row.get("last_error") if benched else None,
            ))
    return answer
