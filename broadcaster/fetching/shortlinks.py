"""Following a short link (``vm.tiktok.com``, ``v.douyin.com``, …) hop by hop to its video.

Redirects are read, never followed blindly: every hop must stay on the link's platform and end
at a video. A link that names no video (dead, expired, a profile) is permanent
(InvalidVideoURL); a hop that fails on the network is worth trying again (FetchError).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from urllib.parse import urljoin

from broadcaster.core.errors import FetchError, InvalidVideoURL
from broadcaster.core.states import Platform
from broadcaster.fetching.client import DESKTOP_HEADERS, RequestFailed, Response, status_result
from broadcaster.fetching.douyin import HEADERS as DOUYIN_HEADERS
from broadcaster.fetching.results import redact
from broadcaster.fetching.urls import VideoRef, parse_video_url

logger = logging.getLogger(__name__)

MAX_HOPS = 5


def follow(ref: VideoRef, get: Callable[[str, Mapping[str, str]], Response]) -> VideoRef:
    """`ref` with its short link followed to the real video id, through `get(url, headers)`."""
    if not ref.needs_resolution:
        return ref
    if not ref.short_url:
        raise InvalidVideoURL("短链接为空，无法解析")
    headers = DOUYIN_HEADERS if ref.platform == Platform.DOUYIN else DESKTOP_HEADERS
    url = ref.short_url
    for _ in range(MAX_HOPS):
        try:
            resp = get(url, headers)
        except RequestFailed as exc:
            raise FetchError(f"短链接解析失败：{exc.reason}") from None
        if not 300 <= resp.status_code < 400:
            raise _failure(resp)
        nxt = _target(ref, url, resp)
        if not nxt.needs_resolution:
            logger.debug("resolved %s -> %s %s", ref.short_url, nxt.platform, nxt.video_id)
            return nxt
        url = nxt.short_url
    raise FetchError("短链接解析失败：重定向次数过多")


def _target(ref: VideoRef, url: str, resp: Response) -> VideoRef:
    """Where one hop points: a video of the same platform, or another short link."""
    location = resp.headers.get("Location")
    if not location:
        raise FetchError(f"短链接解析失败：HTTP {resp.status_code} 缺少 Location")
    target = urljoin(url, location)
    try:
        nxt = parse_video_url(target)
    except InvalidVideoURL:
        raise InvalidVideoURL(f"短链接没有指向视频（链接可能已失效）：{redact(target)[:200]}") from None
    if nxt.platform != ref.platform:
        raise InvalidVideoURL(f"短链接指向了其他平台：{redact(target)[:200]}")
    return nxt


def _failure(resp: Response) -> FetchError:
    """The error for a hop that answered without a redirect."""
    if resp.status_code in (404, 410):
        return InvalidVideoURL(f"短链接无效或已过期 (HTTP {resp.status_code})")
    status = status_result(resp, "短链接")
    return FetchError(f"短链接解析失败：{status.reason if status else f'HTTP {resp.status_code} 没有重定向'}")
