"""Notification channels (ALERT_URLS) through Apprise: parsing, masking, secrets and sending.

Apprise speaks Telegram, DingTalk, WeCom, Feishu, Slack, e-mail and a generic JSON POST from
one URL syntax; this module only adds what the broadcaster needs around it: a start-up check
that names the bad entry without quoting it, a masked form for the page, the secrets a URL
carries (for the log scrubber), a hard time limit per channel, and a retry of a 429 that waits
as long as the service asked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator

import requests

from broadcaster.core.errors import ConfigError

logger = logging.getLogger(__name__)

#: The longest one channel may take for one attempt (docs/operations.md#alerts).
CHANNEL_TIMEOUT_SECONDS = 10.0
#: A 429 asking for a longer wait than this is recorded as failed instead of retried.
MAX_RETRY_AFTER_SECONDS = 60.0

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,19})://")
_HOSTNAME = re.compile(r"^(localhost|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$")
_PIECES = re.compile(r"[/:@?&=,#;]+")


def split_urls(raw: str) -> list[str]:
    """The entries of a setting that lists URLs separated by spaces or commas."""
    return [part for part in re.split(r"[\s,]+", raw) if part]


@contextlib.contextmanager
def _apprise_quiet() -> Iterator[None]:
    """Silence Apprise's own logger: its warnings about a bad URL quote the URL, token and all."""
    apprise_logger = logging.getLogger("apprise")
    was = apprise_logger.disabled
    apprise_logger.disabled = True
    try:
        yield
    finally:
        apprise_logger.disabled = was


def _instantiate(url: str):
    import apprise  # imported on first use: most processes never send an alert

    return apprise.Apprise.instantiate(url)


def parse_alert_urls(name: str, raw: str) -> tuple[str, ...]:
    """The Apprise URLs of a setting; ConfigError naming the setting and the entry's position
    (never its text, which holds a token) when one is not a notification URL Apprise knows."""
    urls = split_urls(raw)
    for position, url in enumerate(urls, start=1):
        scheme = _SCHEME.match(url)
        with _apprise_quiet():  # start-up runs once, in one thread: a plain switch is enough
            plugin = _instantiate(url) if scheme is not None else None
        if plugin is None:
            kind = f"（{scheme.group(1).lower()}://）" if scheme else ""
            raise ConfigError(f"{name} 第 {position} 项{kind}无效：不是可用的 Apprise 通知地址")
    return tuple(urls)


def mask_channel(url: str) -> str:
    """scheme://host when the host is a real host name, else scheme://***; never a token."""
    scheme = _SCHEME.match(url)
    if scheme is None:
        return "***"
    rest = url[scheme.end():]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    host = authority if _HOSTNAME.match(authority) else "***"
    return f"{scheme.group(1).lower()}://{host}"


def url_secrets(url: str) -> list[str]:
    """What in a notification or ping URL may be secret: the whole URL, a password, and every
    piece that looks like a token or key (digits and letters, or long). The host stays
    readable when it is a real host name."""
    scheme = _SCHEME.match(url)
    rest = url[scheme.end():] if scheme else url
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    userinfo, _, host = authority.rpartition("@")
    secrets = [url]
    if ":" in userinfo:
        secrets.append(userinfo.partition(":")[2])
    public = {host, host.partition(":")[0]} if _HOSTNAME.match(host) else set()
    for piece in _PIECES.split(rest):
        if piece in public or len(piece) < 6:
            continue
        if len(piece) >= 16 or (re.search(r"\d", piece) and re.search(r"[A-Za-z]", piece)):
            secrets.append(piece)
    if ":" in authority and not public:  # a Telegram token: 123456:ABC… as the host
        secrets.append(authority.rpartition("@")[2])
    return [secret for secret in dict.fromkeys(secrets) if secret]


# --------------------------------------------------------------------------------------------
# Seeing the HTTP answers behind Apprise, on this thread only


_observer = threading.local()
_install_lock = threading.Lock()
_installed = False


def _install_observer() -> None:
    """Wrap requests' Session.send once so a channel's thread can see the status and Retry-After
    of the answers Apprise gets (Apprise reports only success or failure). Threads that are not
    sending a notification are untouched."""
    global _installed
    with _install_lock:
        if _installed:
            return
        original = requests.Session.send

        def send(self, request, **kwargs):
            seen = getattr(_observer, "responses", None)
            try:
                response = original(self, request, **kwargs)
            except requests.Timeout:
                if seen is not None:
                    seen.append(("timeout", None))
                raise
            except requests.ConnectionError:
                if seen is not None:
                    seen.append(("unreachable", None))
                raise
            if seen is not None:
                seen.append((response.status_code, retry_after(response)))
            return response

        requests.Session.send = send
        # Apprise's own warnings become the reason in our one log line per attempt and in the
        # event, instead of a second, unscrubbed-by-channel line of their own.
        logging.getLogger("apprise").addFilter(_keep_channel_notes)
        _installed = True


def _keep_channel_notes(record: logging.LogRecord) -> bool:
    """On a channel's thread, keep Apprise's warnings as notes instead of logging them."""
    notes = getattr(_observer, "notes", None)
    if notes is None:
        return True
    if record.levelno >= logging.WARNING:
        notes.append(record.getMessage())
    return False


def retry_after(response: requests.Response) -> float | None:
    """Seconds a 429 asks to wait: the Retry-After header, or Telegram's parameters.retry_after."""
    if response.status_code != 429:
        return None
    header = response.headers.get("Retry-After", "")
    if header.strip().isdigit():
        return float(header.strip())
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        value = response.json().get("parameters", {}).get("retry_after")
        if value is not None:
            return float(value)
    return None


@dataclasses.dataclass
class ChannelResult:
    """How one channel took one message."""

    channel: str  # masked
    ok: bool
    error: str | None = None
    retry_after: float | None = None  # set when the channel answered 429


def _attempt(url: str, title: str, body: str, timeout: float) -> ChannelResult:
    """One notification to one channel, in a daemon thread given at most `timeout` seconds."""
    outcome: dict = {}

    def work() -> None:
        _observer.responses, _observer.notes = [], []
        try:
            plugin = _instantiate(url)  # its warnings are this thread's notes (_keep_channel_notes)
            # Apprise's own socket timeouts, inside the overall limit below.
            plugin.socket_connect_timeout = min(4.0, timeout / 2)
            plugin.socket_read_timeout = max(1.0, timeout - plugin.socket_connect_timeout - 0.5)
            # Plain text, said so: Telegram reads HTML, and a `&` or `<` in a project's title or
            # an error text would otherwise make it refuse the whole message.
            outcome["ok"] = bool(plugin.notify(body=body, title=title, body_format="text"))
        except Exception as exc:  # a plugin bug must not escape into the sender
            outcome["ok"], outcome["exception"] = False, type(exc).__name__
        finally:
            outcome["responses"], outcome["notes"] = list(_observer.responses), list(_observer.notes)
            _observer.responses = _observer.notes = None

    _install_observer()
    thread = threading.Thread(target=work, name="alert-channel", daemon=True)
    thread.start()
    thread.join(timeout)
    channel = mask_channel(url)
    if thread.is_alive():  # a hanging service: give up; the daemon thread ends with its timeout
        return ChannelResult(channel, False, f"超时（{timeout:.0f} 秒内没有完成）")
    if outcome.get("ok"):
        return ChannelResult(channel, True)
    responses = outcome.get("responses", [])
    waits = [wait for status, wait in responses if status == 429]
    if waits:
        wait = max((w for w in waits if w is not None), default=None)
        return ChannelResult(channel, False, "HTTP 429（请求过于频繁）", retry_after=wait if wait is not None else 1.0)
    failures = [status for status, _ in responses if status != 429]
    if failures and failures[-1] == "timeout":
        return ChannelResult(channel, False, f"超时（{timeout:.0f} 秒内没有应答）")
    if failures and failures[-1] == "unreachable":
        return ChannelResult(channel, False, "无法连接")
    failures = [status for status in failures if isinstance(status, int) and not 200 <= status < 300]
    if failures:
        return ChannelResult(channel, False, f"HTTP {failures[-1]}{_detail(url, outcome['notes'])}")
    if "exception" in outcome:
        return ChannelResult(channel, False, f"发送出错（{outcome['exception']}）")
    return ChannelResult(channel, False, "发送失败（对方拒绝了消息）")


def _detail(url: str, notes: list[str]) -> str:
    """Apprise's last warning (e.g. Telegram's "chat not found"), with the channel's secrets
    scrubbed: it goes to the log, the event and the API answer."""
    if not notes:
        return ""
    from broadcaster.core.logs import SecretScrubber  # logs imports nothing of ours; kept local all the same

    # "Failed to send Telegram notification to -100…: Bad Request: chat not found, error=400." → the reason
    reason = re.sub(r",?\s*error=\d+\.?$", "", notes[-1].rpartition(": ")[2]).strip().rstrip(".")
    return f"：{SecretScrubber(url_secrets(url)).scrub(reason)[:200]}" if reason else ""


def send_to_channel(url: str, title: str, body: str, *, timeout: float = CHANNEL_TIMEOUT_SECONDS,
                    max_retry_after: float = MAX_RETRY_AFTER_SECONDS,
                    sleep: Callable[[float], object] = time.sleep) -> ChannelResult:
    """Send to one channel; a 429 is retried once, no sooner than the channel asked (and not at
    all when it asks for more than `max_retry_after`). Each failed attempt is logged once."""
    result = _attempt(url, title, body, timeout)
    if not result.ok:
        logger.warning("alert channel %s failed: %s", result.channel, result.error,
                       extra={"action": "alert_channel_failed"})
    if result.ok or result.retry_after is None:
        return result
    if result.retry_after > max_retry_after:
        result.error = f"HTTP 429：对方要求 {result.retry_after:.0f} 秒后再发，已放弃"
        return result
    sleep(result.retry_after)
    retried = _attempt(url, title, body, timeout)
    if not retried.ok:
        logger.warning("alert channel %s failed again after waiting %.0f s: %s", retried.channel,
                       result.retry_after, retried.error, extra={"action": "alert_channel_failed"})
    return retried


def send_to_channels(urls: Iterable[str], title: str, body: str, **options) -> list[ChannelResult]:
    """Send to every channel at once (each within its own time limit); results in channel order."""
    urls = list(urls)
    results: list[ChannelResult | None] = [None] * len(urls)

    def send(index: int, url: str) -> None:
        results[index] = send_to_channel(url, title, body, **options)

    threads = [threading.Thread(target=send, args=(index, url), name="alert-send", daemon=True)
               for index, url in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [result or ChannelResult(mask_channel(url), False, "发送出错") for result, url in zip(results, urls)]
