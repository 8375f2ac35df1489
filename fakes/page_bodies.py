"""Page bodies the fake upstream serves about one video: which builder of fakes.pages, with which options.

Big pages are composed from one small builder call plus filler cut once per (kind, size): most of
a full-size builder call is joining and encoding the filler, which is the same for every video.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from fakes import pages
from fakes.pages.youtube import BOT_WALL
from fakes.videos import Video

_HEAD_END = "</head>"
_PAGE_TAIL = "</body></html>\n"


def _reference_page(kind: str, size: int) -> str:
    """Return an ordinary page of ``kind``, used only to cut its filler out."""
    if kind == "yt":
        return pages.youtube_watch_page("dQw4w9WgXcQ", 1_734_567_890, 18_123_456, size=size)
    if kind == "tt":
        return pages.tiktok_page("7504044860782021930", 71_400, 1_819, size=size)
    return pages.douyin_share_page("7535852404919586100", 7_007, size=size)


def _split_page(page: str) -> tuple[str, str, str] | None:
    """Split a filler-less page into head, core and tail, or None if it is not shaped that way."""
    cut = page.find(_HEAD_END)
    if cut < 0 or page.find(_HEAD_END, cut + 1) >= 0 or not page.endswith(_PAGE_TAIL):
        return None
    return page[:cut], page[cut:-len(_PAGE_TAIL)], _PAGE_TAIL


class PageComposer:
    """Builds big pages from one small builder call plus filler bytes cut once per (kind, size)."""

    # A full-size builder call costs about 1 ms (it joins and encodes ~400 KB), the data part
    # alone a fifth of that; so a page is head + filler + data + filler + tail, filler shared.

    def __init__(self):
        self._fillers: dict[tuple[str, int], tuple[bytes, bytes] | None] = {}
        self._lock = threading.Lock()

    def render(self, kind: str, build: Callable[[int], str], size: int) -> bytes:
        """Return the page that ``build(size)`` describes, as bytes."""
        filler = self._filler(kind, size)
        parts = _split_page(build(0)) if filler else None
        if parts is None:
            return build(size).encode()
        head, core, tail = parts
        return b"".join((head.encode(), filler[0], core.encode(), filler[1], tail.encode()))

    def _filler(self, kind: str, size: int) -> tuple[bytes, bytes] | None:
        """Return the filler before and after the data for pages of ``kind`` and ``size``."""
        key = (kind, size)
        if key not in self._fillers:
            with self._lock:
                if key not in self._fillers:
                    self._fillers[key] = self._cut_filler(kind, size)
        return self._fillers[key]

    @staticmethod
    def _cut_filler(kind: str, size: int) -> tuple[bytes, bytes] | None:
        """Cut the filler out of a reference page; None when fakes.pages no longer has this shape."""
        parts = _split_page(_reference_page(kind, 0))
        full = _reference_page(kind, size)
        if parts is None:
            return None
        head, core, tail = parts
        at = full.find(core)
        if not full.startswith(head) or at < len(head) or not full.endswith(tail):
            return None
        return full[len(head):at].encode(), full[at + len(core):-len(tail)].encode()


def page_builder(kind: str, video_id: str, video: Video | None, state: str) -> tuple[Callable[[int], str], bool]:
    """Return a ``size -> page`` builder for what the page shows, and whether it takes filler."""
    views = (video.views or 0) if video else 0
    likes = video.likes if video else None
    if kind == "yt":
        return _youtube_builder(video_id, views, likes, state), True
    if state == "blocked":
        challenge = pages.tiktok_challenge_page() if kind == "tt" else pages.douyin_challenge_page()
        return (lambda size: challenge), False
    shown = 0 if state == "hidden_likes" else likes or 0
    if kind == "tt":
        return _tiktok_builder(video_id, views, shown, state), True
    if state in ("deleted", "private", "missing"):
        return (lambda size: pages.douyin_share_page(video_id, 0, size=size, filtered=True)), True
    return (lambda size: pages.douyin_share_page(video_id, shown, size=size)), True


def _youtube_builder(video_id: str, views: int, likes: int | None, state: str) -> Callable[[int], str]:
    """Return a watch-page builder for a video in ``state``."""
    options = {
        "hidden_likes": {"likes_hidden": True},
        "deleted": {"playability": "ERROR", "reason": "This video has been removed by the uploader"},
        "private": {"playability": "LOGIN_REQUIRED", "reason": "This video is private."},
        "blocked": {"playability": "LOGIN_REQUIRED", "reason": BOT_WALL},
        "missing": {"playability": "ERROR", "reason": "Video unavailable"},
    }.get(state, {})
    return lambda size: pages.youtube_watch_page(video_id, views, likes, size=size, **options)


def _tiktok_builder(video_id: str, views: int, likes: int, state: str) -> Callable[[int], str]:
    """Return a post-page builder for a video in ``state``."""
    status = {
        "deleted": (10204, "item_privacy_authorization&status_deleted"),
        "missing": (10204, "item_privacy_authorization&status_deleted"),
        "private": (10216, ""),
    }.get(state, (0, ""))
    return lambda size: pages.tiktok_page(video_id, views, likes, size=size, status_code=status[0], status_msg=status[1])
