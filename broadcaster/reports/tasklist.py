"""The task list at any size (docs/architecture.md#the-task-list-at-any-size): its page and its true totals.

GET /api/tasks reads one page of the tasks that match a search and filters, in one of three
orders, with the number of matches and the counts over the whole table. Everything it filters
or sorts on is a column of drama_tasks, the counts per status are kept by triggers, and the page
follows an index (migrations 0001, 0003), so a page costs about the same at 100,000 tasks as at 10,000
(bench/task_list.py; docs/performance.md#the-task-list).

A task's platform comes from parsing its link, not from a pass: the bot writes tasks itself, so
before the list is read, links never parsed or changed since are parsed here.
"""

from __future__ import annotations

import dataclasses
import re

from broadcaster.core.errors import InvalidVideoURL
from broadcaster.core.json_schema import INTEGER, obj, shaped
from broadcaster.core.states import FetchStatus, TaskStatus
from broadcaster.fetching.urls import parse_video_url
from broadcaster.storage import queries
from broadcaster.storage.db import INT32_MAX, Database

SORTS = tuple(queries.TASK_LIST_ORDER)  # id (newest first), stale (oldest counts first), views
NEVER = "never"  # stats_status: no counts read for the task's current link yet
SUSPECT = "suspect"  # stats_status: the video holds suspect counts (docs/operations.md#suspect-counts)
STATS_STATUSES = (*FetchStatus, NEVER, SUSPECT)
PARSE_CHUNK = 5000
_TASK_ID = re.compile(r"[0-9]{1,10}")


@dataclasses.dataclass(frozen=True, slots=True)
class TaskListQuery:
    """What one list request asks for; None means no filter."""

    q: str | None = None
    platform: str | None = None
    stats_status: str | None = None
    callback_status: str | None = None
    status: str | None = None
    sort: str = "id"
    limit: int = 200
    offset: int = 0

    def params(self) -> dict:
        """The statement parameters (stats_status=suspect is a condition of its own)."""
        q_id = int(self.q) if self.q is not None and _TASK_ID.fullmatch(self.q) else None
        return {
            "q": self.q,
            "q_pieces": self.q is not None and len(self.q) > 1,  # a search the title index can narrow
            "q_cased": self.q is not None and self.q.lower() != self.q.upper(),
            "q_id": q_id if q_id is not None and q_id <= INT32_MAX else None,
            "platform": self.platform, "callback_status": self.callback_status, "status": self.status,
            "stats_status": None if self.stats_status == SUSPECT else self.stats_status,
            "limit": self.limit, "offset": self.offset,
        }


def list_tasks(database: Database, query: TaskListQuery) -> tuple[list[dict], int, dict]:
    """(the page's rows, how many tasks match, {"all", "active", "paused"} over the whole table)."""
    fill_link_platforms(database)
    counts = task_counts(database)
    count_sql, page_sql, _ = queries.task_list_statements(query.sort, search=query.q is not None,
                                                          suspect=query.stats_status == SUSPECT)
    params = query.params()
    if query.q is not None:
        rows = database.fetch_all(page_sql, params)
        total = rows[0]["total"] if rows else 0
        if not rows and query.offset > 0:  # past the last match: count them apart
            total = database.fetch_one(count_sql, params)["total"]
    else:
        total = _counted_total(query, counts)
        if total is None:
            total = database.fetch_one(count_sql, params)["total"]
        rows = database.fetch_all(page_sql, params) if total > query.offset else []
    return rows, total, counts


TASK_COUNTS = obj({"all": INTEGER, "active": INTEGER, "paused": INTEGER}, title="TaskCounts")


def task_counts(database: Database) -> dict:
    """{"all", "active", "paused"}: how many tasks there are, and of these two statuses."""
    by_status = {row["status"]: row["tasks"] for row in database.fetch_all(queries.FETCH_TASK_COUNTS)}
    return shaped(TASK_COUNTS, all=sum(by_status.values()), active=by_status.get(TaskStatus.ACTIVE, 0),
                  paused=by_status.get(TaskStatus.PAUSED, 0))


def _counted_total(query: TaskListQuery, counts: dict) -> int | None:
    """The number of matches when the counts per status say it (no filter but status), else None."""
    if query.platform or query.stats_status or query.callback_status:
        return None
    if query.status is None:
        return counts["all"]
    return counts.get(query.status)


def export_statement(database: Database, query: TaskListQuery) -> tuple[str, dict]:
    """Every task the list request matches, in its order, unpaged: (sql, params) for the CSV."""
    fill_link_platforms(database)
    _, _, export_sql = queries.task_list_statements(query.sort, search=query.q is not None,
                                                    suspect=query.stats_status == SUSPECT)
    return export_sql, query.params()


def link_platform(url: str | None) -> str | None:
    """The platform a task's link names (a short link's host names it too), or None when it names none."""
    if not url:
        return None
    try:
        return parse_video_url(url).platform
    except InvalidVideoURL:
        return None


def fill_link_platforms(database: Database) -> int:
    """Parse every link not parsed yet or changed since; return how many were parsed.

    Cheap when there is nothing to do: the partial index behind FETCH_UNPARSED_LINKS holds just
    those tasks. The first call on a database the bot filled parses them all, a chunk at a time.
    """
    parsed = 0
    while True:
        rows = database.fetch_all(queries.FETCH_UNPARSED_LINKS, {"limit": PARSE_CHUNK})
        if not rows:
            return parsed
        links = [{"task_id": row["task_id"], "video_url": row["video_url"], "platform": link_platform(row["video_url"])}
                 for row in rows]
        database.write_batches([(queries.STORE_LINK_PLATFORMS, queries.LINK_PLATFORM_ROW, links)])
        parsed += len(links)
        if len(rows) < PARSE_CHUNK:
            return parsed
