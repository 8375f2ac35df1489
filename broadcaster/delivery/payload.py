"""What X2C receives: one stats entry per task, in a body with the site name (docs/webhook.md#the-body).

The delivery record keeps what builds a task's body (`BODY_FORMAT`'s inputs: the site name, the
task's X2C id, project, duration and platform, and the counts) rather than the body itself;
`rebuilt_body` builds it again, byte for byte, with the same code that built it for sending.
A change to the body's shape must come with a new `BODY_FORMAT` that keeps the old one buildable.

The body's JSON Schema (`WEBHOOK_BODY`) is the one the OpenAPI document publishes under
`webhooks`; the builders take their keys from it.
"""

from __future__ import annotations

import json

from broadcaster.core.json_schema import INTEGER, STRING, array, described, obj, shaped
from broadcaster.core.states import Platform
from broadcaster.engine.tasks import TaskRow

BODY_FORMAT = 1  # the shape below, as recorded with each delivery context

_ZERO = {"const": 0}
_COUNT = {"type": "integer", "minimum": 1}
_PREFIXES = {"yt": "YouTube 和抖音", "tt": "TikTok"}

STATS_ENTRY = {
    **obj({
        "project_id": described(STRING, "X2C 的项目 ID；为空时不发送"),
        "task_id": described(INTEGER, "X2C 的任务 ID（external_task_id）；未设置时为本库的任务 ID"),
        "duration": described(INTEGER, "任务时长（天）；为空时不发送"),
        "account_count": described(_ZERO, "始终为 0：统计的是视频表现，不是账号数"),
        **{f"{prefix}_{name}": described(schema, f"{platforms}：{text}")
           for prefix, platforms in _PREFIXES.items()
           for name, schema, text in (
               ("account_count", _ZERO, "至少发送了该平台的一个计数时才出现，值为 0"),
               ("view_count", _COUNT, "播放量；未知或为 0 时不发送（抖音分享页没有播放量）"),
               ("like_count", _COUNT, "点赞数；未知或为 0 时不发送"))},
    }, optional=("project_id", "duration", *(f"{prefix}_{name}" for prefix in _PREFIXES
                                             for name in ("account_count", "view_count", "like_count"))),
        title="StatsEntry", description="一个任务的计数。一个任务只属于一个平台：yt_* 与 tt_* 不会同时出现"),
    # docs/webhook.md#the-body: a platform's *_account_count appears exactly when one of its counts is sent.
    "dependentRequired": {f"{prefix}_{name}": [f"{prefix}_account_count"]
                          for prefix in _PREFIXES for name in ("view_count", "like_count")},
    "dependentSchemas": {f"{prefix}_account_count": {"anyOf": [{"required": [f"{prefix}_view_count"]},
                                                               {"required": [f"{prefix}_like_count"]}]}
                         for prefix in _PREFIXES},
    "not": {"required": [f"{prefix}_account_count" for prefix in _PREFIXES]},
}
WEBHOOK_BODY = obj({
    "site_name": described(STRING, "SITE_NAME，默认 DramaRelayBot"),
    "stats": described(array(STATS_ENTRY, minItems=1),
                       "默认每个请求一个任务；WEBHOOK_BATCH_SIZE 大于 1 时，回调地址和密钥相同的任务合并在一起"),
}, title="WebhookBody", description="UTF-8 JSON，中文不转义；签名针对的正是这些原始字节")

def sent_count(count: int | None) -> int | None:
    """A count as the body carries it: None (left out) when it is unknown or not above 0."""
    return count if count is not None and count > 0 else None


def stats_entry(project_id: str | None, x2c_task_id: int, duration: int | None, platform: str | None,
                views: int | None, likes: int | None) -> dict:
    """One X2C stats entry: NULL keys and unknown or zero counts left out."""
    entry = {"project_id": project_id, "task_id": x2c_task_id, "duration": duration, "account_count": 0}
    entry = {key: value for key, value in entry.items() if value is not None}
    # Douyin has no fields of its own at X2C; its counts go into the yt_* fields.
    prefix = "tt" if platform == Platform.TIKTOK else "yt"
    counts = {f"{prefix}_view_count": sent_count(views), f"{prefix}_like_count": sent_count(likes)}
    sent = {key: value for key, value in counts.items() if value is not None}
    if sent:
        entry[f"{prefix}_account_count"] = 0
        entry.update(sent)
    return shaped(STATS_ENTRY, **entry)


def build_stats_entry(task: TaskRow, platform: str | None, views: int | None, likes: int | None) -> dict:
    """One X2C stats entry for a task."""
    return stats_entry(task.project_id, task.x2c_task_id, task.duration, platform, views, likes)


def build_body(site_name: str, entries: list[dict]) -> dict:
    """The webhook body: the site name and the stats entries."""
    return shaped(WEBHOOK_BODY, site_name=site_name, stats=entries)


def serialize_body(payload: dict) -> bytes:
    """The exact bytes sent: compact UTF-8 JSON with Chinese kept as is."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def rebuilt_body(row: dict) -> bytes:
    """The body a delivery record's task was sent, from the record's `body_*` columns (the
    webhook log's rows, `queries.delivery_log`): byte for byte what went out."""
    if row["body_format"] != BODY_FORMAT:
        raise ValueError(f"unknown body format {row['body_format']!r}")
    entry = stats_entry(row["project_id"], row["body_task_id"], row["body_duration"], row["body_platform"],
                        row["body_views"], row["body_likes"])
    return serialize_body(build_body(row["body_site_name"], [entry]))
