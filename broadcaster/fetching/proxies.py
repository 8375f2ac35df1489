"""Egress proxy URLs: parsed from settings, masked for display, keyed for storage.

``YOUTUBE_PROXIES``, ``TIKTOK_PROXIES`` and ``DOUYIN_PROXIES`` are comma-separated lists of
``http://``, ``https://``, ``socks5://`` or ``socks5h://`` URLs with optional ``user:pass@``;
the word ``direct`` stands for no proxy. A password never leaves this module except inside the
URL handed to `requests`: errors and labels show ``***`` instead.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from broadcaster.core.errors import ConfigError

DIRECT = "direct"
SCHEMES = ("http", "https", "socks5", "socks5h")


def parse_proxy_list(setting: str, raw: str | None) -> tuple[str, ...]:
    """The egresses a setting names, in order; ``("direct",)`` when unset. Raises ConfigError
    naming the setting and the bad entry's position (never its password)."""
    if raw is None or not raw.strip():
        return (DIRECT,)
    entries = [entry.strip() for entry in raw.split(",")]
    egresses: list[str] = []
    for position, entry in enumerate(entries, start=1):
        url = _checked(setting, position, entry)
        if url not in egresses:
            egresses.append(url)
    return tuple(egresses)


def _checked(setting: str, position: int, entry: str) -> str:
    where = f"{setting} 第 {position} 项"
    if not entry:
        raise ConfigError(f"{where} 为空：多个代理用英文逗号分隔")
    if entry.lower() == DIRECT:
        return DIRECT
    try:
        parts = urlsplit(entry)
        port = parts.port
    except ValueError:
        raise ConfigError(f"{where} 无效：端口或地址格式不正确 ({mask_proxy(entry)})") from None
    if parts.scheme.lower() not in SCHEMES:
        raise ConfigError(f"{where} 无效：只支持 http://、https://、socks5://、socks5h:// 或 direct")
    if not parts.hostname:
        raise ConfigError(f"{where} 无效：缺少代理主机名 ({mask_proxy(entry)})")
    if port is None:
        raise ConfigError(f"{where} 无效：缺少端口，例如 http://proxy.example.com:8080")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(f"{where} 无效：代理地址不能带路径或参数 ({mask_proxy(entry)})")
    if (parts.username is None) != (parts.password is None):
        raise ConfigError(f"{where} 无效：用户名和密码需同时提供 (user:pass@host:port)")
    return entry


def mask_proxy(url: str) -> str:
    """The proxy as an operator may see it: credentials replaced by ***."""
    if url == DIRECT:
        return DIRECT
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = parts.port
    except ValueError:
        return "***"
    credentials = "***@" if "@" in parts.netloc else ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{credentials}{host}" + (f":{port}" if port else "")


def egress_key(platform: str, url: str) -> str:
    """A stable id for one egress of a platform that reveals nothing of its credentials."""
    if url == DIRECT:
        return f"{platform}:direct"
    return f"{platform}:{hashlib.sha256(url.encode('utf-8')).hexdigest()[:12]}"


def proxy_passwords(urls) -> list[str]:
    """The passwords inside proxy URLs, for scrubbing logs."""
    found = []
    for url in urls:
        if url == DIRECT:
            continue
        try:
            password = urlsplit(url).password
        except ValueError:
            continue
        if password:
            found.append(password)
    return found
