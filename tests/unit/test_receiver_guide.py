"""The receiver's guide in BROADCASTER_README.md ("X2C 接收端"): its Python and Node.js signature
checks, taken from the README itself so they cannot drift, accept a webhook the broadcaster really
sent (captured by the fake receiver, byte for byte) and refuse it changed by one byte, re-serialised,
under another secret, or without its signature."""

from __future__ import annotations

import json
import re

import pytest

import stats_broadcaster as sb
from tests.conftest import ROOT, insert_task

SECRET = "x2c-密钥-2026"
SECTION = "## X2C 接收端"


def guide_snippets() -> dict[str, str]:
    """The section's code blocks by language: exactly one python and one js."""
    text = (ROOT / "BROADCASTER_README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.index("\n## ", len(SECTION))]
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, re.S)
    assert ["python", "js"] == [language for language, _ in blocks]
    return dict(blocks)


@pytest.fixture
def delivery(database, fake, fake_config):
    """One webhook of a real pass, as the receiver got it: a Chinese site name and title, so the
    raw bytes differ from an ASCII-escaped re-serialisation."""
    fake.add_video("tiktok", "7504044860782021930", 5000, 120)
    fake.set_receiver("x2c", secret=SECRET)
    insert_task(database, title="《签名》第1集", video_url="https://www.tiktok.com/@u/video/7504044860782021930",
                callback_url=fake.callback_url("x2c"), callback_secret=SECRET)
    sb.broadcast_all_tasks(fake_config.replace(site_name="短剧分发站"), database, trigger="cli")
    [webhook] = fake.received("x2c")
    assert webhook.signature_ok and "短剧分发站".encode() in webhook.body
    return webhook


def checks(webhook) -> list[tuple[str, str, bytes, str | None, bool]]:
    """(what, secret, body, signature header, should it verify)."""
    body, signature = webhook.body, webhook.headers["X-Webhook-Signature"]
    changed = body.replace(b'"tt_view_count":5000', b'"tt_view_count":5001')
    assert changed != body
    reserialised = json.dumps(json.loads(body)).encode()
    assert reserialised != body
    return [
        ("as sent", SECRET, body, signature, True),
        ("one count changed", SECRET, changed, signature, False),
        ("parsed and serialised again", SECRET, reserialised, signature, False),
        ("another secret", "another-secret", body, signature, False),
        ("no signature header", SECRET, body, None, False),
        ("a signature of the wrong length", SECRET, body, signature[:-2], False),
    ]


def test_the_python_check_verifies_what_was_really_sent(delivery):
    namespace: dict = {}
    exec(guide_snippets()["python"], namespace)  # noqa: S102 - the README's own snippet, under test

    for what, secret, body, signature, expected in checks(delivery):
        assert expected is namespace["verify_signature"](secret, body, signature), what


