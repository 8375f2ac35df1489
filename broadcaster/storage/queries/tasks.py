"""The tasks a pass reads, their videos and links, and what a pass writes back."""

from __future__ import annotations

from broadcaster.core.states import CallbackStatus, FetchStatus, TaskStatus

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

# Each task with the video its current link names (tv.*: NULL while the link is not resolved,
# or was resolved for an earlier link).
TASKS_WITH_VIDEOS = """
FROM drama_tasks d
LEFT JOIN broadcaster_task_videos tv ON tv.task_id = d.task_id AND tv.video_url = d.video_url
"""

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
{TASKS_WITH_VIDEOS}
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
       bv.reason AS fetch_reason, bv.fetched_at, bv.suspect_views, bv.suspect_likes, bv.suspect_at
FROM ({ACTIVE_TASK_VIDEOS}) t
LEFT JOIN broadcaster_videos bv ON bv.platform = t.platform AND bv.video_id = t.video_id
ORDER BY {video_key("t.platform", "t.video_id", "t.task_id")} COLLATE "C", t.task_id
"""

_READ = f"EXCLUDED.fetch_status = '{FetchStatus.OK}'"
_ACCEPTED = f"{_READ} AND EXCLUDED.suspect_at IS NULL"

# A held-back read (docs/operations.md#suspect-counts, broadcaster.engine.integrity) keeps the last known counts and their
# time, and stores the suspect numbers instead; any other OK read replaces the counts and clears
# the suspicion; a failed read keeps both.
UPSERT_VIDEOS = f"""
INSERT INTO broadcaster_videos AS bv
    (platform, video_id, view_count, like_count, fetch_status, reason, fetched_at, attempted_at,
     suspect_views, suspect_likes, suspect_at)
VALUES %s
ON CONFLICT (platform, video_id) DO UPDATE SET
    view_count = CASE WHEN {_ACCEPTED} THEN EXCLUDED.view_count ELSE bv.view_count END,
    like_count = CASE WHEN {_ACCEPTED} THEN EXCLUDED.like_count ELSE bv.like_count END,
    fetched_at = CASE WHEN {_ACCEPTED} THEN EXCLUDED.fetched_at ELSE bv.fetched_at END,
    suspect_views = CASE WHEN {_READ} THEN EXCLUDED.suspect_views ELSE bv.suspect_views END,
    suspect_likes = CASE WHEN {_READ} THEN EXCLUDED.suspect_likes ELSE bv.suspect_likes END,
    suspect_at = CASE WHEN {_READ} THEN EXCLUDED.suspect_at ELSE bv.suspect_at END,
    fetch_status = EXCLUDED.fetch_status, reason = EXCLUDED.reason,
    attempted_at = EXCLUDED.attempted_at
"""
VIDEO_ROW = (
    "(%(platform)s, %(video_id)s, %(views)s, %(likes)s, %(status)s, %(reason)s,"
    f" CASE WHEN %(status)s = '{FetchStatus.OK}' AND NOT %(held)s THEN NOW() END, NOW(),"
    " %(suspect_views)s::BIGINT, %(suspect_likes)s::BIGINT, CASE WHEN %(held)s THEN NOW() END)"
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
