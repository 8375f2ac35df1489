"""Sessions of the sign-in form (docs/access.md#the-sign-in-form), kept in PostgreSQL.

The cookie holds a random token; the database holds only its SHA-256 with the user's name and
when the session ends. Every gunicorn worker and host reads the same rows, a restart loses
nothing, and signing out deletes the row, so a copied cookie stops working at once everywhere.
The role is not stored: it is the account's role in the settings now, and a session of an
account that no longer exists signs nobody in.
"""

from __future__ import annotations

import hashlib
import secrets

from broadcaster.storage import queries
from broadcaster.storage.db import Database

COOKIE = "broadcaster_session"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def start_session(database: Database, user: str, hours: int) -> str:
    """A new session for `user` lasting `hours`; the token for its cookie."""
    token = secrets.token_urlsafe(32)
    database.execute(queries.INSERT_SESSION, {"token_hash": _hash(token), "user": user, "hours": hours})
    return token


def session_user(database: Database, token: str | None) -> str | None:
    """The user of a live session, or None (no token, unknown, ended or expired)."""
    if not token or len(token) > 100:
        return None
    row = database.fetch_one(queries.FETCH_SESSION_USER, {"token_hash": _hash(token)})
    return row["user_name"] if row else None


def end_session(database: Database, token: str | None) -> None:
    """Sign a session out: its token signs nobody in from now on."""
    if token:
        database.execute(queries.DELETE_SESSION, {"token_hash": _hash(token)})
