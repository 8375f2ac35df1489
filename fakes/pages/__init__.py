"""Realistic YouTube / TikTok / Douyin / TikHub page and API bodies for tests, the fake upstream and the benchmark.

Every builder is a pure function: it returns the HTML (``str``) or the decoded JSON (``dict``)
that the platform serves, shaped as ``docs/platforms.md`` describes, and pads
HTML with script/style/markup filler until the page is about ``size`` characters long. The
filler is generated once per platform and cached, so a builder call costs little more than
``json.dumps`` of the data plus one string join.

One module per platform (``youtube``, with ``youtube_likes`` and ``youtube_api``, ``tiktok``,
``douyin``, ``tikhub``) and ``filler`` for the padding; callers use the names re-exported here:
``pages.youtube_watch_page(...)``.
"""

from fakes.pages.douyin import douyin_challenge_page, douyin_render_data_page, douyin_share_page
from fakes.pages.tikhub import tikhub_response, tikhub_tiktok_response
from fakes.pages.tiktok import tiktok_challenge_page, tiktok_legacy_sigi_page, tiktok_page, tiktok_rounded
from fakes.pages.youtube import youtube_watch_page
from fakes.pages.youtube_api import youtube_api_error, youtube_api_response
from fakes.pages.youtube_likes import youtube_abbreviate

__all__ = [
    "youtube_watch_page",
    "youtube_api_response",
    "youtube_api_error",
    "youtube_abbreviate",
    "tiktok_page",
    "tiktok_rounded",
    "tiktok_challenge_page",
    "tiktok_legacy_sigi_page",
    "douyin_share_page",
    "douyin_challenge_page",
    "tikhub_response",
    "tikhub_tiktok_response",
    "douyin_render_data_page",
]
