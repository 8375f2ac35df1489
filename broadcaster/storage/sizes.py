"""How much room the database takes, by store, and how much it will take in steady state.

Stores: ``deliveries`` (the delivery records and their contexts), ``fetch_failures``, ``history``
(count points) and ``rest`` (everything else in the database: the bot's own tables, the
broadcaster's per-task and per-video state, runs, audit...). Sizes count every table, index and
TOAST (``pg_total_relation_size``) of every day partition.

The steady-state projection (docs/storage.md#sizes), for a number of tasks and the settings:

* records kept: tasks × passes a day × (LOG_RETENTION_DAYS + 1) (whole days are dropped once every
  moment of them is older than the retention, so up to one day more is on disk);
* fetch failures: the same days, at the share of tasks whose fetch fails now;
* count history, assuming every refresh changes the counts (the worst case): reads a day =
  videos a pass may refresh (the budgets of ``--plan``) × passes a day; the last 3 days at full
  resolution (a day is thinned once it ended 48 hours ago), then at most 24 points a video a day
  to 30 days, then at most one, to COUNT_HISTORY_DAYS;
* the rest as it is now.

Bytes per record, failure and point are measured in this database once it holds enough rows
(table sizes over PostgreSQL's row estimates); until then the figures measured by
``bench/longevity.py`` are used.
"""

from __future__ import annotations

import dataclasses

from broadcaster.core.json_schema import INTEGER, described, nullable, obj, shaped
from broadcaster.storage import queries

STORES = ("deliveries", "fetch_failures", "history", "rest")
#: Measured by `make bench` (bench/longevity.py storage, docs/storage.md#figures): bytes per row over
#: the whole store (heap, indexes and contexts), after VACUUM.
MEASURED_BYTES = {"deliveries": 120, "fetch_failures": 110, "history": 95}
#: A store's own bytes per row are used once it holds this many rows.
MEASURE_FROM_ROWS = 100_000
FULL_RESOLUTION_DAYS = 3  # today and the two days before it: a day is thinned once it ended 48 h ago
HOURLY_UNTIL_DAYS = 30
DAY_SECONDS = 86_400


@dataclasses.dataclass(frozen=True)
class Sizes:
    """Bytes by store (and the whole database), and the rows each partitioned store holds."""

    bytes: dict[str, int]
    rows: dict[str, int]
    total: int

    def bytes_per_row(self, store: str) -> int:
        """This database's bytes per row of `store` when it holds enough rows, else the bench's."""
        rows = self.rows.get(store, 0)
        if rows >= MEASURE_FROM_ROWS:
            return round(self.bytes[store] / rows)
        return MEASURED_BYTES[store]


def store_sizes(database) -> Sizes:
    """The database's size by store, now."""
    row = database.fetch_one(queries.FETCH_STORE_SIZES)
    by_store = {store: int(row[f"{store}_bytes"] or 0) for store in STORES if store != "rest"}
    total = int(row["total_bytes"])
    by_store["rest"] = max(0, total - sum(by_store.values()))
    rows = {store: max(0, int(row[f"{store}_rows"] or 0)) for store in STORES if store != "rest"}
    return Sizes(by_store, rows, total)


@dataclasses.dataclass(frozen=True)
class Projection:
    """Bytes by store in steady state, and what they were computed from."""

    bytes: dict[str, int]
    records_kept: int
    points_kept: int
    failure_share: float

    @property
    def total(self) -> int:
        """All stores together."""
        return sum(self.bytes.values())


def project(sizes: Sizes, config, *, tasks: int, videos: int, reads_per_pass: int,
            failure_share: float | None = None) -> Projection:
    """The steady-state size for `tasks` (on `videos` videos, of which a pass may refresh
    `reads_per_pass`) at `config`'s interval and retention."""
    passes_per_day = DAY_SECONDS / config.broadcast_interval_seconds
    records_kept = round(tasks * passes_per_day * (config.log_retention_days + 1))
    if failure_share is None:
        failure_share = sizes.rows["fetch_failures"] / sizes.rows["deliveries"] if sizes.rows["deliveries"] else 0.0
    reads_per_day = min(videos, reads_per_pass) * passes_per_day
    days = config.count_history_days + 1
    full = min(FULL_RESOLUTION_DAYS, days)
    hourly = min(HOURLY_UNTIL_DAYS - FULL_RESOLUTION_DAYS, days - full)
    daily = days - full - hourly
    points_kept = round(reads_per_day * full + min(videos * 24, reads_per_day) * hourly
                        + min(videos, reads_per_day) * daily)
    projected = {
        "deliveries": records_kept * sizes.bytes_per_row("deliveries"),
        "fetch_failures": round(records_kept * failure_share) * sizes.bytes_per_row("fetch_failures"),
        "history": points_kept * sizes.bytes_per_row("history"),
        "rest": sizes.bytes["rest"],
    }
    return Projection(projected, records_kept, points_kept, failure_share)


def gigabytes(count: int) -> str:
    """Bytes as an operator reads them: 12.3 GB (1 GB = 10⁹ bytes), or MB below a gigabyte."""
    if count >= 1e9:
        return f"{count / 1e9:,.1f} GB"
    return f"{count / 1e6:,.1f} MB"


STORE_NAMES = {"deliveries": "回传记录", "fetch_failures": "抓取失败记录", "history": "计数历史", "rest": "其他"}


def report_lines(sizes: Sizes, projection: Projection, *, tasks: int) -> list[str]:
    """The storage part of ``--plan``."""
    lines = [f"数据库：现在 {gigabytes(sizes.total)}，稳定后约 {gigabytes(projection.total)}"
             f"（按 {tasks:,} 个进行中的任务和当前设置估算）"]
    for store in STORES:
        lines.append(f"  {STORE_NAMES[store]}：现在 {gigabytes(sizes.bytes[store])}，"
                     f"稳定后约 {gigabytes(projection.bytes[store])}")
    lines.append(f"  （保留回传记录 {projection.records_kept:,} 条、计数历史 {projection.points_kept:,} 点；"
                 f"每条回传记录约 {sizes.bytes_per_row('deliveries')} 字节，每个计数点约 "
                 f"{sizes.bytes_per_row('history')} 字节）")
    return lines


_BY_STORE = obj({store: described(INTEGER, STORE_NAMES[store] + "（字节）") for store in STORES}, title="StoreBytes")
#: GET /api/storage: the size by store now and in steady state (the page's 存储空间 card).
STORAGE = obj({
    "total_bytes": described(INTEGER, "整个数据库现在的大小（字节）"),
    "stores": _BY_STORE,
    "projection": obj({
        "total_bytes": described(INTEGER, "稳定后的估算（字节）"),
        "stores": _BY_STORE,
        "tasks": described(INTEGER, "估算所按的进行中任务数"),
        "records_kept": described(INTEGER, "稳定后保留的回传记录条数"),
        "points_kept": described(INTEGER, "稳定后保留的计数点数"),
    }, title="StorageProjection"),
    "alert_bytes": described(nullable(INTEGER), "ALERT_DATABASE_GB 换算成字节；未设置时为 null"),
}, title="Storage", description="数据库现在各部分的大小，以及按当前任务数和设置估算的稳定后大小")


def storage_json(sizes: Sizes, projection: Projection, *, tasks: int, alert_gb: float | None) -> dict:
    """STORAGE."""
    return shaped(STORAGE, total_bytes=sizes.total, stores=dict(sizes.bytes), projection=shaped(
        STORAGE["properties"]["projection"], total_bytes=projection.total, stores=dict(projection.bytes), tasks=tasks,
        records_kept=projection.records_kept, points_kept=projection.points_kept),
        alert_bytes=round(alert_gb * 1e9) if alert_gb else None)
