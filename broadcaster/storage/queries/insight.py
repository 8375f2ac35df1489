"""Delivery insight (docs/operations.md#integrity): the webhook log's filters, CSV exports and callback hosts."""

from __future__ import annotations

from broadcaster.core.states import CallbackStatus
from broadcaster.storage.queries.records import delivery_log

# --------------------------------------------------------------------------------------------
# The webhook log: one filter for GET /api/webhook-logs and its CSV.

WEBHOOK_LOG_FILTER = f"""
created_at >= (NOW() AT TIME ZONE 'UTC') - make_interval(hours => %(hours)s)
AND (%(status)s::TEXT IS NULL OR delivered = (%(status)s::TEXT = '{CallbackStatus.SUCCESS}'))
AND (%(task_id)s::INTEGER IS NULL OR task_id = %(task_id)s)
"""

# What a log row shows, and what builds a record's body again (broadcaster.delivery.payload.rebuilt_body).
WEBHOOK_LOG_COLUMNS = """
id, run_id, task_id, task_title, project_id, callback_url, callback_status, http_status,
attempts, latency_ms, error, views, likes, age_s, payload, created_at,
attempted, body_format, body_site_name, body_task_id, body_duration, body_platform, body_views, body_likes
"""

# Newest first. Rows of one batch share created_at; the id orders them (and the rows written
# into webhook_logs before, whose ids are all lower).
NEWEST_FIRST = "ORDER BY created_at DESC, id DESC"

FETCH_WEBHOOK_LOGS = f"""
SELECT {WEBHOOK_LOG_COLUMNS}
FROM ({delivery_log(WEBHOOK_LOG_FILTER, order=NEWEST_FIRST, limit="LIMIT %(limit)s")}) log
{NEWEST_FIRST} LIMIT %(limit)s
"""

EXPORT_WEBHOOK_LOGS = f"""
SELECT {WEBHOOK_LOG_COLUMNS} FROM ({delivery_log(WEBHOOK_LOG_FILTER)}) log {NEWEST_FIRST}
"""

# --------------------------------------------------------------------------------------------
# Callback hosts: how each host took its webhooks over the last `hours` (broadcaster.reports.hosts).
#
# Closed hours of the log are rolled up once (ROLL_UP_HOUR); the figures read the rolled hours
# from `edge` on (the first whole hour after `since`) and the log itself for the rest of the
# window: [since, edge) and every hour not rolled up (`lo`/`hi` ranges). Every figure is exact: latencies are kept per millisecond value,
# so nearest-rank percentiles merge, and a task counts when its last delivery to the host in a
# rolled hour, or any delivery in the log part, is inside the window.

FETCH_LOG_CLOCK = "SELECT NOW() AT TIME ZONE 'UTC' AS now"

# The closed hours (ended `margin_minutes` ago) since `since_hour` not rolled up yet, oldest first
# (so the rolled hours grow as one run from the window's start).
FETCH_HOURS_TO_ROLL_UP = """
SELECT h.hour FROM generate_series(
    date_trunc('hour', GREATEST(%(since_hour)s::TIMESTAMP,  -- an empty log: from infinity, so no hours
                                COALESCE(LEAST((SELECT MIN(created_at) FROM broadcaster_deliveries WHERE attempted),
                                               (SELECT MIN(created_at) FROM webhook_logs  -- rows written there before
                                                WHERE callback_host IS NOT NULL AND run_id IS NOT NULL
                                                  AND (SELECT legacy_logs FROM broadcaster_storage WHERE id = 1))),
                                         'infinity'::TIMESTAMP))),
    date_trunc('hour', (NOW() AT TIME ZONE 'UTC') - make_interval(mins => %(margin_minutes)s)) - INTERVAL '1 hour',
    INTERVAL '1 hour') AS h(hour)
WHERE NOT EXISTS (SELECT 1 FROM broadcaster_host_rollups r WHERE r.hour = h.hour)
ORDER BY h.hour LIMIT %(limit)s
"""

# One hour, in one transaction: its histogram per host, each host's tasks and last failure, and
# the hour as done.
_HOUR = "created_at >= %(hour)s AND created_at < %(hour)s + INTERVAL '1 hour' AND attempted"
ROLL_UP_HOUR = f"""
INSERT INTO broadcaster_host_hours (host, hour, latency_ms, deliveries, delivered, attempts, last_success_at)
SELECT callback_host, %(hour)s, COALESCE(latency_ms, -1), COUNT(*),
       COUNT(*) FILTER (WHERE delivered), SUM(COALESCE(attempts, 0)), MAX(created_at) FILTER (WHERE delivered)
FROM ({delivery_log(_HOUR)}) log
WHERE callback_host IS NOT NULL
GROUP BY callback_host, COALESCE(latency_ms, -1)
ON CONFLICT DO NOTHING;
INSERT INTO broadcaster_host_tasks AS t (host, task_id, last_at)
SELECT callback_host, task_id, MAX(created_at)
FROM ({delivery_log(_HOUR)}) log
WHERE callback_host IS NOT NULL AND task_id IS NOT NULL
GROUP BY callback_host, task_id
ON CONFLICT (host, task_id) DO UPDATE SET last_at = GREATEST(t.last_at, EXCLUDED.last_at);
INSERT INTO broadcaster_host_errors (host, hour, at, error)
SELECT DISTINCT ON (callback_host) callback_host, %(hour)s, created_at, error
FROM ({delivery_log(_HOUR + " AND NOT delivered")}) log
WHERE callback_host IS NOT NULL
ORDER BY callback_host, created_at DESC, id DESC
ON CONFLICT DO NOTHING;
INSERT INTO broadcaster_host_rollups (hour) VALUES (%(hour)s) ON CONFLICT DO NOTHING;
"""

FETCH_ROLLED_HOURS = "SELECT hour FROM broadcaster_host_rollups WHERE hour >= %(edge)s"

# The log part of the window: the ranges no rolled-up hour covers, each a range scan of the
# records' created_at index (and of webhook_logs' while it holds rows of ours).
_LIVE_ROWS = f"""
    SELECT log.callback_host AS host, log.task_id, COALESCE(log.latency_ms, -1) AS latency_ms, log.delivered,
           log.created_at, log.id, COALESCE(log.attempts, 0) AS attempts, log.error
    FROM unnest(%(lo)s::TIMESTAMP[], %(hi)s::TIMESTAMP[]) AS r(lo, hi),
         LATERAL ({delivery_log("created_at >= r.lo AND created_at < r.hi AND attempted")}) log
    WHERE log.callback_host IS NOT NULL
"""

# The log part is read once and grouped three ways: per host and latency value, per host and
# task, and each host's last failure.
FETCH_CALLBACK_HOSTS = f"""
WITH live_rows AS MATERIALIZED ({_LIVE_ROWS}
), live AS (
    SELECT host, latency_ms, COUNT(*) AS n, COUNT(*) FILTER (WHERE delivered) AS ok,
           SUM(attempts) AS tries, MAX(created_at) FILTER (WHERE delivered) AS last_ok
    FROM live_rows GROUP BY host, latency_ms
), live_tasks AS (
    SELECT DISTINCT host, task_id FROM live_rows WHERE task_id IS NOT NULL
), hist AS (
    SELECT host, latency_ms, SUM(n) AS n, SUM(ok) AS ok, SUM(tries) AS tries, MAX(last_ok) AS last_ok
    FROM (
        SELECT host, latency_ms, deliveries AS n, delivered AS ok, attempts AS tries, last_success_at AS last_ok
        FROM broadcaster_host_hours WHERE hour >= %(edge)s
        UNION ALL
        SELECT host, latency_ms, n, ok, tries, last_ok FROM live
    ) parts
    GROUP BY host, latency_ms
), totals AS (
    SELECT host, SUM(n)::BIGINT AS deliveries, SUM(ok)::BIGINT AS delivered, SUM(tries)::BIGINT AS attempts,
           MAX(last_ok) AS last_success_at,
           SUM(n) FILTER (WHERE latency_ms >= 0) AS timed
    FROM hist GROUP BY host
), running AS (
    SELECT host, latency_ms, SUM(n) OVER (PARTITION BY host ORDER BY latency_ms) AS upto
    FROM hist WHERE latency_ms >= 0
), tasks AS (
    SELECT host, COUNT(*) AS tasks FROM (
        SELECT host, task_id FROM broadcaster_host_tasks WHERE last_at >= %(since)s
        UNION
        SELECT host, task_id FROM live_tasks
    ) both_parts GROUP BY host
), failures AS (
    SELECT DISTINCT ON (host) host, error, at FROM (
        SELECT host, error, at, 0 AS id FROM broadcaster_host_errors WHERE hour >= %(edge)s
        UNION ALL
        SELECT host, error, created_at, id FROM live_rows WHERE NOT delivered
    ) both_parts
    ORDER BY host, at DESC, id DESC
)
SELECT t.host, COALESCE(k.tasks, 0) AS tasks, t.deliveries, t.attempts, t.delivered::FLOAT / t.deliveries AS success_rate,
       (SELECT MIN(r.latency_ms) FROM running r WHERE r.host = t.host AND r.upto >= 0.5 * t.timed) AS p50_ms,
       (SELECT MIN(r.latency_ms) FROM running r WHERE r.host = t.host AND r.upto >= 0.95 * t.timed) AS p95_ms,
       t.last_success_at, f.error AS last_error, f.at AS last_error_at
FROM totals t
LEFT JOIN tasks k ON k.host = t.host
LEFT JOIN failures f ON f.host = t.host
WHERE t.deliveries > 0
ORDER BY t.deliveries DESC, t.host
"""
