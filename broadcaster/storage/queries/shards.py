"""SQL of a pass shared by several processes: shards, worker slots, shared page budgets and allowances.

Used when PASS_WORKERS or PASS_HELPER spread a pass over processes.
"""

from __future__ import annotations

from broadcaster.core.states import ShardStatus
from broadcaster.storage.queries.runs import RUNNING
from broadcaster.storage.queries.tasks import ACTIVE_TASK_FILTER, SHARD_KEY, TASKS_WITH_VIDEOS

SET_RUN_PLAN = """
UPDATE broadcaster_runs SET plan = %(plan)s::JSONB, slots = %(slots)s WHERE id = %(run_id)s
"""

FETCH_RUN_PLAN = """
SELECT plan, slots, task_ids, status, cancel_requested FROM broadcaster_runs WHERE id = %(run_id)s
"""

# Distinct shard keys of the pass's tasks, in order, with their task counts (to cut shards).
SHARD_KEYS = f"""
SELECT {SHARD_KEY} AS sk, COUNT(*) AS tasks
{TASKS_WITH_VIDEOS}
WHERE {ACTIVE_TASK_FILTER}
GROUP BY {SHARD_KEY} ORDER BY {SHARD_KEY} COLLATE "C"
"""

INSERT_SHARDS = "INSERT INTO broadcaster_shards (run_id, shard_no, lo_key, hi_key) VALUES %s"
SHARD_ROW = "(%(run_id)s, %(shard_no)s, %(lo)s, %(hi)s)"

# Take a pending shard, or one whose worker stopped heartbeating; pending ones first.
CLAIM_SHARD = f"""
UPDATE broadcaster_shards s
SET status = '{ShardStatus.RUNNING}', runner = %(runner)s, attempts = s.attempts + 1, heartbeat_at = NOW(),
    done = 0, success_count = 0
WHERE (s.run_id, s.shard_no) = (
    SELECT run_id, shard_no FROM broadcaster_shards
    WHERE run_id = %(run_id)s
      AND (status = '{ShardStatus.PENDING}'
           OR (status = '{ShardStatus.RUNNING}' AND heartbeat_at < NOW() - make_interval(secs => %(stale_seconds)s)))
    ORDER BY status = '{ShardStatus.RUNNING}', shard_no
    LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING s.shard_no, s.lo_key, s.hi_key, s.attempts
"""

# A shard's progress; answers whether its worker should stop (stopped run, or the shard taken).
HEARTBEAT_SHARD = f"""
UPDATE broadcaster_shards s
SET heartbeat_at = NOW(), total = %(total)s, done = %(done)s, success_count = %(success_count)s
FROM broadcaster_runs r
WHERE s.run_id = %(run_id)s AND s.shard_no = %(shard_no)s AND s.runner = %(runner)s
  AND s.status = '{ShardStatus.RUNNING}' AND r.id = s.run_id
RETURNING r.cancel_requested OR r.status <> {RUNNING} AS cancel_requested
"""

# Shards finished, written in the transaction of their last rows (VALUES %s, SHARD_DONE_ROW).
FINISH_SHARDS = f"""
UPDATE broadcaster_shards s
SET status = '{ShardStatus.DONE}', heartbeat_at = NOW(), total = v.total, done = v.done,
    success_count = v.success_count, ages = v.ages
FROM (VALUES %s) AS v(run_id, shard_no, runner, total, done, success_count, ages)
WHERE s.run_id = v.run_id AND s.shard_no = v.shard_no AND s.runner = v.runner
  AND s.status = '{ShardStatus.RUNNING}'
"""
SHARD_DONE_ROW = (
    "(%(run_id)s::BIGINT, %(shard_no)s::INTEGER, %(runner)s::TEXT, %(total)s::INTEGER, %(done)s::INTEGER,"
    " %(success_count)s::INTEGER, %(ages)s::JSONB)"
)

# Shards not done that are not this worker's (pending, or another's, perhaps soon stale).
OTHERS_OPEN = f"""
SELECT COUNT(*) AS open FROM broadcaster_shards
WHERE run_id = %(run_id)s AND status <> '{ShardStatus.DONE}' AND runner IS DISTINCT FROM %(runner)s
"""

SHARD_PROGRESS = """
SELECT COALESCE(SUM(total), 0) AS total, COALESCE(SUM(done), 0) AS done,
       COALESCE(SUM(success_count), 0) AS success_count
FROM broadcaster_shards WHERE run_id = %(run_id)s
"""

FETCH_SHARD_AGES = f"""
SELECT ages FROM broadcaster_shards WHERE run_id = %(run_id)s AND status = '{ShardStatus.DONE}'
"""


INSERT_SLOTS = "INSERT INTO broadcaster_pass_slots (run_id, slot_no) VALUES %s"
SLOT_ROW = "(%(run_id)s, %(slot_no)s)"

CLAIM_SLOT = """
UPDATE broadcaster_pass_slots s SET runner = %(runner)s, seen_at = NOW()
WHERE (s.run_id, s.slot_no) = (
    SELECT run_id, slot_no FROM broadcaster_pass_slots
    WHERE run_id = %(run_id)s
      AND (runner IS NULL OR runner = %(runner)s OR seen_at < NOW() - make_interval(secs => %(stale_seconds)s))
    ORDER BY runner = %(runner)s DESC, slot_no LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING s.slot_no
"""

TOUCH_SLOT = """
UPDATE broadcaster_pass_slots SET seen_at = NOW() WHERE run_id = %(run_id)s AND runner = %(runner)s
"""

# Running shared passes a helper may join: open shards and a free slot.
FETCH_JOINABLE_RUNS = f"""
SELECT r.id FROM broadcaster_runs r
WHERE r.status = {RUNNING} AND r.slots > 1 AND NOT r.cancel_requested
  AND EXISTS (SELECT 1 FROM broadcaster_shards s WHERE s.run_id = r.id AND s.status <> '{ShardStatus.DONE}')
  AND EXISTS (SELECT 1 FROM broadcaster_pass_slots p WHERE p.run_id = r.id
              AND (p.runner IS NULL OR p.seen_at < NOW() - make_interval(secs => %(stale_seconds)s)))
ORDER BY r.id
"""

HELPER_SEEN = """
INSERT INTO broadcaster_helpers (runner, seen_at) VALUES (%(runner)s, NOW())
ON CONFLICT (runner) DO UPDATE SET seen_at = NOW()
"""

COUNT_LIVE_HELPERS = """
SELECT COUNT(*) AS helpers FROM broadcaster_helpers WHERE seen_at > NOW() - make_interval(secs => %(stale_seconds)s)
"""

INSERT_SHARED_EGRESS = """
INSERT INTO broadcaster_pass_egress (run_id, egress_key, platform, position, budget, spacing_s) VALUES %s
"""
SHARED_EGRESS_ROW = "(%(run_id)s, %(egress_key)s, %(platform)s, %(position)s, %(budget)s, %(spacing_s)s)"

# One page on the usable egress with the most budget left; its paced slot comes back as a wait.
ACQUIRE_SHARED_PAGE = """
WITH chosen AS (
    SELECT pe.run_id, pe.egress_key, GREATEST(pe.next_at, clock_timestamp()) AS slot
    FROM broadcaster_pass_egress pe
    LEFT JOIN broadcaster_egress e ON e.egress_key = pe.egress_key
    WHERE pe.run_id = %(run_id)s AND pe.platform = %(platform)s
      AND (pe.budget IS NULL OR pe.used < pe.budget)
      AND (e.benched_until IS NULL OR e.benched_until <= NOW())
      AND NOT (pe.egress_key = ANY(%(tried)s::TEXT[]))
    ORDER BY COALESCE(pe.budget - pe.used, 2147483647) DESC, pe.used, pe.position
    LIMIT 1 FOR UPDATE OF pe
)
UPDATE broadcaster_pass_egress pe
SET used = pe.used + 1,
    next_at = chosen.slot + make_interval(secs => pe.spacing_s * (0.7 + random() * 0.6))
FROM chosen
WHERE pe.run_id = chosen.run_id AND pe.egress_key = chosen.egress_key
RETURNING pe.egress_key, GREATEST(0, EXTRACT(EPOCH FROM chosen.slot - clock_timestamp())) AS wait_s
"""

SHARED_EGRESS_USED = "SELECT egress_key, used FROM broadcaster_pass_egress WHERE run_id = %(run_id)s"

BENCH_EGRESS = """
UPDATE broadcaster_egress SET bench_level = bench_level + 1, last_error = %(reason)s
WHERE egress_key = %(egress_key)s
RETURNING bench_level
"""

SET_EGRESS_BENCH = """
UPDATE broadcaster_egress SET benched_until = NOW() + make_interval(secs => %(cooldown)s)
WHERE egress_key = %(egress_key)s
"""

INSERT_EGRESS_BLOCK = """
INSERT INTO broadcaster_egress_blocks (egress_key, reason) VALUES (%(egress_key)s, %(reason)s)
"""

ADD_SHARED_PAGES = """
UPDATE broadcaster_pass_egress SET used = used + %(pages)s WHERE run_id = %(run_id)s AND egress_key = %(egress_key)s
"""

FETCH_BENCHES = """
SELECT egress_key, benched_until FROM broadcaster_egress WHERE egress_key = ANY(%(keys)s::TEXT[])
"""

SET_EGRESS_PAGES = """
UPDATE broadcaster_egress SET pages_last_pass = %(pages)s, last_pass_at = NOW() WHERE egress_key = %(egress_key)s
"""

RESET_EGRESS_LEVEL = "UPDATE broadcaster_egress SET bench_level = 0 WHERE egress_key = %(egress_key)s AND bench_level > 0"

INSERT_ALLOWANCES = "INSERT INTO broadcaster_pass_allowance (run_id, name, remaining) VALUES %s"
ALLOWANCE_ROW = "(%(run_id)s, %(name)s, %(remaining)s)"

TAKE_ALLOWANCE = """
UPDATE broadcaster_pass_allowance SET remaining = remaining - 1
WHERE run_id = %(run_id)s AND name = %(name)s AND remaining > 0
RETURNING remaining
"""

REFUSE_ALLOWANCE = """
INSERT INTO broadcaster_pass_allowance (run_id, name, remaining, note) VALUES (%(run_id)s, 'refused', 0, %(note)s)
ON CONFLICT (run_id, name) DO NOTHING
RETURNING name
"""

FETCH_REFUSAL = "SELECT note FROM broadcaster_pass_allowance WHERE run_id = %(run_id)s AND name = 'refused'"

DELETE_PASS_ROWS = (
    # shards stay (who worked on which part), only their age tallies go; pruned with their run
    "UPDATE broadcaster_shards SET ages = NULL WHERE run_id = %(run_id)s",
    "DELETE FROM broadcaster_pass_slots WHERE run_id = %(run_id)s",
    "DELETE FROM broadcaster_pass_egress WHERE run_id = %(run_id)s",
    "DELETE FROM broadcaster_pass_allowance WHERE run_id = %(run_id)s",
)
