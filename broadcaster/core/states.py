"""The status and trigger values the code and the database share.

Every value stored in a status-like column is one of these members. They are ``StrEnum``s, so
a member is its string everywhere: in JSON, in SQL parameters and in f-strings that build the
statements of ``queries``. ``tests/unit/test_layout.py`` checks that the literals in the migrations
are members too.
"""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """Where a video lives."""

    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    DOUYIN = "douyin"


class FetchStatus(StrEnum):
    """How reading one video's counts ended (``broadcaster_videos.fetch_status``)."""

    OK = "ok"  # counts read (one may still be unknown)
    UNAVAILABLE = "unavailable"  # deleted, private, not found: permanent
    BLOCKED = "blocked"  # bot wall, challenge, 429: try later
    ERROR = "error"  # network, 5xx, garbage, changed layout


class RunStatus(StrEnum):
    """The life of one pass (``broadcaster_runs.status``)."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    ABANDONED = "abandoned"


class Trigger(StrEnum):
    """What started a pass (``broadcaster_runs.trigger``)."""

    SCHEDULE = "schedule"
    MANUAL = "manual"
    CLI = "cli"


class Scope(StrEnum):
    """Which tasks a pass covers (``broadcaster_runs.scope``)."""

    ALL = "all"
    SELECTED = "selected"  # the task ids stored with the run (POST trigger with task_ids)


class ShardStatus(StrEnum):
    """A shard of a pass shared by several processes (``broadcaster_shards.status``)."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"


class CallbackStatus(StrEnum):
    """A task's delivery state (``drama_tasks.callback_status``, ``webhook_logs.callback_status``)."""

    PENDING = "pending"
    SUCCESS = "success"
    FAILED = "failed"


class TaskStatus(StrEnum):
    """Whether the bot still distributes a task (``drama_tasks.status``)."""

    ACTIVE = "active"
    PAUSED = "paused"


class ErrorType(StrEnum):
    """``broadcaster_error_logs.error_type``: a fetch status, or a link that names no video."""

    UNAVAILABLE = "unavailable"
    BLOCKED = "blocked"
    ERROR = "error"
    INVALID_URL = "invalid_url"
