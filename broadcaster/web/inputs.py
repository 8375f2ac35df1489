"""The admin API's request checks: query arguments, request bodies, a task's fields, a pass's task ids.

Query arguments are declared once as `IntArg`, `TextArg` or `ChoiceArg`, for the view (which
`@documented` hands them to, checked) and the OpenAPI document alike; a body's JSON Schema
(TASK_INPUT, TASK_CHANGES, TRIGGER_INPUT) sits beside the function that checks it. A bad value
raises `BadRequest`, whose Chinese message goes back in a 400. The answers' shapes are
`broadcaster.web.shapes`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from broadcaster.core.config import Config
from broadcaster.core.errors import InvalidVideoURL
from broadcaster.core.json_schema import INTEGER, array, described, nullable, obj, one_of_values
from broadcaster.core.states import TaskStatus
from broadcaster.delivery.webhooks import MAX_CALLBACK_URL_LENGTH, CallbackURLError, check_callback_url
from broadcaster.fetching.urls import parse_video_url
from broadcaster.storage.db import INT32_MAX

TASK_STATUSES = tuple(TaskStatus)
MAX_TEXT = {"title": 500, "callback_secret": 512, "project_id": 128}
MAX_VIDEO_URL = 2048
MAX_DURATION = 36500
MAX_REQUEST_BYTES = 1 << 20  # a task is a few KB; larger bodies are refused with 413
MAX_SELECTED_TASKS = 1000  # docs/http-api.md#routes: a selected pass names 1-1000 tasks
IDS_SHOWN = 10  # a refusal lists this many ids, then how many more
_INTEGER = re.compile(r"-?[0-9]+")


class BadRequest(Exception):
    """Invalid client input; the message (Chinese) goes back in a 400."""


# --------------------------------------------------------------------------------------------
# Query arguments and bodies


def query_value(name: str) -> str | None:
    """The one value of a query argument, or None when absent; given twice is refused (a second
    filter silently ignored would answer another question than the one asked)."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"参数 {name} 只能给一次")
    return values[0] if values else None


def text_arg(name: str, max_len: int) -> str | None:
    """A short text query argument, or None when absent or empty."""
    value = query_value(name) or None
    if value is not None and len(value) > max_len:
        raise BadRequest(f"参数 {name} 过长")
    if value is not None:
        _check_characters(f"参数 {name}", value)
    return value


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """An integer query argument within [low, high], or `default` when absent."""
    raw = query_value(name)
    if raw is None or raw == "":
        return default
    try:
        # Decimal digits only: int() alone would also take " 5", "1_000" and other scripts' digits.
        value = int(raw) if _INTEGER.fullmatch(raw) else None
    except ValueError:  # more digits than Python converts
        value = None
    if value is None:
        raise BadRequest(f"参数 {name} 必须是整数")
    if not low <= value <= high:
        raise BadRequest(f"参数 {name} 必须在 {low}–{high} 之间")
    return value


def choice_arg(name: str, choices: tuple[str, ...]) -> str | None:
    """A query argument that must be one of `choices`, or None when absent or empty."""
    value = text_arg(name, 64)
    if value is not None and value not in choices:
        raise BadRequest(f"参数 {name} 只能是 {' / '.join(choices)}")
    return value


@dataclasses.dataclass(frozen=True)
class IntArg:
    """An integer query argument within [low, high]; `default` when absent or empty."""

    name: str
    default: int | None
    low: int
    high: int
    description: str = ""

    def read(self) -> int | None:
        """The checked value of the current request."""
        return int_arg(self.name, self.default, self.low, self.high)

    def schema(self) -> dict:
        """Its JSON Schema, for the OpenAPI document."""
        schema: dict[str, Any] = {"type": "integer", "minimum": self.low, "maximum": self.high}
        if self.default is not None:
            schema["default"] = self.default
        return schema


@dataclasses.dataclass(frozen=True)
class TextArg:
    """A short text query argument; None when absent or empty."""

    name: str
    max_len: int
    description: str = ""

    def read(self) -> str | None:
        """The checked value of the current request."""
        return text_arg(self.name, self.max_len)

    def schema(self) -> dict:
        """Its JSON Schema, for the OpenAPI document."""
        return {"type": "string", "maxLength": self.max_len}


@dataclasses.dataclass(frozen=True)
class ChoiceArg:
    """A query argument that is one of `choices`; None when absent or empty."""

    name: str
    choices: tuple[str, ...]
    description: str = ""

    def read(self) -> str | None:
        """The checked value of the current request."""
        return choice_arg(self.name, self.choices)

    def schema(self) -> dict:
        """Its JSON Schema, for the OpenAPI document."""
        return one_of_values(self.choices)


def request_body() -> bytes:
    """The request body, at most MAX_REQUEST_BYTES; a larger one is refused with 413.

    werkzeug refuses a Content-Length over the app's MAX_CONTENT_LENGTH before reading, but a
    chunked body (no Content-Length) it cuts at that length without a word, and the first
    megabyte of a longer body could parse. The app's limit is one byte more than ours, so a
    body read to that length was longer than allowed.
    """
    body = request.get_data(cache=True)
    if len(body) > MAX_REQUEST_BYTES:
        raise RequestEntityTooLarge()
    return body


def json_object() -> dict:
    """The request body as a JSON object (whatever its Content-Type says), or BadRequest."""
    try:
        data = json.loads(request_body())
    except (ValueError, RecursionError):  # RecursionError: json.loads gives up on deep nesting
        data = None
    if not isinstance(data, dict):
        raise BadRequest("请求体必须是 JSON 对象")
    return data


# --------------------------------------------------------------------------------------------
# A selected pass: POST /api/broadcaster/trigger {"task_ids": [...]}


TRIGGER_INPUT = obj({
    "task_ids": described(array(INTEGER, minItems=1),
                          f"本库的任务 ID，重复的只算一次；最多 {MAX_SELECTED_TASKS} 个不同的 ID，"
                          "且都必须是进行中、有回调地址和视频链接的任务"),
}, optional=("task_ids",), title="TriggerInput", examples=[{"task_ids": [1, 2]}],
    description="可选：只回传 task_ids 中的任务；没有请求体（或没有 task_ids）时回传全部进行中的任务")


def trigger_body() -> dict:
    """The trigger's optional body: nothing, or a JSON object with at most `task_ids`."""
    if not request_body().strip():
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


def _text_input(limit: int, *, required: bool, description: str) -> dict:
    schema = {"type": "string", "maxLength": limit, "description": description}
    if required:
        schema["pattern"] = r"\S"  # blank is refused like missing
    return schema if required else nullable(schema)


def _int_input(high: int, description: str) -> dict:
    return nullable({"type": "integer", "minimum": 0, "maximum": high, "description": description})


#: A task's fields (POST /api/tasks; PATCH takes any of them). Text is trimmed; text containing
#: NUL or an unpaired surrogate is refused.
TASK_FIELDS = {
    "title": _text_input(MAX_TEXT["title"], required=True, description="标题"),
    "video_url": _text_input(MAX_VIDEO_URL, required=True,
                             description="YouTube / TikTok / 抖音 的视频链接（docs/platforms.md#supported-links）"),
    "callback_url": {**_text_input(MAX_CALLBACK_URL_LENGTH, required=True,
                                   description="X2C 的回调地址：http(s)，不能含用户名和密码，不能指向内网"),
                     "pattern": r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^/?#@\s]+"},
    "callback_secret": _text_input(MAX_TEXT["callback_secret"], required=False,
                                   description="签名密钥；为空时使用 X2C_WEBHOOK_SECRET"),
    "project_id": _text_input(MAX_TEXT["project_id"], required=False, description="X2C 的项目 ID"),
    "external_task_id": _int_input(INT32_MAX, "X2C 的任务 ID"),
    "duration": _int_input(MAX_DURATION, "时长（天）"),
    "status": one_of_values(TASK_STATUSES, "active 进行中 / paused 已暂停"),
}
TASK_INPUT = obj(TASK_FIELDS, optional=("callback_secret", "project_id", "external_task_id", "duration", "status"),
                 title="TaskInput", description="注册任务：title、video_url、callback_url 必填", examples=[{
                     "title": "《示例短剧》第1集", "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                     "callback_url": "https://x2c.example.com/webhook", "callback_secret": "密钥",
                     "project_id": "550e8400-e29b-41d4-a716-446655440000", "external_task_id": 42, "duration": 30}])
TASK_CHANGES = {**obj(TASK_FIELDS, optional=TASK_FIELDS, title="TaskChanges", examples=[{"status": "paused"}],
                      description="修改任务：只需给出要改的字段，至少一个"), "minProperties": 1}


def validate_task(data: dict, config: Config, *, partial: bool) -> dict:
    """Check a task's fields; return the clean values or raise BadRequest with the reason."""
    unknown = sorted(set(data) - set(TASK_FIELDS))
    if unknown:
        raise BadRequest(f"未知字段：{', '.join(unknown)}")
    if not partial:
        missing = [name for name in TASK_INPUT["required"] if data.get(name) in (None, "")]
        if missing:
            raise BadRequest(f"缺少必填字段：{', '.join(missing)}")
    clean: dict[str, Any] = {}
    for name in ("title", "callback_secret", "project_id"):
        if name in data:
            clean[name] = _text_field(name, data[name], required=name == "title")
    if "video_url" in data:
        value = _text_field("video_url", data["video_url"], required=True, limit=MAX_VIDEO_URL)
        try:
            parse_video_url(value)
        except InvalidVideoURL as exc:
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
        clean["duration"] = _int_field("duration", data["duration"], 0, MAX_DURATION)
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
