"""Alerts (docs/operations.md#alerts): the facts they are evaluated from, their state and their events."""

from __future__ import annotations

from broadcaster.core.states import RunStatus, Scope, Trigger
from broadcaster.storage import counters
from broadcaster.storage.queries.records import delivery_log
from broadcaster.storage.queries.runs import RUN_WINDOW

# Every process evaluates the alerts; this lock makes them take turns, so each reads the state
# the previous one left and a stale reading never undoes a newer one. (The number is arbitrary,
# fixed: the advisory-lock key of the alerts.)
LOCK_ALERTS = "SELECT pg_advisory_xact_lock(7311017)"

FETCH_ALERT_SWITCH = f"""
SELECT s.enabled AS switch_on, s.enabled_at,
       (SELECT MAX(finished_at) FROM broadcaster_runs
        WHERE status = '{RunStatus.SUCCEEDED}' AND scope = '{Scope.ALL}') AS last_success_at
FROM broadcaster_state s WHERE s.id = 1
"""

FETCH_LAST_SCHEDULED_RUN = f"""
SELECT id, status, finished_at, error FROM broadcaster_runs
WHERE trigger = '{Trigger.SCHEDULE}' AND status <> '{RunStatus.RUNNING}' ORDER BY id DESC LIMIT 1
"""

# The last pass over every task that ran to its end (a stopped pass leaves tasks unreached).
FETCH_LAST_FULL_RUN = f"""
SELECT id, finished_at, total, success_count, failed_count, freshness FROM broadcaster_runs
WHERE scope = '{Scope.ALL}' AND status = '{RunStatus.SUCCEEDED}' ORDER BY id DESC LIMIT 1
"""

# Deliveries of one pass per callback host (as the log names it: webhooks.callback_host); tasks
# never sent (no counts yet) are not deliveries.
FETCH_RUN_CALLBACKS = f"""
SELECT COALESCE(callback_host, '?') AS host, COUNT(*) AS total, COUNT(*) FILTER (WHERE delivered) AS delivered
FROM ({delivery_log(RUN_WINDOW + " AND attempts > 0")}) log GROUP BY 1
"""

FETCH_BUDGETS_USED = """
SELECT (SELECT units_used FROM broadcaster_quota WHERE day = %(quota_day)s) AS youtube_units,
       (SELECT requests_used FROM broadcaster_tikhub_usage WHERE day = %(tikhub_day)s) AS tikhub_requests
"""

FETCH_FIRING_ALERTS = "SELECT key, summary, since, last_sent_at FROM broadcaster_alerts ORDER BY since, key"

# Each statement below changes the state only if it still is as the caller saw it, and says
# so by returning a row: the process that gets the row sends the message.
INSERT_ALERT = """
INSERT INTO broadcaster_alerts (key, summary, since, last_sent_at) VALUES (%(key)s, %(summary)s, %(since)s, %(now)s)
ON CONFLICT (key) DO NOTHING RETURNING since
"""

CLAIM_ALERT_REPEAT = """
UPDATE broadcaster_alerts SET last_sent_at = %(now)s, summary = %(summary)s
WHERE key = %(key)s AND last_sent_at <= %(due)s RETURNING since
"""

UPDATE_ALERT_SUMMARY = """
UPDATE broadcaster_alerts SET summary = %(summary)s WHERE key = %(key)s AND summary <> %(summary)s
"""

RESOLVE_ALERT = "DELETE FROM broadcaster_alerts WHERE key = %(key)s RETURNING summary, since"

INSERT_ALERT_EVENT = """
INSERT INTO broadcaster_alert_events (at, key, kind, summary) VALUES (%(at)s, %(key)s, %(kind)s, %(summary)s)
RETURNING id
"""

_COUNT_NOTIFICATIONS = f"""
INSERT INTO broadcaster_counters AS c (metric, labels, value)
SELECT '{counters.ALERT_NOTIFICATIONS}', jsonb_build_object('result', r.result), r.n
FROM done, LATERAL (VALUES ('{counters.SENT}', done.sent), ('{counters.NOT_SENT}', done.failed)) AS r(result, n)
WHERE r.n > 0
ON CONFLICT (metric, labels) DO UPDATE SET value = c.value + EXCLUDED.value
"""

# How the channels took an event's message, and its count in
# broadcaster_alert_notifications_total, in one statement: both or neither.
FINISH_ALERT_EVENT = f"""
WITH done AS (
    UPDATE broadcaster_alert_events SET sent = %(sent)s, failed = %(failed)s, error = %(error)s
    WHERE id = %(id)s AND sent IS NULL RETURNING sent, failed
)
{_COUNT_NOTIFICATIONS}
"""

# A test message: its event is written once it has been sent.
RECORD_TEST_EVENT = f"""
WITH done AS (
    INSERT INTO broadcaster_alert_events (key, kind, summary, sent, failed, error)
    VALUES ('test', 'test', %(summary)s, %(sent)s, %(failed)s, %(error)s) RETURNING sent, failed
)
{_COUNT_NOTIFICATIONS}
"""

FETCH_ALERT_EVENTS = """
SELECT at, key, kind, summary, sent, failed, error FROM broadcaster_alert_events
WHERE at > NOW() - INTERVAL '7 days' ORDER BY id DESC LIMIT %(limit)s
"""

PRUNE_ALERT_EVENTS = """
DELETE FROM broadcaster_alert_events WHERE id IN (
    SELECT id FROM broadcaster_alert_events WHERE at < NOW() - INTERVAL '7 days' LIMIT %(batch)s)
"""
