"""The fake's platform side: YouTube Data API, watch/post/share pages and TikHub answers about its videos.

Unknown ids read as gone: YouTube "Video unavailable", TikTok 10204, Douyin filtered.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from urllib.parse import parse_qs

from fakes import pages
from fakes.page_bodies import PageComposer, page_builder
from fakes.replies import HTML, HUGE_SIZE, JSON, NOT_FOUND, Reply, garbage, json_reply, shaped, status_reply
from fakes.server import Headers
from fakes.videos import Video

MAX_API_IDS = 50
DEFAULT_SIZES = {"yt": 400_000, "tt": 200_000, "dy": 40_000}

# a batch answer is decided by the "worst" video in it, in this order
_API_BATCH_ORDER = ("quota", "blocked", "http_429", "http_500", "garbage", "truncated", "huge", "not_utf8", "slow", "trickle")
_PLATFORM_OF = {"yt-api": "youtube", "yt": "youtube", "tt": "tiktok", "dy": "douyin", "tikhub": "douyin",
                "tikhub-tt": "tiktok"}
_TIKHUB_KINDS = {"/api/v1/douyin/web/fetch_one_video": "tikhub", "/api/v1/tiktok/app/v3/fetch_one_video": "tikhub-tt"}


class PageCache:
    """Each video's current prepared reply, one per (kind, video id), within a byte budget."""

    # When full it stops adding instead of evicting: a pass reads the videos in a cycle, which
    # turns an LRU smaller than the working set into a miss on every request.

    def __init__(self, budget: int):
        self._budget = budget
        self._used = 0
        self._items: dict[tuple[str, str], tuple[Video | None, Reply]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], video: Video | None) -> Reply | None:
        """Return the reply cached for key if it was built for this very video state."""
        entry = self._items.get(key)
        return entry[1] if entry is not None and entry[0] == video else None

    def put(self, key: tuple[str, str], video: Video | None, reply: Reply) -> None:
        """Remember reply for key, replacing an older state, while the budget allows."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._used -= old[1].size()
            if self._used + reply.size() <= self._budget:
                self._items[key] = (video, reply)
                self._used += reply.size()


class Platforms:
    """The videos the fake knows, and its answers to the platform requests about them."""

    def __init__(self, cache_bytes: int):
        self.api_keys: set[str] | None = None  # None: any non-empty key is valid
        self._videos: dict[tuple[str, str], Video] = {}
        self._cache = PageCache(cache_bytes)
        self._composer = PageComposer()

    def add(self, videos: Iterable[Video]) -> None:
        """Add or replace videos."""
        for video in videos:
            self._videos[(video.platform, video.video_id)] = video

    def video(self, platform: str, video_id: str) -> Video | None:
        """Return the video as the fake knows it, or None."""
        return self._videos.get((platform, video_id))

    def answer(self, prefix: str, path: str, query: str, headers: Headers) -> Reply:
        """Return the reply for one request under a platform prefix (everything but x2c)."""
        if prefix == "yt-api":
            return self._youtube_api(path, parse_qs(query))
        if prefix == "tikhub":
            return self._tikhub(path, parse_qs(query), headers.get("Authorization") or "")
        video_id = _page_video_id(prefix, path, query)
        return self._page_reply(prefix, video_id) if video_id else NOT_FOUND

    def _page_reply(self, kind: str, video_id: str) -> Reply:
        """Return the (cached) reply for a page or TikHub request about one video."""
        video = self._videos.get((_PLATFORM_OF[kind], video_id))
        reply = self._cache.get((kind, video_id), video)
        if reply is None:
            reply = self._build_page_reply(kind, video_id, video)
            self._cache.put((kind, video_id), video, reply)
        return reply

    def _build_page_reply(self, kind: str, video_id: str, video: Video | None) -> Reply:
        """Build the reply for a page or TikHub request about one video."""
        behaviour = video.behaviour if video else "missing"
        content_type = JSON if kind.startswith("tikhub") else HTML
        plain = status_reply(behaviour, content_type)
        if plain is not None:
            return plain
        if behaviour == "garbage":
            return Reply(200, garbage(video_id), content_type)
        if kind.startswith("tikhub"):
            return self._tikhub_body(kind, video_id, video, behaviour)
        state = behaviour if behaviour in ("hidden_likes", "deleted", "private", "blocked", "missing") else "ok"
        build, takes_filler = page_builder(kind, video_id, video, state)
        size = HUGE_SIZE if behaviour == "huge" else (video.size if video and video.size else DEFAULT_SIZES[kind])
        body = self._composer.render(kind, build, size) if takes_filler else build(size).encode()
        return shaped(200, body, content_type, behaviour, kind)

    def _tikhub(self, path: str, params: dict, authorization: str) -> Reply:
        """Answer TikHub's fetch_one_video (Douyin or TikTok), which needs a bearer key."""
        kind = _TIKHUB_KINDS.get(path.rstrip("/"))
        if kind is None:
            return json_reply(404, {"detail": "Not Found"})
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return json_reply(401, {"detail": {"code": 401, "message": "Invalid or missing API key."}})
        aweme_id = (params.get("aweme_id") or [""])[0]
        if not aweme_id:
            return json_reply(422, {"detail": [{"loc": ["query", "aweme_id"], "msg": "field required"}]})
        return self._page_reply(kind, aweme_id)

    @staticmethod
    def _tikhub_body(kind: str, video_id: str, video: Video | None, behaviour: str) -> Reply:
        """Return the TikHub answer about one Douyin or TikTok video."""
        if behaviour == "blocked":
            return json_reply(429, {"detail": {"code": 429, "message": "Too many requests, slow down."}})
        views = (video.views or 0) if video else 0
        likes = 0 if behaviour == "hidden_likes" or video is None else (video.likes or 0)
        filtered = behaviour in ("deleted", "private", "missing")
        if kind == "tikhub-tt":
            data = pages.tikhub_tiktok_response(video_id, views, likes, gone="filtered" if filtered else None)
        else:
            data = pages.tikhub_response(video_id, views, likes, filtered=filtered)
        return shaped(200, json.dumps(data, ensure_ascii=False).encode(), JSON, behaviour, "tikhub")

    def _youtube_api(self, path: str, params: dict) -> Reply:
        """Answer videos.list for up to 50 ids; unknown, deleted and private ids are left out."""
        if path.rstrip("/") != "/videos":
            return json_reply(404, pages.youtube_api_error("notFound", 404))
        key = (params.get("key") or [""])[0]
        if not key:
            return json_reply(403, pages.youtube_api_error("forbidden", 403))
        if self.api_keys is not None and key not in self.api_keys:
            return json_reply(400, pages.youtube_api_error("API_KEY_INVALID", 400))
        ids = [i for value in params.get("id", []) for i in value.split(",") if i]
        if not ids:
            return json_reply(400, pages.youtube_api_error("missingRequiredParameter", 400))
        if len(ids) > MAX_API_IDS:
            return json_reply(400, pages.youtube_api_error("badRequest", 400))
        videos = [(i, self._videos.get(("youtube", i))) for i in ids]
        present = {v.behaviour for _, v in videos if v}
        behaviour = next((b for b in _API_BATCH_ORDER if b in present), "ok")
        return _youtube_api_batch(videos, behaviour)


def _youtube_api_batch(videos: list[tuple[str, Video | None]], behaviour: str) -> Reply:
    """Return the videos.list answer for one batch, shaped by its worst behaviour."""
    if behaviour == "quota":
        return json_reply(403, pages.youtube_api_error("quotaExceeded", 403))
    if behaviour == "blocked":
        return json_reply(429, pages.youtube_api_error("rateLimitExceeded", 429))
    rate_body = json.dumps(pages.youtube_api_error("rateLimitExceeded", 429)).encode()
    plain = status_reply(behaviour, JSON, rate_body)
    if plain is not None:
        return plain
    if behaviour == "garbage":
        return Reply(200, garbage(videos[0][0]), JSON)
    items = {
        i: (v.views or 0, None if v.behaviour == "hidden_likes" else v.likes)
        for i, v in videos if v and v.behaviour not in ("deleted", "private")
    }
    body = json.dumps(pages.youtube_api_response(items)).encode()
    return shaped(200, body, JSON, behaviour, "yt-api")


def _page_video_id(prefix: str, path: str, query: str) -> str | None:
    """Return the video id a page URL asks for, or None when the URL is not one the fake serves."""
    parts = [p for p in path.split("/") if p]
    if prefix == "yt":
        return (parse_qs(query).get("v") or [None])[0] if parts == ["watch"] else None
    if prefix == "tt":
        # /@HANDLE/video/ID, the handle possibly empty or "_"
        ok = len(parts) == 3 and parts[0].startswith("@") and parts[1] in ("video", "photo")
        return parts[2] if ok else None
    ok = len(parts) == 3 and parts[0] == "share" and parts[1] in ("video", "note")
    return parts[2] if ok else None

