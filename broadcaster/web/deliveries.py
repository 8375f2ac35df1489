"""What was delivered (docs/operations.md#callback-hosts): the webhook log, as JSON and as CSV, and each callback host's record.

The webhook log answers "what exactly did you send us for task N", its CSV in a file X2C can
open; GET /api/callback-hosts tells operators whether X2C's receivers are the problem
(`broadcaster.reports.hosts`).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from broadcaster.core.json_schema import INTEGER, NUMBER, STRING, TIME, array, described, nullable, obj, project
from broadcaster.core.states import CallbackStatus
from broadcaster.reports import hosts
from broadcaster.storage import queries
from broadcaster.storage.db import INT32_MAX
from broadcaster.web.csv_export import CSV_NOTE, csv_response
from broadcaster.web.inputs import ChoiceArg, IntArg
from broadcaster.web.openapi import documented, envelope, json_answer, media_answer
from broadcaster.web.shapes import LOG_ROW, log_json
from broadcaster.web.state import app_state

bp = Blueprint("deliveries", __name__)

LOG_HOURS_MAX = 24 * 90
HOSTS_HOURS_DEFAULT = 24
HOSTS_HOURS_MAX = hosts.MAX_HOURS

LOG_CSV = (
    ("日志ID", "id"), ("时间", "created_at"), ("轮次", "run_id"), ("任务ID", "task_id"), ("标题", "task_title"),
    ("项目ID", "project_id"), ("回调地址", "callback_url"), ("回传状态", "callback_status"),
    ("HTTP状态码", "http_status"), ("尝试次数", "attempts"), ("耗时(毫秒)", "latency_ms"), ("播放量", "views"),
    ("点赞数", "likes"), ("数据时效(秒)", "age_s"), ("错误", "error"), ("回传内容", "payload"),
)

#: The webhook log's filters (GET /api/webhook-logs and its CSV).
LOG_FILTERS = (
    IntArg("hours", 24, 1, LOG_HOURS_MAX, "最近多少小时"),
    ChoiceArg("status", (CallbackStatus.SUCCESS, CallbackStatus.FAILED)),
    IntArg("task_id", None, 1, INT32_MAX, "本库的任务 ID"),
)

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
    """HOST of docs/http-api.md#routes, plus `attempts`: the HTTP requests behind the deliveries (retries included)."""
    return project(HOST, row, success_rate=round(row["success_rate"], 4))


@bp.get("/api/webhook-logs")
@documented("回传日志：每个任务每轮一行，最新的在前", tag="日志与回调主机",
            query=[*LOG_FILTERS, IntArg("limit", 100, 1, 1000)],
            ok=json_answer(envelope(array(LOG_ROW)), "回传日志"))
def webhook_logs(limit: int, **filters):
    """The per-task webhook log, newest first (filters: LOG_FILTERS)."""
    rows = app_state().database.fetch_all(queries.FETCH_WEBHOOK_LOGS, {**filters, "limit": limit})
    return jsonify({"success": True, "data": [log_json(row) for row in rows]})


@bp.get("/api/webhook-logs.csv")
@documented("导出回传日志（CSV）", tag="日志与回调主机", query=LOG_FILTERS, ok=media_answer("text/csv", CSV_NOTE))
def webhook_logs_csv(**filters):
    """The webhook log (same filters as GET /api/webhook-logs, every matching row) as CSV."""
    return csv_response("webhook-logs.csv", LOG_CSV, queries.EXPORT_WEBHOOK_LOGS, filters)


@bp.get("/api/callback-hosts")
@documented("每个回调主机的回传次数、成功率、耗时和最近的错误，回传最多的在前", tag="日志与回调主机",
            query=[IntArg("hours", HOSTS_HOURS_DEFAULT, 1, HOSTS_HOURS_MAX, "最近多少小时")],
            ok=json_answer(envelope(array(HOST)), "回调主机列表"))
def callback_hosts(hours: int):
    """Each callback host's deliveries, success rate, latency and last error over the last `hours`."""
    rows = hosts.callback_host_rows(app_state().database, hours)
    return jsonify({"success": True, "data": [host_json(row) for row in rows]})
