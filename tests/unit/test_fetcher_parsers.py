"""Page and API parsers of video_stats_fetcher against the fakes/pages/ fixtures."""

import json
import random
import time

import pytest

from broadcaster.fetching.client import Response
from broadcaster.fetching.douyin import parse_douyin_render_data_page, video_page_url
from broadcaster.fetching.tikhub import answer_result, parse_tikhub_tiktok_response, tiktok_video_url
from fakes import pages
from video_stats_fetcher import (
    BLOCKED,
    ERROR,
    OK,
    UNAVAILABLE,
    ApiConfigError,
    CountParseError,
    FetchResult,
    QuotaExceeded,
    parse_count,
    parse_douyin_share_page,
    parse_tikhub_response,
    parse_tiktok_page,
    parse_youtube_api_response,
    parse_youtube_watch_page,
)

YT = "dQw4w9WgXcQ"
YT2 = "yPYZpwSpKmA"
TT = "7504044860782021930"
DY = "7535852404919586100"
BOT_WALL = "Sign in to confirm you\u2019re not a bot"


def _garbage(n: int = 50_000) -> bytes:
    """Return random bytes without markup, the same each run."""
    return random.Random(7).randbytes(n).replace(b"<", b"?").replace(b"{", b"?")


def _cut_inside(page: str, marker: str) -> str:
    """Return the page cut off in the middle of the JSON that follows ``marker``."""
    start = page.index("{", page.index(marker))
    end = page.index("</script>", start)
    return page[:(start + end) // 2]


def _with_bad_bytes(page: str) -> bytes:
    """Return the page as bytes with invalid UTF-8 put into the filler and at the end."""
    raw = page.encode()
    cut = raw.index(b"\n", len(raw) // 10) + 1
    return raw[:cut] + b"\xff\xfe\xc3(\x80" + raw[cut:] + b"\xe4\xb8"


# ---------------------------------------------------------------------------------------------
# parse_count

@pytest.mark.parametrize(("value", "expected"), [
    (12, 12),
    (0, 0),
    (7.0, 7),
    ("12", 12),
    ("  12 ", 12),
    ("1,234", 1234),
    ("1.234", 1234),
    ("1 234", 1234),
    ("1\u00a0234\u00a0567", 1234567),
    ("1,234,567", 1234567),
    ("1.2M", 1_200_000),
    ("1.2K", 1200),
    ("1,2 K", 1200),
    ("18M", 18_000_000),
    ("1kk", 1_000_000),
    ("1.7B views", 1_700_000_000),
    ("3.5万", 35_000),
    ("53.3万获赞", 533_000),
    ("1.2亿", 120_000_000),
    ("18,123,456 views", 18_123_456),
    ("1,734,567,890 views", 1_734_567_890),
    ("like this video along with 18,123,456 other people", 18_123_456),
    ("like this video along with 0 other people", 0),
    ("与另外 11,080 人一起赞此视频", 11_080),
    ("No views", 0),
    ("No likes", 0),
    (None, None),
    ("", None),
    ("   ", None),
])
def test_parse_count_reads_every_documented_form(value, expected):
    """Digits, grouped numbers, K/M/B/万/亿 abbreviations and YouTube sentences give the count."""
    actual = parse_count(value)

    assert expected == actual


@pytest.mark.parametrize("value", [
    "junk", "Like", "-5", -5, "\u22125", "- 12", "1.5", "1.2.3", "1 2", "12abc", "1e5", "1,2,34",
    "9" * 30, True, 1.5, float("nan"), float("inf"), -1.0, [], {}, "20.7k Followers 149.8k Likes",
])
def test_parse_count_rejects_junk_and_negatives(value):
    """Junk, negatives, fractions without a suffix and two-number text raise CountParseError."""
    with pytest.raises(CountParseError):
        parse_count(value)


# ---------------------------------------------------------------------------------------------
# YouTube Data API


def test_api_items_are_matched_by_id_whatever_their_order():
    """Items come back in any order; each requested id gets its own counts."""
    body = pages.youtube_api_response({YT2: (5, 1), YT: (1_734_567_890, 18_123_456)})

    actual = parse_youtube_api_response(body, [YT, YT2])

    assert {YT: FetchResult(OK, 1_734_567_890, 18_123_456), YT2: FetchResult(OK, 5, 1)} == actual


def test_api_missing_id_is_unavailable():
    """An id left out of items is deleted, private or nonexistent."""
    body = pages.youtube_api_response({YT: (10, 2)})

    actual = parse_youtube_api_response(body, [YT, YT2])[YT2]

    assert FetchResult(UNAVAILABLE, reason="视频不存在、已删除或设为私密 (YouTube API 未返回该 ID)") == actual


def test_api_empty_items_marks_every_id_unavailable():
    """A body with an empty items list (or none, as fields= may give) marks each id unavailable."""
    empty = pages.youtube_api_response({})

    actual = [parse_youtube_api_response(body, [YT])[YT].status for body in (empty, {})]

    assert [UNAVAILABLE, UNAVAILABLE] == actual


def test_api_missing_like_count_means_hidden_likes():
    """No likeCount gives likes None with a reason, views still known."""
    body = pages.youtube_api_response({YT: (42, None)})

    actual = parse_youtube_api_response(body, [YT])[YT]

    assert (OK, 42, None) == (actual.status, actual.views, actual.likes)
    assert "隐藏" in actual.reason


def test_api_bad_count_fails_only_that_id():
    """A count that is not a number makes that one id an ERROR."""
    body = pages.youtube_api_response({YT: (1, 1), YT2: (2, 2)})
    body["items"][1]["statistics"]["viewCount"] = "lots"

    actual = parse_youtube_api_response(body, [YT, YT2])

    assert (OK, ERROR) == (actual[YT].status, actual[YT2].status)


@pytest.mark.parametrize(("reason", "code"), [("quotaExceeded", 403), ("dailyLimitExceeded", 403)])
def test_api_quota_error_raises_quota_exceeded(reason, code):
    """A quota error body raises QuotaExceeded."""
    with pytest.raises(QuotaExceeded):
        parse_youtube_api_response(pages.youtube_api_error(reason, code), [YT])


@pytest.mark.parametrize(("reason", "code"), [
    ("API_KEY_INVALID", 400), ("keyInvalid", 400), ("accessNotConfigured", 403), ("forbidden", 403),
])
def test_api_key_errors_raise_api_config_error(reason, code):
    """Bad, restricted or disabled keys raise ApiConfigError, in the current and the legacy body form."""
    with pytest.raises(ApiConfigError):
        parse_youtube_api_response(pages.youtube_api_error(reason, code), [YT])


@pytest.mark.parametrize(("reason", "code", "expected"), [
    ("rateLimitExceeded", 429, BLOCKED), ("backendError", 500, ERROR), ("missingRequiredParameter", 400, ERROR),
])
def test_api_other_errors_give_every_id_the_same_result(reason, code, expected):
    """Rate limits block every id; backend and request errors fail every id."""
    actual = parse_youtube_api_response(pages.youtube_api_error(reason, code), [YT, YT2])

    assert [expected, expected] == [actual[YT].status, actual[YT2].status]
    assert reason in actual[YT].reason


def test_api_garbage_body_is_an_error():
    """A body that is not an object fails every id."""
    actual = parse_youtube_api_response([1, 2, 3], [YT])

    assert ERROR == actual[YT].status


# ---------------------------------------------------------------------------------------------
# YouTube watch page


def test_watch_page_gives_exact_views_and_likes():
    """A normal page gives views from videoDetails and exact likes from the like button."""
    actual = parse_youtube_watch_page(pages.youtube_watch_page(YT, 1_734_567_890, 18_123_456), YT)

    assert FetchResult(OK, 1_734_567_890, 18_123_456) == actual


def test_watch_page_json_strings_containing_a_closing_brace_semicolon_do_not_cut_the_data():
    """'};' inside JSON strings does not end the object (raw_decode, not a regex)."""
    page = pages.youtube_watch_page(YT, 11, 22)

    actual = parse_youtube_watch_page(page, YT)

    assert '}; var x = {' in page
    assert FetchResult(OK, 11, 22) == actual


def test_watch_page_ignores_mentions_of_the_marker_that_are_not_assignments():
    """A script that only reads ytInitialPlayerResponse does not confuse the parser."""
    page = pages.youtube_watch_page(YT, 11, 22).replace(
        "<head>", "<head><script>if (window.ytInitialPlayerResponse) {ytcsi.tick('x')}</script>", 1
    )

    actual = parse_youtube_watch_page(page, YT)

    assert FetchResult(OK, 11, 22) == actual


def test_watch_page_zero_views_is_zero_not_unknown():
    """A brand-new video reports 0 views, not None."""
    actual = parse_youtube_watch_page(pages.youtube_watch_page(YT, 0, 0), YT)

    assert FetchResult(OK, 0, 0) == actual


def test_watch_page_views_fall_back_to_microformat_meta_and_view_text():
    """Without videoDetails.viewCount, views come from microformat, then the meta tag, then the view text."""
    page = pages.youtube_watch_page(YT, 1_734_567_890, 5)
    no_details = page.replace('"viewCount":"1734567890","author"', '"author"', 1)
    no_microformat = no_details.replace('"viewCount":"1734567890","category"', '"category"', 1)
    no_meta = no_microformat.replace('itemprop="interactionCount"', 'itemprop="other"', 1)

    actual = [parse_youtube_watch_page(p, YT).views for p in (no_details, no_microformat, no_meta)]

    assert [1_734_567_890] * 3 == actual


def test_watch_page_likes_fall_back_to_entity_number_then_abbreviation():
    """Without the accessibility text, likes come from likeCountIfIndifferentNumber, then the '18M' title."""
    page = pages.youtube_watch_page(YT, 1, 18_123_456).replace(
        "like this video along with 18,123,456 other people", "I like this"
    )
    no_entity = page.replace('"likeCountIfIndifferentNumber"', '"renamedField"')

    actual = [parse_youtube_watch_page(p, YT).likes for p in (page, no_entity)]

    assert [18_123_456, 18_000_000] == actual


@pytest.mark.parametrize("layout", ["toggle", "segmented"])
def test_watch_page_2020_to_2022_like_button_gives_exact_likes(layout):
    """The toggleButtonRenderer like button (2020–2021 bare, 2022 segmented) gives the exact count."""
    page = pages.youtube_watch_page(YT, 1_234_567, 2_347, like_layout=layout)

    actual = parse_youtube_watch_page(page, YT)

    assert "likeCountEntity" not in page
    assert '"iconType":"LIKE"' in page
    assert FetchResult(OK, 1_234_567, 2_347) == actual


@pytest.mark.parametrize("layout", ["toggle", "segmented"])
def test_watch_page_old_like_button_labels_are_read_one_after_the_other(layout):
    """Without the 'along with N other people' label, '2,347 likes' is exact; without both, '2.3K' is all there is."""
    page = pages.youtube_watch_page(YT, 10, 2_347, like_layout=layout)
    no_sentence = page.replace("like this video along with 2,347 other people", "I like this")
    no_labels = no_sentence.replace('"label":"2,347 likes"', '"label":"Like"')

    actual = [parse_youtube_watch_page(p, YT).likes for p in (no_sentence, no_labels)]

    assert [2_347, 2_300] == actual


def test_watch_page_old_layout_no_likes_is_zero():
    """A 2021 like button saying 'No likes' (along with 0 other people) is 0 likes, not unknown."""
    actual = parse_youtube_watch_page(pages.youtube_watch_page(YT, 10, 0, like_layout="toggle"), YT)

    assert FetchResult(OK, 10, 0) == actual


def test_watch_page_old_layout_dislike_count_is_never_read_as_likes():
    """The 2020 dislike button (public count, DISLIKE icon) is skipped even when it comes first."""
    page = pages.youtube_watch_page(YT, 10, 2_347, like_layout="toggle")
    data = json.loads(page.split("var ytInitialData = ", 1)[1].split(";</script>", 1)[0])
    buttons = data["contents"]["twoColumnWatchNextResults"]["results"]["results"]["contents"][0][
        "videoPrimaryInfoRenderer"]["videoActions"]["menuRenderer"]["topLevelButtons"]
    buttons[0], buttons[1] = buttons[1], buttons[0]
    player = page.split("var ytInitialPlayerResponse = ", 1)[1].split(";var meta", 1)[0]
    swapped = (f"<html><script>var ytInitialPlayerResponse = {player};</script>"
               f"<script>var ytInitialData = {json.dumps(data)};</script></html>")

    actual = parse_youtube_watch_page(swapped, YT)

    assert '"4,321 dislikes"' in page
    assert FetchResult(OK, 10, 2_347) == actual


def test_watch_page_old_layout_live_stream_gives_total_views_and_likes():
    """A 2021 live page: views from videoDetails (not 'watching now'), likes from the toggle button."""
    page = pages.youtube_watch_page(YT, 98_765, 4_321, like_layout="toggle", live=True)

    actual = parse_youtube_watch_page(page, YT)

    assert "watching now" in page
    assert FetchResult(OK, 98_765, 4_321) == actual


def test_watch_page_hidden_likes_give_none_with_a_reason():
    """allowRatings false means no like count: None plus a reason."""
    actual = parse_youtube_watch_page(pages.youtube_watch_page(YT, 100, 5, likes_hidden=True), YT)

    assert FetchResult(OK, 100, None, "点赞数已被作者隐藏 (allowRatings=false)") == actual


def test_watch_page_without_like_button_still_gives_views():
    """A changed like-button layout leaves likes None with a reason, views kept."""
    page = pages.youtube_watch_page(YT, 100, 5).replace("segmentedLikeDislikeButtonViewModel", "somethingNew")
    page = page.replace('"likeCountIfIndifferentNumber"', '"renamedField"')

    actual = parse_youtube_watch_page(page, YT)

    assert (OK, 100, None) == (actual.status, actual.views, actual.likes)
    assert actual.reason


@pytest.mark.parametrize("reason", ["Video unavailable", "This video has been removed by the uploader"])
def test_watch_page_deleted_video_is_unavailable(reason):
    """playabilityStatus ERROR means deleted or nonexistent."""
    actual = parse_youtube_watch_page(pages.youtube_watch_page(YT, playability="ERROR", reason=reason), YT)

    assert UNAVAILABLE == actual.status
    assert reason in actual.reason


def test_watch_page_private_video_is_unavailable():
    """LOGIN_REQUIRED 'This video is private.' is permanent."""
    actual = parse_youtube_watch_page(pages.youtube_watch_page(YT, playability="LOGIN_REQUIRED"), YT)

    assert UNAVAILABLE == actual.status
    assert "私密" in actual.reason


@pytest.mark.parametrize("wall", [
    BOT_WALL,
    "Sign in to confirm you're not a bot",
    "This content isn't available, try again later.",
])
def test_watch_page_bot_wall_is_blocked_never_unavailable(wall):
    """The bot wall and the session rate limit are BLOCKED, whatever the apostrophe."""
    status = "ERROR" if "try again" in wall else "LOGIN_REQUIRED"

    actual = parse_youtube_watch_page(pages.youtube_watch_page(YT, playability=status, reason=wall), YT)

    assert BLOCKED == actual.status


def test_watch_page_bot_wall_with_escaped_apostrophe_is_blocked():
    """The U+2019 apostrophe written as a JSON escape is still the bot wall."""
    page = pages.youtube_watch_page(YT, playability="LOGIN_REQUIRED", reason=BOT_WALL).replace("\u2019", "\\u2019")

    actual = parse_youtube_watch_page(page, YT)

    assert BLOCKED == actual.status


def test_watch_page_captcha_view_model_is_blocked():
    """errorScreen.playerCaptchaViewModel means a captcha: BLOCKED."""
    page = pages.youtube_watch_page(YT, playability="LOGIN_REQUIRED", reason="Something new").replace(
        '"playerErrorMessageRenderer"', '"playerCaptchaViewModel"'
    )

    actual = parse_youtube_watch_page(page, YT)

    assert BLOCKED == actual.status


def test_watch_page_unknown_sign_in_wall_is_blocked():
    """An unknown LOGIN_REQUIRED reason is treated as a block, never as a dead video."""
    page = pages.youtube_watch_page(YT, playability="LOGIN_REQUIRED", reason="Please sign in to continue")

    actual = parse_youtube_watch_page(page, YT)

    assert BLOCKED == actual.status


def test_google_sorry_page_is_blocked():
    """The google.com/sorry captcha page (no player data) is BLOCKED."""
    page = ('<html><head><title>https://www.youtube.com/watch?v=dQw4w9WgXcQ</title></head><body>'
            '<form action="https://www.google.com/sorry/index" method="post">Our systems have detected unusual '
            'traffic from your computer network.</form></body></html>')

    actual = parse_youtube_watch_page(page, YT)

    assert BLOCKED == actual.status


def test_watch_page_age_gate_with_details_reports_the_counts():
    """An age-gated page that still describes the video gives its views (our choice) with a reason."""
    page = pages.youtube_watch_page(YT, 77, 5, playability="LOGIN_REQUIRED", reason="Sign in to confirm your age")

    actual = parse_youtube_watch_page(page, YT)

    assert (OK, 77) == (actual.status, actual.views)
    assert "受限" in actual.reason


def test_watch_page_geo_block_with_details_reports_the_counts():
    """UNPLAYABLE (not in this country) with videoDetails still gives the public counts."""
    actual = parse_youtube_watch_page(pages.youtube_watch_page(YT, 77, 5, playability="UNPLAYABLE"), YT)

    assert (OK, 77) == (actual.status, actual.views)
    assert "UNPLAYABLE" in actual.reason


VIETNAMESE_AGE_GATE = "Đăng nhập để xác nhận tuổi của bạn"


def test_watch_page_vietnamese_age_gate_describing_the_video_gives_its_counts():
    """LOGIN_REQUIRED in Vietnamese, with this video's videoDetails and viewCount: the counts are taken."""
    page = pages.youtube_watch_page(YT, 77, 5, playability="LOGIN_REQUIRED", reason=VIETNAMESE_AGE_GATE,
                                    with_details=True)

    actual = parse_youtube_watch_page(page, YT)

    assert (OK, 77, 5) == (actual.status, actual.views, actual.likes)
    assert "受限" in actual.reason
    assert VIETNAMESE_AGE_GATE in actual.reason


@pytest.mark.parametrize(("playability", "reason"), [
    ("UNPLAYABLE", "This video requires payment to watch."),
    ("UNPLAYABLE", "Este video no está disponible en tu país"),
    ("LOGIN_REQUIRED", "Melde dich an, um dein Alter zu bestätigen"),
    ("LOGIN_REQUIRED", BOT_WALL),
    ("ERROR", "This content isn't available, try again later."),
])
def test_watch_page_gate_describing_the_video_gives_its_counts_whatever_the_words(playability, reason):
    """Rental, region, age and even bot-wall gates that carry this video's videoDetails with counts report them."""
    page = pages.youtube_watch_page(YT, 77, 5, playability=playability, reason=reason, with_details=True)

    actual = parse_youtube_watch_page(page, YT)

    assert (OK, 77) == (actual.status, actual.views)
    assert playability in actual.reason


@pytest.mark.parametrize(("playability", "reason", "expected"), [
    ("LOGIN_REQUIRED", VIETNAMESE_AGE_GATE, BLOCKED),
    ("LOGIN_REQUIRED", "Đăng nhập để xác nhận bạn không phải là bot", BLOCKED),
    ("LOGIN_REQUIRED", BOT_WALL, BLOCKED),
    ("ERROR", "Video nicht verfügbar", UNAVAILABLE),
    ("ERROR", "Video không có sẵn", UNAVAILABLE),
])
def test_watch_page_gate_without_video_details_tells_a_wall_from_a_gone_video(playability, reason, expected):
    """Without videoDetails, a sign-in wall in any language is BLOCKED (never dead) and ERROR is gone."""
    page = pages.youtube_watch_page(YT, 77, 5, playability=playability, reason=reason, with_details=False)

    actual = parse_youtube_watch_page(page, YT)

    assert '"videoDetails"' not in page
    assert expected == actual.status


def test_watch_page_gate_with_details_but_no_view_count_is_judged_as_a_gate():
    """videoDetails without viewCount carries no counts: the Vietnamese sign-in wall stays BLOCKED."""
    page = pages.youtube_watch_page(YT, 77, 5, playability="LOGIN_REQUIRED", reason=VIETNAMESE_AGE_GATE,
                                    with_details=True).replace('"viewCount":"77","author"', '"author"', 1)

    actual = parse_youtube_watch_page(page, YT)

    assert BLOCKED == actual.status


def test_watch_page_gate_describing_another_video_is_judged_as_a_gate():
    """A gate page whose videoDetails is another video's gives no counts for this one."""
    page = pages.youtube_watch_page(YT, 77, 5, playability="LOGIN_REQUIRED", reason=VIETNAMESE_AGE_GATE,
                                    with_details=True, other_video_id=YT2)

    actual = parse_youtube_watch_page(page, YT)

    assert (BLOCKED, None, None) == (actual.status, actual.views, actual.likes)


def test_watch_page_geo_block_without_details_is_unavailable():
    """UNPLAYABLE with no videoDetails is unavailable from here."""
    page = pages.youtube_watch_page(YT, 77, 5, playability="UNPLAYABLE").replace('"videoDetails"', '"videoDetailz"')

    actual = parse_youtube_watch_page(page, YT)

    assert UNAVAILABLE == actual.status


def test_watch_page_for_another_video_is_an_error():
    """A player response for a different videoId is discarded as ERROR."""
    actual = parse_youtube_watch_page(pages.youtube_watch_page(YT, 1, 1, other_video_id=YT2), YT)

    assert ERROR == actual.status
    assert YT2 in actual.reason


def test_watch_page_truncated_player_json_is_an_error():
    """Markers present but the player JSON cut short gives ERROR, not a crash."""
    page = _cut_inside(pages.youtube_watch_page(YT), "ytInitialPlayerResponse")

    actual = parse_youtube_watch_page(page, YT)

    assert ERROR == actual.status
    assert "截断" in actual.reason


def test_watch_page_truncated_initial_data_keeps_the_views():
    """A page cut inside ytInitialData still gives views; likes are unknown with a reason."""
    page = _cut_inside(pages.youtube_watch_page(YT, 123, 45), "ytInitialData")

    actual = parse_youtube_watch_page(page, YT)

    assert (OK, 123, None) == (actual.status, actual.views, actual.likes)
    assert actual.reason


def test_watch_page_without_markers_is_a_layout_error():
    """A page with neither marker is ERROR (layout changed), not BLOCKED or UNAVAILABLE."""
    page = pages.youtube_watch_page(YT).replace("ytInitialPlayerResponse", "ytNewName").replace("ytInitialData", "ytOther")

    actual = parse_youtube_watch_page(page, YT)

    assert ERROR == actual.status


@pytest.mark.parametrize("body", [b"", _garbage(), "<html></html>"])
def test_watch_page_garbage_is_an_error(body):
    """Empty, random or markup-only bodies give ERROR."""
    actual = parse_youtube_watch_page(body, YT)

    assert ERROR == actual.status


def test_watch_page_with_invalid_utf8_parses():
    """Invalid UTF-8 bytes outside the data do not break parsing."""
    actual = parse_youtube_watch_page(_with_bad_bytes(pages.youtube_watch_page(YT, 9, 8)), YT)

    assert FetchResult(OK, 9, 8) == actual


def test_huge_watch_page_parses_quickly():
    """A 5 MB page parses in a fraction of a second (the bound holds on a loaded machine)."""
    page = pages.youtube_watch_page(YT, 9, 8, size=5_000_000)
    started = time.perf_counter()

    actual = parse_youtube_watch_page(page, YT)

    assert time.perf_counter() - started < 5  # about 0.05 s; a quadratic scan would take minutes
    assert FetchResult(OK, 9, 8) == actual


# ---------------------------------------------------------------------------------------------
# TikTok


def test_tiktok_exact_stats_v2_win_over_rounded_stats():
    """statsV2 strings are exact; stats are rounded (1776621 -> 1800000)."""
    page = pages.tiktok_page(TT, 1_776_621, 22_609)

    actual = parse_tiktok_page(page, TT)

    assert '"playCount":1800000' in page
    assert FetchResult(OK, 1_776_621, 22_609) == actual


def test_tiktok_without_stats_v2_uses_rounded_stats():
    """Without statsV2 the rounded stats are all there is."""
    actual = parse_tiktok_page(pages.tiktok_page(TT, 1_776_621, 22_609, stats_v2=False), TT)

    assert FetchResult(OK, 1_800_000, 22_600) == actual


def test_tiktok_stats_v2_missing_one_field_falls_back_per_field():
    """A statsV2 block missing playCount takes views from stats and likes from statsV2."""
    page = pages.tiktok_page(TT, 1_776_621, 22_609).replace('"playCount":"1776621",', "")

    actual = parse_tiktok_page(page, TT)

    assert FetchResult(OK, 1_800_000, 22_609) == actual


@pytest.mark.parametrize(("code", "message", "expected"), [
    (10204, "item_privacy_authorization&status_deleted", UNAVAILABLE),
    (10204, "cross_border_violation_ur", UNAVAILABLE),
    (10204, "author_status,status_reviewing", ERROR),
    (10204, "", BLOCKED),
    (10216, "", UNAVAILABLE),
    (10222, "", UNAVAILABLE),
    (10231, "", UNAVAILABLE),
    (100004, "", ERROR),
])
def test_tiktok_status_codes_follow_the_reference_table(code, message, expected):
    """Each statusCode / statusMsg pair maps to its class."""
    actual = parse_tiktok_page(pages.tiktok_page(TT, 1, 1, status_code=code, status_msg=message), TT)

    assert expected == actual.status
    assert str(code) in actual.reason


def test_tiktok_status_code_as_string_is_understood():
    """A statusCode written as a digit string counts like the int."""
    page = pages.tiktok_page(TT, 1, 1, status_code=10216).replace('"statusCode":10216', '"statusCode":"10216"')

    actual = parse_tiktok_page(page, TT)

    assert UNAVAILABLE == actual.status


def test_tiktok_challenge_page_is_blocked():
    """The 'Please wait...' proof-of-work page is BLOCKED."""
    actual = parse_tiktok_page(pages.tiktok_challenge_page(), TT)

    assert BLOCKED == actual.status


def test_tiktok_legacy_sigi_page_is_parsed():
    """The pre-2024 SIGI_STATE page is read too (ItemModule[id].stats, rounded)."""
    actual = parse_tiktok_page(pages.tiktok_legacy_sigi_page(TT, 1_776_621, 22_609), TT)

    assert FetchResult(OK, 1_800_000, 22_600) == actual


def test_tiktok_legacy_sigi_status_code_is_classified():
    """A SIGI_STATE page with VideoPage.statusCode 10216 is UNAVAILABLE."""
    actual = parse_tiktok_page(pages.tiktok_legacy_sigi_page(TT, 1, 1, status_code=10216), TT)

    assert UNAVAILABLE == actual.status


def test_tiktok_page_for_another_post_is_an_error():
    """An itemStruct for a different id is ERROR."""
    actual = parse_tiktok_page(pages.tiktok_page(TT, 1, 1), "7504044860782021931")

    assert ERROR == actual.status


def test_tiktok_content_classified_without_stats_is_unavailable():
    """A sensitive-content wall (isContentClassified, no stats) needs a login: UNAVAILABLE."""
    data = {"__DEFAULT_SCOPE__": {"webapp.video-detail": {
        "itemInfo": {"itemStruct": {"id": TT, "isContentClassified": True}}, "statusCode": 0, "statusMsg": "",
    }}}
    page = f'<html><script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{json.dumps(data)}</script></html>'

    actual = parse_tiktok_page(page, TT)

    assert UNAVAILABLE == actual.status


def test_tiktok_truncated_json_is_an_error():
    """The rehydration JSON cut short gives ERROR."""
    page = _cut_inside(pages.tiktok_page(TT, 1, 1), "__UNIVERSAL_DATA_FOR_REHYDRATION__")

    actual = parse_tiktok_page(page, TT)

    assert ERROR == actual.status
    assert "截断" in actual.reason


def test_tiktok_missing_video_detail_is_an_error():
    """Rehydration data without webapp.video-detail is a layout change: ERROR."""
    page = pages.tiktok_page(TT, 1, 1).replace('"webapp.video-detail"', '"webapp.other"')

    actual = parse_tiktok_page(page, TT)

    assert ERROR == actual.status


@pytest.mark.parametrize("body", [b"", _garbage(), "<html><body>Hello</body></html>"])
def test_tiktok_page_without_data_is_an_error(body):
    """Empty, random or unrelated pages (no data, no challenge) give ERROR."""
    actual = parse_tiktok_page(body, TT)

    assert ERROR == actual.status


def test_tiktok_page_with_invalid_utf8_parses():
    """Invalid UTF-8 bytes do not break parsing."""
    actual = parse_tiktok_page(_with_bad_bytes(pages.tiktok_page(TT, 5, 6, rounded=False)), TT)

    assert FetchResult(OK, 5, 6) == actual


def test_huge_tiktok_page_parses():
    """A 5 MB page parses."""
    actual = parse_tiktok_page(pages.tiktok_page(TT, 5, 6, size=5_000_000), TT)

    assert FetchResult(OK, 5, 6) == actual


# ---------------------------------------------------------------------------------------------
# Douyin share page and TikHub


def test_douyin_share_page_gives_likes_and_no_views():
    """The share page gives digg_count; play_count 0 means views unknown (None) with a reason."""
    page = pages.douyin_share_page(DY, 7007)

    actual = parse_douyin_share_page(page, DY)

    assert '"video_(id)\\u002Fpage"' in page
    assert (OK, None, 7007) == (actual.status, actual.views, actual.likes)
    assert "播放数" in actual.reason


def test_douyin_positive_play_count_is_used():
    """A non-zero play_count is a real view count."""
    page = pages.douyin_share_page(DY, 7007).replace('"play_count":0', '"play_count":123')

    actual = parse_douyin_share_page(page, DY)

    assert FetchResult(OK, 123, 7007) == actual


def test_douyin_filtered_item_is_unavailable_with_douyin_reason():
    """An empty item_list with a filter_list entry is UNAVAILABLE with Douyin's message."""
    page = pages.douyin_share_page(DY, 1, filtered=True, filter_reason="status_self_see", detail_msg="作者设置了仅自己可见")

    actual = parse_douyin_share_page(page, DY)

    assert FetchResult(UNAVAILABLE, reason="抖音作品不可见：作者设置了仅自己可见 (status_self_see)") == actual


def test_douyin_note_page_is_parsed():
    """A 图文 page (noteDetailRes) gives likes the same way."""
    actual = parse_douyin_share_page(pages.douyin_share_page(DY, 55, note=True), DY)

    assert 55 == actual.likes


def test_douyin_data_ending_with_semicolon_is_parsed():
    """Both '}</script>' and '};</script>' endings are read."""
    page = pages.douyin_share_page(DY, 9).replace("}</script>", "};</script>")

    actual = parse_douyin_share_page(page, DY)

    assert 9 == actual.likes


@pytest.mark.parametrize("page", [
    pages.douyin_challenge_page(),
    '<html><script nonce="">window._ROUTER_DATA = {}</script></html>',
])
def test_douyin_page_without_router_data_is_blocked(page):
    """The captcha page and an empty _ROUTER_DATA are BLOCKED."""
    actual = parse_douyin_share_page(page, DY)

    assert BLOCKED == actual.status


def test_douyin_random_bytes_are_an_error_not_a_block():
    """A body that is not HTML at all is ERROR."""
    actual = parse_douyin_share_page(_garbage(), DY)

    assert ERROR == actual.status


def test_douyin_page_for_another_item_is_an_error():
    """item_list holding another aweme_id is ERROR."""
    actual = parse_douyin_share_page(pages.douyin_share_page(DY, 1), "7535852404919586101")

    assert ERROR == actual.status


def test_douyin_truncated_json_is_an_error():
    """_ROUTER_DATA cut short gives ERROR."""
    page = _cut_inside(pages.douyin_share_page(DY, 1), "_ROUTER_DATA")

    actual = parse_douyin_share_page(page, DY)

    assert ERROR == actual.status


def test_douyin_page_with_invalid_utf8_parses():
    """Invalid UTF-8 bytes do not break parsing."""
    actual = parse_douyin_share_page(_with_bad_bytes(pages.douyin_share_page(DY, 31)), DY)

    assert 31 == actual.likes


def test_tikhub_gives_views_and_likes():
    """TikHub's aweme_detail gives likes, and views when play_count is positive."""
    actual = parse_tikhub_response(pages.tikhub_response(DY, 1000, 77), DY)

    assert FetchResult(OK, 1000, 77) == actual


def test_tikhub_zero_play_count_is_unknown_views():
    """play_count 0 from TikHub is unknown, not zero."""
    actual = parse_tikhub_response(pages.tikhub_response(DY, 0, 77), DY)

    assert (OK, None, 77) == (actual.status, actual.views, actual.likes)


def test_tikhub_filtered_item_is_unavailable():
    """aweme_detail null with filter_detail is UNAVAILABLE."""
    actual = parse_tikhub_response(pages.tikhub_response(DY, 0, 0, filtered=True), DY)

    assert UNAVAILABLE == actual.status


@pytest.mark.parametrize("body", [
    {"code": 400, "message": "bad aweme_id"},
    {"code": 200, "data": None},
    {"code": 200, "data": {"aweme_detail": None, "status_code": 0}},
    pages.tikhub_response("7535852404919586101", 1, 1),
    "not a dict",
])
def test_tikhub_errors_and_mismatches_are_errors(body):
    """Error codes, missing data and another item's data give ERROR."""
    actual = parse_tikhub_response(body, DY)

    assert ERROR == actual.status


@pytest.mark.parametrize(("options", "words"), [
    ({"filter_list_reason": 8}, "已删除、不存在或因版权限制在海外不可见 (filter_list reason 8)"),
    ({"filter_list_reason": 5}, "作者设为私密 (filter_list reason 5)"),
    ({"filter_list_reason": 10}, "仅部分人可见 (filter_list reason 10)"),
    ({"is_delete": True}, "抖音作品已删除 (status.is_delete)"),
    ({"private_status": 1}, "抖音作品已设为私密或仅部分人可见 (status.private_status=1)"),
    ({"private_status": 2}, "(status.private_status=2)"),
])
def test_tikhub_douyin_gone_item_is_unavailable_never_zero_likes(options, words):
    """filter_list[0].reason, aweme_detail.status.is_delete and private_status mean gone: UNAVAILABLE, no counts."""
    actual = parse_tikhub_response(pages.tikhub_response(DY, 1000, 77, **options), DY)

    assert (UNAVAILABLE, None, None) == (actual.status, actual.views, actual.likes)
    assert words in actual.reason


def test_tikhub_douyin_public_status_flags_keep_the_counts():
    """is_delete false and private_status 0 are an ordinary public item."""
    body = pages.tikhub_response(DY, 1000, 77)

    actual = parse_tikhub_response(body, DY)

    assert {"is_delete": False, "private_status": 0}.items() <= body["data"]["aweme_detail"]["status"].items()
    assert FetchResult(OK, 1000, 77) == actual


def test_tikhub_douyin_filter_list_of_another_item_is_not_this_one():
    """A filter_list entry naming another aweme_id does not make this item gone when its data is there."""
    body = pages.tikhub_response(DY, 1000, 77)
    body["data"]["filter_list"] = [{"aweme_id": "7535852404919586101", "reason": 8}]

    actual = parse_tikhub_response(body, DY)

    assert FetchResult(OK, 1000, 77) == actual


def test_share_page_item_marked_deleted_is_unavailable():
    """A share-page item whose status says is_delete is gone, like TikHub's."""
    page = pages.douyin_share_page(DY, 7007).replace('"is_delete":false', '"is_delete":true')

    actual = parse_douyin_share_page(page, DY)

    assert (UNAVAILABLE, None, None) == (actual.status, actual.views, actual.likes)


def test_tikhub_tiktok_gives_exact_views_and_likes():
    """TikHub's TikTok aweme_detail gives play_count and digg_count."""
    actual = parse_tikhub_tiktok_response(pages.tikhub_tiktok_response(TT, 71_400, 1_819), TT)

    assert FetchResult(OK, 71_400, 1_819) == actual


def test_tikhub_tiktok_zero_counts_are_real_zeros():
    """TikTok shows its play counts, so a new post's 0 views and 0 likes are zeros, not unknown."""
    actual = parse_tikhub_tiktok_response(pages.tikhub_tiktok_response(TT, 0, 0), TT)

    assert FetchResult(OK, 0, 0) == actual


@pytest.mark.parametrize(("gone", "words"), [
    ("null", "TikTok 视频不存在、已删除或不可见 (TikHub aweme_detail 为空)"),
    ("filtered", "TikTok 视频不可见：This post isn't available (status_deleted)"),
    ("deleted", "TikTok 视频已删除 (status.is_delete)"),
    ("private", "TikTok 视频已设为私密或仅部分人可见 (status.private_status=1)"),
])
def test_tikhub_tiktok_gone_post_is_unavailable_never_zero_likes(gone, words):
    """aweme_detail null, filter_detail, is_delete and private_status mean the post is gone: UNAVAILABLE with a Chinese reason."""
    actual = parse_tikhub_tiktok_response(pages.tikhub_tiktok_response(TT, 5, 6, gone=gone), TT)

    assert FetchResult(UNAVAILABLE, reason=words) == actual


@pytest.mark.parametrize("body", [
    {"code": 400, "message": "bad aweme_id"},
    {"code": 200, "data": None},
    {"code": 200, "data": {"status_code": 0}},
    {"code": 200, "data": {"aweme_detail": {"aweme_id": TT}}},
    pages.tikhub_tiktok_response("7504044860782021931", 1, 1),
    "not a dict",
])
def test_tikhub_tiktok_errors_and_mismatches_are_errors(body):
    """Error codes, missing data or statistics and another post's data give ERROR."""
    actual = parse_tikhub_tiktok_response(body, TT)

    assert ERROR == actual.status


def test_tikhub_tiktok_url_names_the_app_v3_endpoint():
    """The TikTok request goes to /api/v1/tiktok/app/v3/fetch_one_video with the post id."""
    actual = tiktok_video_url("https://api.tikhub.io", TT)

    assert f"https://api.tikhub.io/api/v1/tiktok/app/v3/fetch_one_video?aweme_id={TT}" == actual


def test_tikhub_answer_reads_a_tiktok_body_with_the_tiktok_parser():
    """answer_result takes the parser to use, so a TikTok answer is read as TikTok's."""
    gone = Response(200, {}, json.dumps(pages.tikhub_tiktok_response(TT, 5, 6, gone="null")))
    shown = Response(200, {}, json.dumps(pages.tikhub_tiktok_response(TT, 5, 6)))

    actual = [answer_result(r, TT, parse_tikhub_tiktok_response) for r in (gone, shown)]

    assert [UNAVAILABLE, FetchResult(OK, 5, 6)] == [actual[0].status, actual[1]]
    with pytest.raises(ApiConfigError):
        answer_result(Response(401, {}, "{}"), TT, parse_tikhub_tiktok_response)


# ---------------------------------------------------------------------------------------------
# Douyin www.douyin.com RENDER_DATA (the second source)


@pytest.mark.parametrize("route_key", ["41", "C_19", "7535852404919586100"])
def test_render_data_page_gives_likes_and_no_views(route_key):
    """URL-encoded RENDER_DATA gives aweme.detail.stats.diggCount under whatever route key; playCount 0 is unknown."""
    page = pages.douyin_render_data_page(DY, 7007, route_key=route_key)

    actual = parse_douyin_render_data_page(page, DY)

    assert "%22diggCount%22%3A7007" in page
    assert (OK, None, 7007) == (actual.status, actual.views, actual.likes)
    assert "播放数" in actual.reason


def test_render_data_positive_play_count_is_used():
    """A non-zero playCount is a real view count."""
    actual = parse_douyin_render_data_page(pages.douyin_render_data_page(DY, 7007, 123), DY)

    assert FetchResult(OK, 123, 7007) == actual


def test_render_data_without_detail_is_an_error_not_unavailable():
    """aweme.detail null says nothing sure about the video: ERROR, so the share page's verdict stands."""
    actual = parse_douyin_render_data_page(pages.douyin_render_data_page(DY, 7, detail=False), DY)

    assert ERROR == actual.status


def test_render_data_for_another_item_is_an_error():
    """aweme.detail for another awemeId is ERROR."""
    actual = parse_douyin_render_data_page(pages.douyin_render_data_page(DY, 7), "7535852404919586101")

    assert ERROR == actual.status


@pytest.mark.parametrize(("page", "expected"), [
    (pages.douyin_challenge_page(), BLOCKED),
    ('<html><script id="RENDER_DATA" type="application/json">%7B%7D</script></html>', BLOCKED),
    (_garbage(), ERROR),
    ('<html><script id="RENDER_DATA" type="application/json">%7B%22a%22%3A%E4%B8</script></html>', ERROR),
    ('<html><script id="RENDER_DATA" type="application/json">%7B%22app%22%3A%7B%7D%7D</script></html>', ERROR),
])
def test_render_data_page_without_usable_data(page, expected):
    """A verify page or empty RENDER_DATA is BLOCKED; random bytes, bad encoding and no aweme are ERROR."""
    actual = parse_douyin_render_data_page(page, DY)

    assert expected == actual.status


def test_render_data_cut_short_is_an_error():
    """RENDER_DATA cut in the middle gives ERROR, not a crash."""
    page = pages.douyin_render_data_page(DY, 7)
    start = page.index("RENDER_DATA")

    actual = parse_douyin_render_data_page(page[:start + 500], DY)

    assert ERROR == actual.status
    assert "截断" in actual.reason


@pytest.mark.parametrize(("base", "expected"), [
    ("https://www.iesdouyin.com", f"https://www.douyin.com/video/{DY}"),
    ("https://iesdouyin.com/", f"https://www.douyin.com/video/{DY}"),
    ("http://127.0.0.1:9000/dy", f"http://127.0.0.1:9000/dy/video/{DY}"),
    ("https://relay.example.com/douyin/", f"https://relay.example.com/douyin/video/{DY}"),
])
def test_render_data_page_url_follows_the_share_page_base(base, expected):
    """The real share host pairs with www.douyin.com; any other base serves /video/ID itself."""
    actual = video_page_url(base, DY)

    assert expected == actual
