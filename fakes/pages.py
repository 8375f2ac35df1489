"""Realistic YouTube / TikTok / Douyin page and API bodies for tests, the fake upstream and the benchmark.

Every builder is a pure function: it returns the HTML (``str``) or the decoded JSON (``dict``)
that the platform serves, shaped as ``/work/shared/reference/platforms.md`` describes, and pads
HTML with script/style/markup filler until the page is about ``size`` characters long. The
filler is generated once per platform and cached, so a builder call costs little more than
``json.dumps`` of the data plus one string join.
"""

from __future__ import annotations

import bisect
import json
import random
import threading
from urllib.parse import quote

__all__ = [
    "youtube_watch_page",
    "youtube_api_response",
    "youtube_api_error",
    "youtube_abbreviate",
    "tiktok_page",
    "tiktok_rounded",
    "tiktok_challenge_page",
    "tiktok_legacy_sigi_page",
    "douyin_share_page",
    "douyin_challenge_page",
    "tikhub_response",
    "tikhub_tiktok_response",
    "douyin_render_data_page",
]

_NONCE = "r4nd0mN0nc3Zx9Q"
_BOT_WALL = "Sign in to confirm you\u2019re not a bot"

# ---------------------------------------------------------------------------------------------
# Filler

_FILLER_LOCK = threading.Lock()
# kind -> (text, block end offsets); generated lazily, grown when a bigger page is asked for
_FILLER: dict[str, tuple[str, list[int]]] = {}

_WORDS = (
    "player", "masthead", "guide", "chips", "comments", "related", "shelf", "overlay", "endscreen",
    "miniplayer", "caption", "storyboard", "autoplay", "playlist", "thumbnail", "badge", "toast",
    "sidebar", "feed", "search", "banner", "avatar", "menu", "dialog", "tooltip", "spinner",
)
_HANZI = "推荐关注直播热点同城精选音乐游戏美食旅行知识体育科技动漫影视搞笑生活萌宠时尚汽车"


def _ident(rng: random.Random) -> str:
    """Return a plausible minified JS identifier."""
    return rng.choice("abcdefghijklmnopqrstuvwxyz_$") + "".join(
        rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(1, 5))
    )


def _flags(rng: random.Random, n: int) -> dict:
    """Return an experiment-flags style JSON object."""
    out = {}
    for _ in range(n):
        key = "_".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 4))) + f"_{rng.randint(0, 99)}"
        kind = rng.random()
        if kind < 0.4:
            out[key] = rng.random() < 0.5
        elif kind < 0.7:
            out[key] = rng.randint(0, 10_000_000)
        else:
            out[key] = f"{rng.getrandbits(32):08x}"
    return out


def _filler_block(kind: str, rng: random.Random) -> str:
    """Return one complete markup block (script, style, link or div) for a page of ``kind``."""
    roll = rng.random()
    if roll < 0.45:
        name, other = _ident(rng), _ident(rng)
        body = json.dumps(_flags(rng, rng.randint(10, 40)), separators=(",", ":"))
        return (
            f'<script nonce="{_NONCE}">(function(){{var {name}={body};'
            f"window.{other}=window.{other}||[];{other}.push({name});"
            f'if({name}.{rng.choice(_WORDS)})console.debug("{rng.choice(_WORDS)}");}})();</script>\n'
        )
    if roll < 0.65:
        rules = "".join(
            f".{rng.choice(_WORDS)}-{rng.choice(_WORDS)}{{display:{rng.choice(['flex', 'block', 'none'])};"
            f"margin:0 {rng.randint(0, 24)}px;color:#{rng.getrandbits(24):06x}}}"
            for _ in range(rng.randint(8, 30))
        )
        return f'<style nonce="{_NONCE}">{rules}</style>\n'
    if roll < 0.8:
        if kind == "youtube":
            href = f"https://www.youtube.com/s/desktop/{rng.getrandbits(32):08x}/jsbin/{rng.choice(_WORDS)}.vflset/{rng.choice(_WORDS)}.js"
        elif kind == "tiktok":
            href = f"https://sf16-website-login.neutral.ttwstatic.com/obj/tiktok_web_login_static/tiktok/webapp/main/webapp-desktop/{rng.getrandbits(40):010x}.js"
        else:
            href = f"https://lf3-cdn-tos.bytescm.com/obj/static/douyin_web/{rng.getrandbits(40):010x}/{rng.choice(_WORDS)}.js"
        return f'<link rel="preload" href="{href}" as="script" nonce="{_NONCE}">\n'
    if kind == "douyin":
        text = "".join(rng.choice(_HANZI) for _ in range(rng.randint(4, 40)))
    else:
        text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 40)))
    return f'<div class="{rng.choice(_WORDS)}-{rng.choice(_WORDS)}" data-{_ident(rng)}="{rng.randint(0, 999)}"><span>{text}</span></div>\n'


def _filler(kind: str, n: int) -> str:
    """Return exactly ``n`` characters of filler for ``kind``, cut at a block boundary and space-padded."""
    if n <= 0:
        return ""
    cached = _FILLER.get(kind)
    if cached is None or len(cached[0]) < n:
        with _FILLER_LOCK:
            cached = _FILLER.get(kind)
            if cached is None or len(cached[0]) < n:
                cached = _grow_filler(kind, n)
                _FILLER[kind] = cached
    text, ends = cached
    i = bisect.bisect_right(ends, n)
    cut = ends[i - 1] if i else 0
    return text[:cut] + " " * (n - cut)


_UNIQUE_FILLER = 1_500_000  # beyond this, blocks repeat: generating them costs more than it adds


def _grow_filler(kind: str, total: int) -> tuple[str, list[int]]:
    """Return at least ``total`` characters of filler, deterministic per ``kind``, with block end offsets."""
    rng = random.Random(f"pages-filler-{kind}")
    parts, ends, length = [], [], 0
    while length < _UNIQUE_FILLER:
        block = _filler_block(kind, rng)
        parts.append(block)
        length += len(block)
        ends.append(length)
    copies = max(1, -(-total // length))
    return "".join(parts) * copies, [end + k * length for k in range(copies) for end in ends]


def _pad(kind: str, size: int, parts: list[str], head_share: float = 0.6) -> str:
    """Join ``[head, core..., tail]`` and put filler after head and before tail to reach ``size``."""
    core_len = sum(len(p) for p in parts)
    room = max(0, size - core_len)
    before = int(room * head_share)
    return parts[0] + _filler(kind, before) + "".join(parts[1:-1]) + _filler(kind, room - before) + parts[-1]


def _script_json(obj: object, *, escape_slash: bool = False) -> str:
    """Serialise ``obj`` the way the platforms inline JSON into a <script> (no raw ``<``, ``>``, ``&``)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    if escape_slash:
        # TikTok and Douyin escape every "/" inside strings as \u002F, keys included
        text = text.replace("/", "\\u002F")
    return text


# ---------------------------------------------------------------------------------------------
# YouTube


def youtube_abbreviate(n: int) -> str:
    """Return YouTube's short form of a count: 999, 1.2K, 18K, 181K, 1.8M, 18M, 1.7B (truncated, not rounded)."""
    for unit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if n >= unit:
            if n < 10 * unit:
                tenths = n * 10 // unit
                whole, frac = divmod(tenths, 10)
                return f"{whole}.{frac}{suffix}" if frac else f"{whole}{suffix}"
            return f"{n // unit}{suffix}"
    return str(n)


def _youtube_player_response(
    video_id: str, views: int, likes_hidden: bool, playability: str, reason: str,
    with_details: bool | None = None, live: bool = False,
) -> dict:
    """Return ytInitialPlayerResponse for ``video_id`` with the given playability.

    ``with_details`` forces videoDetails and microformat in (True) or out (False) of any page;
    None keeps what each playability carries by default.
    """
    response = _youtube_playability(video_id, views, likes_hidden, playability, reason, live)
    if with_details is True and "videoDetails" not in response:
        described = _youtube_playability(video_id, views, likes_hidden, "OK", "", live)
        response["videoDetails"] = described["videoDetails"]
        response["microformat"] = described["microformat"]
    elif with_details is False:
        response.pop("videoDetails", None)
        response.pop("microformat", None)
    return response


def _youtube_playability(
    video_id: str, views: int, likes_hidden: bool, playability: str, reason: str, live: bool,
) -> dict:
    """Return ytInitialPlayerResponse with the playability's own default contents."""
    title = "Rick Astley - Never Gonna Give You Up (Official Video) (4K Remaster)"
    details = {
        "videoId": video_id,
        "title": title,
        "lengthSeconds": "213",
        "keywords": ["rick astley", "Never Gonna Give You Up", "nggyu", "rickroll"],
        "channelId": "UCuAXFkgsw1L7xaCfnd5JJOw",
        "isOwnerViewing": False,
        # strings inside the JSON may contain "};", which is why parsers must not regex to "};"
        "shortDescription": 'The official video for "Never Gonna Give You Up"}; var x = {"a": 1}; </script> & more',
        "isCrawlable": True,
        "thumbnail": {"thumbnails": [{"url": f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg?sqp=-oaymwE&rs=AOn4", "width": 480, "height": 360}]},
        "allowRatings": not likes_hidden,
        "viewCount": str(views),
        "author": "Rick Astley",
        "isPrivate": False,
        "isUnpluggedCorpus": False,
        "isLiveContent": live,
    }
    if live:
        details["isLive"] = True
    microformat = {
        "playerMicroformatRenderer": {
            "thumbnail": {"thumbnails": [{"url": f"https://i.ytimg.com/vi/{video_id}/maxresdefault.jpg", "width": 1280, "height": 720}]},
            "embed": {"iframeUrl": f"https://www.youtube.com/embed/{video_id}", "width": 1280, "height": 720},
            "title": {"simpleText": title},
            "lengthSeconds": "213",
            "ownerProfileUrl": "http://www.youtube.com/@RickAstleyYT",
            "externalChannelId": "UCuAXFkgsw1L7xaCfnd5JJOw",
            "isFamilySafe": True,
            "availableCountries": ["AD", "AE", "AF", "US", "ZW"],
            "isUnlisted": False,
            "hasYpcMetadata": False,
            "viewCount": str(views),
            "category": "Music",
            "publishDate": "2009-10-24T23:57:33-07:00",
            "uploadDate": "2009-10-24T23:57:33-07:00",
        }
    }
    response: dict = {
        "responseContext": {
            "serviceTrackingParams": [{"service": "GFEEDBACK", "params": [{"key": "logged_in", "value": "0"}]}],
            "mainAppWebResponseContext": {"loggedOut": True, "trackingParam": "kx_fmPxhoPZR"},
            "webResponseContextExtensionData": {"hasDecorated": True},
        },
        "trackingParams": "CAAQu2kiEwjR4PiN",
    }
    if playability == "OK":
        response["playabilityStatus"] = {
            "status": "OK",
            "playableInEmbed": True,
            "miniplayer": {"miniplayerRenderer": {"playbackMode": "PLAYBACK_MODE_ALLOW"}},
            "contextParams": "Q0FFU0FnZ0I=",
        }
        response["streamingData"] = {
            "expiresInSeconds": "21540",
            "formats": [{
                "itag": 18,
                "mimeType": 'video/mp4; codecs="avc1.42001E, mp4a.40.2"',
                "bitrate": 503571,
                "width": 640,
                "height": 360,
                "signatureCipher": "s=AOq0QJ8wRQIhAK&sp=sig&url=https://rr3---sn-4g5edndd.googlevideo.com/videoplayback?expire=1762200000&ei=abc",
            }],
        }
        response["videoDetails"] = details
        response["microformat"] = microformat
        return response
    if playability == "ERROR":
        text = reason or "Video unavailable"
        response["playabilityStatus"] = {
            "status": "ERROR",
            "reason": text,
            "errorScreen": {"playerErrorMessageRenderer": {
                "reason": {"simpleText": text},
                "subreason": {"runs": [{"text": "This video is no longer available because the YouTube account associated with this video has been terminated."}]},
                "icon": {"iconType": "ERROR_OUTLINE"},
            }},
            "contextParams": "Q0FFU0FnZ0I=",
        }
        return response
    if playability == "LOGIN_REQUIRED":
        text = reason or "This video is private."
        status = {
            "status": "LOGIN_REQUIRED",
            "reason": text,
            "errorScreen": {"playerErrorMessageRenderer": {
                "reason": {"runs": [{"text": text}]},
                "subreason": {"runs": [{"text": "This helps protect our community. "}, {"text": "Learn more"}]}
                if text == _BOT_WALL else {"simpleText": "If the owner of this video has granted you access, please sign in."},
                "proceedButton": {"buttonRenderer": {"style": "STYLE_PRIMARY", "text": {"simpleText": "Sign in"}}},
                "icon": {"iconType": "ERROR_OUTLINE"},
            }},
            "contextParams": "Q0FFU0FnZ0I=",
        }
        response["playabilityStatus"] = status
        if text.startswith("Sign in to confirm your age"):
            # age-gated pages still describe the video
            response["videoDetails"] = details
            response["microformat"] = microformat
        return response
    if playability == "UNPLAYABLE":
        text = reason or "Video unavailable"
        response["playabilityStatus"] = {
            "status": "UNPLAYABLE",
            "reason": text,
            "errorScreen": {"playerErrorMessageRenderer": {
                "reason": {"simpleText": text},
                "subreason": {"simpleText": "The uploader has not made this video available in your country"},
                "icon": {"iconType": "ERROR_OUTLINE"},
            }},
            "playableInEmbed": False,
            "contextParams": "Q0FFU0FnZ0I=",
        }
        response["videoDetails"] = details
        response["microformat"] = microformat
        return response
    raise ValueError(f"unknown playability {playability!r}")


def _youtube_like_button(likes: int | None) -> dict:
    """Return the segmentedLikeDislikeButtonViewModel (likes None = hidden by the owner)."""
    if likes is None:
        title, a11y = "Like", "I like this"
    else:
        title, a11y = youtube_abbreviate(likes), f"like this video along with {likes:,} other people"
    return {"segmentedLikeDislikeButtonViewModel": {
        "likeButtonViewModel": {"likeButtonViewModel": {
            "toggleButtonViewModel": {"toggleButtonViewModel": {
                "defaultButtonViewModel": {"buttonViewModel": {
                    "iconName": "LIKE",
                    "title": title,
                    "onTap": {"serialCommand": {"commands": [{"logGwsCommand": {}}]}},
                    "accessibilityText": a11y,
                    "style": "BUTTON_VIEW_MODEL_STYLE_MONO",
                    "trackingParams": "CN4CEKVBIhMI",
                    "isFullWidth": False,
                    "type": "BUTTON_VIEW_MODEL_TYPE_TONAL",
                    "buttonSize": "BUTTON_VIEW_MODEL_SIZE_DEFAULT",
                    "accessibilityId": "id.video.like.button",
                }},
                "toggledButtonViewModel": {"buttonViewModel": {
                    "iconName": "LIKE",
                    "title": youtube_abbreviate(likes + 1) if likes is not None else "Like",
                    "accessibilityText": "Unlike",
                }},
                "isToggled": False,
                "isTogglingDisabled": True,
            }},
            "likeStatusEntityKey": "Egtkc1F3OXdnWGNRIAEoAQ%3D%3D",
            "likeStatusEntity": {"key": "Egtkc1F3OXdnWGNRIAEoAQ%3D%3D", "likeStatus": "INDIFFERENT"},
        }},
        "dislikeButtonViewModel": {"dislikeButtonViewModel": {"toggleButtonViewModel": {"toggleButtonViewModel": {
            "defaultButtonViewModel": {"buttonViewModel": {"iconName": "DISLIKE", "title": "", "accessibilityText": "Dislike this video"}},
        }}}},
        "iconType": "LIKE_ICON_TYPE_UNKNOWN",
        "likeCountEntity": {"key": "unset_like_count_entity_key"},
        "dynamicLikeCountUpdateData": {"updateStatusKey": "like_count_update_status_key", "placeholderLikeCountValuesKey": "like_count_placeholder_values_key", "updateDelayLoopId": "like_count_update_delay_loop_id", "updateDelaySec": 5},
        "teasersOrderEntityKey": "Egtkc1F3OXdnWGNRIPQBKAE%3D",
    }}


def _youtube_toggle_like(likes: int | None) -> dict:
    """Return a 2020–2022 like toggleButtonRenderer (likes None = hidden by the owner)."""
    if likes is None:
        label, a11y, short, toggled = "I like this", "I like this", "Like", "Like"
    else:
        label = "No likes" if likes == 0 else ("1 like" if likes == 1 else f"{likes:,} likes")
        a11y = f"like this video along with {likes:,} other people"
        short = "Like" if likes == 0 else youtube_abbreviate(likes)
        toggled = youtube_abbreviate(likes + 1)
    return {"toggleButtonRenderer": {
        "style": {"styleType": "STYLE_TEXT"},
        "isToggled": False,
        "isDisabled": False,
        "defaultIcon": {"iconType": "LIKE"},
        "defaultText": {"accessibility": {"accessibilityData": {"label": label}}, "simpleText": short},
        "toggledText": {"accessibility": {"accessibilityData": {"label": f"{(likes or 0) + 1:,} likes"}},
                        "simpleText": toggled},
        "accessibility": {"label": a11y},
        "trackingParams": "CPEBEJhNGAciEwjm",
        "defaultTooltip": "I like this",
        "toggledTooltip": "Unlike",
        "toggledStyle": {"styleType": "STYLE_DEFAULT_ACTIVE"},
        "accessibilityData": {"accessibilityData": {"label": a11y}},
        "toggleButtonSupportedData": {"toggleButtonIdData": {"id": "TOGGLE_BUTTON_ID_TYPE_LIKE"}},
        "targetId": "watch-like",
    }}


def _youtube_toggle_dislike(dislikes: int) -> dict:
    """Return a 2020–2021 dislike toggleButtonRenderer, whose public count must never be read as likes."""
    return {"toggleButtonRenderer": {
        "style": {"styleType": "STYLE_TEXT"},
        "isToggled": False,
        "isDisabled": False,
        "defaultIcon": {"iconType": "DISLIKE"},
        "defaultText": {"accessibility": {"accessibilityData": {"label": f"{dislikes:,} dislikes"}},
                        "simpleText": youtube_abbreviate(dislikes)},
        "accessibility": {"label": f"dislike this video along with {dislikes:,} other people"},
        "defaultTooltip": "I dislike this",
        "accessibilityData": {"accessibilityData": {"label": f"dislike this video along with {dislikes:,} other people"}},
        "toggleButtonSupportedData": {"toggleButtonIdData": {"id": "TOGGLE_BUTTON_ID_TYPE_DISLIKE"}},
        "targetId": "watch-dislike",
    }}


def _youtube_like_buttons(likes: int | None, layout: str) -> list[dict]:
    """Return the like (and dislike) entries of topLevelButtons in one of the page layouts.

    "view_model" is today's segmentedLikeDislikeButtonViewModel; "segmented" the 2022
    segmentedLikeDislikeButtonRenderer; "toggle" the 2020–2021 bare toggle buttons, dislike count
    still public.
    """
    if layout == "view_model":
        return [_youtube_like_button(likes)]
    if layout == "segmented":
        dislike = {"toggleButtonRenderer": {"defaultIcon": {"iconType": "DISLIKE"},
                                            "defaultText": {"simpleText": "Dislike"},
                                            "accessibilityData": {"accessibilityData": {"label": "Dislike this video"}}}}
        return [{"segmentedLikeDislikeButtonRenderer": {
            "likeButton": _youtube_toggle_like(likes), "dislikeButton": dislike,
        }}]
    if layout == "toggle":
        return [_youtube_toggle_like(likes), _youtube_toggle_dislike(4_321)]
    raise ValueError(f"unknown like layout {layout!r}")


def _youtube_initial_data(
    video_id: str, views: int, likes: int | None, has_video: bool, like_layout: str = "view_model", live: bool = False,
) -> dict:
    """Return ytInitialData with the like button (and, on today's layout, the likeCountEntity mutation)."""
    if not has_video:
        contents = [{"itemSectionRenderer": {"contents": [{"backgroundPromoRenderer": {
            "title": {"runs": [{"text": "This video isn't available anymore"}]},
            "bodyText": {"runs": [{"text": ""}]},
        }}], "sectionIdentifier": "comment-item-section"}}]
        return {
            "responseContext": {"mainAppWebResponseContext": {"loggedOut": True}},
            "contents": {"twoColumnWatchNextResults": {"results": {"results": {"contents": contents}}}},
            "currentVideoEndpoint": {"watchEndpoint": {"videoId": video_id}},
            "trackingParams": "CAAQg2ciEwjR",
            "topbar": {"desktopTopbarRenderer": {"logo": {"topbarLogoRenderer": {"iconImage": {"iconType": "YOUTUBE_LOGO"}}}}},
        }
    view_text = "No views" if views == 0 else ("1 view" if views == 1 else f"{views:,} views")
    short_view = "No views" if views == 0 else f"{youtube_abbreviate(views)} views"
    renderer = {
        "viewCount": {"simpleText": view_text},
        "shortViewCount": {"simpleText": short_view},
        "originalViewCount": "0",
    }
    if live:
        # a live stream's view text counts the people watching now, not views
        renderer = {"viewCount": {"runs": [{"text": "1,234"}, {"text": " watching now"}]},
                    "shortViewCount": {"runs": [{"text": "1.2K"}, {"text": " watching now"}]},
                    "isLive": True}
    primary = {"videoPrimaryInfoRenderer": {
        "title": {"runs": [{"text": "Rick Astley - Never Gonna Give You Up (Official Video) (4K Remaster)"}]},
        "viewCount": {"videoViewCountRenderer": renderer},
        "videoActions": {"menuRenderer": {
            "items": [{"menuServiceItemRenderer": {"text": {"runs": [{"text": "Report"}]}, "icon": {"iconType": "FLAG"}}}],
            "trackingParams": "CN0CEMyrARgAIhMI",
            "topLevelButtons": [
                *_youtube_like_buttons(likes, like_layout),
                {"buttonViewModel": {"iconName": "SHARE", "title": "Share", "accessibilityText": "Share"}},
            ],
            "accessibility": {"accessibilityData": {"label": "More actions"}},
        }},
        "trackingParams": "CN0CEMyrARgAIhMI",
        "dateText": {"simpleText": "Oct 24, 2009"},
        "relativeDateText": {"simpleText": "16 years ago"},
    }}
    secondary = {"videoSecondaryInfoRenderer": {
        "owner": {"videoOwnerRenderer": {"title": {"runs": [{"text": "Rick Astley"}]}, "subscriberCountText": {"simpleText": "4.47M subscribers"}}},
        "attributedDescription": {"content": "The official video for \u201cNever Gonna Give You Up\u201d by Rick Astley."},
    }}
    mutations = [{
        "entityKey": "EgtkUXc0dzlXZ1hjUSA-KAE%3D",
        "type": "ENTITY_MUTATION_TYPE_REPLACE",
        "payload": {"engagementToolbarStateEntityPayload": {"key": "EgtkUXc0dzlXZ1hjUSA-KAE%3D", "likeState": "TOGGLE_STATE_OFF"}},
    }]
    if likes is not None and like_layout == "view_model":  # the like-count entity came with the view models
        mutations.append({
            "entityKey": "EgtkUXc0dzlXZ1hjUSBAKAE%3D",
            "type": "ENTITY_MUTATION_TYPE_REPLACE",
            "payload": {"likeCountEntity": {
                "key": "EgtkUXc0dzlXZ1hjUSBAKAE%3D",
                "likeCountIfLiked": {"content": youtube_abbreviate(likes + 1)},
                "likeCountIfDisliked": {"content": youtube_abbreviate(likes)},
                "likeCountIfIndifferent": {"content": youtube_abbreviate(likes)},
                "expandedLikeCountIfLiked": {"content": f"{likes + 1:,}"},
                "expandedLikeCountIfDisliked": {"content": f"{likes:,}"},
                "expandedLikeCountIfIndifferent": {"content": f"{likes:,}"},
                "likeCountLabel": {"content": "likes"},
                "likeButtonA11yText": {"content": f"like this video along with {likes:,} other people"},
                "likeCountIfLikedNumber": str(likes + 1),
                "likeCountIfDislikedNumber": str(likes),
                "likeCountIfIndifferentNumber": str(likes),
                "shouldExpandLikeCount": False,
                "sentimentFactoidA11yTextIfLiked": {"content": f"{youtube_abbreviate(likes + 1)} likes"},
                "sentimentFactoidA11yTextIfDisliked": {"content": f"{youtube_abbreviate(likes)} likes"},
            }},
        })
    return {
        "responseContext": {"mainAppWebResponseContext": {"loggedOut": True}},
        "contents": {"twoColumnWatchNextResults": {
            "results": {"results": {"contents": [primary, secondary], "trackingParams": "CNwCELovIhMI"}},
            "secondaryResults": {"secondaryResults": {"results": [{"compactVideoRenderer": {
                "videoId": "yPYZpwSpKmA",
                "title": {"simpleText": "Rick Astley - Together Forever (Official Video)"},
                "viewCountText": {"simpleText": "182,493,711 views"},
            }}]}},
        }},
        "currentVideoEndpoint": {"watchEndpoint": {"videoId": video_id}},
        "trackingParams": "CAAQg2ciEwjR",
        "frameworkUpdates": {"entityBatchUpdate": {"mutations": mutations, "timestamp": {"seconds": "1762200000", "nanos": 417000000}}},
    }


def youtube_watch_page(
    video_id: str,
    views: int = 1_734_567_890,
    likes: int | None = 18_123_456,
    *,
    size: int = 400_000,
    likes_hidden: bool = False,
    playability: str = "OK",
    reason: str = "",
    other_video_id: str | None = None,
    with_details: bool | None = None,
    like_layout: str = "view_model",
    live: bool = False,
) -> str:
    """Return a watch page for ``video_id`` about ``size`` characters long.

    ``playability`` is "OK", "ERROR" (default reason "Video unavailable"), "LOGIN_REQUIRED"
    (default "This video is private."; pass ``reason="Sign in to confirm you’re not a bot"`` for
    the bot wall or "Sign in to confirm your age" for the age gate) or "UNPLAYABLE" (geo block;
    still carries videoDetails). ``with_details`` puts videoDetails (with its counts) into any
    page, or takes it out. ``likes=None`` or ``likes_hidden=True`` hide the like count
    (allowRatings false). ``other_video_id`` puts another video's player response in the page.
    ``like_layout`` is "view_model" (today), "segmented" (2022) or "toggle" (2020–2021); ``live``
    makes the page a live stream's (the view text then counts people watching now).
    """
    hidden = likes_hidden or likes is None
    player = _youtube_player_response(other_video_id or video_id, views, hidden, playability, reason, with_details, live)
    described = playability == "OK" or bool(with_details)
    data = _youtube_initial_data(video_id, views, None if hidden else likes, described, like_layout, live)
    meta = ""
    if "videoDetails" in player:
        meta = (
            f'<meta itemprop="name" content="Rick Astley - Never Gonna Give You Up (Official Video)">'
            f'<meta itemprop="interactionCount" content="{views}">'
            f'<meta itemprop="videoId" content="{other_video_id or video_id}">'
        )
    head = (
        '<!DOCTYPE html><html style="font-size: 10px;font-family: Roboto, Arial, sans-serif;" lang="en" '
        'darker-dark-theme darker-dark-theme-deprecate system-icons typography typography-spacing><head>'
        '<meta http-equiv="origin-trial" content="AymqwRC7u88Y4JPvfIF2F37QKylC04248hLCdJAsh8xgOfe/dVJPV3XS3wLFca1ZMVOtnBfVjaCMTVudWM//5g4AAAB7eyJvcmlnaW4iOiJodHRwczovL3d3dy55b3V0dWJlLmNvbTo0NDMifQ==">'
        f'<script data-id="_gd" nonce="{_NONCE}">window.WIZ_global_data = {{"HiPsbb":0,"MUE6Ne":"youtube_web","MuJWjd":false}};</script>'
        f'<title>Rick Astley - Never Gonna Give You Up (Official Video) - YouTube</title>'
        f'<link rel="canonical" href="https://www.youtube.com/watch?v={video_id}">{meta}\n'
    )
    player_script = (
        f'</head><body dir="ltr"><div id="watch7-content" class="watch-main-col" itemscope itemid="" itemtype="http://schema.org/VideoObject">'
        f'<link itemprop="url" href="https://www.youtube.com/watch?v={video_id}"></div>\n'
        f'<script nonce="{_NONCE}">var ytInitialPlayerResponse = {_script_json(player)};'
        "var meta = document.createElement('meta'); meta.name = 'referrer'; meta.content = 'origin-when-cross-origin';"
        " document.getElementsByTagName('head')[0].appendChild(meta);</script>\n"
    )
    data_script = (
        f'<script nonce="{_NONCE}">var ytInitialData = {_script_json(data)};</script>'
        f"<script nonce=\"{_NONCE}\">if (window.ytcsi) {{window.ytcsi.tick('pdr', null, '');}}</script>\n"
    )
    tail = "</body></html>\n"
    return _pad("youtube", size, [head, player_script, data_script, tail], head_share=0.55)


def youtube_api_response(items: dict[str, tuple[int, int | None]]) -> dict:
    """Return a videos.list body with one item per ``id -> (views, likes or None)`` in the given order."""
    body_items = []
    for video_id, (views, likes) in items.items():
        stats = {"viewCount": str(views)}
        if likes is not None:
            stats["likeCount"] = str(likes)
        stats["favoriteCount"] = "0"
        stats["commentCount"] = str(views // 700)
        body_items.append({"kind": "youtube#video", "etag": f"Ab2{video_id[:6]}xyz", "id": video_id, "statistics": stats})
    return {
        "kind": "youtube#videoListResponse",
        "etag": "Xy1Qm9lZVZ3b2RhcA",
        "items": body_items,
        "pageInfo": {"totalResults": len(body_items), "resultsPerPage": len(body_items)},
    }


_API_ERRORS = {
    # reason -> (message, errors[].domain, errors[].reason, details[].reason or None, status or None)
    "quotaExceeded": (
        'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
        "youtube.quota", "quotaExceeded", None, None,
    ),
    "dailyLimitExceeded": ("Daily Limit Exceeded.", "usageLimits", "dailyLimitExceeded", None, None),
    "API_KEY_INVALID": (
        "API key not valid. Please pass a valid API key.", "global", "badRequest", "API_KEY_INVALID", "INVALID_ARGUMENT",
    ),
    "keyInvalid": ("Bad Request", "usageLimits", "keyInvalid", None, None),
    "accessNotConfigured": (
        "YouTube Data API v3 has not been used in project 123456789 before or it is disabled.",
        "usageLimits", "accessNotConfigured", "SERVICE_DISABLED", "PERMISSION_DENIED",
    ),
    "forbidden": (
        "Requests from this referer are blocked.", "global", "forbidden", "API_KEY_HTTP_REFERRER_BLOCKED", "PERMISSION_DENIED",
    ),
    "rateLimitExceeded": ("Rate Limit Exceeded", "usageLimits", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED"),
    "backendError": ("Backend Error", "global", "backendError", None, None),
    "missingRequiredParameter": ("No filter selected. Expected one of: id, myRating, chart", "youtube.parameter", "missingRequiredParameter", None, None),
}


def youtube_api_error(reason: str = "quotaExceeded", code: int = 403) -> dict:
    """Return a Data API error body; ``reason`` is an errors[].reason or "API_KEY_INVALID" for the current bad-key form."""
    message, domain, errors_reason, details_reason, status = _API_ERRORS.get(
        reason, (f"Error: {reason}", "global", reason, None, None)
    )
    error: dict = {"code": code, "message": message, "errors": [{"message": message, "domain": domain, "reason": errors_reason}]}
    if status:
        error["status"] = status
    if details_reason:
        error["details"] = [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": details_reason,
            "domain": "googleapis.com",
            "metadata": {"service": "youtube.googleapis.com"},
        }]
    return {"error": error}


# ---------------------------------------------------------------------------------------------
# TikTok


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
        f"{_script_json(universal, escape_slash=True)}</script>\n"
    )
    tail = "</body></html>\n"
    return _pad("tiktok", size, [head, body, data, tail], head_share=0.8)


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
    data = f'<script id="SIGI_STATE" type="application/json">{_script_json(sigi, escape_slash=True)}</script>\n'
    tail = "</body></html>\n"
    return _pad("tiktok", size, [head, body, data, tail], head_share=0.8)


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
        f'<script nonce="{_NONCE}">(function(){{var c=document.getElementById("cs").className;'
        "/* solve and reload */setTimeout(function(){location.reload()},1500)})();</script>"
        "</body></html>\n"
    )


# ---------------------------------------------------------------------------------------------
# Douyin


def _douyin_item(video_id: str, likes: int, views: int = 0) -> dict:
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
        "item_list": [] if filtered else [_douyin_item(video_id, likes)],
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
    data = f'<script nonce="">window._ROUTER_DATA = {_script_json(router, escape_slash=True)}</script>\n'
    tail = "</body></html>\n"
    return _pad("douyin", size, [head, body, data, tail], head_share=0.7)


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
    return _pad("douyin", size, [head, body, script, tail], head_share=0.7)


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


def _tikhub_envelope(video_id: str, router: str, data: dict) -> dict:
    """Return TikHub's ResponseModel around ``data`` (freshness.md §1)."""
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
        item = _douyin_item(video_id, likes, views)
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
