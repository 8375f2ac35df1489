"""`VideoStatsFetcher`: reads a video's view and like counts over HTTP (re-exported, with the
parsers it calls, by the public facade `video_stats_fetcher`). Three layers, each usable on its own:

* ``parse_video_url`` and ``parse_count``: pure helpers, no network.
* ``parse_*`` page/API parsers: turn one upstream body into a ``FetchResult``.
* ``VideoStatsFetcher``: does the HTTP and calls the parsers; the one place that decides which
  source serves a platform (API, page or TikHub).

Every fetch ends as a ``FetchResult`` whose status is OK, UNAVAILABLE (deleted, private, not
found: permanent), BLOCKED (bot wall, challenge, 429: try later, never "dead") or ERROR
(network, 5xx, garbage, changed layout). Only configuration problems raise (``QuotaExceeded``,
``ApiConfigError``, ``InvalidVideoURL``). The parsers live in ``broadcaster.fetching``, one
module per platform; facts about the platforms come from ``docs/platforms.md``.
"""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import Callable, Mapping, Sequence

import requests

from broadcaster.core.errors import ApiConfigError, FetchError, InvalidVideoURL, QuotaExceeded
from broadcaster.core.states import FetchStatus, Platform
from broadcaster.fetching import douyin, shortlinks, tikhub, tiktok, youtube
from broadcaster.fetching.client import API_HEADERS, DESKTOP_HEADERS, PageClient, RequestFailed, make_session
from broadcaster.fetching.client import status_result as _status_result
from broadcaster.fetching.douyin import HEADERS as DOUYIN_HEADERS
from broadcaster.fetching.douyin import parse_douyin_share_page
from broadcaster.fetching.proxies import DIRECT
from broadcaster.fetching.results import FetchResult, no_counts
from broadcaster.fetching.tiktok import parse_tiktok_page
from broadcaster.fetching.urls import VideoRef, parse_video_url
from broadcaster.fetching.youtube import parse_youtube_watch_page

logger = logging.getLogger(__name__)

YOUTUBE, TIKTOK, DOUYIN = Platform
OK, UNAVAILABLE, BLOCKED, ERROR = FetchStatus

#: TikHub's request and answer for each platform it reads.
_TIKHUB_READERS = {
    DOUYIN: (tikhub.douyin_video_url, tikhub.parse_tikhub_response),
    TIKTOK: (tikhub.tiktok_video_url, tikhub.parse_tikhub_tiktok_response),
}

#: How a platform's counts are read, as `VideoStatsFetcher.source` answers.
SOURCE_API, SOURCE_PAGE, SOURCE_TIKHUB = "api", "page", "tikhub"


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
        tikhub_platforms: Sequence[str] = (DOUYIN,),
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
        #: platforms TikHub may serve (TIKHUB_PLATFORMS); Douyin's counts then come from it first
        self.tikhub_platforms = frozenset(tikhub_platforms)
        self._client = PageClient(timeout=timeout, max_bytes=max_bytes, session_factory=session_factory)

    @classmethod
    def from_config(cls, config, **options) -> VideoStatsFetcher:
        """A fetcher wired to the configured base URLs and keys (the one place keys are read);
        `options` are passed on (timeout, max_bytes, session_factory)."""
        return cls(
            youtube_api_url=config.youtube_api_url,
            youtube_web_url=config.youtube_web_url,
            tiktok_web_url=config.tiktok_web_url,
            douyin_web_url=config.douyin_web_url,
            tikhub_api_url=config.tikhub_api_url,
            youtube_api_key=config.youtube_api_key,
            tikhub_api_key=config.tikhub_api_key,
            tikhub_platforms=config.tikhub_platforms,
            **options,
        )

    def __repr__(self) -> str:
        keys = {name: "set" if key else "unset" for name, key in
                (("youtube_api_key", self._youtube_api_key), ("tikhub_api_key", self._tikhub_api_key))}
        return f"<VideoStatsFetcher youtube_api_key={keys['youtube_api_key']} tikhub_api_key={keys['tikhub_api_key']}>"

    @property
    def max_bytes(self) -> int:
        """The largest body a request may read."""
        return self._client.max_bytes

    @property
    def deadline_seconds(self) -> float:
        """How long reading one body may take."""
        return self._client.deadline_seconds

    @deadline_seconds.setter
    def deadline_seconds(self, seconds: float) -> None:
        self._client.deadline_seconds = seconds

    def close(self) -> None:
        """Close every thread's session."""
        self._client.close()

    def through(self, proxy: str) -> VideoStatsFetcher:
        """This fetcher with sessions of its own that go through `proxy` ("direct": this one).

        Each egress gets its own sessions, so cookies never cross egresses.
        """
        if proxy == DIRECT:
            return self
        clone = copy.copy(self)
        clone._client = PageClient(timeout=self._client.timeout, max_bytes=self._client.max_bytes,
                                   session_factory=functools.partial(make_session, proxy))
        clone._client.deadline_seconds = self._client.deadline_seconds
        return clone

    def source(self, platform: str) -> str:
        """How counts of `platform` are read first: ``"api"`` (YouTube with a key, in batches),
        ``"tikhub"`` (Douyin with a TikHub key, for its views) or ``"page"``."""
        if platform == YOUTUBE and self._youtube_api_key is not None:
            return SOURCE_API
        if platform == DOUYIN and self.uses_tikhub(DOUYIN):
            return SOURCE_TIKHUB
        return SOURCE_PAGE

    def uses_tikhub(self, platform: str) -> bool:
        """True when TikHub may read `platform`'s counts (a key, and the platform in TIKHUB_PLATFORMS)."""
        return self._tikhub_api_key is not None and platform in self.tikhub_platforms

    # -- links -------------------------------------------------------------------------------

    def locate(self, text: str) -> VideoRef:
        """The video a pasted link names, short links followed.

        Raises InvalidVideoURL when the link names no video, for good (a bad or dead link), and
        FetchError when a short link could not be followed this time (worth trying again).
        """
        return self.resolve(parse_video_url(text))

    def resolve(self, ref: VideoRef) -> VideoRef:
        """Return ``ref`` with its short link followed to the real video id (up to 5 redirects)."""
        return shortlinks.follow(ref, self._client.get)

    # -- one source each ---------------------------------------------------------------------

    def fetch_youtube_api(self, ids: Sequence[str]) -> dict[str, FetchResult]:
        """Return results for 1 to `youtube.API_MAX_IDS` ids from ONE videos.list call; raise QuotaExceeded /
        ApiConfigError."""
        ids = list(dict.fromkeys(ids))
        if not 1 <= len(ids) <= youtube.API_MAX_IDS:
            raise ValueError(f"fetch_youtube_api takes 1..{youtube.API_MAX_IDS} ids, got {len(ids)}")
        for video_id in ids:
            youtube.check_id(video_id)
        if self._youtube_api_key is None:
            raise ApiConfigError("未配置 YouTube API key")
        try:
            resp = self._client.get(youtube.api_url(self.youtube_api_url, ids, self._youtube_api_key), API_HEADERS)
        except RequestFailed as exc:
            return {i: no_counts(exc.status, f"YouTube API {exc.reason}") for i in ids}
        try:
            return youtube.api_answer_results(resp, ids)
        except (QuotaExceeded, ApiConfigError) as exc:
            logger.warning("YouTube API refused the call: %s", exc, extra={"action": "youtube_api_refused"})
            raise

    def fetch_youtube_page(self, video_id: str) -> FetchResult:
        """Return the counts of one YouTube video read from its watch page (English, consent accepted)."""
        url = youtube.watch_page_url(self.youtube_web_url, youtube.check_id(video_id))
        return self._fetch_page(url, DESKTOP_HEADERS, "YouTube", parse_youtube_watch_page, video_id, youtube.COOKIES)

    def fetch_tiktok_page(self, video_id: str, handle: str | None = None) -> FetchResult:
        """Return the counts of one TikTok post read from its page's rehydration JSON."""
        url = tiktok.page_url(self.tiktok_web_url, tiktok.check_id(video_id), handle)
        return self._fetch_page(url, DESKTOP_HEADERS, "TikTok", parse_tiktok_page, video_id)

    def fetch_douyin_page(self, video_id: str) -> FetchResult:
        """Return the like count of one Douyin post: the iesdouyin share page, or www.douyin.com's when it fails."""
        url = douyin.share_page_url(self.douyin_web_url, douyin.check_id(video_id))
        result = self._fetch_page(url, DOUYIN_HEADERS, "抖音", parse_douyin_share_page, video_id)
        if result.status not in (BLOCKED, ERROR):
            return result
        # RENDER_DATA on www.douyin.com is a second source, not a retry: another host behind
        # another WAF, so one blocked page does not leave the video without counts
        url = douyin.video_page_url(self.douyin_web_url, video_id)
        second = self._fetch_page(url, douyin.WEB_HEADERS, "抖音网页版", douyin.parse_douyin_render_data_page, video_id)
        return douyin.either_source(result, second)

    def fetch_douyin_tikhub(self, video_id: str) -> FetchResult:
        """Return the counts of one Douyin post from TikHub (views included when TikHub has them).

        Raises ApiConfigError when TikHub refuses the key (401/403) or the balance is spent (402).
        """
        return self.fetch_tikhub(VideoRef(DOUYIN, douyin.check_id(video_id)))

    def fetch_tikhub(self, ref: VideoRef) -> FetchResult:
        """The counts of one resolved Douyin or TikTok video from TikHub (the per-platform dispatch).

        Raises ApiConfigError when TikHub refuses the key (401/403) or the balance is spent (402).
        """
        if ref.platform not in _TIKHUB_READERS:
            raise InvalidVideoURL(f"TikHub 不支持该平台：{ref.platform!r}")
        if self._tikhub_api_key is None:
            raise ApiConfigError("未配置 TikHub API key")
        url_for, parse = _TIKHUB_READERS[ref.platform]
        headers = dict(API_HEADERS, Authorization=f"Bearer {self._tikhub_api_key}")
        try:
            resp = self._client.get(url_for(self.tikhub_api_url, ref.video_id), headers)
        except RequestFailed as exc:
            return no_counts(exc.status, f"TikHub {exc.reason}")
        # A refused key raises ApiConfigError; the pass logs it once (sources.TikHubGate).
        return tikhub.answer_result(resp, ref.video_id, parse)

    # -- dispatch ----------------------------------------------------------------------------

    def fetch_page(self, ref: VideoRef) -> FetchResult:
        """The counts of one resolved video read from its page: the per-platform page dispatch."""
        if ref.platform == YOUTUBE:
            return self.fetch_youtube_page(ref.video_id)
        if ref.platform == TIKTOK:
            return self.fetch_tiktok_page(ref.video_id, ref.handle)
        if ref.platform == DOUYIN:
            return self.fetch_douyin_page(ref.video_id)
        raise InvalidVideoURL(f"不支持的平台：{ref.platform!r}")

    def fetch(self, ref: VideoRef) -> FetchResult:
        """Return the counts of one video (short link resolved; API or TikHub when their key is set)."""
        # A link that names no video is permanent (UNAVAILABLE), as the pass stores it; a spent
        # quota falls back to the watch page; ApiConfigError still raises because only an
        # operator can fix it.
        try:
            ref = self.resolve(ref)
        except InvalidVideoURL as exc:
            return no_counts(UNAVAILABLE, str(exc))
        except FetchError as exc:
            return no_counts(ERROR, str(exc))
        if self.source(ref.platform) == SOURCE_API:
            try:
                return self.fetch_youtube_api([ref.video_id])[ref.video_id]
            except QuotaExceeded:
                pass
        return self.fetch_tikhub(ref) if self.source(ref.platform) == SOURCE_TIKHUB else self.fetch_page(ref)

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
            resp = self._client.get(url, headers, cookies)
        except RequestFailed as exc:
            return FetchResult(exc.status, reason=f"{what} {exc.reason}", egress_fault=exc.egress_fault)
        status = _status_result(resp, what)
        if status is not None:
            return status
        result = parse(resp.text, video_id)
        if result.status != OK:
            logger.info("%s %s: %s (%s)", what, video_id, result.status, result.reason, extra={"action": "fetch_not_ok"})
        return result
