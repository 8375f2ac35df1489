"""YouTube bodies: the watch page (ytInitialPlayerResponse, ytInitialData); its like buttons are in
`youtube_likes`, the Data API's answers in `youtube_api`."""

from __future__ import annotations

from fakes.pages.filler import NONCE, pad, script_json
from fakes.pages.youtube_likes import youtube_abbreviate, youtube_like_buttons

# the reason YouTube gives when it takes the client for a bot
BOT_WALL = "Sign in to confirm you\u2019re not a bot"



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
        response.update(_youtube_video_details(video_id, views, likes_hidden, live))
    elif with_details is False:
        response.pop("videoDetails", None)
        response.pop("microformat", None)
    return response


def _youtube_playability(
    video_id: str, views: int, likes_hidden: bool, playability: str, reason: str, live: bool,
) -> dict:
    """Return ytInitialPlayerResponse with the playability's own default contents."""
    status, described = _youtube_playability_status(playability, reason)
    response: dict = {
        "responseContext": {
            "serviceTrackingParams": [{"service": "GFEEDBACK", "params": [{"key": "logged_in", "value": "0"}]}],
            "mainAppWebResponseContext": {"loggedOut": True, "trackingParam": "kx_fmPxhoPZR"},
            "webResponseContextExtensionData": {"hasDecorated": True},
        },
        "trackingParams": "CAAQu2kiEwjR4PiN",
        "playabilityStatus": status,
    }
    if playability == "OK":
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
    if described:
        response.update(_youtube_video_details(video_id, views, likes_hidden, live))
    return response


def _youtube_playability_status(playability: str, reason: str) -> tuple[dict, bool]:
    """Return the playabilityStatus for ``playability`` and whether such a page still describes the video."""
    if playability == "OK":
        return {
            "status": "OK",
            "playableInEmbed": True,
            "miniplayer": {"miniplayerRenderer": {"playbackMode": "PLAYBACK_MODE_ALLOW"}},
            "contextParams": "Q0FFU0FnZ0I=",
        }, True
    if playability == "ERROR":
        text = reason or "Video unavailable"
        return {
            "status": "ERROR",
            "reason": text,
            "errorScreen": {"playerErrorMessageRenderer": {
                "reason": {"simpleText": text},
                "subreason": {"runs": [{"text": "This video is no longer available because the YouTube account associated with this video has been terminated."}]},
                "icon": {"iconType": "ERROR_OUTLINE"},
            }},
            "contextParams": "Q0FFU0FnZ0I=",
        }, False
    if playability == "LOGIN_REQUIRED":
        text = reason or "This video is private."
        return {
            "status": "LOGIN_REQUIRED",
            "reason": text,
            "errorScreen": {"playerErrorMessageRenderer": {
                "reason": {"runs": [{"text": text}]},
                "subreason": {"runs": [{"text": "This helps protect our community. "}, {"text": "Learn more"}]}
                if text == BOT_WALL else {"simpleText": "If the owner of this video has granted you access, please sign in."},
                "proceedButton": {"buttonRenderer": {"style": "STYLE_PRIMARY", "text": {"simpleText": "Sign in"}}},
                "icon": {"iconType": "ERROR_OUTLINE"},
            }},
            "contextParams": "Q0FFU0FnZ0I=",
        }, text.startswith("Sign in to confirm your age")  # age-gated pages still describe the video
    if playability == "UNPLAYABLE":
        text = reason or "Video unavailable"
        return {
            "status": "UNPLAYABLE",
            "reason": text,
            "errorScreen": {"playerErrorMessageRenderer": {
                "reason": {"simpleText": text},
                "subreason": {"simpleText": "The uploader has not made this video available in your country"},
                "icon": {"iconType": "ERROR_OUTLINE"},
            }},
            "playableInEmbed": False,
            "contextParams": "Q0FFU0FnZ0I=",
        }, True
    raise ValueError(f"unknown playability {playability!r}")


def _youtube_video_details(video_id: str, views: int, likes_hidden: bool, live: bool) -> dict:
    """Return the videoDetails and microformat entries that describe the video and carry its view count."""
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
    return {"videoDetails": details, "microformat": microformat}


def _youtube_initial_data(
    video_id: str, views: int, likes: int | None, has_video: bool, like_layout: str = "view_model", live: bool = False,
) -> dict:
    """Return ytInitialData with the like button (and, on today's layout, the likeCountEntity mutation)."""
    if not has_video:
        return _youtube_unavailable_data(video_id)
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
                *youtube_like_buttons(likes, like_layout),
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
        mutations.append(_youtube_like_count_mutation(likes))
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


def _youtube_unavailable_data(video_id: str) -> dict:
    """Return the ytInitialData of a watch page whose video is gone: a promo where the video was."""
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


def _youtube_like_count_mutation(likes: int) -> dict:
    """Return today's likeCountEntity mutation, which spells the like count out in several forms."""
    return {
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
        f'<script data-id="_gd" nonce="{NONCE}">window.WIZ_global_data = {{"HiPsbb":0,"MUE6Ne":"youtube_web","MuJWjd":false}};</script>'
        f'<title>Rick Astley - Never Gonna Give You Up (Official Video) - YouTube</title>'
        f'<link rel="canonical" href="https://www.youtube.com/watch?v={video_id}">{meta}\n'
    )
    player_script = (
        f'</head><body dir="ltr"><div id="watch7-content" class="watch-main-col" itemscope itemid="" itemtype="http://schema.org/VideoObject">'
        f'<link itemprop="url" href="https://www.youtube.com/watch?v={video_id}"></div>\n'
        f'<script nonce="{NONCE}">var ytInitialPlayerResponse = {script_json(player)};'
        "var meta = document.createElement('meta'); meta.name = 'referrer'; meta.content = 'origin-when-cross-origin';"
        " document.getElementsByTagName('head')[0].appendChild(meta);</script>\n"
    )
    data_script = (
        f'<script nonce="{NONCE}">var ytInitialData = {script_json(data)};</script>'
        f"<script nonce=\"{NONCE}\">if (window.ytcsi) {{window.ytcsi.tick('pdr', null, '');}}</script>\n"
    )
    tail = "</body></html>\n"
    return pad("youtube", size, [head, player_script, data_script, tail], head_share=0.55)
