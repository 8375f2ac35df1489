"""Suspect counts in a pass shared by real processes: held back and confirmed as in one process."""

from __future__ import annotations

import pytest

import stats_broadcaster as sb
from tests.conftest import insert_task
from tests.unit.test_insight import TT, sent_counts_of  # noqa: F401 - the unit tests' fixtures and helpers


@pytest.mark.slow
def test_a_shared_pass_holds_back_and_confirms_alike(database, fake, fake_config):
    """PASS_WORKERS=2 (docs/architecture.md#a-pass-shared-by-several-processes): each video is judged by the process whose shard holds it, against the
    counts stored by the previous pass, so a collapse is held back and then confirmed as in one process."""
    fake.set_receiver("r")
    videos = {}
    for i in range(30):
        platform, video_id = ("youtube", f"v{i:09d}A") if i % 2 else ("tiktok", str(int(TT) + i))
        url = f"https://youtu.be/{video_id}" if i % 2 else f"https://www.tiktok.com/@u/video/{video_id}"
        task_id = insert_task(database, video_url=url, callback_url=fake.callback_url("r"))
        videos[task_id] = (platform, video_id, 100_000 + i, 1_000 + i)
        fake.add_video(platform, video_id, 100_000 + i, 1_000 + i)
    sb.broadcast_all_tasks(fake_config, database, trigger="cli")  # every video read once
    shared = fake_config.replace(pass_workers=2, webhook_concurrency=4, fetch_concurrency=4)
    fake.latency = 0.2  # long enough for the second process to take shards
    for platform, video_id, views, likes in videos.values():  # views and likes collapse to a hundredth
        fake.add_video(platform, video_id, views // 100, likes // 100)

    sent = []
    for _ in range(2):
        fake.clear_received()
        result = sb.broadcast_all_tasks(shared, database, trigger="cli")
        assert (30, 30) == (result["total"], result["success_count"])
        sent.append({record.json["stats"][0]["task_id"]: sent_counts_of(record.json["stats"][0])
                     for record in fake.received("r")})

    held, confirmed = sent
    assert {task_id: (views, likes) for task_id, (_, _, views, likes) in videos.items()} == held
    assert {task_id: (views // 100, likes // 100) for task_id, (_, _, views, likes) in videos.items()} == confirmed
    runners = database.fetch_all("SELECT run_id, COUNT(DISTINCT runner) AS n FROM broadcaster_shards GROUP BY run_id")
    assert all(2 == row["n"] for row in runners)
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_videos WHERE suspect_at IS NOT NULL")["n"]
