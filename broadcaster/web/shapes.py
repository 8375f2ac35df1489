"""The admin API's answers: the JSON shapes of RUN, TASK, a log row and the error body.

Each answer is built from its JSON Schema (`broadcaster.core.json_schema`), which the OpenAPI
document publishes as it is. Every refusal has one body, `{"success": false, "error": "<中文原因>"}`
(ERROR). What a request may send, and its checks, are `broadcaster.web.inputs`.
"""

from __future__ import annotations

import json

from flask import jsonify

from broadcaster.core.json_schema import (
    ANY,
    BOOLEAN,
    CHINESE_TEXT,
    INTEGER,
    STRING,
    TIME,
    described,
    nullable,
    obj,
    one_of_values,
    project,
)
from broadcaster.core.states import FetchStatus, Platform, RunStatus, Scope, Trigger
from broadcaster.delivery.payload import rebuilt_body
from broadcaster.engine.freshness import FRESHNESS

ERROR = obj({"success": {"const": False}, "error": CHINESE_TEXT}, title="Error",
            description="每个错误的统一格式：success 为 false，error 为中文原因")


#: The Chinese reason of each refusal that the server decides rather than a view: werkzeug's
#: (routing, body size) and gunicorn's (a malformed or oversized request, broadcaster.web.http_worker).
HTTP_MESSAGES = {
    400: "请求格式不正确",
    404: "未找到该地址",
    405: "不支持该请求方法",
    408: "请求超时",
    411: "缺少请求体长度（Content-Length）",
    413: "请求体过大",
    414: "请求地址过长",
    415: "请求体必须是 JSON",
    417: "不支持该 Expect 请求头",
    431: "请求头过大或过多",
    500: "服务器内部错误",
    503: "服务暂时不可用，请稍后重试",
}


def http_message(status: int) -> str:
    """The Chinese reason for a refusal with this status."""
    return HTTP_MESSAGES.get(status, f"请求无法处理（HTTP {status}）")


def error_body(message: str) -> dict:
    """ERROR: `{"success": false, "error": …}`."""
    # A message may echo client input (a field name); an unpaired surrogate in it would make
    # the JSON answer unencodable.
    return {"success": False, "error": message.encode("utf-8", "replace").decode("utf-8")}


def error_response(message: str, status: int):
    """The JSON error body `{"success": false, "error": …}` with its status."""
    response = jsonify(error_body(message))
    response.status_code = status
    return response


# --------------------------------------------------------------------------------------------
# Answers


RUN = obj({
    "id": INTEGER,
    "trigger": one_of_values(Trigger, "schedule 定时 / manual 手动 / cli 命令行"),
    "scope": one_of_values(Scope, "all 全部进行中的任务 / selected 指定的任务"),
    "status": one_of_values(RunStatus),
    "started_at": TIME,
    "finished_at": nullable(TIME),
    "total": INTEGER,
    "done": INTEGER,
    "success_count": INTEGER,
    "failed_count": INTEGER,
    "error": nullable(STRING),
    "freshness": nullable(FRESHNESS),
    "triggered_by": described(nullable(STRING), "手动回传的操作用户；定时和命令行回传为 null"),
}, title="Run", description="一轮回传（RUN）")


def run_json(row: dict | None) -> dict | None:
    """RUN of docs/http-api.md#run."""
    return None if row is None else project(RUN, row)


SUSPECT = obj({"views": nullable(INTEGER), "likes": nullable(INTEGER), "at": TIME}, title="SuspectCounts",
              description="被暂扣的疑似异常计数（docs/operations.md#suspect-counts）")

TASK = obj({
    "task_id": described(INTEGER, "本库的任务 ID"),
    "external_task_id": described(nullable(INTEGER), "X2C 的任务 ID；回传的 task_id 优先用它"),
    "project_id": nullable(STRING),
    "title": nullable(STRING),
    "status": described(STRING, "active 进行中 / paused 已暂停（机器人也可能写入其他值）"),
    "video_url": nullable(STRING),
    "platform": nullable(one_of_values(Platform)),
    "duration": nullable(INTEGER),
    "callback_url": nullable(STRING),
    "has_callback_secret": described(BOOLEAN, "是否设置了回调密钥；密钥本身从不返回"),
    "callback_status": described(nullable(STRING), "pending / success / failed"),
    "callback_retry_count": described(nullable(INTEGER), "连续失败的次数"),
    "view_count": nullable(INTEGER),
    "like_count": nullable(INTEGER),
    "stats_status": nullable(one_of_values(FetchStatus)),
    "stats_reason": nullable(STRING),
    "callback_last_attempt": nullable(TIME),
    "created_at": nullable(TIME),
    "stats_fetched_at": nullable(TIME),
    "stats_suspect": nullable(SUSPECT),
}, title="Task", description="一个任务（TASK）：最近的计数和回传状态，从不含回调密钥")


def task_json(row: dict) -> dict:
    """TASK: a task with its latest counts and delivery status; never its secret."""
    return project(TASK, row, stats_suspect=suspect_json(row))


def suspect_json(row: dict) -> dict | None:
    """A task's counts held back as suspect (docs/operations.md#suspect-counts), or None."""
    if row.get("suspect_at") is None:
        return None
    return project(SUSPECT, {"views": row["suspect_views"], "likes": row["suspect_likes"], "at": row["suspect_at"]})


#: One webhook log row, as GET /api/webhook-logs answers it.
LOG_ROW = obj({
    "id": INTEGER,
    "run_id": nullable(INTEGER),
    "task_id": nullable(INTEGER),
    "task_title": nullable(STRING),
    "project_id": nullable(STRING),
    "callback_url": nullable(STRING),
    "callback_status": described(nullable(STRING), "success / failed"),
    "http_status": nullable(INTEGER),
    "attempts": nullable(INTEGER),
    "latency_ms": nullable(INTEGER),
    "error": nullable(STRING),
    "views": described(nullable(INTEGER), "发出的请求体中的播放量；没有发出请求时为 null"),
    "likes": described(nullable(INTEGER), "发出的请求体中的点赞数"),
    "age_s": described(nullable(INTEGER), "发出时这些计数已读取了多少秒"),
    "payload": described(ANY, "实际发送的请求体（JSON）；没有发出时为 null"),
    "created_at": TIME,
}, title="WebhookLog", description="回传日志的一行：一个任务在一轮中的回传")

#: A task's outcome in one pass (RUN's `items`).
RUN_ITEM = obj({name: LOG_ROW["properties"][name] for name in (
    "task_id", "task_title", "callback_status", "http_status", "attempts", "latency_ms", "error", "created_at")},
    title="RunItem", description="某一轮中一个任务的结果")


def log_json(row: dict, shape: dict = LOG_ROW) -> dict:
    """One webhook log row (`shape`: LOG_ROW, or RUN_ITEM for a run's items): `payload` is the
    body sent, as an object."""
    if "payload" not in shape["properties"]:
        return project(shape, row)
    body = logged_body(row)
    return project(shape, row, payload=json.loads(body) if body is not None else None)


def logged_body(row: dict) -> str | None:
    """The body a log row sent, as text: a record's built again byte for byte, an older row's
    (written into webhook_logs before 0002) as its stored JSON; None when no webhook was tried."""
    if row["payload"] is not None:
        return json.dumps(row["payload"], ensure_ascii=False)
    if row["attempted"] and row["body_format"] is not None:
        return rebuilt_body(row).decode("utf-8")
    return None
