"""A small pool of daemon threads for a pass's fetches and deliveries."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class WorkerPool:
    """Up to `size` daemon threads running submitted calls in order.

    Unlike ThreadPoolExecutor, whose threads the interpreter joins at exit, these threads never
    keep a stopping process alive: a webhook stuck in a hanging receiver is simply abandoned.
    """

    def __init__(self, size: int, name: str):
        self.size = size
        self.name = name
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._cancelled = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable, *args) -> None:
        """Queue `fn(*args)`; start another thread while below `size`."""
        self._queue.put((fn, args))
        with self._lock:
            if len(self._threads) < self.size:
                thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()

    def shutdown(self, *, wait: bool) -> None:
        """Stop the threads after the queued calls (or drop them when not waiting)."""
        with self._lock:
            self._cancelled = not wait
            threads = list(self._threads)
        for _ in threads:
            self._queue.put(None)
        if wait:
            for thread in threads:
                thread.join()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._cancelled:
                continue
            fn, args = item
            try:
                fn(*args)
            except Exception:  # the callables record their own failures; this is a last resort
                logger.exception("%s: unexpected error", self.name)
