"""The one bounded HTTP GET that every platform request goes through.

Redirects are never followed (a short link is followed hop by hop by the caller). Bodies are
streamed and cut at `max_bytes`; a whole request takes at most about the read timeout plus
5 s of body reading, so a trickling server cannot hold a thread. Transport failures become
`RequestFailed`; HTTP statuses are classified by `status_result`.
"""

from __future__ import annotations

import logging
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests
import urllib3
from requests.adapters import HTTPAdapter

from broadcaster.core.errors import FetchError
from broadcaster.core.httpclient import ThreadSessions, parse_retry_after, read_capped
from broadcaster.core.states import FetchStatus
from broadcaster.fetching.results import FetchResult, describe_error, no_counts, redact

logger = logging.getLogger(__name__)

OK, UNAVAILABLE, BLOCKED, ERROR = FetchStatus

CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/146.0.0.0 Safari/537.36"
)
DESKTOP_HEADERS = {
    "User-Agent": CHROME_UA,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.9",
    "Sec-Fetch-Mode": "navigate",
}
API_HEADERS = {
    "User-Agent": CHROME_UA,
    "Accept": "application/json",
    "Accept-Language": "en-US,en;q=0.9",
}
_BLOCKING_REDIRECTS = ("google.com/sorry", "/login", "/signin", "accounts.google.com")


def make_session(proxy: str | None = None) -> requests.Session:
    """Return a Session with a small connection pool and no python-requests User-Agent.

    With `proxy`, every request goes through it (an egress of *_PROXIES); without, the
    environment's proxy settings apply as usual.
    """
    session = requests.Session()
    if proxy:
        session.proxies.update({"http": proxy, "https": proxy})
    else:
        # Read proxy settings (HTTPS_PROXY, …) once: with trust_env on, requests scans the
        # whole environment on every request, a measurable share of a large pass's CPU.
        session.proxies.update(urllib.request.getproxies())
    session.trust_env = False
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = CHROME_UA
    return session


class RequestFailed(FetchError):
    """A request produced no usable response; ``status`` says how to classify it."""

    def __init__(self, status: str, reason: str, *, egress_fault: bool = False):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        #: the request never reached the platform because its proxy failed
        self.egress_fault = egress_fault


@dataclass(frozen=True)
class Response:
    """Status, headers and decoded body of one request."""

    status_code: int
    headers: Mapping[str, str]
    text: str


class PageClient:
    """Bounded GETs from many threads, each thread on its own Session."""

    def __init__(
        self,
        *,
        timeout: float | tuple[float, float] = (3.05, 10.0),
        max_bytes: int = 4_000_000,
        session_factory: Callable[[], requests.Session] | None = None,
    ):
        self.timeout = timeout
        self.max_bytes = max_bytes
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        #: whole-body reading budget per request, checked between reads
        self.deadline_seconds = (read_timeout or 10.0) + 5.0
        self._sessions = ThreadSessions(session_factory or make_session)

    def close(self) -> None:
        """Close every thread's session."""
        self._sessions.close()

    def get(self, url: str, headers: Mapping[str, str], cookies: Mapping[str, str] | None = None) -> Response:
        """GET `url` without following redirects; raise RequestFailed on a transport failure."""
        started = time.monotonic()
        safe_url = redact(url)
        session = self._sessions.get()
        try:
            resp = session.get(
                url, headers=dict(headers), cookies=cookies, timeout=self.timeout, stream=True, allow_redirects=False,
            )
        except requests.ReadTimeout as exc:
            logger.info("GET %s timed out: %s", safe_url, describe_error(exc), extra={"action": "fetch_timeout"})
            raise RequestFailed(ERROR, f"请求超时 ({describe_error(exc)})") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            logger.info("GET %s failed: %s", safe_url, describe_error(exc), extra={"action": "fetch_connection_error"})
            # Through a proxy, failing to connect means the proxy failed (SOCKS errors surface as
            # plain connection errors), so the egress is at fault, not the platform.
            proxied = bool(session.proxies.get(url.split(":", 1)[0].lower()))
            fault = isinstance(exc, requests.exceptions.ProxyError) or (
                proxied and isinstance(exc, (requests.ConnectionError, requests.ConnectTimeout)))
            what = "请求超时" if isinstance(exc, requests.Timeout) else "连接失败"
            raise RequestFailed(ERROR, f"{what} ({describe_error(exc)})", egress_fault=fault) from None
        try:
            body = self._read_body(resp, started)
        finally:
            resp.close()
        logger.debug("GET %s -> %s (%d bytes)", safe_url, resp.status_code, len(body))
        return Response(resp.status_code, resp.headers, body.decode("utf-8", errors="replace"))

    def _read_body(self, resp: requests.Response, started: float) -> bytes:
        """At most `max_bytes` of the body before the deadline; RequestFailed otherwise."""
        length = resp.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise RequestFailed(ERROR, f"页面过大 (Content-Length {length} 超过 {self.max_bytes} 字节)")
        try:
            body = read_capped(resp, self.max_bytes, deadline=started + self.deadline_seconds)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            raise RequestFailed(ERROR, f"读取响应失败 ({describe_error(exc)})") from None
        if body.timed_out:
            raise RequestFailed(ERROR, f"读取超时 (响应超过 {self.deadline_seconds:g} 秒未读完)")
        if body.over_limit:
            raise RequestFailed(ERROR, f"页面过大 (超过 {self.max_bytes} 字节)")
        return body.data


def status_result(resp: Response, what: str) -> FetchResult | None:
    """The result a non-200 page response stands for, or None for 200."""
    code = resp.status_code
    if code == 200:
        return None
    if 300 <= code < 400:
        location = redact(resp.headers.get("Location", ""))
        if any(marker in location.lower() for marker in _BLOCKING_REDIRECTS):
            return no_counts(BLOCKED, f"{what} 被重定向到验证/登录页 (HTTP {code} → {location[:120]})")
        return no_counts(ERROR, f"{what} 意外重定向 (HTTP {code} → {location[:120]})")
    if code == 429:
        retry = resp.headers.get("Retry-After", "")
        hint = f", Retry-After {retry[:20]}" if retry else ""
        return FetchResult(BLOCKED, reason=f"{what} 请求过于频繁，稍后重试 (HTTP 429{hint})",
                           retry_after=parse_retry_after(retry) or 0.0)
    if code == 403:
        return no_counts(BLOCKED, f"{what} 拒绝访问，可能被风控 (HTTP 403)")
    if code >= 500:
        return no_counts(ERROR, f"{what} 服务器错误 (HTTP {code})")
    return no_counts(ERROR, f"{what} 返回 HTTP {code}")
