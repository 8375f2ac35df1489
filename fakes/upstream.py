"""A local fake of YouTube, TikTok, Douyin, TikHub and X2C Pool receivers, for tests and the benchmark.

One server on 127.0.0.1 answers every upstream under its own path prefix::

    /yt-api/videos?part=statistics&id=A,B&key=K       YouTube Data API v3 videos.list
    /yt/watch?v=ID                                    YouTube watch page
    /tt/@HANDLE/video/ID                              TikTok post page
    /dy/share/video/ID/                               iesdouyin share page
    /tikhub/api/v1/douyin/web/fetch_one_video?aweme_id=ID   (needs Authorization: Bearer ...)
    /tikhub/api/v1/tiktok/app/v3/fetch_one_video?aweme_id=ID  (TikTok through TikHub, same key)
    /x2c/NAME                                         X2C Pool webhook receivers (POST)
    /_control/...                                     control API for out-of-process use (loopback only)

In a test::

    with FakeUpstream() as fake:
        fake.add_video("youtube", "dQw4w9WgXcQ", views=1200, likes=34)
        fake.set_receiver("pool", "fail_once", secret="s3cret")
        for name, value in fake.settings_env().items():
            monkeypatch.setenv(name, value)
        ...
        assert fake.wait_for(lambda: len(fake.received("pool")) == 2, timeout=5)

For the benchmark: ``python -m fakes.upstream --port 0 --latency 0.1`` prints one JSON line
with the port and base URLs when ready, and serves until SIGTERM or SIGINT.

Video behaviours (pages come from fakes/pages/):

    ok, hidden_likes        counts shown (hidden_likes: no likeCount / allowRatings false / 0 likes)
    deleted, private        YouTube ERROR / LOGIN_REQUIRED page, left out of API items; TikTok
                            statusCode 10204 status_deleted / 10216; Douyin and TikHub filtered
    blocked                 YouTube bot wall (API: 429 rateLimitExceeded); TikTok and Douyin
                            challenge pages; TikHub 429
    http_429, http_500      that status (429 with Retry-After: 1)
    garbage, huge           16 KB of random non-markup bytes; a valid 10 MB answer
    truncated, not_utf8     the data JSON cut in half; invalid UTF-8 bytes outside the data
    slow, trickle           a valid answer after 30 s; a valid answer at one byte per 0.5 s
    quota                   YouTube API only: the whole batch gets 403 quotaExceeded

A videos.list batch takes the worst behaviour among its ids (quota, blocked, http_429, ...).
Unknown ids read as gone: YouTube "Video unavailable", TikTok 10204, Douyin filtered.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import random
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote

from fakes import pages

__all__ = ["FakeUpstream", "Received", "Video", "main"]

PLATFORMS = ("youtube", "tiktok", "douyin")
PREFIXES = ("yt-api", "yt", "tt", "dy", "tikhub", "x2c")
VIDEO_BEHAVIOURS = frozenset({
    "ok", "hidden_likes", "deleted", "private", "blocked", "http_429", "http_500", "garbage",
    "not_utf8", "huge", "truncated", "slow", "trickle", "quota",
})
RECEIVER_BEHAVIOURS = frozenset({
    "ok", "fail_once", "retry_after", "always_500", "redirect", "gone", "slow", "hang", "bad_request",
})

SLOW_VIDEO_SECONDS = 30.0
SLOW_RECEIVER_SECONDS = 15.0
TRICKLE_INTERVAL = 0.5
HUGE_SIZE = 10_000_000
GARBAGE_SIZE = 16_384
MAX_API_IDS = 50
DEFAULT_SIZES = {"yt": 400_000, "tt": 200_000, "dy": 40_000}

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=UTF-8"
BOT_WALL = "Sign in to confirm you\u2019re not a bot"

# a batch answer is decided by the "worst" video in it, in this order
_API_BATCH_ORDER = ("quota", "blocked", "http_429", "http_500", "garbage", "truncated", "huge", "not_utf8", "slow", "trickle")
_PLATFORM_OF = {"yt-api": "youtube", "yt": "youtube", "tt": "tiktok", "dy": "douyin", "tikhub": "douyin",
                "tikhub-tt": "tiktok"}
_TIKHUB_KINDS = {"/api/v1/douyin/web/fetch_one_video": "tikhub", "/api/v1/tiktok/app/v3/fetch_one_video": "tikhub-tt"}
_DATA_MARKERS = (b"ytInitialPlayerResponse = ", b'id="__UNIVERSAL_DATA_FOR_REHYDRATION__"', b"_ROUTER_DATA = ")
_BAD_UTF8 = b"\xff\xfe\xc3\x28"
_HEAD_END = "</head>"
_PAGE_TAIL = "</body></html>\n"
# what a recorded webhook keeps: enough to check the contract, little enough for 20,000 of them
_KEPT_HEADERS = ("content-type", "content-encoding", "user-agent")

_SEND, _TRICKLE, _HANG = "send", "trickle", "hang"


# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True, slots=True)
class Video:
    """One fake video: its counts and how the fake misbehaves for it."""

    platform: str
    video_id: str
    views: int | None = None
    likes: int | None = None
    behaviour: str = "ok"
    size: int | None = None


class Headers(dict):
    """A header dict with lower-case keys whose lookups ignore case."""

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: str | None = None) -> str | None:
        return super().get(key.lower(), default)


@dataclass(slots=True)
class Received:
    """One webhook request as a receiver got it."""

    name: str
    headers: Headers
    body: bytes
    at: float
    status: int | None  # what the fake answered; None for "hang", which never answers
    signature_ok: bool | None  # None when the receiver has no secret

    @property
    def json(self) -> object:
        """Return the parsed body, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def to_dict(self) -> dict:
        """Return the JSON form the control API serves."""
        return {
            "name": self.name, "headers": dict(self.headers), "body": self.body.decode("utf-8", "replace"),
            "status": self.status, "signature_ok": self.signature_ok, "at": self.at,
        }


@dataclass(slots=True)
class _Receiver:
    behaviour: str
    secret: str | None
    seen: set  # webhook ids already answered once, for fail_once / retry_after


class _Reply:
    """A prepared answer: status, head and body bytes, and how to send them."""

    __slots__ = ("status", "head", "body", "delay", "mode")

    def __init__(self, status: int, body: bytes = b"", content_type: str = JSON,
                 headers: Iterable[tuple[str, str]] = (), delay: float = 0.0, mode: str = _SEND):
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


def _json_reply(status: int, obj: object, headers: Iterable[tuple[str, str]] = ()) -> _Reply:
    """Return a JSON reply."""
    return _Reply(status, json.dumps(obj, ensure_ascii=False).encode(), JSON, headers)


_NOT_FOUND = _json_reply(404, {"error": "not found"})
_RECEIVER_REPLIES = {
    "ok": _json_reply(200, {"success": True}),
    "error": _json_reply(500, {"success": False, "error": "internal error"}),
    "retry": _json_reply(429, {"success": False, "error": "too many requests"}, [("Retry-After", "1")]),
    "gone": _json_reply(410, {"success": False, "error": "callback gone"}),
    "bad_request": _json_reply(400, {"success": False, "error": "bad request"}),
    "slow": _Reply(200, b'{"success": true}', JSON, delay=SLOW_RECEIVER_SECONDS),
    "hang": _Reply(200, mode=_HANG),
}


class _PageCache:
    """Each video's current prepared reply, one per (kind, video id), within a byte budget."""

    # When full it stops adding instead of evicting: a pass reads the videos in a cycle, which
    # turns an LRU smaller than the working set into a miss on every request.

    def __init__(self, budget: int):
        self._budget = budget
        self._used = 0
        self._items: dict[tuple[str, str], tuple[Video | None, _Reply]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], video: Video | None) -> _Reply | None:
        """Return the reply cached for key if it was built for this very video state."""
        entry = self._items.get(key)
        return entry[1] if entry is not None and entry[0] == video else None

    def put(self, key: tuple[str, str], video: Video | None, reply: _Reply) -> None:
        """Remember reply for key, replacing an older state, while the budget allows."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._used -= old[1].size()
            if self._used + reply.size() <= self._budget:
                self._items[key] = (video, reply)
                self._used += reply.size()

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self._used = 0


# ---------------------------------------------------------------------------------------------
# Page bodies


def _reference_page(kind: str, size: int) -> str:
    """Return an ordinary page of ``kind``, used only to cut its filler out."""
    if kind == "yt":
        return pages.youtube_watch_page("dQw4w9WgXcQ", 1_734_567_890, 18_123_456, size=size)
    if kind == "tt":
        return pages.tiktok_page("7504044860782021930", 71_400, 1_819, size=size)
    return pages.douyin_share_page("7535852404919586100", 7_007, size=size)


def _split_page(page: str) -> tuple[str, str, str] | None:
    """Split a filler-less page into head, core and tail, or None if it is not shaped that way."""
    cut = page.find(_HEAD_END)
    if cut < 0 or page.find(_HEAD_END, cut + 1) >= 0 or not page.endswith(_PAGE_TAIL):
        return None
    return page[:cut], page[cut:-len(_PAGE_TAIL)], _PAGE_TAIL


class _PageComposer:
    """Builds big pages from one small builder call plus filler bytes cut once per (kind, size)."""

    # A full-size builder call costs about 1 ms (it joins and encodes ~400 KB), the data part
    # alone a fifth of that; so a page is head + filler + data + filler + tail, filler shared.

    def __init__(self):
        self._fillers: dict[tuple[str, int], tuple[bytes, bytes] | None] = {}
        self._lock = threading.Lock()

    def render(self, kind: str, build: Callable[[int], str], size: int) -> bytes:
        """Return the page that ``build(size)`` describes, as bytes."""
        filler = self._filler(kind, size)
        parts = _split_page(build(0)) if filler else None
        if parts is None:
            return build(size).encode()
        head, core, tail = parts
        return b"".join((head.encode(), filler[0], core.encode(), filler[1], tail.encode()))

    def _filler(self, kind: str, size: int) -> tuple[bytes, bytes] | None:
        """Return the filler before and after the data for pages of ``kind`` and ``size``."""
        key = (kind, size)
        if key not in self._fillers:
            with self._lock:
                if key not in self._fillers:
                    self._fillers[key] = self._cut_filler(kind, size)
        return self._fillers[key]

    @staticmethod
    def _cut_filler(kind: str, size: int) -> tuple[bytes, bytes] | None:
        """Cut the filler out of a reference page; None when pages.py no longer has this shape."""
        parts = _split_page(_reference_page(kind, 0))
        full = _reference_page(kind, size)
        if parts is None:
            return None
        head, core, tail = parts
        at = full.find(core)
        if not full.startswith(head) or at < len(head) or not full.endswith(tail):
            return None
        return full[len(head):at].encode(), full[at + len(core):-len(tail)].encode()


def _page_builder(kind: str, video_id: str, video: Video | None, state: str) -> tuple[Callable[[int], str], bool]:
    """Return a ``size -> page`` builder for what the page shows, and whether it takes filler."""
    views = (video.views or 0) if video else 0
    likes = video.likes if video else None
    if kind == "yt":
        return _youtube_builder(video_id, views, likes, state), True
    if state == "blocked":
        challenge = pages.tiktok_challenge_page() if kind == "tt" else pages.douyin_challenge_page()
        return (lambda size: challenge), False
    shown = 0 if state == "hidden_likes" else likes or 0
    if kind == "tt":
        return _tiktok_builder(video_id, views, shown, state), True
    if state in ("deleted", "private", "missing"):
        return (lambda size: pages.douyin_share_page(video_id, 0, size=size, filtered=True)), True
    return (lambda size: pages.douyin_share_page(video_id, shown, size=size)), True


def _youtube_builder(video_id: str, views: int, likes: int | None, state: str) -> Callable[[int], str]:
    """Return a watch-page builder for a video in ``state``."""
    options = {
        "hidden_likes": {"likes_hidden": True},
        "deleted": {"playability": "ERROR", "reason": "This video has been removed by the uploader"},
        "private": {"playability": "LOGIN_REQUIRED", "reason": "This video is private."},
        "blocked": {"playability": "LOGIN_REQUIRED", "reason": BOT_WALL},
        "missing": {"playability": "ERROR", "reason": "Video unavailable"},
    }.get(state, {})
    return lambda size: pages.youtube_watch_page(video_id, views, likes, size=size, **options)


def _tiktok_builder(video_id: str, views: int, likes: int, state: str) -> Callable[[int], str]:
    """Return a post-page builder for a video in ``state``."""
    status = {
        "deleted": (10204, "item_privacy_authorization&status_deleted"),
        "missing": (10204, "item_privacy_authorization&status_deleted"),
        "private": (10216, ""),
    }.get(state, (0, ""))
    return lambda size: pages.tiktok_page(video_id, views, likes, size=size, status_code=status[0], status_msg=status[1])


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


def _garbage(video_id: str) -> bytes:
    """Return random bytes with no markup in them, the same ones each time for a video."""
    noise = random.Random(f"garbage-{video_id}").randbytes(GARBAGE_SIZE)
    return noise.replace(b"<", b"?").replace(b"{", b"?")


def _status_reply(behaviour: str, content_type: str, body_429: bytes | None = None) -> _Reply | None:
    """Return the plain HTTP error a behaviour asks for, or None."""
    if behaviour == "http_429":
        return _Reply(429, body_429 or b"Too Many Requests", content_type, [("Retry-After", "1")])
    if behaviour == "http_500":
        return _Reply(500, b"Internal Server Error", content_type)
    return None


def _shaped(status: int, body: bytes, content_type: str, behaviour: str, kind: str) -> _Reply:
    """Return a 200 body spoiled, slowed or trickled as the behaviour asks."""
    if behaviour == "truncated":
        body = _truncate(body)
    elif behaviour == "not_utf8":
        body = _spoil_utf8(body)
    elif behaviour == "huge" and kind in ("yt-api", "tikhub"):
        body += b" " * max(0, HUGE_SIZE - len(body))  # trailing whitespace keeps the JSON valid
    delay = SLOW_VIDEO_SECONDS if behaviour == "slow" else 0.0
    mode = _TRICKLE if behaviour == "trickle" else _SEND
    return _Reply(status, body, content_type, delay=delay, mode=mode)


# ---------------------------------------------------------------------------------------------
# The server


class _Server(ThreadingHTTPServer):
    """The listening socket; one daemon thread per connection."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeUpstream):
        self.fake = fake
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        """Ignore clients that hang up; note anything else for the test to see."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            self.fake._note_error(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    """Parses requests and writes prepared replies; all decisions live in FakeUpstream."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 120  # an idle keep-alive connection gives its thread back eventually
    server_version = "FakeUpstream/1.0"

    def setup(self) -> None:
        super().setup()
        self.fake: FakeUpstream = self.server.fake
        self.fake._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.fake._untrack(self.connection)

    def handle(self) -> None:
        """Serve requests on this connection until it closes or the fake stops."""
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection and not self.fake._stopping.is_set():
            self.handle_one_request()

    def parse_request(self) -> bool:
        """Parse the request line and headers; the stdlib's email-based parser is most of a request's CPU."""
        self.command, self.request_version, self.close_connection = None, "HTTP/1.0", True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1"):
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request line")
            return False
        self.command, self.path, self.request_version = words
        self.headers = headers = Headers()
        while (line := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
            if len(headers) >= 100:
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
                return False
            name, colon, value = line.decode("iso-8859-1").partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        connection = (headers.get("connection") or "").lower()
        if self.request_version == "HTTP/1.1":
            self.close_connection = "close" in connection
            if (headers.get("expect") or "").lower() == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        else:
            self.close_connection = "keep-alive" not in connection
        return True

    def log_message(self, format: str, *args: object) -> None:
        """Stay silent: hundreds of requests a second would drown the test output."""

    def do_GET(self) -> None:
        """Answer a GET."""
        self._dispatch(b"")

    def do_POST(self) -> None:
        """Answer a POST."""
        self._dispatch(self._read_body())

    def _read_body(self) -> bytes:
        """Read the request body, so the next request on the connection starts clean."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, body: bytes) -> None:
        """Route one request to the fake and send its answer."""
        path, _, query = self.path.partition("?")
        prefix, _, rest = path.lstrip("/").partition("/")
        rest = "/" + rest.lstrip("/")
        fake = self.fake
        if prefix == "_control":
            self._send(fake._control(self.command, rest, query, body, self.client_address[0]))
            return
        if prefix not in PREFIXES:
            self._send(_NOT_FOUND)
            return
        fake._enter(prefix)
        try:
            latency = fake.latency
            if latency > 0 and fake._stopping.wait(latency):
                self.close_connection = True
                return
            self._send(fake._respond(prefix, self.command, rest, query, self.headers, body))
        finally:
            fake._leave(prefix)

    def _send(self, reply: _Reply) -> None:
        """Write a reply, after its delay, whole or one byte at a time; a hang never writes."""
        stopping = self.fake._stopping
        if (reply.delay and stopping.wait(reply.delay)) or reply.mode == _HANG:
            stopping.wait()
            self.close_connection = True
            return
        if reply.mode == _TRICKLE:
            self.wfile.write(reply.head)
            for i in range(len(reply.body)):
                self.wfile.write(reply.body[i:i + 1])
                if stopping.wait(TRICKLE_INTERVAL):
                    self.close_connection = True
                    return
        elif len(reply.body) <= 65_536:
            self.wfile.write(reply.head + reply.body)
        else:
            self.wfile.write(reply.head)
            self.wfile.write(reply.body)


class FakeUpstream:
    """The fake: videos and receivers to answer with, counters and recorded webhooks to check."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, latency: float = 0.0,
                 cache_bytes: int = 256 << 20):
        self.host = host
        self.port: int | None = None
        self.latency = float(latency)  # seconds added to every request but control ones
        self.youtube_api_keys: set[str] | None = None  # None: any non-empty key is valid
        self.errors: list[str] = []  # tracebacks of bugs in the fake itself
        self._wanted_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._stopped = False
        self._videos: dict[tuple[str, str], Video] = {}
        self._receivers: dict[str, _Receiver] = {}
        self._cache = _PageCache(cache_bytes)
        self._composer = _PageComposer()
        self._stats_lock = threading.Lock()
        self._counts = dict.fromkeys(PREFIXES, 0)
        self._in_flight = dict.fromkeys(PREFIXES, 0)
        self._peaks = dict.fromkeys(PREFIXES, 0)
        self._connections_accepted = 0
        self._open: set[socket.socket] = set()
        self._records_lock = threading.Lock()
        self._records: list[Received] = []
        self._record_counts: dict[str, int] = {}

    # lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeUpstream:
        """Bind and serve from a background thread; returns self."""
        if self._stopped:
            raise RuntimeError("a stopped FakeUpstream cannot be started again")
        if self._server is None:
            self._server = _Server((self.host, self._wanted_port), self)
            self.port = self._server.server_address[1]
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                name=f"fake-upstream-{self.port}", daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut every open connection (slow and hanging ones too) and wait briefly."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()
        if self._server is None:
            return
        self._server.shutdown()
        with self._stats_lock:
            open_sockets = list(self._open)
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._thread.join(timeout=5)
        self.wait_for(lambda: not self._open, timeout=2)

    def __enter__(self) -> FakeUpstream:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # addresses ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Return http://HOST:PORT of the running fake."""
        if self.port is None:
            raise RuntimeError("FakeUpstream is not started")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    @property
    def youtube_api_url(self) -> str:
        """Return the YOUTUBE_API_URL for this fake."""
        return self.base_url + "/yt-api"

    @property
    def youtube_web_url(self) -> str:
        """Return the YOUTUBE_WEB_URL for this fake."""
        return self.base_url + "/yt"

    @property
    def tiktok_web_url(self) -> str:
        """Return the TIKTOK_WEB_URL for this fake."""
        return self.base_url + "/tt"

    @property
    def douyin_web_url(self) -> str:
        """Return the DOUYIN_WEB_URL for this fake."""
        return self.base_url + "/dy"

    @property
    def tikhub_api_url(self) -> str:
        """Return the TIKHUB_API_URL for this fake."""
        return self.base_url + "/tikhub"

    def callback_url(self, name: str) -> str:
        """Return the callback URL of receiver ``name``."""
        return f"{self.base_url}/x2c/{quote(name, safe='')}"

    def settings_env(self) -> dict[str, str]:
        """Return the *_URL settings that point the service at this fake."""
        return {
            "YOUTUBE_API_URL": self.youtube_api_url,
            "YOUTUBE_WEB_URL": self.youtube_web_url,
            "TIKTOK_WEB_URL": self.tiktok_web_url,
            "DOUYIN_WEB_URL": self.douyin_web_url,
            "TIKHUB_API_URL": self.tikhub_api_url,
        }

    def describe(self) -> dict:
        """Return the port and every base URL, as the command line prints them."""
        return {
            "port": self.port,
            "base_url": self.base_url,
            "youtube_api_url": self.youtube_api_url,
            "youtube_web_url": self.youtube_web_url,
            "tiktok_web_url": self.tiktok_web_url,
            "douyin_web_url": self.douyin_web_url,
            "tikhub_api_url": self.tikhub_api_url,
            "callback_base_url": self.base_url + "/x2c/",
            "control_url": self.base_url + "/_control",
            "env": self.settings_env(),
        }

    # setup -------------------------------------------------------------------------------

    def add_video(self, platform: str, video_id: str, views: int | None = None, likes: int | None = None,
                  behaviour: str = "ok", size: int | None = None) -> Video:
        """Add or replace a video; on YouTube, likes=None reads as likes hidden by the owner."""
        video = _checked_video(platform, str(video_id), views, likes, behaviour, size)
        self._videos[(platform, video.video_id)] = video
        return video

    def add_videos(self, videos: Iterable[dict]) -> int:
        """Add or replace many videos given as add_video keyword dicts; returns how many."""
        checked = [_checked_video(**_video_kwargs(item)) for item in videos]
        for video in checked:
            self._videos[(video.platform, video.video_id)] = video
        return len(checked)

    def video(self, platform: str, video_id: str) -> Video | None:
        """Return the video as the fake knows it, or None."""
        return self._videos.get((platform, video_id))

    def set_receiver(self, name: str, behaviour: str = "ok", secret: str | None = None) -> None:
        """Set how receiver ``name`` answers; a secret makes it check X-Webhook-Signature."""
        if behaviour not in RECEIVER_BEHAVIOURS:
            raise ValueError(f"unknown receiver behaviour {behaviour!r}")
        with self._records_lock:
            self._receivers[name] = _Receiver(behaviour, secret or None, set())

    # observation -------------------------------------------------------------------------

    def received(self, name: str | None = None) -> list[Received]:
        """Return the webhooks received, oldest first, by one receiver or all."""
        with self._records_lock:
            if name is None:
                return list(self._records)
            return [r for r in self._records if r.name == name]

    def request_counts(self) -> dict[str, int]:
        """Return the requests seen per prefix since the last reset."""
        with self._stats_lock:
            return dict(self._counts)

    def peak_concurrency(self) -> dict[str, int]:
        """Return the most requests in flight at once per prefix since the last reset."""
        with self._stats_lock:
            return dict(self._peaks)

    def in_flight(self) -> dict[str, int]:
        """Return the requests being answered right now per prefix."""
        with self._stats_lock:
            return dict(self._in_flight)

    def connections_accepted(self) -> int:
        """Return how many TCP connections the fake has accepted (keep-alive reuse shows here)."""
        with self._stats_lock:
            return self._connections_accepted

    def reset_counters(self) -> None:
        """Zero the request counts; peaks restart from what is in flight now."""
        with self._stats_lock:
            self._counts = dict.fromkeys(PREFIXES, 0)
            self._peaks = dict(self._in_flight)
            self._connections_accepted = 0

    def clear_received(self) -> None:
        """Forget the recorded webhooks and which webhook ids were seen."""
        with self._records_lock:
            self._records.clear()
            self._record_counts.clear()
            for receiver in self._receivers.values():
                receiver.seen.clear()

    def stats(self) -> dict:
        """Return counters, peaks and webhooks per receiver, as GET /_control/stats serves them."""
        with self._records_lock:
            received = dict(self._record_counts)
        return {
            "request_counts": self.request_counts(),
            "peak_concurrency": self.peak_concurrency(),
            "in_flight": self.in_flight(),
            "connections_accepted": self.connections_accepted(),
            "received": received,
            "received_total": sum(received.values()),
            "latency": self.latency,
            "errors": len(self.errors),
        }

    @staticmethod
    def wait_for(predicate: Callable[[], object], timeout: float = 5.0, interval: float = 0.01) -> bool:
        """Poll ``predicate`` until it is true or ``timeout`` seconds pass; return whether it came true."""
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(interval, remaining))
        return True

    # bookkeeping used by the handler -----------------------------------------------------

    def _track(self, sock: socket.socket) -> None:
        with self._stats_lock:
            self._open.add(sock)
            self._connections_accepted += 1

    def _untrack(self, sock: socket.socket) -> None:
        with self._stats_lock:
            self._open.discard(sock)

    def _enter(self, prefix: str) -> None:
        with self._stats_lock:
            self._counts[prefix] += 1
            self._in_flight[prefix] += 1
            self._peaks[prefix] = max(self._peaks[prefix], self._in_flight[prefix])

    def _leave(self, prefix: str) -> None:
        with self._stats_lock:
            self._in_flight[prefix] -= 1

    def _note_error(self, text: str) -> None:
        if len(self.errors) < 100:
            self.errors.append(text)

    # answers -----------------------------------------------------------------------------

    def _respond(self, prefix: str, method: str, path: str, query: str, headers, body: bytes) -> _Reply:
        """Return the reply for one upstream request."""
        try:
            if prefix == "x2c":
                return self._receive(unquote(path.strip("/")), headers, body) if method == "POST" else _NOT_FOUND
            if prefix == "yt-api":
                return self._youtube_api(path, parse_qs(query))
            if prefix == "tikhub":
                return self._tikhub(path, parse_qs(query), headers.get("Authorization") or "")
            video_id = _page_video_id(prefix, path, query)
            return self._page_reply(prefix, video_id) if video_id else _NOT_FOUND
        except Exception:
            self._note_error(traceback.format_exc())
            return _json_reply(500, {"error": "bug in the fake upstream; see FakeUpstream.errors"})

    def _page_reply(self, kind: str, video_id: str) -> _Reply:
        """Return the (cached) reply for a page or TikHub request about one video."""
        video = self._videos.get((_PLATFORM_OF[kind], video_id))
        reply = self._cache.get((kind, video_id), video)
        if reply is None:
            reply = self._build_page_reply(kind, video_id, video)
            self._cache.put((kind, video_id), video, reply)
        return reply

    def _build_page_reply(self, kind: str, video_id: str, video: Video | None) -> _Reply:
        """Build the reply for a page or TikHub request about one video."""
        behaviour = video.behaviour if video else "missing"
        content_type = JSON if kind.startswith("tikhub") else HTML
        plain = _status_reply(behaviour, content_type)
        if plain is not None:
            return plain
        if behaviour == "garbage":
            return _Reply(200, _garbage(video_id), content_type)
        if kind.startswith("tikhub"):
            return self._tikhub_body(kind, video_id, video, behaviour)
        state = behaviour if behaviour in ("hidden_likes", "deleted", "private", "blocked", "missing") else "ok"
        build, takes_filler = _page_builder(kind, video_id, video, state)
        size = HUGE_SIZE if behaviour == "huge" else (video.size if video and video.size else DEFAULT_SIZES[kind])
        body = self._composer.render(kind, build, size) if takes_filler else build(size).encode()
        return _shaped(200, body, content_type, behaviour, kind)

    def _tikhub(self, path: str, params: dict, authorization: str) -> _Reply:
        """Answer TikHub's fetch_one_video (Douyin or TikTok), which needs a bearer key."""
        kind = _TIKHUB_KINDS.get(path.rstrip("/"))
        if kind is None:
            return _json_reply(404, {"detail": "Not Found"})
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _json_reply(401, {"detail": {"code": 401, "message": "Invalid or missing API key."}})
        aweme_id = (params.get("aweme_id") or [""])[0]
        if not aweme_id:
            return _json_reply(422, {"detail": [{"loc": ["query", "aweme_id"], "msg": "field required"}]})
        return self._page_reply(kind, aweme_id)

    @staticmethod
    def _tikhub_body(kind: str, video_id: str, video: Video | None, behaviour: str) -> _Reply:
        """Return the TikHub answer about one Douyin or TikTok video."""
        if behaviour == "blocked":
            return _json_reply(429, {"detail": {"code": 429, "message": "Too many requests, slow down."}})
        views = (video.views or 0) if video else 0
        likes = 0 if behaviour == "hidden_likes" or video is None else (video.likes or 0)
        filtered = behaviour in ("deleted", "private", "missing")
        if kind == "tikhub-tt":
            data = pages.tikhub_tiktok_response(video_id, views, likes, gone="filtered" if filtered else None)
        else:
            data = pages.tikhub_response(video_id, views, likes, filtered=filtered)
        return _shaped(200, json.dumps(data, ensure_ascii=False).encode(), JSON, behaviour, "tikhub")

    def _youtube_api(self, path: str, params: dict) -> _Reply:
        """Answer videos.list for up to 50 ids; unknown, deleted and private ids are left out."""
        if path.rstrip("/") != "/videos":
            return _json_reply(404, pages.youtube_api_error("notFound", 404))
        key = (params.get("key") or [""])[0]
        if not key:
            return _json_reply(403, pages.youtube_api_error("forbidden", 403))
        if self.youtube_api_keys is not None and key not in self.youtube_api_keys:
            return _json_reply(400, pages.youtube_api_error("API_KEY_INVALID", 400))
        ids = [i for value in params.get("id", []) for i in value.split(",") if i]
        if not ids:
            return _json_reply(400, pages.youtube_api_error("missingRequiredParameter", 400))
        if len(ids) > MAX_API_IDS:
            return _json_reply(400, pages.youtube_api_error("badRequest", 400))
        videos = [(i, self._videos.get(("youtube", i))) for i in ids]
        present = {v.behaviour for _, v in videos if v}
        behaviour = next((b for b in _API_BATCH_ORDER if b in present), "ok")
        return _youtube_api_batch(videos, behaviour)

    def _receive(self, name: str, headers, body: bytes) -> _Reply:
        """Record one webhook and answer it as receiver ``name`` is set to."""
        if not name:
            return _NOT_FOUND
        kept = _kept_headers(headers)
        with self._records_lock:
            receiver = self._receivers.get(name)
            reply = self._receiver_reply(name, receiver, kept, body)
            signature_ok = _signature_ok(receiver.secret, kept, body) if receiver and receiver.secret else None
            status = None if reply.mode == _HANG else reply.status
            self._records.append(Received(name, kept, body, time.monotonic(), status, signature_ok))
            self._record_counts[name] = self._record_counts.get(name, 0) + 1
        return reply

    def _receiver_reply(self, name: str, receiver: _Receiver | None, headers: Headers, body: bytes) -> _Reply:
        """Pick the answer for one webhook (called with the records lock held)."""
        behaviour = receiver.behaviour if receiver else "ok"
        if behaviour in ("fail_once", "retry_after"):
            webhook_id = headers.get("x-webhook-id") or hashlib.sha256(body).hexdigest()
            first = webhook_id not in receiver.seen
            receiver.seen.add(webhook_id)
            if not first:
                return _RECEIVER_REPLIES["ok"]
            return _RECEIVER_REPLIES["error" if behaviour == "fail_once" else "retry"]
        if behaviour == "redirect":
            return _Reply(302, b"", "text/plain", [("Location", self.callback_url(f"{name}-redirected"))])
        named = {"always_500": "error", "gone": "gone", "bad_request": "bad_request", "slow": "slow", "hang": "hang"}
        return _RECEIVER_REPLIES[named.get(behaviour, "ok")]

    # control API -------------------------------------------------------------------------

    def _control(self, method: str, path: str, query: str, body: bytes, client_ip: str) -> _Reply:
        """Answer the control API that drives an out-of-process fake."""
        if not (client_ip.startswith("127.") or client_ip == "::1"):
            return _json_reply(403, {"error": "control API is for loopback clients only"})
        try:
            route = (method, path.rstrip("/"))
            if route == ("POST", "/videos"):
                return _json_reply(200, {"ok": True, "count": self.add_videos(_json_list(body))})
            if route == ("POST", "/receivers"):
                items = _json_list(body)
                for item in items:
                    self.set_receiver(**item)
                return _json_reply(200, {"ok": True, "count": len(items)})
            if route == ("POST", "/latency"):
                self.latency = float(json.loads(body)["latency"])
                return _json_reply(200, {"ok": True, "latency": self.latency})
            if route == ("GET", "/stats"):
                return _json_reply(200, self.stats())
            if route == ("GET", "/received"):
                return _json_reply(200, self._received_page(parse_qs(query)))
            if route == ("POST", "/reset"):
                self.reset_counters()
                self.clear_received()
                return _json_reply(200, {"ok": True})
            return _NOT_FOUND
        except (ValueError, TypeError, KeyError) as error:
            return _json_reply(400, {"error": f"{type(error).__name__}: {error}"})

    def _received_page(self, params: dict) -> list[dict]:
        """Return recorded webhooks as JSON dicts, filtered by name and sliced by offset/limit."""
        name = (params.get("name") or [None])[0]
        offset = int((params.get("offset") or ["0"])[0])
        limit = int((params.get("limit") or ["0"])[0]) or None
        records = self.received(name)[offset:]
        return [r.to_dict() for r in records[:limit]]


def _youtube_api_batch(videos: list[tuple[str, Video | None]], behaviour: str) -> _Reply:
    """Return the videos.list answer for one batch, shaped by its worst behaviour."""
    if behaviour == "quota":
        return _json_reply(403, pages.youtube_api_error("quotaExceeded", 403))
    if behaviour == "blocked":
        return _json_reply(429, pages.youtube_api_error("rateLimitExceeded", 429))
    rate_body = json.dumps(pages.youtube_api_error("rateLimitExceeded", 429)).encode()
    plain = _status_reply(behaviour, JSON, rate_body)
    if plain is not None:
        return plain
    if behaviour == "garbage":
        return _Reply(200, _garbage(videos[0][0]), JSON)
    items = {
        i: (v.views or 0, None if v.behaviour == "hidden_likes" else v.likes)
        for i, v in videos if v and v.behaviour not in ("deleted", "private")
    }
    body = json.dumps(pages.youtube_api_response(items)).encode()
    return _shaped(200, body, JSON, behaviour, "yt-api")


def _page_video_id(prefix: str, path: str, query: str) -> str | None:
    """Return the video id a page URL asks for, or None when the URL is not one the fake serves."""
    parts = [p for p in path.split("/") if p]
    if prefix == "yt":
        return (parse_qs(query).get("v") or [None])[0] if parts == ["watch"] else None
    if prefix == "tt":
        # /@HANDLE/video/ID, the handle possibly empty or "_"
        ok = len(parts) == 3 and parts[0].startswith("@") and parts[1] in ("video", "photo")
        return parts[2] if ok else None
    ok = len(parts) == 3 and parts[0] == "share" and parts[1] in ("video", "note")
    return parts[2] if ok else None


def _kept_headers(headers) -> Headers:
    """Return the few request headers a recorded webhook keeps: the listed ones and every X-*."""
    kept = Headers()
    for key, value in headers.items():
        low = key.lower()
        if low.startswith("x-") or low in _KEPT_HEADERS:
            kept[sys.intern(low)] = value
    return kept


def _signature_ok(secret: str, headers: Headers, body: bytes) -> bool:
    """Return whether X-Webhook-Signature is sha256=<hex HMAC-SHA256(secret, body)>."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("x-webhook-signature") or "", expected)


def _checked_video(platform: str, video_id: str, views: int | None, likes: int | None,
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


def _video_kwargs(item: dict) -> dict:
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


def _json_list(body: bytes) -> list:
    """Parse a request body that must be a JSON list."""
    items = json.loads(body or b"[]")
    if not isinstance(items, list):
        raise ValueError("expected a JSON list")
    return items


# ---------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT, after printing the port and base URLs as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m fakes.upstream", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--cache-mb", type=int, default=256, help="memory for prepared pages")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with FakeUpstream(args.host, args.port, latency=args.latency, cache_bytes=args.cache_mb << 20) as fake:
        print(json.dumps(fake.describe()), flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
