"""Each task's video link, parsed and (for short links) resolved once, then stored.

Short links (``vm.tiktok.com``, ``v.douyin.com``, …) cost a request to follow, so a pass
resolves only the links it has not seen yet (or that changed) and stores what they name in
``broadcaster_task_videos``. A link that names no video is stored with its reason; a network
failure is not stored and is tried again next pass.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
from collections.abc import Iterable, Iterator

from broadcaster.core.errors import FetchError, InvalidVideoURL
from broadcaster.engine.tasks import StoredCounts, TaskRow, VideoStaleness
from broadcaster.storage import queries
from broadcaster.storage.db import Database

RESOLVE_CONCURRENCY = 8
LINK_CHUNK = 2000


@dataclasses.dataclass(frozen=True, slots=True)
class TaskLink:
    """What one task's link names: a video, or why it names none."""

    task_id: int
    video_url: str
    platform: str | None = None
    video_id: str | None = None
    handle: str | None = None
    error: str | None = None


def resolve_link(fetcher, task_id: int, url: str) -> TaskLink | None:
    """The video `url` names; None when a short link could not be followed this time."""
    try:
        ref = fetcher.locate(url)
    except InvalidVideoURL as exc:
        return TaskLink(task_id, url, error=str(exc))
    except FetchError:
        return None
    return TaskLink(task_id, url, ref.platform, ref.video_id, ref.handle)


def resolve_new_links(database: Database, fetcher, stop_event: threading.Event,
                      task_ids: list[int] | None = None) -> Iterator[list[TaskLink]]:
    """Resolve every active task's link (of `task_ids`, when given) not stored yet or changed since,
    a chunk at a time: a first pass over 100,000 new tasks must not hold them all at once."""
    with concurrent.futures.ThreadPoolExecutor(RESOLVE_CONCURRENCY, thread_name_prefix="resolve") as pool:
        def resolve(rows: list[dict]) -> list[TaskLink]:
            links = pool.map(lambda row: resolve_link(fetcher, row["task_id"], row["video_url"]), rows)
            return [link for link in links if link is not None]

        chunk: list[dict] = []
        for row in database.stream(queries.FETCH_TASKS_TO_RESOLVE, {"task_ids": task_ids}):
            chunk.append(row)
            if len(chunk) >= LINK_CHUNK:
                if stop_event.is_set():
                    return
                yield resolve(chunk)
                chunk = []
        if chunk and not stop_event.is_set():
            yield resolve(chunk)


def store_links(database: Database, links: list[TaskLink]) -> None:
    """Keep resolved links for later passes."""
    rows = [dataclasses.asdict(link) for link in links]
    database.write_batches([(queries.UPSERT_TASK_VIDEOS, queries.TASK_VIDEO_ROW, rows)])


def sync_task_videos(database: Database, fetcher, stop_event: threading.Event,
                     task_ids: list[int] | None = None) -> int:
    """Resolve and store the links no pass has seen yet; return how many were stored."""
    stored = 0
    for links in resolve_new_links(database, fetcher, stop_event, task_ids):
        store_links(database, links)
        stored += len(links)
    return stored


class UnstoredLinks:
    """Links resolved in memory only (a dry run writes nothing), laid over the stored ones."""

    def __init__(self, links: list[TaskLink]):
        self._by_task = {link.task_id: link for link in links}

    def staleness(self) -> list[VideoStaleness]:
        """Their videos, as never tried (so they are read first, as after a real sync)."""
        return [VideoStaleness(link.platform, link.video_id, None, None)
                for link in self._by_task.values() if link.video_id is not None]

    def apply(self, rows: Iterable[tuple[TaskRow, StoredCounts]]) -> Iterator[tuple[TaskRow, StoredCounts]]:
        """`rows` with each unresolved task's link filled in from memory."""
        for task, stored in rows:
            link = self._by_task.get(task.task_id) if task.platform is None and task.video_error is None else None
            if link is not None:
                task = dataclasses.replace(task, platform=link.platform, video_id=link.video_id,
                                           handle=link.handle, video_error=link.error)
            yield task, stored
