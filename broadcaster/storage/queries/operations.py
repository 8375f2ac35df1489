"""/metrics counters and gauges, count history, passes over selected tasks."""

from __future__ import annotations

from broadcaster.core.states import Scope
from broadcaster.storage.queries.runs import RUNNING
from broadcaster.storage.queries.tasks import ACTIVE_TASK_FILTER, TASKS_WITH_VIDEOS

# --------------------------------------------------------------------------------------------
# Counters of /metrics (broadcaster.storage.counters): added to in the transaction of what they count.

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
# with the counts stored until now; a first read is a point too (its row, made by ENSURE_VIDEOS
# just before, has no counts yet). OK fetches only. Points go to today's partition of
# broadcaster_count_points (broadcaster.storage.partitions), keyed by the video's number.
ENSURE_VIDEOS = """
INSERT INTO broadcaster_videos (platform, video_id)
SELECT DISTINCT v.platform, v.video_id FROM (VALUES %s) AS v(platform, video_id)
WHERE NOT EXISTS (SELECT 1 FROM broadcaster_videos bv WHERE bv.platform = v.platform AND bv.video_id = v.video_id)
ON CONFLICT DO NOTHING
"""
VIDEO_KEY_ROW = "(%(platform)s::TEXT, %(video_id)s::TEXT)"

INSERT_COUNT_POINTS = """
INSERT INTO broadcaster_count_points (recorded_at, video_ref, view_count, like_count)
SELECT NOW(), bv.id, v.views, v.likes
FROM (VALUES %s) AS v(platform, video_id, views, likes)
JOIN broadcaster_videos bv ON bv.platform = v.platform AND bv.video_id = v.video_id
WHERE (v.views IS NOT NULL OR v.likes IS NOT NULL)
  AND (bv.view_count IS DISTINCT FROM v.views OR bv.like_count IS DISTINCT FROM v.likes)
"""
COUNT_POINT_ROW = "(%(platform)s, %(video_id)s, %(views)s::BIGINT, %(likes)s::BIGINT)"

# The video a task's current link names (NULL platform: not resolved yet, or no video).
FETCH_TASK_VIDEO = f"""
SELECT d.task_id, tv.platform, tv.video_id, bv.id AS video_ref
{TASKS_WITH_VIDEOS}
LEFT JOIN broadcaster_videos bv ON bv.platform = tv.platform AND bv.video_id = tv.video_id
WHERE d.task_id = %(task_id)s
"""

# A video's points of the last `hours`, oldest first. Beyond `max_points` in the window, only
# the newest point of each of `max_points` slices of `slice_s` seconds, counted back from now.
FETCH_COUNT_HISTORY = """
SELECT recorded_at, view_count, like_count FROM (
    SELECT h.recorded_at, h.view_count, h.like_count, COUNT(*) OVER () AS in_window,
           ROW_NUMBER() OVER (PARTITION BY LEAST(FLOOR(EXTRACT(EPOCH FROM NOW() - h.recorded_at) / %(slice_s)s),
                                                 %(max_points)s - 1)
                              ORDER BY h.recorded_at DESC) AS newest
    FROM broadcaster_count_points h
    WHERE h.video_ref = %(video_ref)s AND h.recorded_at >= NOW() - make_interval(hours => %(hours)s)
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
