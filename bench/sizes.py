"""What the database holds, by table and by store, and what it will hold in steady state.

Every table's size counts its indexes and TOAST (pg_total_relation_size); a partitioned or
inheriting table counts all its partitions and children (found through pg_inherits), under its
top-level name. Which store a table belongs to is the caller's mapping (bench/longevity.py: STORES).
"""

from __future__ import annotations

from bench.database import transaction

# Every table under its top-level parent (declarative partitions and inheritance children alike).
TABLE_SIZES = """
WITH RECURSIVE tree AS (
    SELECT c.oid, c.oid AS root FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm') AND ns.nspname <> 'information_schema' AND ns.nspname !~ '^pg_'
      AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)
    UNION ALL
    SELECT i.inhrelid, tree.root FROM pg_inherits i JOIN tree ON i.inhparent = tree.oid
)
SELECT CASE WHEN ns.nspname = 'public' THEN r.relname ELSE ns.nspname || '.' || r.relname END,
       SUM(pg_total_relation_size(tree.oid))::BIGINT, COUNT(*)::INTEGER
FROM tree JOIN pg_class r ON r.oid = tree.root JOIN pg_namespace ns ON ns.oid = r.relnamespace
GROUP BY 1
"""

SECONDS_PER_DAY = 86_400


def table_sizes(url: str) -> tuple[dict[str, int], dict[str, int], int]:
    """Bytes per top-level table, relations per top-level table (1 unless partitioned), and the
    whole database's bytes (pg_database_size: the catalog and sequences too)."""
    with transaction(url) as cur:
        cur.execute(TABLE_SIZES)
        rows = cur.fetchall()
        cur.execute("SELECT pg_database_size(current_database())")
        (database,) = cur.fetchone()
    return {name: size for name, size, _ in rows}, {name: parts for name, _, parts in rows}, database


def by_store(sizes: dict[str, float], stores: dict[str, str]) -> dict[str, float]:
    """The sizes summed by store (a table not in `stores` belongs to "rest"), in the mapping's order."""
    totals = dict.fromkeys([*dict.fromkeys(stores.values()), "rest"], 0.0)
    for name, size in sizes.items():
        totals[stores.get(name, "rest")] += size
    return totals


def history_points_per_video(model: str, *, history_days: int, interval_s: int) -> float:
    """How many count-history points one video keeps in steady state when its counts change on every read.

    "full" (the release): every point for COUNT_HISTORY_DAYS. "thinned" (docs/storage.md#count-history, now): every point
    until its UTC day ended 48 hours ago (so today and the two days before: up to 3 days), one an hour
    until 30 days, one a day until COUNT_HISTORY_DAYS."""
    per_day = SECONDS_PER_DAY / interval_s
    if model == "full":
        return per_day * history_days
    full_days, hourly_days = min(3, history_days), min(30, history_days)
    return per_day * full_days + 24 * (hourly_days - full_days) + max(0, history_days - hourly_days)


def project_steady_state(per_delivery: dict[str, float], per_task: dict[str, float], growth: dict[str, str],
                         tasks: int, *, retention_days: int = 7, history_days: int = 90, interval_s: int = 180,
                         history: str = "full") -> dict[str, float]:
    """Bytes each store holds in steady state at `tasks` tasks.

    The model, per store, by its kind in `growth`:
    - "log" (an append-only record per delivery or per failed fetch, pruned after LOG_RETENTION_DAYS):
      bytes per delivery × deliveries retained, where deliveries retained = tasks × (86,400 /
      interval_s) passes a day × days kept; with the history thinned (now), the records are kept in
      day partitions dropped once every moment of the day is older than the retention, so up to
      retention_days + 1 days are on disk; the release pruned them continuously (retention_days).
    - "history" (a point per video per read that changed its counts; measured with counts changing on
      every read, so a delivery brings one point): bytes per delivery × tasks ×
      history_points_per_video(history) — today ("full") every point for COUNT_HISTORY_DAYS, i.e.
      tasks × passes a day × history_days; "thinned" as docs/storage.md#count-history says.
    - "task" (a row or a few per task, rewritten in place: tasks, videos, and the rest, whose runs,
      counters and hourly roll-ups are far smaller): bytes per task as measured (the store's size
      after the passes, its dead space that VACUUM made reusable included, over the tasks measured)
      × tasks.
    `per_delivery` and `per_task` are the measured bytes by store; one task is one video here.
    """
    passes_per_day = SECONDS_PER_DAY / interval_s
    projected = {}
    for store, kind in growth.items():
        if kind == "log":
            days = retention_days + 1 if history == "thinned" else retention_days
            projected[store] = per_delivery.get(store, 0.0) * tasks * passes_per_day * days
        elif kind == "history":
            points = history_points_per_video(history, history_days=history_days, interval_s=interval_s)
            projected[store] = per_delivery.get(store, 0.0) * tasks * points
        else:
            projected[store] = per_task.get(store, 0.0) * tasks
    return projected


def human(size: float) -> str:
    """Bytes as B, kB, MB, GB or TB (powers of 1,000)."""
    for unit in ("B", "kB", "MB", "GB"):
        if abs(size) < 1000:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.2f} TB"
