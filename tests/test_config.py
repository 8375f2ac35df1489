"""Settings: defaults, parsing, and one clear error naming the setting."""

import pytest

from broadcaster.config import Config, config_from_mapping, load_config
from broadcaster.errors import ConfigError


def test_defaults_match_the_contract():
    """With nothing set, every default of DESIGN.md §2 applies."""
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
