"""YouTube Data API bodies: videos.list answers and error answers."""

from __future__ import annotations


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
