"""YouTube: the Data API's videos.list answer and the watch page (docs/platforms.md#youtube)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import urlencode

from broadcaster.core.errors import ApiConfigError, CountParseError, InvalidVideoURL, QuotaExceeded
from broadcaster.core.states import FetchStatus
from broadcaster.fetching.client import Response, status_result
from broadcaster.fetching.counts import json_count, parse_count, safe_count
from broadcaster.fetching.pagejson import BrokenJSON, as_text, dig, json_assigned, runs_text
from broadcaster.fetching.results import FetchResult, counts_read, no_counts, redact
from broadcaster.fetching.urls import YOUTUBE_ID

OK, UNAVAILABLE, BLOCKED, ERROR = FetchStatus
API_MAX_IDS = 50  # ids one videos.list call takes, for one quota unit
# forces English text (reasons, like-button sentences) and skips the EU consent interstitial
COOKIES = {"PREF": "hl=en&tz=UTC", "SOCS": "CAI"}


def check_id(video_id: str) -> str:
    """Return `video_id` when it is a YouTube id; raise InvalidVideoURL otherwise."""
    if not isinstance(video_id, str) or not YOUTUBE_ID.fullmatch(video_id):
        raise InvalidVideoURL(f"无效的 YouTube 视频 ID：{str(video_id)[:20]!r}")
    return video_id


def api_url(base_url: str, ids: Sequence[str], key: str) -> str:
    """The videos.list URL for up to `API_MAX_IDS` ids, trimmed to the statistics."""
    query = urlencode(
        {"part": "statistics", "id": ",".join(ids), "fields": "items(id,statistics)", "key": key}, safe=",()"
    )
    return f"{base_url}/videos?{query}"


def watch_page_url(base_url: str, video_id: str) -> str:
    """The watch page in English, as a US visitor sees it."""
    return f"{base_url}/watch?v={video_id}&hl=en&gl=US"


_YT_QUOTA = frozenset({"quotaExceeded", "dailyLimitExceeded"})
_YT_CONFIG = frozenset({
    "keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED", "accessNotConfigured",
    "SERVICE_DISABLED", "forbidden", "ipRefererBlocked", "CONSUMER_INVALID",
})
_YT_RATE = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})


def parse_youtube_api_response(body: dict, ids: Sequence[str]) -> dict[str, FetchResult]:
    """Return one result per requested id from a videos.list body; raise QuotaExceeded / ApiConfigError for those error bodies."""
    if not isinstance(body, dict):
        return {i: no_counts(ERROR, "YouTube API 返回了无法识别的内容") for i in ids}
    if "error" in body:
        return _youtube_api_error(body["error"], ids)
    items = body.get("items", [])  # with fields=items(...) an empty list may be left out entirely
    if not isinstance(items, list):
        return {i: no_counts(ERROR, "YouTube API 返回的 items 格式异常") for i in ids}
    by_id = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            by_id.setdefault(item["id"], item)
    results = {}
    for video_id in ids:
        item = by_id.get(video_id)
        if item is None:
            results[video_id] = no_counts(UNAVAILABLE, "视频不存在、已删除或设为私密 (YouTube API 未返回该 ID)")
            continue
        stats = item.get("statistics")
        if not isinstance(stats, dict):
            results[video_id] = no_counts(ERROR, "YouTube API 返回的条目缺少 statistics")
            continue
        try:
            views = parse_count(stats.get("viewCount"))
            likes = parse_count(stats.get("likeCount"))
        except CountParseError as exc:
            results[video_id] = no_counts(ERROR, f"YouTube API 返回的计数无法解析 ({exc})")
            continue
        reasons = []
        if views is None:
            reasons.append("YouTube API 未返回播放数")
        if likes is None:
            reasons.append("点赞数已被作者隐藏 (API 未返回 likeCount)")
        results[video_id] = counts_read(views, likes, reasons)
    return results


def _youtube_api_error(error, ids: Sequence[str]) -> dict[str, FetchResult]:
    """Raise for quota/config errors; otherwise return the same BLOCKED/ERROR result for every id."""
    if not isinstance(error, dict):
        return {i: no_counts(ERROR, "YouTube API 返回了错误") for i in ids}
    reasons = [e.get("reason") for e in error.get("errors") or () if isinstance(e, dict)]
    reasons += [d.get("reason") for d in error.get("details") or () if isinstance(d, dict)]
    reasons = [r for r in reasons if isinstance(r, str)]
    code = error.get("code")
    message = redact(str(error.get("message") or ""))[:200]
    label = ", ".join(reasons) or str(code)
    if _YT_QUOTA.intersection(reasons):
        raise QuotaExceeded(f"YouTube API 配额已用完，太平洋时间午夜重置 ({label})")
    if _YT_CONFIG.intersection(reasons) or any(r.startswith("API_KEY_") for r in reasons):
        raise ApiConfigError(f"YouTube API key 无效、受限或未启用该 API ({label}: {message})")
    if _YT_RATE.intersection(reasons) or code == 429:
        status, text = BLOCKED, f"YouTube API 请求过于频繁，稍后重试 ({label})"
    elif isinstance(code, int) and code >= 500:
        status, text = ERROR, f"YouTube API 服务器错误 (HTTP {code}, {label})"
    else:
        status, text = ERROR, f"YouTube API 返回错误 ({label}: {message})"
    return {i: no_counts(status, text) for i in ids}


def _toggle_like(renderer: dict) -> dict:
    """Return the like texts of a 2020–2022 toggleButtonRenderer: its exact labels and its abbreviation."""
    return {
        # "like this video along with 2,347 other people", then "2,347 likes"
        "exact": [
            dig(renderer, "accessibilityData", "accessibilityData", "label"),
            dig(renderer, "defaultText", "accessibility", "accessibilityData", "label"),
        ],
        "short": runs_text(renderer.get("defaultText")),  # "2.3K"
    }


def _youtube_like_button(data: dict) -> dict | None:
    """Return the like button's exact texts and abbreviation, from the current or a 2020–2022 layout."""
    contents = dig(data, "contents", "twoColumnWatchNextResults", "results", "results", "contents")
    for part in contents if isinstance(contents, list) else ():
        buttons = dig(part, "videoPrimaryInfoRenderer", "videoActions", "menuRenderer", "topLevelButtons")
        for button in buttons if isinstance(buttons, list) else ():
            model = dig(
                button, "segmentedLikeDislikeButtonViewModel", "likeButtonViewModel", "likeButtonViewModel",
                "toggleButtonViewModel", "toggleButtonViewModel", "defaultButtonViewModel", "buttonViewModel",
            )
            if isinstance(model, dict):
                return {"exact": [model.get("accessibilityText")], "short": model.get("title")}
            old = dig(button, "segmentedLikeDislikeButtonRenderer", "likeButton", "toggleButtonRenderer")
            if isinstance(old, dict):
                return _toggle_like(old)
            # 2020–2021: like and dislike are bare toggle buttons, told apart only by their icon
            old = dig(button, "toggleButtonRenderer")
            if isinstance(old, dict) and dig(old, "defaultIcon", "iconType") == "LIKE":
                return _toggle_like(old)
    return None


def _youtube_likes(data: dict | None) -> int | None:
    """Return the like count from ytInitialData: exact button labels, exact entity number, then the abbreviation."""
    if data is None:
        return None
    button = _youtube_like_button(data) or {"exact": [], "short": None}
    for text in button["exact"]:
        if isinstance(text, str) and any(c.isdigit() for c in text):
            likes = safe_count(text)
            if likes is not None:
                return likes
    mutations = dig(data, "frameworkUpdates", "entityBatchUpdate", "mutations")
    for mutation in mutations if isinstance(mutations, list) else ():
        number = dig(mutation, "payload", "likeCountEntity", "likeCountIfIndifferentNumber")
        likes = json_count(number)
        if likes is not None:
            return likes
    title = button["short"]
    if isinstance(title, str) and any(c.isdigit() for c in title):
        return safe_count(title)
    return None


def _youtube_page_views(player: dict, data: dict | None, html: str) -> int | None:
    """Return views: videoDetails, microformat, <meta interactionCount>, then ytInitialData's view text (not live)."""
    for value in (
        dig(player, "videoDetails", "viewCount"),
        dig(player, "microformat", "playerMicroformatRenderer", "viewCount"),
    ):
        views = json_count(value)
        if views is not None:
            return views
    marker = 'itemprop="interactionCount" content="'
    i = html.find(marker)
    end = html.find('"', i + len(marker), i + len(marker) + 40) if i >= 0 else -1
    if end >= 0:
        views = safe_count(html[i + len(marker):end])
        if views is not None:
            return views
    contents = dig(data, "contents", "twoColumnWatchNextResults", "results", "results", "contents")
    for part in contents if isinstance(contents, list) else ():
        renderer = dig(part, "videoPrimaryInfoRenderer", "viewCount", "videoViewCountRenderer")
        if isinstance(renderer, dict) and not renderer.get("isLive"):
            views = safe_count(runs_text(renderer.get("viewCount")))
            if views is not None:
                return views
    return None


def _youtube_block_reason(html: str) -> str | None:
    """Return a reason if a page without player data is a captcha / rate-limit page."""
    low = html[:200_000].lower()
    if "google.com/sorry" in low or "/das_captcha" in low or "unusual traffic" in low or "recaptcha" in low:
        return "YouTube 人机验证 / 流量异常拦截 (captcha page)"
    return None


def _described(details: dict | None, video_id: str) -> bool:
    """Return True when videoDetails is this video's and carries its view count."""
    if details is None or details.get("videoId") != video_id:
        return False
    return json_count(details.get("viewCount")) is not None


def _gate_result(status: str, playability: dict, why: str, detail: str) -> FetchResult:
    """Return why a page that does not describe the video has no counts: block, gone or unknown."""
    low = why.replace("\u2019", "'").lower()
    # the English words refine the verdict; a page in any other language still gets the safe
    # default, which never marks a video dead for a sign-in wall
    if "not a bot" in low or "try again later" in low or dig(playability, "errorScreen", "playerCaptchaViewModel"):
        return no_counts(BLOCKED, f"YouTube 人机验证拦截，稍后重试 ({detail})")
    if status == "ERROR":
        return no_counts(UNAVAILABLE, f"视频不存在或已删除 ({detail})")
    age = "age" in low or "inappropriate" in low or status in ("AGE_CHECK_REQUIRED", "CONTENT_CHECK_REQUIRED")
    if status == "LOGIN_REQUIRED" and "private" in low:
        return no_counts(UNAVAILABLE, f"视频已设为私密 ({detail})")
    if age:
        return no_counts(UNAVAILABLE, f"视频有年龄限制，匿名无法查看 ({detail})")
    if status == "LOGIN_REQUIRED":
        # an unknown sign-in wall is treated like the bot wall: never mark the video dead for it
        return no_counts(BLOCKED, f"YouTube 要求登录，稍后重试 ({detail})")
    if status == "UNPLAYABLE":
        return no_counts(UNAVAILABLE, f"视频在当前地区不可播放或仅限会员 ({detail})")
    return no_counts(ERROR, f"未知的播放状态 ({detail})")


def _no_player_result(html: str) -> FetchResult:
    """Return why a page without ytInitialPlayerResponse has no counts."""
    blocked = _youtube_block_reason(html)
    if blocked:
        return no_counts(BLOCKED, blocked)
    if "consent.youtube.com" in html[:100_000] and "ytInitialData" not in html:
        return no_counts(ERROR, "YouTube 返回了 Cookie 同意页 (consent page)")
    return no_counts(ERROR, "页面结构已变化：未找到 ytInitialPlayerResponse")


def parse_youtube_watch_page(html: str | bytes, video_id: str) -> FetchResult:
    """Return the counts of ``video_id`` from a watch page, or why there are none."""
    html = as_text(html)
    try:
        player = json_assigned(html, "ytInitialPlayerResponse")
    except BrokenJSON:
        return no_counts(ERROR, "页面数据不完整 (ytInitialPlayerResponse JSON 截断或损坏)")
    if player is None:
        return _no_player_result(html)
    try:
        data = json_assigned(html, "ytInitialData")
    except BrokenJSON:
        data = None

    playability = player.get("playabilityStatus") if isinstance(player.get("playabilityStatus"), dict) else {}
    status = playability.get("status") if isinstance(playability.get("status"), str) else ""
    why = runs_text(playability.get("reason")) or runs_text(
        dig(playability, "errorScreen", "playerErrorMessageRenderer", "reason")
    )
    sub = runs_text(dig(playability, "errorScreen", "playerErrorMessageRenderer", "subreason"))
    detail = f"{status}: {why}" + (f" / {sub}" if sub else "")
    details = player.get("videoDetails") if isinstance(player.get("videoDetails"), dict) else None
    restricted = ""
    if status not in ("OK", "LIVE_STREAM_OFFLINE"):
        # Gates are judged by structure, not by their (localized) words: a page whose
        # videoDetails is this video with its view count reports real counts, whatever the gate.
        if not _described(details, video_id):
            return _gate_result(status, playability, why, detail)
        restricted = f"视频受限 ({detail})，计数仍来自页面"

    if details is not None and details.get("videoId") != video_id:
        return no_counts(ERROR, f"YouTube 返回了其他视频的数据 (videoId {str(details.get('videoId'))[:20]!r} != {video_id!r})")
    current = dig(data, "currentVideoEndpoint", "watchEndpoint", "videoId")
    if details is None and isinstance(current, str) and current != video_id:
        return no_counts(ERROR, f"YouTube 返回了其他视频的数据 (ytInitialData videoId {current[:20]!r})")

    views = _youtube_page_views(player, data, html)
    reasons = [restricted] if restricted else []
    if details is not None and details.get("allowRatings") is False:
        likes = None
        reasons.append("点赞数已被作者隐藏 (allowRatings=false)")
    else:
        likes = _youtube_likes(data)
        if likes is None:
            reasons.append("未找到点赞数 (页面缺少 ytInitialData 或结构已变化)" if data is None else "未找到点赞数 (点赞按钮结构已变化或已隐藏)")
    if views is None:
        if likes is None:
            return no_counts(ERROR, "页面结构已变化：找不到播放数和点赞数")
        reasons.append("未找到播放数 (页面结构可能已变化)")
    return counts_read(views, likes, reasons)


def api_answer_results(resp: Response, ids: Sequence[str]) -> dict[str, FetchResult]:
    """One result per id from a videos.list answer; raise QuotaExceeded / ApiConfigError for those errors."""
    try:
        body = json.loads(resp.text)
    except ValueError:
        body = None
    has_error = isinstance(body, dict) and isinstance(body.get("error"), dict)
    if resp.status_code != 200 and not has_error:
        status = status_result(resp, "YouTube API")
        return {i: status for i in ids}
    if body is None:
        return {i: no_counts(ERROR, "YouTube API 返回了无法解析的 JSON") for i in ids}
    if has_error:
        # the HTTP status is the better signal when the body's own code is missing
        body["error"].setdefault("code", resp.status_code)
    return parse_youtube_api_response(body, ids)
