"""Whole passes through local forward proxies on loopback addresses in front of the fake upstream."""

from __future__ import annotations

import json

import stats_broadcaster as sb
from admin_api import create_app
from fakes.proxy import FakeProxy, FakeSocksProxy
from tests.conftest import ADMIN_TOKEN, insert_task

TT_IDS = [str(7504044860782021930 + i) for i in range(12)]
DY_ID = "7535852404919586100"


def tiktok_tasks(database, fake, ids=TT_IDS):
    fake.set_receiver("r")
    for i, video_id in enumerate(ids):
        fake.add_video("tiktok", video_id, 1000 + i, 100 + i)
        insert_task(database, video_url=f"https://www.tiktok.com/@u/video/{video_id}",
                    callback_url=fake.callback_url("r"), external_task_id=i)


def sent_counts(fake) -> dict[int, tuple]:
    entries = [entry for received in fake.received("r") for entry in received.json["stats"]]
    return {entry["task_id"]: (entry.get("tt_view_count"), entry.get("tt_like_count")) for entry in entries}


def egress_rows(database, platform="tiktok") -> dict[str, dict]:
    """The platform's stored egress states, by label."""
    rows = database.fetch_all("SELECT * FROM broadcaster_egress WHERE platform = %s", (platform,))
    return {row["label"]: row for row in rows}


def test_pages_spread_over_proxies_one_needs_credentials_one_starts_blocking(database, fake, fake_config):
    """Twelve TikTok pages over two proxies: the one with credentials is used with them, the one
    that starts blocking after 3 pages is benched, and every video is still read on the other."""
    tiktok_tasks(database, fake)
    with FakeProxy("127.0.0.2", username="egress-user", password="egress-pass-7") as private, \
            FakeProxy("127.0.0.3", block_after=3) as flaky:
        config = fake_config.replace(tiktok_proxies=(private.url, flaky.url), fetch_concurrency=1)

        result = sb.broadcast_all_tasks(config, database, trigger="cli")
        status = create_app(config, database=database).test_client().get(
            "/api/broadcaster/status", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()["data"]

    assert (12, 12) == (result["total"], result["success_count"])
    assert {i: (1000 + i, 100 + i) for i in range(12)} == sent_counts(fake)
    assert 0 == private.refused and private.requests >= 8  # always with its credentials
    assert 4 == flaky.requests  # 3 relayed, then blocked once and benched
    assert all("/tt/@" in path for path in private.paths + flaky.paths)  # pages only: no webhook, no API
    rows = egress_rows(database)
    flaky_label = f"http://127.0.0.3:{flaky.url.rsplit(':', 1)[1]}"
    assert rows[flaky_label]["benched_until"] is not None and rows[flaky_label]["bench_level"] == 1
    assert 1 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_egress_blocks")["n"]
    tiktok = [e for e in status["egresses"] if e["platform"] == "tiktok"]
    assert {"http://***@127.0.0.2", flaky_label.rsplit(":", 1)[0]} == {e["label"].rsplit(":", 1)[0] for e in tiktok}
    assert {"ready", "benched"} == {e["state"] for e in tiktok}
    assert "egress-pass-7" not in json.dumps(status) and "egress-user" not in json.dumps(status)
    freshness = status["last_run"]["freshness"]["tiktok"]
    assert (12, 12, 12) == (freshness["tasks"], freshness["refreshed"], freshness["videos"])
    assert freshness["max_age_s"] < 60


def test_a_proxy_that_cannot_connect_is_benched_and_direct_carries_on(database, fake, fake_config):
    """A dead proxy (nothing listens) is benched; the pages go direct."""
    tiktok_tasks(database, fake, TT_IDS[:4])
    config = fake_config.replace(tiktok_proxies=("http://127.0.0.4:9", "direct"), fetch_concurrency=1)

    result = sb.broadcast_all_tasks(config, database, trigger="cli")

    assert 4 == result["success_count"]
    rows = egress_rows(database)
    assert rows["http://127.0.0.4:9"]["benched_until"] is not None
    assert rows["direct"]["benched_until"] is None and rows["direct"]["pages_last_pass"] == 4


def test_socks5_egress(database, fake, fake_config):
    """socks5h:// with a user and password carries Douyin's pages."""
    fake.set_receiver("r")
    fake.add_video("douyin", DY_ID, None, 7007)
    insert_task(database, video_url=f"https://www.douyin.com/video/{DY_ID}", callback_url=fake.callback_url("r"))
    with FakeSocksProxy("127.0.0.5", username="sock", password="sock-pass-9") as socks_proxy:
        config = fake_config.replace(douyin_proxies=(socks_proxy.url("socks5h"),))

        result = sb.broadcast_all_tasks(config, database, trigger="cli")

    assert 1 == result["success_count"]
    assert 7007 == fake.received("r")[0].json["stats"][0]["yt_like_count"]
    assert socks_proxy.connections >= 1


def test_tiktok_falls_back_to_tikhub_when_its_pages_are_blocked(database, fake, fake_config):
    """TIKHUB_PLATFORMS with tiktok: a blocked egress leaves the videos to TikHub, within its share."""
    tiktok_tasks(database, fake, TT_IDS[:3])
    with FakeProxy("127.0.0.6", block_after=0) as blocked:
        config = fake_config.replace(tiktok_proxies=(blocked.url,), tikhub_api_key="tikhub-test-key",
                                     tikhub_platforms=("douyin", "tiktok"), tikhub_daily_requests=100_000)

        result = sb.broadcast_all_tasks(config, database, trigger="cli")

    assert 3 == result["success_count"]
    assert {i: (1000 + i, 100 + i) for i in range(3)} == sent_counts(fake)
    used = database.fetch_one("SELECT requests_used FROM broadcaster_tikhub_usage")["requests_used"]
    assert 3 == used
