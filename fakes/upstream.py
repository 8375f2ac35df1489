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
import json
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from functools import partial
from urllib.parse import quote, unquote

from fakes.control import control_reply
from fakes.platforms import Platforms
from fakes.receivers import Received, Receivers
from fakes.replies import NOT_FOUND, Reply, json_reply
from fakes.server import Headers, Traffic, UpstreamServer
from fakes.videos import Video, checked_video, video_kwargs

__all__ = ["FakeUpstream", "Received", "Video", "main"]


class FakeUpstream:
    """The fake: videos and receivers to answer with, counters and recorded webhooks to check."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, latency: float = 0.0,
                 cache_bytes: int = 256 << 20):
        self.host = host
        self.port: int | None = None
        self.latency = float(latency)  # seconds added to every request but control ones
        self.errors: list[str] = []  # tracebacks of bugs in the fake itself
        self._wanted_port = port
        self._server: UpstreamServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._stopped = False
        self._platforms = Platforms(cache_bytes)
        self._receivers = Receivers(self.callback_url)
        self._traffic = Traffic()

    @property
    def youtube_api_keys(self) -> set[str] | None:
        """Return the YouTube API keys the fake accepts; None (the default) accepts any non-empty key."""
        return self._platforms.api_keys

    @youtube_api_keys.setter
    def youtube_api_keys(self, keys: set[str] | None) -> None:
        self._platforms.api_keys = keys

    # lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeUpstream:
        """Bind and serve from a background thread; returns self."""
        if self._stopped:
            raise RuntimeError("a stopped FakeUpstream cannot be started again")
        if self._server is None:
            self._server = UpstreamServer(
                (self.host, self._wanted_port), answer=self._answer, control=partial(control_reply, self),
                latency=lambda: self.latency, traffic=self._traffic, stopping=self._stopping,
                note_error=self._note_error,
            )
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
        for sock in self._traffic.open_connections():
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._thread.join(timeout=5)
        self.wait_for(lambda: not self._traffic.open_connections(), timeout=2)

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
        video = checked_video(platform, str(video_id), views, likes, behaviour, size)
        self._platforms.add([video])
        return video

    def add_videos(self, videos: Iterable[dict]) -> int:
        """Add or replace many videos given as add_video keyword dicts; returns how many."""
        checked = [checked_video(**video_kwargs(item)) for item in videos]
        self._platforms.add(checked)
        return len(checked)

    def video(self, platform: str, video_id: str) -> Video | None:
        """Return the video as the fake knows it, or None."""
        return self._platforms.video(platform, video_id)

    def set_receiver(self, name: str, behaviour: str = "ok", secret: str | None = None) -> None:
        """Set how receiver ``name`` answers; a secret makes it check X-Webhook-Signature."""
        self._receivers.set_behaviour(name, behaviour, secret)

    # observation -------------------------------------------------------------------------

    def received(self, name: str | None = None) -> list[Received]:
        """Return the webhooks received, oldest first, by one receiver or all."""
        return self._receivers.received(name)

    def request_counts(self) -> dict[str, int]:
        """Return the requests seen per prefix since the last reset."""
        return self._traffic.counts()

    def peak_concurrency(self) -> dict[str, int]:
        """Return the most requests in flight at once per prefix since the last reset."""
        return self._traffic.peaks()

    def in_flight(self) -> dict[str, int]:
        """Return the requests being answered right now per prefix."""
        return self._traffic.in_flight()

    def connections_accepted(self) -> int:
        """Return how many TCP connections the fake has accepted (keep-alive reuse shows here)."""
        return self._traffic.connections_accepted()

    def reset_counters(self) -> None:
        """Zero the request counts; peaks restart from what is in flight now."""
        self._traffic.reset()

    def clear_received(self) -> None:
        """Forget the recorded webhooks and which webhook ids were seen."""
        self._receivers.clear()

    def stats(self) -> dict:
        """Return counters, peaks and webhooks per receiver, as GET /_control/stats serves them."""
        received = self._receivers.counts()
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

    # answers -----------------------------------------------------------------------------

    def _answer(self, prefix: str, method: str, path: str, query: str, headers: Headers, body: bytes) -> Reply:
        """Return the reply for one upstream request; a bug in the fake answers 500 and is kept in errors."""
        try:
            if prefix == "x2c":
                return self._receivers.receive(unquote(path.strip("/")), headers, body) if method == "POST" else NOT_FOUND
            return self._platforms.answer(prefix, path, query, headers)
        except Exception:
            self._note_error(traceback.format_exc())
            return json_reply(500, {"error": "bug in the fake upstream; see FakeUpstream.errors"})

    def _note_error(self, text: str) -> None:
        """Keep a traceback of the fake's own bug, the first 100 of them."""
        if len(self.errors) < 100:
            self.errors.append(text)


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
