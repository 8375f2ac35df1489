"""URL recognition and count parsing in video_stats_fetcher: tables plus property tests."""

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from video_stats_fetcher import (
    DOUYIN,
    TIKTOK,
    YOUTUBE,
    CountParseError,
    FetchError,
    InvalidVideoURL,
    VideoRef,
    parse_count,
    parse_video_url,
)

YT = "dQw4w9WgXcQ"
TT = "7504044860782021930"
DY = "7535852404919586100"

PROPERTY = settings(max_examples=300, deadline=None, database=None)

RECOGNISED = [
    # YouTube: watch and its parameter orders
    (f"https://www.youtube.com/watch?v={YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch?feature=player_embedded&v={YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch?app=desktop&v={YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch?feature=share&amp;v={YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch?v={YT}&amp;t=42s", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch?v={YT}&v=yPYZpwSpKmA", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch?v={YT}&list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI&index=3", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch?v={YT}&pp=ygUJcmljayByb2xs&ab_channel=RickAstley", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch?v={YT}#t=30", VideoRef(YOUTUBE, YT)),
    # YouTube: hosts, schemes and case
    (f"https://youtube.com/watch?v={YT}", VideoRef(YOUTUBE, YT)),
    (f"http://youtube.com/watch?v={YT}", VideoRef(YOUTUBE, YT)),
    (f"//www.YouTube.com/watch?v={YT}", VideoRef(YOUTUBE, YT)),
    (f"HTTPS://WWW.YOUTUBE.COM/watch?v={YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com:443/watch?v={YT}", VideoRef(YOUTUBE, YT)),
    (f"www.youtube.com/watch?v={YT}", VideoRef(YOUTUBE, YT)),
    (f"https://m.youtube.com/watch?v={YT}", VideoRef(YOUTUBE, YT)),
    (f"https://music.youtube.com/watch?v={YT}&list=RDAMVM{YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtubekids.com/watch?v={YT}", VideoRef(YOUTUBE, YT)),
    (f"  https://www.youtube.com/watch?v={YT}\n", VideoRef(YOUTUBE, YT)),
    # YouTube: other paths
    (f"https://youtu.be/{YT}", VideoRef(YOUTUBE, YT)),
    (f"https://youtu.be/{YT}?si=Jx7aTq2bW9cLm0Pz&t=42", VideoRef(YOUTUBE, YT)),
    (f"https://youtu.be/{YT}?t=1m2s", VideoRef(YOUTUBE, YT)),
    (f"https://youtu.be/{YT}?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI", VideoRef(YOUTUBE, YT)),
    (f"youtu.be/{YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/shorts/{YT}?feature=share", VideoRef(YOUTUBE, YT)),
    (f"https://youtube.com/shorts/{YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/live/{YT}?si=abc", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/live/{YT}?feature=share", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/embed/{YT}?start=10&autoplay=1", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube-nocookie.com/embed/{YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/v/{YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/v/{YT}&hl=en_US&fs=1", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/e/{YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch_popup?v={YT}", VideoRef(YOUTUBE, YT)),
    (
        f"https://consent.youtube.com/m?continue=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3D{YT}%26cbrd%3D1"
        "&gl=NL&m=0&pc=yt&cm=2&hl=en&src=1",
        VideoRef(YOUTUBE, YT),
    ),
    (
        f"https://consent.youtube.com/m?continue=https%3A%2F%2Fwww.youtube.com%2Flive%2F{YT}%3Fcbrd%3D1&gl=DE",
        VideoRef(YOUTUBE, YT),
    ),
    (YT, VideoRef(YOUTUBE, YT)),
    ("_-aZ09_-aZ0", VideoRef(YOUTUBE, "_-aZ09_-aZ0")),
    # TikTok
    (f"https://www.tiktok.com/@tjrobertson52/video/{TT}", VideoRef(TIKTOK, TT, handle="tjrobertson52")),
    (
        f"https://www.tiktok.com/@tjrobertson52/video/{TT}?is_from_webapp=1&sender_device=pc&web_id=7567123456789",
        VideoRef(TIKTOK, TT, handle="tjrobertson52"),
    ),
    (f"https://www.tiktok.com/@tjrobertson52/video/{TT}?_t=ZT-8tup5VLJ3V5&_r=1", VideoRef(TIKTOK, TT, handle="tjrobertson52")),
    (f"https://www.tiktok.com/@tjrobertson52/video/{TT}?lang=en", VideoRef(TIKTOK, TT, handle="tjrobertson52")),
    (f"https://www.tiktok.com/@scout.2015_x/photo/{TT}", VideoRef(TIKTOK, TT, handle="scout.2015_x")),
    (f"https://www.tiktok.com/@MS4wLjABAAAAv7iSuuXDJGDvJkmH_vz1qkDZYo1apxgzaxdBSeIuPiM/video/{TT}",
     VideoRef(TIKTOK, TT, handle="MS4wLjABAAAAv7iSuuXDJGDvJkmH_vz1qkDZYo1apxgzaxdBSeIuPiM")),
    (f"https://www.tiktok.com/@/video/{TT}", VideoRef(TIKTOK, TT)),
    (f"https://tiktok.com/@tjrobertson52/video/{TT}", VideoRef(TIKTOK, TT, handle="tjrobertson52")),
    (f"https://www.tiktok.com/share/video/{TT}/", VideoRef(TIKTOK, TT)),
    (f"https://www.tiktokv.com/share/video/{TT}/", VideoRef(TIKTOK, TT)),
    (f"https://www.tiktok.com/embed/{TT}", VideoRef(TIKTOK, TT)),
    (f"https://www.tiktok.com/embed/v2/{TT}", VideoRef(TIKTOK, TT)),
    (f"https://www.tiktok.com/player/v1/{TT}?music_info=1&description=1", VideoRef(TIKTOK, TT)),
    (f"https://m.tiktok.com/v/{TT}.html", VideoRef(TIKTOK, TT)),
    (f"https://m.tiktok.com/v/{TT}", VideoRef(TIKTOK, TT)),
    ("https://vm.tiktok.com/ZMhAbCdEf/", VideoRef(TIKTOK, None, short_url="https://vm.tiktok.com/ZMhAbCdEf/")),
    ("http://vm.tiktok.com/ZMhAbCdEf", VideoRef(TIKTOK, None, short_url="https://vm.tiktok.com/ZMhAbCdEf/")),
    ("https://VM.TIKTOK.COM/ZMhAbCdEf/", VideoRef(TIKTOK, None, short_url="https://vm.tiktok.com/ZMhAbCdEf/")),
    ("https://vt.tiktok.com/ZSe4FqkKd", VideoRef(TIKTOK, None, short_url="https://vt.tiktok.com/ZSe4FqkKd/")),
    ("https://www.tiktok.com/t/ZTRC5xgJp/", VideoRef(TIKTOK, None, short_url="https://www.tiktok.com/t/ZTRC5xgJp/")),
    ("https://tiktok.com/t/ZTRC5xgJp", VideoRef(TIKTOK, None, short_url="https://www.tiktok.com/t/ZTRC5xgJp/")),
    # Douyin
    (f"https://www.douyin.com/video/{DY}", VideoRef(DOUYIN, DY)),
    (f"https://douyin.com/video/{DY}?previous_page=app_code_link", VideoRef(DOUYIN, DY)),
    (f"https://www.douyin.com/note/{DY}", VideoRef(DOUYIN, DY)),
    (f"https://www.douyin.com/jingxuan?modal_id={DY}", VideoRef(DOUYIN, DY)),
    (f"https://www.douyin.com/user/MS4wLjABAAAAwJYnMkU3?from_tab_name=main&modal_id={DY}", VideoRef(DOUYIN, DY)),
    (f"https://www.douyin.com/discover?modal_id={DY}", VideoRef(DOUYIN, DY)),
    (
        f"https://www.iesdouyin.com/share/video/{DY}/?region=CN&mid=7535852460000000000&u_code=0&did=MS4w"
        "&iid=MS4w&with_sec_did=1&titleType=title&share_sign=abc&share_version=170400&ts=1762179137"
        "&from_aid=6383&from_ssr=1&from=web_code_link",
        VideoRef(DOUYIN, DY),
    ),
    (f"https://www.iesdouyin.com/share/note/{DY}/", VideoRef(DOUYIN, DY)),
    (f"https://www.iesdouyin.com/share/slides/{DY}/", VideoRef(DOUYIN, DY)),
    ("https://v.douyin.com/i5JpSdu8/", VideoRef(DOUYIN, None, short_url="https://v.douyin.com/i5JpSdu8/")),
    ("https://v.douyin.com/u-fCCopjutU/", VideoRef(DOUYIN, None, short_url="https://v.douyin.com/u-fCCopjutU/")),
    ("https://v.douyin.com/FAV7NYgWNuE", VideoRef(DOUYIN, None, short_url="https://v.douyin.com/FAV7NYgWNuE/")),
    # pasted share text: the first URL counts
    (
        "9.20 复制打开抖音，看看【央视新闻的作品】… https://v.douyin.com/i5JpSdu8/ Gic:/ o@q.EH 02/23",
        VideoRef(DOUYIN, None, short_url="https://v.douyin.com/i5JpSdu8/"),
    ),
    (
        "7.43 AbC:/ 03/15 https://v.douyin.com/ieccTV51/ 复制此链接，打开Dou音搜索，直接观看视频！",
        VideoRef(DOUYIN, None, short_url="https://v.douyin.com/ieccTV51/"),
    ),
    (f"看看这个https://www.douyin.com/video/{DY}，太好笑了", VideoRef(DOUYIN, DY)),
    (f"这个视频 https://youtu.be/{YT} 很好看", VideoRef(YOUTUBE, YT)),
    # links followed or wrapped by punctuation, as chat apps and spreadsheets paste them
    (f"看这个(https://youtu.be/{YT})", VideoRef(YOUTUBE, YT)),
    (f"Watch: https://www.youtube.com/watch?v={YT}.", VideoRef(YOUTUBE, YT)),
    (f"https://youtu.be/{YT})", VideoRef(YOUTUBE, YT)),
    (f"[https://youtu.be/{YT}]", VideoRef(YOUTUBE, YT)),
    (f"<https://www.youtube.com/shorts/{YT}>", VideoRef(YOUTUBE, YT)),
    (f'"https://www.youtube.com/watch?v={YT}"', VideoRef(YOUTUBE, YT)),
    (f"'https://youtu.be/{YT}'", VideoRef(YOUTUBE, YT)),
    (f"https://youtu.be/{YT}, https://youtu.be/yPYZpwSpKmA", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch?v={YT}!", VideoRef(YOUTUBE, YT)),
    (f"Seen https://youtu.be/{YT}?", VideoRef(YOUTUBE, YT)),
    (f"（https://youtu.be/{YT}）", VideoRef(YOUTUBE, YT)),
    (f"【https://www.youtube.com/watch?v={YT}】", VideoRef(YOUTUBE, YT)),
    (f"链接：https://youtu.be/{YT}。", VideoRef(YOUTUBE, YT)),
    (f"see:https://youtu.be/{YT}", VideoRef(YOUTUBE, YT)),
    (f"(https://www.tiktok.com/@tjrobertson52/video/{TT})", VideoRef(TIKTOK, TT, handle="tjrobertson52")),
    (f"https://www.tiktok.com/@tjrobertson52/video/{TT}！", VideoRef(TIKTOK, TT, handle="tjrobertson52")),
    ("(https://vm.tiktok.com/ZMhAbCdEf)", VideoRef(TIKTOK, None, short_url="https://vm.tiktok.com/ZMhAbCdEf/")),
    (f"https://www.douyin.com/video/{DY}。", VideoRef(DOUYIN, DY)),
    (f"「https://www.douyin.com/jingxuan?modal_id={DY}」", VideoRef(DOUYIN, DY)),
    ("抖音：https://v.douyin.com/i5JpSdu8/）", VideoRef(DOUYIN, None, short_url="https://v.douyin.com/i5JpSdu8/")),
    ("https://v.douyin.com/i5JpSdu8/),", VideoRef(DOUYIN, None, short_url="https://v.douyin.com/i5JpSdu8/")),
    # HTML escaping, once or more
    (f"https://www.youtube.com/watch?feature=share&amp;amp;v={YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch?feature=share&amp;amp;amp;v={YT}", VideoRef(YOUTUBE, YT)),
    # forms from yt-dlp's, NewPipe's and a Douyin downloader's test suites
    (f"https://youtube.googleapis.com/v/{YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/attribution_link?u=/watch%3Fv%3D{YT}%26feature%3Dshare", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/attribution_link?a=JdfC0C9V6ZI&u=%2Fwatch%3Fv%3D{YT}%26feature%3Dshare",
     VideoRef(YOUTUBE, YT)),
    (f"vnd.youtube:{YT}", VideoRef(YOUTUBE, YT)),
    (f"vnd.youtube://{YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/watch/{YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.youtube.com/w/{YT}", VideoRef(YOUTUBE, YT)),
    (f"https://www.douyin.com/user/MS4wLjABAAAAwJYnMkU3?vid={DY}", VideoRef(DOUYIN, DY)),
    (f"https://www.douyin.com/user/MS4wLjABAAAAwJYnMkU3?from_tab_name=main&vid={DY}", VideoRef(DOUYIN, DY)),
    (f"https://m.douyin.com/share/video/{DY}", VideoRef(DOUYIN, DY)),
]


@pytest.mark.parametrize(("text", "expected"), RECOGNISED, ids=[t[:70] for t, _ in RECOGNISED])
def test_recognised_url_forms(text, expected):
    """Every documented URL form maps to its platform, id, short link and handle."""
    actual = parse_video_url(text)

    assert expected == actual


REJECTED = [
    "",
    "   ",
    "\n\t",
    "hello",
    "not a url at all",
    "复制打开抖音，看看【作品】",
    f"https://example.com/watch?v={YT}",
    "https://vimeo.com/123456789",
    "https://www.bilibili.com/video/BV1xx411c7mD",
    "https://www.ixigua.com/7123456789012345678",
    "javascript:alert(1)",
    f"JavaScript:alert('https://youtube.com/watch?v={YT}')",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    f"ftp://youtube.com/watch?v={YT}",
    f"mailto:someone@youtube.com?v={YT}",
    f"https://youtube.com@evil.com/watch?v={YT}",
    f"https://www.youtube.com:443@evil.com/watch?v={YT}",
    f"https://user:pass@www.youtube.com/watch?v={YT}",
    f"https://evil.com\\@youtube.com/watch?v={YT}",
    f"https://youtube.com.evil.com/watch?v={YT}",
    f"https://www.youtube.com.evil.com/watch?v={YT}",
    f"https://evilyoutube.com/watch?v={YT}",
    f"https://notyoutu.be/{YT}",
    f"https://evil.com/#https://youtube.com/watch?v={YT}",
    f"https://evil.com/?u=https://youtu.be/{YT}",
    f"https://tiktok.com.evil.com/@a/video/{TT}",
    f"https://douyin.com.evil.com/video/{DY}",
    "https://www.youtube.com/clip/UgkxU2HSeGL_NvmDJ-nQJrlLwllwMDBdGZFs",
    "https://www.youtube.com/",
    "https://www.youtube.com/@RickAstleyYT",
    "https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw",
    "https://www.youtube.com/playlist?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
    "https://www.youtube.com/watch?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
    "https://www.youtube.com/watch?v=tooShort",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQQ",
    "https://www.youtube.com/embed/videoseries?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
    "https://www.youtube.com/embed/live_stream?channel=UCuAXFkgsw1L7xaCfnd5JJOw",
    "https://www.youtube-nocookie.com/embed/live_stream?channel=UCuAXFkgsw1L7xaCfnd5JJOw&autoplay=1",
    "vnd.youtube:live_stream",
    "live_stream",
    f"https://youtu.be/{YT}x",
    f"https://youtu.be/{YT}-",
    f"https://youtu.be/{YT}_(x)",
    f"https://www.youtube.com/watch?v={YT}0.",
    f"(https://www.youtube.com/shorts/{YT}abc)",
    "vnd.youtube:",
    "https://www.youtube.com/attribution_link?u=https%3A%2F%2Fevil.com%2Fwatch%3Fv%3DdQw4w9WgXcQ",
    "https://www.youtube.com/attribution_link?u=%2F%2Fevil.com%2Fwatch%3Fv%3DdQw4w9WgXcQ",
    "https://www.youtube.com/attribution_link?a=x",
    f"https://www.youtube.com/watch?feature=share&amp;amp;list={YT}",
    f"https://googleapis.com/v/{YT}",
    f"https://www.googleapis.com/youtube/v3/videos?id={YT}",
    f"evil.com/?u=https://youtu.be/{YT}",
    f"(evil.com/?u=https://youtu.be/{YT})",
    f"看 https://evil.com/redirect?to=https://youtu.be/{YT}",
    f"javascript:alert('https://youtu.be/{YT}') 看",
    "https://www.douyin.com/user/MS4wLjABAAAAwJYnMkU3?vid=abc",
    f"https://www.iesdouyin.com/share/user/MS4wLjABAAAAwJYnMkU3?vid={DY}",
    "https://youtu.be/",
    "https://consent.youtube.com/m?continue=https%3A%2F%2Fevil.com%2Fwatch%3Fv%3DdQw4w9WgXcQ",
    "https://consent.youtube.com/m?gl=NL",
    "https://www.tiktok.com/?_r=1",
    "https://www.tiktok.com/",
    "https://www.tiktok.com/@tjrobertson52",
    "https://www.tiktok.com/@tjrobertson52/video/notdigits",
    "https://www.tiktok.com/@tjrobertson52/live",
    "https://www.tiktok.com/tag/fyp",
    "https://vm.tiktok.com/",
    "https://www.douyin.com/",
    "https://www.douyin.com/user/MS4wLjABAAAAwJYnMkU3",
    "https://www.douyin.com/video/abc",
    "https://www.iesdouyin.com/share/user/MS4wLjABAAAAwJYnMkU3",
    "https://v.douyin.com/",
    "http://[::1",
    f"https://www.youtube.com:99999/watch?v={YT}",
    f"https:///watch?v={YT}",
    "localhost:8080",
    "dQw4w9WgXc",
]


@pytest.mark.parametrize("text", REJECTED, ids=[repr(t)[:60] for t in REJECTED])
def test_rejected_inputs_raise_invalid_video_url_with_a_chinese_reason(text):
    """Junk, other sites, unsafe schemes and non-video pages raise InvalidVideoURL with a Chinese reason."""
    with pytest.raises(InvalidVideoURL) as caught:
        parse_video_url(text)

    reason = str(caught.value)
    assert reason
    assert any("\u4e00" <= c <= "\u9fff" for c in reason)


def _readme_link_examples() -> list[tuple[str, str]]:
    """Return (platform column, example) for every example in docs/platforms.md's "Supported links" table."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "platforms.md").read_text(encoding="utf-8")
    section = text.split("## Supported links", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("| ") and "`" in line]
    return [(row[1].strip(), example) for row in rows for example in re.findall(r"`([^`]+)`", row[3])]


README_EXAMPLES = _readme_link_examples()
PLATFORM_NAMES = {"YouTube": YOUTUBE, "TikTok": TIKTOK, "Douyin": DOUYIN}


@pytest.mark.parametrize(("platform", "example"), README_EXAMPLES, ids=[e[:60] for _, e in README_EXAMPLES])
def test_every_example_in_the_readme_table_is_recognised(platform, example):
    """Each example of the supported-links table (docs/platforms.md) parses, to the platform its row names."""
    actual = parse_video_url(example)

    assert PLATFORM_NAMES[platform] == actual.platform


def test_readme_table_has_an_example_for_every_form():
    """The table is not empty: every platform has examples (at least 20 forms in all)."""
    assert {"YouTube", "TikTok", "Douyin"} == {platform for platform, _ in README_EXAMPLES}
    assert len(README_EXAMPLES) >= 20


def test_live_stream_embed_is_rejected_as_a_channel_live_slot():
    """/embed/live_stream?channel=… is a channel's live slot, not a video: refused like videoseries."""
    with pytest.raises(InvalidVideoURL) as caught:
        parse_video_url("https://www.youtube.com/embed/live_stream?channel=UCuAXFkgsw1L7xaCfnd5JJOw")

    assert "不是 YouTube 视频链接（频道直播入口 live_stream，不是具体视频）" == str(caught.value)


def test_unknown_site_reason_names_the_supported_platforms():
    """A link to another site says which platforms are supported."""
    with pytest.raises(InvalidVideoURL) as caught:
        parse_video_url("https://vimeo.com/123456789")

    assert "无法识别的视频链接：不是 YouTube / TikTok / 抖音 链接" == str(caught.value)


def test_clip_links_explain_that_clips_are_not_supported():
    """A YouTube clip link asks for the video link instead."""
    with pytest.raises(InvalidVideoURL) as caught:
        parse_video_url("https://www.youtube.com/clip/UgkxU2HSeGL_NvmDJ-nQJrlLwllwMDBdGZFs")

    assert "clip" in str(caught.value)
    assert "原视频" in str(caught.value)


def test_invalid_video_url_is_a_value_error_and_a_fetch_error():
    """Callers can catch InvalidVideoURL as ValueError or as the module's FetchError."""
    assert issubclass(InvalidVideoURL, ValueError)
    assert issubclass(InvalidVideoURL, FetchError)
    assert issubclass(CountParseError, ValueError)


def test_a_10kb_string_is_rejected_quickly():
    """Overlong input is rejected before any parsing work."""
    text = f"https://www.youtube.com/watch?v={YT}&x=" + "a" * 10_000
    started = time.perf_counter()

    with pytest.raises(InvalidVideoURL) as caught:
        parse_video_url(text)

    assert time.perf_counter() - started < 1  # microseconds; the bound holds on a loaded machine
    assert "2048" in str(caught.value)


def test_pathological_inputs_are_fast():
    """Inputs built to provoke regex backtracking still finish quickly."""
    texts = [
        "https://" + "a." * 1000,
        "1," * 1000,
        "https://www.tiktok.com/" + "@" * 2000,
        "看" * 2000 + "https://",
        "1 " * 100 + "x",
    ]
    started = time.perf_counter()

    for text in texts:
        with pytest.raises((InvalidVideoURL, CountParseError)):
            parse_video_url(text) if text[0] != "1" else parse_count(text)

    assert time.perf_counter() - started < 2  # milliseconds; backtracking would take minutes


def test_needs_resolution_is_true_only_for_unresolved_short_links():
    """A short link needs resolution; a ref with an id does not."""
    short = parse_video_url("https://vm.tiktok.com/ZMhAbCdEf/")
    direct = parse_video_url(f"https://www.tiktok.com/@a/video/{TT}")

    assert (True, False) == (short.needs_resolution, direct.needs_resolution)


# ---------------------------------------------------------------------------------------------
# Properties

ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"
SHORT_LINK_PREFIXES = ("https://vm.tiktok.com/", "https://vt.tiktok.com/", "https://www.tiktok.com/t/",
                       "https://v.douyin.com/")
SEGMENT = st.one_of(
    st.sampled_from(["@tjrobertson52", "@", "watch", "shorts", "live", "embed", "v", "v2", "player", "video",
                     "photo", "note", "share", "t", "clip", "user", YT, TT, DY, "ZMhAbCdEf", "..", "%2F", "@evil.com"]),
    st.text(alphabet=ID_ALPHABET + ".@%:", max_size=14),
)
QUERY_PAIR = st.tuples(
    st.sampled_from(["v", "modal_id", "continue", "list", "si", "t", "feature", "x"]),
    st.one_of(st.sampled_from([YT, DY, "https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3D" + YT, "https://evil.com/"]),
              st.text(alphabet=ID_ALPHABET + "%:/.", max_size=20)),
)
URLISH = st.builds(
    lambda scheme, userinfo, sub, host, port, segments, pairs, amp: (
        f"{scheme}{userinfo}{sub}{host}{port}/" + "/".join(segments)
        + ("?" + amp.join(f"{k}={v}" for k, v in pairs) if pairs else "")
    ),
    st.sampled_from(["https://", "http://", "HTTPS://", "//", "", "javascript:", "data:", "file://", "ftp://"]),
    st.sampled_from(["", "", "", "user@", "youtube.com@", "a:b@"]),
    st.sampled_from(["", "www.", "m.", "vm.", "vt.", "v.", "consent.", "music.", "evil."]),
    st.sampled_from(["youtube.com", "youtu.be", "tiktok.com", "tiktokv.com", "douyin.com", "iesdouyin.com",
                     "youtube-nocookie.com", "evil.com", "youtube.com.evil.com", "notyoutube.com"]),
    st.sampled_from(["", "", ":443", ":99999", ":x"]),
    st.lists(SEGMENT, max_size=4),
    st.lists(QUERY_PAIR, max_size=3),
    st.sampled_from(["&", "&amp;"]),
)
COUNTISH = st.builds(
    lambda sign, digits, groups, space, suffix, tail: sign + digits + "".join(groups) + space + suffix + tail,
    st.sampled_from(["", "", "-", "+", " ", "\u2212"]),
    st.integers(0, 10**13).map(str),
    st.lists(st.tuples(st.sampled_from([".", ",", " ", "\u00a0"]), st.integers(0, 9999)).map(lambda t: f"{t[0]}{t[1]}"), max_size=3),
    st.sampled_from(["", " "]),
    st.sampled_from(["", "k", "K", "kk", "m", "M", "b", "B", "w", "万", "亿", "x"]),
    st.sampled_from(["", " views", " likes", "获赞", " 2"]),
)


@PROPERTY
@given(st.text(max_size=300))
def test_parse_video_url_on_any_text_returns_a_ref_or_raises_invalid_video_url(text):
    """Any text gives a VideoRef or InvalidVideoURL, nothing else."""
    try:
        ref = parse_video_url(text)
    except InvalidVideoURL as exc:
        assert str(exc)
        return
    _check_ref(ref)


@PROPERTY
@given(URLISH)
def test_parse_video_url_on_urlish_text_returns_a_ref_or_raises_invalid_video_url(text):
    """URL-shaped text gives a well-formed VideoRef or InvalidVideoURL, nothing else."""
    try:
        ref = parse_video_url(text)
    except InvalidVideoURL as exc:
        assert str(exc)
        return
    _check_ref(ref)
    assert "evil" not in (ref.short_url or "")


def _check_ref(ref: VideoRef) -> None:
    """Assert the invariants every VideoRef keeps: ids and short codes only ever hold their alphabet."""
    assert ref.platform in (YOUTUBE, TIKTOK, DOUYIN)
    if ref.video_id is None:
        assert ref.short_url is not None
        prefix = next(p for p in SHORT_LINK_PREFIXES if ref.short_url.startswith(p))
        code = ref.short_url[len(prefix):]
        assert code.endswith("/")
        assert 1 <= len(code) - 1 <= 64 and set(code[:-1]) <= set(ID_ALPHABET)
    elif ref.platform == YOUTUBE:
        assert 11 == len(ref.video_id)
        assert set(ref.video_id) <= set(ID_ALPHABET)
        assert ref.video_id not in ("videoseries", "live_stream")
    else:
        assert 6 <= len(ref.video_id) <= 24
        assert set(ref.video_id) <= set("0123456789")


@PROPERTY
@given(st.text(alphabet=ID_ALPHABET, min_size=11, max_size=11).filter(lambda s: s not in ("videoseries", "live_stream")))
def test_every_youtube_form_of_an_id_gives_that_id(video_id):
    """Any 11-character id is recognised the same way in every YouTube URL form."""
    forms = [
        video_id,
        f"https://www.youtube.com/watch?v={video_id}",
        f"https://youtu.be/{video_id}?si=x",
        f"https://www.youtube.com/shorts/{video_id}",
        f"https://m.youtube.com/watch?feature=share&amp;v={video_id}",
        f"https://www.youtube-nocookie.com/embed/{video_id}",
    ]

    actual = {parse_video_url(form) for form in forms}

    assert {VideoRef(YOUTUBE, video_id)} == actual


@PROPERTY
@given(st.one_of(st.none(), st.integers(), st.floats(), st.booleans(), st.text(max_size=80)))
def test_parse_count_on_anything_returns_a_count_none_or_raises(value):
    """parse_count gives an int >= 0, None, or CountParseError, nothing else."""
    try:
        count = parse_count(value)
    except CountParseError:
        return
    assert count is None or (isinstance(count, int) and count >= 0)


@PROPERTY
@given(COUNTISH)
def test_parse_count_on_count_shaped_text_returns_a_count_or_raises(text):
    """Count-shaped text gives an int >= 0 or CountParseError, never another exception."""
    try:
        count = parse_count(text)
    except CountParseError:
        return
    assert isinstance(count, int) and count >= 0


@PROPERTY
@given(st.integers(min_value=0, max_value=10**15))
def test_parse_count_round_trips_plain_and_grouped_numbers(n):
    """Digits, comma-grouped and YouTube view text all read back as the same number."""
    actual = (parse_count(str(n)), parse_count(f"{n:,}"), parse_count(f"{n:,} views"), parse_count(n))

    assert (n, n, n, n) == actual


YOUTUBE_IDS = st.text(alphabet=ID_ALPHABET, min_size=11, max_size=11).filter(
    lambda s: s not in ("videoseries", "live_stream")
)
POST_IDS = st.text(alphabet="0123456789", min_size=6, max_size=24)
LINK_FORMS = st.one_of(
    st.tuples(st.just(YOUTUBE), YOUTUBE_IDS, st.sampled_from([
        "https://youtu.be/{}", "https://www.youtube.com/watch?v={}", "https://www.youtube.com/shorts/{}",
        "https://m.youtube.com/watch?feature=share&v={}", "https://www.youtube.com/live/{}",
        "HTTPS://www.youtube.com/embed/{}",
    ])),
    st.tuples(st.just(TIKTOK), POST_IDS, st.sampled_from([
        "https://www.tiktok.com/@tjrobertson52/video/{}", "https://www.tiktok.com/share/video/{}",
        "https://m.tiktok.com/v/{}", "http://www.tiktok.com/embed/v2/{}",
    ])),
    st.tuples(st.just(DOUYIN), POST_IDS, st.sampled_from([
        "https://www.douyin.com/video/{}", "https://www.douyin.com/jingxuan?modal_id={}",
        "https://www.iesdouyin.com/share/video/{}", "https://www.douyin.com/user/MS4w?vid={}",
    ])),
)
# what ends a word before a link: whitespace or full-width punctuation, maybe with an opening mark
BEFORE = st.tuples(
    st.sampled_from([" ", "\n", "\t", "：", "，", "。", "（", "【", "「", "“", "、"]),
    st.sampled_from(["", "(", "[", "<", '"', "'", "（", "("]),
).map("".join)
# what ends an id: ASCII or full-width punctuation, or whitespace
AFTER = st.sampled_from([
    ")", "]", ">", '"', "'", ",", "!", "?", ".", ";", ":", "。", "，", "！", "？", "）", "】", "」", "、",
    "；", "：", "…", "》", " ", "\n",
])
FREE_TEXT = st.text(max_size=30).filter(lambda t: "http" not in t.lower())


@PROPERTY
@given(FREE_TEXT, BEFORE, LINK_FORMS, st.one_of(st.just(""), st.tuples(AFTER, FREE_TEXT).map("".join)))
def test_a_link_inside_any_text_and_punctuation_gives_its_id(text_before, before, form, text_after):
    """A valid id in a link wrapped by text and punctuation is found, up to the first character outside its alphabet."""
    platform, video_id, template = form
    text = text_before + before + template.format(video_id) + text_after

    actual = parse_video_url(text)

    assert (platform, video_id) == (actual.platform, actual.video_id)


JUNK_AFTER = st.text(max_size=40) | st.text(alphabet=ID_ALPHABET + ").,!?&=%/#:", max_size=40)


@PROPERTY
@given(st.sampled_from([
    "https://youtu.be/", "https://www.youtube.com/watch?v=", "https://www.youtube.com/shorts/",
    "https://www.youtube.com/embed/", "vnd.youtube:", "https://www.youtube.com/attribution_link?u=/watch%3Fv%3D",
    "https://www.tiktok.com/@a/video/", "https://m.tiktok.com/v/", "https://vm.tiktok.com/",
    "https://www.douyin.com/video/", "https://www.douyin.com/user/x?vid=", "https://v.douyin.com/",
    "看 https://youtu.be/", "(https://www.douyin.com/jingxuan?modal_id=",
]), JUNK_AFTER)
def test_nothing_outside_an_id_alphabet_is_ever_returned_as_an_id(start, junk):
    """Whatever follows a link's fixed part, the id returned (if any) holds only its platform's id characters."""
    try:
        ref = parse_video_url(start + junk)
    except InvalidVideoURL as exc:
        assert str(exc)
        return
    _check_ref(ref)
