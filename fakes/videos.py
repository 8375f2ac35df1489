"""The videos a fake upstream knows: what one is, and the checks on one added by a test or the control API."""

from __future__ import annotations

from dataclasses import dataclass

PLATFORMS = ("youtube", "tiktok", "douyin")
VIDEO_BEHAVIOURS = frozenset({
    "ok", "hidden_likes", "deleted", "private", "blocked", "http_429", "http_500", "garbage",
    "not_utf8", "huge", "truncated", "slow", "trickle", "quota",
})


@dataclass(frozen=True, slots=True)
class Video:
    """One fake video: its counts and how the fake misbehaves for it."""

    platform: str
    video_id: str
    views: int | None = None
    likes: int | None = None
    behaviour: str = "ok"
    size: int | None = None


def checked_video(platform: str, video_id: str, views: int | None, likes: int | None,
                  behaviour: str, size: int | None) -> Video:
    """Return a Video after checking its fields, or raise ValueError."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}")
    if behaviour not in VIDEO_BEHAVIOURS:
        raise ValueError(f"unknown video behaviour {behaviour!r}")
    if not video_id:
        raise ValueError("empty video id")
    for label, count in (("views", views), ("likes", likes), ("size", size)):
        if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
            raise ValueError(f"{label} must be a non-negative int or None, not {count!r}")
    return Video(platform, video_id, views, likes, behaviour, size)


def video_kwargs(item: dict) -> dict:
    """Return add_video keywords from a video dict ("id" is accepted for "video_id")."""
    item = dict(item)
    if "id" in item and "video_id" not in item:
        item["video_id"] = item.pop("id")
    item["video_id"] = str(item["video_id"])
    item.setdefault("views", None)
    item.setdefault("likes", None)
    item.setdefault("behaviour", "ok")
    item.setdefault("size", None)
    return item
