"""The daily digest (docs/operations.md#the-daily-digest): what it reports and the one row per day that sends it once."""

from __future__ import annotations

from broadcaster.core.states import RunStatus, TaskStatus

# The day's digest belongs to the process whose INSERT made the row; the others see it and skip.
CLAIM_DIGEST = "INSERT INTO broadcaster_digests (day) VALUES (%(day)s) ON CONFLICT DO NOTHING RETURNING day"

# A claimed day whose digest could not be written (the database failed): nothing went out.
RELEASE_DIGEST = "DELETE FROM broadcaster_digests WHERE day = %(day)s AND finished_at IS NULL"

FINISH_DIGEST = """
UPDATE broadcaster_digests SET finished_at = NOW(), sent = %(sent)s, failed = %(failed)s, error = %(error)s
WHERE day = %(day)s
"""

FETCH_LAST_DIGEST = "SELECT day, claimed_at, finished_at, sent, failed, error FROM broadcaster_digests ORDER BY day DESC LIMIT 1"

# Passes that ended in the last 24 hours, and their tasks delivered and not.
FETCH_DIGEST_PASSES = f"""
SELECT COUNT(*) AS passes,
       COUNT(*) FILTER (WHERE status = '{RunStatus.SUCCEEDED}') AS succeeded,
       COUNT(*) FILTER (WHERE status IN ('{RunStatus.FAILED}', '{RunStatus.ABANDONED}')) AS failed,
       COUNT(*) FILTER (WHERE status = '{RunStatus.INTERRUPTED}') AS interrupted,
       COALESCE(SUM(success_count), 0) AS delivered, COALESCE(SUM(failed_count), 0) AS not_delivered
FROM broadcaster_runs WHERE finished_at >= NOW() - INTERVAL '24 hours' AND status <> '{RunStatus.RUNNING}'
"""

FETCH_DIGEST_TOP_PROJECTS = """
SELECT project_id, sample_title, gain_24h, views FROM broadcaster_projects
WHERE gain_24h > 0 ORDER BY gain_24h DESC, project_id LIMIT %(limit)s
"""

# Videos first seen unavailable in the last 24 hours, per platform.
FETCH_DIGEST_NEW_UNAVAILABLE = """
SELECT platform, COUNT(*) AS videos FROM broadcaster_video_insight
WHERE unavailable_since >= NOW() - INTERVAL '24 hours' GROUP BY platform ORDER BY platform
"""

# Active tasks (in a project or not) whose video stalled.
FETCH_DIGEST_STALLED_TASKS = f"""
SELECT COUNT(*) AS tasks
FROM drama_tasks d
JOIN broadcaster_task_videos tv ON tv.task_id = d.task_id AND tv.video_url = d.video_url
JOIN broadcaster_video_insight vi ON vi.platform = tv.platform AND vi.video_id = tv.video_id
WHERE d.status = '{TaskStatus.ACTIVE}' AND vi.stalled
"""

PRUNE_DIGESTS = """
DELETE FROM broadcaster_digests WHERE day IN (
    SELECT day FROM broadcaster_digests WHERE day < CURRENT_DATE - 400 LIMIT %(batch)s)
"""
