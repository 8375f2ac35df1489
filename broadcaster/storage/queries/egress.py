"""TikHub requests per day, egresses and their benches, videos per platform."""

from __future__ import annotations

from broadcaster.storage.queries.tasks import ACTIVE_TASK_VIDEOS

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
