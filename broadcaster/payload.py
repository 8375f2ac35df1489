"""What X2C receives: one stats entry per task, in a body with the site name (x2c-pool.md)."""

from __future__ import annotations

from broadcaster.states import Platform
from broadcaster.tasks import TaskRow


def build_stats_entry(task: TaskRow, platform: str | None, views: int | None, likes: int | None) -> dict:
    """One X2C stats entry for a task: NULL keys and unknown or zero counts left out."""
    entry = {
        "project_id": task.project_id,
        "task_id": task.x2c_task_id,
        "duration": task.duration,
        "account_count": 0,
    }
    entry = {key: value for key, value in entry.items() if value is not None}
    # Douyin has no fields of its own at X2C; its counts go into the yt_* fields.
    prefix = "tt" if platform == Platform.TIKTOK else "yt"
    counts = {f"{prefix}_view_count": views, f"{prefix}_like_count": likes}
    sent = {key: value for key, value in counts.items() if value is not None and value > 0}
    if sent:
        entry[f"{prefix}_account_count"] = 0
        entry.update(sent)
    return entry


def build_body(site_name: str, entries: list[dict]) -> dict:
    """The webhook body: the site name and the stats entries."""
    return {"site_name": site_name, "stats": entries}
