"""Sessions of the sign-in form (docs/access.md#the-sign-in-form): kept by a hash of the cookie's token."""

from __future__ import annotations

INSERT_SESSION = """
INSERT INTO broadcaster_sessions (token_hash, user_name, expires_at)
VALUES (%(token_hash)s, %(user)s, NOW() + make_interval(hours => %(hours)s))
"""

FETCH_SESSION_USER = """
SELECT user_name FROM broadcaster_sessions WHERE token_hash = %(token_hash)s AND expires_at > NOW()
"""

DELETE_SESSION = "DELETE FROM broadcaster_sessions WHERE token_hash = %(token_hash)s"

PRUNE_SESSIONS = """
DELETE FROM broadcaster_sessions WHERE token_hash IN (
    SELECT token_hash FROM broadcaster_sessions WHERE expires_at < NOW() LIMIT %(batch)s)
"""
