"""The task list at any size: search, filters, sorts and totals over drama_tasks and broadcaster_tasks.

Every filter and sort reads a column of drama_tasks or of the broadcaster's own row per task,
broadcaster_tasks (the parsed link's platform, and the copy of the task's video's state that the
triggers of migration 0003 keep), so a page of 100,000 tasks is an index scan, the counts per
status are kept by triggers, and a filtered total is one join of two tables; only the page's own
rows are joined to their videos for the counts shown. An absent filter is a NULL parameter,
which PostgreSQL folds away before planning (psycopg2 sends the values inline).
"""

from __future__ import annotations

from broadcaster.storage.queries.admin import TASK_COLUMNS, TASK_JOINS

# The tasks a list request matches. q: a title substring (strpos: `%` and `_` are plain
# characters, and no escaping can go wrong), found through the title's two-character pieces
# (migration 0001) when q has any, or a task's own id, X2C task id or project id. Titles are only
# lower-cased (the costly part of a scan) when q has letters that have a case: digits and
# Chinese have none.
TITLE_MATCH = """
((NOT %(q_pieces)s OR broadcaster_title_bigrams(d.title) @> broadcaster_title_bigrams(%(q)s::TEXT))
 AND strpos(CASE WHEN %(q_cased)s THEN lower(d.title) ELSE d.title END, lower(%(q)s::TEXT)) > 0)
"""

TASK_LIST_MATCH = f"""
(%(q)s::TEXT IS NULL
 OR {TITLE_MATCH}
 OR d.task_id = %(q_id)s::INTEGER OR d.external_task_id = %(q_id)s::INTEGER
 OR d.project_id = %(q)s::TEXT)
AND (%(status)s::TEXT IS NULL OR d.status = %(status)s::TEXT)
AND (%(platform)s::TEXT IS NULL OR s.link_platform = %(platform)s::TEXT)
AND (%(callback_status)s::TEXT IS NULL OR d.callback_status = %(callback_status)s::TEXT)
AND (%(stats_status)s::TEXT IS NULL
     OR (%(stats_status)s::TEXT = 'never' AND s.video_fetch_status IS NULL)
     OR s.video_fetch_status = %(stats_status)s::TEXT)
"""

# The tasks whose video holds suspect counts (docs/operations.md#suspect-counts), for stats_status=suspect: few at any
# time, so a lookup through the videos beats keeping one more copy on every task.
SUSPECT_MATCH = """
d.task_id IN (SELECT tv.task_id FROM broadcaster_videos bv
              JOIN broadcaster_task_videos tv ON tv.platform = bv.platform AND tv.video_id = bv.video_id
              WHERE bv.suspect_views IS NOT NULL)
"""

# The order of each sort, the task id breaking ties. `id` follows drama_tasks' primary key; `stale`
# and `views` sort broadcaster_tasks' copy of each video's state, which has no index on purpose:
# every pass changes it, and an index on it would turn each of those updates into a new index
# entry (and the row into a new one elsewhere) instead of a HOT update in place. A top-N sort of
# 100,000 narrow rows stays within the task list's budget (bench/task_list.py).
TASK_LIST_ORDER = {
    "id": "d.task_id DESC",
    "stale": "s.video_fetched_at ASC NULLS LAST, s.task_id ASC",
    "views": "s.video_view_count DESC NULLS LAST, s.task_id DESC",
}

# The number of tasks of each status (kept by triggers: migration 0001, broadcaster_task_counts).
FETCH_TASK_COUNTS = "SELECT status, tasks FROM broadcaster_task_counts"

# Every task has its broadcaster_tasks row (the triggers of migration 0003 add it as the bot inserts
# the task), so an inner join.
LISTED_TASKS = "drama_tasks d JOIN broadcaster_tasks s ON s.task_id = d.task_id"

# The number of matches, when the counts per status do not say it.
COUNT_TASK_LIST = f"SELECT COUNT(*) AS total FROM {LISTED_TASKS} WHERE MATCH"

# The page's ids first (an index scan over the two tables), then their videos.
FETCH_TASK_LIST = f"""
SELECT {TASK_COLUMNS}, page.total
FROM (SELECT d.task_id, TOTAL AS total FROM {LISTED_TASKS} WHERE MATCH ORDER BY ORDER_BY
      LIMIT %(limit)s OFFSET %(offset)s) page
JOIN drama_tasks d ON d.task_id = page.task_id
LEFT JOIN broadcaster_task_videos tv ON tv.task_id = d.task_id AND tv.video_url = d.video_url
LEFT JOIN broadcaster_videos bv ON bv.platform = tv.platform AND bv.video_id = tv.video_id
LEFT JOIN broadcaster_tasks s ON s.task_id = d.task_id
ORDER BY ORDER_BY
"""

# A search lists the task it names exactly (by id, X2C task id or project id) before the tasks
# whose title merely contains the text ("1" is in thousands of titles).
EXACT_MATCH_FIRST = """
(d.task_id = %(q_id)s::INTEGER OR d.external_task_id = %(q_id)s::INTEGER OR d.project_id = %(q)s::TEXT)
IS TRUE DESC,
"""


# Every match in the list's order, for the CSV export (streamed through a server-side cursor).
EXPORT_TASK_LIST = f"SELECT {TASK_COLUMNS} {TASK_JOINS} WHERE MATCH ORDER BY ORDER_BY"


def task_list_statements(sort: str, *, search: bool = False, suspect: bool = False) -> tuple[str, str, str]:
    """(count, page, export) statements for a sort of TASK_LIST_ORDER; `suspect` adds SUSPECT_MATCH.

    Without a search, the page follows an index and the count statement counts the matches. A
    search counts its matches as it finds them (each row's `total`), exact matches first. The
    export is every match, in the page's order, with no paging.
    """
    match = f"({TASK_LIST_MATCH} AND {SUSPECT_MATCH})" if suspect else f"({TASK_LIST_MATCH})"
    order = (EXACT_MATCH_FIRST if search else "") + TASK_LIST_ORDER[sort]
    count = COUNT_TASK_LIST.replace("MATCH", match)
    page = FETCH_TASK_LIST.replace("MATCH", match).replace("ORDER_BY", order)
    export = EXPORT_TASK_LIST.replace("MATCH", match).replace("ORDER_BY", order)
    return count, page.replace("TOTAL", "COUNT(*) OVER ()" if search else "NULL::BIGINT"), export


# Links not parsed yet, or changed since they were: the triggers of migration 0003 clear link_url
# for those, and the partial index holds just them.
FETCH_UNPARSED_LINKS = """
SELECT s.task_id, d.video_url FROM broadcaster_tasks s JOIN drama_tasks d ON d.task_id = s.task_id
WHERE s.link_url IS NULL
ORDER BY s.task_id LIMIT %(limit)s
"""

# Each parsed link's platform, and the task's copy of its video's state for the new link
# (NULL until a pass resolves it). A task whose link changed again meanwhile is left for the
# next round. '' stands for no link at all (NULL means "to be parsed").
STORE_LINK_PLATFORMS = """
UPDATE broadcaster_tasks s
SET link_platform = v.platform, link_url = COALESCE(v.video_url, ''),
    video_fetch_status = bv.fetch_status, video_fetched_at = bv.fetched_at, video_view_count = bv.view_count
FROM (VALUES %s) AS v(task_id, video_url, platform)
JOIN drama_tasks d ON d.task_id = v.task_id AND d.video_url IS NOT DISTINCT FROM v.video_url
LEFT JOIN broadcaster_task_videos tv ON tv.task_id = v.task_id AND tv.video_url = v.video_url
LEFT JOIN broadcaster_videos bv ON bv.platform = tv.platform AND bv.video_id = tv.video_id
WHERE s.task_id = v.task_id
"""

# The upkeep's check that nothing slipped past the triggers (a race with a parse, a link changed
# while they were disabled): a task whose parsed link is not its link now, or that has no row, is
# parsed again. One join of the two tables, every few minutes.
MARK_DRIFTED_LINKS = """
UPDATE broadcaster_tasks s SET link_url = NULL
FROM drama_tasks d
WHERE d.task_id = s.task_id AND s.link_url IS NOT NULL AND s.link_url IS DISTINCT FROM COALESCE(d.video_url, '')
"""
ADD_MISSING_TASK_ROWS = """
INSERT INTO broadcaster_tasks (task_id)
SELECT d.task_id FROM drama_tasks d WHERE NOT EXISTS (SELECT 1 FROM broadcaster_tasks s WHERE s.task_id = d.task_id)
ON CONFLICT (task_id) DO NOTHING
"""
PRUNE_GONE_TASK_ROWS = """
DELETE FROM broadcaster_tasks s WHERE NOT EXISTS (SELECT 1 FROM drama_tasks d WHERE d.task_id = s.task_id)
"""
LINK_PLATFORM_ROW = "(%(task_id)s::INTEGER, %(video_url)s::TEXT, %(platform)s::TEXT)"


