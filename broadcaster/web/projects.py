"""Insight by drama (docs/architecture.md#insight-by-drama): GET /api/projects, its CSV, and one project with its chart and tasks.

The figures are read from the last refresh (`broadcaster.reports.projects`); every answer says when that
was (`as_of`). Authentication is the app's before_request hook, which covers every blueprint.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from broadcaster.core.clock import isoformat
from broadcaster.core.json_schema import INTEGER, STRING, TIME, array, described, nullable, obj, project
from broadcaster.reports import projects
from broadcaster.web.csv_export import CSV_NOTE, csv_response
from broadcaster.web.inputs import BadRequest, ChoiceArg, IntArg, TextArg
from broadcaster.web.openapi import documented, envelope, json_answer, media_answer
from broadcaster.web.shapes import TASK, error_response, task_json
from broadcaster.web.state import app_state

bp = Blueprint("projects", __name__)

MAX_QUERY = 200
MAX_PROJECT_ID = 128  # as a task's project_id (inputs.MAX_TEXT)
ITEMS_DEFAULT, ITEMS_MAX = 200, 1000

PROJECT_CSV = (
    ("项目ID", "project_id"), ("示例标题", "sample_title"), ("任务数", "tasks"), ("进行中任务数", "active_tasks"),
    ("视频数", "videos"), ("不可用视频数", "unavailable"), ("停滞任务数", "stalled"), ("播放量", "views"),
    ("点赞数", "likes"), ("YouTube与抖音播放量", "yt_views"), ("TikTok播放量", "tt_views"),
    ("24小时新增播放", "gain_24h"), ("7天新增播放", "gain_7d"), ("最近读取时间", "last_read_at"),
)


#: PROJECT of docs/architecture.md#insight-by-drama: a drama, the tasks sharing a project_id.
PROJECT = obj({
    "project_id": STRING,
    "sample_title": nullable(STRING),
    "tasks": described(INTEGER, "任务数"),
    "active_tasks": described(INTEGER, "进行中的任务数"),
    "videos": described(INTEGER, "不同的视频数（同一视频被多个任务引用只算一次），含不可用的"),
    "unavailable": described(INTEGER, "不可用的视频数"),
    "stalled": described(INTEGER, "停滞的进行中任务数：视频已读取 STALL_DAYS 天以上且这些天没有新增播放"),
    "views": described(nullable(INTEGER), "各视频最近一次读数之和（每个视频只算一次）"),
    "likes": nullable(INTEGER),
    "yt_views": described(nullable(INTEGER), "YouTube 与抖音（X2C 的 yt_*）"),
    "tt_views": described(nullable(INTEGER), "TikTok"),
    "gain_24h": described(INTEGER, "最近 24 小时新增播放：各视频窗口内最后一个计数点减第一个"),
    "gain_7d": described(INTEGER, "最近 7 天新增播放"),
    "last_read_at": nullable(TIME),
}, title="Project", description="一个项目（短剧）：共享同一 project_id 的任务")
SERIES_POINT = obj({"at": TIME, "views": nullable(INTEGER), "likes": nullable(INTEGER)}, title="ProjectPoint",
                   description="某个整点结束时项目的总数，最后一点是现在")
PROJECT_DETAIL = obj({**PROJECT["properties"], "series": array(SERIES_POINT),
                      "items": described(array(TASK), "项目的任务，播放量最多的在前")},
                     title="ProjectDetail")
AS_OF = {"as_of": described(nullable(TIME), "这些数字的计算时间（最近一次刷新）")}
PROJECT_QUERY = [
    TextArg("q", MAX_QUERY, "项目 ID（完全相同）或任务标题中的文字"),
    ChoiceArg("sort", projects.SORTS, "排序，从大到小；默认 views"),
    IntArg("limit", 50, 1, 1000, "每页多少个"),
    IntArg("offset", 0, 0, 10_000_000, "跳过多少个"),
]


def project_json(row: dict) -> dict:
    """PROJECT of docs/architecture.md#insight-by-drama."""
    return project(PROJECT, row)


def project_query(q: str | None, sort: str | None, limit: int, offset: int) -> projects.ProjectQuery:
    """The list's arguments (checked by PROJECT_QUERY)."""
    return projects.ProjectQuery(q=(q.strip() or None) if q is not None else None, sort=sort or "views",
                                 limit=limit, offset=offset)


@bp.get("/api/projects")
@documented("项目（短剧）列表：汇总、新增播放和停滞任务", tag="项目", query=PROJECT_QUERY,
            ok=json_answer(envelope(array(PROJECT), total=described(INTEGER, "符合条件的项目总数"), **AS_OF),
                           "一页项目"))
def list_projects(**arguments):
    """A page of the projects matching `q`, largest first by `sort`, with how many match."""
    query = project_query(**arguments)
    state = app_state()
    config, database = state.config, state.database
    as_of = projects.as_of(database, config)
    rows, total = projects.list_projects(database, query)
    return jsonify({"success": True, "data": [project_json(row) for row in rows], "total": total,
                    "as_of": isoformat(as_of)})


@bp.get("/api/projects.csv")
@documented("导出项目列表（CSV）", tag="项目", query=PROJECT_QUERY, ok=media_answer("text/csv", CSV_NOTE))
def projects_csv(**arguments):
    """Every project the list's arguments match, as CSV (limit and offset do not apply)."""
    query = project_query(**arguments)
    state = app_state()
    projects.as_of(state.database, state.config)
    sql, params = projects.export_statement(query)
    return csv_response("projects.csv", PROJECT_CSV, sql, params)


@bp.get("/api/projects/<project_id>")
@documented("一个项目：汇总、按小时的走势和它的任务", tag="项目",
            query=[IntArg("hours", projects.SERIES_DEFAULT_HOURS, 1, projects.SERIES_MAX_HOURS, "走势最近多少小时"),
                   IntArg("limit", ITEMS_DEFAULT, 1, ITEMS_MAX, "最多多少个任务"),
                   IntArg("offset", 0, 0, 10_000_000, "跳过多少个任务")],
            ok=json_answer(envelope(PROJECT_DETAIL, **AS_OF), "这个项目"), errors={404: "未找到该项目"},
            examples={"project_id": "550e8400-e29b-41d4-a716-446655440000"})
def project_detail(project_id: str, hours: int, limit: int, offset: int):
    """PROJECT with its hourly totals over the last `hours` and its tasks, most viewed first."""
    if len(project_id) > MAX_PROJECT_ID or "\x00" in project_id or not project_id.isprintable():
        raise BadRequest("项目 ID 无效")
    state = app_state()
    config, database = state.config, state.database
    as_of = projects.as_of(database, config)
    row = projects.project(database, project_id)
    if row is None:
        return error_response("未找到该项目", 404)
    data = project_json(row)
    data["series"] = [{"at": isoformat(point["at"]), "views": point["views"], "likes": point["likes"]}
                      for point in projects.series(database, project_id, hours, row, as_of)]
    data["items"] = [task_json(task) for task in projects.project_tasks(database, project_id, limit, offset)]
    return jsonify({"success": True, "data": data, "as_of": isoformat(as_of)})
