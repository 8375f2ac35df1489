"""Settings of the Stats Broadcaster, read once from the environment and `.env`.

Every setting of DESIGN.md §2 lives here. `load_config()` parses and validates them in one
place; a bad value raises `ConfigError` whose message names the setting, so every entry point
can print one clear line and exit with code 2.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from broadcaster.accounts import parse_admin_users
from broadcaster.channels import parse_alert_urls, url_secrets
from broadcaster.errors import ConfigError
from broadcaster.proxies import DIRECT, parse_proxy_list, proxy_passwords

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Polite page budgets (requests per minute per platform; 0 = unlimited). YouTube: yt-dlp's wiki
# recommends 5-10 s between watch pages for a guest session, so 8/min (7.5 s). TikTok and
# Douyin publish nothing but escalate to challenges on repeated requests from one IP, so
# 6/min (10 s), one request at a time. See reference/platforms.md §6.
DEFAULT_PAGES_PER_MINUTE = {"YOUTUBE": 8, "TIKTOK": 6, "DOUYIN": 6}

SECRET_SETTINGS = (
    "X2C_WEBHOOK_SECRET",
    "YOUTUBE_API_KEY",
    "TIKHUB_API_KEY",
    "ADMIN_PASSWORD",
    "ADMIN_TOKEN",
    "DATABASE_URL",
)


@dataclasses.dataclass(frozen=True)
class Config:
    """Validated settings; field names are the environment names in lower case."""

    database_url: str | None = None
    broadcast_interval_seconds: int = 180
    site_name: str = "DramaRelayBot"
    x2c_webhook_secret: str | None = dataclasses.field(default=None, repr=False)
    webhook_timeout_seconds: float = 10.0
    webhook_max_attempts: int = 3
    webhook_batch_size: int = 1
    webhook_allow_private_networks: bool = False
    fetch_concurrency: int = 8
    webhook_concurrency: int = 16
    youtube_api_key: str | None = dataclasses.field(default=None, repr=False)
    youtube_daily_quota: int = 10000
    tikhub_api_key: str | None = dataclasses.field(default=None, repr=False)
    youtube_pages_per_minute: int = DEFAULT_PAGES_PER_MINUTE["YOUTUBE"]
    tiktok_pages_per_minute: int = DEFAULT_PAGES_PER_MINUTE["TIKTOK"]
    douyin_pages_per_minute: int = DEFAULT_PAGES_PER_MINUTE["DOUYIN"]
    youtube_api_url: str = "https://www.googleapis.com/youtube/v3"
    youtube_web_url: str = "https://www.youtube.com"
    tiktok_web_url: str = "https://www.tiktok.com"
    douyin_web_url: str = "https://www.iesdouyin.com"
    tikhub_api_url: str = "https://api.tikhub.io"
    admin_username: str = "admin"
    admin_password: str | None = dataclasses.field(default=None, repr=False)
    admin_token: str | None = dataclasses.field(default=None, repr=False)
    log_retention_days: int = 7
    instance_path: str = str(PROJECT_ROOT / "instance")
    # Egress per platform (DESIGN §8): proxy URLs, or "direct"; credentials may be inside.
    youtube_proxies: tuple[str, ...] = dataclasses.field(default=(DIRECT,), repr=False)
    tiktok_proxies: tuple[str, ...] = dataclasses.field(default=(DIRECT,), repr=False)
    douyin_proxies: tuple[str, ...] = dataclasses.field(default=(DIRECT,), repr=False)
    tikhub_platforms: tuple[str, ...] = ("douyin",)
    tikhub_daily_requests: int = 5000
    stale_warn_hours: int = 24
    # Scale-out (DESIGN §10): processes sharing one pass on the claiming host; a helper on
    # another host takes shards of running passes and never starts one.
    pass_workers: int = 1
    pass_helper: bool = False
    count_history_days: int = 90  # DESIGN §9: count-history points older than this are pruned
    # Access (DESIGN §12): named accounts (name, role, werkzeug hash), login throttling, audit.
    admin_users: tuple[tuple[str, str, str], ...] = dataclasses.field(default=(), repr=False)
    login_max_failures: int = 10
    trusted_proxies: int = 0
    audit_retention_days: int = 180
    # Alerts (DESIGN §11): Apprise URLs (tokens inside), thresholds, the page's public address,
    # and a Healthchecks-style ping URL (its path is the secret).
    alert_urls: tuple[str, ...] = dataclasses.field(default=(), repr=False)
    alert_no_pass_minutes: int = 15
    alert_failed_ratio: float = 0.2
    alert_repeat_hours: float = 4.0
    alert_check_seconds: int = 30
    admin_public_url: str | None = None
    healthcheck_url: str | None = dataclasses.field(default=None, repr=False)
    alert_database_gb: float | None = None  # DESIGN §15: database_large fires past this size (None: off)
    # Insight by drama, the daily digest and the sign-in form (DESIGN §17).
    stall_days: int = 3
    digest_at: str | None = None  # "HH:MM", Beijing time (kept as text: settings travel as JSON); None: off
    session_hours: int = 12
    # Not an environment setting: the benchmark turns the suspect-count rule (DESIGN §13) off to
    # measure what it costs. A service always holds back suspect counts.
    suspect_check: bool = True

    def __post_init__(self) -> None:
        # Settings may come back from JSON (the pass's child process): lists become tuples.
        for name in ("youtube_proxies", "tiktok_proxies", "douyin_proxies", "tikhub_platforms", "alert_urls"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "admin_users", tuple(tuple(entry) for entry in self.admin_users))

    def secrets(self) -> list[str]:
        """Every secret value that is set, for scrubbing output (proxy passwords included)."""
        values = [getattr(self, name.lower()) for name in SECRET_SETTINGS]
        values += proxy_passwords(self.youtube_proxies + self.tiktok_proxies + self.douyin_proxies)
        values += [password_hash for _, _, password_hash in self.admin_users]
        for url in (*self.alert_urls, *([self.healthcheck_url] if self.healthcheck_url else [])):
            values += url_secrets(url)
        return [value for value in values if value]

    def proxies(self, platform: str) -> tuple[str, ...]:
        """The egresses of a platform's pages."""
        return getattr(self, f"{platform}_proxies")

    def pages_per_minute(self, platform: str) -> int:
        """The page pace of one egress of a platform (0 = unlimited)."""
        return getattr(self, f"{platform}_pages_per_minute")

    def replace(self, **changes) -> Config:
        """A copy with some settings changed (used by tests and the benchmark)."""
        return dataclasses.replace(self, **changes)


def _text(raw: str | None) -> str | None:
    if raw is None:
        return None
    raw = raw.strip()
    return raw or None


def _integer(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} 无效：需要一个整数 ({low}–{high})") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} 超出范围：需要 {low}–{high}")
    return value


def _number(name: str, raw: str, low: float, high: float) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} 无效：需要一个数字 ({low}–{high})") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} 超出范围：需要 {low}–{high}")
    return value


def _boolean(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}={raw!r} 无效：需要 true 或 false")


def _base_url(name: str, raw: str) -> str:
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} 无效：需要 http(s):// 开头的地址")
    return value


def _database_url(raw: str) -> str:
    if not raw.startswith(("postgresql://", "postgres://")) and "=" not in raw:
        raise ConfigError("DATABASE_URL 无效：需要 postgresql://… 格式的地址")
    return raw


def _clock_time(name: str, raw: str) -> str:
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", raw.strip())
    if match is None:
        raise ConfigError(f"{name}={raw.strip()[:20]!r} 无效：需要 HH:MM（北京时间，00:00–23:59），如 09:30")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _platform_list(name: str, raw: str) -> tuple[str, ...]:
    chosen = [part.strip().lower() for part in raw.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in TIKHUB_PLATFORM_NAMES]
    if unknown:
        raise ConfigError(f"{name} 无效：只能是 {', '.join(TIKHUB_PLATFORM_NAMES)}（逗号分隔），不认识 {unknown[0][:20]!r}")
    return tuple(dict.fromkeys(chosen))


_INTEGERS = {
    "BROADCAST_INTERVAL_SECONDS": (1, 86400),
    "WEBHOOK_MAX_ATTEMPTS": (1, 10),
    "WEBHOOK_BATCH_SIZE": (1, 500),
    "FETCH_CONCURRENCY": (1, 256),
    "WEBHOOK_CONCURRENCY": (1, 256),
    "YOUTUBE_DAILY_QUOTA": (0, 100_000_000),
    "YOUTUBE_PAGES_PER_MINUTE": (0, 10000),
    "TIKTOK_PAGES_PER_MINUTE": (0, 10000),
    "DOUYIN_PAGES_PER_MINUTE": (0, 10000),
    "LOG_RETENTION_DAYS": (1, 3650),
    "TIKHUB_DAILY_REQUESTS": (0, 100_000_000),
    "STALE_WARN_HOURS": (1, 8760),
    "PASS_WORKERS": (1, 64),
    "COUNT_HISTORY_DAYS": (1, 3650),
    "LOGIN_MAX_FAILURES": (1, 1000),
    "TRUSTED_PROXIES": (0, 10),
    "AUDIT_RETENTION_DAYS": (1, 3650),
    "ALERT_NO_PASS_MINUTES": (1, 10080),
    "ALERT_CHECK_SECONDS": (1, 3600),
    "STALL_DAYS": (1, 90),
    "SESSION_HOURS": (1, 720),
}
_PROXY_SETTINGS = ("YOUTUBE_PROXIES", "TIKTOK_PROXIES", "DOUYIN_PROXIES")
TIKHUB_PLATFORM_NAMES = ("douyin", "tiktok")
_URLS = ("YOUTUBE_API_URL", "YOUTUBE_WEB_URL", "TIKTOK_WEB_URL", "DOUYIN_WEB_URL", "TIKHUB_API_URL",
         "ADMIN_PUBLIC_URL", "HEALTHCHECK_URL")
_TEXTS = (
    "SITE_NAME",
    "X2C_WEBHOOK_SECRET",
    "YOUTUBE_API_KEY",
    "TIKHUB_API_KEY",
    "ADMIN_USERNAME",
    "ADMIN_PASSWORD",
    "ADMIN_TOKEN",
    "INSTANCE_PATH",
)


def config_from_mapping(values: Mapping[str, str]) -> Config:
    """Parse settings from a mapping of environment-style names to strings."""
    fields: dict[str, object] = {}
    for name, (low, high) in _INTEGERS.items():
        if _text(values.get(name)) is not None:
            fields[name.lower()] = _integer(name, values[name], low, high)
    if _text(values.get("WEBHOOK_TIMEOUT_SECONDS")) is not None:
        fields["webhook_timeout_seconds"] = _number(
            "WEBHOOK_TIMEOUT_SECONDS", values["WEBHOOK_TIMEOUT_SECONDS"], 0.1, 120
        )
    if values.get("WEBHOOK_ALLOW_PRIVATE_NETWORKS") is not None:
        fields["webhook_allow_private_networks"] = _boolean(
            "WEBHOOK_ALLOW_PRIVATE_NETWORKS", values["WEBHOOK_ALLOW_PRIVATE_NETWORKS"]
        )
    if values.get("PASS_HELPER") is not None:
        fields["pass_helper"] = _boolean("PASS_HELPER", values["PASS_HELPER"])
    if _text(values.get("ALERT_FAILED_RATIO")) is not None:
        fields["alert_failed_ratio"] = _number("ALERT_FAILED_RATIO", values["ALERT_FAILED_RATIO"], 0.0, 1.0)
    if _text(values.get("ALERT_REPEAT_HOURS")) is not None:
        fields["alert_repeat_hours"] = _number("ALERT_REPEAT_HOURS", values["ALERT_REPEAT_HOURS"], 0.1, 720)
    if _text(values.get("ALERT_DATABASE_GB")) is not None:
        fields["alert_database_gb"] = _number("ALERT_DATABASE_GB", values["ALERT_DATABASE_GB"], 0.1, 1_000_000)
    if _text(values.get("ALERT_URLS")) is not None:
        fields["alert_urls"] = parse_alert_urls("ALERT_URLS", values["ALERT_URLS"])
    if _text(values.get("DIGEST_AT")) is not None:
        fields["digest_at"] = _clock_time("DIGEST_AT", values["DIGEST_AT"])
    for name in _URLS:
        if _text(values.get(name)) is not None:
            fields[name.lower()] = _base_url(name, values[name])
    for name in _TEXTS:
        value = _text(values.get(name))
        if value is not None:
            fields[name.lower()] = value
    database_url = _text(values.get("DATABASE_URL"))
    if database_url is not None:
        fields["database_url"] = _database_url(database_url)
    for name in _PROXY_SETTINGS:
        if values.get(name) is not None:
            fields[name.lower()] = parse_proxy_list(name, values[name])
    if values.get("TIKHUB_PLATFORMS") is not None:
        fields["tikhub_platforms"] = _platform_list("TIKHUB_PLATFORMS", values["TIKHUB_PLATFORMS"])
    if _text(values.get("ADMIN_USERS")) is not None:
        # ADMIN_USERNAME is an operator of its own when ADMIN_PASSWORD is set: no second one.
        reserved = (str(fields.get("admin_username", "admin")),) if fields.get("admin_password") else ()
        fields["admin_users"] = parse_admin_users(values["ADMIN_USERS"], reserved)
    if len(str(fields.get("site_name", "x"))) > 200:
        raise ConfigError("SITE_NAME 过长：最多 200 个字符")
    return Config(**fields)


def load_config(environ: Mapping[str, str] | None = None, dotenv_path: str | os.PathLike | None = None) -> Config:
    """Settings from `.env` (when present) overlaid by the process environment."""
    merged: dict[str, str] = {}
    path = Path(dotenv_path) if dotenv_path else PROJECT_ROOT / ".env"
    if path.is_file():
        merged.update({key: value for key, value in dotenv_values(path).items() if value is not None})
    merged.update(os.environ if environ is None else environ)
    return config_from_mapping(merged)
