"""Every SQL statement of the broadcaster, by name.

Statements use named ``%(name)s`` placeholders and explicit column lists. Status values come
from `broadcaster.states`, so Python and SQL spell them the same way. Multi-row writes take a
``*_ROW`` template with named placeholders and a list of dicts (see `Database.write_batches`).
"""

from __future__ import annotations

from collections.abc import Iterable

from psycopg2 import sql as pgsql

from broadcaster import counters
from broadcaster.states import CallbackStatus, FetchStatus, RunStatus, Scope, TaskStatus, Trigger

RUNNING = f"'{RunStatus.RUNNING}'"

# --------------------------------------------------------------------------------------------
# The switch and the runs

RUN_COLUMNS = """id, trigger, scope, status, started_at, finished_at, total, done, success_count,
    failed_count, error, freshness"""

FETCH_STATE = """
SELECT enabled, enabled_at, changed_at, NOW() AS now FROM broadcaster_state WHERE id = 1
"""

SWITCH_ON = """
UPDATE broadcaster_state SET enabled = TRUE, enabled_at = NOW(), changed_at = NOW()
WHERE id = 1 AND NOT enabled
"""

SWITCH_OFF = """
UPDATE broadcaster_state SET enabled = FALSE, changed_at = NOW() WHERE id = 1 AND enabled
"""

REQUEST_CANCEL = f"""
UPDATE broadcaster_runs SET cancel_requested = TRUE WHERE status = {RUNNING} AND NOT cancel_requested
"""

# The next scheduled slot: an interval after the last scheduled pass started, and never
# before the switch was turned on. NULL when the switch is off.
NEXT_DUE = f"""
SELECT GREATEST(s.enabled_at,
                (SELECT MAX(r.started_at) FROM broadcaster_runs r WHERE r.trigger = '{Trigger.SCHEDULE}')
                + make_interval(secs => %(interval)s)) AS due
FROM broadcaster_state s WHERE s.id = 1 AND s.enabled
"""

# Claim the due slot. The unique slot key lets exactly one process win a slot; the partial
# unique index on running passes makes the insert a no-op while any pass runs.
CLAIM_SCHEDULED_RUN = f"""
INSERT INTO broadcaster_runs (trigger, status, slot_key, runner, started_at, heartbeat_at)
SELECT '{Trigger.SCHEDULE}', {RUNNING}, '{Trigger.SCHEDULE}:' || (EXTRACT(EPOCH FROM due) * 1000)::BIGINT,
       %(runner)s, NOW(), NOW()
FROM ({NEXT_DUE}) AS slot
WHERE slot.due <= NOW()
ON CONFLICT DO NOTHING
RETURNING id
"""

CLAIM_RUN = f"""
INSERT INTO broadcaster_runs (trigger, status, runner, started_at, heartbeat_at, scope, task_ids)
VALUES (%(trigger)s, {RUNNING}, %(runner)s, NOW(), NOW(),
        CASE WHEN %(task_ids)s::INTEGER[] IS NULL THEN '{Scope.ALL}' ELSE '{Scope.SELECTED}' END,
        %(task_ids)s::INTEGER[])
ON CONFLICT DO NOTHING
RETURNING id
"""

FETCH_RUN_TASK_IDS = "SELECT task_ids FROM broadcaster_runs WHERE id = %(run_id)s"

HEARTBEAT_RUN = f"""
UPDATE broadcaster_runs
SET heartbeat_at = NOW(), total = %(total)s, done = %(done)s,
    success_count = %(success_count)s, failed_count = %(failed_count)s
WHERE id = %(run_id)s AND status = {RUNNING}
RETURNING cancel_requested
"""

# Adds to a counter of /metrics (broadcaster.counters) from rows `(metric, labels, value)`.
_COUNT_RUNS = f"""
INSERT INTO broadcaster_counters AS c (metric, labels, value)
SELECT '{counters.RUNS}', jsonb_build_object('trigger', trigger, 'status', status), COUNT(*)
FROM ended GROUP BY trigger, status
ON CONFLICT (metric, labels) DO UPDATE SET value = c.value + EXCLUDED.value
"""

# The run's end and its count in broadcaster_runs_total, in one statement: both or neither.
FINISH_RUN = f"""
WITH ended AS (
    UPDATE broadcaster_runs
    SET status = %(status)s, finished_at = NOW(), heartbeat_at = NOW(), total = %(total)s,
        done = %(done)s, success_count = %(success_count)s, failed_count = %(failed_count)s,
        error = %(error)s, freshness = %(freshness)s::JSONB
    WHERE id = %(run_id)s AND status = {RUNNING}
    RETURNING trigger, status
)
{_COUNT_RUNS}
"""

MARK_ABANDONED_RUNS = f"""
WITH ended AS (
    UPDATE broadcaster_runs
    SET status = '{RunStatus.ABANDONED}', finished_at = NOW(),
        error = '执行该轮回传的进程已停止响应（心跳超时）'
    WHERE status = {RUNNING} AND heartbeat_at < NOW() - make_interval(secs => %(stale_seconds)s)
    RETURNING id, trigger, status
), counted AS ({_COUNT_RUNS})
SELECT id FROM ended
"""

FETCH_RUN = f"SELECT {RUN_COLUMNS} FROM broadcaster_runs WHERE id = %(run_id)s"

FETCH_CURRENT_RUN = f"SELECT {RUN_COLUMNS} FROM broadcaster_runs WHERE status = {RUNNING} LIMIT 1"

FETCH_LAST_FINISHED_RUN = f"""
SELECT {RUN_COLUMNS} FROM broadcaster_runs WHERE status <> {RUNNING} ORDER BY id DESC LIMIT 1
"""

FETCH_RUNS = f"SELECT {RUN_COLUMNS} FROM broadcaster_runs ORDER BY id DESC LIMIT %(limit)s"

FETCH_RUN_ITEMS = """
SELECT task_id, task_title, callback_status, http_status, attempts, latency_ms, error, created_at
FROM webhook_logs WHERE run_id = %(run_id)s ORDER BY id
"""

# --------------------------------------------------------------------------------------------
# Tasks and videos

# Active tasks with somewhere to send and something to read; `task_ids` (NULL: every task)
# narrows a pass to selected tasks.
ACTIVE_TASK_FILTER = f"""
d.status = '{TaskStatus.ACTIVE}' AND COALESCE(d.callback_url, '') <> '' AND COALESCE(d.video_url, '') <> ''
AND (%(task_ids)s::INTEGER[] IS NULL OR d.task_id = ANY(%(task_ids)s::INTEGER[]))
"""

FETCH_TASKS_TO_RESOLVE = f"""
SELECT d.task_id, d.video_url
FROM drama_tasks d
LEFT JOIN broadcaster_task_videos tv ON tv.task_id = d.task_id
WHERE {ACTIVE_TASK_FILTER} AND (tv.task_id IS NULL OR tv.video_url <> d.video_url)
"""

UPSERT_TASK_VIDEOS = """
INSERT INTO broadcaster_task_videos (task_id, video_url, platform, video_id, handle, error)
VALUES %s
ON CONFLICT (task_id) DO UPDATE
SET video_url = EXCLUDED.video_url, platform = EXCLUDED.platform, video_id = EXCLUDED.video_id,
    handle = EXCLUDED.handle, error = EXCLUDED.error, resolved_at = NOW()
"""
TASK_VIDEO_ROW = "(%(task_id)s, %(video_url)s, %(platform)s, %(video_id)s, %(handle)s, %(error)s)"

COUNT_ACTIVE_TASKS = f"SELECT COUNT(*) AS total FROM drama_tasks d WHERE {ACTIVE_TASK_FILTER}"

# A task's place in the order a pass reads tasks and cuts shards: a hash of its video, so tasks
# sharing a video sit together and the platforms are mixed all along (every platform's fetch
# pool is busy at once, and so is every shard's). Compared in the "C" collation.
def video_key(platform: str, video_id: str, task_id: str) -> str:
    """SQL for the hash of a task's video (of its own id while it has no video)."""
    return f"md5(COALESCE({platform}, '') || '/' || COALESCE({video_id}, {task_id}::TEXT))"


SHARD_KEY = video_key("tv.platform", "tv.video_id", "d.task_id")
IN_SHARD = f"""
(%(lo)s::TEXT IS NULL OR {SHARD_KEY} COLLATE "C" >= %(lo)s::TEXT COLLATE "C")
AND (%(hi)s::TEXT IS NULL OR {SHARD_KEY} COLLATE "C" < %(hi)s::TEXT COLLATE "C")
"""

ACTIVE_TASK_VIDEOS = f"""
SELECT d.task_id, d.external_task_id, d.project_id, d.title, d.duration, d.video_url,
       d.callback_url, d.callback_secret, tv.platform, tv.video_id, tv.handle,
       tv.error AS video_error
FROM drama_tasks d
LEFT JOIN broadcaster_task_videos tv ON tv.task_id = d.task_id AND tv.video_url = d.video_url
WHERE {ACTIVE_TASK_FILTER} AND {IN_SHARD}
"""

# How stale each video of the active tasks is; the pass picks the stalest within its budgets
# (budget.plan_refreshes).
SELECT_VIDEO_STALENESS = f"""
SELECT v.platform, v.video_id, bv.fetch_status, bv.attempted_at
FROM (SELECT DISTINCT platform, video_id FROM ({ACTIVE_TASK_VIDEOS}) t WHERE video_id IS NOT NULL) v
LEFT JOIN broadcaster_videos bv ON bv.platform = v.platform AND bv.video_id = v.video_id
"""

# Every active task with its video and last known counts, ordered by video so that tasks
# sharing a video share one fetch.
SELECT_PASS_TASKS = f"""
SELECT t.*, %(shard_no)s::INTEGER AS shard_no, bv.view_count, bv.like_count, bv.fetch_status,
       bv.reason AS fetch_reason, bv.fetched_at
FROM ({ACTIVE_TASK_VIDEOS}) t
LEFT JOIN broadcaster_videos bv ON bv.platform = t.platform AND bv.video_id = t.video_id
ORDER BY {video_key("t.platform", "t.video_id", "t.task_id")} COLLATE "C", t.task_id
"""

UPSERT_VIDEOS = f"""
INSERT INTO broadcaster_videos AS bv
    (platform, video_id, view_count, like_count, fetch_status, reason, fetched_at, attempted_at)
VALUES %s
ON CONFLICT (platform, video_id) DO UPDATE SET
    view_count = CASE WHEN EXCLUDED.fetch_status = '{FetchStatus.OK}' THEN EXCLUDED.view_count ELSE bv.view_count END,
    like_count = CASE WHEN EXCLUDED.fetch_status = '{FetchStatus.OK}' THEN EXCLUDED.like_count ELSE bv.like_count END,
    fetched_at = CASE WHEN EXCLUDED.fetch_status = '{FetchStatus.OK}' THEN EXCLUDED.fetched_at ELSE bv.fetched_at END,
    fetch_status = EXCLUDED.fetch_status, reason = EXCLUDED.reason,
    attempted_at = EXCLUDED.attempted_at
"""
VIDEO_ROW = (
    "(%(platform)s, %(video_id)s, %(views)s, %(likes)s, %(status)s, %(reason)s,"
    f" CASE WHEN %(status)s = '{FetchStatus.OK}' THEN NOW() END, NOW())"
)

RECORD_TASK_DELIVERIES = f"""
UPDATE drama_tasks AS d
SET callback_status = CASE WHEN v.ok THEN '{CallbackStatus.SUCCESS}' ELSE '{CallbackStatus.FAILED}' END,
    callback_last_attempt = NOW() AT TIME ZONE 'UTC',
    callback_retry_count = CASE WHEN v.ok THEN 0 ELSE COALESCE(d.callback_retry_count, 0) + 1 END
FROM (VALUES %s) AS v(task_id, ok)
WHERE d.task_id = v.task_id
"""
DELIVERY_ROW = "(%(task_id)s::INTEGER, %(ok)s::BOOLEAN)"

INSERT_WEBHOOK_LOGS = """
INSERT INTO webhook_logs (run_id, webhook_id, task_id, task_title, project_id, callback_url,
                          callback_status, http_status, attempts, latency_ms, error, payload,
                          shard_no, created_at)
VALUES %s
"""
WEBHOOK_LOG_ROW = (
    "(%(run_id)s, %(webhook_id)s, %(task_id)s, %(task_title)s, %(project_id)s, %(callback_url)s,"
    " %(callback_status)s, %(http_status)s, %(attempts)s, %(latency_ms)s, %(error)s, %(payload)s::JSONB,"
    " %(shard_no)s, NOW() AT TIME ZONE 'UTC')"
)

INSERT_ERROR_LOGS = """
INSERT INTO broadcaster_error_logs (run_id, task_id, task_title, project_id, video_url, platform,
                                    error_type, error_message, callback_url, shard_no, created_at)
VALUES %s
"""
ERROR_LOG_ROW = (
    "(%(run_id)s, %(task_id)s, %(task_title)s, %(project_id)s, %(video_url)s, %(platform)s,"
    " %(error_type)s, %(error_message)s, %(callback_url)s, %(shard_no)s, NOW() AT TIME ZONE 'UTC')"
)

# --------------------------------------------------------------------------------------------
# YouTube quota (per Pacific-time day)

FETCH_QUOTA = """
SELECT units_used, exhausted FROM broadcaster_quota WHERE day = %(day)s
"""

ADD_QUOTA_UNITS = """
INSERT INTO broadcaster_quota (day, units_used, exhausted) VALUES %s
ON CONFLICT (day) DO UPDATE
SET units_used = broadcaster_quota.units_used + EXCLUDED.units_used,
    exhausted = broadcaster_quota.exhausted OR EXCLUDED.exhausted
"""
QUOTA_ROW = "(%(day)s, %(units)s, %(exhausted)s)"

# --------------------------------------------------------------------------------------------
# TikHub requests (per UTC day) and egresses

FETCH_TIKHUB_USAGE = """
SELECT requests_used FROM broadcaster_tikhub_usage WHERE day = %(day)s
"""

ADD_TIKHUB_REQUESTS = """
INSERT INTO broadcaster_tikhub_usage (day, requests_used) VALUES %s
ON CONFLICT (day) DO UPDATE
SET requests_used = broadcaster_tikhub_usage.requests_used + EXCLUDED.requests_used
"""
TIKHUB_ROW = "(%(day)s, %(requests)s)"

FETCH_EGRESS_STATES = """
SELECT egress_key, bench_level, benched_until FROM broadcaster_egress
"""

UPSERT_EGRESS = """
INSERT INTO broadcaster_egress AS e
    (egress_key, platform, label, bench_level, benched_until, pages_last_pass, last_pass_at, last_error)
VALUES %s
ON CONFLICT (egress_key) DO UPDATE SET
    platform = EXCLUDED.platform, label = EXCLUDED.label, bench_level = EXCLUDED.bench_level,
    benched_until = EXCLUDED.benched_until, pages_last_pass = EXCLUDED.pages_last_pass,
    last_pass_at = EXCLUDED.last_pass_at, last_error = COALESCE(EXCLUDED.last_error, e.last_error)
"""
EGRESS_ROW = (
    "(%(egress_key)s, %(platform)s, %(label)s, %(level)s, %(benched_until)s, %(pages)s, NOW(), %(last_error)s)"
)

INSERT_EGRESS_BLOCKS = """
INSERT INTO broadcaster_egress_blocks (egress_key, blocked_at, reason) VALUES %s
"""
EGRESS_BLOCK_ROW = "(%(egress_key)s, %(blocked_at)s, %(reason)s)"

# Every egress any pass has used, with its blocks in the last hour.
FETCH_EGRESS_STATUS = """
SELECT e.egress_key, e.platform, e.label, e.bench_level, e.benched_until, e.pages_last_pass,
       e.last_pass_at, e.last_error,
       (SELECT COUNT(*) FROM broadcaster_egress_blocks b
        WHERE b.egress_key = e.egress_key AND b.blocked_at > NOW() - interval '1 hour') AS blocks_last_hour
FROM broadcaster_egress e
"""

# Distinct videos per platform among the active tasks (for --plan).
COUNT_VIDEOS_BY_PLATFORM = f"""
SELECT platform, COUNT(DISTINCT video_id) AS videos, COUNT(*) AS tasks
FROM ({ACTIVE_TASK_VIDEOS}) t WHERE video_id IS NOT NULL GROUP BY platform
"""

# --------------------------------------------------------------------------------------------
# Admin API

TASK_COLUMNS = """
d.task_id, d.external_task_id, d.project_id, d.title, d.status, d.video_url, tv.platform,
d.duration, d.callback_url, COALESCE(d.callback_secret, '') <> '' AS has_callback_secret,
d.callback_status, d.callback_retry_count, d.callback_last_attempt, d.created_at,
bv.view_count, bv.like_count, bv.fetch_status AS stats_status,
COALESCE(tv.error, bv.reason) AS stats_reason, bv.fetched_at AS stats_fetched_at
"""

TASK_JOINS = """
FROM drama_tasks d
LEFT JOIN broadcaster_task_videos tv ON tv.task_id = d.task_id AND tv.video_url = d.video_url
LEFT JOIN broadcaster_videos bv ON bv.platform = tv.platform AND bv.video_id = tv.video_id
"""

FETCH_TASKS = f"""
SELECT {TASK_COLUMNS} {TASK_JOINS}
WHERE (%(status)s::TEXT IS NULL OR d.status = %(status)s)
ORDER BY d.task_id DESC LIMIT %(limit)s OFFSET %(offset)s
"""

FETCH_TASK = f"SELECT {TASK_COLUMNS} {TASK_JOINS} WHERE d.task_id = %(task_id)s"

INSERT_TASK = f"""
INSERT INTO drama_tasks (title, video_url, callback_url, callback_secret, project_id,
                         external_task_id, duration, status, callback_status, callback_retry_count,
                         created_at)
VALUES (%(title)s, %(video_url)s, %(callback_url)s, %(callback_secret)s, %(project_id)s,
        %(external_task_id)s, %(duration)s, %(status)s, '{CallbackStatus.PENDING}', 0, NOW() AT TIME ZONE 'UTC')
RETURNING task_id
"""

#: The columns PATCH /api/tasks/<id> may change.
EDITABLE_TASK_COLUMNS = frozenset({
    "title", "video_url", "callback_url", "callback_secret", "project_id", "external_task_id", "duration", "status",
})


def update_task(columns: Iterable[str]) -> pgsql.Composed:
    """``UPDATE drama_tasks SET col = %(col)s, … WHERE task_id = %(task_id)s`` for editable columns."""
    columns = list(columns)
    unknown = set(columns) - EDITABLE_TASK_COLUMNS
    if unknown or not columns:
        raise ValueError(f"not editable: {sorted(unknown) or 'nothing'}")
    assignments = pgsql.SQL(", ").join(
        pgsql.SQL("{} = {}").format(pgsql.Identifier(name), pgsql.Placeholder(name)) for name in columns
    )
    return pgsql.SQL("UPDATE drama_tasks SET {} WHERE task_id = %(task_id)s").format(assignments)


FETCH_WEBHOOK_LOGS = """
SELECT id, run_id, task_id, task_title, project_id, callback_url, callback_status, http_status,
       attempts, latency_ms, error, payload, created_at
FROM webhook_logs
WHERE created_at >= (NOW() AT TIME ZONE 'UTC') - make_interval(hours => %(hours)s)
  AND (%(status)s::TEXT IS NULL OR callback_status = %(status)s)
ORDER BY id DESC LIMIT %(limit)s
"""

# --------------------------------------------------------------------------------------------
# Retention: small batches by primary key so no statement holds locks for long.

PRUNE_WEBHOOK_LOGS = """
DELETE FROM webhook_logs WHERE id IN (
    SELECT id FROM webhook_logs
    WHERE created_at < (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(days)s)
    LIMIT %(batch)s)
"""

PRUNE_ERROR_LOGS = """
DELETE FROM broadcaster_error_logs WHERE id IN (
    SELECT id FROM broadcaster_error_logs
    WHERE created_at < (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(days)s)
    LIMIT %(batch)s)
"""

PRUNE_RUNS = f"""
DELETE FROM broadcaster_runs WHERE id IN (
    SELECT id FROM broadcaster_runs
    WHERE status <> {RUNNING} AND started_at < NOW() - make_interval(days => %(days)s)
    LIMIT %(batch)s)
"""

PRUNE_EGRESS_BLOCKS = """
DELETE FROM broadcaster_egress_blocks WHERE id IN (
    SELECT id FROM broadcaster_egress_blocks
    WHERE blocked_at < NOW() - make_interval(days => %(days)s)
    LIMIT %(batch)s)
"""

# Count history has its own retention (COUNT_HISTORY_DAYS), hence its own parameter.
PRUNE_COUNT_HISTORY = """
DELETE FROM broadcaster_count_history WHERE id IN (
    SELECT id FROM broadcaster_count_history
    WHERE recorded_at < NOW() - make_interval(days => %(history_days)s)
    LIMIT %(batch)s)
"""

PRUNE_SHARDS = """
DELETE FROM broadcaster_shards WHERE (run_id, shard_no) IN (
    SELECT s.run_id, s.shard_no FROM broadcaster_shards s
    WHERE NOT EXISTS (SELECT 1 FROM broadcaster_runs r WHERE r.id = s.run_id)
    LIMIT %(batch)s)
"""

PRUNE_STATEMENTS = (PRUNE_WEBHOOK_LOGS, PRUNE_ERROR_LOGS, PRUNE_RUNS, PRUNE_EGRESS_BLOCKS, PRUNE_COUNT_HISTORY,
                    PRUNE_SHARDS)

# --------------------------------------------------------------------------------------------
# Counters of /metrics (broadcaster.counters): added to in the transaction of what they count.

ADD_COUNTERS = """
INSERT INTO broadcaster_counters AS c (metric, labels, value) VALUES %s
ON CONFLICT (metric, labels) DO UPDATE SET value = c.value + EXCLUDED.value
"""
COUNTER_ROW = "(%(metric)s, %(labels)s::JSONB, %(value)s)"

FETCH_COUNTERS = "SELECT metric, labels, value FROM broadcaster_counters ORDER BY metric, labels"

# The gauges of /metrics, read in one round trip. Count ages come from the last finished pass
# over every task (a retry of a few tasks says little about how fresh the rest are).
FETCH_GAUGES = f"""
SELECT (SELECT enabled FROM broadcaster_state WHERE id = 1) AS switch_on,
       (SELECT COUNT(*) FROM drama_tasks d WHERE {ACTIVE_TASK_FILTER}) AS active_tasks,
       (SELECT units_used FROM broadcaster_quota WHERE day = %(quota_day)s) AS quota_units_used,
       (SELECT EXTRACT(EPOCH FROM finished_at - started_at) FROM broadcaster_runs
        WHERE status <> {RUNNING} AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1) AS last_run_seconds,
       (SELECT freshness FROM broadcaster_runs
        WHERE status <> {RUNNING} AND scope = '{Scope.ALL}' AND freshness IS NOT NULL
        ORDER BY id DESC LIMIT 1) AS freshness
"""

# --------------------------------------------------------------------------------------------
# Count history: a point per video whenever a refresh changes its counts.

# Written with the recorder's batch *before* UPSERT_VIDEOS, so each fetched video is compared
# with the counts stored until now; a first read is a point too. OK fetches only.
INSERT_COUNT_HISTORY = """
INSERT INTO broadcaster_count_history (platform, video_id, recorded_at, view_count, like_count)
SELECT v.platform, v.video_id, NOW(), v.views, v.likes
FROM (VALUES %s) AS v(platform, video_id, views, likes)
LEFT JOIN broadcaster_videos bv ON bv.platform = v.platform AND bv.video_id = v.video_id
WHERE (v.views IS NOT NULL OR v.likes IS NOT NULL)
  AND (bv.video_id IS NULL OR bv.view_count IS DISTINCT FROM v.views OR bv.like_count IS DISTINCT FROM v.likes)
"""
COUNT_HISTORY_ROW = "(%(platform)s, %(video_id)s, %(views)s::BIGINT, %(likes)s::BIGINT)"

# The video a task's current link names (NULL platform: not resolved yet, or no video).
FETCH_TASK_VIDEO = """
SELECT d.task_id, tv.platform, tv.video_id
FROM drama_tasks d
LEFT JOIN broadcaster_task_videos tv ON tv.task_id = d.task_id AND tv.video_url = d.video_url
WHERE d.task_id = %(task_id)s
"""

# A video's points of the last `hours`, oldest first. Beyond `max_points` in the window, only
# the newest point of each of `max_points` slices of `slice_s` seconds, counted back from now.
FETCH_COUNT_HISTORY = """
SELECT recorded_at, view_count, like_count FROM (
    SELECT h.recorded_at, h.view_count, h.like_count, COUNT(*) OVER () AS in_window,
           ROW_NUMBER() OVER (PARTITION BY LEAST(FLOOR(EXTRACT(EPOCH FROM NOW() - h.recorded_at) / %(slice_s)s),
                                                 %(max_points)s - 1)
                              ORDER BY h.recorded_at DESC, h.id DESC) AS newest
    FROM broadcaster_count_history h
    WHERE h.platform = %(platform)s AND h.video_id = %(video_id)s
      AND h.recorded_at >= NOW() - make_interval(hours => %(hours)s)
) slices
WHERE in_window <= %(max_points)s OR newest = 1
ORDER BY recorded_at
"""

# --------------------------------------------------------------------------------------------
# A pass over selected tasks: which of the named tasks exist, and would a pass select them.

FETCH_SELECTED_TASKS = f"""
SELECT d.task_id, d.status, ({ACTIVE_TASK_FILTER}) AS selectable
FROM drama_tasks d WHERE d.task_id = ANY(%(task_ids)s::INTEGER[])
"""
