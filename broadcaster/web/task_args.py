"""GET /api/tasks's arguments (DESIGN §13): search, filters, sort and paging, declared and checked."""

from __future__ import annotations

from broadcaster.core.states import CallbackStatus, Platform, TaskStatus
from broadcaster.reports.tasklist import SORTS, STATS_STATUSES, TaskListQuery
from broadcaster.web.inputs import ChoiceArg, IntArg, TextArg

MAX_QUERY = 200

#: The list's filters and sort; the CSV export takes the same (without paging).
TASK_FILTERS = (
    TextArg("q", MAX_QUERY, "标题中的文字，或任务 ID、X2C 任务 ID、项目 ID（完全相同的排在最前）"),
    ChoiceArg("platform", tuple(Platform)),
    ChoiceArg("stats_status", STATS_STATUSES, "never 尚未读取 / suspect 疑似异常，其余为最近一次读取的结果"),
    ChoiceArg("callback_status", tuple(CallbackStatus)),
    ChoiceArg("status", tuple(TaskStatus)),
    ChoiceArg("sort", SORTS, "id 最新创建（默认）/ stale 计数最旧的在前 / views 播放量最高"),
)
TASK_PAGING = (
    IntArg("limit", 200, 1, 1000),
    IntArg("offset", 0, 0, 10_000_000),
)


def task_list_query(q: str | None, platform: str | None, stats_status: str | None, callback_status: str | None,
                    status: str | None, sort: str | None, limit: int = 200, offset: int = 0) -> TaskListQuery:
    """The list request from its checked arguments (TASK_FILTERS and TASK_PAGING)."""
    return TaskListQuery(
        q=(q.strip() or None) if q is not None else None,
        platform=platform,
        stats_status=stats_status,
        callback_status=callback_status,
        status=status,
        sort=sort or "id",
        limit=limit,
        offset=offset,
    )
