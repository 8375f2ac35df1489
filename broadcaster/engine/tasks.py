"""The typed rows a pass reads, and where it reads them from.

A pass sees each active task as a `TaskRow` with its video's last known counts
(`StoredCounts`), grouped by video into `VideoJob`s so that tasks sharing a video share one
fetch. `PostgresTaskSource` reads them from the database; tests hand the pass a list instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from broadcaster.core.states import FetchStatus
from broadcaster.engine.integrity import Suspicion
from broadcaster.storage import queries
from broadcaster.storage.db import Database


@dataclasses.dataclass(frozen=True, slots=True)
class TaskRow:
    """One active task as the pass carries it."""

    task_id: int
    video_url: str
    callback_url: str
    callback_secret: str | None = None
    external_task_id: int | None = None
    project_id: str | None = None
    title: str | None = None
    duration: int | None = None
    platform: str | None = None  # None until the link is resolved
    video_id: str | None = None
    handle: str | None = None
    video_error: str | None = None  # why the link names no video, when it does not
    shard_no: int | None = None  # the shard of a pass shared by several processes

    @property
    def x2c_task_id(self) -> int:
        """The id X2C knows the task by: the bot's external id when set, else its own."""
        return self.external_task_id if self.external_task_id is not None else self.task_id


@dataclasses.dataclass(frozen=True, slots=True)
class StoredCounts:
    """A video's last known counts and how its last read went."""

    view_count: int | None = None
    like_count: int | None = None
    fetch_status: str | None = None
    reason: str | None = None
    fetched_at: dt.datetime | None = None  # when counts were last read successfully
    suspicion: Suspicion | None = None  # a read held back as suspect (docs/operations.md#suspect-counts), if any

    @property
    def usable(self) -> bool:
        """True when these counts may be sent: read once, and the video is not gone."""
        return self.fetched_at is not None and self.fetch_status != FetchStatus.UNAVAILABLE


@dataclasses.dataclass(slots=True)
class VideoJob:
    """Tasks that share one video, with its stored counts and whether this pass reads it again."""

    platform: str | None
    video_id: str | None
    handle: str | None
    refresh: bool
    stored: StoredCounts
    tasks: list[TaskRow]


@dataclasses.dataclass(frozen=True, slots=True)
class VideoStaleness:
    """How long ago a video was last tried, for picking the stalest within a budget."""

    platform: str
    video_id: str
    fetch_status: str | None
    attempted_at: dt.datetime | None


_TASK_FIELDS = tuple(field.name for field in dataclasses.fields(TaskRow))


def task_row(row: dict) -> TaskRow:
    """A TaskRow from a database row (extra columns ignored)."""
    return TaskRow(**{name: row[name] for name in _TASK_FIELDS})


def stored_counts(row: dict) -> StoredCounts:
    """The stored counts carried by a pass row."""
    suspicion = None
    if row["suspect_at"] is not None:
        suspicion = Suspicion(row["suspect_views"], row["suspect_likes"], row["suspect_at"])
    return StoredCounts(row["view_count"], row["like_count"], row["fetch_status"], row["fetch_reason"], row["fetched_at"],
                        suspicion)


def group_jobs(
    rows: Iterable[tuple[TaskRow, StoredCounts] | None], refresh: Callable[[str, str], bool]
) -> Iterator[VideoJob]:
    """Group consecutive rows of the same video into one job (rows come ordered by video).

    Tasks without a video (an unresolved or invalid link) each get a job of their own. A None
    among the rows ends the current job at once (a shard ends; more rows may take a while).
    """
    job: VideoJob | None = None
    for row in rows:
        if row is None:
            if job is not None:
                yield job
            job = None
            continue
        task, stored = row
        if job is not None and job.video_id is not None and (job.platform, job.video_id) == (task.platform, task.video_id):
            job.tasks.append(task)
            continue
        if job is not None:
            yield job
        wanted = task.video_id is not None and refresh(task.platform, task.video_id)
        job = VideoJob(task.platform, task.video_id, task.handle, wanted, stored, [task])
    if job is not None:
        yield job


class PostgresTaskSource:
    """What a pass reads from the database: the tasks, their videos' staleness, the quota used."""

    def __init__(self, database: Database, task_ids: list[int] | None = None,
                 shard: tuple[str | None, str | None] = (None, None), shard_no: int | None = None):
        self.database = database
        # task_ids None: every active task; shard: the [lo, hi) range of shard keys (None: open)
        self.scope = {"task_ids": task_ids, "lo": shard[0], "hi": shard[1], "shard_no": shard_no}

    def count_active(self) -> int:
        """How many tasks a pass would select now."""
        return self.database.fetch_one(queries.COUNT_ACTIVE_TASKS, self.scope)["total"]

    def video_staleness(self) -> Iterator[VideoStaleness]:
        """Every video of the active tasks, with when it was last tried."""
        for row in self.database.stream(queries.SELECT_VIDEO_STALENESS, self.scope):
            yield VideoStaleness(row["platform"], row["video_id"], row["fetch_status"], row["attempted_at"])

    def rows(self) -> Iterator[tuple[TaskRow, StoredCounts]]:
        """Every active task with its video's stored counts, ordered by video."""
        for row in self.database.stream(queries.SELECT_PASS_TASKS, self.scope):
            yield task_row(row), stored_counts(row)

    def platform_counts(self) -> list[dict]:
        """Videos and tasks per platform among the active tasks."""
        return self.database.fetch_all(queries.COUNT_VIDEOS_BY_PLATFORM, self.scope)

    def tikhub_requests(self, day: dt.date) -> int:
        """TikHub requests made on UTC `day`."""
        row = self.database.fetch_one(queries.FETCH_TIKHUB_USAGE, {"day": day})
        return row["requests_used"] if row else 0

    def egress_states(self) -> dict[str, dict]:
        """Benches stored by earlier passes, by egress key."""
        return {row["egress_key"]: row for row in self.database.fetch_all(queries.FETCH_EGRESS_STATES)}

    def youtube_quota(self, day: dt.date) -> tuple[int, bool]:
        """API units spent on Pacific `day`, and whether the API said the quota is gone."""
        row = self.database.fetch_one(queries.FETCH_QUOTA, {"day": day})
        return (row["units_used"], bool(row["exhausted"])) if row else (0, False)
