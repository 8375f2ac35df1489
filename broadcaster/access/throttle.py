"""Login throttling per client address (docs/access.md#throttling), kept in PostgreSQL.

After LOGIN_MAX_FAILURES wrong credentials from one address within 15 minutes, the address is
blocked for 15 minutes, twice as long on each block in a row, at most 24 hours; a block level
is forgotten a day after the last block ended. The counts live in `broadcaster_login_throttle`
rather than in process memory (as Flask-Limiter's memory storage would keep them) so that every
gunicorn worker and every host sharing the database counts the same failures: N workers must
not mean N times the attempts.
"""

from __future__ import annotations

from broadcaster.storage import counters, queries
from broadcaster.storage.db import Database, wrap_errors


def block_seconds(database: Database, address: str) -> int:
    """Seconds the address is still blocked for; 0 when it is not blocked."""
    row = database.fetch_one(queries.FETCH_LOGIN_BLOCK, {"address": address})
    return max(1, row["seconds"]) if row else 0


def record_failure(database: Database, address: str, max_failures: int) -> int:
    """Count a failed login from `address`; the seconds of the block it starts, else 0.

    The count and the block are each one statement on the address's row, so failures arriving
    together at several processes are all counted, and exactly one of them starts the block.
    """
    params = {"address": address, "max_failures": max_failures}
    with database.connection() as conn, wrap_errors("数据库写入失败"):
        with conn.cursor() as cur:
            cur.execute(queries.ADD_LOGIN_FAILURE, params)
            cur.execute(queries.ADD_ONE_TO_COUNTER, {"metric": counters.LOGIN_FAILURES})
            cur.execute(queries.BLOCK_LOGIN_ADDRESS, params)
            blocked = cur.fetchone()
            if blocked is None:
                return 0
            cur.execute(queries.ADD_ONE_TO_COUNTER, {"metric": counters.LOGIN_BLOCKS})
            return max(1, blocked[1])
