"""Access (docs/access.md): login throttling per client address, the audit trail."""

from __future__ import annotations

# --------------------------------------------------------------------------------------------
# Login throttling. The row of an address is changed by one statement at a time, so processes
# and hosts counting failures of the same address together never lose one.

THROTTLE_WINDOW = "INTERVAL '15 minutes'"
#: A block lasts 15 minutes, doubling with each block in a row, at most a day.
BLOCK_MINUTES, MAX_BLOCK_MINUTES = 15, 24 * 60

FETCH_LOGIN_BLOCK = """
SELECT CEIL(EXTRACT(EPOCH FROM blocked_until - NOW()))::INTEGER AS seconds
FROM broadcaster_login_throttle WHERE address = %(address)s AND blocked_until > NOW()
"""

ADD_LOGIN_FAILURE = f"""
INSERT INTO broadcaster_login_throttle AS t (address, failures, window_started_at)
VALUES (%(address)s, 1, NOW())
ON CONFLICT (address) DO UPDATE SET
    failures = CASE WHEN t.window_started_at < NOW() - {THROTTLE_WINDOW} THEN 1 ELSE t.failures + 1 END,
    window_started_at = CASE WHEN t.window_started_at < NOW() - {THROTTLE_WINDOW} THEN NOW()
                             ELSE t.window_started_at END
RETURNING failures
"""

# The block level starts again at 1 when the last block ended more than a day ago.
_NEXT_LEVEL = "(CASE WHEN blocked_until IS NULL OR blocked_until < NOW() - INTERVAL '1 day' THEN 1 ELSE block_level + 1 END)"

BLOCK_LOGIN_ADDRESS = f"""
UPDATE broadcaster_login_throttle SET
    block_level = {_NEXT_LEVEL},
    blocked_until = NOW() + make_interval(
        mins => LEAST({MAX_BLOCK_MINUTES}, {BLOCK_MINUTES} * POWER(2, LEAST({_NEXT_LEVEL} - 1, 10)))::INTEGER),
    failures = 0, window_started_at = NOW()
WHERE address = %(address)s AND failures >= %(max_failures)s AND (blocked_until IS NULL OR blocked_until <= NOW())
RETURNING block_level, CEIL(EXTRACT(EPOCH FROM blocked_until - NOW()))::INTEGER AS seconds
"""

# --------------------------------------------------------------------------------------------
# The audit trail

INSERT_AUDIT = """
INSERT INTO broadcaster_audit (user_name, role, address, action, target, detail, status)
VALUES (%(user)s, %(role)s, %(address)s, %(action)s, %(target)s, %(detail)s::JSONB, %(status)s)
"""

FETCH_AUDIT = """
SELECT id, at, user_name, role, address, action, target, detail, status FROM broadcaster_audit
WHERE at >= NOW() - make_interval(hours => %(hours)s)
  AND (%(user)s::TEXT IS NULL OR user_name = %(user)s)
  AND (%(action)s::TEXT IS NULL OR action = %(action)s)
ORDER BY id DESC LIMIT %(limit)s
"""

PRUNE_AUDIT = """
DELETE FROM broadcaster_audit WHERE id IN (
    SELECT id FROM broadcaster_audit WHERE at < NOW() - make_interval(days => %(audit_days)s) LIMIT %(batch)s)
"""

# An address quiet for a day (no failure, no block) starts from nothing anyway.
PRUNE_LOGIN_THROTTLE = """
DELETE FROM broadcaster_login_throttle WHERE address IN (
    SELECT address FROM broadcaster_login_throttle
    WHERE window_started_at < NOW() - INTERVAL '1 day'
      AND (blocked_until IS NULL OR blocked_until < NOW() - INTERVAL '1 day')
    LIMIT %(batch)s)
"""

# A label-less counter of /metrics, added to in the transaction of what it counts.
ADD_ONE_TO_COUNTER = """
INSERT INTO broadcaster_counters AS c (metric, labels, value) VALUES (%(metric)s, '{}'::JSONB, 1)
ON CONFLICT (metric, labels) DO UPDATE SET value = c.value + 1
"""
