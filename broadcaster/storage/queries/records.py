"""The record of each delivery and failed fetch (migration 0002), written by the recorder.

A record points to its context (the task as sent: broadcaster_delivery_contexts) by the
context's digest, which the recorder computes; a batch first adds the contexts it lacks, then its
records look them up. Both run in the batch's one transaction (Database.write_batches).
"""

from __future__ import annotations

from broadcaster.core.states import CallbackStatus

# The contexts a batch needs that are not stored (or not marked as used today) yet; a context
# in use every day is written once a day, not once a pass.
UPSERT_DELIVERY_CONTEXTS = """
INSERT INTO broadcaster_delivery_contexts AS c
    (digest, task_id, body_format, x2c_task_id, duration, last_used_on, site_name, platform, title, project_id,
     callback_url, callback_host, video_url)
SELECT v.digest, v.task_id, v.body_format, v.x2c_task_id, v.duration, (NOW() AT TIME ZONE 'UTC')::DATE, v.site_name,
       v.platform, v.title, v.project_id, v.callback_url, v.callback_host, v.video_url
FROM (VALUES %s) AS v(digest, task_id, body_format, x2c_task_id, duration, site_name, platform, title, project_id,
                      callback_url, callback_host, video_url)
WHERE NOT EXISTS (SELECT 1 FROM broadcaster_delivery_contexts e
                  WHERE e.digest = v.digest AND e.last_used_on >= (NOW() AT TIME ZONE 'UTC')::DATE)
ON CONFLICT (digest) DO UPDATE SET last_used_on = EXCLUDED.last_used_on
"""
CONTEXT_ROW = (
    "(%(digest)s::UUID, %(task_id)s::INTEGER, %(body_format)s::SMALLINT, %(x2c_task_id)s::BIGINT,"
    " %(duration)s::INTEGER, %(site_name)s::TEXT, %(platform)s::TEXT, %(title)s::TEXT, %(project_id)s::TEXT,"
    " %(callback_url)s::TEXT, %(callback_host)s::TEXT, %(video_url)s::TEXT)"
)

INSERT_DELIVERY_RECORDS = """
INSERT INTO broadcaster_deliveries
    (created_at, run_id, context_id, views, likes, task_id, latency_ms, age_s, batch_lead, http_status, attempts,
     shard_no, delivered, attempted, error)
SELECT NOW() AT TIME ZONE 'UTC', v.run_id, c.id, v.views, v.likes, v.task_id, v.latency_ms, v.age_s, v.batch_lead,
       v.http_status, v.attempts, v.shard_no, v.delivered, v.attempted, v.error
FROM (VALUES %s) AS v(digest, run_id, views, likes, task_id, latency_ms, age_s, batch_lead, http_status, attempts,
                      shard_no, delivered, attempted, error)
JOIN broadcaster_delivery_contexts c ON c.digest = v.digest
"""
DELIVERY_RECORD_ROW = (
    "(%(digest)s::UUID, %(run_id)s::BIGINT, %(views)s::BIGINT, %(likes)s::BIGINT, %(task_id)s::INTEGER,"
    " %(latency_ms)s::INTEGER, %(age_s)s::INTEGER, %(batch_lead)s::INTEGER, %(http_status)s::SMALLINT,"
    " %(attempts)s::SMALLINT, %(shard_no)s::SMALLINT, %(delivered)s::BOOLEAN, %(attempted)s::BOOLEAN,"
    " %(error)s::TEXT)"
)

INSERT_FETCH_FAILURES = """
INSERT INTO broadcaster_fetch_failures (created_at, run_id, context_id, task_id, shard_no, error_type, message)
SELECT NOW() AT TIME ZONE 'UTC', v.run_id, c.id, v.task_id, v.shard_no, v.error_type, v.message
FROM (VALUES %s) AS v(digest, run_id, task_id, shard_no, error_type, message)
JOIN broadcaster_delivery_contexts c ON c.digest = v.digest
"""
FETCH_FAILURE_ROW = (
    "(%(digest)s::UUID, %(run_id)s::BIGINT, %(task_id)s::INTEGER, %(shard_no)s::SMALLINT, %(error_type)s::TEXT,"
    " %(message)s::TEXT)"
)

# A shard taken over from a dead worker is sent again: its earlier records of this run go first
# (from the run's own start on: the partitions of older days are not even looked at).
_SINCE_RUN_STARTED = "(SELECT started_at AT TIME ZONE 'UTC' FROM broadcaster_runs WHERE id = %(run_id)s)"
DELETE_SHARD_RECORDS = f"""
DELETE FROM broadcaster_deliveries
WHERE run_id = %(run_id)s AND shard_no = %(shard_no)s AND created_at >= {_SINCE_RUN_STARTED}
"""
DELETE_SHARD_FAILURES = f"""
DELETE FROM broadcaster_fetch_failures
WHERE run_id = %(run_id)s AND shard_no = %(shard_no)s AND created_at >= {_SINCE_RUN_STARTED}
"""


# --------------------------------------------------------------------------------------------
# Reading the webhook log: the records, and the rows the broadcaster wrote into the bot's
# webhook_logs before them (while any are left: broadcaster_storage.legacy_logs).
#
# Every reader filters, orders and limits each source on its own columns first, where its indexes
# are (created_at, task_id, the failures'), and joins the records' contexts afterwards: a join
# under the ORDER BY … LIMIT would make PostgreSQL sort a whole day of records. Filters are
# written on the records' column names; the bot's table is seen through LEGACY_ROWS under them.

# webhook_logs as records (its columns cast to the records' types: no-ops on the types the bot uses).
LEGACY_ROWS = f"""
(SELECT w.id::BIGINT AS id, w.created_at::TIMESTAMP AS created_at, w.run_id, w.shard_no::SMALLINT AS shard_no,
        w.task_id::INTEGER AS task_id, w.webhook_id, w.task_title::TEXT AS task_title, w.project_id::TEXT AS project_id,
        w.callback_url::TEXT AS callback_url, w.callback_host, w.http_status, w.attempts, w.latency_ms, w.error,
        w.views, w.likes, w.age_s, w.payload::JSONB AS payload, w.callback_status::TEXT AS callback_status,
        w.callback_status = '{CallbackStatus.SUCCESS}' AS delivered,
        w.payload IS NOT NULL AS attempted
 FROM webhook_logs w
 WHERE w.run_id IS NOT NULL AND (SELECT legacy_logs FROM broadcaster_storage WHERE id = 1))
"""

# The log's columns (webhook_logs' names), from a record `d` and its context `c`, then from a legacy row `w`.
# The body_* columns build a record's body again (broadcaster.delivery.payload.rebuilt_body).
_RECORD_COLUMNS = f"""
d.id, d.created_at, d.run_id, d.shard_no, d.task_id,
'run' || COALESCE(d.run_id, 0) || COALESCE('-batch' || d.batch_lead, '-task' || d.task_id) AS webhook_id,
c.title AS task_title, c.project_id, c.callback_url, CASE WHEN d.attempted THEN c.callback_host END AS callback_host,
CASE WHEN d.delivered THEN '{CallbackStatus.SUCCESS}' ELSE '{CallbackStatus.FAILED}' END AS callback_status, d.delivered,
d.http_status::INTEGER AS http_status, d.attempts::INTEGER AS attempts, d.latency_ms, d.error,
CASE WHEN d.delivered OR d.attempts > 0 THEN d.views END AS views,
CASE WHEN d.delivered OR d.attempts > 0 THEN d.likes END AS likes,
d.age_s, NULL::JSONB AS payload, d.attempted, d.views AS body_views, d.likes AS body_likes, c.body_format,
c.site_name AS body_site_name, c.x2c_task_id AS body_task_id, c.duration AS body_duration, c.platform AS body_platform
"""
_LEGACY_COLUMNS = """
w.id, w.created_at, w.run_id, w.shard_no, w.task_id, w.webhook_id, w.task_title, w.project_id, w.callback_url,
w.callback_host, w.callback_status, w.delivered, w.http_status, w.attempts, w.latency_ms, w.error, w.views, w.likes,
w.age_s, w.payload, w.attempted, NULL::BIGINT, NULL::BIGINT, NULL::SMALLINT, NULL::TEXT, NULL::BIGINT, NULL::INTEGER,
NULL::TEXT
"""


def delivery_log(where: str = "TRUE", *, order: str = "", limit: str = "") -> str:
    """The webhook log's rows whose own columns (created_at, run_id, task_id, delivered, attempted,
    attempts…) match `where`; with `order` and `limit` ("ORDER BY …", "LIMIT %(limit)s") applied to
    each source before its rows are joined (the caller orders and limits the union again)."""
    return f"""
SELECT {_RECORD_COLUMNS}
FROM (SELECT * FROM broadcaster_deliveries d WHERE {where} {order} {limit}) d
JOIN broadcaster_delivery_contexts c ON c.id = d.context_id
UNION ALL
SELECT {_LEGACY_COLUMNS}
FROM (SELECT * FROM {LEGACY_ROWS} w WHERE {where} {order} {limit}) w
"""


#: Every row of the log (tests and ad-hoc reading: `SELECT … FROM (DELIVERY_LOG) log WHERE …`).
DELIVERY_LOG = delivery_log()

# The failed fetches, in broadcaster_error_logs' columns.
FETCH_FAILURE_LOG = """
SELECT f.created_at, f.run_id, f.shard_no, f.task_id, c.title AS task_title, c.project_id, c.video_url, c.platform,
       f.error_type, f.message AS error_message, c.callback_url
FROM broadcaster_fetch_failures f
JOIN broadcaster_delivery_contexts c ON c.id = f.context_id
UNION ALL
SELECT e.created_at::TIMESTAMP, e.run_id, e.shard_no::SMALLINT, e.task_id::INTEGER, e.task_title::TEXT,
       e.project_id::TEXT, e.video_url::TEXT, e.platform::TEXT, e.error_type::TEXT, e.error_message::TEXT,
       e.callback_url::TEXT
FROM broadcaster_error_logs e
WHERE e.run_id IS NOT NULL AND (SELECT legacy_logs FROM broadcaster_storage WHERE id = 1)
"""
