"""Recognise YouTube / TikTok / Douyin video links and read their view and like counts.

The public fetch API (docs/architecture.md): ``parse_video_url`` and ``parse_count`` need no
network; the ``parse_*`` functions turn one upstream body into a ``FetchResult``;
``VideoStatsFetcher`` does the HTTP. They live in ``broadcaster.fetching``; this module only
re-exports them under the names the design card fixes.
"""

from broadcaster.core.errors import ApiConfigError, CountParseError, FetchError, InvalidVideoURL, QuotaExceeded
from broadcaster.core.states import FetchStatus, Platform
from broadcaster.fetching.client import DESKTOP_HEADERS, make_session
from broadcaster.fetching.counts import parse_count
from broadcaster.fetching.douyin import HEADERS as DOUYIN_HEADERS
from broadcaster.fetching.douyin import parse_douyin_share_page
from broadcaster.fetching.fetcher import SOURCE_API, SOURCE_PAGE, SOURCE_TIKHUB, VideoStatsFetcher
from broadcaster.fetching.results import FetchResult
from broadcaster.fetching.tikhub import parse_tikhub_response
from broadcaster.fetching.tiktok import parse_tiktok_page
from broadcaster.fetching.urls import VideoRef, parse_video_url
from broadcaster.fetching.youtube import API_MAX_IDS as YOUTUBE_API_MAX_IDS
from broadcaster.fetching.youtube import parse_youtube_api_response, parse_youtube_watch_page

YOUTUBE, TIKTOK, DOUYIN = Platform
OK, UNAVAILABLE, BLOCKED, ERROR = FetchStatus

__all__ = [
    "YOUTUBE", "TIKTOK", "DOUYIN",
    "OK", "UNAVAILABLE", "BLOCKED", "ERROR",
    "FetchError", "InvalidVideoURL", "CountParseError", "QuotaExceeded", "ApiConfigError",
    "VideoRef", "FetchResult",
    "parse_video_url", "parse_count",
    "parse_youtube_api_response", "parse_youtube_watch_page", "parse_tiktok_page",
    "parse_douyin_share_page", "parse_tikhub_response",
    "make_session", "VideoStatsFetcher",
    "DESKTOP_HEADERS", "DOUYIN_HEADERS",
    "SOURCE_API", "SOURCE_PAGE", "SOURCE_TIKHUB", "YOUTUBE_API_MAX_IDS",
]
