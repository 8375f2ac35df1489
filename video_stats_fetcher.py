"""Recognise YouTube / TikTok / Douyin video links and read their view and like counts.

Three layers, each usable on its own:

* ``parse_video_url`` and ``parse_count``: pure helpers, no network.
* ``parse_*`` page/API parsers: turn one upstream body into a ``FetchResult``.
* ``VideoStatsFetcher``: does the HTTP (one ``requests.Session`` per thread) and calls the parsers.

Every fetch ends as a ``FetchResult`` whose status is OK, UNAVAILABLE (deleted, private, not
found: permanent), BLOCKED (bot wall, challenge, 429: try later, never "dead") or ERROR
(network, 5xx, garbage, changed layout). Only configuration problems raise (``QuotaExceeded``,
``ApiConfigError``, ``InvalidVideoURL``). Facts about the platforms come from
``reference/platforms.md``.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

__all__ = [
    "YOUTUBE", "TIKTOK", "DOUYIN",
    "OK", "UNAVAILABLE", "BLOCKED", "ERROR",
    "FetchError", "InvalidVideoURL", "CountParseError", "QuotaExceeded", "ApiConfigError",
    "VideoRef", "FetchResult",
    "parse_video_url", "parse_count",
    "parse_youtube_api_response", "parse_youtube_watch_page", "parse_tiktok_page",
    "parse_douyin_share_page", "parse_tikhub_response",
    "make_session", "VideoStatsFetcher",
]

logger = logging.getLogger(__name__)

YOUTUBE, TIKTOK, DOUYIN = "youtube", "tiktok", "douyin"
OK, UNAVAILABLE, BLOCKED, ERROR = "ok", "unavailable", "blocked", "error"

MAX_URL_LENGTH = 2048
YOUTUBE_API_MAX_IDS = 50

CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/146.0.0.0 Safari/537.36"
)
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 26_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/26.0 Mobile/15E148 Safari/604.1"
)
_HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DESKTOP_HEADERS = {
    "User-Agent": CHROME_UA,
    "Accept": _HTML_ACCEPT,
    "Accept-Language": "en-US,en;q=0.9",
    "Sec-Fetch-Mode": "navigate",
}
DOUYIN_HEADERS = {
    "User-Agent": IPHONE_UA,
    "Accept": _HTML_ACCEPT,
    "Accept-Language": "zh-CN,zh;q=0.9",
}
API_HEADERS = {
    "User-Agent": CHROME_UA,
    "Accept": "application/json",
    "Accept-Language": "en-US,en;q=0.9",
}
# forces English text (reasons, like-button sentences) and skips the EU consent interstitial
YOUTUBE_COOKIES = {"PREF": "hl=en&tz=UTC", "SOCS": "CAI"}


# ---------------------------------------------------------------------------------------------
# Errors and results


class FetchError(Exception):
    """Base of this module's errors."""


class InvalidVideoURL(FetchError, ValueError):
    """The text is not a supported video link."""


class CountParseError(FetchError, ValueError):
    """The value is not a count."""


class QuotaExceeded(FetchError):
    """The YouTube Data API daily quota is spent (resets at Pacific midnight)."""


class ApiConfigError(FetchError):
    """An API key is invalid, restricted or not enabled for the API."""


@dataclass(frozen=True)
class VideoRef:
    """A video identified on one platform, or a short link still to resolve."""

    platform: str  # YOUTUBE / TIKTOK / DOUYIN
    video_id: str | None  # None only while a short link is unresolved
    short_url: str | None = None  # normalised https short link to resolve
    handle: str | None = None  # TikTok @handle when known

    @property
    def needs_resolution(self) -> bool:
        """Return True while the id is unknown and the short link must be followed."""
        return self.video_id is None


@dataclass(frozen=True)
class FetchResult:
    """The outcome of reading one video's counts."""

    status: str  # OK / UNAVAILABLE / BLOCKED / ERROR
    views: int | None = None  # None = unknown (never 0 for "unknown")
    likes: int | None = None
    reason: str = ""  # set for every non-OK and for OK with an unknown count


def _result(status: str, reason: str) -> FetchResult:
    """Return a result without counts."""
    return FetchResult(status, None, None, reason)


def _redact(text: str) -> str:
    """Hide API keys and bearer tokens in text that may be logged or shown."""
    text = re.sub(r"(?i)([?&;]key=)[^&\s'\"]*", r"\1***", text)
    return re.sub(r"(?i)(bearer\s+)[^\s'\"]+", r"\1***", text)


def _detail(exc: BaseException) -> str:
    """Return a short, key-free description of an exception for a reason string."""
    text = _redact(str(exc)).strip()
    name = type(exc).__name__
    return f"{name}: {text[:200]}" if text else name


# ---------------------------------------------------------------------------------------------
# URL recognition

_YT_ID = re.compile(r"[0-9A-Za-z_-]{11}")
_POST_ID = re.compile(r"[0-9]{6,24}")  # TikTok and Douyin post ids (19 digits today)
_SHORT_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_HANDLE = re.compile(r"[A-Za-z0-9_.-]{1,128}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}:")
_URL_STOP = frozenset("<>\"'`{}|\\^")

_NOT_SUPPORTED = "无法识别的视频链接：不是 YouTube / TikTok / 抖音 链接"


def _is_host(host: str, domain: str) -> bool:
    """Return True if host is ``domain`` or one of its subdomains (never ``domain.evil.com``)."""
    return host == domain or host.endswith("." + domain)


def _first_param(query: str, name: str) -> str | None:
    """Return the first value of ``name`` in a query string (yt-dlp also takes the first ``v``)."""
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == name:
            return value
    return None


def _candidate_url(text: str) -> str:
    """Return the URL-ish token to parse: the text itself, or the first http(s) URL inside pasted share text."""
    if not isinstance(text, str):
        raise InvalidVideoURL("链接必须是文本")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidVideoURL(f"链接过长（超过 {MAX_URL_LENGTH} 个字符）")
    s = text.strip()
    if not s:
        raise InvalidVideoURL("链接为空")
    if s.isascii() and not any(c.isspace() for c in s):
        return s
    # share text such as "9.20 复制打开抖音，看看【…】 https://v.douyin.com/i5JpSdu8/ Gic:/ …"
    low = s.lower()
    hits = [i for i in (low.find("https://"), low.find("http://")) if i >= 0]
    if not hits:
        raise InvalidVideoURL("未找到链接：请粘贴完整的视频链接 (no http(s) URL in text)")
    start = end = min(hits)
    while end < len(s) and s[end].isascii() and not s[end].isspace() and s[end] not in _URL_STOP:
        end += 1
    return s[start:end]


def parse_video_url(text: str) -> VideoRef:
    """Return the platform and video id (or short link) of a pasted video link; raise InvalidVideoURL otherwise."""
    return _parse_url(_candidate_url(text), depth=0)


def _parse_url(s: str, depth: int) -> VideoRef:
    """Parse one URL token; ``depth`` bounds the consent-page ``continue=`` recursion."""
    s = s.replace("&amp;", "&")
    if _YT_ID.fullmatch(s):
        return VideoRef(YOUTUBE, s)
    if s.startswith("//"):
        s = "https:" + s
    else:
        m = _SCHEME.match(s)
        if m and not s[m.end():m.end() + 1].isdigit():  # "host:443/..." is a port, not a scheme
            scheme = m.group()[:-1].lower()
            if scheme not in ("http", "https"):
                raise InvalidVideoURL(f"不支持的链接协议：{scheme[:32]}（只接受 http/https 链接）")
        elif "." in s.split("/", 1)[0]:
            s = "https://" + s
        else:
            raise InvalidVideoURL("不是链接：请粘贴完整的视频链接")
    try:
        parts = urlsplit(s)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise InvalidVideoURL("链接格式无效") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidVideoURL("不支持的链接协议（只接受 http/https 链接）")
    if "@" in parts.netloc:
        # https://youtube.com@evil.com/... really goes to evil.com
        raise InvalidVideoURL("链接包含用户名部分 (user@host)，已拒绝")
    if not host:
        raise InvalidVideoURL("链接缺少域名")
    host = host.rstrip(".")
    segs = [p for p in parts.path.split("/") if p]
    query = parts.query

    if host in ("youtu.be", "www.youtu.be") or _is_host(host, "youtube.com") or host in (
        "youtube-nocookie.com", "www.youtube-nocookie.com", "youtubekids.com", "www.youtubekids.com",
    ):
        return _youtube_ref(host, segs, query, depth)
    if _is_host(host, "tiktok.com") or _is_host(host, "tiktokv.com"):
        return _tiktok_ref(host, segs)
    if _is_host(host, "douyin.com") or _is_host(host, "iesdouyin.com"):
        return _douyin_ref(host, segs, query)
    raise InvalidVideoURL(_NOT_SUPPORTED)


def _youtube_ref(host: str, segs: list[str], query: str, depth: int) -> VideoRef:
    """Return the VideoRef of a YouTube URL already split into path segments and query."""
    if host == "consent.youtube.com":
        target = _first_param(query, "continue")
        if target and depth == 0:
            ref = _parse_url(target, depth=1)
            if ref.platform == YOUTUBE:
                return ref
        raise InvalidVideoURL("YouTube 同意页链接中没有视频地址 (consent continue=)")
    candidate = None
    if host in ("youtu.be", "www.youtu.be"):
        candidate = segs[0] if segs else None
    elif segs and segs[0] in ("watch", "watch_popup") and len(segs) == 1:
        candidate = _first_param(query, "v")
    elif segs and segs[0] in ("shorts", "live", "embed", "v", "e") and len(segs) >= 2:
        candidate = segs[1].split("&", 1)[0]  # old /v/ID&hl=en_US embeds
    elif segs and segs[0] == "clip":
        raise InvalidVideoURL("不支持 YouTube 剪辑 (clip) 链接：请粘贴原视频的链接")
    else:
        raise InvalidVideoURL("不是 YouTube 视频链接（可能是频道、播放列表或首页）")
    if candidate == "videoseries":  # /embed/videoseries?list=... embeds a playlist; 11 chars by chance
        raise InvalidVideoURL("不是 YouTube 视频链接（播放列表嵌入）")
    if candidate and _YT_ID.fullmatch(candidate):
        return VideoRef(YOUTUBE, candidate)
    raise InvalidVideoURL("YouTube 链接中没有有效的视频 ID")


def _tiktok_ref(host: str, segs: list[str]) -> VideoRef:
    """Return the VideoRef of a TikTok URL (post id, or short link to resolve)."""
    if host in ("vm.tiktok.com", "vt.tiktok.com") and len(segs) == 1:
        if _SHORT_CODE.fullmatch(segs[0]):
            return VideoRef(TIKTOK, None, short_url=f"https://{host}/{segs[0]}/")
        raise InvalidVideoURL("TikTok 短链接格式无效")
    handle = None
    candidate = None
    if len(segs) == 2 and segs[0] == "t" and _SHORT_CODE.fullmatch(segs[1]):
        return VideoRef(TIKTOK, None, short_url=f"https://www.tiktok.com/t/{segs[1]}/")
    if len(segs) >= 3 and segs[0].startswith("@") and segs[1] in ("video", "photo"):
        # /photo/ (slideshows) shares the id space; only the /video/ page carries the data
        candidate = segs[2]
        name = segs[0][1:]
        handle = name if _HANDLE.fullmatch(name) else None
    elif len(segs) >= 3 and segs[0] == "share" and segs[1] == "video":
        candidate = segs[2]
    elif len(segs) >= 3 and segs[0] == "embed" and segs[1] == "v2":
        candidate = segs[2]
    elif len(segs) >= 2 and segs[0] == "embed":
        candidate = segs[1]
    elif len(segs) >= 3 and segs[0] == "player" and segs[1] == "v1":
        candidate = segs[2]
    elif len(segs) >= 2 and segs[0] == "v":
        candidate = segs[1].removesuffix(".html")
    else:
        raise InvalidVideoURL("不是 TikTok 视频链接（可能是首页、用户主页或话题页）")
    if _POST_ID.fullmatch(candidate):
        return VideoRef(TIKTOK, candidate, handle=handle)
    raise InvalidVideoURL("TikTok 链接中没有有效的视频 ID")


def _douyin_ref(host: str, segs: list[str], query: str) -> VideoRef:
    """Return the VideoRef of a Douyin URL (aweme id, or v.douyin.com short link)."""
    if host == "v.douyin.com":
        if len(segs) == 1 and _SHORT_CODE.fullmatch(segs[0]):
            return VideoRef(DOUYIN, None, short_url=f"https://v.douyin.com/{segs[0]}/")
        raise InvalidVideoURL("抖音短链接格式无效")
    candidate = None
    if len(segs) >= 3 and segs[0] == "share" and segs[1] in ("video", "note", "slides"):
        candidate = segs[2]
    elif len(segs) >= 2 and segs[0] in ("video", "note") and _is_host(host, "douyin.com"):
        candidate = segs[1]
    else:
        candidate = _first_param(query, "modal_id")
    if candidate is None:
        raise InvalidVideoURL("不是抖音视频链接（可能是首页或用户主页）")
    if _POST_ID.fullmatch(candidate):
        return VideoRef(DOUYIN, candidate)
    raise InvalidVideoURL("抖音链接中没有有效的视频 ID")


# ---------------------------------------------------------------------------------------------
# Counts

# separators inside a number must be followed by digits, so the repetition cannot backtrack
# exponentially; the suffix must not run into a word ("12 minutes" is 12, not 12 million)
_COUNT_RE = re.compile(
    r"([0-9]+(?:[.,\u00a0\u202f ][0-9]+)*)\s*(kk|k|m|b|w|千|万|萬|亿|億)?(?![a-z])", re.IGNORECASE
)
_SUFFIX = {
    "k": 10**3, "千": 10**3, "kk": 10**6, "m": 10**6, "b": 10**9,
    "w": 10**4, "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8,
}
_MAX_COUNT_DIGITS = 18


def parse_count(value) -> int | None:
    """Return a non-negative count from an int or text ("1,234", "1.2M", "3.5万", "18,123,456 views"); None if empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CountParseError(f"不是计数：{value!r}")
    if isinstance(value, int):
        if value < 0:
            raise CountParseError(f"计数不能为负数：{value}")
        return value
    if isinstance(value, (float, Decimal)):
        if not math.isfinite(value) or value < 0 or value != int(value):
            raise CountParseError(f"不是整数计数：{value!r}")
        return int(value)
    if not isinstance(value, str):
        raise CountParseError(f"不是计数：{type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= _MAX_COUNT_DIGITS:
        return int(text)  # the common case: API and JSON digit strings
    if len(text) > 200:
        raise CountParseError("计数文本过长")
    m = _COUNT_RE.search(text)
    if m is None:
        if text.lower().startswith("no "):  # YouTube "No views" / "No likes"
            return 0
        raise CountParseError(f"无法解析的计数：{text[:60]!r}")
    before, after = text[:m.start()], text[m.end():]
    if before.rstrip().endswith(("-", "\u2212")):
        raise CountParseError(f"计数不能为负数：{text[:60]!r}")
    if any(c in "0123456789" for c in before) or any(c in "0123456789" for c in after):
        raise CountParseError(f"计数文本中有多个数字：{text[:60]!r}")
    suffix = m.group(2)
    return _count_number(m.group(1), _SUFFIX[suffix.lower()] if suffix else 1, text)


def _count_number(num: str, multiplier: int, text: str) -> int:
    """Return the integer value of "1,234" / "1.234" / "1 234" / "1.2" (decimal only with a suffix)."""
    groups = re.split(r"[.,\u00a0\u202f ]", num)
    seps = [c for c in num if not c.isdigit()]
    if sum(len(g) for g in groups) > _MAX_COUNT_DIGITS:
        raise CountParseError(f"计数过大：{text[:60]!r}")
    int_groups, frac = groups, ""
    if seps:
        last = seps[-1]
        thousands_only = len(set(seps)) == 1 and all(len(g) == 3 for g in groups[1:]) and not (
            multiplier > 1 and len(seps) == 1 and last in ".,"
        )
        if not thousands_only:
            if last not in ".,":
                raise CountParseError(f"无法解析的计数：{text[:60]!r}")
            int_groups, frac = groups[:-1], groups[-1]
            if any(c == last for c in seps[:-1]) or len(set(seps[:-1])) > 1:
                raise CountParseError(f"无法解析的计数：{text[:60]!r}")
            if not all(len(g) == 3 for g in int_groups[1:]):
                raise CountParseError(f"无法解析的计数：{text[:60]!r}")
    whole = Decimal("".join(int_groups) + ("." + frac if frac else ""))
    value = whole * multiplier
    if value != value.to_integral_value() and multiplier == 1:
        raise CountParseError(f"不是整数计数：{text[:60]!r}")
    return int(value)


def _safe_count(value) -> int | None:
    """Return parse_count(value), or None when the value is not a count."""
    try:
        return parse_count(value)
    except CountParseError:
        return None


# ---------------------------------------------------------------------------------------------
# JSON cut out of HTML

_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


class _BrokenJSON(Exception):
    """A data marker is present but the JSON after it is cut or corrupt."""


def _skip_ws(text: str, i: int) -> int:
    """Return the index of the first non-whitespace character at or after ``i``."""
    n = len(text)
    while i < n and text[i] in _WS:
        i += 1
    return i


def _decode_object(text: str, i: int) -> dict:
    """Decode the JSON object starting at ``text[i]``; raise _BrokenJSON if it is not one."""
    try:
        obj, _ = _DECODER.raw_decode(text, i)
    except (ValueError, RecursionError):
        raise _BrokenJSON from None
    if not isinstance(obj, dict):
        raise _BrokenJSON
    return obj


def _json_assigned(text: str, marker: str, max_hits: int = 16) -> dict | None:
    """Return the object in ``marker = {...}`` (or ``marker"] = {...}``), None if absent; raise _BrokenJSON if cut."""
    # raw_decode from the "{" rather than a regex up to "};": strings inside may contain "};".
    # Mentions of the marker that are not assignments (e.g. "if (window.marker)") are skipped.
    start, broken = 0, False
    for _ in range(max_hits):
        i = text.find(marker, start)
        if i < 0:
            break
        start = i + len(marker)
        j = _skip_ws(text, start)
        if text.startswith('"]', j):
            j = _skip_ws(text, j + 2)
        if not text.startswith("=", j):
            continue
        j = _skip_ws(text, j + 1)
        if not text.startswith("{", j):
            continue
        try:
            return _decode_object(text, j)
        except _BrokenJSON:
            broken = True
    if broken:
        raise _BrokenJSON
    return None


def _json_script(text: str, marker: str) -> dict | None:
    """Return the object inside ``<script marker ...>{...}</script>``; None if the tag is absent."""
    i = text.find(marker)
    if i < 0:
        return None
    gt = text.find(">", i)
    if gt < 0:
        raise _BrokenJSON
    j = _skip_ws(text, gt + 1)
    if not text.startswith("{", j):
        raise _BrokenJSON
    return _decode_object(text, j)


def _dig(obj, *path):
    """Return ``obj[path[0]][path[1]]...`` or None when any step is missing or of the wrong type."""
    for key in path:
        if isinstance(key, int):
            if not isinstance(obj, list) or not -len(obj) <= key < len(obj):
                return None
        elif not isinstance(obj, dict):
            return None
        obj = obj[key] if isinstance(key, int) else obj.get(key)
    return obj


def _as_text(html: str | bytes) -> str:
    """Return page text; bytes are decoded as UTF-8 with replacement so bad bytes never crash."""
    if isinstance(html, bytes):
        return html.decode("utf-8", errors="replace")
    return html


def _looks_like_html(text: str) -> bool:
    """Return True if the start of ``text`` has HTML markup (a challenge page), not random bytes."""
    head = text[:65536].lower()
    return "<html" in head or "<script" in head or "<!doctype html" in head


def _runs_text(node) -> str:
    """Return the text of a YouTube ``{"simpleText": ...}`` or ``{"runs": [...]}`` node."""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    if isinstance(node.get("simpleText"), str):
        return node["simpleText"]
    runs = node.get("runs")
    if isinstance(runs, list):
        return "".join(r.get("text", "") for r in runs if isinstance(r, dict) and isinstance(r.get("text"), str))
    return ""


# ---------------------------------------------------------------------------------------------
# YouTube


_YT_QUOTA = frozenset({"quotaExceeded", "dailyLimitExceeded"})
_YT_CONFIG = frozenset({
    "keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED", "accessNotConfigured",
    "SERVICE_DISABLED", "forbidden", "ipRefererBlocked", "CONSUMER_INVALID",
})
_YT_RATE = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})


def parse_youtube_api_response(body: dict, ids: Sequence[str]) -> dict[str, FetchResult]:
    """Return one result per requested id from a videos.list body; raise QuotaExceeded / ApiConfigError for those error bodies."""
    if not isinstance(body, dict):
        return {i: _result(ERROR, "YouTube API 返回了无法识别的内容") for i in ids}
    if "error" in body:
        return _youtube_api_error(body["error"], ids)
    items = body.get("items", [])  # with fields=items(...) an empty list may be left out entirely
    if not isinstance(items, list):
        return {i: _result(ERROR, "YouTube API 返回的 items 格式异常") for i in ids}
    by_id = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            by_id.setdefault(item["id"], item)
    results = {}
    for video_id in ids:
        item = by_id.get(video_id)
        if item is None:
            results[video_id] = _result(UNAVAILABLE, "视频不存在、已删除或设为私密 (YouTube API 未返回该 ID)")
            continue
        stats = item.get("statistics")
        if not isinstance(stats, dict):
            results[video_id] = _result(ERROR, "YouTube API 返回的条目缺少 statistics")
            continue
        try:
            views = parse_count(stats.get("viewCount"))
            likes = parse_count(stats.get("likeCount"))
        except CountParseError as exc:
            results[video_id] = _result(ERROR, f"YouTube API 返回的计数无法解析 ({exc})")
            continue
        reasons = []
        if views is None:
            reasons.append("YouTube API 未返回播放数")
        if likes is None:
            reasons.append("点赞数已被作者隐藏 (API 未返回 likeCount)")
        results[video_id] = FetchResult(OK, views, likes, "；".join(reasons))
    return results


def _youtube_api_error(error, ids: Sequence[str]) -> dict[str, FetchResult]:
    """Raise for quota/config errors; otherwise return the same BLOCKED/ERROR result for every id."""
    if not isinstance(error, dict):
        return {i: _result(ERROR, "YouTube API 返回了错误") for i in ids}
    reasons = [e.get("reason") for e in error.get("errors") or () if isinstance(e, dict)]
    reasons += [d.get("reason") for d in error.get("details") or () if isinstance(d, dict)]
    reasons = [r for r in reasons if isinstance(r, str)]
    code = error.get("code")
    message = _redact(str(error.get("message") or ""))[:200]
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
    return {i: _result(status, text) for i in ids}


def _youtube_like_button(data: dict) -> dict | None:
    """Return the like buttonViewModel (current layout) or the old toggleButtonRenderer, if present."""
    contents = _dig(data, "contents", "twoColumnWatchNextResults", "results", "results", "contents")
    for part in contents if isinstance(contents, list) else ():
        buttons = _dig(part, "videoPrimaryInfoRenderer", "videoActions", "menuRenderer", "topLevelButtons")
        for button in buttons if isinstance(buttons, list) else ():
            model = _dig(
                button, "segmentedLikeDislikeButtonViewModel", "likeButtonViewModel", "likeButtonViewModel",
                "toggleButtonViewModel", "toggleButtonViewModel", "defaultButtonViewModel", "buttonViewModel",
            )
            if isinstance(model, dict):
                return model
            old = _dig(button, "segmentedLikeDislikeButtonRenderer", "likeButton", "toggleButtonRenderer")
            if isinstance(old, dict):
                return {
                    "accessibilityText": _dig(old, "accessibilityData", "accessibilityData", "label"),
                    "title": _dig(old, "defaultText", "accessibility", "accessibilityData", "label"),
                }
    return None


def _youtube_likes(data: dict | None) -> int | None:
    """Return the like count from ytInitialData: exact accessibility text, exact entity number, then the abbreviation."""
    if data is None:
        return None
    button = _youtube_like_button(data) or {}
    text = button.get("accessibilityText")
    if isinstance(text, str) and any(c.isdigit() for c in text):
        likes = _safe_count(text)
        if likes is not None:
            return likes
    mutations = _dig(data, "frameworkUpdates", "entityBatchUpdate", "mutations")
    for mutation in mutations if isinstance(mutations, list) else ():
        number = _dig(mutation, "payload", "likeCountEntity", "likeCountIfIndifferentNumber")
        likes = _safe_count(number) if isinstance(number, (str, int)) else None
        if likes is not None:
            return likes
    title = button.get("title")
    if isinstance(title, str) and any(c.isdigit() for c in title):
        return _safe_count(title)
    return None


def _youtube_page_views(player: dict, data: dict | None, html: str) -> int | None:
    """Return views: videoDetails, microformat, <meta interactionCount>, then ytInitialData's view text (not live)."""
    for value in (
        _dig(player, "videoDetails", "viewCount"),
        _dig(player, "microformat", "playerMicroformatRenderer", "viewCount"),
    ):
        views = _safe_count(value) if isinstance(value, (str, int)) else None
        if views is not None:
            return views
    marker = 'itemprop="interactionCount" content="'
    i = html.find(marker)
    end = html.find('"', i + len(marker), i + len(marker) + 40) if i >= 0 else -1
    if end >= 0:
        views = _safe_count(html[i + len(marker):end])
        if views is not None:
            return views
    contents = _dig(data, "contents", "twoColumnWatchNextResults", "results", "results", "contents")
    for part in contents if isinstance(contents, list) else ():
        renderer = _dig(part, "videoPrimaryInfoRenderer", "viewCount", "videoViewCountRenderer")
        if isinstance(renderer, dict) and not renderer.get("isLive"):
            views = _safe_count(_runs_text(renderer.get("viewCount")))
            if views is not None:
                return views
    return None


def _youtube_block_reason(html: str) -> str | None:
    """Return a reason if a page without player data is a captcha / rate-limit page."""
    low = html[:200_000].lower()
    if "google.com/sorry" in low or "/das_captcha" in low or "unusual traffic" in low or "recaptcha" in low:
        return "YouTube 人机验证 / 流量异常拦截 (captcha page)"
    return None


def parse_youtube_watch_page(html: str | bytes, video_id: str) -> FetchResult:
    """Return the counts of ``video_id`` from a watch page, or why there are none."""
    html = _as_text(html)
    try:
        player = _json_assigned(html, "ytInitialPlayerResponse")
    except _BrokenJSON:
        return _result(ERROR, "页面数据不完整 (ytInitialPlayerResponse JSON 截断或损坏)")
    if player is None:
        blocked = _youtube_block_reason(html)
        if blocked:
            return _result(BLOCKED, blocked)
        if "consent.youtube.com" in html[:100_000] and "ytInitialData" not in html:
            return _result(ERROR, "YouTube 返回了 Cookie 同意页 (consent page)")
        return _result(ERROR, "页面结构已变化：未找到 ytInitialPlayerResponse")
    try:
        data = _json_assigned(html, "ytInitialData")
    except _BrokenJSON:
        data = None

    playability = player.get("playabilityStatus") if isinstance(player.get("playabilityStatus"), dict) else {}
    status = playability.get("status") if isinstance(playability.get("status"), str) else ""
    why = _runs_text(playability.get("reason")) or _runs_text(
        _dig(playability, "errorScreen", "playerErrorMessageRenderer", "reason")
    )
    sub = _runs_text(_dig(playability, "errorScreen", "playerErrorMessageRenderer", "subreason"))
    low = why.replace("\u2019", "'").lower()
    detail = f"{status}: {why}" + (f" / {sub}" if sub else "")
    if "not a bot" in low or "try again later" in low or _dig(playability, "errorScreen", "playerCaptchaViewModel"):
        return _result(BLOCKED, f"YouTube 人机验证拦截，稍后重试 ({detail})")

    details = player.get("videoDetails") if isinstance(player.get("videoDetails"), dict) else None
    restricted = ""
    if status not in ("OK", "LIVE_STREAM_OFFLINE"):
        if status == "ERROR":
            return _result(UNAVAILABLE, f"视频不存在或已删除 ({detail})")
        if status == "LOGIN_REQUIRED" and "private" in low:
            return _result(UNAVAILABLE, f"视频已设为私密 ({detail})")
        age = "age" in low or "inappropriate" in low or status in ("AGE_CHECK_REQUIRED", "CONTENT_CHECK_REQUIRED")
        if status == "LOGIN_REQUIRED" and not age:
            # an unknown sign-in wall is treated like the bot wall: never mark the video dead for it
            return _result(BLOCKED, f"YouTube 要求登录，稍后重试 ({detail})")
        if details is None or details.get("videoId") != video_id:
            if age:
                return _result(UNAVAILABLE, f"视频有年龄限制，匿名无法查看 ({detail})")
            if status == "UNPLAYABLE":
                return _result(UNAVAILABLE, f"视频在当前地区不可播放或仅限会员 ({detail})")
            return _result(ERROR, f"未知的播放状态 ({detail})")
        # restricted but still described: the counts are real, report them
        restricted = f"视频受限 ({detail})，计数仍来自页面"

    if details is not None and details.get("videoId") != video_id:
        return _result(ERROR, f"YouTube 返回了其他视频的数据 (videoId {str(details.get('videoId'))[:20]!r} != {video_id!r})")
    current = _dig(data, "currentVideoEndpoint", "watchEndpoint", "videoId")
    if details is None and isinstance(current, str) and current != video_id:
        return _result(ERROR, f"YouTube 返回了其他视频的数据 (ytInitialData videoId {current[:20]!r})")

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
            return _result(ERROR, "页面结构已变化：找不到播放数和点赞数")
        reasons.append("未找到播放数 (页面结构可能已变化)")
    return FetchResult(OK, views, likes, "；".join(reasons))


# ---------------------------------------------------------------------------------------------
# TikTok


def _tiktok_counts(item: dict) -> tuple[int | None, int | None]:
    """Return (views, likes) from itemStruct: exact statsV2 strings first, rounded stats second."""
    counts = []
    for key in ("playCount", "diggCount"):
        value = None
        for block in ("statsV2", "stats"):
            raw = _dig(item, block, key)
            if isinstance(raw, (str, int)) and not isinstance(raw, bool):
                value = _safe_count(raw)
                if value is not None:
                    break
        counts.append(value)
    return counts[0], counts[1]


def _tiktok_status(code, message: str) -> FetchResult:
    """Return the result for a non-zero TikTok statusCode (platforms.md §2.2)."""
    msg = message[:120]
    label = f"statusCode {code}" + (f": {msg}" if msg else "")
    if code == 10204:
        if "status_deleted" in msg:
            return _result(UNAVAILABLE, f"视频已删除或设为私密 ({label})")
        if "cross_border_violation" in msg:
            return _result(UNAVAILABLE, f"视频在当前地区不可见 ({label})")
        if "status_reviewing" in msg:
            return _result(ERROR, f"视频审核中，稍后再试 ({label})")
        # yt-dlp reads a bare 10204 as "your IP address is blocked from accessing this post"
        return _result(BLOCKED, f"TikTok 拒绝访问该视频，可能是 IP 受限 ({label})")
    if code == 10216:
        return _result(UNAVAILABLE, f"私密视频，需登录查看 ({label})")
    if code == 10222:
        return _result(UNAVAILABLE, f"私密账号的视频，需登录查看 ({label})")
    if code == 10231:
        return _result(UNAVAILABLE, f"视频在当前地区不可见 ({label})")
    return _result(ERROR, f"TikTok 返回未知状态 ({label})")


def _tiktok_item_result(item, video_id: str) -> FetchResult:
    """Return the result for one itemStruct / ItemModule entry."""
    if not isinstance(item, dict):
        return _result(ERROR, "页面结构已变化：缺少 itemStruct")
    if str(item.get("id")) != video_id:
        return _result(ERROR, f"TikTok 返回了其他视频的数据 (id {str(item.get('id'))[:24]!r})")
    views, likes = _tiktok_counts(item)
    if views is None and likes is None:
        if item.get("isContentClassified"):
            return _result(UNAVAILABLE, "内容被标记为敏感，需登录查看 (isContentClassified)")
        return _result(ERROR, "页面中没有播放数和点赞数 (stats 缺失)")
    reasons = []
    if views is None:
        reasons.append("页面中没有播放数")
    if likes is None:
        reasons.append("页面中没有点赞数")
    return FetchResult(OK, views, likes, "；".join(reasons))


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
    html = _as_text(html)
    try:
        data = _json_script(html, 'id="__UNIVERSAL_DATA_FOR_REHYDRATION__"')
    except _BrokenJSON:
        return _result(ERROR, "页面数据不完整 (rehydration JSON 截断或损坏)")
    if data is None:
        return _parse_tiktok_legacy(html, video_id)
    detail = _dig(data, "__DEFAULT_SCOPE__", "webapp.video-detail")
    if not isinstance(detail, dict):
        return _result(ERROR, "页面结构已变化：缺少 webapp.video-detail")
    code = _status_code(detail.get("statusCode", 0))
    if code is None:
        return _result(ERROR, "页面结构已变化：statusCode 无法识别")
    if code != 0:
        message = detail.get("statusMsg")
        return _tiktok_status(code, message if isinstance(message, str) else "")
    return _tiktok_item_result(_dig(detail, "itemInfo", "itemStruct"), video_id)


def _parse_tiktok_legacy(html: str, video_id: str) -> FetchResult:
    """Parse the pre-2024 ``SIGI_STATE`` / ``__NEXT_DATA__`` forms, or classify a page with no data."""
    try:
        sigi = _json_script(html, 'id="SIGI_STATE"') or _json_script(html, 'id="sigi-persisted-data"')
        nxt = None if sigi is not None else _json_script(html, 'id="__NEXT_DATA__"')
    except _BrokenJSON:
        return _result(ERROR, "页面数据不完整 (旧版 SIGI_STATE / __NEXT_DATA__ JSON 截断或损坏)")
    if sigi is not None:
        code = _status_code(_dig(sigi, "VideoPage", "statusCode") or 0)
        if code:
            return _tiktok_status(code, str(_dig(sigi, "VideoPage", "statusMsg") or ""))
        return _tiktok_item_result(_dig(sigi, "ItemModule", video_id), video_id)
    if nxt is not None:
        code = _status_code(_dig(nxt, "props", "pageProps", "statusCode") or 0)
        if code:
            return _tiktok_status(code, "")
        return _tiktok_item_result(_dig(nxt, "props", "pageProps", "itemInfo", "itemStruct"), video_id)
    head = html[:100_000]
    if 'id="cs"' in head or 'id="wci"' in head or "Please wait..." in head or "captcha" in head.lower():
        return _result(BLOCKED, "TikTok 返回了人机验证页 (JS challenge)，稍后重试")
    return _result(ERROR, "页面结构已变化：未找到 __UNIVERSAL_DATA_FOR_REHYDRATION__")


# ---------------------------------------------------------------------------------------------
# Douyin

_DOUYIN_NO_VIEWS = "抖音不公开播放数，只有点赞数 (play_count=0)"


def _douyin_statistics(item: dict) -> FetchResult:
    """Return likes (and views when play_count > 0) from an aweme's ``statistics``."""
    stats = item.get("statistics") if isinstance(item.get("statistics"), dict) else {}
    likes = _safe_count(stats.get("digg_count")) if isinstance(stats.get("digg_count"), (int, str)) else None
    plays = _safe_count(stats.get("play_count")) if isinstance(stats.get("play_count"), (int, str)) else None
    views = plays if plays else None  # 0 is "not public", not zero views
    reasons = [] if views is not None else [_DOUYIN_NO_VIEWS]
    if likes is None:
        if views is None:
            return _result(ERROR, "抖音返回的数据中没有点赞数 (statistics 缺失)")
        reasons.append("抖音返回的数据中没有点赞数")
    return FetchResult(OK, views, likes, "；".join(reasons))


def _douyin_filtered(entry: dict) -> FetchResult:
    """Return UNAVAILABLE with Douyin's own filter reason."""
    msg = str(entry.get("detail_msg") or "").strip()[:120]
    code = str(entry.get("filter_reason") or "").strip()[:60]
    text = msg or "作品不可见"
    return _result(UNAVAILABLE, f"抖音作品不可见：{text}" + (f" ({code})" if code else ""))


def parse_douyin_share_page(html: str | bytes, video_id: str) -> FetchResult:
    """Return the like count of ``video_id`` from an iesdouyin share page (views stay None: Douyin hides them)."""
    html = _as_text(html)
    try:
        data = _json_assigned(html, "_ROUTER_DATA")
    except _BrokenJSON:
        return _result(ERROR, "页面数据不完整 (_ROUTER_DATA JSON 截断或损坏)")
    loader = data.get("loaderData") if isinstance(data, dict) else None
    if not loader or not isinstance(loader, dict):
        if data is None and not _looks_like_html(html):
            return _result(ERROR, "抖音返回的内容不是网页 (无法识别的响应)")
        # the WAF / captcha page has no _ROUTER_DATA, or an empty one
        return _result(BLOCKED, "抖音返回了验证页 (页面没有 _ROUTER_DATA)，稍后重试")
    res = None
    for value in loader.values():
        if isinstance(value, dict):
            res = value.get("videoInfoRes") or value.get("noteDetailRes")
            if isinstance(res, dict):
                break
            res = None
    if res is None:
        return _result(ERROR, "页面结构已变化：_ROUTER_DATA 中没有 videoInfoRes")
    items = res.get("item_list") if isinstance(res.get("item_list"), list) else []
    filtered = res.get("filter_list") if isinstance(res.get("filter_list"), list) else []
    for entry in filtered:
        if isinstance(entry, dict) and str(entry.get("aweme_id")) == video_id:
            return _douyin_filtered(entry)
    for item in items:
        if isinstance(item, dict) and str(item.get("aweme_id")) == video_id:
            return _douyin_statistics(item)
    if items:
        return _result(ERROR, "抖音返回了其他作品的数据 (aweme_id 不匹配)")
    if filtered and isinstance(filtered[0], dict):
        return _douyin_filtered(filtered[0])
    return _result(ERROR, f"抖音返回的作品列表为空 (status_code {str(res.get('status_code'))[:10]})")


def parse_tikhub_response(body: dict, video_id: str) -> FetchResult:
    """Return the counts of ``video_id`` from a TikHub fetch_one_video body."""
    if not isinstance(body, dict):
        return _result(ERROR, "TikHub 返回了无法识别的内容")
    code = body.get("code")
    if code not in (None, 200):
        message = _redact(str(body.get("message") or body.get("detail") or ""))[:120]
        return _result(ERROR, f"TikHub 返回错误 (code {str(code)[:10]}: {message})")
    data = body.get("data")
    if not isinstance(data, dict):
        return _result(ERROR, "TikHub 响应中没有 data")
    detail = data.get("aweme_detail")
    if not isinstance(detail, dict):
        if isinstance(data.get("filter_detail"), dict):
            return _douyin_filtered(data["filter_detail"])
        return _result(ERROR, "TikHub 未返回作品数据 (aweme_detail 为空)")
    if str(detail.get("aweme_id")) != video_id:
        return _result(ERROR, "TikHub 返回了其他作品的数据 (aweme_id 不匹配)")
    return _douyin_statistics(detail)


# ---------------------------------------------------------------------------------------------
# HTTP


def make_session() -> requests.Session:
    """Return a Session with a small connection pool and no python-requests User-Agent."""
    session = requests.Session()
    # Read proxy settings (HTTPS_PROXY, …) once: with trust_env on, requests scans the whole
    # environment on every request, which was a measurable share of a large pass's CPU.
    session.proxies.update(urllib.request.getproxies())
    session.trust_env = False
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = CHROME_UA
    return session


class _RequestFailed(FetchError):
    """A request produced no usable response; ``status`` says how to classify it."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class _Response:
    """Status, headers and decoded body of one request."""

    status_code: int
    headers: Mapping[str, str]
    text: str


_BLOCKING_REDIRECTS = ("google.com/sorry", "/login", "/signin", "accounts.google.com")


def _http_status_result(resp: _Response, what: str) -> FetchResult | None:
    """Return the result a non-200 page response stands for, or None for 200."""
    code = resp.status_code
    if code == 200:
        return None
    if 300 <= code < 400:
        location = _redact(resp.headers.get("Location", ""))
        if any(marker in location.lower() for marker in _BLOCKING_REDIRECTS):
            return _result(BLOCKED, f"{what} 被重定向到验证/登录页 (HTTP {code} → {location[:120]})")
        return _result(ERROR, f"{what} 意外重定向 (HTTP {code} → {location[:120]})")
    if code == 429:
        retry = resp.headers.get("Retry-After", "")
        hint = f", Retry-After {retry[:20]}" if retry else ""
        return _result(BLOCKED, f"{what} 请求过于频繁，稍后重试 (HTTP 429{hint})")
    if code == 403:
        return _result(BLOCKED, f"{what} 拒绝访问，可能被风控 (HTTP 403)")
    if code >= 500:
        return _result(ERROR, f"{what} 服务器错误 (HTTP {code})")
    return _result(ERROR, f"{what} 返回 HTTP {code}")


class VideoStatsFetcher:
    """Fetch view and like counts over HTTP; safe to call from many threads at once.

    Each thread gets its own ``requests.Session`` from ``session_factory``. Page redirects are
    never followed. Bodies are streamed and cut at ``max_bytes``; a whole request may take at
    most about the read timeout plus 5 s of body reading, so a trickling server cannot hold a
    thread. Results follow the module docstring; only configuration problems raise.
    """

    def __init__(
        self,
        *,
        youtube_api_url: str = "https://www.googleapis.com/youtube/v3",
        youtube_web_url: str = "https://www.youtube.com",
        tiktok_web_url: str = "https://www.tiktok.com",
        douyin_web_url: str = "https://www.iesdouyin.com",
        tikhub_api_url: str = "https://api.tikhub.io",
        youtube_api_key: str | None = None,
        tikhub_api_key: str | None = None,
        timeout: float | tuple[float, float] = (3.05, 10.0),
        max_bytes: int = 4_000_000,
        session_factory: Callable[[], requests.Session] | None = None,
    ):
        self.youtube_api_url = youtube_api_url.rstrip("/")
        self.youtube_web_url = youtube_web_url.rstrip("/")
        self.tiktok_web_url = tiktok_web_url.rstrip("/")
        self.douyin_web_url = douyin_web_url.rstrip("/")
        self.tikhub_api_url = tikhub_api_url.rstrip("/")
        self._youtube_api_key = youtube_api_key or None
        self._tikhub_api_key = tikhub_api_key or None
        self.timeout = timeout
        self.max_bytes = max_bytes
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        #: whole-body reading budget per request, checked between reads
        self.deadline_seconds = (read_timeout or 10.0) + 5.0
        self._session_factory = session_factory or make_session
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"<VideoStatsFetcher youtube_api_key={'set' if self._youtube_api_key else 'unset'} tikhub_api_key={'set' if self._tikhub_api_key else 'unset'}>"

    @property
    def has_youtube_api_key(self) -> bool:
        """Return True when the YouTube Data API can be used."""
        return self._youtube_api_key is not None

    @property
    def has_tikhub_api_key(self) -> bool:
        """Return True when TikHub can be used for Douyin."""
        return self._tikhub_api_key is not None

    def _session(self) -> requests.Session:
        """Return this thread's Session, creating it on first use."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._session_factory()
            self._local.session = session
        return session

    def _get(self, url: str, headers: Mapping[str, str], cookies: Mapping[str, str] | None = None) -> _Response:
        """GET ``url`` without following redirects and return the decoded body; raise _RequestFailed on transport failure."""
        started = time.monotonic()
        safe_url = _redact(url)
        try:
            resp = self._session().get(
                url, headers=dict(headers), cookies=cookies, timeout=self.timeout,
                stream=True, allow_redirects=False,
            )
        except requests.Timeout as exc:
            logger.info("GET %s timed out: %s", safe_url, _detail(exc), extra={"action": "fetch_timeout"})
            raise _RequestFailed(ERROR, f"请求超时 ({_detail(exc)})") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            logger.info("GET %s failed: %s", safe_url, _detail(exc), extra={"action": "fetch_connection_error"})
            raise _RequestFailed(ERROR, f"连接失败 ({_detail(exc)})") from None
        try:
            body = self._read_body(resp, started)
        finally:
            resp.close()
        logger.debug("GET %s -> %s (%d bytes)", safe_url, resp.status_code, len(body))
        return _Response(resp.status_code, resp.headers, body.decode("utf-8", errors="replace"))

    def _read_body(self, resp: requests.Response, started: float) -> bytes:
        """Read at most ``max_bytes`` of the body before the deadline; raise _RequestFailed otherwise."""
        length = resp.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise _RequestFailed(ERROR, f"页面过大 (Content-Length {length} 超过 {self.max_bytes} 字节)")
        deadline = started + self.deadline_seconds
        raw = resp.raw
        # read1 returns what one socket read delivers, so the deadline is checked even when a
        # server trickles bytes slower than the read timeout but never stops
        read = raw.read1 if hasattr(raw, "read1") else raw.read
        chunks, total = [], 0
        try:
            while True:
                if time.monotonic() > deadline:
                    raise _RequestFailed(ERROR, f"读取超时 (响应超过 {self.deadline_seconds:g} 秒未读完)")
                chunk = read(65536, decode_content=True)
                if not chunk:
                    break
                total += len(chunk)
                if total > self.max_bytes:
                    raise _RequestFailed(ERROR, f"页面过大 (超过 {self.max_bytes} 字节)")
                chunks.append(chunk)
        except _RequestFailed:
            raise
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            raise _RequestFailed(ERROR, f"读取响应失败 ({_detail(exc)})") from None
        return b"".join(chunks)

    # -- short links -------------------------------------------------------------------------

    def resolve(self, ref: VideoRef) -> VideoRef:
        """Return ``ref`` with its short link followed to the real video id (up to 5 redirects)."""
        if not ref.needs_resolution:
            return ref
        if not ref.short_url:
            raise InvalidVideoURL("短链接为空，无法解析")
        headers = DOUYIN_HEADERS if ref.platform == DOUYIN else DESKTOP_HEADERS
        url = ref.short_url
        for _ in range(5):
            try:
                resp = self._get(url, headers)
            except _RequestFailed as exc:
                raise FetchError(f"短链接解析失败：{exc.reason}") from None
            if 300 <= resp.status_code < 400:
                location = resp.headers.get("Location")
                if not location:
                    raise FetchError(f"短链接解析失败：HTTP {resp.status_code} 缺少 Location")
                target = urljoin(url, location)
                try:
                    nxt = parse_video_url(target)
                except InvalidVideoURL:
                    raise InvalidVideoURL(
                        f"短链接没有指向视频（链接可能已失效）：{_redact(target)[:200]}"
                    ) from None
                if nxt.platform != ref.platform:
                    raise InvalidVideoURL(f"短链接指向了其他平台：{_redact(target)[:200]}")
                if not nxt.needs_resolution:
                    logger.debug("resolved %s -> %s %s", ref.short_url, nxt.platform, nxt.video_id)
                    return nxt
                url = nxt.short_url
                continue
            if resp.status_code in (404, 410):
                raise InvalidVideoURL(f"短链接无效或已过期 (HTTP {resp.status_code})")
            status = _http_status_result(resp, "短链接")
            raise FetchError(f"短链接解析失败：{status.reason if status else f'HTTP {resp.status_code} 没有重定向'}")
        raise FetchError("短链接解析失败：重定向次数过多")

    # -- YouTube -----------------------------------------------------------------------------

    def fetch_youtube_api(self, ids: Sequence[str]) -> dict[str, FetchResult]:
        """Return results for 1–50 YouTube ids from ONE videos.list call; raise QuotaExceeded / ApiConfigError."""
        ids = list(dict.fromkeys(ids))
        if not 1 <= len(ids) <= YOUTUBE_API_MAX_IDS:
            raise ValueError(f"fetch_youtube_api takes 1..{YOUTUBE_API_MAX_IDS} ids, got {len(ids)}")
        for video_id in ids:
            if not isinstance(video_id, str) or not _YT_ID.fullmatch(video_id):
                raise InvalidVideoURL(f"无效的 YouTube 视频 ID：{str(video_id)[:20]!r}")
        if self._youtube_api_key is None:
            raise ApiConfigError("未配置 YouTube API key")
        query = urlencode(
            {"part": "statistics", "id": ",".join(ids), "fields": "items(id,statistics)", "key": self._youtube_api_key},
            safe=",()",
        )
        try:
            resp = self._get(f"{self.youtube_api_url}/videos?{query}", API_HEADERS)
        except _RequestFailed as exc:
            return {i: _result(exc.status, f"YouTube API {exc.reason}") for i in ids}
        try:
            body = json.loads(resp.text)
        except ValueError:
            body = None
        if resp.status_code != 200 and not (isinstance(body, dict) and isinstance(body.get("error"), dict)):
            status = _http_status_result(resp, "YouTube API")
            return {i: status for i in ids}
        if body is None:
            return {i: _result(ERROR, "YouTube API 返回了无法解析的 JSON") for i in ids}
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            # the HTTP status is the better signal when the body's own code is missing
            body["error"].setdefault("code", resp.status_code)
        try:
            return parse_youtube_api_response(body, ids)
        except (QuotaExceeded, ApiConfigError) as exc:
            logger.warning("YouTube API refused the call: %s", exc, extra={"action": "youtube_api_refused"})
            raise

    def fetch_youtube_page(self, video_id: str) -> FetchResult:
        """Return the counts of one YouTube video read from its watch page (English, consent accepted)."""
        if not isinstance(video_id, str) or not _YT_ID.fullmatch(video_id):
            raise InvalidVideoURL(f"无效的 YouTube 视频 ID：{str(video_id)[:20]!r}")
        url = f"{self.youtube_web_url}/watch?v={video_id}&hl=en&gl=US"
        return self._fetch_page(url, DESKTOP_HEADERS, "YouTube", parse_youtube_watch_page, video_id, YOUTUBE_COOKIES)

    # -- TikTok ------------------------------------------------------------------------------

    def fetch_tiktok_page(self, video_id: str, handle: str | None = None) -> FetchResult:
        """Return the counts of one TikTok post read from its page's rehydration JSON."""
        if not isinstance(video_id, str) or not _POST_ID.fullmatch(video_id):
            raise InvalidVideoURL(f"无效的 TikTok 视频 ID：{str(video_id)[:24]!r}")
        user = handle if handle and _HANDLE.fullmatch(handle) else "_"
        url = f"{self.tiktok_web_url}/@{quote(user)}/video/{video_id}"
        return self._fetch_page(url, DESKTOP_HEADERS, "TikTok", parse_tiktok_page, video_id)

    # -- Douyin ------------------------------------------------------------------------------

    def fetch_douyin_page(self, video_id: str) -> FetchResult:
        """Return the like count of one Douyin post read from the iesdouyin share page."""
        if not isinstance(video_id, str) or not _POST_ID.fullmatch(video_id):
            raise InvalidVideoURL(f"无效的抖音作品 ID：{str(video_id)[:24]!r}")
        url = f"{self.douyin_web_url}/share/video/{video_id}/"
        return self._fetch_page(url, DOUYIN_HEADERS, "抖音", parse_douyin_share_page, video_id)

    def fetch_douyin_tikhub(self, video_id: str) -> FetchResult:
        """Return the counts of one Douyin post from TikHub (views included when TikHub has them)."""
        if not isinstance(video_id, str) or not _POST_ID.fullmatch(video_id):
            raise InvalidVideoURL(f"无效的抖音作品 ID：{str(video_id)[:24]!r}")
        if self._tikhub_api_key is None:
            raise ApiConfigError("未配置 TikHub API key")
        url = f"{self.tikhub_api_url}/api/v1/douyin/web/fetch_one_video?aweme_id={video_id}"
        headers = dict(API_HEADERS, Authorization=f"Bearer {self._tikhub_api_key}")
        try:
            resp = self._get(url, headers)
        except _RequestFailed as exc:
            return _result(exc.status, f"TikHub {exc.reason}")
        if resp.status_code in (401, 403):
            logger.warning("TikHub refused the key (HTTP %s)", resp.status_code, extra={"action": "tikhub_refused"})
            raise ApiConfigError(f"TikHub API key 无效或无权限 (HTTP {resp.status_code})")
        if resp.status_code == 402:
            raise ApiConfigError("TikHub 账户余额不足 (HTTP 402)")
        status = _http_status_result(resp, "TikHub")
        if status is not None:
            return status
        try:
            body = json.loads(resp.text)
        except ValueError:
            return _result(ERROR, "TikHub 返回了无法解析的 JSON")
        return parse_tikhub_response(body, video_id)

    # -- shared ------------------------------------------------------------------------------

    def _fetch_page(
        self,
        url: str,
        headers: Mapping[str, str],
        what: str,
        parse: Callable[[str, str], FetchResult],
        video_id: str,
        cookies: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """GET a page and parse it, turning transport failures and HTTP statuses into results."""
        try:
            resp = self._get(url, headers, cookies)
        except _RequestFailed as exc:
            return _result(exc.status, f"{what} {exc.reason}")
        status = _http_status_result(resp, what)
        if status is not None:
            return status
        result = parse(resp.text, video_id)
        if result.status != OK:
            logger.info("%s %s: %s (%s)", what, video_id, result.status, result.reason, extra={"action": "fetch_not_ok"})
        return result

    def fetch(self, ref: VideoRef) -> FetchResult:
        """Return the counts of one video (short link resolved; API or TikHub when their key is set)."""
        # a dead short link is permanent (UNAVAILABLE); a spent quota falls back to the watch
        # page; ApiConfigError still raises because only an operator can fix it
        try:
            ref = self.resolve(ref)
        except InvalidVideoURL as exc:
            return _result(UNAVAILABLE, str(exc))
        except FetchError as exc:
            return _result(ERROR, str(exc))
        if ref.platform == YOUTUBE:
            if self._youtube_api_key is not None:
                try:
                    return self.fetch_youtube_api([ref.video_id])[ref.video_id]
                except QuotaExceeded:
                    pass
            return self.fetch_youtube_page(ref.video_id)
        if ref.platform == TIKTOK:
            return self.fetch_tiktok_page(ref.video_id, ref.handle)
        if ref.platform == DOUYIN:
            if self._tikhub_api_key is not None:
                return self.fetch_douyin_tikhub(ref.video_id)
            return self.fetch_douyin_page(ref.video_id)
        raise InvalidVideoURL(f"不支持的平台：{ref.platform!r}")
