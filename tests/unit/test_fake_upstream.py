"""Tests for fakes/upstream.py, the local fake of the platforms and X2C receivers."""

import hashlib
import hmac
import json
import time
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
import requests

from fakes.upstream import FakeUpstream
from tests.conftest import wait_until

YT_ID = "dQw4w9WgXcQ"
TT_ID = "7504044860782021930"
DY_ID = "7535852404919586100"


@pytest.fixture
def fake():
    with FakeUpstream() as server:
        yield server


def script_json(page: str, marker: str) -> dict:
    """Return the JSON object that follows ``marker`` in a page."""
    start = page.index("{", page.index(marker))
    return json.JSONDecoder().raw_decode(page, start)[0]


def api_get(fake, ids, key="k"):
    """Call the fake videos.list."""
    params = {"part": "statistics", "id": ",".join(ids), "key": key}
    return requests.get(fake.youtube_api_url + "/videos", params=params, timeout=5)


def test_youtube_api_lists_known_ids_and_leaves_out_the_rest(fake):
    """Known ids come back with string counts; hidden likes drop likeCount; dead ids are missing."""
    fake.add_video("youtube", YT_ID, views=1200, likes=34)
    fake.add_video("youtube", "hiddenLikes", views=10, likes=5, behaviour="hidden_likes")
    fake.add_video("youtube", "deletedVid0", views=10, likes=5, behaviour="deleted")
    fake.add_video("youtube", "privateVid0", views=10, likes=5, behaviour="private")

    answer = api_get(fake, [YT_ID, "hiddenLikes", "deletedVid0", "privateVid0", "neverSeen00"])

    assert answer.status_code == 200
    items = {item["id"]: item["statistics"] for item in answer.json()["items"]}
    assert items.keys() == {YT_ID, "hiddenLikes"}
    assert items[YT_ID]["viewCount"] == "1200" and items[YT_ID]["likeCount"] == "34"
    assert "likeCount" not in items["hiddenLikes"]


def test_youtube_api_errors(fake):
    """A quota id fails its whole batch with 403; no key is 403; over 50 ids is 400."""
    fake.add_video("youtube", YT_ID, views=1, likes=1)
    fake.add_video("youtube", "quotaVideo0", views=1, likes=1, behaviour="quota")

    quota = api_get(fake, [YT_ID, "quotaVideo0"])
    assert quota.status_code == 403
    assert quota.json()["error"]["errors"][0]["reason"] == "quotaExceeded"
    assert api_get(fake, [YT_ID], key="").status_code == 403
    assert api_get(fake, [f"id{i:09d}" for i in range(51)]).status_code == 400


def test_pages_carry_their_data(fake):
    """Watch, post and share pages are full-size HTML with the counts in their data JSON."""
    fake.add_video("youtube", YT_ID, views=1200, likes=34)
    fake.add_video("tiktok", TT_ID, views=71400, likes=1819)
    fake.add_video("douyin", DY_ID, likes=7007)

    with requests.Session() as session:
        yt = session.get(f"{fake.youtube_web_url}/watch?v={YT_ID}&hl=en&gl=US", timeout=5)
        tt = session.get(f"{fake.tiktok_web_url}/@_/video/{TT_ID}", timeout=5)
        dy = session.get(f"{fake.douyin_web_url}/share/video/{DY_ID}/", timeout=5)

    assert len(yt.content) > 300_000 and len(tt.content) > 150_000
    player = script_json(yt.text, "ytInitialPlayerResponse = ")
    assert player["playabilityStatus"]["status"] == "OK"
    assert player["videoDetails"] == {**player["videoDetails"], "videoId": YT_ID, "viewCount": "1200"}
    assert "like this video along with 34 other people" in yt.text
    item = script_json(tt.text, "__UNIVERSAL_DATA_FOR_REHYDRATION__")["__DEFAULT_SCOPE__"]["webapp.video-detail"]["itemInfo"]["itemStruct"]
    assert item["statsV2"]["playCount"] == "71400" and item["statsV2"]["diggCount"] == "1819"
    router = script_json(dy.text, "_ROUTER_DATA = ")
    assert router["loaderData"]["video_(id)/page"]["videoInfoRes"]["item_list"][0]["statistics"]["digg_count"] == 7007


def test_unknown_videos_read_as_unavailable(fake):
    """Unknown ids: YouTube ERROR "Video unavailable", TikTok 10204 deleted, Douyin filtered."""
    yt = requests.get(f"{fake.youtube_web_url}/watch?v=unknownVid0", timeout=5)
    tt = requests.get(f"{fake.tiktok_web_url}/@someone/video/123", timeout=5)
    dy = requests.get(f"{fake.douyin_web_url}/share/video/123/", timeout=5)

    status = script_json(yt.text, "ytInitialPlayerResponse = ")["playabilityStatus"]
    assert (status["status"], status["reason"]) == ("ERROR", "Video unavailable")
    detail = script_json(tt.text, "__UNIVERSAL_DATA_FOR_REHYDRATION__")["__DEFAULT_SCOPE__"]["webapp.video-detail"]
    assert detail["statusCode"] == 10204 and "status_deleted" in detail["statusMsg"]
    res = script_json(dy.text, "_ROUTER_DATA = ")["loaderData"]["video_(id)/page"]["videoInfoRes"]
    assert res["item_list"] == [] and res["filter_list"][0]["aweme_id"] == "123"


def test_tikhub_needs_a_bearer_key(fake):
    """TikHub answers 401 without a key and Douyin statistics with one."""
    fake.add_video("douyin", DY_ID, views=90000, likes=7007)
    url = f"{fake.tikhub_api_url}/api/v1/douyin/web/fetch_one_video?aweme_id={DY_ID}"

    assert requests.get(url, timeout=5).status_code == 401
    answer = requests.get(url, headers={"Authorization": "Bearer test-key"}, timeout=5)

    stats = answer.json()["data"]["aweme_detail"]["statistics"]
    assert (stats["play_count"], stats["digg_count"]) == (90000, 7007)


def test_broken_upstream_behaviours(fake):
    """429, 500, garbage, truncated, not_utf8, blocked and huge each look as they should."""
    for video_id, behaviour in enumerate(["http_429", "http_500", "garbage", "truncated", "not_utf8", "blocked"]):
        fake.add_video("tiktok", str(video_id), views=500, likes=20, behaviour=behaviour)
    fake.add_video("douyin", DY_ID, likes=7, behaviour="huge")

    def get(video_id):
        return requests.get(f"{fake.tiktok_web_url}/@_/video/{video_id}", timeout=5)

    limited = get(0)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert get(1).status_code == 500
    assert b"<" not in get(2).content
    with pytest.raises(ValueError):
        script_json(get(3).text, "__UNIVERSAL_DATA_FOR_REHYDRATION__")
    spoiled = get(4).content
    with pytest.raises(UnicodeDecodeError):
        spoiled.decode("utf-8")
    lenient = script_json(spoiled.decode("utf-8", "replace"), "__UNIVERSAL_DATA_FOR_REHYDRATION__")
    assert lenient["__DEFAULT_SCOPE__"]["webapp.video-detail"]["itemInfo"]["itemStruct"]["statsV2"]["playCount"] == "500"
    challenge = get(5)
    assert challenge.status_code == 200 and "__UNIVERSAL_DATA_FOR_REHYDRATION__" not in challenge.text
    huge = requests.get(f"{fake.tikhub_api_url}/api/v1/douyin/web/fetch_one_video?aweme_id={DY_ID}",
                        headers={"Authorization": "Bearer k"}, timeout=10)
    assert len(huge.content) >= 10_000_000 and huge.json()["data"]["aweme_detail"]["aweme_id"] == DY_ID


def test_trickle_never_finishes_within_a_read_timeout(fake):
    """A trickled page sends a byte every half second, so a short read timeout fires."""
    fake.add_video("tiktok", TT_ID, views=1, likes=1, behaviour="trickle")

    with pytest.raises(requests.RequestException):
        requests.get(f"{fake.tiktok_web_url}/@_/video/{TT_ID}", timeout=(2, 0.3))


def test_receiver_fail_once_then_ok_and_checks_the_signature(fake):
    """fail_once answers 500 to the first delivery of a webhook id and 200 to the retry."""
    fake.set_receiver("pool", "fail_once", secret="s3cret")
    body = json.dumps({"site_name": "DramaRelayBot", "stats": [{"task_id": 1, "title": "《短剧》"}]},
                      ensure_ascii=False).encode()
    signature = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Webhook-Id": "w-1", "X-Webhook-Signature": signature}

    first = requests.post(fake.callback_url("pool"), data=body, headers=headers, timeout=5)
    second = requests.post(fake.callback_url("pool"), data=body, headers=headers, timeout=5)

    assert (first.status_code, second.status_code) == (500, 200)
    assert second.json() == {"success": True}
    records = fake.received("pool")
    assert [r.status for r in records] == [500, 200]
    assert all(r.signature_ok for r in records)
    assert records[0].body == body and records[0].json["stats"][0]["title"] == "《短剧》"
    assert records[0].headers["X-WEBHOOK-ID"] == "w-1"


def test_receiver_redirect_is_not_followed_without_asking(fake):
    """redirect answers 302 to another receiver, which sees nothing unless the client follows."""
    fake.set_receiver("moved", "redirect")

    answer = requests.post(fake.callback_url("moved"), json={}, allow_redirects=False, timeout=5)

    assert answer.status_code == 302
    assert answer.headers["Location"] == fake.callback_url("moved-redirected")
    assert [r.name for r in fake.received()] == ["moved"]


def test_counters_and_peak_concurrency(fake):
    """Requests are counted per prefix, and overlapping ones raise the peak."""
    fake.add_video("douyin", DY_ID, likes=1)
    fake.latency = 1.0
    url = f"{fake.douyin_web_url}/share/video/{DY_ID}/"

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: requests.get(url, timeout=10).status_code, range(8)))

    assert answers == [200] * 8
    assert fake.request_counts()["dy"] == 8 and fake.peak_concurrency()["dy"] == 8
    # A handler leaves the in-flight count just after its answer is written, so the client can
    # return first: wait for the server side to settle before resetting.
    assert wait_until(lambda: fake.in_flight()["dy"] == 0, 5)
    fake.reset_counters()
    assert fake.request_counts()["dy"] == 0 and fake.peak_concurrency()["dy"] == 0


def test_keep_alive_reuses_one_connection(fake):
    """A session's requests all travel over one kept-alive connection."""
    fake.add_video("youtube", YT_ID, views=1, likes=1)

    with requests.Session() as session:
        for _ in range(20):
            assert session.get(f"{fake.youtube_web_url}/watch?v={YT_ID}", timeout=5).status_code == 200

    assert fake.connections_accepted() == 1


def test_stop_is_prompt_with_hanging_and_slow_requests_in_flight():
    """stop() returns within 2 s and cuts a hanging receiver and a 30 s slow page."""
    server = FakeUpstream().start()
    server.set_receiver("stuck", "hang")
    server.add_video("tiktok", TT_ID, views=1, likes=1, behaviour="slow")
    with ThreadPoolExecutor(2) as pool:
        calls = [
            pool.submit(requests.post, server.callback_url("stuck"), json={}, timeout=30),
            pool.submit(requests.get, f"{server.tiktok_web_url}/@_/video/{TT_ID}", timeout=30),
        ]
        assert server.wait_for(lambda: server.in_flight()["x2c"] == 1 and server.in_flight()["tt"] == 1)

        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 2
        done, _ = wait(calls, timeout=2)
    assert len(done) == 2
    assert all(isinstance(call.exception(), requests.ConnectionError) for call in calls)
    assert server.received("stuck")[0].status is None
    server.stop()  # a second stop does nothing


