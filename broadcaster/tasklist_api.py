"""GET /api/tasks's arguments (DESIGN §13): search, filters, sort and paging, checked."""

from __future__ import annotations

from broadcaster.api_shapes import choice_arg, int_arg, text_arg
from broadcaster.states import CallbackStatus, Platform, TaskStatus
from broadcaster.tasklist import SORTS, STATS_STATUSES, TaskListQuery

MAX_QUERY = 200


def task_list_query() -> TaskListQuery:
    """The list request's arguments; BadRequest names the one that is wrong."""
    q = text_arg("q", MAX_QUERY)
    return TaskListQuery(
        q=(q.strip() or None) if q is not None else None,
        platform=choice_arg("platform", tuple(Platform)),
        stats_status=choice_arg("stats_status", STATS_STATUSES),
        callback_status=choice_arg("callback_status", tuple(CallbackStatus)),
        status=choice_arg("status", tuple(TaskStatus)),
        sort=choice_arg("sort", SORTS) or "id",
        limit=int_arg("limit", 200, 1, 1000),
        offset=int_arg("offset", 0, 0, 10_000_000),
    )
