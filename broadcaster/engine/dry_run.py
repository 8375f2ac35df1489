"""`--once --dry-run`: a whole pass that fetches and builds every payload, prints each body, and
sends and stores nothing (no run is claimed)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from broadcaster.core.config import Config
from broadcaster.core.states import RunStatus
from broadcaster.delivery.webhooks import PrintingSender
from broadcaster.engine.assembly import build_pass
from broadcaster.engine.links import UnstoredLinks, resolve_new_links
from broadcaster.engine.recorder import CountingRecorder
from broadcaster.engine.runs import make_result
from broadcaster.engine.tasks import PostgresTaskSource
from broadcaster.fetching.fetcher import VideoStatsFetcher
from broadcaster.storage.db import Database


def dry_run_pass(config: Config, database: Database, write_line: Callable[[str], None] | None = None) -> dict:
    """Fetch and build every payload and print each body (or hand it to `write_line`); send and store nothing."""
    stop_event = threading.Event()
    fetcher = VideoStatsFetcher.from_config(config)
    unstored = UnstoredLinks([link for links in resolve_new_links(database, fetcher, stop_event) for link in links])
    the_pass = build_pass(config, PostgresTaskSource(database), run_id=None, fetcher=fetcher,
                          sender=PrintingSender(write_line), recorder=CountingRecorder(), stop_event=stop_event,
                          unstored=unstored)
    counts = the_pass.execute()
    return make_result(RunStatus.SUCCEEDED, None, counts["total"], counts["success_count"])
