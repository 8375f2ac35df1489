"""TikTok: the post page's rehydration JSON, and its older forms (docs/platforms.md#tiktok)."""

from __future__ import annotations

from urllib.parse import quote

from broadcaster.core.errors import InvalidVideoURL
from broadcaster.core.states import FetchStatus
from broadcaster.fetching.counts import json_count
from broadcaster.fetching.pagejson import BrokenJSON, as_text, dig, json_script
from broadcaster.fetching.results import FetchResult, counts_read, no_counts
from broadcaster.fetching.urls import HANDLE, POST_ID

OK, UNAVAILABLE, BLOCKED, ERROR = FetchStatus


def check_id(video_id: str) -> str:
    """Return `video_id` when it is a TikTok post id; raise InvalidVideoURL otherwise."""
    if not isinstance(video_id, str) or not POST_ID.fullmatch(video_id):
        raise InvalidVideoURL(f"无效的 TikTok 视频 ID：{str(video_id)[:24]!r}")
    return video_id


def page_url(base_url: str, video_id: str, handle: str | None) -> str:
    """The post page; ``@_`` stands in for an unknown handle, as yt-dlp does."""
    user = handle if handle and HANDLE.fullmatch(handle) else "_"
    return f"{base_url}/@{quote(user)}/video/{video_id}"


def _tiktok_counts(item: dict) -> tuple[int | None, int | None]:
    """Return (views, likes) from itemStruct: exact statsV2 strings first, rounded stats second."""
    counts = []
    for key in ("playCount", "diggCount"):
        for block in ("statsV2", "stats"):
            value = json_count(dig(item, block, key))
            if value is not None:
                break
        counts.append(value)
    return counts[0], counts[1]


def _tiktok_status(code, message: str) -> FetchResult:
    """Return the result for a non-zero TikTok statusCode (docs/platforms.md#tiktok)."""
    msg = message[:120]
    label = f"statusCode {code}" + (f": {msg}" if msg else "")
    if code == 10204:
        if "status_deleted" in msg:
            return no_counts(UNAVAILABLE, f"视频已删除或设为私密 ({label})")
        if "cross_border_violation" in msg:
            return no_counts(UNAVAILABLE, f"视频在当前地区不可见 ({label})")
        if "status_reviewing" in msg:
            return no_counts(ERROR, f"视频审核中，稍后再试 ({label})")
        # yt-dlp reads a bare 10204 as "your IP address is blocked from accessing this post"
        return no_counts(BLOCKED, f"TikTok 拒绝访问该视频，可能是 IP 受限 ({label})")
    if code == 10216:
        return no_counts(UNAVAILABLE, f"私密视频，需登录查看 ({label})")
    if code == 10222:
        return no_counts(UNAVAILABLE, f"私密账号的视频，需登录查看 ({label})")
    if code == 10231:
        return no_counts(UNAVAILABLE, f"视频在当前地区不可见 ({label})")
    return no_counts(ERROR, f"TikTok 返回未知状态 ({label})")


def _item_result(item, video_id: str) -> FetchResult:
    """Return the result for one itemStruct / ItemModule entry."""
    if not isinstance(item, dict):
        return no_counts(ERROR, "页面结构已变化：缺少 itemStruct")
    if str(item.get("id")) != video_id:
        return no_counts(ERROR, f"TikTok 返回了其他视频的数据 (id {str(item.get('id'))[:24]!r})")
    views, likes = _tiktok_counts(item)
    if views is None and likes is None:
        if item.get("isContentClassified"):
            return no_counts(UNAVAILABLE, "内容被标记为敏感，需登录查看 (isContentClassified)")
        return no_counts(ERROR, "页面中没有播放数和点赞数 (stats 缺失)")
    reasons = []
    if views is None:
        reasons.append("页面中没有播放数")
    if likes is None:
        reasons.append("页面中没有点赞数")
    return counts_read(views, likes, reasons)


def _status_code(value) -> int | None:
    """Return a statusCode that may be an int or a digit string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def parse_tiktok_page(html: str | bytes, video_id: str) -> FetchResult:
    """Return the counts of ``video_id`` from a TikTok post page, or why there are none."""
    # __UNIVERSAL_DATA_FOR_REHYDRATION__ is current; the older SIGI_STATE and __NEXT_DATA__ forms
    # are parsed too because they cost a few lines and still show up in fixtures and caches
    html = as_text(html)
    try:
        data = json_script(html, 'id="__UNIVERSAL_DATA_FOR_REHYDRATION__"')
    except BrokenJSON:
        return no_counts(ERROR, "页面数据不完整 (rehydration JSON 截断或损坏)")
    if data is None:
        return _parse_tiktok_legacy(html, video_id)
    detail = dig(data, "__DEFAULT_SCOPE__", "webapp.video-detail")
    if not isinstance(detail, dict):
        return no_counts(ERROR, "页面结构已变化：缺少 webapp.video-detail")
    code = _status_code(detail.get("statusCode", 0))
    if code is None:
        return no_counts(ERROR, "页面结构已变化：statusCode 无法识别")
    if code != 0:
        message = detail.get("statusMsg")
        return _tiktok_status(code, message if isinstance(message, str) else "")
    return _item_result(dig(detail, "itemInfo", "itemStruct"), video_id)


def _parse_tiktok_legacy(html: str, video_id: str) -> FetchResult:
    """Parse the pre-2024 ``SIGI_STATE`` / ``__NEXT_DATA__`` forms, or classify a page with no data."""
    try:
        sigi = json_script(html, 'id="SIGI_STATE"') or json_script(html, 'id="sigi-persisted-data"')
        nxt = None if sigi is not None else json_script(html, 'id="__NEXT_DATA__"')
    except BrokenJSON:
        return no_counts(ERROR, "页面数据不完整 (旧版 SIGI_STATE / __NEXT_DATA__ JSON 截断或损坏)")
    if sigi is not None:
        code = _status_code(dig(sigi, "VideoPage", "statusCode") or 0)
        if code:
            return _tiktok_status(code, str(dig(sigi, "VideoPage", "statusMsg") or ""))
        return _item_result(dig(sigi, "ItemModule", video_id), video_id)
    if nxt is not None:
        code = _status_code(dig(nxt, "props", "pageProps", "statusCode") or 0)
        if code:
            return _tiktok_status(code, "")
        return _item_result(dig(nxt, "props", "pageProps", "itemInfo", "itemStruct"), video_id)
    head = html[:100_000]
    if 'id="cs"' in head or 'id="wci"' in head or "Please wait..." in head or "captcha" in head.lower():
        return no_counts(BLOCKED, "TikTok 返回了人机验证页 (JS challenge)，稍后重试")
    return no_counts(ERROR, "页面结构已变化：未找到 __UNIVERSAL_DATA_FOR_REHYDRATION__")
