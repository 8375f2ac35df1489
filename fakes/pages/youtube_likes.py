"""YouTube's like buttons as the watch page has drawn them over the years, and its short count form."""

from __future__ import annotations


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


def youtube_like_buttons(likes: int | None, layout: str) -> list[dict]:
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
