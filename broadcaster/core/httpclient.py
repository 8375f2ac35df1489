"""HTTP plumbing shared by webhook delivery and page fetching.

`requests` is the client (the design card's choice). Its maintainers advise one Session per
thread (psf/requests#1871, #2766): `ThreadSessions` hands each thread its own and closes them
all at the end. `read_capped` reads a streamed body with a size cap and a deadline, so neither
a huge answer nor one that trickles in forever can hold a thread.
"""

from __future__ import annotations

import dataclasses
import email.utils
import threading
import time
from collections.abc import Callable

import requests

#: The longest a Retry-After answer makes us wait within a pass.
RETRY_AFTER_CAP_SECONDS = 30.0


class ThreadSessions:
    """One `requests.Session` per thread, made by `factory` on first use."""

    def __init__(self, factory: Callable[[], requests.Session]):
        self._factory = factory
        self._local = threading.local()
        self._made: list[requests.Session] = []
        self._lock = threading.Lock()

    def get(self) -> requests.Session:
        """This thread's session."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._factory()
            self._local.session = session
            with self._lock:
                self._made.append(session)
        return session

    def close(self) -> None:
        """Close every session made so far (a thread asking again gets a new one)."""
        with self._lock:
            made, self._made = self._made, []
        for session in made:
            session.close()
        self._local = threading.local()


@dataclasses.dataclass(frozen=True)
class CappedBody:
    """What `read_capped` got: the bytes, and whether the cap or the deadline cut it short."""

    data: bytes
    over_limit: bool = False
    timed_out: bool = False


def read_capped(response: requests.Response, limit: int, *, deadline: float) -> CappedBody:
    """Read a streamed body: at most `limit` bytes, until the monotonic `deadline`.

    `over_limit` is set when the body has more than `limit` bytes (the data is cut at the
    limit). Transport errors while reading propagate to the caller.
    """
    raw = response.raw
    # read1 returns what one socket read delivers, so the deadline is checked even when a
    # server trickles bytes slower than the read timeout but never stops.
    read = raw.read1 if hasattr(raw, "read1") else raw.read
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            return CappedBody(b"".join(chunks), timed_out=True)
        chunk = read(min(65536, limit + 1 - size), decode_content=True)
        if not chunk:
            return CappedBody(b"".join(chunks))
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return CappedBody(b"".join(chunks)[:limit], over_limit=True)


def parse_retry_after(value: str | None, *, cap: float = RETRY_AFTER_CAP_SECONDS) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, cap))
