"""One retry policy for storage: exponential backoff on `StorageError`, bounded by a deadline,
cut short by a stop event. Used where losing the write would lose data (the recorder, the end
of a run) and where a process waits for its database to come up.

The webhook loop keeps its own retries: it honours Retry-After and a circuit breaker, which a
generic policy does not know about.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

import tenacity

from broadcaster.core.errors import StorageError

logger = logging.getLogger(__name__)

T = TypeVar("T")


def retry_storage(
    action: Callable[[], T],
    *,
    what: str,
    deadline_s: float | None,
    stop_event: threading.Event | None = None,
    initial_s: float = 0.5,
    max_wait_s: float = 5.0,
    on_retry: Callable[[StorageError, float], None] | None = None,
) -> T:
    """Run `action` until it returns, retrying `StorageError` with backoff.

    Gives up (re-raising the last error) when the next wait would pass `deadline_s` seconds
    from the first try (None: never), or once `stop_event` is set. `on_retry(error, wait)` is
    called before each wait; by default the retry is logged as a warning.
    """
    stop = tenacity.stop_never if deadline_s is None else tenacity.stop_before_delay(deadline_s)
    sleep = tenacity.nap.sleep
    if stop_event is not None:
        stop = stop | tenacity.stop_when_event_set(stop_event)
        sleep = stop_event.wait

    def before_sleep(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception()
        wait = state.next_action.sleep if state.next_action else 0.0
        if on_retry is not None:
            on_retry(error, wait)
        else:
            logger.warning("%s failed, retrying in %.1f s: %s", what, wait, error, extra={"action": "storage_retry"})

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(StorageError),
        wait=tenacity.wait_exponential(multiplier=initial_s, max=max_wait_s),
        stop=stop,
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(action)
