"""Insight by drama (docs/architecture.md#insight-by-drama): each project's totals, gains and stalled tasks, and its chart.

Summing gains from raw count history for 100,000 tasks on every request would take seconds, so
the figures are computed by a refresh and read from its tables (`broadcaster_video_insight`,
`broadcaster_projects`, `broadcaster_project_hours`) with the time they are as of. The
supervisor of the process that ran a pass refreshes right after it, and every supervisor asks on
its tick whether a refresh is due (every REFRESH_SECONDS, so sliding windows and the bot's own
task edits show without a pass); an advisory lock lets one process do it while the others skip.

Every figure is exact as of its refresh: gains are differences of real history points, not
averages. A project's hourly totals are computed once per closed hour from each video's last
reading by the hour's end (its members as they were then; hours before the first refresh are
computed with the members of that time).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time

import psycopg2.extras

from broadcaster.core.config import Config
from broadcaster.storage import queries
from broadcaster.storage.db import Database, wrap_errors

logger = logging.getLogger(__name__)

#: A refresh is due this long after the last one, when no pass has asked for one sooner.
REFRESH_SECONDS = 300
#: The chart's longest window; hourly totals are kept a day longer (queries.PRUNE_PROJECT_HOURS).
SERIES_MAX_HOURS = 720
SERIES_DEFAULT_HOURS = 168
#: An hour is totalled once it ended this long ago: a pass stamps its history points with the
#: start of the transaction that writes them, a few seconds before they are visible.
HOUR_MARGIN_SECONDS = 120
#: Hours totalled per refresh: the first refresh of a database with a month of history fills the
#: chart a few hours at a time (newest first) instead of in one long transaction.
HOURS_PER_REFRESH = 6
SORTS = tuple(queries.PROJECT_ORDER)


@dataclasses.dataclass(frozen=True, slots=True)
class ProjectQuery:
    """What one list request asks for."""

    q: str | None = None
    sort: str = "views"
    limit: int = 50
    offset: int = 0

    def params(self) -> dict:
        """The statement parameters (the title search's, as the task list takes them)."""
        return {"q": self.q, "q_pieces": self.q is not None and len(self.q) > 1,
                "q_cased": self.q is not None and self.q.lower() != self.q.upper(),
                "limit": self.limit, "offset": self.offset}


def refresh(database: Database, config: Config, *, max_age_s: float = 0.0, hours: int = HOURS_PER_REFRESH) -> bool:
    """Recompute every video's and project's figures, unless another process is at it or the
    last refresh is younger than `max_age_s`; then total up to `hours` closed hours not done yet.
    True when this call refreshed."""
    started = time.monotonic()
    with database.connection() as conn, wrap_errors("项目数据刷新失败"):
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(queries.TRY_LOCK_INSIGHT)
            if not cur.fetchone()["locked"]:
                return False
            cur.execute(queries.FETCH_INSIGHT_STATE)
            state = cur.fetchone()
            if state["as_of"] is not None and (state["now"] - state["as_of"]).total_seconds() < max_age_s:
                return False
            cur.execute(queries.REFRESH_VIDEO_INSIGHT, {"stall_days": config.stall_days, "first": state["as_of"] is None,
                                                        "history_days": config.count_history_days})
            cur.execute(queries.FORGET_VIDEO_INSIGHT)
            cur.execute(queries.STORE_PROJECTS, {"project_id": None})
            cur.execute(queries.FORGET_PROJECTS)
            cur.execute(queries.STORE_INSIGHT_STATE, {"refresh_ms": round((time.monotonic() - started) * 1000)})
    totalled = roll_up_hours(database, limit=hours) if hours else 0
    logger.info("project insight refreshed in %.1f s (%s hours totalled)", time.monotonic() - started, totalled,
                extra={"action": "projects_refreshed"})
    return True


def refresh_if_due(database: Database, config: Config) -> bool:
    """The supervisor's tick: refresh when the last refresh is REFRESH_SECONDS old."""
    return refresh(database, config, max_age_s=REFRESH_SECONDS)


def roll_up_hours(database: Database, *, limit: int = HOURS_PER_REFRESH) -> int:
    """Total every project at the end of the closed hours not done yet (newest first, at most
    `limit`); how many hours were done."""
    rows = database.fetch_all(queries.FETCH_PROJECT_HOURS_TO_ROLL_UP, {
        "max_hours": SERIES_MAX_HOURS, "margin_seconds": HOUR_MARGIN_SECONDS, "limit": limit})
    if rows:
        database.execute(queries.ROLL_UP_PROJECT_HOURS, {"hours": [row["hour"] for row in rows], "project_id": None})
    return len(rows)


def as_of(database: Database, config: Config) -> dt.datetime:
    """When the figures were computed; computed now when they never were (a fresh database)."""
    state = database.fetch_one(queries.FETCH_INSIGHT_STATE)
    if state["as_of"] is None:
        refresh(database, config)
        state = database.fetch_one(queries.FETCH_INSIGHT_STATE)
    return state["as_of"] or state["now"]


def list_projects(database: Database, query: ProjectQuery) -> tuple[list[dict], int]:
    """(the page's projects, how many match)."""
    page_sql, _ = queries.project_list_statements(query.sort)
    params = query.params()
    rows = database.fetch_all(page_sql, params)
    if rows:
        return rows, rows[0]["total"]
    total = database.fetch_one(queries.COUNT_PROJECTS, params)["total"] if query.offset else 0
    return rows, total


def export_statement(query: ProjectQuery) -> tuple[str, dict]:
    """Every project the list request matches, in its order, unpaged: (sql, params) for the CSV."""
    _, export_sql = queries.project_list_statements(query.sort)
    return export_sql, query.params()


def project(database: Database, project_id: str) -> dict | None:
    """A project's figures: as of the refresh, or computed now for a project the last refresh did
    not see yet; None when no task names it."""
    row = database.fetch_one(queries.FETCH_PROJECT, {"project_id": project_id})
    if row is None:
        row = database.fetch_one(queries.COMPUTE_PROJECTS, {"project_id": project_id})
    return row


def series(database: Database, project_id: str, hours: int, current: dict, at: dt.datetime) -> list[dict]:
    """The project's total at the end of each closed hour of the window, oldest first, then its
    total as of `at` (the refresh)."""
    points = database.fetch_all(queries.FETCH_PROJECT_HOURS, {"project_id": project_id, "hours": hours})
    if current["views"] is not None or current["likes"] is not None:
        points.append({"at": at, "views": current["views"], "likes": current["likes"]})
    return points


def project_tasks(database: Database, project_id: str, limit: int, offset: int) -> list[dict]:
    """The project's tasks (TASK rows), most viewed first."""
    return database.fetch_all(queries.FETCH_PROJECT_TASKS, {"project_id": project_id, "limit": limit,
                                                            "offset": offset})
