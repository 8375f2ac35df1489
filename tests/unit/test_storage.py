"""Seeing the storage (docs/storage.md): sizes by store, the steady-state projection, /metrics,
GET /api/storage, --plan and the database_large alert."""

from __future__ import annotations

import datetime as dt

import pytest

from admin_api import create_app
from broadcaster.alerting import alerts
from broadcaster.core.config import Config, config_from_mapping
from broadcaster.core.errors import ConfigError
from broadcaster.engine import planning
from broadcaster.storage import sizes as storage
from tests.conftest import add_points, insert_records, insert_task, token_client

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def sizes(**overrides) -> storage.Sizes:
    figures = {"deliveries": 0, "fetch_failures": 0, "history": 0, "rest": 1_000_000}
    return storage.Sizes({**figures, **overrides}, {"deliveries": 0, "fetch_failures": 0, "history": 0}, 0)


def test_sizes_are_grouped_by_store(database):
    """Records (and their contexts), count points and the rest each land in their own store."""
    # The tests empty tables with DELETE, which leaves room a few rows fill without growing, and that
    # autovacuum may give back meanwhile: emptied to nothing here, the stores can only grow.
    database.execute("TRUNCATE broadcaster_deliveries, broadcaster_delivery_contexts, broadcaster_count_points")
    before = storage.store_sizes(database)
    insert_records(database, [{"task_id": n, "ok": True} for n in range(1, 200)])
    add_points(database, "youtube", "dQw4w9WgXcQ", *[(dt.timedelta(minutes=n), n, n) for n in range(200)])

    after = storage.store_sizes(database)

    assert after.bytes["deliveries"] > before.bytes["deliveries"]
    assert after.bytes["history"] > before.bytes["history"]
    assert after.total == sum(after.bytes.values())


def test_the_projection_follows_tasks_retention_and_budgets():
    """Records scale with tasks × passes × (retention + 1) days; history with the reads the budgets
    allow: 3 days in full, at most 24 points a video a day to 30 days, one a day after."""
    config = Config(broadcast_interval_seconds=180, log_retention_days=7, count_history_days=90)

    every_read = storage.project(sizes(), config, tasks=100_000, videos=100_000, reads_per_pass=100_000,
                                 failure_share=0.0)
    budgeted = storage.project(sizes(), config, tasks=100_000, videos=100_000, reads_per_pass=1_000,
                               failure_share=0.0)

    assert 100_000 * 480 * 8 == every_read.records_kept
    assert every_read.bytes["deliveries"] == every_read.records_kept * storage.MEASURED_BYTES["deliveries"]
    assert 480 * 100_000 * 3 + 100_000 * 24 * 27 + 100_000 * 61 == every_read.points_kept
    assert 480_000 * 3 + 480_000 * 27 + 100_000 * 61 == budgeted.points_kept
    assert 1_000_000 == every_read.bytes["rest"]


def test_a_database_with_enough_rows_measures_its_own_bytes_per_row():
    """Below MEASURE_FROM_ROWS rows the bench's figure is used; above, the store's own."""
    few = storage.Sizes({"deliveries": 10_000, "fetch_failures": 0, "history": 0, "rest": 0},
                        {"deliveries": 10, "fetch_failures": 0, "history": 0}, 10_000)
    many = storage.Sizes({"deliveries": 30_000_000, "fetch_failures": 0, "history": 0, "rest": 0},
                         {"deliveries": 200_000, "fetch_failures": 0, "history": 0}, 30_000_000)

    assert storage.MEASURED_BYTES["deliveries"] == few.bytes_per_row("deliveries")
    assert 150 == many.bytes_per_row("deliveries")


def test_storage_route_metrics_and_plan_agree(database, config):
    """GET /api/storage, /metrics' broadcaster_database_bytes and --plan show the same stores."""
    insert_task(database)
    insert_records(database, [{"task_id": 1, "ok": True}])
    client = token_client(create_app(config.replace(alert_database_gb=50), database=database))

    data = client.get("/api/storage").get_json()["data"]
    metrics = client.get("/metrics").get_data(as_text=True)
    plan = planning.plan_report(config, planning.load_facts(database))

    assert set(storage.STORES) == set(data["stores"]) == set(data["projection"]["stores"])
    assert 1 == data["projection"]["tasks"] and 50_000_000_000 == data["alert_bytes"]
    assert 1 * 480 * 8 == data["projection"]["records_kept"]
    for store in storage.STORES:
        assert f'broadcaster_database_bytes{{store="{store}"}}' in metrics
    assert "数据库：现在" in plan and "回传记录：现在" in plan and "稳定后约" in plan


def test_database_large_fires_past_alert_database_gb():
    """database_large fires once the database passes ALERT_DATABASE_GB, naming both sizes; unset, never."""
    facts = {"switch_on": False, "egresses": {}, "youtube_units": 0, "tikhub_requests": 0,
             "database_bytes": 61_200_000_000}

    [alert] = alerts.firing_alerts(Config(alert_database_gb=60), facts, NOW)

    assert "database_large" == alert.key and "61.2 GB" in alert.summary and "60 GB" in alert.summary
    assert [] == alerts.firing_alerts(Config(alert_database_gb=70), facts, NOW)
    assert [] == alerts.firing_alerts(Config(), {**facts, "database_bytes": None}, NOW)


def test_alert_database_gb_setting():
    """ALERT_DATABASE_GB: unset by default, a positive number of gigabytes otherwise."""
    assert config_from_mapping({}).alert_database_gb is None
    assert 60.0 == config_from_mapping({"ALERT_DATABASE_GB": "60"}).alert_database_gb
    for bad in ("0", "abc", "-1"):
        with pytest.raises(ConfigError, match="ALERT_DATABASE_GB"):
            config_from_mapping({"ALERT_DATABASE_GB": bad})
