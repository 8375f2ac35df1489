"""The switch and the runs: claiming, heartbeating and finishing a pass."""

from __future__ import annotations

from broadcaster.core.states import RunStatus, Scope, Trigger
from broadcaster.storage import counters
from broadcaster.storage.queries.records import delivery_log

RUNNING = f"'{RunStatus.RUNNING}'"

# --------------------------------------------------------------------------------------------
# The switch and the runs

RUN_COLUMNS = """id, trigger, scope, status, started_at, finished_at, total, done, success_count,
    failed_count, error, freshness, triggered_by"""

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
INSERT INTO broadcaster_runs (trigger, status, runner, started_at, heartbeat_at, scope, task_ids, triggered_by)
VALUES (%(trigger)s, {RUNNING}, %(runner)s, NOW(), NOW(),
        CASE WHEN %(task_ids)s::INTEGER[] IS NULL THEN '{Scope.ALL}' ELSE '{Scope.SELECTED}' END,
        %(task_ids)s::INTEGER[], %(triggered_by)s)
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

# Adds to a counter of /metrics (broadcaster.storage.counters) from rows `(metric, labels, value)`.
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
SELECT id, trigger FROM ended
"""

FETCH_RUN = f"SELECT {RUN_COLUMNS} FROM broadcaster_runs WHERE id = %(run_id)s"

FETCH_CURRENT_RUN = f"SELECT {RUN_COLUMNS} FROM broadcaster_runs WHERE status = {RUNNING} LIMIT 1"

FETCH_LAST_FINISHED_RUN = f"""
SELECT {RUN_COLUMNS} FROM broadcaster_runs WHERE status <> {RUNNING} ORDER BY id DESC LIMIT 1
"""

FETCH_RUNS = f"SELECT {RUN_COLUMNS} FROM broadcaster_runs ORDER BY id DESC LIMIT %(limit)s"

# A run's records lie between its start and end (one pass runs at a time), which keeps the read to
# that range of the created_at index and to the run's days.
RUN_WINDOW = """
run_id = %(run_id)s
AND created_at >= (SELECT started_at AT TIME ZONE 'UTC' FROM broadcaster_runs WHERE id = %(run_id)s)
AND created_at <= (SELECT COALESCE(finished_at, NOW()) AT TIME ZONE 'UTC' + INTERVAL '10 minutes'
                   FROM broadcaster_runs WHERE id = %(run_id)s)
"""

FETCH_RUN_ITEMS = f"""
SELECT task_id, task_title, callback_status, http_status, attempts, latency_ms, error, created_at
FROM ({delivery_log(RUN_WINDOW)}) log ORDER BY created_at, id
"""
