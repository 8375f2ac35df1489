"""The workload every benchmark scenario shares: the seeded tasks and what X2C must receive for them.

Also the fixed names the seeding, the pass and the verification agree on (the fake receiver, its
signing secret, the site name, the YouTube API key) and where the benchmark writes its output.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RECEIVER = "pool"
SECRET = "bench-webhook-secret"  # noqa: S105 - a fixed test secret
YOUTUBE_KEY = "bench-key"
SITE_NAME = "DramaRelayBot"

_YT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclasses.dataclass(frozen=True, slots=True)
class Task:
    """One seeded task and the stats entry X2C must receive for it."""

    external_task_id: int
    platform: str
    video_id: str
    video_url: str
    views: int | None
    likes: int
    project_id: str
    title: str
    duration: int

    def expected_entry(self) -> dict:
        """The stats entry the contract prescribes for this task (docs/webhook.md#the-body)."""
        entry = {"project_id": self.project_id, "task_id": self.external_task_id, "duration": self.duration,
                 "account_count": 0}
        if self.platform == "tiktok":
            entry.update(tt_account_count=0, tt_view_count=self.views, tt_like_count=self.likes)
        elif self.platform == "youtube":
            entry.update(yt_account_count=0, yt_view_count=self.views, yt_like_count=self.likes)
        else:  # Douyin: likes only, in the yt_* fields
            entry.update(yt_account_count=0, yt_like_count=self.likes)
        return entry

    def fake_video(self) -> dict:
        """The video as the fake upstream's control API takes it."""
        return {"platform": self.platform, "video_id": self.video_id, "views": self.views, "likes": self.likes}


def make_tasks(count: int, seed: int = 4) -> list[Task]:
    """`count` tasks, 50 % YouTube, 30 % TikTok, 20 % Douyin, interleaved, each with its own video."""
    rng = random.Random(seed)
    youtube_ids: set[str] = set()
    tasks = []
    for i in range(count):
        slot = i % 10
        external = 500_000 + i
        project = f"550e8400-e29b-41d4-a716-{446655440000 + i % 40:012d}"
        title = f"《基准短剧{i % 500}》第{i % 80 + 1}集"
        duration = 7 + i % 24
        likes = 1 + (i * 104_729) % 250_000
        views = likes + 1_000 + (i * 7_919) % 9_000_000
        if slot < 5:
            while True:
                video_id = "".join(rng.choice(_YT_ALPHABET) for _ in range(11))
                if video_id not in youtube_ids:
                    youtube_ids.add(video_id)
                    break
            url = (
                f"https://www.youtube.com/watch?v={video_id}",
                f"https://youtu.be/{video_id}?si=bench{i}",
                f"https://www.youtube.com/shorts/{video_id}",
                f"https://m.youtube.com/watch?v={video_id}&feature=share",
            )[i % 4]
            tasks.append(Task(external, "youtube", video_id, url, views, likes, project, title, duration))
        elif slot < 8:
            video_id = str(7_500_000_000_000_000_000 + i)
            handle = f"drama_{i % 97}"
            url = (
                f"https://www.tiktok.com/@{handle}/video/{video_id}",
                f"https://www.tiktok.com/@{handle}/video/{video_id}?is_from_webapp=1&sender_device=pc",
            )[i % 2]
            tasks.append(Task(external, "tiktok", video_id, url, views, likes, project, title, duration))
        else:
            video_id = str(7_350_000_000_000_000_000 + i)
            url = (
                f"https://www.douyin.com/video/{video_id}",
                f"https://www.iesdouyin.com/share/video/{video_id}/",
                f"7.93 复制打开抖音，看看【{title}】 https://www.douyin.com/video/{video_id} 02/23",
            )[i % 3]
            tasks.append(Task(external, "douyin", video_id, url, None, likes, project, title, duration))
    return tasks

