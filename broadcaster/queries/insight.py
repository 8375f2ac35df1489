"""Delivery insight (DESIGN §13): the webhook log's filters, CSV exports and callback hosts."""

from __future__ import annotations

from broadcaster.queries.admin import TASK_COLUMNS, TASK_JOINS
from broadcaster.states import CallbackStatus

# --------------------------------------------------------------------------------------------
# The webhook log: one filter for GET /api/webhook-logs and its CSV.

WEBHOOK_LOG_FILTER = """
created_at >= (NOW() AT TIME ZONE 'UTC') - make_interval(hours => %(hours)s)
AND (%(status)s::TEXT IS NULL OR callback_status = %(status)s)
AND (%(task_id)s::INTEGER IS NULL OR task_id = %(task_id)s)
"""

WEBHOOK_LOG_COLUMNS = """
id, run_id, task_id, task_title, project_id, callback_url, callback_status, http_status,
attempts, latency_ms, error, views, likes, age_s, payload, created_at
"""

FETCH_WEBHOOK_LOGS = f"""
SELECT {WEBHOOK_LOG_COLUMNS} FROM webhook_logs WHERE {WEBHOOK_LOG_FILTER}
ORDER BY id DESC LIMIT %(limit)s
"""

EXPORT_WEBHOOK_LOGS = f"""
SELECT {WEBHOOK_LOG_COLUMNS} FROM webhook_logs WHERE {WEBHOOK_LOG_FILTER} ORDER BY id DESC
"""

# --------------------------------------------------------------------------------------------
# The task list's CSV. TASK_FILTER is the seam: the task list's own filters (GET /api/tasks)
# build the same WHERE clause, so the CSV follows them when they grow.

TASK_FILTER = "(%(status)s::TEXT IS NULL OR d.status = %(status)s)"

EXPORT_TASKS = f"SELECT {TASK_COLUMNS} {TASK_JOINS} WHERE {TASK_FILTER} ORDER BY d.task_id DESC"

# --------------------------------------------------------------------------------------------
# Callback hosts: how each host took its webhooks over the last `hours`.
#
# The hosts come from a loose index scan of webhook_logs_callback_host_idx (one probe per host
# instead of a pass over the log); each host's window is then an index-only range scan of the
# same index, and its newest failure one probe of the partial failure index. `deliveries` are
# the tasks' webhooks to the host (one per task per pass, retries within a pass included in it),
# `success_rate` the share of them delivered; latencies are nearest-rank percentiles.
FETCH_CALLBACK_HOSTS = f"""
WITH RECURSIVE hosts(host) AS (
    SELECT MIN(callback_host) FROM webhook_logs WHERE callback_host IS NOT NULL
    UNION ALL
    SELECT (SELECT MIN(w.callback_host) FROM webhook_logs w
            WHERE w.callback_host IS NOT NULL AND w.callback_host > hosts.host)
    FROM hosts WHERE hosts.host IS NOT NULL
), since AS (
    SELECT (NOW() AT TIME ZONE 'UTC') - make_interval(hours => %(hours)s) AS at
)
SELECT h.host, s.tasks, s.deliveries, s.delivered::FLOAT / s.deliveries AS success_rate,
       s.p50_ms, s.p95_ms, s.last_success_at, f.error AS last_error, f.created_at AS last_error_at
FROM hosts h
CROSS JOIN since
CROSS JOIN LATERAL (
    SELECT COUNT(DISTINCT w.task_id) AS tasks, COUNT(*) AS deliveries,
           COUNT(*) FILTER (WHERE w.callback_status = '{CallbackStatus.SUCCESS}') AS delivered,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY w.latency_ms) AS p50_ms,
           percentile_disc(0.95) WITHIN GROUP (ORDER BY w.latency_ms) AS p95_ms,
           MAX(w.created_at) FILTER (WHERE w.callback_status = '{CallbackStatus.SUCCESS}') AS last_success_at
    FROM webhook_logs w
    WHERE w.callback_host = h.host AND w.created_at >= since.at
) s
LEFT JOIN LATERAL (
    SELECT w.error, w.created_at FROM webhook_logs w
    WHERE w.callback_host = h.host AND w.callback_status = '{CallbackStatus.FAILED}' AND w.created_at >= since.at
    ORDER BY w.created_at DESC LIMIT 1
) f ON TRUE
WHERE h.host IS NOT NULL AND s.deliveries > 0
ORDER BY s.deliveries DESC, h.host
"""
