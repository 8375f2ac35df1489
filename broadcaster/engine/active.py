"""The passes running in this process, so that shutting the process down stops every one of them."""

from __future__ import annotations

import threading

_ACTIVE_PASSES: set[threading.Event] = set()
_ACTIVE_LOCK = threading.Lock()


def interrupt_active_passes() -> None:
    """Ask every pass running in this process to stop (used at shutdown)."""
    with _ACTIVE_LOCK:
        for event in _ACTIVE_PASSES:
            event.set()


class ActivePass:
    """Registers a pass's stop event for `interrupt_active_passes` while it runs (here or in a child)."""

    def __init__(self, stop_event: threading.Event):
        self.stop_event = stop_event

    def __enter__(self) -> threading.Event:
        with _ACTIVE_LOCK:
            _ACTIVE_PASSES.add(self.stop_event)
        return self.stop_event

    def __exit__(self, *exc) -> None:
        with _ACTIVE_LOCK:
            _ACTIVE_PASSES.discard(self.stop_event)
