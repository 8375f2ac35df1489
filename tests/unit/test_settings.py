"""Each setting declared once (a field of Config): the settings table (docs/settings.md), `.env.example`, the
secrets and the tests' environment all follow the declarations, so none of them can drift."""

from __future__ import annotations

import dataclasses
import re
import runpy

import pytest

from broadcaster.core.config import CONFIG_SETTINGS, SETTINGS, Config
from broadcaster.core.settings import TABLE_END, TABLE_START, main, settings_table, shown_default, with_settings_table
from tests.conftest import ROOT, command_env

BY_NAME = {setting.name: setting for setting in SETTINGS}
# `NAME=value` or `# NAME=example` at the start of a line of .env.example.
ENV_LINE = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")
WRITE = "run `python -m broadcaster.core.settings --write`"


def _settings_doc() -> str:
    return (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")


def _env_example() -> list[tuple[bool, str, str]]:
    """(commented out, name, value) for every assignment in .env.example."""
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return [(bool(match[1]), match[2], match[3]) for match in map(ENV_LINE.match, lines) if match]


def test_settings_table_is_the_declarations():
    """docs/settings.md's settings block is exactly the table the declarations give."""
    doc = _settings_doc()
    block = doc[doc.index(TABLE_START) + len(TABLE_START):doc.index(TABLE_END)]

    assert settings_table(SETTINGS) == block.strip(), f"docs/settings.md's settings table differs from the declarations: {WRITE}"
    assert doc.count(TABLE_START) == 1 and doc.count(TABLE_END) == 1
    assert doc.index("## Every setting") < doc.index(TABLE_START) < doc.index("## Page budgets")


def test_settings_command_rewrites_a_stale_table(tmp_path, capsys):
    """`--write` replaces the block and leaves the rest of the document as it was; without it the
    table is printed."""
    stale = tmp_path / "settings.md"
    stale.write_text(f"# Title\n\n{TABLE_START}\n| old | table |\n{TABLE_END}\n\nAfter.\n", encoding="utf-8")

    main(["--write", "--doc", str(stale)])
    main([])

    assert f"# Title\n\n{TABLE_START}\n{settings_table(SETTINGS)}\n{TABLE_END}\n\nAfter.\n" == stale.read_text("utf-8")
    assert settings_table(SETTINGS) in capsys.readouterr().out
    with pytest.raises(ValueError):
        with_settings_table("no block here", SETTINGS)


def test_every_config_field_is_a_declared_setting():
    """Each field of Config but the benchmark's switch is a declaration; names are unique and are
    the field names in upper case."""
    undeclared = {field.name for field in dataclasses.fields(Config)} - {setting.field for setting in CONFIG_SETTINGS}

    assert {"suspect_check"} == undeclared
    assert len(SETTINGS) == len(BY_NAME)
    assert all(setting.name == setting.field.upper() for setting in CONFIG_SETTINGS)
    assert {"BIND", "PORT", "WEB_CONCURRENCY"} == {setting.name for setting in SETTINGS if setting.read_by}


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda setting: setting.name)
def test_declaration_is_complete(setting):
    """One line of meaning, what it accepts, and a default the table states truthfully: parsing
    the shown default gives the default back."""
    assert setting.meaning.strip() and "\n" not in setting.meaning
    assert setting.parser.accepts and "\n" not in setting.parser.accepts
    if setting.read_by is None:
        assert setting.parser.parse is not None
        if setting.default not in (None, ()) and setting.shown_default is None:
            assert setting.default == setting.parser.parse(setting.name, shown_default(setting))


def test_env_example_names_every_setting_once_and_nothing_else():
    """Every declared setting appears in .env.example (set, or commented out with an example), once;
    nothing there is undeclared."""
    names = [name for _, name, _ in _env_example()]

    assert set() == set(BY_NAME) - set(names), "declared but missing from .env.example"
    assert set() == set(names) - set(BY_NAME), "in .env.example but not declared"
    assert len(names) == len(set(names)), "named twice in .env.example"


def test_env_example_values_are_the_defaults():
    """The values .env.example sets are the defaults, as its header says (the commented-out lines
    are examples, some with placeholders)."""
    assigned = [(name, value) for commented, name, value in _env_example() if not commented]

    assert len(assigned) >= 30
    for name, value in assigned:
        setting = BY_NAME[name]
        assert setting.parser.parse is not None, f"{name} is read by {setting.read_by}: leave it commented out"
        assert setting.default == setting.parser.parse(name, value), f"{name}={value}: the default is {setting.default!r}"


def test_secrets_are_the_declared_ones():
    """Exactly these settings are secret (a declaration losing `secret=` fails here): none is in
    the repr, every set one is in Config.secrets(), and no other setting is."""
    secret = {setting.name for setting in SETTINGS if setting.secret}
    config = Config(
        database_url="postgresql://u:db-pw-1@db.example.com/x", x2c_webhook_secret="x2c-secret-1",
        youtube_api_key="yt-key-1", tikhub_api_key="tikhub-key-1", admin_password="admin-pw-1",
        admin_token="admin-token-1", youtube_proxies=("http://u:proxy-pw-1@p.example.com:8080",),
        tiktok_proxies=("http://u:proxy-pw-2@p.example.com:8080",),
        douyin_proxies=("socks5://u:proxy-pw-3@p.example.com:1080",),
        admin_users=(("alice", "operator", "scrypt:32768:8:1$salt$hash-1"),),
        alert_urls=("tgram://123456789:AAHtoken1234567890/-1001",),
        healthcheck_url="https://hc-ping.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", site_name="Public Name",
    )
    text, secrets = repr(config), config.secrets()

    assert {"DATABASE_URL", "X2C_WEBHOOK_SECRET", "YOUTUBE_API_KEY", "TIKHUB_API_KEY", "ADMIN_PASSWORD",
            "ADMIN_TOKEN", "YOUTUBE_PROXIES", "TIKTOK_PROXIES", "DOUYIN_PROXIES", "ADMIN_USERS", "ALERT_URLS",
            "HEALTHCHECK_URL"} == secret
    for value in ("db-pw-1", "x2c-secret-1", "yt-key-1", "tikhub-key-1", "admin-pw-1", "admin-token-1",
                  "proxy-pw-1", "proxy-pw-2", "proxy-pw-3", "hash-1", "AAHtoken1234567890", "0f1e2d3c"):
        assert value not in text
        assert any(value in part for part in secrets), value
    assert "Public Name" in text and not any("Public Name" in part for part in secrets)
    assert [] == Config().secrets()


def test_command_env_keeps_every_declared_setting_out(monkeypatch, tmp_path):
    """A developer's own settings (gunicorn's included) never reach a spawned command; other
    variables do."""

    class NoUpstream:
        def settings_env(self):
            return {}

    for name in BY_NAME:
        monkeypatch.setenv(name, f"leaked-{name}")
    monkeypatch.setenv("SOMETHING_ELSE", "kept")

    env = command_env("postgresql://db.example.com/test", NoUpstream(), tmp_path, SITE_NAME="Given")

    assert [] == [name for name, value in env.items() if value.startswith("leaked-")]
    assert "kept" == env["SOMETHING_ELSE"] and "Given" == env["SITE_NAME"]


def test_gunicorn_defaults_are_the_declared_ones(monkeypatch):
    """gunicorn.conf.py reads BIND, PORT and WEB_CONCURRENCY itself: its defaults are the ones the
    settings table states."""
    for name in ("BIND", "PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    assert BY_NAME["BIND"].default == conf["bind"]
    assert BY_NAME["WEB_CONCURRENCY"].default == conf["workers"]
    assert BY_NAME["PORT"].default is None
