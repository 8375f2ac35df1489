"""Delivery insight (DESIGN §13): the webhook log's filters, CSV exports and callback hosts."""

from __future__ import annotations

from broadcaster.states import CallbackStatus

# --------------------------------------------------------------------------------------------
# The webhook log: one filter for GET /api/webhook-logs and its CSV.

WEBHOOK_LOG_FILTER = f"""
created_at >= (NOW() AT TIME ZONE 'UTC') - make_interval(hours => %(hours)s)
AND (%(status)s::TEXT IS NULL OR delivered = (%(status)s::TEXT = '{CallbackStatus.SUCCESS}'))
AND (%(task_id)s::INTEGER IS NULL OR task_id = %(task_id)s)
"""

# What a log row shows, and what builds a record's body again (broadcaster.payload.rebuilt_body).
WEBHOOK_LOG_COLUMNS = """
id, run_id, task_id, task_title, project_id, callback_url, callback_status, http_status,
attempts, latency_ms, error, views, likes, age_s, payload, created_at,
attempted, body_format, body_site_name, body_task_id, body_duration, body_platform, body_views, body_likes
"""

# Newest first. Rows of one batch share created_at; the id orders them (and the rows written
# into webhook_logs before, whose ids are all lower).
FETCH_WEBHOOK_LOGS = f"""
SELECT {WEBHOOK_LOG_COLUMNS} FROM broadcaster_delivery_log WHERE {WEBHOOK_LOG_FILTER}
ORDER BY created_at DESC, id DESC LIMIT %(limit)s
"""

EXPORT_WEBHOOK_LOGS = f"""
SELECT {WEBHOOK_LOG_COLUMNS} FROM broadcaster_delivery_log WHERE {WEBHOOK_LOG_FILTER}
ORDER BY created_at DESC, id DESC
"""

# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# Callback hosts: how each host took its webhooks over the last `hours` (broadcaster.hosts).
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

# One hour, in one transaction: its histogram per host, each host's tasks, and the hour as done.
ROLL_UP_HOUR = """
INSERT INTO broadcaster_host_hours (host, hour, latency_ms, deliveries, delivered, attempts, last_success_at)
SELECT callback_host, %(hour)s, COALESCE(latency_ms, -1), COUNT(*),
       COUNT(*) FILTER (WHERE delivered), SUM(COALESCE(attempts, 0)), MAX(created_at) FILTER (WHERE delivered)
FROM broadcaster_delivery_log
WHERE callback_host IS NOT NULL AND created_at >= %(hour)s AND created_at < %(hour)s + INTERVAL '1 hour'
GROUP BY callback_host, COALESCE(latency_ms, -1)
ON CONFLICT DO NOTHING;
INSERT INTO broadcaster_host_tasks AS t (host, task_id, last_at)
SELECT callback_host, task_id, MAX(created_at)
FROM broadcaster_delivery_log
WHERE callback_host IS NOT NULL AND task_id IS NOT NULL
  AND created_at >= %(hour)s AND created_at < %(hour)s + INTERVAL '1 hour'
GROUP BY callback_host, task_id
ON CONFLICT (host, task_id) DO UPDATE SET last_at = GREATEST(t.last_at, EXCLUDED.last_at);
INSERT INTO broadcaster_host_rollups (hour) VALUES (%(hour)s) ON CONFLICT DO NOTHING;
"""

FETCH_ROLLED_HOURS = "SELECT hour FROM broadcaster_host_rollups WHERE hour >= %(edge)s"

_LIVE_COLUMNS = ("callback_host AS host, task_id, COALESCE(latency_ms, -1) AS latency_ms, delivered, created_at,"
                 " COALESCE(attempts, 0) AS attempts")
# The log part of the window: the ranges no rolled-up hour covers, each a range scan of the
# records' created_at index (and of webhook_logs' while it holds rows of ours).
_LIVE_ROWS = f"""
    SELECT {_LIVE_COLUMNS}
    FROM unnest(%(lo)s::TIMESTAMP[], %(hi)s::TIMESTAMP[]) AS r(lo, hi)
    JOIN broadcaster_delivery_log ON created_at >= r.lo AND created_at < r.hi
    WHERE callback_host IS NOT NULL
"""

# The log part is grouped twice, per host and latency value and per host and task: two hash
# aggregates, cheaper than keeping its raw rows for both.
FETCH_CALLBACK_HOSTS = f"""
WITH live AS (
    SELECT host, latency_ms, COUNT(*) AS n, COUNT(*) FILTER (WHERE delivered) AS ok,
           SUM(attempts) AS tries, MAX(created_at) FILTER (WHERE delivered) AS last_ok
    FROM ({_LIVE_ROWS}) rows GROUP BY host, latency_ms
), live_tasks AS (
    SELECT DISTINCT host, task_id FROM ({_LIVE_ROWS}) rows WHERE task_id IS NOT NULL
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
)
SELECT t.host, COALESCE(k.tasks, 0) AS tasks, t.deliveries, t.attempts, t.delivered::FLOAT / t.deliveries AS success_rate,
       (SELECT MIN(r.latency_ms) FROM running r WHERE r.host = t.host AND r.upto >= 0.5 * t.timed) AS p50_ms,
       (SELECT MIN(r.latency_ms) FROM running r WHERE r.host = t.host AND r.upto >= 0.95 * t.timed) AS p95_ms,
       t.last_success_at, f.error AS last_error, f.created_at AS last_error_at
FROM totals t
LEFT JOIN tasks k ON k.host = t.host
LEFT JOIN LATERAL (
    SELECT w.error, w.created_at FROM broadcaster_delivery_log w
    WHERE w.callback_host = t.host AND NOT w.delivered AND w.created_at >= %(since)s
    ORDER BY w.created_at DESC LIMIT 1
) f ON TRUE
WHERE t.deliveries > 0
ORDER BY t.deliveries DESC, t.host
"""
