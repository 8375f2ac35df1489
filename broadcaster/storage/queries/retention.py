"""Retention of what is not partitioned by day: small batches by primary key so no statement
holds locks for long. (Whole days of records and count history are dropped: broadcaster.storage.retention.)"""

from __future__ import annotations

from broadcaster.storage.queries.access import PRUNE_AUDIT, PRUNE_LOGIN_THROTTLE
from broadcaster.storage.queries.alerts import PRUNE_ALERT_EVENTS
from broadcaster.storage.queries.digest import PRUNE_DIGESTS
from broadcaster.storage.queries.projects import PRUNE_PROJECT_HOURS, PRUNE_PROJECT_ROLLUPS
from broadcaster.storage.queries.runs import RUNNING
from broadcaster.storage.queries.sessions import PRUNE_SESSIONS

# --------------------------------------------------------------------------------------------
# Rows the broadcaster wrote into the bot's logs before its own records existed (migration 0002):
# theirs only (run_id is the broadcaster's column; the bot's own rows have none), until none is left.

PRUNE_WEBHOOK_LOGS = """
DELETE FROM webhook_logs WHERE id IN (
    SELECT id FROM webhook_logs
    WHERE run_id IS NOT NULL AND created_at < (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(days)s)
    LIMIT %(batch)s)
"""

PRUNE_ERROR_LOGS = """
DELETE FROM broadcaster_error_logs WHERE id IN (
    SELECT id FROM broadcaster_error_logs
    WHERE run_id IS NOT NULL AND created_at < (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(days)s)
    LIMIT %(batch)s)
"""

# Once none of those rows is left, the webhook log view stops looking at webhook_logs.
FORGET_LEGACY_LOGS = """
UPDATE broadcaster_storage SET legacy_logs = FALSE
WHERE id = 1 AND legacy_logs
  AND NOT EXISTS (SELECT 1 FROM webhook_logs WHERE run_id IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM broadcaster_error_logs WHERE run_id IS NOT NULL)
"""

FETCH_LEGACY_LOGS = "SELECT legacy_logs FROM broadcaster_storage WHERE id = 1"

# Contexts no record points to any more: every record of the days they were last used on is gone.
PRUNE_DELIVERY_CONTEXTS = """
DELETE FROM broadcaster_delivery_contexts WHERE id IN (
    SELECT id FROM broadcaster_delivery_contexts
    WHERE last_used_on < (NOW() AT TIME ZONE 'UTC')::DATE - %(days)s - 1
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

PRUNE_SHARDS = """
DELETE FROM broadcaster_shards WHERE (run_id, shard_no) IN (
    SELECT s.run_id, s.shard_no FROM broadcaster_shards s
    WHERE NOT EXISTS (SELECT 1 FROM broadcaster_runs r WHERE r.id = s.run_id)
    LIMIT %(batch)s)
"""

# A shared pass's slots, page budgets and allowances live only while it runs. The pass removes
# them when it ends (shards.forget_pass); these catch a pass that failed or whose process died.
_NOT_RUNNING = f"NOT EXISTS (SELECT 1 FROM broadcaster_runs r WHERE r.id = p.run_id AND r.status = {RUNNING})"

PRUNE_PASS_SLOTS = f"""
DELETE FROM broadcaster_pass_slots WHERE (run_id, slot_no) IN (
    SELECT p.run_id, p.slot_no FROM broadcaster_pass_slots p WHERE {_NOT_RUNNING} LIMIT %(batch)s)
"""

PRUNE_PASS_EGRESS = f"""
DELETE FROM broadcaster_pass_egress WHERE (run_id, egress_key) IN (
    SELECT p.run_id, p.egress_key FROM broadcaster_pass_egress p WHERE {_NOT_RUNNING} LIMIT %(batch)s)
"""

PRUNE_PASS_ALLOWANCES = f"""
DELETE FROM broadcaster_pass_allowance WHERE (run_id, name) IN (
    SELECT p.run_id, p.name FROM broadcaster_pass_allowance p WHERE {_NOT_RUNNING} LIMIT %(batch)s)
"""

# Every helper process ever started has a row; one silent for a day is gone.
PRUNE_HELPERS = """
DELETE FROM broadcaster_helpers WHERE runner IN (
    SELECT runner FROM broadcaster_helpers WHERE seen_at < NOW() - INTERVAL '1 day' LIMIT %(batch)s)
"""

# The callback hosts' rolled-up hours (broadcaster.reports.hosts) go with the log they were made from.
PRUNE_HOST_HOURS = """
DELETE FROM broadcaster_host_hours WHERE (host, hour, latency_ms) IN (
    SELECT host, hour, latency_ms FROM broadcaster_host_hours
    WHERE hour < (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(days)s) - INTERVAL '1 hour'
    LIMIT %(batch)s)
"""

PRUNE_HOST_TASKS = """
DELETE FROM broadcaster_host_tasks WHERE (host, task_id) IN (
    SELECT host, task_id FROM broadcaster_host_tasks
    WHERE last_at < (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(days)s)
    LIMIT %(batch)s)
"""

PRUNE_HOST_ERRORS = """
DELETE FROM broadcaster_host_errors WHERE (host, hour) IN (
    SELECT host, hour FROM broadcaster_host_errors
    WHERE hour < (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(days)s) - INTERVAL '1 hour'
    LIMIT %(batch)s)
"""

PRUNE_HOST_ROLLUPS = """
DELETE FROM broadcaster_host_rollups WHERE hour IN (
    SELECT hour FROM broadcaster_host_rollups
    WHERE hour < (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(days)s) - INTERVAL '1 hour'
    LIMIT %(batch)s)
"""

PRUNE_STATEMENTS = (PRUNE_WEBHOOK_LOGS, PRUNE_ERROR_LOGS, PRUNE_DELIVERY_CONTEXTS, PRUNE_RUNS, PRUNE_EGRESS_BLOCKS,
                    PRUNE_SHARDS, PRUNE_PASS_SLOTS, PRUNE_PASS_EGRESS, PRUNE_PASS_ALLOWANCES, PRUNE_HELPERS,
                    PRUNE_AUDIT, PRUNE_LOGIN_THROTTLE, PRUNE_ALERT_EVENTS,
                    PRUNE_HOST_HOURS, PRUNE_HOST_TASKS, PRUNE_HOST_ERRORS, PRUNE_HOST_ROLLUPS,
                    PRUNE_PROJECT_HOURS, PRUNE_PROJECT_ROLLUPS, PRUNE_SESSIONS, PRUNE_DIGESTS)

# The upkeep runs in one process at a time (the others skip it): a session advisory lock.
TRY_UPKEEP_LOCK = "SELECT pg_try_advisory_lock(%(key)s) AS locked"
RELEASE_UPKEEP_LOCK = "SELECT pg_advisory_unlock(%(key)s)"
