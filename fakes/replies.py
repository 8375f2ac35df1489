"""Prepared HTTP answers of the fake upstream, and the ways a video's behaviour spoils, slows or replaces them.

A reply is prepared as bytes, head and body, so that the page cache can keep it and serving it
again costs little more than a socket write.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from http import HTTPStatus

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=UTF-8"

SLOW_VIDEO_SECONDS = 30.0
HUGE_SIZE = 10_000_000
GARBAGE_SIZE = 16_384

# how the server writes a reply: at once, one byte at a time, or never
SEND, TRICKLE, HANG = "send", "trickle", "hang"

_DATA_MARKERS = (b"ytInitialPlayerResponse = ", b'id="__UNIVERSAL_DATA_FOR_REHYDRATION__"', b"_ROUTER_DATA = ")
_BAD_UTF8 = b"\xff\xfe\xc3\x28"


class Reply:
    """A prepared answer: status, head and body bytes, and how to send them."""

    __slots__ = ("status", "head", "body", "delay", "mode")

    def __init__(self, status: int, body: bytes = b"", content_type: str = JSON,
                 headers: Iterable[tuple[str, str]] = (), delay: float = 0.0, mode: str = SEND):
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", f"Content-Type: {content_type}",
                 f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers)]
        self.status = status
        self.head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.body = body
        self.delay = delay
        self.mode = mode

    def size(self) -> int:
        """Return the bytes this reply holds."""
        return len(self.head) + len(self.body)


def json_reply(status: int, obj: object, headers: Iterable[tuple[str, str]] = ()) -> Reply:
    """Return a JSON reply."""
    return Reply(status, json.dumps(obj, ensure_ascii=False).encode(), JSON, headers)


NOT_FOUND = json_reply(404, {"error": "not found"})


def _json_span(body: bytes) -> tuple[int, int]:
    """Return where the page's data JSON starts and ends (the whole body for a JSON answer)."""
    for marker in _DATA_MARKERS:
        at = body.find(marker)
        if at >= 0:
            start = body.find(b"{", at + len(marker))
            end = body.find(b"</script>", start)
            return start, end if end > start else len(body)
    return 0, len(body)


def _truncate(body: bytes) -> bytes:
    """Return the body cut off halfway through its data JSON."""
    start, end = _json_span(body)
    return body[:start + (end - start) // 2]


def _spoil_utf8(body: bytes) -> bytes:
    """Return the body with invalid UTF-8 bytes put where they do not touch the data."""
    start, end = _json_span(body)
    if start == 0:
        # a JSON answer: spoil the first string value, which a lenient decoder survives
        at = body.find(b'": "')
        cuts = [at + 4] if at >= 0 else [0]
    else:
        # between markup blocks, before and after the data script
        cuts = [body.find(b"\n", start * share // 4) + 1 for share in (1, 2, 3)]
        cuts = [c for c in cuts if 0 < c <= start]
        cuts.append(body.find(b"\n", end) + 1 or len(body))
    out, last = [], 0
    for cut in sorted(set(cuts)):
        out += [body[last:cut], _BAD_UTF8]
        last = cut
    out.append(body[last:])
    return b"".join(out)


def garbage(video_id: str) -> bytes:
    """Return random bytes with no markup in them, the same ones each time for a video."""
    noise = random.Random(f"garbage-{video_id}").randbytes(GARBAGE_SIZE)
    return noise.replace(b"<", b"?").replace(b"{", b"?")


def status_reply(behaviour: str, content_type: str, body_429: bytes | None = None) -> Reply | None:
    """Return the plain HTTP error a behaviour asks for, or None."""
    if behaviour == "http_429":
        return Reply(429, body_429 or b"Too Many Requests", content_type, [("Retry-After", "1")])
    if behaviour == "http_500":
        return Reply(500, b"Internal Server Error", content_type)
    return None


def shaped(status: int, body: bytes, content_type: str, behaviour: str, kind: str) -> Reply:
    """Return a 200 body spoiled, slowed or trickled as the behaviour asks."""
    if behaviour == "truncated":
        body = _truncate(body)
    elif behaviour == "not_utf8":
        body = _spoil_utf8(body)
    elif behaviour == "huge" and kind in ("yt-api", "tikhub"):
        body += b" " * max(0, HUGE_SIZE - len(body))  # trailing whitespace keeps the JSON valid
    delay = SLOW_VIDEO_SECONDS if behaviour == "slow" else 0.0
    mode = TRICKLE if behaviour == "trickle" else SEND
    return Reply(status, body, content_type, delay=delay, mode=mode)
