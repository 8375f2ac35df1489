"""Signed webhook delivery to X2C Pool callback URLs.

The body is serialised once; those exact bytes are signed and sent. Delivery never follows
redirects, refuses callback hosts on private networks (unless allowed), retries only what a
retry can fix (timeouts, connection errors, 408, 429, 5xx) and trips a per-host circuit
breaker so a dead receiver costs seconds, not hours.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import ipaddress
import logging
import random
import socket
import threading
import time
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES, InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter

from broadcaster.core.httpclient import RETRY_AFTER_CAP_SECONDS, ThreadSessions, parse_retry_after, read_capped

logger = logging.getLogger(__name__)

USER_AGENT = "DramaRelayBot-StatsBroadcaster/1.0"
EVENT_NAME = "task.daily_stats"
MAX_RESPONSE_BYTES = 64 * 1024
BREAKER_THRESHOLD = 3  # consecutive timeouts/connection failures that open a host's breaker
BACKOFF_BASE_SECONDS = 0.5  # the wait before retry n is this × 2^(n-1), ±20 %
RETRYABLE_STATUS = {408, 429}
MAX_CALLBACK_URL_LENGTH = 2048
BREAKER_MESSAGE = "回调主机连续超时或无法连接，本轮其余回传已快速失败"


class CallbackURLError(ValueError):
    """A callback URL is not acceptable; the message says why (in Chinese)."""


def sign_body(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256(secret, body)>` over exactly the sent bytes."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def is_public_address(address: str) -> bool:
    """True when an IP address is globally routable (IPv4-mapped IPv6 unwrapped first)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast:
        return False
    return not any(ip in net for net in EXTRA_BLOCKED_NET_RANGES if net.version == ip.version)


def check_callback_url(url: object, *, allow_private: bool, resolve=socket.getaddrinfo) -> str:
    """Return the URL when it is http(s) and its host resolves only to allowed addresses."""
    if not isinstance(url, str) or not url.strip():
        raise CallbackURLError("回调地址不能为空")
    url = url.strip()
    if len(url) > MAX_CALLBACK_URL_LENGTH:
        raise CallbackURLError(f"回调地址过长（最多 {MAX_CALLBACK_URL_LENGTH} 个字符）")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise CallbackURLError("回调地址格式不正确") from None
    if parts.scheme not in ("http", "https"):
        raise CallbackURLError("回调地址必须以 http:// 或 https:// 开头")
    if not parts.hostname:
        raise CallbackURLError("回调地址缺少主机名")
    if parts.username is not None or parts.password is not None:
        raise CallbackURLError("回调地址不能包含用户名或密码")
    if allow_private:
        return url
    try:
        infos = resolve(parts.hostname, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise CallbackURLError(f"回调地址的主机名无法解析：{parts.hostname}") from None
    for info in infos:
        address = info[4][0]
        if not is_public_address(address):
            raise CallbackURLError(f"回调地址指向内网或保留地址（{address}），已拒绝")
    return url


@dataclasses.dataclass(frozen=True)
class Delivery:
    """The outcome of delivering one webhook (after every attempt)."""

    ok: bool
    http_status: int | None
    attempts: int
    latency_ms: int
    error: str | None

    @property
    def went_out(self) -> bool:
        """A body was sent (not refused before the first attempt, e.g. by an open breaker)."""
        return self.ok or self.attempts > 0


def callback_host(url: str | None) -> str | None:
    """A callback URL's host name as written (lower case, no port): the breaker's key, the
    webhook log's `callback_host` and the callback-host figures all name a host so."""
    try:
        return urlsplit(url or "").hostname or None
    except ValueError:
        return None


class _PinnedAdapter(IPFilterAdapter):
    """requests-hardened's IP-filtering adapter with a pool sized to our concurrency."""

    def __init__(self, *, is_https_proto: bool, pool_maxsize: int):
        super().__init__(is_https_proto=is_https_proto, allow_loopback=False)
        HTTPAdapter.__init__(self, pool_connections=8, pool_maxsize=pool_maxsize)


def make_webhook_session(*, allow_private: bool, pool_maxsize: int = 8) -> requests.Session:
    """A session for callbacks: no proxies from the environment, SSRF-pinned unless allowed."""
    session = requests.Session()
    # A proxy would resolve names itself and bypass the address check.
    session.trust_env = False
    if allow_private:
        adapter_http = adapter_https = HTTPAdapter(pool_connections=8, pool_maxsize=pool_maxsize)
    else:
        adapter_http = _PinnedAdapter(is_https_proto=False, pool_maxsize=pool_maxsize)
        adapter_https = _PinnedAdapter(is_https_proto=True, pool_maxsize=pool_maxsize)
    session.mount("http://", adapter_http)
    session.mount("https://", adapter_https)
    return session


class CircuitBreakers:
    """Per-host count of consecutive timeouts/connection failures within one pass."""

    def __init__(self, threshold: int = BREAKER_THRESHOLD):
        self.threshold = threshold
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def is_open(self, host: str) -> bool:
        """True once the host failed `threshold` times in a row."""
        with self._lock:
            return self._failures.get(host, 0) >= self.threshold

    def record(self, host: str, *, unreachable: bool) -> None:
        """Count an unreachable attempt, or reset the host's count on any answer."""
        with self._lock:
            self._failures[host] = self._failures.get(host, 0) + 1 if unreachable else 0


class WebhookSender:
    """Deliver signed bodies with bounded retries; safe to call from many threads."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        max_attempts: int = 3,
        allow_private: bool = False,
        pool_maxsize: int = 8,
        stop_event: threading.Event | None = None,
        breakers: CircuitBreakers | None = None,
        backoff_base: float = BACKOFF_BASE_SECONDS,
        retry_after_cap: float = RETRY_AFTER_CAP_SECONDS,
        clock=time.time,
    ):
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.allow_private = allow_private
        self.pool_maxsize = pool_maxsize
        self.stop_event = stop_event or threading.Event()
        self.breakers = breakers or CircuitBreakers()
        self.backoff_base = backoff_base
        self.retry_after_cap = retry_after_cap
        self.clock = clock
        self._sessions = ThreadSessions(
            lambda: make_webhook_session(allow_private=allow_private, pool_maxsize=pool_maxsize)
        )

    def close(self) -> None:
        """Close every per-thread session."""
        self._sessions.close()

    def headers(self, body: bytes, secret: str | None, webhook_id: str) -> dict[str, str]:
        """Headers of one attempt; the timestamp is fresh on every attempt."""
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Webhook-Event": EVENT_NAME,
            "X-Webhook-Id": webhook_id,
            "X-Webhook-Timestamp": str(int(self.clock())),
        }
        if secret:
            headers["X-Webhook-Signature"] = sign_body(secret, body)
        return headers

    def deliver(self, url: str, body: bytes, *, secret: str | None, webhook_id: str) -> Delivery:
        """POST `body` to `url` until it is accepted, fails for good, or attempts run out."""
        started = time.monotonic()
        try:
            # The URL may come straight from the bot's table: check its form once here. The
            # addresses are checked at connection time, on every attempt, by the pinned adapter.
            check_callback_url(url, allow_private=True)
        except CallbackURLError as exc:
            return self._result(False, None, 0, started, str(exc))
        host = callback_host(url) or ""
        attempts = 0
        status: int | None = None
        error: str | None = None
        while attempts < self.max_attempts:
            if self.breakers.is_open(host):
                error = BREAKER_MESSAGE if attempts == 0 else f"{error}；{BREAKER_MESSAGE}"
                break
            if self.stop_event.is_set():
                error = error or "服务已停止，回传被中断"
                break
            attempts += 1
            outcome = self._attempt(url, body, secret, webhook_id)
            status, error, retry, wait = outcome
            self.breakers.record(host, unreachable=status is None and retry)
            if status is not None and 200 <= status < 300:
                return self._result(True, status, attempts, started, None)
            if not retry or attempts >= self.max_attempts:
                break
            delay = wait if wait is not None else self._backoff(attempts)
            if self.stop_event.wait(delay):
                error = f"{error}；服务已停止，不再重试"
                break
        return self._result(False, status, attempts, started, error)

    def _backoff(self, attempt: int) -> float:
        base = self.backoff_base * (2 ** (attempt - 1))
        return min(base, 10.0) * random.uniform(0.8, 1.2)

    def _result(self, ok: bool, status: int | None, attempts: int, started: float, error: str | None) -> Delivery:
        latency_ms = int((time.monotonic() - started) * 1000)
        return Delivery(ok=ok, http_status=status, attempts=attempts, latency_ms=latency_ms, error=error)

    def _attempt(self, url: str, body: bytes, secret: str | None, webhook_id: str):
        """One POST: (status, error, retryable, wait seconds or None)."""
        headers = self.headers(body, secret, webhook_id)
        try:
            session = self._sessions.get()
            # requests' documented Prepared Requests: the session adds nothing we need (no
            # cookies, auth or environment proxies), and skipping its per-call merging saves
            # about 5 % of a batch-1 pass's CPU (docs/performance.md#speed-tricks-each-measured). The session still
            # supplies the SSRF-pinning adapter and the pool.
            prepared = requests.Request("POST", url, headers=headers, data=body).prepare()
            response = session.send(
                prepared, timeout=(min(5.0, self.timeout), self.timeout), allow_redirects=False, stream=True
            )
        except InvalidIPAddress:
            return None, "回调地址指向内网或保留地址，已拒绝", False, None
        except requests.Timeout:
            return None, f"回调超时（超过 {self.timeout:g} 秒无响应）", True, None
        except requests.ConnectionError as exc:
            return None, _connection_reason(exc), True, None
        except requests.RequestException as exc:
            return None, f"回调请求失败：{type(exc).__name__}", False, None
        try:
            excerpt = read_capped(response, MAX_RESPONSE_BYTES, deadline=time.monotonic() + self.timeout).data
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError):
            excerpt = b""  # the status line already says how the receiver answered
        finally:
            response.close()
        status = response.status_code
        if 200 <= status < 300:
            return status, None, False, None
        detail = f"HTTP {status}"
        if excerpt:
            detail += "：" + excerpt.decode("utf-8", "replace").strip()[:200]
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            return status, f"回调地址返回重定向（{status} → {location[:200]}），不会跟随；请更新回调地址", False, None
        if status in RETRYABLE_STATUS or status >= 500:
            wait = parse_retry_after(response.headers.get("Retry-After"), cap=self.retry_after_cap)
            return status, detail, True, wait
        return status, detail, False, None


def _connection_reason(exc: requests.ConnectionError) -> str:
    text = str(exc)
    if "Failed to resolve" in text or "Name or service not known" in text:
        return "回调地址的主机名无法解析"
    if "Connection refused" in text:
        return "回调地址拒绝连接"
    return "无法连接回调地址"


class PrintingSender:
    """A sender for dry runs: prints each body as one JSON line and sends nothing."""

    def __init__(self, write=None):
        self._write = write or (lambda line: print(line, flush=True))
        self._lock = threading.Lock()

    def deliver(self, url: str, body: bytes, *, secret: str | None, webhook_id: str) -> Delivery:
        """Print exactly the bytes that would be sent, and call it delivered."""
        with self._lock:
            self._write(body.decode("utf-8"))
        return Delivery(ok=True, http_status=None, attempts=0, latency_ms=0, error=None)

    def close(self) -> None:
        """Nothing to close."""
