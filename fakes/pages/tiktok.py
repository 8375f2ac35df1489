"""TikTok bodies: today's post page, the 2022–2024 SIGI_STATE page and the proof-of-work challenge page."""

from __future__ import annotations

from fakes.pages.filler import NONCE, pad, script_json


def tiktok_rounded(n: int) -> int:
    """Return the rounded value TikTok puts in ``stats`` (1776621 -> 1800000, 22609 -> 22600, 1819 -> 1819)."""
    # matches the public stats/statsV2 pairs: exact below 10K, then one decimal of K/M/B
    if n < 10_000:
        return n
    step = 100 if n < 1_000_000 else 100_000 if n < 1_000_000_000 else 100_000_000
    return (n + step // 2) // step * step


def _tiktok_item(video_id: str, views: int, likes: int, stats_v2: bool, rounded: bool) -> dict:
    """Return itemStruct with stats (maybe rounded) and statsV2 (exact strings)."""
    exact = {"diggCount": likes, "shareCount": likes // 20, "commentCount": likes // 14, "playCount": views, "collectCount": likes // 9}
    stats = {k: tiktok_rounded(v) if rounded else v for k, v in exact.items()}
    item = {
        "id": video_id,
        "desc": "Digital marketing will be DEAD by 2027 \U0001f480 #marketing #ai",
        "createTime": str(int(video_id) >> 32) if video_id.isdigit() else "1747171640",
        "scheduleTime": 0,
        "video": {
            "id": video_id, "height": 1024, "width": 576, "duration": 251, "ratio": "540p",
            "cover": "https://p16-sign-va.tiktokcdn.com/tos-maliva-p-0068/abc~tplv-tiktokx-cropcenter:300:400.jpeg?x-expires=1762300000&x-signature=abc",
            "playAddr": "https://v16-webapp-prime.tiktok.com/video/tos/useast2a/tos-useast2a-pve-0068/abc/?a=1988&bti=ODszNWYuMDE6&ch=0&cr=3&dr=0",
            "format": "mp4",
        },
        "author": {"id": "7200957132317295659", "uniqueId": "tjrobertson52", "nickname": "TJ Robertson", "secUid": "MS4wLjABAAAAx7Qm", "verified": False},
        "music": {"id": "7504044866104298283", "title": "original sound - tjrobertson52", "original": True},
        "challenges": [{"id": "5050", "title": "marketing"}],
        "stats": stats,
        "isAd": False,
        "itemCommentStatus": 0,
        "duetEnabled": True,
        "stitchEnabled": True,
        "shareEnabled": True,
    }
    if stats_v2:
        item["statsV2"] = {k: str(v) for k, v in exact.items()} | {"repostCount": "0"}
    return item


def tiktok_page(
    video_id: str,
    views: int,
    likes: int,
    *,
    size: int = 200_000,
    status_code: int = 0,
    status_msg: str = "",
    stats_v2: bool = True,
    rounded: bool = True,
) -> str:
    """Return a TikTok post page with ``__UNIVERSAL_DATA_FOR_REHYDRATION__``, about ``size`` characters long.

    A non-zero ``status_code`` (10204, 10216, 10222, 10231, ...) leaves out ``itemInfo`` as the
    real page does. ``rounded`` rounds ``stats`` like TikTok; ``statsV2`` is always exact.
    """
    detail: dict = {"statusCode": status_code, "statusMsg": status_msg}
    if status_code == 0:
        detail = {
            "itemInfo": {"itemStruct": _tiktok_item(video_id, views, likes, stats_v2, rounded)},
            "shareMeta": {"title": "TJ Robertson on TikTok", "desc": f"{likes} Likes, {likes // 14} Comments. TikTok video from TJ Robertson"},
            "statusCode": 0,
            "statusMsg": status_msg,
        }
    universal = {"__DEFAULT_SCOPE__": {
        "webapp.app-context": {"language": "en", "region": "US", "appId": 1988, "user": {}, "wid": "7567123456789012345", "abTestVersion": {"versionName": "70508271,72437276"}},
        "webapp.biz-context": {"os": "windows", "isMobile": False, "renderServerTime": 1762200000123},
        "seo.abtest": {"canonical": f"https://www.tiktok.com/@tjrobertson52/video/{video_id}", "pageId": video_id, "vidList": []},
        "webapp.video-detail": detail,
        "webapp.a-b": {"parameters": {"webapp_login_prompt": {"vid": "74039591"}}},
    }}
    head = (
        '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/>'
        '<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1,minimum-scale=1"/>'
        "<title>TJ Robertson on TikTok | TikTok</title>"
        f'<link rel="canonical" href="https://www.tiktok.com/@tjrobertson52/video/{video_id}"/>\n'
    )
    body = '</head><body><div id="app"><div class="css-1bxdasz-DivBodyContainer"></div></div>\n'
    data = (
        f'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">'
        f"{script_json(universal, escape_slash=True)}</script>\n"
    )
    tail = "</body></html>\n"
    return pad("tiktok", size, [head, body, data, tail], head_share=0.8)


def tiktok_legacy_sigi_page(
    video_id: str,
    views: int,
    likes: int,
    *,
    size: int = 200_000,
    status_code: int = 0,
    rounded: bool = True,
) -> str:
    """Return a 2022–2024 style TikTok page with ``<script id="SIGI_STATE">`` (stats at ItemModule[id].stats)."""
    item_module = {}
    if status_code == 0:
        item = _tiktok_item(video_id, views, likes, stats_v2=False, rounded=rounded)
        item_module[video_id] = item
    sigi = {
        "AppContext": {"appContext": {"language": "en", "region": "US"}},
        "SEO": {"metaParams": {"canonicalHref": f"https://www.tiktok.com/@tjrobertson52/video/{video_id}"}},
        "ItemModule": item_module,
        "VideoPage": {"statusCode": status_code, "statusMsg": ""},
        "UserModule": {"users": {"tjrobertson52": {"uniqueId": "tjrobertson52", "nickname": "TJ Robertson"}}},
    }
    head = '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><title>TikTok</title>\n'
    body = '</head><body><div id="app"></div>\n'
    data = f'<script id="SIGI_STATE" type="application/json">{script_json(sigi, escape_slash=True)}</script>\n'
    tail = "</body></html>\n"
    return pad("tiktok", size, [head, body, data, tail], head_share=0.8)


def tiktok_challenge_page() -> str:
    """Return TikTok's small JS proof-of-work challenge page (no rehydration data)."""
    challenge = "eyJ2IjoxLCJhIjoic2hhMjU2IiwiYyI6IjdmM2E5YjFjIiwiZCI6MTh9"  # base64 of a small JSON
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="robots" content="noindex">'
        "<title>Please wait...</title></head><body>"
        f'<div id="cs" class="{challenge}" style="display:none"></div>'
        '<div id="wci" class="_wafchallengeid" style="display:none"></div>'
        '<div id="rci" class="waforiginalreid" style="display:none"></div>'
        '<div id="rs" class="f0c1d2e3a4b5" style="display:none"></div>'
        "<p>Please wait...</p>"
        f'<script nonce="{NONCE}">(function(){{var c=document.getElementById("cs").className;'
        "/* solve and reload */setTimeout(function(){location.reload()},1500)})();</script>"
        "</body></html>\n"
    )
