"""Retention: small batches by primary key so no statement holds locks for long."""

from __future__ import annotations

from broadcaster.queries.access import PRUNE_AUDIT, PRUNE_LOGIN_THROTTLE
from broadcaster.queries.alerts import PRUNE_ALERT_EVENTS
from broadcaster.queries.digest import PRUNE_DIGESTS
from broadcaster.queries.projects import PRUNE_PROJECT_HOURS, PRUNE_PROJECT_ROLLUPS
from broadcaster.queries.runs import RUNNING
from broadcaster.queries.sessions import PRUNE_SESSIONS

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

# The callback hosts' rolled-up hours (broadcaster.hosts) go with the log they were made from.
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

PRUNE_HOST_ROLLUPS = """
DELETE FROM broadcaster_host_rollups WHERE hour IN (
    SELECT hour FROM broadcaster_host_rollups
    WHERE hour < (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(days)s) - INTERVAL '1 hour'
    LIMIT %(batch)s)
"""

PRUNE_STATEMENTS = (PRUNE_WEBHOOK_LOGS, PRUNE_ERROR_LOGS, PRUNE_RUNS, PRUNE_EGRESS_BLOCKS, PRUNE_COUNT_HISTORY,
                    PRUNE_SHARDS, PRUNE_PASS_SLOTS, PRUNE_PASS_EGRESS, PRUNE_PASS_ALLOWANCES, PRUNE_HELPERS,
                    PRUNE_AUDIT, PRUNE_LOGIN_THROTTLE, PRUNE_ALERT_EVENTS,
                    PRUNE_HOST_HOURS, PRUNE_HOST_TASKS, PRUNE_HOST_ROLLUPS,
                    PRUNE_PROJECT_HOURS, PRUNE_PROJECT_ROLLUPS, PRUNE_SESSIONS, PRUNE_DIGESTS)
