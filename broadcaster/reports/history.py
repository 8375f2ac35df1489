"""How a task's video counts moved: the points of `broadcaster_count_points`.

The recorder stores a point per video whenever a refresh changes its counts (in the batch's
transaction, `queries.INSERT_COUNT_POINTS`); tasks sharing a video share its points. The
supervisor's upkeep thins older days and drops those past COUNT_HISTORY_DAYS (`broadcaster.storage.retention`).
"""

from __future__ import annotations

from broadcaster.core.json_schema import INTEGER, TIME, array, described, nullable, obj, one_of_values, project
from broadcaster.core.states import Platform
from broadcaster.storage import queries
from broadcaster.storage.db import Database

DEFAULT_HOURS = 168
MAX_HOURS = 24 * 3650  # the longest COUNT_HISTORY_DAYS
#: A window with more points is thinned to the newest point of each of this many equal time
#: slices: 30 days of 3-minute passes would be 14,400 points, far more than a chart can show.
MAX_POINTS = 1000


POINT = obj({"at": described(TIME, "读取时间"), "views": nullable(INTEGER), "likes": nullable(INTEGER)},
            title="CountPoint")
HISTORY = obj({"task_id": INTEGER, "platform": nullable(one_of_values(Platform)),
               "points": described(array(POINT), "最早的在前")}, title="TaskHistory")


def point_json(row: dict) -> dict:
    """One point: when the counts were read, and the views and likes then."""
    return project(POINT, {"at": row["recorded_at"], "views": row["view_count"], "likes": row["like_count"]})


def task_history(database: Database, task_id: int, hours: int) -> dict | None:
    """The points of the task's video over the last `hours`, oldest first; None for an unknown task."""
    task = database.fetch_one(queries.FETCH_TASK_VIDEO, {"task_id": task_id})
    if task is None:
        return None
    points = []
    if task["video_ref"] is not None:
        params = {"video_ref": task["video_ref"], "hours": hours,
                  "slice_s": hours * 3600 / MAX_POINTS, "max_points": MAX_POINTS}
        points = [point_json(row) for row in database.fetch_all(queries.FETCH_COUNT_HISTORY, params)]
    return project(HISTORY, task, points=points)
