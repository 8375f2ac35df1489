"""Logging set up at the entry points, with every configured secret scrubbed from the output.

Modules only log (``logging.getLogger(__name__)``); the command line, the pass child process
and gunicorn's workers call `configure_logging` once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

#: Shorter values are not scrubbed: replacing every "ab" in a log line would garble it and
#: hide nothing (settings validation keeps real secrets far longer).
MIN_SECRET_LENGTH = 4

#: A Telegram bot token (digits:35 characters) wherever it appears, configured or not: it sits in
#: the Bot API's URL path (/bot<token>/sendMessage), so an error quoting that URL quotes it.
TELEGRAM_TOKEN = re.compile(r"(?<![0-9])\d{5,}:[A-Za-z0-9_-]{30,}")


class SecretScrubber(logging.Filter):
    """Replaces every configured secret, and any Telegram bot token, in log records with ***."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        self.secrets = sorted({secret for secret in secrets if secret and len(secret) >= MIN_SECRET_LENGTH},
                              key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """`text` with every secret replaced."""
        # Longest first: a whole URL goes before the token inside it.
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return TELEGRAM_TOKEN.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the formatted message and, once formatted, the traceback (always: the Telegram
        pattern applies even with no secret configured)."""
        record.msg, record.args = self.scrub(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            # Tracebacks can quote URLs with keys in them: format and scrub them here too.
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
        return True


def configure_logging(secrets: Iterable[str], level: int = logging.INFO) -> None:
    """Log to stderr with `secrets` scrubbed (entry points only; libraries just log)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretScrubber(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
