"""Douyin: the iesdouyin share page's ``_ROUTER_DATA`` (platforms.md §3)."""

from __future__ import annotations

from broadcaster.errors import InvalidVideoURL
from broadcaster.platforms.counts import safe_count
from broadcaster.platforms.pagejson import BrokenJSON, as_text, json_assigned, looks_like_html
from broadcaster.platforms.results import FetchResult, counts_read, no_counts
from broadcaster.platforms.urls import POST_ID
from broadcaster.states import FetchStatus

OK, UNAVAILABLE, BLOCKED, ERROR = FetchStatus
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 26_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/26.0 Mobile/15E148 Safari/604.1"
)
HEADERS = {
    "User-Agent": IPHONE_UA,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
}


def check_id(video_id: str) -> str:
    """Return `video_id` when it is a Douyin aweme id; raise InvalidVideoURL otherwise."""
    if not isinstance(video_id, str) or not POST_ID.fullmatch(video_id):
        raise InvalidVideoURL(f"无效的抖音作品 ID：{str(video_id)[:24]!r}")
    return video_id


def share_page_url(base_url: str, video_id: str) -> str:
    """The mobile share page, the one Douyin page that works without login."""
    return f"{base_url}/share/video/{video_id}/"


_DOUYIN_NO_VIEWS = "抖音不公开播放数，只有点赞数 (play_count=0)"


def gone_result(item: dict, label: str = "抖音作品") -> FetchResult | None:
    """Return UNAVAILABLE when an aweme says it is deleted or private (``status``), else None."""
    status = item.get("status") if isinstance(item.get("status"), dict) else {}
    if status.get("is_delete") is True or status.get("is_delete") == 1:
        return no_counts(UNAVAILABLE, f"{label}已删除 (status.is_delete)")
    private = status.get("private_status")
    if isinstance(private, int) and not isinstance(private, bool) and private != 0:
        return no_counts(UNAVAILABLE, f"{label}已设为私密或仅部分人可见 (status.private_status={private})")
    return None


def statistics_result(item: dict) -> FetchResult:
    """Return likes (and views when play_count > 0) from an aweme's ``statistics``; deleted or private ones are gone."""
    gone = gone_result(item)
    if gone is not None:
        return gone
    stats = item.get("statistics") if isinstance(item.get("statistics"), dict) else {}
    return likes_views_result(stats.get("digg_count"), stats.get("play_count"))


def likes_views_result(digg, play) -> FetchResult:
    """Return Douyin's likes, and views only when the play count is positive (0 means "not public")."""
    likes = safe_count(digg) if isinstance(digg, (int, str)) and not isinstance(digg, bool) else None
    plays = safe_count(play) if isinstance(play, (int, str)) and not isinstance(play, bool) else None
    views = plays if plays else None  # 0 is "not public", not zero views
    reasons = [] if views is not None else [_DOUYIN_NO_VIEWS]
    if likes is None:
        if views is None:
            return no_counts(ERROR, "抖音返回的数据中没有点赞数 (statistics 缺失)")
        reasons.append("抖音返回的数据中没有点赞数")
    return counts_read(views, likes, reasons)


def filtered_result(entry: dict, label: str = "抖音作品") -> FetchResult:
    """Return UNAVAILABLE with the platform's own filter reason."""
    msg = str(entry.get("detail_msg") or "").strip()[:120]
    code = str(entry.get("filter_reason") or "").strip()[:60]
    text = msg or "作品不可见"
    return no_counts(UNAVAILABLE, f"{label}不可见：{text}" + (f" ({code})" if code else ""))


def parse_douyin_share_page(html: str | bytes, video_id: str) -> FetchResult:
    """Return the like count of ``video_id`` from an iesdouyin share page (views stay None: Douyin hides them)."""
    html = as_text(html)
    try:
        data = json_assigned(html, "_ROUTER_DATA")
    except BrokenJSON:
        return no_counts(ERROR, "页面数据不完整 (_ROUTER_DATA JSON 截断或损坏)")
    loader = data.get("loaderData") if isinstance(data, dict) else None
    if not loader or not isinstance(loader, dict):
        if data is None and not looks_like_html(html):
            return no_counts(ERROR, "抖音返回的内容不是网页 (无法识别的响应)")
        # the WAF / captcha page has no _ROUTER_DATA, or an empty one
        return no_counts(BLOCKED, "抖音返回了验证页 (页面没有 _ROUTER_DATA)，稍后重试")
    res = None
    for value in loader.values():
        if isinstance(value, dict):
            res = value.get("videoInfoRes") or value.get("noteDetailRes")
            if isinstance(res, dict):
                break
            res = None
    if res is None:
        return no_counts(ERROR, "页面结构已变化：_ROUTER_DATA 中没有 videoInfoRes")
    items = res.get("item_list") if isinstance(res.get("item_list"), list) else []
    filtered = res.get("filter_list") if isinstance(res.get("filter_list"), list) else []
    for entry in filtered:
        if isinstance(entry, dict) and str(entry.get("aweme_id")) == video_id:
            return filtered_result(entry)
    for item in items:
        if isinstance(item, dict) and str(item.get("aweme_id")) == video_id:
            return statistics_result(item)
    if items:
        return no_counts(ERROR, "抖音返回了其他作品的数据 (aweme_id 不匹配)")
    if filtered and isinstance(filtered[0], dict):
        return filtered_result(filtered[0])
    return no_counts(ERROR, f"抖音返回的作品列表为空 (status_code {str(res.get('status_code'))[:10]})")
