"""Tasks: the list (search, filters, sort, paging; docs/operations.md#csv-exports) and its CSV, register, edit, history.

The list is read by `broadcaster.reports.tasklist`, a task's count history by
`broadcaster.reports.history`; the list's arguments are declared here once, for the JSON list
and the CSV alike.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from broadcaster.access import audit
from broadcaster.access.audit import audited
from broadcaster.core.json_schema import INTEGER, array, described, shaped
from broadcaster.core.states import CallbackStatus, Platform, TaskStatus
from broadcaster.reports import history, tasklist
from broadcaster.reports.tasklist import SORTS, STATS_STATUSES, TASK_COUNTS, TaskListQuery
from broadcaster.storage import queries
from broadcaster.web.csv_export import CSV_NOTE, csv_response
from broadcaster.web.inputs import (
    TASK_CHANGES,
    TASK_INPUT,
    BadRequest,
    ChoiceArg,
    IntArg,
    TextArg,
    json_object,
    validate_task,
)
from broadcaster.web.openapi import documented, envelope, json_answer, media_answer
from broadcaster.web.shapes import TASK, error_response, task_json
from broadcaster.web.state import app_state

bp = Blueprint("tasks", __name__)

MAX_QUERY = 200
TASK_NOT_FOUND = "未找到该任务"

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
TASK_PAGE = envelope(array(TASK), total=described(INTEGER, "匹配筛选条件的任务数"),
                     counts=described(TASK_COUNTS, "整张表的任务数"), title="TaskPage")
TASK_CSV = (
    ("任务ID", "task_id"), ("X2C任务ID", "external_task_id"), ("项目ID", "project_id"), ("标题", "title"),
    ("状态", "status"), ("平台", "platform"), ("视频链接", "video_url"), ("时长", "duration"),
    ("回调地址", "callback_url"), ("回传状态", "callback_status"), ("连续失败次数", "callback_retry_count"),
    ("最近回传时间", "callback_last_attempt"), ("播放量", "view_count"), ("点赞数", "like_count"),
    ("数据状态", "stats_status"), ("数据说明", "stats_reason"), ("数据读取时间", "stats_fetched_at"),
    ("疑似异常播放量", "suspect_views"), ("疑似异常点赞数", "suspect_likes"), ("疑似异常时间", "suspect_at"),
    ("创建时间", "created_at"),
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


@bp.get("/api/tasks")
@documented("任务列表：搜索、筛选、排序和分页（docs/architecture.md#the-task-list-at-any-size）", tag="任务", query=[*TASK_FILTERS, *TASK_PAGING],
            ok=json_answer(TASK_PAGE, "这一页的任务，total 为匹配数，counts 为整张表的任务数"))
def list_tasks(**arguments):
    """A page of the tasks matching a search and filters, with the true totals (docs/operations.md#integrity)."""
    rows, total, counts = tasklist.list_tasks(app_state().database, task_list_query(**arguments))
    return jsonify(shaped(TASK_PAGE, success=True, data=[task_json(row) for row in rows], total=total, counts=counts))


@bp.get("/api/tasks.csv")
@documented("导出任务列表（CSV）", tag="任务", query=TASK_FILTERS, ok=media_answer("text/csv", CSV_NOTE))
def tasks_csv(**filters):
    """The task list (same filters as GET /api/tasks, every matching task) as CSV."""
    sql, params = tasklist.export_statement(app_state().database, task_list_query(**filters))
    return csv_response("tasks.csv", TASK_CSV, sql, params)


@bp.post("/api/tasks")
@audited(audit.TASK_CREATE)
@documented("注册任务", tag="任务", body=TASK_INPUT, ok={201: json_answer(envelope(TASK), "已注册的任务")})
def create_task():
    """Register a task."""
    fields = validate_task(json_object(), app_state().config, partial=False)
    fields.setdefault("status", TaskStatus.ACTIVE)
    for optional in ("callback_secret", "project_id", "external_task_id", "duration"):
        fields.setdefault(optional, None)
    database = app_state().database
    row = database.fetch_one(queries.INSERT_TASK, fields)
    tasklist.fill_link_platforms(database)
    task = database.fetch_one(queries.FETCH_TASK, {"task_id": row["task_id"]})
    return jsonify({"success": True, "data": task_json(task)}), 201


@bp.patch("/api/tasks/<int:task_id>")
@audited(audit.TASK_UPDATE)
@documented("暂停、恢复或修改任务", tag="任务", body=TASK_CHANGES, ok=json_answer(envelope(TASK), "修改后的任务"),
            errors={404: TASK_NOT_FOUND}, examples={"task_id": 1})
def update_task(task_id: int):
    """Pause, resume or edit a task."""
    fields = validate_task(json_object(), app_state().config, partial=True)
    if not fields:
        raise BadRequest("没有需要修改的字段")
    database = app_state().database
    count = database.execute(queries.update_task(fields), {**fields, "task_id": task_id})
    if count == 0:
        return error_response(TASK_NOT_FOUND, 404)
    tasklist.fill_link_platforms(database)
    return jsonify({"success": True, "data": task_json(database.fetch_one(queries.FETCH_TASK, {"task_id": task_id}))})


@bp.get("/api/tasks/<int:task_id>/history")
@documented("任务视频的计数走势，最早的在前", tag="任务",
            query=[IntArg("hours", history.DEFAULT_HOURS, 1, history.MAX_HOURS, "最近多少小时")],
            ok=json_answer(envelope(history.HISTORY), "计数走势"), errors={404: TASK_NOT_FOUND},
            examples={"task_id": 1})
def task_history(task_id: int, hours: int):
    """How the task's video counts moved over the last `hours` (default 168), oldest first."""
    data = history.task_history(app_state().database, task_id, hours)
    if data is None:
        return error_response(TASK_NOT_FOUND, 404)
    return jsonify({"success": True, "data": data})
