"""What reading one video ends as, and the text helpers every platform uses for reasons."""

from __future__ import annotations

import re
from dataclasses import dataclass

from broadcaster.core.states import FetchStatus


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of reading one video's counts."""

    status: str  # a FetchStatus
    views: int | None = None  # None = unknown (never 0 for "unknown")
    likes: int | None = None
    reason: str = ""  # set for every non-OK and for OK with an unknown count
    egress_fault: bool = False  # the proxy in between failed, not the platform
    retry_after: float | None = None  # set for a 429: its Retry-After in seconds (capped; 0 when absent)

    @property
    def ok(self) -> bool:
        """True when counts were read."""
        return self.status == FetchStatus.OK

    @property
    def egress_blocked(self) -> bool:
        """The way out failed (a block, or the proxy itself): bench that egress and try another."""
        return self.status == FetchStatus.BLOCKED or self.egress_fault


def no_counts(status: str, reason: str) -> FetchResult:
    """A result without counts."""
    return FetchResult(status, None, None, reason)


def counts_read(views: int | None, likes: int | None, missing: list[str]) -> FetchResult:
    """An OK result; `missing` says which counts are unknown and why."""
    return FetchResult(FetchStatus.OK, views, likes, "；".join(missing))


def redact(text: str) -> str:
    """Hide API keys and bearer tokens in text that may be logged or shown."""
    text = re.sub(r"(?i)([?&;]key=)[^&\s'\"]*", r"\1***", text)
    return re.sub(r"(?i)(bearer\s+)[^\s'\"]+", r"\1***", text)


def describe_error(exc: BaseException) -> str:
    """A short, key-free description of an exception for a reason string."""
    text = redact(str(exc)).strip()
    name = type(exc).__name__
    return f"{name}: {text[:200]}" if text else name
