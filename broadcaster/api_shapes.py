"""The admin API's JSON shapes and its input checks.

Answers are built here (RUN, TASK, a log row, the error body of every refusal), and client
input is checked here: query arguments, a task's fields and a selected pass's task ids. A bad
value raises `BadRequest`, whose Chinese message goes back in a 400.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import jsonify, request

import video_stats_fetcher as vsf
from broadcaster.clock import isoformat
from broadcaster.config import Config
from broadcaster.payload import rebuilt_body
from broadcaster.states import TaskStatus
from broadcaster.webhooks import CallbackURLError, check_callback_url

TASK_STATUSES = tuple(TaskStatus)
MAX_TEXT = {"title": 500, "callback_secret": 512, "project_id": 128}
INT32_MAX = 2**31 - 1
MAX_SELECTED_TASKS = 1000  # DESIGN §9: a selected pass names 1-1000 tasks
IDS_SHOWN = 10  # a refusal lists this many ids, then how many more


class BadRequest(Exception):
    """Invalid client input; the message (Chinese) goes back in a 400."""


def error_response(message: str, status: int):
    """The JSON error body `{"success": false, "error": …}` with its status."""
    # A message may echo client input (a field name); an unpaired surrogate in it would make
    # the JSON answer unencodable.
    message = message.encode("utf-8", "replace").decode("utf-8")
    response = jsonify({"success": False, "error": message})
    response.status_code = status
    return response


# --------------------------------------------------------------------------------------------
# Answers


def run_json(row: dict | None) -> dict | None:
    """RUN of DESIGN.md §6."""
    if row is None:
        return None
    return {
        "id": row["id"],
        "trigger": row["trigger"],
        "scope": row["scope"],
        "status": row["status"],
        "started_at": isoformat(row["started_at"]),
        "finished_at": isoformat(row["finished_at"]),
        "total": row["total"],
        "done": row["done"],
        "success_count": row["success_count"],
        "failed_count": row["failed_count"],
        "error": row.get("error"),
        "freshness": row.get("freshness"),
        "triggered_by": row.get("triggered_by"),
    }


def task_json(row: dict) -> dict:
    """TASK: a task with its latest counts and delivery status; never its secret."""
    data = {key: row[key] for key in (
        "task_id", "external_task_id", "project_id", "title", "status", "video_url", "platform",
        "duration", "callback_url", "has_callback_secret", "callback_status", "callback_retry_count",
        "view_count", "like_count", "stats_status", "stats_reason",
    )}
    data["callback_last_attempt"] = isoformat(row["callback_last_attempt"])
    data["created_at"] = isoformat(row["created_at"])
    data["stats_fetched_at"] = isoformat(row["stats_fetched_at"])
    data["stats_suspect"] = suspect_json(row)
    return data


def suspect_json(row: dict) -> dict | None:
    """A task's counts held back as suspect (DESIGN §13), or None."""
    if row.get("suspect_at") is None:
        return None
    return {"views": row["suspect_views"], "likes": row["suspect_likes"], "at": isoformat(row["suspect_at"])}


# Columns of the webhook log view that build a record's body; not shown as such.
_BODY_COLUMNS = frozenset({"attempted", "delivered", "body_format", "body_site_name", "body_task_id", "body_duration",
                           "body_platform", "body_views", "body_likes"})


def log_json(row: dict) -> dict:
    """One webhook log row (or a run's item): `payload` is the body sent, as an object."""
    data = {key: value for key, value in row.items() if key not in _BODY_COLUMNS}
    if "payload" in row:
        body = logged_body(row)
        data["payload"] = json.loads(body) if body is not None else None
    data["created_at"] = isoformat(row["created_at"])
    return data


def logged_body(row: dict) -> str | None:
    """The body a log row sent, as text: a record's built again byte for byte, an older row's
    (written into webhook_logs before 0002) as its stored JSON; None when no webhook was tried."""
    if row["payload"] is not None:
        return json.dumps(row["payload"], ensure_ascii=False)
    if row["attempted"] and row["body_format"] is not None:
        return rebuilt_body(row).decode("utf-8")
    return None


# --------------------------------------------------------------------------------------------
# Query arguments and bodies


def text_arg(name: str, max_len: int) -> str | None:
    """A short text query argument, or None when absent or empty."""
    value = request.args.get(name) or None
    if value is not None and len(value) > max_len:
        raise BadRequest(f"参数 {name} 过长")
    if value is not None:
        _check_characters(f"参数 {name}", value)
    return value


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """An integer query argument within [low, high], or `default` when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"参数 {name} 必须是整数") from None
    if not low <= value <= high:
        raise BadRequest(f"参数 {name} 必须在 {low}–{high} 之间")
    return value


def choice_arg(name: str, choices: tuple[str, ...]) -> str | None:
    """A query argument that must be one of `choices`, or None when absent or empty."""
    value = text_arg(name, 64)
    if value is not None and value not in choices:
        raise BadRequest(f"参数 {name} 只能是 {' / '.join(choices)}")
    return value


def json_object() -> dict:
    """The request body as a JSON object, or BadRequest."""
    try:
        data = request.get_json(silent=True, force=True)
    except RecursionError:  # json.loads gives up on deep nesting with this, not a ValueError
        data = None
    if not isinstance(data, dict):
        raise BadRequest("请求体必须是 JSON 对象")
    return data


# --------------------------------------------------------------------------------------------
# A selected pass: POST /api/broadcaster/trigger {"task_ids": [...]}


def trigger_body() -> dict:
    """The trigger's optional body: nothing, or a JSON object with at most `task_ids`."""
    if not request.get_data(cache=True).strip():
        return {}  # the plain trigger: every active task
    data = json_object()
    unknown = sorted(set(data) - {"task_ids"})
    if unknown:
        raise BadRequest(f"未知字段：{', '.join(unknown)}")
    return data


def clean_task_ids(value: Any) -> list[int]:
    """1-1000 distinct integer task ids, duplicates folded, in the order first given."""
    if not isinstance(value, list):
        raise BadRequest("task_ids 必须是任务 ID 的数组")
    if not value:
        raise BadRequest("task_ids 不能为空")
    wrong = [item for item in value if isinstance(item, bool) or not isinstance(item, int)]
    if wrong:
        raise BadRequest(f"task_ids 只能包含整数任务 ID，不能是 {_preview(wrong)}")
    ids = list(dict.fromkeys(value))
    if len(ids) > MAX_SELECTED_TASKS:
        raise BadRequest(f"task_ids 最多 {MAX_SELECTED_TASKS} 个（收到 {len(ids)} 个不同的 ID）")
    return ids


def selection_problem(ids: list[int], rows: Iterable[dict]) -> str | None:
    """Why these ids cannot make a pass (unknown, not active, nowhere to send), or None.

    `rows` are the stored tasks among `ids`, each with `selectable`: the pass's own filter.
    """
    found = {row["task_id"]: row for row in rows}
    unknown = [task_id for task_id in ids if task_id not in found]
    if unknown:
        return f"未找到这些任务：{_id_list(unknown)}"
    inactive = [task_id for task_id in ids if found[task_id]["status"] != TaskStatus.ACTIVE]
    if inactive:
        return f"这些任务未处于进行中（active）状态，不能回传：{_id_list(inactive)}"
    unsendable = [task_id for task_id in ids if not found[task_id]["selectable"]]
    if unsendable:
        return f"这些任务缺少回传地址或视频链接，不能回传：{_id_list(unsendable)}"
    return None


def storable_ids(ids: list[int]) -> list[int]:
    """The ids a PostgreSQL INTEGER can hold (others cannot name a stored task)."""
    return [task_id for task_id in ids if 0 < task_id <= INT32_MAX]


def _id_list(ids: list[int]) -> str:
    shown = ", ".join(f"#{task_id}" for task_id in ids[:IDS_SHOWN])
    return shown if len(ids) <= IDS_SHOWN else f"{shown} 等 {len(ids)} 个"


def _preview(values: list[Any]) -> str:
    text = ", ".join(repr(value) for value in values[:3])
    return text[:80] + ("…" if len(text) > 80 or len(values) > 3 else "")


# --------------------------------------------------------------------------------------------
# A task's fields: POST /api/tasks, PATCH /api/tasks/<id>


def validate_task(data: dict, config: Config, *, partial: bool) -> dict:
    """Check a task's fields; return the clean values or raise BadRequest with the reason."""
    allowed = {"title", "video_url", "callback_url", "callback_secret", "project_id", "external_task_id",
               "duration", "status"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise BadRequest(f"未知字段：{', '.join(unknown)}")
    if not partial:
        missing = [name for name in ("title", "video_url", "callback_url") if data.get(name) in (None, "")]
        if missing:
            raise BadRequest(f"缺少必填字段：{', '.join(missing)}")
    clean: dict[str, Any] = {}
    for name in ("title", "callback_secret", "project_id"):
        if name in data:
            clean[name] = _text_field(name, data[name], required=name == "title")
    if "video_url" in data:
        value = _text_field("video_url", data["video_url"], required=True, limit=2048)
        try:
            vsf.parse_video_url(value)
        except vsf.InvalidVideoURL as exc:
            raise BadRequest(f"video_url 无效：{exc}") from None
        clean["video_url"] = value
    if "callback_url" in data:
        if isinstance(data["callback_url"], str):
            _check_characters("callback_url", data["callback_url"])
        try:
            clean["callback_url"] = check_callback_url(
                data["callback_url"], allow_private=config.webhook_allow_private_networks
            )
        except CallbackURLError as exc:
            raise BadRequest(f"callback_url 无效：{exc}") from None
    if "external_task_id" in data:
        clean["external_task_id"] = _int_field("external_task_id", data["external_task_id"], 0, INT32_MAX)
    if "duration" in data:
        clean["duration"] = _int_field("duration", data["duration"], 0, 36500)
    if "status" in data:
        if data["status"] not in TASK_STATUSES:
            raise BadRequest(f"status 只能是 {' / '.join(TASK_STATUSES)}")
        clean["status"] = data["status"]
    return clean


def _text_field(name: str, value: Any, *, required: bool, limit: int | None = None) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{name} 必须是字符串")
    value = value.strip()
    if required and not value:
        raise BadRequest(f"{name} 不能为空")
    limit = limit or MAX_TEXT.get(name, 500)
    if len(value) > limit:
        raise BadRequest(f"{name} 过长（最多 {limit} 个字符）")
    _check_characters(name, value)
    return value or None


def _check_characters(name: str, value: str) -> None:
    # PostgreSQL text cannot hold NUL, and an unpaired surrogate (valid JSON: "\ud800") cannot
    # be encoded as UTF-8; the driver would fail on either with a 500.
    if "\x00" in value or not _encodable(value):
        raise BadRequest(f"{name} 含有非法字符")


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _int_field(name: str, value: Any, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} 必须是整数")
    if not low <= value <= high:
        raise BadRequest(f"{name} 必须在 {low}–{high} 之间")
    return value
