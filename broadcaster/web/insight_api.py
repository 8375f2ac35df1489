"""Delivery insight routes (DESIGN §13): callback hosts and the CSV exports.

GET /api/callback-hosts tells operators whether X2C's receivers are the problem; the CSV
exports answer "what exactly did you send us for task N" in a file X2C can open. The webhook
log's filters live here too (`LOG_FILTERS`), shared by its JSON route in admin_api and its CSV;
the task list's CSV takes GET /api/tasks's own filters (`tasklist_api.TASK_FILTERS`).
Authentication is the app's before_request hook, which covers every blueprint.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from broadcaster.core.clock import isoformat
from broadcaster.core.json_schema import INTEGER, NUMBER, STRING, TIME, array, described, nullable, obj, project
from broadcaster.core.states import CallbackStatus
from broadcaster.reports import hosts, tasklist
from broadcaster.storage import queries
from broadcaster.storage.db import INT32_MAX, Database
from broadcaster.web.csv_export import csv_chunks
from broadcaster.web.inputs import ChoiceArg, IntArg
from broadcaster.web.openapi import documented, envelope, json_answer, media_answer
from broadcaster.web.shapes import logged_body
from broadcaster.web.state import app_state
from broadcaster.web.task_args import TASK_FILTERS, task_list_query

bp = Blueprint("insight", __name__)

LOG_HOURS_MAX = 24 * 90
HOSTS_HOURS_DEFAULT = 24
HOSTS_HOURS_MAX = hosts.MAX_HOURS
STREAM_ROWS = 2000  # rows per round trip of an export's server-side cursor

TASK_CSV = (
    ("任务ID", "task_id"), ("X2C任务ID", "external_task_id"), ("项目ID", "project_id"), ("标题", "title"),
    ("状态", "status"), ("平台", "platform"), ("视频链接", "video_url"), ("时长", "duration"),
    ("回调地址", "callback_url"), ("回传状态", "callback_status"), ("连续失败次数", "callback_retry_count"),
    ("最近回传时间", "callback_last_attempt"), ("播放量", "view_count"), ("点赞数", "like_count"),
    ("数据状态", "stats_status"), ("数据说明", "stats_reason"), ("数据读取时间", "stats_fetched_at"),
    ("疑似异常播放量", "suspect_views"), ("疑似异常点赞数", "suspect_likes"), ("疑似异常时间", "suspect_at"),
    ("创建时间", "created_at"),
)
LOG_CSV = (
    ("日志ID", "id"), ("时间", "created_at"), ("轮次", "run_id"), ("任务ID", "task_id"), ("标题", "task_title"),
    ("项目ID", "project_id"), ("回调地址", "callback_url"), ("回传状态", "callback_status"),
    ("HTTP状态码", "http_status"), ("尝试次数", "attempts"), ("耗时(毫秒)", "latency_ms"), ("播放量", "views"),
    ("点赞数", "likes"), ("数据时效(秒)", "age_s"), ("错误", "error"), ("回传内容", "payload"),
)
TIME_COLUMNS = frozenset({"callback_last_attempt", "stats_fetched_at", "suspect_at", "created_at", "last_read_at"})


def _database() -> Database:
    return app_state().database


#: The webhook log's filters (GET /api/webhook-logs and its CSV).
LOG_FILTERS = (
    IntArg("hours", 24, 1, LOG_HOURS_MAX, "最近多少小时"),
    ChoiceArg("status", (CallbackStatus.SUCCESS, CallbackStatus.FAILED)),
    IntArg("task_id", None, 1, INT32_MAX, "本库的任务 ID"),
)
CSV_NOTE = "UTF-8 带 BOM（Excel 可直接打开），中文表头，按筛选条件导出全部匹配的行"

HOST = obj({
    "host": described(STRING, "回调地址中的主机名"),
    "tasks": INTEGER,
    "deliveries": described(INTEGER, "回传次数：每个任务每轮一次，轮内重试算一次"),
    "attempts": described(INTEGER, "实际发出的 HTTP 请求数（含重试）"),
    "success_rate": {**NUMBER, "minimum": 0, "maximum": 1},
    "p50_ms": nullable(INTEGER),
    "p95_ms": nullable(INTEGER),
    "last_success_at": nullable(TIME),
    "last_error": nullable(STRING),
    "last_error_at": nullable(TIME),
}, title="CallbackHost", description="一个回调主机在时间窗口内的表现（HOST）")


def host_json(row: dict) -> dict:
    """HOST of DESIGN §13, plus `attempts`: the HTTP requests behind the deliveries (retries included)."""
    return project(HOST, row, success_rate=round(row["success_rate"], 4))


@bp.get("/api/callback-hosts")
@documented("每个回调主机的回传次数、成功率、耗时和最近的错误，回传最多的在前", tag="日志与回调主机",
            query=[IntArg("hours", HOSTS_HOURS_DEFAULT, 1, HOSTS_HOURS_MAX, "最近多少小时")],
            ok=json_answer(envelope(array(HOST)), "回调主机列表"))
def callback_hosts(hours: int):
    """Each callback host's deliveries, success rate, latency and last error over the last `hours`."""
    rows = hosts.callback_host_rows(_database(), hours)
    return jsonify({"success": True, "data": [host_json(row) for row in rows]})


@bp.get("/api/tasks.csv")
@documented("导出任务列表（CSV）", tag="任务", query=TASK_FILTERS, ok=media_answer("text/csv", CSV_NOTE))
def tasks_csv(**filters):
    """The task list (same filters as GET /api/tasks, every matching task) as CSV."""
    sql, params = tasklist.export_statement(_database(), task_list_query(**filters))
    return csv_response("tasks.csv", TASK_CSV, sql, params)


@bp.get("/api/webhook-logs.csv")
@documented("导出回传日志（CSV）", tag="日志与回调主机", query=LOG_FILTERS, ok=media_answer("text/csv", CSV_NOTE))
def webhook_logs_csv(**filters):
    """The webhook log (same filters as GET /api/webhook-logs, every matching row) as CSV."""
    return csv_response("webhook-logs.csv", LOG_CSV, queries.EXPORT_WEBHOOK_LOGS, filters)


def _cell(row: dict, key: str):
    if key in TIME_COLUMNS:
        return isoformat(row[key])
    if key == "payload":
        return logged_body(row)  # the bytes sent, exactly
    return row[key]


def csv_response(filename: str, columns, sql: str, params: dict) -> Response:
    """Stream `sql`'s rows as a CSV download; filters were checked before the first byte."""
    header = [title for title, _ in columns]
    keys = [key for _, key in columns]
    rows = _database().stream(sql, params, itersize=STREAM_ROWS)

    def cells(row: dict) -> list:
        return [_cell(row, key) for key in keys]

    response = Response(csv_chunks(header, rows, cells), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
