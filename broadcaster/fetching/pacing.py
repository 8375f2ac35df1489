"""How fast a pass reads pages from one platform: a pass's page budget and the spacing of its requests.

Platforms limit page reads per IP address (PAGE_RATE_PER_MINUTE per egress), so reads are paced
over half an interval, leaving the other half for the slowest answers and the webhooks.
"""

from __future__ import annotations

import random
import threading
import time


def pages_for_pass(per_minute: int, interval: int) -> int | None:
    """Page requests one pass may make (None = unlimited): paced over half an interval."""
    if per_minute <= 0:
        return None
    return max(1, int(per_minute * interval / 60 / 2))


class Pacer:
    """Spaces requests to one platform at `per_minute` with ±30 % jitter; 0 = no pacing."""

    def __init__(self, per_minute: int, *, clock=time.monotonic):
        self.spacing = 60.0 / per_minute if per_minute > 0 else 0.0
        self.clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take the next request's slot; the seconds to wait for it."""
        if not self.spacing:
            return 0.0
        with self._lock:
            now = self.clock()
            slot = max(now, self._next)
            self._next = slot + self.spacing * random.uniform(0.7, 1.3)
        return max(0.0, slot - now)
