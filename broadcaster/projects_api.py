"""Insight by drama (DESIGN §17): GET /api/projects, its CSV, and one project with its chart and tasks.

The figures are read from the last refresh (`broadcaster.projects`); every answer says when that
was (`as_of`). Authentication is the app's before_request hook, which covers every blueprint.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from broadcaster import projects
from broadcaster.api_shapes import BadRequest, choice_arg, error_response, int_arg, task_json, text_arg
from broadcaster.clock import isoformat
from broadcaster.insight_api import csv_response

bp = Blueprint("projects", __name__)

MAX_QUERY = 200
MAX_PROJECT_ID = 128  # as a task's project_id (api_shapes.MAX_TEXT)
ITEMS_DEFAULT, ITEMS_MAX = 200, 1000

PROJECT_CSV = (
    ("项目ID", "project_id"), ("示例标题", "sample_title"), ("任务数", "tasks"), ("进行中任务数", "active_tasks"),
    ("视频数", "videos"), ("不可用视频数", "unavailable"), ("停滞任务数", "stalled"), ("播放量", "views"),
    ("点赞数", "likes"), ("YouTube与抖音播放量", "yt_views"), ("TikTok播放量", "tt_views"),
    ("24小时新增播放", "gain_24h"), ("7天新增播放", "gain_7d"), ("最近读取时间", "last_read_at"),
)


def _state() -> dict:
    return current_app.extensions["broadcaster"]


def project_json(row: dict) -> dict:
    """PROJECT of DESIGN §17."""
    data = {key: row[key] for key in (
        "project_id", "sample_title", "tasks", "active_tasks", "videos", "unavailable", "stalled", "views", "likes",
        "yt_views", "tt_views", "gain_24h", "gain_7d")}
    data["last_read_at"] = isoformat(row["last_read_at"])
    return data


def project_query() -> projects.ProjectQuery:
    """The list's arguments: q, sort, limit, offset; BadRequest names the one that is wrong."""
    q = text_arg("q", MAX_QUERY)
    return projects.ProjectQuery(
        q=(q.strip() or None) if q is not None else None,
        sort=choice_arg("sort", projects.SORTS) or "views",
        limit=int_arg("limit", 50, 1, 1000),
        offset=int_arg("offset", 0, 0, 10_000_000),
    )


@bp.get("/api/projects")
def list_projects():
    """A page of the projects matching `q`, largest first by `sort`, with how many match."""
    query = project_query()
    config, database = _state()["config"], _state()["database"]
    as_of = projects.as_of(database, config)
    rows, total = projects.list_projects(database, query)
    return jsonify({"success": True, "data": [project_json(row) for row in rows], "total": total,
                    "as_of": isoformat(as_of)})


@bp.get("/api/projects.csv")
def projects_csv():
    """Every project the list's arguments match, as CSV (limit and offset do not apply)."""
    query = project_query()
    projects.as_of(_state()["database"], _state()["config"])
    sql, params = projects.export_statement(query)
    return csv_response("projects.csv", PROJECT_CSV, sql, params)


@bp.get("/api/projects/<project_id>")
def project_detail(project_id: str):
    """PROJECT with its hourly totals over the last `hours` and its tasks, most viewed first."""
    if len(project_id) > MAX_PROJECT_ID or "\x00" in project_id or not project_id.isprintable():
        raise BadRequest("项目 ID 无效")
    hours = int_arg("hours", projects.SERIES_DEFAULT_HOURS, 1, projects.SERIES_MAX_HOURS)
    limit = int_arg("limit", ITEMS_DEFAULT, 1, ITEMS_MAX)
    offset = int_arg("offset", 0, 0, 10_000_000)
    config, database = _state()["config"], _state()["database"]
    as_of = projects.as_of(database, config)
    row = projects.project(database, project_id)
    if row is None:
        return error_response("未找到该项目", 404)
    data = project_json(row)
    data["series"] = [{"at": isoformat(point["at"]), "views": point["views"], "likes": point["likes"]}
                      for point in projects.series(database, project_id, hours, row, as_of)]
    data["items"] = [task_json(task) for task in projects.project_tasks(database, project_id, limit, offset)]
    return jsonify({"success": True, "data": data, "as_of": isoformat(as_of)})
