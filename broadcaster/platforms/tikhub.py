"""TikHub, the paid API for Douyin counts (views included; freshness.md §1)."""

from __future__ import annotations

import json

from broadcaster.errors import ApiConfigError
from broadcaster.platforms.client import Response, status_result
from broadcaster.platforms.douyin import filtered_result, statistics_result
from broadcaster.platforms.results import FetchResult, no_counts, redact
from broadcaster.states import FetchStatus

OK, UNAVAILABLE, BLOCKED, ERROR = FetchStatus


def douyin_video_url(base_url: str, video_id: str) -> str:
    """fetch_one_video for one Douyin aweme id."""
    return f"{base_url}/api/v1/douyin/web/fetch_one_video?aweme_id={video_id}"


def parse_tikhub_response(body: dict, video_id: str) -> FetchResult:
    """Return the counts of ``video_id`` from a TikHub fetch_one_video body."""
    if not isinstance(body, dict):
        return no_counts(ERROR, "TikHub 返回了无法识别的内容")
    code = body.get("code")
    if code not in (None, 200):
        message = redact(str(body.get("message") or body.get("detail") or ""))[:120]
        return no_counts(ERROR, f"TikHub 返回错误 (code {str(code)[:10]}: {message})")
    data = body.get("data")
    if not isinstance(data, dict):
        return no_counts(ERROR, "TikHub 响应中没有 data")
    detail = data.get("aweme_detail")
    if not isinstance(detail, dict):
        if isinstance(data.get("filter_detail"), dict):
            return filtered_result(data["filter_detail"])
        return no_counts(ERROR, "TikHub 未返回作品数据 (aweme_detail 为空)")
    if str(detail.get("aweme_id")) != video_id:
        return no_counts(ERROR, "TikHub 返回了其他作品的数据 (aweme_id 不匹配)")
    return statistics_result(detail)


def answer_result(resp: Response, video_id: str) -> FetchResult:
    """The result of one fetch_one_video answer; raise ApiConfigError when TikHub refuses the key
    (401/403) or the balance is spent (402): only an operator can fix those."""
    if resp.status_code in (401, 403):
        raise ApiConfigError(f"TikHub API key 无效或无权限 (HTTP {resp.status_code})")
    if resp.status_code == 402:
        raise ApiConfigError("TikHub 账户余额不足 (HTTP 402)")
    status = status_result(resp, "TikHub")
    if status is not None:
        return status
    try:
        body = json.loads(resp.text)
    except ValueError:
        return no_counts(ERROR, "TikHub 返回了无法解析的 JSON")
    return parse_tikhub_response(body, video_id)
