"""Douyin bodies: the iesdouyin share page, the www.douyin.com RENDER_DATA page and the captcha page."""

from __future__ import annotations

import json
from urllib.parse import quote

from fakes.pages.filler import pad, script_json


def douyin_item(video_id: str, likes: int, views: int = 0) -> dict:
    """Return one ``item_list`` entry with integer statistics (play_count 0, as Douyin serves it)."""
    return {
        "aweme_id": video_id,
        "desc": "恐怖小狗《The Puppy》一命速通 #恐怖游戏 #steam",
        "create_time": int(video_id) >> 32 if video_id.isdigit() else 1754577401,
        "author": {"short_id": "45599235625", "nickname": "式子大王", "unique_id": "45599235625", "sec_uid": "MS4wLjABAAAAwJYnMkU3"},
        "video": {
            "play_addr": {"uri": "v0200fg10000d2abjffog65h5b4rsmng", "url_list": ["https://aweme.snssdk.com/aweme/v1/playwm/?video_id=v0200fg10000d2abjffog65h5b4rsmng&ratio=720p&line=0"]},
            "cover": {"uri": "tos-cn-i-dy/abc", "url_list": ["https://p3-sign.douyinpic.com/tos-cn-i-dy/abc~tplv-dy-resize-walign-adapt-aq:540:q75.webp"]},
            "duration": 352596,
        },
        "statistics": {
            "aweme_id": video_id, "comment_count": likes // 40, "digg_count": likes,
            "play_count": views, "share_count": likes // 15, "collect_count": likes // 3,
        },
        "status": {
            "aweme_id": video_id, "is_delete": False, "allow_share": True, "is_prohibited": False,
            "private_status": 0, "in_reviewing": False, "reviewed": 1, "self_see": False,
        },
        "aweme_type": 4,
        "images": None,
    }


def douyin_share_page(
    video_id: str,
    likes: int,
    *,
    size: int = 40_000,
    filtered: bool = False,
    filter_reason: str = "status_deleted",
    detail_msg: str = "因作品权限或已被删除，无法观看，去看看其他作品吧",
    note: bool = False,
) -> str:
    """Return an iesdouyin share page with ``window._ROUTER_DATA`` (``/`` escaped as ``\\u002F``).

    ``filtered`` empties ``item_list`` and adds a ``filter_list`` entry for the id; ``note``
    builds a 图文 page (``note_(id)/page`` with ``noteDetailRes``).
    """
    res = {
        "extra": {"logid": "202511032212173D058217B6CB452C34B1", "now": 1762179137769},
        "filter_list": [{"aweme_id": video_id, "filter_reason": filter_reason, "detail_msg": detail_msg}] if filtered else [],
        "is_oversea": 0,
        "item_list": [] if filtered else [douyin_item(video_id, likes)],
        "status_code": 0,
    }
    page_key, res_key = ("note_(id)/page", "noteDetailRes") if note else ("video_(id)/page", "videoInfoRes")
    router = {
        "loaderData": {
            "video_layout": None,
            page_key: {
                "ua": "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Mobile/15E148 Safari/604.1",
                "isSpider": False,
                "appName": "safari",
                "host": "www.iesdouyin.com",
                res_key: res,
                "itemId": video_id,
            },
        },
        "errors": None,
    }
    head = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1,user-scalable=no">'
        "<title>抖音</title>"
        f'<link rel="canonical" href="https://www.iesdouyin.com/share/{"note" if note else "video"}/{video_id}/">\n'
    )
    body = '</head><body><div id="root"></div>\n'
    # a real capture ends with "}</script>", no semicolon
    data = f'<script nonce="">window._ROUTER_DATA = {script_json(router, escape_slash=True)}</script>\n'
    tail = "</body></html>\n"
    return pad("douyin", size, [head, body, data, tail], head_share=0.7)


def douyin_render_data_page(
    video_id: str,
    likes: int,
    views: int = 0,
    *,
    size: int = 60_000,
    route_key: str = "41",
    detail: bool = True,
) -> str:
    """Return a www.douyin.com video page whose data is URL-encoded JSON in ``<script id="RENDER_DATA">``.

    The aweme sits under a numbered route key (``route_key``; "41", "C_19" … in public captures)
    as ``aweme.detail`` with camelCase ``stats``. ``detail=False`` leaves ``aweme.detail`` null.
    """
    aweme_detail = {
        "awemeId": video_id,
        "awemeType": 0,
        "desc": "恐怖小狗《The Puppy》一命速通 #恐怖游戏 #steam",
        "createTime": int(video_id) >> 32 if video_id.isdigit() else 1754577401,
        "authorInfo": {"uid": "45599235625", "secUid": "MS4wLjABAAAAwJYnMkU3", "nickname": "式子大王"},
        "video": {
            "playAddr": [{"src": "//v26-web.douyinvod.com/0c1d2e3f/video/tos/cn/tos-cn-ve-15/oQ1/?a=6383&ch=26"}],
            "cover": "//p3-pc-sign.douyinpic.com/tos-cn-i-dy/abc~tplv-dy-resize-origshort-autoq-75:330.jpeg",
            "duration": 352596,
        },
        "stats": {"commentCount": likes // 40, "diggCount": likes, "shareCount": likes // 15,
                  "playCount": views, "collectCount": likes // 3},
        "isPrivate": False,
    }
    data = {
        "1": {
            "ua": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0.0.0 Safari/537.36",
            "isClient": False, "isSpider": False, "webId": "7567123456789012345", "pathname": f"/video/{video_id}",
            "abTestData": {"searchLayout": 2, "commentLayout": 1},
        },
        route_key: {
            "awemeId": video_id,
            "aweme": {"statusCode": 0, "statusMsg": None, "detail": aweme_detail if detail else None},
            "comment": {"total": likes // 40, "hasMore": True},
        },
        "app": {"isLogin": False, "env": "prod", "videoTypeSelect": 1},
        "_location": f"/video/{video_id}",
    }
    # encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) as they are
    encoded = quote(json.dumps(data, ensure_ascii=False, separators=(",", ":")), safe="!~*'()")
    head = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="UTF-8">'
        "<title>恐怖小狗《The Puppy》一命速通 - 抖音</title>"
        f'<link rel="canonical" href="https://www.douyin.com/video/{video_id}">\n'
    )
    body = '</head><body><div id="root"></div>\n'
    script = f'<script id="RENDER_DATA" type="application/json">{encoded}</script>\n'
    tail = "</body></html>\n"
    return pad("douyin", size, [head, body, script, tail], head_share=0.7)


def douyin_challenge_page() -> str:
    """Return the WAF/captcha page iesdouyin serves instead of a share page (no ``_ROUTER_DATA``)."""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>验证码中间页</title>'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<script src="https://lf-cdn-tos.bytescm.com/obj/static/sec_sdk_build/4.0.1/captcha/index.js"></script>'
        "</head><body><div id=\"captcha_container\"></div>"
        "<script>window.__captcha_config={\"aid\":6383,\"region\":\"cn\",\"mode\":\"slide\"};"
        "TTGCaptcha.init(window.__captcha_config);</script></body></html>\n"
    )
