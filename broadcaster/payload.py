"""What X2C receives: one stats entry per task, in a body with the site name (x2c-pool.md).

The delivery record keeps what builds a task's body (`BODY_FORMAT`'s inputs: the site name, the
task's X2C id, project, duration and platform, and the counts) rather than the body itself;
`rebuilt_body` builds it again, byte for byte, with the same code that built it for sending.
A change to the body's shape must come with a new `BODY_FORMAT` that keeps the old one buildable.
"""

from __future__ import annotations

import json

from broadcaster.states import Platform
from broadcaster.tasks import TaskRow

BODY_FORMAT = 1  # the shape below, as recorded with each delivery context


def stats_entry(project_id: str | None, x2c_task_id: int, duration: int | None, platform: str | None,
                views: int | None, likes: int | None) -> dict:
    """One X2C stats entry: NULL keys and unknown or zero counts left out."""
    entry = {"project_id": project_id, "task_id": x2c_task_id, "duration": duration, "account_count": 0}
    entry = {key: value for key, value in entry.items() if value is not None}
    # Douyin has no fields of its own at X2C; its counts go into the yt_* fields.
    prefix = "tt" if platform == Platform.TIKTOK else "yt"
    counts = {f"{prefix}_view_count": views, f"{prefix}_like_count": likes}
    sent = {key: value for key, value in counts.items() if value is not None and value > 0}
    if sent:
        entry[f"{prefix}_account_count"] = 0
        entry.update(sent)
    return entry


def build_stats_entry(task: TaskRow, platform: str | None, views: int | None, likes: int | None) -> dict:
    """One X2C stats entry for a task."""
    return stats_entry(task.project_id, task.x2c_task_id, task.duration, platform, views, likes)


def build_body(site_name: str, entries: list[dict]) -> dict:
    """The webhook body: the site name and the stats entries."""
    return {"site_name": site_name, "stats": entries}


def serialize_body(payload: dict) -> bytes:
    """The exact bytes sent: compact UTF-8 JSON with Chinese kept as is."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_counts(entry: dict) -> tuple[int | None, int | None]:
    """The views and likes an entry carries (None where it carries none)."""
    views = entry.get("yt_view_count", entry.get("tt_view_count"))
    likes = entry.get("yt_like_count", entry.get("tt_like_count"))
    return views, likes


def rebuilt_body(row: dict) -> bytes:
    """The body a delivery record's task was sent, from the record's `body_*` columns (the
    webhook log's rows, `queries.delivery_log`): byte for byte what went out."""
    if row["body_format"] != BODY_FORMAT:
        raise ValueError(f"unknown body format {row['body_format']!r}")
    entry = stats_entry(row["project_id"], row["body_task_id"], row["body_duration"], row["body_platform"],
                        row["body_views"], row["body_likes"])
    return serialize_body(build_body(row["body_site_name"], [entry]))
