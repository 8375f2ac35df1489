"""Recognise a pasted YouTube / TikTok / Douyin link: the platform and the video id.

Pure text handling, no network: short links come back unresolved (``VideoRef.short_url``) and
are followed by `video_stats_fetcher.VideoStatsFetcher.resolve`. Every URL form comes from
``reference/platforms.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from broadcaster.errors import InvalidVideoURL
from broadcaster.states import Platform

YOUTUBE, TIKTOK, DOUYIN = Platform.YOUTUBE, Platform.TIKTOK, Platform.DOUYIN
MAX_URL_LENGTH = 2048


@dataclass(frozen=True)
class VideoRef:
    """A video identified on one platform, or a short link still to resolve."""

    platform: str  # a Platform
    video_id: str | None  # None only while a short link is unresolved
    short_url: str | None = None  # normalised https short link to resolve
    handle: str | None = None  # TikTok @handle when known

    @property
    def needs_resolution(self) -> bool:
        """Return True while the id is unknown and the short link must be followed."""
        return self.video_id is None


YOUTUBE_ID = re.compile(r"[0-9A-Za-z_-]{11}")
POST_ID = re.compile(r"[0-9]{6,24}")  # TikTok and Douyin post ids (19 digits today)
_SHORT_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
HANDLE = re.compile(r"[A-Za-z0-9_.-]{1,128}")
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
    if YOUTUBE_ID.fullmatch(s):
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
    if candidate and YOUTUBE_ID.fullmatch(candidate):
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
        handle = name if HANDLE.fullmatch(name) else None
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
    if POST_ID.fullmatch(candidate):
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
    if POST_ID.fullmatch(candidate):
        return VideoRef(DOUYIN, candidate)
    raise InvalidVideoURL("抖音链接中没有有效的视频 ID")
