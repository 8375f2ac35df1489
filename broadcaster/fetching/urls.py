"""Recognise a pasted YouTube / TikTok / Douyin link: the platform and the video id.

Pure text handling, no network: short links come back unresolved (``VideoRef.short_url``) and
are followed by `video_stats_fetcher.VideoStatsFetcher.resolve`. Every URL form comes from
``docs/platforms.md#supported-links``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from broadcaster.core.errors import InvalidVideoURL
from broadcaster.core.states import Platform

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
# the longest run of a platform's id characters at the start of a path segment or parameter
_YOUTUBE_RUN = re.compile(r"[0-9A-Za-z_-]*")
_DIGIT_RUN = re.compile(r"[0-9]*")
_SHORT_CODE_RUN = re.compile(r"[A-Za-z0-9_-]*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}:")
_HTTP = re.compile(r"https?://", re.IGNORECASE)
_URL_STOP = frozenset("<>\"'`{}|\\^")
_OPENERS = "([{<\"'`"
_URL_PARTS = frozenset("/?#=&")
# /embed/videoseries?list=… embeds a playlist, /embed/live_stream?channel=… a channel's live slot:
# both are 11 id characters by chance and name no video
_NOT_VIDEO_IDS = {"videoseries": "播放列表嵌入", "live_stream": "频道直播入口 live_stream，不是具体视频"}

_NOT_SUPPORTED = "无法识别的视频链接：不是 YouTube / TikTok / 抖音 链接"


def is_host(host: str, domain: str) -> bool:
    """Return True if host is ``domain`` or one of its subdomains (never ``domain.evil.com``)."""
    return host == domain or host.endswith("." + domain)


def _first_param(query: str, name: str) -> str | None:
    """Return the first value of ``name`` in a query string (yt-dlp also takes the first ``v``)."""
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == name:
            return value
    return None


def _leading_id(text: str | None, run: re.Pattern, valid: re.Pattern) -> str | None:
    """Return the id at the start of ``text``: its whole run of id characters, when that run is a valid id."""
    # a link pasted in text ends at the first character outside the id's alphabet ("ID)", "ID。");
    # a longer run of id characters is a different string, not an id with junk after it
    if not text:
        return None
    candidate = run.match(text).group()
    return candidate if valid.fullmatch(candidate) else None


def _url_token(text: str, start: int) -> str:
    """Return the URL-ish token from ``start`` up to the first space, non-ASCII or never-in-a-URL character."""
    end = start
    while end < len(text) and text[end].isascii() and not text[end].isspace() and text[end] not in _URL_STOP:
        end += 1
    return text[start:end]


def _candidate_url(text: str) -> str:
    """Return the URL-ish token to parse: the text itself, or the first http(s) URL inside pasted text."""
    if not isinstance(text, str):
        raise InvalidVideoURL("链接必须是文本")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidVideoURL(f"链接过长（超过 {MAX_URL_LENGTH} 个字符）")
    s = text.strip()
    if not s:
        raise InvalidVideoURL("链接为空")
    hit = _HTTP.search(s)
    if hit is None:
        if s.isascii() and not any(c.isspace() for c in s):
            return s  # a bare id, a link without scheme, or something _parse_url rejects
        raise InvalidVideoURL("未找到链接：请粘贴完整的视频链接 (no http(s) URL in text)")
    # share text such as "9.20 复制打开抖音，看看【…】 https://v.douyin.com/i5JpSdu8/ Gic:/ …" or
    # "看这个(https://youtu.be/ID)": the link starts at "http". But when the word around it is
    # itself a URL or URI ("evil.com/?u=https://…", "javascript:alert('https://…')"), that word is
    # what was pasted, and it names another site.
    word = hit.start()
    while word > 0 and s[word - 1].isascii() and not s[word - 1].isspace():
        word -= 1
    lead = s[word:hit.start()].rstrip(_OPENERS)
    scheme = _SCHEME.match(lead)
    if _URL_PARTS.intersection(lead) or (scheme and scheme.end() < len(lead)):
        return _url_token(s, word)
    return _url_token(s, hit.start())


def parse_video_url(text: str) -> VideoRef:
    """Return the platform and video id (or short link) of a pasted video link; raise InvalidVideoURL otherwise."""
    return _parse_url(_candidate_url(text), depth=0)


def _parse_url(s: str, depth: int) -> VideoRef:
    """Parse one URL token; ``depth`` bounds the consent-page ``continue=`` recursion."""
    while "&amp;" in s:  # pages escape links more than once ("&amp;amp;v=ID")
        s = s.replace("&amp;", "&")
    if YOUTUBE_ID.fullmatch(s) and s not in _NOT_VIDEO_IDS:
        return VideoRef(YOUTUBE, s)
    if s[:12].lower() == "vnd.youtube:":  # the YouTube apps' own links: vnd.youtube:ID, vnd.youtube://ID
        video_id = _leading_id(s[12:].lstrip("/"), _YOUTUBE_RUN, YOUTUBE_ID)
        if video_id is None or video_id in _NOT_VIDEO_IDS:
            raise InvalidVideoURL("YouTube 应用链接 (vnd.youtube:) 中没有有效的视频 ID")
        return VideoRef(YOUTUBE, video_id)
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
    while segs and not any(c.isalnum() for c in segs[-1]):
        segs.pop()  # "…/ID/)" pasted in text: the punctuation after the last slash is not a path
    query = parts.query

    if host in ("youtu.be", "www.youtu.be") or is_host(host, "youtube.com") or host in (
        "youtube-nocookie.com", "www.youtube-nocookie.com", "youtubekids.com", "www.youtubekids.com",
        "youtube.googleapis.com",
    ):
        return _youtube_ref(host, segs, query, depth)
    if is_host(host, "tiktok.com") or is_host(host, "tiktokv.com"):
        return _tiktok_ref(host, segs)
    if is_host(host, "douyin.com") or is_host(host, "iesdouyin.com"):
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
    if segs == ["attribution_link"]:
        # attribution_link?u=/watch%3Fv%3DID%26feature%3Dshare: the video is a path on youtube.com
        target = _first_param(query, "u")
        if target and target.startswith("/") and not target.startswith("//") and depth == 0:
            return _parse_url("https://www.youtube.com" + target, depth=1)
        raise InvalidVideoURL("YouTube 分享跳转链接中没有视频地址 (attribution_link u=)")
    candidate = None
    if host in ("youtu.be", "www.youtu.be"):
        candidate = segs[0] if segs else None
    elif segs and segs[0] in ("watch", "watch_popup") and len(segs) == 1:
        candidate = _first_param(query, "v")
    elif segs and segs[0] in ("shorts", "live", "embed", "v", "e", "watch", "w") and len(segs) >= 2:
        candidate = segs[1]  # old /v/ID&hl=en_US embeds end at the "&" like any other punctuation
    elif segs and segs[0] == "clip":
        raise InvalidVideoURL("不支持 YouTube 剪辑 (clip) 链接：请粘贴原视频的链接")
    else:
        raise InvalidVideoURL("不是 YouTube 视频链接（可能是频道、播放列表或首页）")
    video_id = _leading_id(candidate, _YOUTUBE_RUN, YOUTUBE_ID)
    if video_id in _NOT_VIDEO_IDS:
        raise InvalidVideoURL(f"不是 YouTube 视频链接（{_NOT_VIDEO_IDS[video_id]}）")
    if video_id is not None:
        return VideoRef(YOUTUBE, video_id)
    raise InvalidVideoURL("YouTube 链接中没有有效的视频 ID")


def _tiktok_ref(host: str, segs: list[str]) -> VideoRef:
    """Return the VideoRef of a TikTok URL (post id, or short link to resolve)."""
    if host in ("vm.tiktok.com", "vt.tiktok.com") and len(segs) == 1:
        code = _leading_id(segs[0], _SHORT_CODE_RUN, _SHORT_CODE)
        if code:
            return VideoRef(TIKTOK, None, short_url=f"https://{host}/{code}/")
        raise InvalidVideoURL("TikTok 短链接格式无效")
    handle = None
    candidate = None
    code = _leading_id(segs[1], _SHORT_CODE_RUN, _SHORT_CODE) if len(segs) == 2 and segs[0] == "t" else None
    if code:
        return VideoRef(TIKTOK, None, short_url=f"https://www.tiktok.com/t/{code}/")
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
        candidate = segs[1]  # m.tiktok.com/v/ID.html: the ".html" ends the id
    else:
        raise InvalidVideoURL("不是 TikTok 视频链接（可能是首页、用户主页或话题页）")
    video_id = _leading_id(candidate, _DIGIT_RUN, POST_ID)
    if video_id is not None:
        return VideoRef(TIKTOK, video_id, handle=handle)
    raise InvalidVideoURL("TikTok 链接中没有有效的视频 ID")


def _douyin_ref(host: str, segs: list[str], query: str) -> VideoRef:
    """Return the VideoRef of a Douyin URL (aweme id, or v.douyin.com short link)."""
    if host == "v.douyin.com":
        code = _leading_id(segs[0], _SHORT_CODE_RUN, _SHORT_CODE) if len(segs) == 1 else None
        if code:
            return VideoRef(DOUYIN, None, short_url=f"https://v.douyin.com/{code}/")
        raise InvalidVideoURL("抖音短链接格式无效")
    candidate = None
    if len(segs) >= 3 and segs[0] == "share" and segs[1] in ("video", "note", "slides"):
        candidate = segs[2]
    elif len(segs) >= 2 and segs[0] in ("video", "note") and is_host(host, "douyin.com"):
        candidate = segs[1]
    else:
        candidate = _first_param(query, "modal_id")
        if candidate is None and segs and segs[0] == "user" and is_host(host, "douyin.com"):
            candidate = _first_param(query, "vid")  # a user page with one of their videos open
    if candidate is None:
        raise InvalidVideoURL("不是抖音视频链接（可能是首页或用户主页）")
    video_id = _leading_id(candidate, _DIGIT_RUN, POST_ID)
    if video_id is not None:
        return VideoRef(DOUYIN, video_id)
    raise InvalidVideoURL("抖音链接中没有有效的视频 ID")
