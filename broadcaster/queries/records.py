"""The record of each delivery and failed fetch (migration 0002), written by the recorder.

A record points to its context (the task as sent: broadcaster_delivery_contexts) by the
context's digest, which the recorder computes; a batch first adds the contexts it lacks, then its
records look them up. Both run in the batch's one transaction (Database.write_batches).
"""

from __future__ import annotations

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
