"""GET /metrics: Prometheus metrics (docs/operations.md#monitoring) read from the database at scrape time.

Nothing is kept in process memory, so every gunicorn worker, and every host sharing the
database, answers alike. Counters come from `broadcaster_counters` (`broadcaster.storage.counters`),
which only grows; gauges are read from the state, tasks, quota and runs tables. Each scrape
builds a fresh registry around the families it has just read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from broadcaster.alerting import alerts
from broadcaster.core.clock import pacific_day, utcnow
from broadcaster.core.config import Config
from broadcaster.storage import counters, queries
from broadcaster.storage import sizes as storage
from broadcaster.storage.db import Database

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
#: broadcaster_count_age_seconds{quantile}: the RUN freshness figure behind each quantile.
AGE_QUANTILES = {"0.5": "p50_age_s", "0.95": "p95_age_s", "1": "max_age_s"}

COUNTERS = {
    counters.RUNS: (
        "Passes that ended, by trigger and final status (abandoned ones included).", ("trigger", "status")),
    counters.DELIVERIES: (
        "Task outcomes, one per task per pass: success when its webhook was delivered, else failed.", ("result",)),
    counters.FETCHES: (
        "Video count fetches, one per video fetched, by platform and how the fetch ended.", ("platform", "status")),
    counters.LOGIN_FAILURES: ("Failed logins: requests with a wrong user name, password or token.", ()),
    counters.LOGIN_BLOCKS: ("Client addresses blocked after too many failed logins (LOGIN_MAX_FAILURES).", ()),
    counters.ALERT_NOTIFICATIONS: (
        "Alert messages per channel (test messages included): sent when the channel took it, else failed.",
        ("result",)),
    counters.SUSPECTS: (
        "Fresh reads held back as suspect (views below 80 % or likes below 50 % of the last known), by platform.",
        ("platform",)),
}


class _ReadFamilies:
    """A collector that hands out the metric families read for this scrape."""

    def __init__(self, families: list[Metric]):
        self.families = families

    def collect(self) -> list[Metric]:
        """The families, as read."""
        return self.families


def render_metrics(database: Database, config: Config, now: dt.datetime | None = None) -> bytes:
    """Every metric in the Prometheus text format."""
    families = [*gauge_families(database, config, now or utcnow()), *counter_families(database)]
    registry = CollectorRegistry()
    registry.register(_ReadFamilies(families))
    return generate_latest(registry)


def counter_families(database: Database) -> Iterator[Metric]:
    """The counters, every known label set included (0 until first counted)."""
    stored: dict[str, dict[tuple, int]] = {}
    for row in database.fetch_all(queries.FETCH_COUNTERS):
        stored.setdefault(row["metric"], {})[_label_key(row["labels"])] = row["value"]
    for metric, (documentation, names) in COUNTERS.items():
        values = {_label_key(labels): 0 for labels in counters.KNOWN_LABELS[metric]}
        values.update(stored.get(metric, {}))
        family = CounterMetricFamily(metric, documentation, labels=names)
        for key, value in values.items():
            labels = dict(key)
            family.add_metric([labels.get(name, "") for name in names], value)
        yield family


def gauge_families(database: Database, config: Config, now: dt.datetime) -> Iterator[Metric]:
    """The switch, the active tasks, the last pass, today's YouTube quota and the count ages."""
    row = database.fetch_one(queries.FETCH_GAUGES, {"task_ids": None, "quota_day": pacific_day(now)})
    yield GaugeMetricFamily("broadcaster_switch_on", "1 while the service is switched on (scheduled passes run), else 0.",
                            value=int(bool(row["switch_on"])))
    yield GaugeMetricFamily("broadcaster_active_tasks",
                            "Tasks a pass selects now: active, with a callback URL and a video URL.",
                            value=row["active_tasks"])
    duration = GaugeMetricFamily("broadcaster_last_run_duration_seconds",
                                 "How long the last finished pass took, from start to end.")
    if row["last_run_seconds"] is not None:
        duration.add_metric([], float(row["last_run_seconds"]))
    yield duration
    yield GaugeMetricFamily("broadcaster_youtube_quota_units_used",
                            "YouTube Data API units spent today; the quota day ends at midnight Pacific time.",
                            value=row["quota_units_used"] or 0)
    yield GaugeMetricFamily("broadcaster_youtube_quota_units_limit",
                            "YouTube Data API units the broadcaster may spend per day (YOUTUBE_DAILY_QUOTA).",
                            value=config.youtube_daily_quota)
    yield count_age_family(row["freshness"] or {})
    firing = GaugeMetricFamily("broadcaster_alerts_firing",
                               "1 while an alert fires (a suffix after : names the host or platform), else 0.",
                               labels=("alert",))
    keys = [alert["key"] for alert in database.fetch_all(queries.FETCH_FIRING_ALERTS)]
    for key, value in sorted(alerts.metric_keys(keys).items()):
        firing.add_metric([key], value)
    yield firing
    sizes = GaugeMetricFamily("broadcaster_database_bytes",
                              "The database's size by store (deliveries, fetch_failures, history, rest): every table, "
                              "index and TOAST; together the whole database.", labels=("store",))
    for store, size in storage.store_sizes(database).bytes.items():
        sizes.add_metric([store], size)
    yield sizes


def count_age_family(freshness: dict) -> Metric:
    """broadcaster_count_age_seconds from a RUN's freshness (platforms that sent nothing have none)."""
    family = GaugeMetricFamily(
        "broadcaster_count_age_seconds",
        "Age of the counts sent in the last finished pass over every task, by platform; "
        "quantile 0.5 and 0.95 of the tasks sent, 1 for the oldest.",
        labels=("platform", "quantile"),
    )
    for platform, figures in sorted(freshness.items()):
        for quantile, key in AGE_QUANTILES.items():
            if figures.get(key) is not None:
                family.add_metric([platform, quantile], float(figures[key]))
    return family


def _label_key(labels: dict) -> tuple:
    return tuple(sorted(labels.items()))
