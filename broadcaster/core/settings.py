"""How a setting is declared, how its value is read, and the settings table (docs/settings.md) made from it.

A setting is declared once, as a field of `broadcaster.core.config.Config` made by `setting(...)`:
the field's name in upper case is the environment name, its annotation the type, and the
declaration holds the default, the parser (which knows the range and says what it accepts),
whether the value is secret, and one line of meaning. The loader, `Config.secrets()`, the
settings table below and the tests' environment all read the declarations, so a setting added
there is parsed, documented and scrubbed without a second list to keep in step.

`python -m broadcaster.core.settings` prints the table; `--write` puts it into docs/settings.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from broadcaster.access.accounts import parse_admin_users
from broadcaster.alerting.channels import parse_alert_urls, url_secrets
from broadcaster.core.errors import ConfigError
from broadcaster.fetching.proxies import parse_proxy_list

_DECLARATION = "broadcaster.setting"


@dataclasses.dataclass(frozen=True)
class Parser:
    """Turns a setting's raw text into its value, or raises ConfigError with one line naming the
    setting. `accepts` says in English what it takes, for the settings table; `bounds` are a
    number's lowest and highest values."""

    parse: Callable[[str, str], Any] | None
    accepts: str
    bounds: tuple[float, float] | None = None


@dataclasses.dataclass(frozen=True)
class Setting:
    """One environment variable the project reads."""

    name: str  # the environment name
    default: Any
    parser: Parser
    meaning: str  # one line of English: the settings table's "meaning" column
    # What of a set value is secret (scrubbed from output and never in repr); None: not a secret.
    secret_parts: Callable[[Any], Iterable[str]] | None = None
    shown_default: str | None = None  # the table's default when the value itself would not say it
    empty_is_value: bool = False  # an empty value is a value (not "unset"), e.g. "no platform"
    field: str | None = None  # the Config field; None when another program reads it (read_by)
    read_by: str | None = None

    @property
    def secret(self) -> bool:
        return self.secret_parts is not None


def whole(value: Any) -> list[Any]:
    """The secret part of a plain secret: the whole value."""
    return [value]


def setting(default: Any, parser: Parser, meaning: str, *,
            secret: bool | Callable[[Any], Iterable[str]] = False,
            shown_default: str | None = None, empty_is_value: bool = False) -> Any:
    """A `Config` field declaring a setting. `secret` is True (the whole value is secret) or a
    function naming the secret parts of a value (proxy passwords, tokens inside URLs)."""
    parts = whole if secret is True else (secret or None)
    declaration = Setting("", default, parser, meaning, parts, shown_default, empty_is_value)
    return dataclasses.field(default=default, repr=parts is None, metadata={_DECLARATION: declaration})


def declared(config_class: type) -> tuple[Setting, ...]:
    """The settings a dataclass declares with `setting(...)`, in field order."""
    return tuple(
        dataclasses.replace(field.metadata[_DECLARATION], name=field.name.upper(), field=field.name)
        for field in dataclasses.fields(config_class) if _DECLARATION in field.metadata
    )


def external(name: str, default: Any, accepts: str, meaning: str, *, read_by: str) -> Setting:
    """A setting another program reads itself: declared here so it is documented and scrubbed."""
    return Setting(name, default, Parser(None, accepts), meaning, read_by=read_by)


# Parsers. Error messages are Chinese (operators read them), one line naming the setting.

def _figure(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else str(value)


def _bounded(convert: Callable[[str], float], word: str, chinese: str, low: float, high: float) -> Parser:
    def parse(name: str, raw: str) -> float:
        try:
            value = convert(raw.strip())
        except ValueError:
            raise ConfigError(f"{name}={raw!r} 无效：需要一个{chinese} ({low}–{high})") from None
        if not low <= value <= high:
            raise ConfigError(f"{name}={value} 超出范围：需要 {low}–{high}")
        return value

    return Parser(parse, f"{word} {_figure(low)}–{_figure(high)}", (low, high))


def integer(low: int, high: int) -> Parser:
    return _bounded(int, "integer", "整数", low, high)


def number(low: float, high: float) -> Parser:
    return _bounded(float, "number", "数字", low, high)


def _boolean(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}={raw!r} 无效：需要 true 或 false")


def text(max_length: int | None = None) -> Parser:
    def parse(name: str, raw: str) -> str:
        value = raw.strip()
        if max_length is not None and len(value) > max_length:
            raise ConfigError(f"{name} 过长：最多 {max_length} 个字符")
        return value

    return Parser(parse, "text" if max_length is None else f"text, at most {max_length} characters")


def _base_url(name: str, raw: str) -> str:
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} 无效：需要 http(s):// 开头的地址")
    return value


def _database_url(name: str, raw: str) -> str:
    value = raw.strip()
    if not value.startswith(("postgresql://", "postgres://")) and "=" not in value:
        raise ConfigError(f"{name} 无效：需要 postgresql://… 格式的地址")
    return value


def _clock_time(name: str, raw: str) -> str:
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", raw.strip())
    if match is None:
        raise ConfigError(f"{name}={raw.strip()[:20]!r} 无效：需要 HH:MM（北京时间，00:00–23:59），如 09:30")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


TIKHUB_PLATFORM_NAMES = ("douyin", "tiktok")


def _platform_list(name: str, raw: str) -> tuple[str, ...]:
    chosen = [part.strip().lower() for part in raw.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in TIKHUB_PLATFORM_NAMES]
    if unknown:
        raise ConfigError(f"{name} 无效：只能是 {', '.join(TIKHUB_PLATFORM_NAMES)}（逗号分隔），不认识 {unknown[0][:20]!r}")
    return tuple(dict.fromkeys(chosen))


TEXT = text()
BOOLEAN = Parser(_boolean, "`true` or `false`")
BASE_URL = Parser(_base_url, "`http(s)://` URL, may carry a path prefix")
POSTGRES_URL = Parser(_database_url, "`postgresql://…`, `postgres://…` or a `key=value` DSN")
CLOCK_TIME = Parser(_clock_time, "`HH:MM`, 00:00–23:59")
PLATFORMS = Parser(_platform_list, "comma-separated " + ", ".join(f"`{name}`" for name in TIKHUB_PLATFORM_NAMES)
                   + "; empty: none")
PROXIES = Parser(parse_proxy_list, "comma-separated proxy URLs and `direct`")
CHANNELS = Parser(parse_alert_urls, "Apprise URLs separated by spaces or commas")
ACCOUNTS = Parser(lambda _name, raw: parse_admin_users(raw), "comma-separated `name:role:hash`")


def account_hashes(accounts: Iterable[tuple[str, str, str]]) -> list[str]:
    return [password_hash for _, _, password_hash in accounts]


def url_parts(value: str | Iterable[str] | None) -> list[str]:
    """The secret parts of notification or ping URLs (one URL, or several)."""
    urls = [value] if isinstance(value, str) else list(value or ())
    return [part for url in urls for part in url_secrets(url)]


# The settings table in docs/settings.md

TABLE_START = ("<!-- The settings table is generated from the declarations in broadcaster/core/config.py: "
               "`python -m broadcaster.core.settings --write`. tests/unit/test_settings.py fails when it differs. -->")
TABLE_END = "<!-- End of the generated settings table. -->"


def shown_default(item: Setting) -> str:
    """A setting's default as the settings table and `.env.example` show it."""
    value = item.default
    if item.shown_default is not None:
        return item.shown_default
    if value is None or value == ():
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def _row(item: Setting) -> str:
    name = f"`{item.name}`" + (" (secret)" if item.secret else "")
    cells = (name, shown_default(item), item.parser.accepts, item.meaning)
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def settings_table(settings: Sequence[Setting]) -> str:
    """The Markdown table of every setting: the broadcaster's, then those another program reads."""
    header = ["| setting | default | accepts | meaning |", "|---|---|---|---|"]
    lines = header + [_row(item) for item in settings if item.read_by is None]
    for reader in dict.fromkeys(item.read_by for item in settings if item.read_by):
        lines += ["", f"Read by `{reader}` itself, not by the broadcaster:", "", *header]
        lines += [_row(item) for item in settings if item.read_by == reader]
    return "\n".join(lines)


def with_settings_table(text: str, settings: Sequence[Setting]) -> str:
    """A document's text with its generated block replaced by the table of `settings`."""
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError("the document has no generated settings block (its start and end comments)")
    return f"{text[:start]}{TABLE_START}\n{settings_table(settings)}\n{text[end:]}"


def main(argv: Sequence[str] | None = None) -> int:
    from broadcaster.core.config import PROJECT_ROOT, SETTINGS  # imported here: config declares with this module

    parser = argparse.ArgumentParser(prog="python -m broadcaster.core.settings", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the settings table of docs/settings.md in place")
    parser.add_argument("--doc", type=Path, default=PROJECT_ROOT / "docs" / "settings.md", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.write:
        print(settings_table(SETTINGS))
        return 0
    text = args.doc.read_text(encoding="utf-8")
    args.doc.write_text(with_settings_table(text, SETTINGS), encoding="utf-8")
    print(f"{args.doc}: settings table written ({len(SETTINGS)} settings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
