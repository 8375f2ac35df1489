"""VideoStatsFetcher over HTTP, with every request answered by `responses` (no network)."""

import logging
import threading
import time

import pytest
import requests
import responses
from requests.adapters import BaseAdapter
from responses import matchers

from fakes import pages
from video_stats_fetcher import (
    BLOCKED,
    DOUYIN,
    ERROR,
    OK,
    TIKTOK,
    UNAVAILABLE,
    YOUTUBE,
    ApiConfigError,
    FetchError,
    FetchResult,
    InvalidVideoURL,
    QuotaExceeded,
    VideoRef,
    VideoStatsFetcher,
    make_session,
)

YT = "dQw4w9WgXcQ"
YT2 = "yPYZpwSpKmA"
TT = "7504044860782021930"
DY = "7535852404919586100"
KEY = "AIzaSyTESTKEY-0123456789abcdef"
TIKHUB_KEY = "tikhub-test-key-42"

API = "https://www.googleapis.com/youtube/v3/videos"
WATCH = f"https://www.youtube.com/watch?v={YT}&hl=en&gl=US"
TIKTOK_PAGE = f"https://www.tiktok.com/@_/video/{TT}"
DOUYIN_PAGE = f"https://www.iesdouyin.com/share/video/{DY}/"
TIKHUB = f"https://api.tikhub.io/api/v1/douyin/web/fetch_one_video?aweme_id={DY}"


@pytest.fixture
def rsps():
    """A strict responses mock: every registered response must be used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def fetcher():
    """A fetcher with both API keys and short timeouts."""
    return VideoStatsFetcher(youtube_api_key=KEY, tikhub_api_key=TIKHUB_KEY, timeout=(1.0, 2.0))


def _ids(n: int) -> list[str]:
    """Return ``n`` distinct valid YouTube ids."""
    return [f"vid{i:08d}" for i in range(n)]


def _api_query(ids: list[str]) -> dict:
    """Return the query videos.list must be called with."""
    return {"part": "statistics", "id": ",".join(ids), "fields": "items(id,statistics)", "key": KEY}


# ---------------------------------------------------------------------------------------------
# YouTube Data API


def test_api_fetches_50_ids_in_one_call_matched_regardless_of_order(rsps, fetcher):
    """50 ids go in ONE call; items come back reversed and incomplete and are still matched by id."""
    ids = _ids(50)
    items = {i: (n * 10, None if n == 7 else n) for n, i in enumerate(ids) if n != 3}
    body = pages.youtube_api_response(dict(reversed(items.items())))
    rsps.get(API, json=body, match=[matchers.query_param_matcher(_api_query(ids))])

    actual = fetcher.fetch_youtube_api(ids)

    assert 1 == len(rsps.calls)
    assert "id=" + ",".join(ids) in rsps.calls[0].request.url
    assert ids == list(actual)
    assert FetchResult(OK, 20, 2) == actual[ids[2]]
    assert UNAVAILABLE == actual[ids[3]].status
    assert (OK, 70, None) == (actual[ids[7]].status, actual[ids[7]].views, actual[ids[7]].likes)


def test_api_sends_browser_headers_not_python_requests(rsps, fetcher):
    """The API call carries a browser User-Agent, never python-requests."""
    rsps.get(API, json=pages.youtube_api_response({YT: (1, 1)}))

    fetcher.fetch_youtube_api([YT])

    agent = rsps.calls[0].request.headers["User-Agent"]
    assert "Chrome" in agent
    assert "python-requests" not in agent


def test_api_duplicate_ids_are_asked_once(rsps, fetcher):
    """Repeated ids are sent once and answered once."""
    rsps.get(API, json=pages.youtube_api_response({YT: (1, 1)}), match=[matchers.query_param_matcher(_api_query([YT]))])

    actual = fetcher.fetch_youtube_api([YT, YT])

    assert {YT: FetchResult(OK, 1, 1)} == actual


def test_api_quota_exceeded_raises(rsps, fetcher):
    """HTTP 403 quotaExceeded raises QuotaExceeded."""
    rsps.get(API, status=403, json=pages.youtube_api_error("quotaExceeded", 403))

    with pytest.raises(QuotaExceeded):
        fetcher.fetch_youtube_api([YT])


@pytest.mark.parametrize(("reason", "code"), [("keyInvalid", 400), ("API_KEY_INVALID", 400), ("accessNotConfigured", 403)])
def test_api_key_problems_raise_api_config_error(rsps, fetcher, reason, code):
    """Invalid or disabled keys raise ApiConfigError, and the key never shows in the message."""
    rsps.get(API, status=code, json=pages.youtube_api_error(reason, code))

    with pytest.raises(ApiConfigError) as caught:
        fetcher.fetch_youtube_api([YT])

    assert KEY not in str(caught.value)


@pytest.mark.parametrize(("status", "body", "expected"), [
    (500, "Internal Server Error", ERROR),
    (503, '{"error": {"code": 503, "message": "Backend Error", "errors": [{"reason": "backendError"}]}}', ERROR),
    (429, "Too Many Requests", BLOCKED),
    (200, "<html>not json</html>", ERROR),
])
def test_api_server_failures_give_every_id_the_same_result(rsps, fetcher, status, body, expected):
    """5xx, 429 and a non-JSON body mark every id of the batch."""
    rsps.get(API, status=status, body=body)

    actual = fetcher.fetch_youtube_api([YT, YT2])

    assert [expected, expected] == [actual[YT].status, actual[YT2].status]
    assert actual[YT].reason


def test_api_timeout_is_an_error_and_the_key_is_never_logged(rsps, fetcher, caplog):
    """A timeout marks every id ERROR; neither the reasons nor the logs contain the key."""
    rsps.get(API, body=requests.exceptions.ConnectTimeout(f"timed out: {API}?part=statistics&key={KEY}"))
    caplog.set_level(logging.DEBUG)

    actual = fetcher.fetch_youtube_api([YT, YT2])

    assert [ERROR, ERROR] == [actual[YT].status, actual[YT2].status]
    assert KEY not in actual[YT].reason
    assert KEY not in caplog.text
    assert "key=***" in caplog.text


def test_api_rejects_more_than_50_or_no_ids(fetcher):
    """The batch size is 1..50: anything else is a caller bug."""
    with pytest.raises(ValueError):
        fetcher.fetch_youtube_api(_ids(51))
    with pytest.raises(ValueError):
        fetcher.fetch_youtube_api([])


def test_api_without_a_key_raises_api_config_error():
    """Calling the API with no key configured raises ApiConfigError."""
    with pytest.raises(ApiConfigError):
        VideoStatsFetcher().fetch_youtube_api([YT])


def test_api_base_url_may_carry_a_path_prefix(rsps):
    """A base URL with a path prefix (and trailing slash) gets the platform path appended."""
    fetcher = VideoStatsFetcher(youtube_api_url="http://127.0.0.1:9000/yt-api/", youtube_api_key=KEY)
    rsps.get("http://127.0.0.1:9000/yt-api/videos", json=pages.youtube_api_response({YT: (3, 4)}),
             match=[matchers.query_param_matcher(_api_query([YT]))])

    actual = fetcher.fetch_youtube_api([YT])

    assert {YT: FetchResult(OK, 3, 4)} == actual


# ---------------------------------------------------------------------------------------------
# Pages


def test_youtube_page_request_is_english_with_consent_cookies(rsps, fetcher):
    """The watch page is asked in English with PREF and SOCS cookies and browser headers."""
    rsps.get(WATCH, body=pages.youtube_watch_page(YT, 5, 6),
             match=[matchers.query_param_matcher({"v": YT, "hl": "en", "gl": "US"})])

    actual = fetcher.fetch_youtube_page(YT)

    headers = rsps.calls[0].request.headers
    assert FetchResult(OK, 5, 6) == actual
    assert "PREF=hl=en&tz=UTC" in headers["Cookie"]
    assert "SOCS=CAI" in headers["Cookie"]
    assert headers["Accept-Language"].startswith("en")
    assert "Chrome" in headers["User-Agent"]


def test_page_base_urls_may_carry_a_path_prefix(rsps):
    """Page base URLs with a path prefix get /watch, /@_/video/ID and /share/video/ID/ appended."""
    fetcher = VideoStatsFetcher(
        youtube_web_url="http://127.0.0.1:9000/yt", tiktok_web_url="http://127.0.0.1:9000/tt/",
        douyin_web_url="http://127.0.0.1:9000/dy",
    )
    rsps.get(f"http://127.0.0.1:9000/yt/watch?v={YT}&hl=en&gl=US", body=pages.youtube_watch_page(YT, 1, 2))
    rsps.get(f"http://127.0.0.1:9000/tt/@_/video/{TT}", body=pages.tiktok_page(TT, 3, 4))
    rsps.get(f"http://127.0.0.1:9000/dy/share/video/{DY}/", body=pages.douyin_share_page(DY, 5))

    actual = [fetcher.fetch_youtube_page(YT).status, fetcher.fetch_tiktok_page(TT).status, fetcher.fetch_douyin_page(DY).status]

    assert [OK, OK, OK] == actual


def test_tiktok_page_uses_the_handle_when_known(rsps, fetcher):
    """With a handle the post URL is /@handle/video/ID, with exact statsV2 counts."""
    rsps.get(f"https://www.tiktok.com/@tjrobertson52/video/{TT}", body=pages.tiktok_page(TT, 1_776_621, 22_609))

    actual = fetcher.fetch_tiktok_page(TT, "tjrobertson52")

    assert FetchResult(OK, 1_776_621, 22_609) == actual
    assert "python-requests" not in rsps.calls[0].request.headers["User-Agent"]


def test_tiktok_challenge_page_is_blocked(rsps, fetcher):
    """A 200 challenge page is BLOCKED."""
    rsps.get(TIKTOK_PAGE, body=pages.tiktok_challenge_page())

    actual = fetcher.fetch_tiktok_page(TT)

    assert BLOCKED == actual.status


def test_douyin_page_uses_iphone_safari_and_chinese(rsps, fetcher):
    """The share page is asked as iPhone Safari with Accept-Language zh-CN; likes only."""
    rsps.get(DOUYIN_PAGE, body=pages.douyin_share_page(DY, 7007))

    actual = fetcher.fetch_douyin_page(DY)

    headers = rsps.calls[0].request.headers
    assert (OK, None, 7007) == (actual.status, actual.views, actual.likes)
    assert "iPhone" in headers["User-Agent"]
    assert headers["Accept-Language"].startswith("zh-CN")


def test_douyin_filtered_page_is_unavailable(rsps, fetcher):
    """A filtered share page is UNAVAILABLE."""
    rsps.get(DOUYIN_PAGE, body=pages.douyin_share_page(DY, 0, filtered=True))

    actual = fetcher.fetch_douyin_page(DY)

    assert UNAVAILABLE == actual.status


DOUYIN_WWW_PAGE = f"https://www.douyin.com/video/{DY}"


@pytest.mark.parametrize("share_reply", [
    {"body": pages.douyin_challenge_page()},
    {"status": 403, "body": "Forbidden"},
    {"status": 500, "body": "oops"},
    {"body": requests.exceptions.ReadTimeout()},
], ids=["challenge", "403", "500", "timeout"])
def test_douyin_failed_share_page_falls_back_to_render_data(rsps, fetcher, share_reply):
    """A blocked or failed share page is followed by www.douyin.com's RENDER_DATA, asked as desktop Chrome in Chinese."""
    rsps.get(DOUYIN_PAGE, **share_reply)
    rsps.get(DOUYIN_WWW_PAGE, body=pages.douyin_render_data_page(DY, 7007))

    actual = fetcher.fetch_douyin_page(DY)

    headers = rsps.calls[1].request.headers
    assert (OK, None, 7007) == (actual.status, actual.views, actual.likes)
    assert [DOUYIN_PAGE, DOUYIN_WWW_PAGE] == [call.request.url for call in rsps.calls]
    assert "Chrome" in headers["User-Agent"] and "iPhone" not in headers["User-Agent"]
    assert headers["Accept-Language"].startswith("zh-CN")


@pytest.mark.parametrize("share_page", [
    pages.douyin_share_page(DY, 7007),
    pages.douyin_share_page(DY, 0, filtered=True),
], ids=["ok", "unavailable"])
def test_douyin_share_page_answer_needs_no_second_source(rsps, fetcher, share_page):
    """Counts read, or a video gone for good, end with the share page: one request."""
    rsps.get(DOUYIN_PAGE, body=share_page)

    fetcher.fetch_douyin_page(DY)

    assert 1 == len(rsps.calls)


def test_douyin_both_sources_failing_keep_the_share_page_verdict(rsps, fetcher):
    """When RENDER_DATA fails too, the share page's status stands and the reason names both failures."""
    rsps.get(DOUYIN_PAGE, body=pages.douyin_challenge_page())
    rsps.get(DOUYIN_WWW_PAGE, body=pages.douyin_challenge_page())

    actual = fetcher.fetch_douyin_page(DY)

    assert (BLOCKED, None, None) == (actual.status, actual.views, actual.likes)
    assert "_ROUTER_DATA" in actual.reason and "RENDER_DATA 也未读到" in actual.reason


def test_douyin_render_data_saying_nothing_keeps_the_share_page_error(rsps, fetcher):
    """A www page without aweme.detail is no better than the share page's 500: ERROR with both reasons."""
    rsps.get(DOUYIN_PAGE, status=500, body="oops")
    rsps.get(DOUYIN_WWW_PAGE, body=pages.douyin_render_data_page(DY, 7, detail=False))

    actual = fetcher.fetch_douyin_page(DY)

    assert ERROR == actual.status
    assert "HTTP 500" in actual.reason and "aweme.detail" in actual.reason


def test_douyin_second_source_follows_a_local_base_url(rsps):
    """With DOUYIN_WEB_URL pointed elsewhere (the fake upstream), /video/ID is asked from that base too."""
    fetcher = VideoStatsFetcher(douyin_web_url="http://127.0.0.1:9000/dy")
    rsps.get(f"http://127.0.0.1:9000/dy/share/video/{DY}/", body=pages.douyin_challenge_page())
    rsps.get(f"http://127.0.0.1:9000/dy/video/{DY}", body=pages.douyin_render_data_page(DY, 31, 400))

    actual = fetcher.fetch_douyin_page(DY)

    assert FetchResult(OK, 400, 31) == actual


PAGES = [
    ("youtube", WATCH, lambda f: f.fetch_youtube_page(YT)),
    ("tiktok", TIKTOK_PAGE, lambda f: f.fetch_tiktok_page(TT)),
    ("douyin", DOUYIN_PAGE, lambda f: f.fetch_douyin_page(DY)),
]
FAILURES = [
    ("429", {"status": 429, "body": "Too Many Requests", "headers": {"Retry-After": "120"}}, BLOCKED),
    ("403", {"status": 403, "body": "Forbidden"}, BLOCKED),
    ("500", {"status": 500, "body": "oops"}, ERROR),
    ("404", {"status": 404, "body": "not here"}, ERROR),
    ("connect-timeout", {"body": requests.exceptions.ConnectTimeout()}, ERROR),
    ("read-timeout", {"body": requests.exceptions.ReadTimeout()}, ERROR),
    ("connection-error", {"body": requests.exceptions.ConnectionError("reset by peer")}, ERROR),
    ("sorry-redirect", {"status": 302, "headers": {"Location": "https://www.google.com/sorry/index?continue=x"}}, BLOCKED),
    ("login-redirect", {"status": 302, "headers": {"Location": "/login?redirect_url=x"}}, BLOCKED),
    ("other-redirect", {"status": 301, "headers": {"Location": "https://example.com/elsewhere"}}, ERROR),
]


@pytest.mark.parametrize(("name", "url", "call"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize(("case", "reply", "expected"), FAILURES, ids=[f[0] for f in FAILURES])
def test_page_http_failures_are_classified(rsps, fetcher, name, url, call, case, reply, expected):
    """429/403/bot redirects are BLOCKED; timeouts, resets, 5xx, 404 and odd redirects are ERROR; none is UNAVAILABLE."""
    rsps.get(url, **reply)

    actual = call(fetcher)

    assert expected == actual.status
    assert (None, None) == (actual.views, actual.likes)
    assert actual.reason


def test_429_reason_mentions_retry_after(rsps, fetcher):
    """The Retry-After of a 429 is kept in the reason for the scheduler to see."""
    rsps.get(WATCH, status=429, headers={"Retry-After": "120"})

    actual = fetcher.fetch_youtube_page(YT)

    assert "Retry-After 120" in actual.reason


def test_too_large_page_is_an_error(rsps):
    """A body over max_bytes is ERROR '页面过大' without reading it all."""
    fetcher = VideoStatsFetcher(max_bytes=100_000)
    rsps.get(WATCH, body=pages.youtube_watch_page(YT, size=400_000))

    actual = fetcher.fetch_youtube_page(YT)

    assert ERROR == actual.status
    assert "页面过大" in actual.reason


def test_too_large_content_length_is_refused_up_front(rsps):
    """A Content-Length over max_bytes is refused before reading."""
    fetcher = VideoStatsFetcher(max_bytes=1000)
    rsps.get(TIKTOK_PAGE, body="x" * 2000, auto_calculate_content_length=True)

    actual = fetcher.fetch_tiktok_page(TT)

    assert ERROR == actual.status
    assert "Content-Length" in actual.reason


def test_non_utf8_body_does_not_crash(rsps, fetcher):
    """Bytes that are not UTF-8 are decoded with replacement and the page still parses."""
    raw = pages.tiktok_page(TT, 5, 6, rounded=False).encode()
    rsps.get(TIKTOK_PAGE, body=b"\xff\xfe\x80" + raw + b"\xc3(")

    actual = fetcher.fetch_tiktok_page(TT)

    assert FetchResult(OK, 5, 6) == actual


def test_invalid_ids_are_refused_before_any_request(fetcher):
    """Ids that could not come from parse_video_url raise InvalidVideoURL (no URL injection)."""
    calls = [
        lambda: fetcher.fetch_youtube_page("../../evil"),
        lambda: fetcher.fetch_tiktok_page("123/../../x"),
        lambda: fetcher.fetch_douyin_page("abc"),
        lambda: fetcher.fetch_douyin_tikhub("1?x=y"),
    ]

    for call in calls:
        with pytest.raises(InvalidVideoURL):
            call()


# ---------------------------------------------------------------------------------------------
# Slow bodies


class _TrickleRaw:
    """A response body that hands out one byte every 20 ms and never ends."""

    def read1(self, amt=None, decode_content=None):
        """Return one byte after a short wait."""
        time.sleep(0.02)
        return b"x"

    def close(self):
        """Nothing to release."""


class _TrickleAdapter(BaseAdapter):
    """A transport whose every response trickles forever."""

    def send(self, request, **kwargs):
        """Return a 200 response with a trickling body."""
        response = requests.Response()
        response.status_code = 200
        response.raw = _TrickleRaw()
        response.url = request.url
        response.request = request
        return response

    def close(self):
        """Nothing to release."""


def _trickle_session() -> requests.Session:
    """Return a Session whose transport trickles."""
    session = requests.Session()
    session.mount("https://", _TrickleAdapter())
    return session


def test_trickling_body_is_cut_at_the_total_deadline():
    """A server that keeps sending bytes slowly cannot hold the thread past the deadline."""
    fetcher = VideoStatsFetcher(session_factory=_trickle_session)
    fetcher.deadline_seconds = 0.3
    started = time.monotonic()

    actual = fetcher.fetch_tiktok_page(TT)

    assert ERROR == actual.status
    assert "读取超时" in actual.reason
    assert time.monotonic() - started < 2


def test_deadline_is_read_timeout_plus_five_seconds():
    """The whole-body budget is the read timeout plus 5 s."""
    actual = [VideoStatsFetcher().deadline_seconds, VideoStatsFetcher(timeout=4).deadline_seconds]

    assert [15.0, 9.0] == actual


# ---------------------------------------------------------------------------------------------
# Short links


def test_vm_tiktok_short_link_resolves_from_location_without_following(rsps, fetcher):
    """vm.tiktok.com answers 301 with the post URL; it is read, not followed."""
    rsps.get("https://vm.tiktok.com/ZMhAbCdEf/", status=301,
             headers={"Location": f"https://www.tiktok.com/@tjrobertson52/video/{TT}?_t=ZT-8tup5VLJ3V5&_r=1"})

    actual = fetcher.resolve(VideoRef(TIKTOK, None, short_url="https://vm.tiktok.com/ZMhAbCdEf/"))

    assert VideoRef(TIKTOK, TT, handle="tjrobertson52") == actual
    assert 1 == len(rsps.calls)


def test_short_link_chain_is_followed_hop_by_hop(rsps, fetcher):
    """A chain of short links is followed one Location at a time, photo normalised to the post id."""
    rsps.get("https://vt.tiktok.com/ZSe4FqkKd/", status=302, headers={"Location": "https://www.tiktok.com/t/ZTRC5xgJp/"})
    rsps.get("https://www.tiktok.com/t/ZTRC5xgJp/", status=302, headers={"Location": f"/@scout2015/photo/{TT}?_r=1"})

    actual = fetcher.resolve(VideoRef(TIKTOK, None, short_url="https://vt.tiktok.com/ZSe4FqkKd/"))

    assert VideoRef(TIKTOK, TT, handle="scout2015") == actual


def test_douyin_short_link_resolves_to_the_aweme_id(rsps, fetcher):
    """v.douyin.com answers 302 to the iesdouyin share page; the id comes from its path."""
    rsps.get("https://v.douyin.com/i5JpSdu8/", status=302, headers={
        "Location": f"https://www.iesdouyin.com/share/video/{DY}/?region=CN&mid=7535852460000000000&from=web_code_link",
    })

    actual = fetcher.resolve(VideoRef(DOUYIN, None, short_url="https://v.douyin.com/i5JpSdu8/"))

    assert VideoRef(DOUYIN, DY) == actual
    assert "iPhone" in rsps.calls[0].request.headers["User-Agent"]


@pytest.mark.parametrize(("short", "location"), [
    ("https://vm.tiktok.com/ZMhAbCdEf/", "https://www.tiktok.com/?_r=1"),
    ("https://vm.tiktok.com/ZMhAbCdEf/", "https://www.tiktok.com/@tjrobertson52?_r=1"),
    ("https://v.douyin.com/i5JpSdu8/", "https://www.iesdouyin.com/share/user/MS4wLjABAAAAwJYnMkU3"),
    ("https://v.douyin.com/i5JpSdu8/", "https://www.ixigua.com/7123456789012345678"),
])
def test_short_link_to_a_homepage_or_profile_is_invalid(rsps, fetcher, short, location):
    """A short link that lands on a homepage, profile or other site raises InvalidVideoURL."""
    rsps.get(short, status=302, headers={"Location": location})
    platform = DOUYIN if "douyin" in short else TIKTOK

    with pytest.raises(InvalidVideoURL):
        fetcher.resolve(VideoRef(platform, None, short_url=short))


def test_short_link_404_is_invalid(rsps, fetcher):
    """An expired short link (404) raises InvalidVideoURL."""
    rsps.get("https://vm.tiktok.com/ZMhAbCdEf/", status=404)

    with pytest.raises(InvalidVideoURL):
        fetcher.resolve(VideoRef(TIKTOK, None, short_url="https://vm.tiktok.com/ZMhAbCdEf/"))


@pytest.mark.parametrize("reply", [
    {"body": requests.exceptions.ConnectTimeout()},
    {"status": 503},
    {"status": 200, "body": "<html>no redirect</html>"},
    {"status": 302},
])
def test_short_link_network_failure_is_a_fetch_error_not_invalid(rsps, fetcher, reply):
    """Timeouts, 5xx, a missing redirect or Location raise FetchError (retry later), not InvalidVideoURL."""
    rsps.get("https://vm.tiktok.com/ZMhAbCdEf/", **reply)

    with pytest.raises(FetchError) as caught:
        fetcher.resolve(VideoRef(TIKTOK, None, short_url="https://vm.tiktok.com/ZMhAbCdEf/"))

    assert not isinstance(caught.value, InvalidVideoURL)


def test_short_link_loop_stops_after_five_hops(rsps, fetcher):
    """A redirect loop between short links stops with FetchError after 5 requests."""
    rsps.get("https://vm.tiktok.com/AAA/", status=302, headers={"Location": "https://vm.tiktok.com/BBB/"})
    rsps.get("https://vm.tiktok.com/BBB/", status=302, headers={"Location": "https://vm.tiktok.com/AAA/"})

    with pytest.raises(FetchError):
        fetcher.resolve(VideoRef(TIKTOK, None, short_url="https://vm.tiktok.com/AAA/"))

    assert 5 == len(rsps.calls)


def test_resolve_returns_refs_with_an_id_unchanged(rsps, fetcher):
    """A ref that already has an id is returned as is, with no request."""
    ref = VideoRef(YOUTUBE, YT)

    actual = fetcher.resolve(ref)

    assert ref is actual


# ---------------------------------------------------------------------------------------------
# TikHub


def test_tikhub_sends_the_bearer_key(rsps, fetcher):
    """TikHub is called with Authorization: Bearer KEY and gives views and likes."""
    rsps.get(TIKHUB, json=pages.tikhub_response(DY, 1000, 77),
             match=[matchers.header_matcher({"Authorization": f"Bearer {TIKHUB_KEY}"}),
                    matchers.query_param_matcher({"aweme_id": DY})])

    actual = fetcher.fetch_douyin_tikhub(DY)

    assert FetchResult(OK, 1000, 77) == actual


@pytest.mark.parametrize("status", [401, 403])
def test_tikhub_rejected_key_raises_api_config_error(rsps, fetcher, status):
    """TikHub 401/403 raises ApiConfigError without the key in the message."""
    rsps.get(TIKHUB, status=status, json={"detail": {"code": status, "message": "Invalid or missing API key."}})

    with pytest.raises(ApiConfigError) as caught:
        fetcher.fetch_douyin_tikhub(DY)

    assert TIKHUB_KEY not in str(caught.value)


@pytest.mark.parametrize(("reply", "expected"), [
    ({"status": 429, "json": {"detail": {"code": 429, "message": "Too many requests"}}}, BLOCKED),
    ({"status": 500, "body": "oops"}, ERROR),
    ({"status": 200, "body": "not json"}, ERROR),
    ({"body": requests.exceptions.ReadTimeout()}, ERROR),
])
def test_tikhub_failures_are_classified(rsps, fetcher, reply, expected):
    """TikHub 429 is BLOCKED; 5xx, bad JSON and timeouts are ERROR."""
    rsps.get(TIKHUB, **reply)

    actual = fetcher.fetch_douyin_tikhub(DY)

    assert expected == actual.status


# ---------------------------------------------------------------------------------------------
# fetch() dispatch and sessions


def test_fetch_uses_the_api_for_youtube_when_a_key_is_set(rsps, fetcher):
    """With a key, fetch() asks the Data API."""
    rsps.get(API, json=pages.youtube_api_response({YT: (9, 8)}))

    actual = fetcher.fetch(VideoRef(YOUTUBE, YT))

    assert FetchResult(OK, 9, 8) == actual


def test_fetch_falls_back_to_the_watch_page_when_the_quota_is_spent(rsps, fetcher):
    """QuotaExceeded makes fetch() read the watch page instead."""
    rsps.get(API, status=403, json=pages.youtube_api_error("quotaExceeded", 403))
    rsps.get(WATCH, body=pages.youtube_watch_page(YT, 5, 6))

    actual = fetcher.fetch(VideoRef(YOUTUBE, YT))

    assert FetchResult(OK, 5, 6) == actual


def test_fetch_without_keys_reads_pages(rsps):
    """Without keys, YouTube and Douyin come from their pages."""
    fetcher = VideoStatsFetcher()
    rsps.get(WATCH, body=pages.youtube_watch_page(YT, 5, 6))
    rsps.get(DOUYIN_PAGE, body=pages.douyin_share_page(DY, 7))

    actual = [fetcher.fetch(VideoRef(YOUTUBE, YT)).likes, fetcher.fetch(VideoRef(DOUYIN, DY)).likes]

    assert [6, 7] == actual


def test_fetch_uses_tikhub_for_douyin_when_its_key_is_set(rsps, fetcher):
    """With a TikHub key, Douyin counts come from TikHub."""
    rsps.get(TIKHUB, json=pages.tikhub_response(DY, 50, 5))

    actual = fetcher.fetch(VideoRef(DOUYIN, DY))

    assert FetchResult(OK, 50, 5) == actual


def test_fetch_resolves_a_short_link_then_reads_the_page(rsps, fetcher):
    """fetch() resolves a short link first and carries the handle into the page URL."""
    rsps.get("https://vm.tiktok.com/ZMhAbCdEf/", status=301, headers={"Location": f"https://www.tiktok.com/@tj/video/{TT}"})
    rsps.get(f"https://www.tiktok.com/@tj/video/{TT}", body=pages.tiktok_page(TT, 3, 4))

    actual = fetcher.fetch(VideoRef(TIKTOK, None, short_url="https://vm.tiktok.com/ZMhAbCdEf/"))

    assert (OK, 3, 4) == (actual.status, actual.views, actual.likes)


def test_fetch_of_a_dead_short_link_is_unavailable(rsps, fetcher):
    """A short link that lands on the homepage is UNAVAILABLE with the reason."""
    rsps.get("https://vm.tiktok.com/ZMhAbCdEf/", status=301, headers={"Location": "https://www.tiktok.com/?_r=1"})

    actual = fetcher.fetch(VideoRef(TIKTOK, None, short_url="https://vm.tiktok.com/ZMhAbCdEf/"))

    assert UNAVAILABLE == actual.status
    assert actual.reason


def test_each_thread_gets_its_own_session(rsps):
    """The session factory runs once per thread and the session is reused within a thread."""
    made = []
    lock = threading.Lock()

    def factory():
        """Count and return a default session."""
        session = make_session()
        with lock:
            made.append(session)
        return session

    fetcher = VideoStatsFetcher(session_factory=factory)
    rsps.get(DOUYIN_PAGE, body=pages.douyin_share_page(DY, 7))

    def work():
        """Fetch twice in this thread."""
        fetcher.fetch_douyin_page(DY)
        fetcher.fetch_douyin_page(DY)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    work()

    assert 4 == len({id(session) for session in made})
    assert 8 == len(rsps.calls)


def test_default_session_has_a_pool_and_no_python_requests_agent():
    """make_session mounts a 4x16 pool and sets a browser User-Agent."""
    session = make_session()

    adapter = session.get_adapter("https://www.youtube.com/")

    assert (4, 16) == (adapter._pool_connections, adapter._pool_maxsize)
    assert "python-requests" not in session.headers["User-Agent"]


def test_repr_does_not_show_keys(fetcher):
    """repr() of a fetcher says whether keys are set, never what they are."""
    actual = repr(fetcher)

    assert KEY not in actual
    assert TIKHUB_KEY not in actual
