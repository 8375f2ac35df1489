"""TikHub bodies: its fetch_one_video answers for Douyin and TikTok, inside TikHub's response envelope."""

from __future__ import annotations

from fakes.pages.douyin import douyin_item


def _tikhub_envelope(video_id: str, router: str, data: dict) -> dict:
    """Return TikHub's ResponseModel around ``data`` (docs/platforms.md#tikhub)."""
    return {
        "code": 200,
        "request_id": "a1b2c3d4-e5f6-7890-abcd-ef0123456789",
        "message": "Request successful. This request will incur a charge.",
        "message_zh": "请求成功，本次请求将被计费。",
        "support": "Discord: https://discord.gg/aMEAS8Xsvz",
        "time": "2025-11-03 06:12:17",
        "time_stamp": 1762179137,
        "time_zone": "America/Los_Angeles",
        "docs": f"https://api.tikhub.io/#/{router}",
        "cache_message": "This request will be cached. You can access the cached result directly using the URL below, valid for 24 hours.",
        "cache_url": f"https://cache.tikhub.io/api/v1/cache/public/{video_id}",
        "router": router,
        "params": {"aweme_id": video_id},
        "data": data,
    }


def tikhub_response(
    video_id: str,
    views: int,
    likes: int,
    *,
    filtered: bool = False,
    filter_list_reason: int | None = None,
    is_delete: bool = False,
    private_status: int = 0,
) -> dict:
    """Return a TikHub ``/api/v1/douyin/web/fetch_one_video`` body wrapping Douyin's aweme/detail answer.

    A gone item: ``filtered`` (aweme_detail null + filter_detail), ``filter_list_reason`` (empty
    data with ``filter_list[0].reason``: 8 deleted or copyright-blocked, 5 private, 10 partly
    visible), or ``is_delete`` / ``private_status`` set in ``aweme_detail.status`` beside its
    last statistics.
    """
    if filtered:
        data = {
            "aweme_detail": None,
            "filter_detail": {"aweme_id": video_id, "filter_reason": "status_deleted", "detail_msg": "作品已删除"},
            "status_code": 0,
        }
    elif filter_list_reason is not None:
        data = {
            "aweme_detail": None,
            "filter_list": [{"aweme_id": video_id, "reason": filter_list_reason, "notice": ""}],
            "status_code": 0,
        }
    else:
        item = douyin_item(video_id, likes, views)
        item["status"].update(is_delete=is_delete, private_status=private_status)
        data = {"aweme_detail": item, "status_code": 0, "log_pb": {"impr_id": "2025110322121773D058"}}
    return _tikhub_envelope(video_id, "/api/v1/douyin/web/fetch_one_video", data)


def tikhub_tiktok_response(video_id: str, views: int, likes: int, *, gone: str | None = None) -> dict:
    """Return a TikHub ``/api/v1/tiktok/app/v3/fetch_one_video`` body (the TikTok app's aweme_detail).

    ``gone`` is None (the post with its statistics), "null" (aweme_detail null), "filtered"
    (aweme_detail null + filter_detail), "deleted" or "private" (``status`` flags beside the last
    statistics).
    """
    detail = {
        "aweme_id": video_id,
        "desc": "Digital marketing will be DEAD by 2027",
        "create_time": int(video_id) >> 32 if video_id.isdigit() else 1747171640,
        "region": "US",
        "author": {"uid": "7200957132317295659", "unique_id": "tjrobertson52", "nickname": "TJ Robertson",
                   "sec_uid": "MS4wLjABAAAA"},
        "video": {"duration": 251000, "width": 576, "height": 1024},
        "statistics": {
            "aweme_id": video_id, "play_count": views, "digg_count": likes, "comment_count": likes // 14,
            "share_count": likes // 2, "collect_count": likes, "download_count": 3, "repost_count": 0,
        },
        "status": {"aweme_id": video_id, "is_delete": gone == "deleted", "allow_share": True,
                   "private_status": 1 if gone == "private" else 0, "in_reviewing": False},
    }
    data: dict = {"aweme_detail": detail, "status_code": 0, "log_pb": {"impr_id": "20251103061217A1B2C3"}}
    if gone == "null":
        data["aweme_detail"] = None
    elif gone == "filtered":
        data["aweme_detail"] = None
        data["filter_detail"] = {"aweme_id": video_id, "filter_reason": "status_deleted",
                                 "detail_msg": "This post isn't available"}
    elif gone not in (None, "deleted", "private"):
        raise ValueError(f"unknown gone {gone!r}")
    return _tikhub_envelope(video_id, "/api/v1/tiktok/app/v3/fetch_one_video", data)
