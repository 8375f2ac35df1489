"""Settings: defaults, parsing, and one clear error naming the setting."""

import pytest

from broadcaster.core.config import CONFIG_SETTINGS, Config, config_from_mapping, load_config
from broadcaster.core.errors import ConfigError


def test_defaults_match_the_contract():
    """With nothing set, every default of docs/settings.md applies."""
    config = config_from_mapping({})

    assert 180 == config.broadcast_interval_seconds
    assert "DramaRelayBot" == config.site_name
    assert 10.0 == config.webhook_timeout_seconds
    assert 3 == config.webhook_max_attempts
    assert 1 == config.webhook_batch_size
    assert config.webhook_allow_private_networks is False
    assert 10000 == config.youtube_daily_quota
    assert "https://www.googleapis.com/youtube/v3" == config.youtube_api_url
    assert "https://www.iesdouyin.com" == config.douyin_web_url
    assert "admin" == config.admin_username
    assert 7 == config.log_retention_days
    assert config.database_url is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BROADCAST_INTERVAL_SECONDS", "abc"),
        ("BROADCAST_INTERVAL_SECONDS", "0"),
        ("WEBHOOK_TIMEOUT_SECONDS", "fast"),
        ("WEBHOOK_MAX_ATTEMPTS", "99"),
        ("WEBHOOK_BATCH_SIZE", "-1"),
        ("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "maybe"),
        ("FETCH_CONCURRENCY", "1.5"),
        ("YOUTUBE_API_URL", "ftp://example.com"),
        ("TIKTOK_WEB_URL", "not a url"),
        ("DATABASE_URL", "mysql://x"),
        ("LOG_RETENTION_DAYS", "0"),
    ],
)
def test_bad_value_names_the_setting(name, value):
    """A bad value raises ConfigError whose one-line message names the setting."""
    with pytest.raises(ConfigError) as info:
        config_from_mapping({name: value})

    assert name in str(info.value)
    assert "\n" not in str(info.value)


def test_values_are_parsed_and_urls_trimmed():
    """Numbers, booleans and base URLs (with a path prefix) are parsed."""
    config = config_from_mapping(
        {
            "BROADCAST_INTERVAL_SECONDS": "60",
            "WEBHOOK_TIMEOUT_SECONDS": "2.5",
            "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
            "YOUTUBE_WEB_URL": "http://127.0.0.1:9000/yt/",
            "YOUTUBE_PAGES_PER_MINUTE": "0",
        }
    )

    assert 60 == config.broadcast_interval_seconds
    assert 2.5 == config.webhook_timeout_seconds
    assert config.webhook_allow_private_networks is True
    assert "http://127.0.0.1:9000/yt" == config.youtube_web_url
    assert 0 == config.youtube_pages_per_minute


def test_dotenv_is_read_and_environment_wins(tmp_path):
    """`.env` supplies values; the process environment overrides them."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("SITE_NAME=FromDotenv\nWEBHOOK_BATCH_SIZE=5\n", encoding="utf-8")

    config = load_config({"WEBHOOK_BATCH_SIZE": "7"}, dotenv_path=dotenv)

    assert "FromDotenv" == config.site_name
    assert 7 == config.webhook_batch_size


def test_secrets_are_not_in_repr():
    """Secrets never show up when a Config is printed or logged."""
    config = Config(x2c_webhook_secret="s3cret-x2c", youtube_api_key="AIzaSECRET", admin_password="pw-secret")

    text = repr(config)

    assert "s3cret-x2c" not in text
    assert "AIzaSECRET" not in text
    assert "pw-secret" not in text
    assert {"s3cret-x2c", "AIzaSECRET", "pw-secret"} <= set(config.secrets())


RANGED = [setting for setting in CONFIG_SETTINGS if setting.parser.bounds]


@pytest.mark.parametrize("setting", RANGED, ids=lambda setting: setting.name)
def test_every_range_takes_its_ends_and_refuses_beyond(setting):
    """Each declared range holds at both ends, and a value past either names the setting in one line."""
    low, high = setting.parser.bounds

    assert low == getattr(config_from_mapping({setting.name: str(low)}), setting.field)
    assert high == getattr(config_from_mapping({setting.name: str(high)}), setting.field)
    for beyond in (low - 1, high + 1):
        with pytest.raises(ConfigError, match=f"^{setting.name}=.* 超出范围：需要 ") as info:
            config_from_mapping({setting.name: str(beyond)})
        assert "\n" not in str(info.value)


def test_error_messages_are_as_operators_know_them():
    """The messages stay word for word what the operator guide and earlier releases print."""
    cases = {
        "LOG_RETENTION_DAYS": ("0", "LOG_RETENTION_DAYS=0 超出范围：需要 1–3650"),
        "WEBHOOK_MAX_ATTEMPTS": ("x", "WEBHOOK_MAX_ATTEMPTS='x' 无效：需要一个整数 (1–10)"),
        "ALERT_FAILED_RATIO": ("2", "ALERT_FAILED_RATIO=2.0 超出范围：需要 0.0–1.0"),
        "PASS_HELPER": ("maybe", "PASS_HELPER='maybe' 无效：需要 true 或 false"),
        "ADMIN_PUBLIC_URL": ("bot.example.com", "ADMIN_PUBLIC_URL 无效：需要 http(s):// 开头的地址"),
        "DATABASE_URL": ("mysql://x", "DATABASE_URL 无效：需要 postgresql://… 格式的地址"),
        "SITE_NAME": ("x" * 201, "SITE_NAME 过长：最多 200 个字符"),
        "DIGEST_AT": ("25:00", "DIGEST_AT='25:00' 无效：需要 HH:MM（北京时间，00:00–23:59），如 09:30"),
        "TIKHUB_PLATFORMS": ("douyin,youtube", "TIKHUB_PLATFORMS 无效：只能是 douyin, tiktok（逗号分隔），不认识 'youtube'"),
    }
    for name, (value, message) in cases.items():
        with pytest.raises(ConfigError) as info:
            config_from_mapping({name: value})
        assert message == str(info.value)


def test_blank_means_default_except_where_empty_is_a_value():
    """A blank setting keeps its default; an empty TIKHUB_PLATFORMS means TikHub reads nothing."""
    blank = config_from_mapping({setting.name: "  " for setting in CONFIG_SETTINGS if not setting.empty_is_value})

    assert Config() == blank
    assert () == config_from_mapping({"TIKHUB_PLATFORMS": ""}).tikhub_platforms
    assert ("tiktok", "douyin") == config_from_mapping({"TIKHUB_PLATFORMS": " TikTok,douyin,tiktok"}).tikhub_platforms


def test_an_account_may_not_take_the_operators_name():
    """With ADMIN_PASSWORD set, ADMIN_USERNAME is an account of its own: ADMIN_USERS may not reuse it."""
    entry = "ops:viewer:scrypt:32768:8:1$salt$0123abcd"

    assert config_from_mapping({"ADMIN_USERNAME": "ops", "ADMIN_USERS": entry}).admin_users
    with pytest.raises(ConfigError, match="^ADMIN_USERS 第 1 项：用户名 ops 重复$"):
        config_from_mapping({"ADMIN_USERNAME": "ops", "ADMIN_PASSWORD": "pw", "ADMIN_USERS": entry})
