"""TikHub, the paid API for Douyin and TikTok counts (views included; docs/platforms.md#tikhub)."""

from __future__ import annotations

import json
from collections.abc import Callable

from broadcaster.core.errors import ApiConfigError
from broadcaster.core.states import FetchStatus
from broadcaster.fetching.client import Response, status_result
from broadcaster.fetching.counts import json_count
from broadcaster.fetching.douyin import filtered_result, gone_result, statistics_result
from broadcaster.fetching.results import FetchResult, counts_read, no_counts, redact

OK, UNAVAILABLE, BLOCKED, ERROR = FetchStatus

# Douyin app v3 filter_list[0].reason codes, from TikHub's own spec text (docs/platforms.md#tikhub)
_DOUYIN_FILTER_REASONS = {
    "8": "已删除、不存在或因版权限制在海外不可见",
    "5": "作者设为私密",
    "10": "仅部分人可见",
}


def douyin_video_url(base_url: str, video_id: str) -> str:
    """fetch_one_video for one Douyin aweme id."""
    return f"{base_url}/api/v1/douyin/web/fetch_one_video?aweme_id={video_id}"


def tiktok_video_url(base_url: str, video_id: str) -> str:
    """The TikTok app's fetch_one_video for one post id."""
    return f"{base_url}/api/v1/tiktok/app/v3/fetch_one_video?aweme_id={video_id}"


def _tikhub_data(body) -> dict | FetchResult:
    """Return the ``data`` object of a TikHub answer, or the ERROR result when there is none."""
    if not isinstance(body, dict):
        return no_counts(ERROR, "TikHub 返回了无法识别的内容")
    code = body.get("code")
    if code not in (None, 200):
        message = redact(str(body.get("message") or body.get("detail") or ""))[:120]
        return no_counts(ERROR, f"TikHub 返回错误 (code {str(code)[:10]}: {message})")
    data = body.get("data")
    if not isinstance(data, dict):
        return no_counts(ERROR, "TikHub 响应中没有 data")
    return data


def _douyin_filter_list_result(entry: dict) -> FetchResult:
    """Return UNAVAILABLE for a Douyin ``filter_list`` entry (``reason`` 8, 5 or 10, or Douyin's own words)."""
    if entry.get("filter_reason") or entry.get("detail_msg"):
        return filtered_result(entry)
    code = str(entry.get("reason") if entry.get("reason") is not None else "").strip()[:20]
    text = _DOUYIN_FILTER_REASONS.get(code, "作品不可见")
    return no_counts(UNAVAILABLE, f"抖音作品不可见：{text}" + (f" (filter_list reason {code})" if code else ""))


def parse_tikhub_response(body: dict, video_id: str) -> FetchResult:
    """Return the counts of ``video_id`` from a TikHub Douyin fetch_one_video body."""
    data = _tikhub_data(body)
    if isinstance(data, FetchResult):
        return data
    detail = data.get("aweme_detail")
    filters = data.get("filter_list") if isinstance(data.get("filter_list"), list) else []
    for entry in filters:
        if isinstance(entry, dict) and str(entry.get("aweme_id")) == video_id:
            return _douyin_filter_list_result(entry)
    if not isinstance(detail, dict) or not detail:
        # a gone item comes back as HTTP 200 with the reason beside an empty aweme_detail, never as 0 likes
        if isinstance(data.get("filter_detail"), dict):
            return filtered_result(data["filter_detail"])
        if filters and isinstance(filters[0], dict):
            return _douyin_filter_list_result(filters[0])
        return no_counts(ERROR, "TikHub 未返回作品数据 (aweme_detail 为空)")
    if str(detail.get("aweme_id")) != video_id:
        return no_counts(ERROR, "TikHub 返回了其他作品的数据 (aweme_id 不匹配)")
    return statistics_result(detail)


def parse_tikhub_tiktok_response(body: dict, video_id: str) -> FetchResult:
    """Return the counts of ``video_id`` from a TikHub TikTok fetch_one_video body; a gone post is UNAVAILABLE."""
    data = _tikhub_data(body)
    if isinstance(data, FetchResult):
        return data
    if isinstance(data.get("filter_detail"), dict) and data["filter_detail"]:
        return filtered_result(data["filter_detail"], "TikTok 视频")
    if "aweme_detail" in data and data["aweme_detail"] is None:
        return no_counts(UNAVAILABLE, "TikTok 视频不存在、已删除或不可见 (TikHub aweme_detail 为空)")
    detail = data.get("aweme_detail")
    if not isinstance(detail, dict):
        return no_counts(ERROR, "TikHub 响应中没有 aweme_detail")
    if str(detail.get("aweme_id")) != video_id:
        return no_counts(ERROR, "TikHub 返回了其他视频的数据 (aweme_id 不匹配)")
    gone = gone_result(detail, "TikTok 视频")
    if gone is not None:
        return gone
    stats = detail.get("statistics") if isinstance(detail.get("statistics"), dict) else {}
    views, likes = json_count(stats.get("play_count")), json_count(stats.get("digg_count"))
    if views is None and likes is None:
        return no_counts(ERROR, "TikHub 返回的数据中没有播放数和点赞数 (statistics 缺失)")
    reasons = ["TikHub 未返回播放数"] if views is None else []
    if likes is None:
        reasons.append("TikHub 未返回点赞数")
    return counts_read(views, likes, reasons)


def answer_result(
    resp: Response, video_id: str, parse: Callable[[dict, str], FetchResult] = parse_tikhub_response,
) -> FetchResult:
    """The result of one fetch_one_video answer, read by ``parse`` (Douyin's by default); raise
    ApiConfigError when TikHub refuses the key (401/403) or the balance is spent (402): only an
    operator can fix those."""
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
    return parse(body, video_id)
