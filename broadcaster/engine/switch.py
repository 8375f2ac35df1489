"""The switch: scheduled passes run only while it is on; turning it off stops the pass in progress."""

from __future__ import annotations

from broadcaster.storage import queries
from broadcaster.storage.db import Database, wrap_errors


def switch_on(database: Database) -> bool:
    """Turn the service on; False when it already was."""
    return database.execute(queries.SWITCH_ON) == 1


def switch_off(database: Database) -> bool:
    """Turn the service off and interrupt any pass in progress (manual ones too).

    False when there was nothing to stop: the switch was off and no pass was running.
    """
    with database.connection() as conn, wrap_errors("数据库写入失败"):
        with conn.cursor() as cur:
            cur.execute(queries.SWITCH_OFF)
            switched = cur.rowcount == 1
            cur.execute(queries.REQUEST_CANCEL)
            interrupted = cur.rowcount > 0
    return switched or interrupted
