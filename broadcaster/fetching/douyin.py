"""Douyin: the iesdouyin share page's ``_ROUTER_DATA``, and www.douyin.com's ``RENDER_DATA`` (docs/platforms.md#douyin)."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from broadcaster.core.errors import InvalidVideoURL
from broadcaster.core.states import FetchStatus
from broadcaster.fetching.client import CHROME_UA
from broadcaster.fetching.counts import json_count
from broadcaster.fetching.pagejson import BrokenJSON, as_text, json_assigned, json_script_urlencoded, looks_like_html
from broadcaster.fetching.results import FetchResult, counts_read, no_counts
from broadcaster.fetching.urls import POST_ID, is_host

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


# www.douyin.com is the desktop site: asked as an iPhone it sends the visitor to the share page
WEB_HEADERS = {
    "User-Agent": CHROME_UA,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
    "Referer": "https://www.douyin.com/",
}
DOUYIN_WWW_URL = "https://www.douyin.com"


def check_id(video_id: str) -> str:
    """Return `video_id` when it is a Douyin aweme id; raise InvalidVideoURL otherwise."""
    if not isinstance(video_id, str) or not POST_ID.fullmatch(video_id):
        raise InvalidVideoURL(f"无效的抖音作品 ID：{str(video_id)[:24]!r}")
    return video_id


def share_page_url(base_url: str, video_id: str) -> str:
    """The mobile share page, the one Douyin page that works without login."""
    return f"{base_url}/share/video/{video_id}/"


def video_page_url(share_base_url: str, video_id: str) -> str:
    """The www.douyin.com video page, whose RENDER_DATA is the second source when the share page fails."""
    # There is no setting for www.douyin.com: DOUYIN_WEB_URL names the share-page host. While it
    # is the real iesdouyin host, the real www host is used; any other base (the fake upstream,
    # a path prefix on a relay) is taken to serve both pages, so /video/ID goes there too.
    host = (urlsplit(share_base_url).hostname or "").lower()
    base = DOUYIN_WWW_URL if is_host(host, "iesdouyin.com") else share_base_url
    return f"{base.rstrip('/')}/video/{video_id}"


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
    likes = json_count(digg)
    plays = json_count(play)
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


def _render_aweme(data: dict) -> dict | None:
    """Return the ``aweme`` object of a RENDER_DATA page: under a numbered route key ("41", "C_19" …)."""
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("aweme"), dict):
            return value["aweme"]
    return None


def parse_douyin_render_data_page(html: str | bytes, video_id: str) -> FetchResult:
    """Return the counts of ``video_id`` from a www.douyin.com video page's URL-encoded ``RENDER_DATA``."""
    html = as_text(html)
    try:
        data = json_script_urlencoded(html, 'id="RENDER_DATA"')
    except BrokenJSON:
        return no_counts(ERROR, "页面数据不完整 (RENDER_DATA 截断或损坏)")
    if not data:
        if data is None and not looks_like_html(html):
            return no_counts(ERROR, "抖音网页版返回的内容不是网页 (无法识别的响应)")
        # the verify / captcha page has no RENDER_DATA, or an empty one
        return no_counts(BLOCKED, "抖音网页版返回了验证页 (页面没有 RENDER_DATA)，稍后重试")
    aweme = _render_aweme(data)
    if aweme is None:
        return no_counts(ERROR, "页面结构已变化：RENDER_DATA 中没有 aweme")
    detail = aweme.get("detail")
    if not isinstance(detail, dict) or not detail:
        code = str(aweme.get("statusCode"))[:10]
        return no_counts(ERROR, f"抖音网页版未返回作品数据 (aweme.detail 为空, statusCode {code})")
    if str(detail.get("awemeId") or detail.get("aweme_id")) != video_id:
        return no_counts(ERROR, "抖音网页版返回了其他作品的数据 (awemeId 不匹配)")
    stats = detail.get("stats") if isinstance(detail.get("stats"), dict) else None
    if stats is not None:
        return likes_views_result(stats.get("diggCount"), stats.get("playCount"))
    return statistics_result(detail)  # the app's snake_case form, should a page carry it


def either_source(first: FetchResult, second: FetchResult) -> FetchResult:
    """Return the second source's result when it read counts, else the first one's, with both reasons."""
    if second.ok:
        return second
    return dataclasses.replace(first, reason=f"{first.reason}；网页版 RENDER_DATA 也未读到：{second.reason}")
