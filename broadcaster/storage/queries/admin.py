"""What the admin API reads and writes: tasks (the webhook log: `queries.insight`)."""

from __future__ import annotations

from collections.abc import Iterable

from psycopg2 import sql as pgsql

from broadcaster.core.states import CallbackStatus
from broadcaster.storage.queries.tasks import TASKS_WITH_VIDEOS

# --------------------------------------------------------------------------------------------
# Admin API

TASK_COLUMNS = """
d.task_id, d.external_task_id, d.project_id, d.title, d.status, d.video_url,
COALESCE(tv.platform, s.link_platform) AS platform,
d.duration, d.callback_url, COALESCE(d.callback_secret, '') <> '' AS has_callback_secret,
d.callback_status, d.callback_retry_count, d.callback_last_attempt, d.created_at,
bv.view_count, bv.like_count, bv.fetch_status AS stats_status,
COALESCE(tv.error, bv.reason) AS stats_reason, bv.fetched_at AS stats_fetched_at,
bv.suspect_views, bv.suspect_likes, bv.suspect_at
"""

TASK_JOINS = f"""
{TASKS_WITH_VIDEOS}
LEFT JOIN broadcaster_videos bv ON bv.platform = tv.platform AND bv.video_id = tv.video_id
LEFT JOIN broadcaster_tasks s ON s.task_id = d.task_id
"""

FETCH_TASK = f"SELECT {TASK_COLUMNS} {TASK_JOINS} WHERE d.task_id = %(task_id)s"

INSERT_TASK = f"""
INSERT INTO drama_tasks (title, video_url, callback_url, callback_secret, project_id,
                         external_task_id, duration, status, callback_status, callback_retry_count,
                         created_at)
VALUES (%(title)s, %(video_url)s, %(callback_url)s, %(callback_secret)s, %(project_id)s,
        %(external_task_id)s, %(duration)s, %(status)s, '{CallbackStatus.PENDING}', 0, NOW() AT TIME ZONE 'UTC')
RETURNING task_id
"""

#: The columns PATCH /api/tasks/<id> may change.
EDITABLE_TASK_COLUMNS = frozenset({
    "title", "video_url", "callback_url", "callback_secret", "project_id", "external_task_id", "duration", "status",
})


def update_task(columns: Iterable[str]) -> pgsql.Composed:
    """``UPDATE drama_tasks SET col = %(col)s, … WHERE task_id = %(task_id)s`` for editable columns."""
    columns = list(columns)
    unknown = set(columns) - EDITABLE_TASK_COLUMNS
    if unknown or not columns:
        raise ValueError(f"not editable: {sorted(unknown) or 'nothing'}")
    assignments = pgsql.SQL(", ").join(
        pgsql.SQL("{} = {}").format(pgsql.Identifier(name), pgsql.Placeholder(name)) for name in columns
    )
    return pgsql.SQL("UPDATE drama_tasks SET {} WHERE task_id = %(task_id)s").format(assignments)

