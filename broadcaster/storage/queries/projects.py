"""Insight by drama (docs/architecture.md#insight-by-drama): projects, their figures, their hourly totals, and the refresh.

A project is the tasks sharing a non-empty project_id; its videos are the videos its tasks' current
links resolved to (broadcaster_task_videos), so a video linked by several tasks, in any link form,
is one. Counting 100,000 tasks' gains from raw count history per request is too slow, so the
supervisor refreshes the figures after each pass and on its tick (broadcaster.reports.projects), and the
routes read what the refresh wrote, with the time it is as of.

The count history is read by two statements only, REFRESH_VIDEO_INSIGHT (each video's gains and
stall) and ROLL_UP_PROJECT_HOURS (each video's reading at the end of an hour).
"""

from __future__ import annotations

from broadcaster.core.states import FetchStatus, Platform, TaskStatus
from broadcaster.storage.queries.admin import TASK_COLUMNS, TASK_JOINS
from broadcaster.storage.queries.tasklist import TITLE_MATCH

# Every process may refresh; this lock makes one do it while the others skip. (The number is
# arbitrary, fixed: the advisory-lock key of the insight refresh.)
TRY_LOCK_INSIGHT = "SELECT pg_try_advisory_xact_lock(7311026) AS locked"

FETCH_INSIGHT_STATE = "SELECT as_of, refresh_ms, NOW() AS now FROM broadcaster_insight_state WHERE id = 1"

STORE_INSIGHT_STATE = """
UPDATE broadcaster_insight_state SET as_of = NOW(), refresh_ms = %(refresh_ms)s WHERE id = 1
"""

# Each task's video by its current link (NULL while the link is not resolved, or names no video).
_TASK_VIDEOS = """
SELECT d.task_id, d.project_id, d.title, d.status, tv.platform, tv.video_id
FROM drama_tasks d
LEFT JOIN broadcaster_task_videos tv
    ON tv.task_id = d.task_id AND tv.video_url = d.video_url AND tv.video_id IS NOT NULL
"""

_PROJECT_TASKS = f"""
{_TASK_VIDEOS}
WHERE COALESCE(d.project_id, '') <> '' AND (%(project_id)s::TEXT IS NULL OR d.project_id = %(project_id)s::TEXT)
"""

# --------------------------------------------------------------------------------------------
# The refresh: each video's figures, then each project's.

# Per video, four index probes of the history: its newest point, the first point of the last 24
# hours and of the last 7 days, and its last point before the stall window. A gain is the last
# point in the window (the newest, when any point is in it) minus the first: a video with one
# point in the window gains 0. A video stalled when it was read before the stall window (or its
# counts are older than the whole history, which keeps every change) and has no more views now
# than then; unavailable videos and videos without known views are not stalled. `first`: the very
# first refresh, when every unavailable video was so before anyone looked.
REFRESH_VIDEO_INSIGHT = f"""
WITH videos AS (
    SELECT DISTINCT platform, video_id FROM ({_TASK_VIDEOS}) t WHERE video_id IS NOT NULL
), figures AS (
    SELECT v.platform, v.video_id, bv.view_count, bv.fetch_status, bv.attempted_at,
           newest.view_count AS newest_views, newest.recorded_at AS newest_at,
           day.view_count AS day_first, week.view_count AS week_first,
           before_stall.view_count AS stall_base, before_stall.recorded_at AS stall_base_at
    FROM videos v
    LEFT JOIN broadcaster_videos bv ON bv.platform = v.platform AND bv.video_id = v.video_id
    LEFT JOIN LATERAL (
        SELECT h.recorded_at, h.view_count FROM broadcaster_count_points h
        WHERE h.video_ref = bv.id
        ORDER BY h.recorded_at DESC LIMIT 1) newest ON TRUE
    LEFT JOIN LATERAL (
        SELECT h.view_count FROM broadcaster_count_points h
        WHERE h.video_ref = bv.id AND h.recorded_at >= NOW() - INTERVAL '24 hours'
        ORDER BY h.recorded_at LIMIT 1) day ON TRUE
    LEFT JOIN LATERAL (
        SELECT h.view_count FROM broadcaster_count_points h
        WHERE h.video_ref = bv.id AND h.recorded_at >= NOW() - INTERVAL '7 days'
        ORDER BY h.recorded_at LIMIT 1) week ON TRUE
    LEFT JOIN LATERAL (
        SELECT h.recorded_at, h.view_count FROM broadcaster_count_points h
        WHERE h.video_ref = bv.id
          AND h.recorded_at <= NOW() - make_interval(days => %(stall_days)s)
        ORDER BY h.recorded_at DESC LIMIT 1) before_stall ON TRUE
), computed AS (
    SELECT platform, video_id,
           COALESCE(newest_views - day_first, 0) AS gain_24h,
           COALESCE(newest_views - week_first, 0) AS gain_7d,
           COALESCE(fetch_status IS DISTINCT FROM '{FetchStatus.UNAVAILABLE}' AND view_count IS NOT NULL
                    AND ((stall_base_at IS NOT NULL AND newest_views <= stall_base)
                         OR (newest_at IS NULL AND %(history_days)s >= %(stall_days)s)), FALSE) AS stalled,
           CASE WHEN fetch_status = '{FetchStatus.UNAVAILABLE}'
                THEN CASE WHEN %(first)s THEN '-infinity'::TIMESTAMPTZ ELSE LEAST(attempted_at, NOW()) END
           END AS unavailable_since
    FROM figures
)
INSERT INTO broadcaster_video_insight AS vi (platform, video_id, gain_24h, gain_7d, stalled, unavailable_since)
SELECT platform, video_id, gain_24h, gain_7d, stalled, unavailable_since FROM computed
ON CONFLICT (platform, video_id) DO UPDATE SET
    gain_24h = EXCLUDED.gain_24h, gain_7d = EXCLUDED.gain_7d, stalled = EXCLUDED.stalled,
    unavailable_since = CASE WHEN EXCLUDED.unavailable_since IS NULL THEN NULL
                             ELSE COALESCE(vi.unavailable_since, EXCLUDED.unavailable_since) END
WHERE (vi.gain_24h, vi.gain_7d, vi.stalled, vi.unavailable_since IS NULL)
      IS DISTINCT FROM (EXCLUDED.gain_24h, EXCLUDED.gain_7d, EXCLUDED.stalled, EXCLUDED.unavailable_since IS NULL)
"""

# Videos no task links any more.
FORGET_VIDEO_INSIGHT = """
DELETE FROM broadcaster_video_insight vi
WHERE NOT EXISTS (SELECT 1 FROM broadcaster_task_videos tv WHERE tv.platform = vi.platform AND tv.video_id = vi.video_id)
"""

PROJECT_COLUMNS = """
project_id, sample_title, tasks, active_tasks, videos, unavailable, stalled, views, likes, yt_views, tt_views,
gain_24h, gain_7d, last_read_at
"""

# PROJECT for every project (`project_id` NULL) or one: task figures over its tasks, count
# figures over its distinct videos (each counted once), gains and stall from the videos' insight.
COMPUTE_PROJECTS = f"""
WITH tasks AS ({_PROJECT_TASKS}), task_figures AS (
    SELECT t.project_id, COUNT(*) AS tasks,
           COUNT(*) FILTER (WHERE t.status = '{TaskStatus.ACTIVE}') AS active_tasks,
           COUNT(*) FILTER (WHERE t.status = '{TaskStatus.ACTIVE}' AND vi.stalled) AS stalled,
           (ARRAY_AGG(t.title ORDER BY t.task_id) FILTER (WHERE COALESCE(t.title, '') <> ''))[1] AS sample_title
    FROM tasks t
    LEFT JOIN broadcaster_video_insight vi ON vi.platform = t.platform AND vi.video_id = t.video_id
    GROUP BY t.project_id
), video_figures AS (
    SELECT pv.project_id, COUNT(*) AS videos,
           COUNT(*) FILTER (WHERE bv.fetch_status = '{FetchStatus.UNAVAILABLE}') AS unavailable,
           -- SUM of a BIGINT is a NUMERIC: cast back, so the answer's numbers are JSON integers.
           SUM(bv.view_count)::BIGINT AS views, SUM(bv.like_count)::BIGINT AS likes,
           (SUM(bv.view_count) FILTER (WHERE pv.platform IN ('{Platform.YOUTUBE}', '{Platform.DOUYIN}')))::BIGINT
               AS yt_views,
           (SUM(bv.view_count) FILTER (WHERE pv.platform = '{Platform.TIKTOK}'))::BIGINT AS tt_views,
           COALESCE(SUM(vi.gain_24h), 0)::BIGINT AS gain_24h, COALESCE(SUM(vi.gain_7d), 0)::BIGINT AS gain_7d,
           MAX(bv.fetched_at) AS last_read_at
    FROM (SELECT DISTINCT project_id, platform, video_id FROM tasks WHERE video_id IS NOT NULL) pv
    LEFT JOIN broadcaster_videos bv ON bv.platform = pv.platform AND bv.video_id = pv.video_id
    LEFT JOIN broadcaster_video_insight vi ON vi.platform = pv.platform AND vi.video_id = pv.video_id
    GROUP BY pv.project_id
)
SELECT tf.project_id, tf.sample_title, tf.tasks, tf.active_tasks, COALESCE(vf.videos, 0) AS videos,
       COALESCE(vf.unavailable, 0) AS unavailable, tf.stalled, vf.views, vf.likes, vf.yt_views, vf.tt_views,
       COALESCE(vf.gain_24h, 0) AS gain_24h, COALESCE(vf.gain_7d, 0) AS gain_7d, vf.last_read_at
FROM task_figures tf LEFT JOIN video_figures vf ON vf.project_id = tf.project_id
"""

STORE_PROJECTS = f"""
INSERT INTO broadcaster_projects AS p ({PROJECT_COLUMNS})
SELECT {PROJECT_COLUMNS} FROM ({COMPUTE_PROJECTS}) computed
ON CONFLICT (project_id) DO UPDATE SET
    sample_title = EXCLUDED.sample_title, tasks = EXCLUDED.tasks, active_tasks = EXCLUDED.active_tasks,
    videos = EXCLUDED.videos, unavailable = EXCLUDED.unavailable, stalled = EXCLUDED.stalled,
    views = EXCLUDED.views, likes = EXCLUDED.likes, yt_views = EXCLUDED.yt_views, tt_views = EXCLUDED.tt_views,
    gain_24h = EXCLUDED.gain_24h, gain_7d = EXCLUDED.gain_7d, last_read_at = EXCLUDED.last_read_at
WHERE (p.sample_title, p.tasks, p.active_tasks, p.videos, p.unavailable, p.stalled, p.views, p.likes, p.yt_views,
       p.tt_views, p.gain_24h, p.gain_7d, p.last_read_at)
      IS DISTINCT FROM (EXCLUDED.sample_title, EXCLUDED.tasks, EXCLUDED.active_tasks, EXCLUDED.videos,
                        EXCLUDED.unavailable, EXCLUDED.stalled, EXCLUDED.views, EXCLUDED.likes, EXCLUDED.yt_views,
                        EXCLUDED.tt_views, EXCLUDED.gain_24h, EXCLUDED.gain_7d, EXCLUDED.last_read_at)
"""

# Projects no task names any more.
FORGET_PROJECTS = """
DELETE FROM broadcaster_projects p
WHERE NOT EXISTS (SELECT 1 FROM drama_tasks d WHERE d.project_id = p.project_id)
"""

# --------------------------------------------------------------------------------------------
# Hourly totals: closed hours, each once, newest first (the default chart fills first).

# The hours that ended `margin_seconds` ago, within `max_hours`, not rolled up yet and not before
# the oldest history point (no project had a reading then).
FETCH_PROJECT_HOURS_TO_ROLL_UP = """
SELECT h.hour FROM generate_series(
    date_trunc('hour', GREATEST(NOW() - make_interval(hours => %(max_hours)s),
                                COALESCE((SELECT MIN(recorded_at) FROM broadcaster_count_points), 'infinity'))),
    date_trunc('hour', NOW() - make_interval(secs => %(margin_seconds)s)) - INTERVAL '1 hour',
    INTERVAL '1 hour') AS h(hour)
WHERE NOT EXISTS (SELECT 1 FROM broadcaster_project_rollups r WHERE r.hour = h.hour)
ORDER BY h.hour DESC LIMIT %(limit)s
"""

# Each project's total at the end of each given hour: per video (once per project) its last
# reading by then, one index probe; and the hours as done.
ROLL_UP_PROJECT_HOURS = f"""
INSERT INTO broadcaster_project_hours AS ph (project_id, hour, views, likes)
SELECT pv.project_id, hr.hour, SUM(r.view_count), SUM(r.like_count)
FROM unnest(%(hours)s::TIMESTAMPTZ[]) AS hr(hour)
CROSS JOIN (SELECT DISTINCT t.project_id, bv.id AS video_ref FROM ({_PROJECT_TASKS}) t
            JOIN broadcaster_videos bv ON bv.platform = t.platform AND bv.video_id = t.video_id) pv
JOIN LATERAL (
    SELECT h.view_count, h.like_count FROM broadcaster_count_points h
    WHERE h.video_ref = pv.video_ref AND h.recorded_at < hr.hour + INTERVAL '1 hour'
    ORDER BY h.recorded_at DESC LIMIT 1) r ON TRUE
GROUP BY pv.project_id, hr.hour
ON CONFLICT (project_id, hour) DO UPDATE SET views = EXCLUDED.views, likes = EXCLUDED.likes;
INSERT INTO broadcaster_project_rollups (hour) SELECT unnest(%(hours)s::TIMESTAMPTZ[]) ON CONFLICT DO NOTHING;
"""

#: How long a project's hourly totals are kept: the chart's longest window (30 days) and a day.
PRUNE_PROJECT_HOURS = """
DELETE FROM broadcaster_project_hours WHERE (project_id, hour) IN (
    SELECT project_id, hour FROM broadcaster_project_hours WHERE hour < NOW() - INTERVAL '31 days' LIMIT %(batch)s)
"""

PRUNE_PROJECT_ROLLUPS = """
DELETE FROM broadcaster_project_rollups WHERE hour IN (
    SELECT hour FROM broadcaster_project_rollups WHERE hour < NOW() - INTERVAL '31 days' LIMIT %(batch)s)
"""

# --------------------------------------------------------------------------------------------
# The routes: GET /api/projects (and its CSV), GET /api/projects/<project_id>

# q: a project id exactly, or a substring of any of its tasks' titles (the task list's title
# search: its two-character pieces narrow the titles through their index, strpos decides).
PROJECT_MATCH = f"""
(%(q)s::TEXT IS NULL OR p.project_id = %(q)s::TEXT
 OR p.project_id IN (SELECT d.project_id FROM drama_tasks d WHERE {TITLE_MATCH}))
"""

#: Each sort, largest first; the project id breaks ties.
PROJECT_ORDER = {
    "views": "p.views DESC NULLS LAST, p.project_id",
    "gain_24h": "p.gain_24h DESC, p.project_id",
    "gain_7d": "p.gain_7d DESC, p.project_id",
    "tasks": "p.tasks DESC, p.project_id",
    "stalled": "p.stalled DESC, p.project_id",
}

_FETCH_PROJECT_PAGE = f"""
SELECT {PROJECT_COLUMNS}, COUNT(*) OVER () AS total FROM broadcaster_projects p
WHERE {PROJECT_MATCH} ORDER BY ORDER_BY LIMIT %(limit)s OFFSET %(offset)s
"""

# The matches when the page asked for is past the last one (the page's own count is then empty).
COUNT_PROJECTS = f"SELECT COUNT(*) AS total FROM broadcaster_projects p WHERE {PROJECT_MATCH}"

_EXPORT_PROJECTS = f"SELECT {PROJECT_COLUMNS} FROM broadcaster_projects p WHERE {PROJECT_MATCH} ORDER BY ORDER_BY"


def project_list_statements(sort: str) -> tuple[str, str]:
    """(page, export) statements for a sort of PROJECT_ORDER."""
    order = PROJECT_ORDER[sort]
    return _FETCH_PROJECT_PAGE.replace("ORDER_BY", order), _EXPORT_PROJECTS.replace("ORDER_BY", order)


FETCH_PROJECT = f"SELECT {PROJECT_COLUMNS} FROM broadcaster_projects p WHERE p.project_id = %(project_id)s"

# The project's closed hours ending inside the window, oldest first.
FETCH_PROJECT_HOURS = """
SELECT hour + INTERVAL '1 hour' AS at, views, likes FROM broadcaster_project_hours
WHERE project_id = %(project_id)s AND hour + INTERVAL '1 hour' > NOW() - make_interval(hours => %(hours)s)
ORDER BY hour
"""

# The project's tasks as TASK, most viewed first (through drama_tasks' project_id index).
FETCH_PROJECT_TASKS = f"""
SELECT {TASK_COLUMNS} {TASK_JOINS}
WHERE d.project_id = %(project_id)s
ORDER BY bv.view_count DESC NULLS LAST, d.task_id DESC LIMIT %(limit)s OFFSET %(offset)s
"""
