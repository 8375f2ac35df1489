"""GET /metrics (docs/operations.md#monitoring): parsed with prometheus_client's own parser, checked against real passes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

import stats_broadcaster as sb
from admin_api import create_app
from broadcaster.core.clock import pacific_day, utcnow
from broadcaster.engine.runs import claim_run, finish_run, mark_abandoned_runs
from broadcaster.storage import queries, retention
from broadcaster.storage.db import Database
from tests.conftest import ADMIN_TOKEN, basic, insert_task, shift_records

YT, YT_DELETED = "dQw4w9WgXcQ", "bbbbbbbbbbE"
TT, DY = "7504044860782021930", "7535852404919586100"
BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DESIGN_FAMILIES = {  # docs/operations.md#monitoring, as the parser names them (a counter's family drops `_total`)
    "broadcaster_switch_on": "gauge", "broadcaster_active_tasks": "gauge", "broadcaster_runs": "counter",
    "broadcaster_task_deliveries": "counter", "broadcaster_fetches": "counter",
    "broadcaster_last_run_duration_seconds": "gauge", "broadcaster_youtube_quota_units_used": "gauge",
    "broadcaster_count_age_seconds": "gauge",
    "broadcaster_login_failures": "counter", "broadcaster_login_blocks": "counter",  # docs/access.md
}


def scrape(client) -> str:
    """GET /metrics with the token; the body as text."""
    response = client.get("/metrics", headers=BEARER)
    assert 200 == response.status_code, response.get_data(as_text=True)[:300]
    assert response.content_type.startswith("text/plain; version=0.0.4")
    return response.get_data(as_text=True)


def samples(text: str) -> dict[tuple, float]:
    """Every sample as {(sample name, ((label, value), …)): value}, parsed by prometheus_client."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(parsed: dict, name: str, **labels) -> float | None:
    """One sample's value, or None when it is absent."""
    return parsed.get((name, tuple(sorted(labels.items()))))


@pytest.fixture
def client(fake_config, database):
    """A test client of the admin app on the test database; YouTube read through the Data API."""
    return create_app(fake_config.replace(youtube_api_key="test-key"), database=database).test_client()


def seed(database, fake) -> dict[str, int]:
    """Six active tasks on four videos (one deleted, one receiver gone) and a paused one."""
    fake.add_video("youtube", YT, 1200, 34)
    fake.add_video("youtube", YT_DELETED, 1, 1, behaviour="deleted")
    fake.add_video("tiktok", TT, 1776621, 22609)
    fake.add_video("douyin", DY, None, 7007)
    fake.set_receiver("ok")
    fake.set_receiver("gone", "gone")
    ok = fake.callback_url("ok")
    return {
        "yt1": insert_task(database, video_url=f"https://youtu.be/{YT}", callback_url=ok),
        "yt2": insert_task(database, video_url=f"https://www.youtube.com/watch?v={YT}", callback_url=ok),
        "yt_gone": insert_task(database, video_url=f"https://youtu.be/{YT}", callback_url=fake.callback_url("gone")),
        "deleted": insert_task(database, video_url=f"https://youtu.be/{YT_DELETED}", callback_url=ok),
        "tt": insert_task(database, video_url=f"https://www.tiktok.com/@u/video/{TT}", callback_url=ok),
        "dy": insert_task(database, video_url=f"https://www.douyin.com/video/{DY}", callback_url=ok),
        "paused": insert_task(database, video_url=f"https://youtu.be/{YT}", callback_url=ok, status="paused"),
    }


def test_metrics_match_what_the_passes_did(client, database, fake, fake_config):
    """Two passes: runs, deliveries, fetches, quota, duration and count ages equal what the database recorded."""
    seed(database, fake)
    config = fake_config.replace(youtube_api_key="test-key")
    results = [sb.broadcast_all_tasks(config, database, trigger="cli") for _ in range(2)]

    parsed = samples(scrape(client))

    assert [(6, 4, 2)] * 2 == [(r["total"], r["success_count"], r["failed_count"]) for r in results]
    assert 2.0 == value(parsed, "broadcaster_runs_total", trigger="cli", status="succeeded")
    assert 0.0 == value(parsed, "broadcaster_runs_total", trigger="manual", status="succeeded")
    logs = database.fetch_all("SELECT callback_status, COUNT(*) AS n FROM broadcaster_delivery_log GROUP BY callback_status")
    assert {"success": 8, "failed": 4} == {row["callback_status"]: row["n"] for row in logs}
    assert 8.0 == value(parsed, "broadcaster_task_deliveries_total", result="success")
    assert 4.0 == value(parsed, "broadcaster_task_deliveries_total", result="failed")
    # Each pass fetched each of the four videos once: three read, the deleted one unavailable.
    assert {("youtube", "ok"): 2, ("youtube", "unavailable"): 2, ("tiktok", "ok"): 2, ("douyin", "ok"): 2} == {
        (platform, status): value(parsed, "broadcaster_fetches_total", platform=platform, status=status)
        for platform in ("youtube", "tiktok", "douyin") for status in ("ok", "unavailable", "blocked", "error")
        if value(parsed, "broadcaster_fetches_total", platform=platform, status=status)
    }
    assert (0.0, 6.0) == (value(parsed, "broadcaster_switch_on"), value(parsed, "broadcaster_active_tasks"))
    quota = database.fetch_one(queries.FETCH_QUOTA, {"day": pacific_day(utcnow())})
    assert 2 == quota["units_used"]  # one videos.list call per pass
    assert (2.0, 10000.0) == (value(parsed, "broadcaster_youtube_quota_units_used"),
                              value(parsed, "broadcaster_youtube_quota_units_limit"))
    last = database.fetch_one(queries.FETCH_RUN, {"run_id": results[1]["run_id"]})
    duration = (last["finished_at"] - last["started_at"]).total_seconds()
    assert duration == pytest.approx(value(parsed, "broadcaster_last_run_duration_seconds"), abs=1e-3)
    for platform, figures in last["freshness"].items():
        for quantile, key in (("0.5", "p50_age_s"), ("0.95", "p95_age_s"), ("1", "max_age_s")):
            expected = None if figures[key] is None else float(figures[key])
            assert expected == value(parsed, "broadcaster_count_age_seconds", platform=platform, quantile=quantile)


def test_every_design_metric_is_there_with_english_help(client):
    """Every docs/operations.md#monitoring family is present with its type and an English HELP line; counters are exposed as `_total`."""
    text = scrape(client)
    families = {family.name: family for family in text_string_to_metric_families(text)}

    assert DESIGN_FAMILIES == {name: families[name].type for name in DESIGN_FAMILIES}
    assert all(family.documentation.isascii() and len(family.documentation) > 20 for family in families.values())
    counter_lines = [line for line in text.splitlines() if line.startswith("broadcaster_runs")]
    assert counter_lines and all(line.startswith("broadcaster_runs_total{") for line in counter_lines)
    assert re.search(r"^# TYPE broadcaster_task_deliveries_total counter$", text, re.M)
    # Every label set is there from the first scrape (rate() needs the zero), none of them counted yet.
    parsed = samples(text)
    assert 12 == len([key for key in parsed if key[0] == "broadcaster_runs_total"])
    assert 12 == len([key for key in parsed if key[0] == "broadcaster_fetches_total"])
    assert {0.0} == {v for key, v in parsed.items() if key[0].endswith("_total")}


def test_switch_and_active_tasks_follow_the_database(client, database):
    """broadcaster_switch_on and broadcaster_active_tasks are read at scrape time."""
    insert_task(database)
    insert_task(database, status="paused")
    insert_task(database, callback_url="")

    before = samples(scrape(client))
    client.post("/api/broadcaster/start", headers=BEARER)
    after = samples(scrape(client))

    assert (0.0, 1.0) == (value(before, "broadcaster_switch_on"), value(before, "broadcaster_active_tasks"))
    assert 1.0 == value(after, "broadcaster_switch_on")


def test_counters_never_go_down_when_runs_and_logs_are_pruned(client, database, fake, fake_config):
    """Pruning every run and log row leaves the counters where they were."""
    seed(database, fake)
    sb.broadcast_all_tasks(fake_config, database, trigger="cli")
    before = samples(scrape(client))
    shift_records(database, dt.timedelta(days=30))
    database.execute("UPDATE broadcaster_runs SET started_at = started_at - INTERVAL '30 days'")

    done = retention.upkeep(database, fake_config.replace(log_retention_days=7))
    after = samples(scrape(client))

    assert done["days_dropped"] > 0 and done["rows_deleted"] > 0
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_runs")["n"]
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_delivery_log")["n"]
    totals = {key: v for key, v in before.items() if key[0].endswith("_total")}
    assert totals == {key: after[key] for key in totals}
    assert 1.0 == value(after, "broadcaster_runs_total", trigger="cli", status="succeeded")
    assert 4.0 == value(after, "broadcaster_task_deliveries_total", result="success")


def test_abandoned_failed_and_interrupted_runs_are_counted_once(client, database):
    """A run counts once when it ends, however it ends; a late finish of an abandoned run adds nothing."""
    stale = claim_run(database, "manual")
    database.execute("UPDATE broadcaster_runs SET heartbeat_at = NOW() - INTERVAL '5 minutes'")
    assert [stale] == mark_abandoned_runs(database)
    assert [] == mark_abandoned_runs(database)
    counts = {"total": 0, "done": 0, "success_count": 0}
    finish_run(database, stale, "succeeded", counts, None, deadline_s=1)  # its process came back
    failed = claim_run(database, "schedule")
    finish_run(database, failed, "failed", counts, "boom", deadline_s=1)
    interrupted = claim_run(database, "cli")
    finish_run(database, interrupted, "interrupted", counts, "stopped", deadline_s=1)

    parsed = samples(scrape(client))

    assert "abandoned" == database.fetch_one(queries.FETCH_RUN, {"run_id": stale})["status"]
    counted = {labels: v for (name, labels), v in parsed.items() if name == "broadcaster_runs_total" and v}
    assert {(("status", "abandoned"), ("trigger", "manual")): 1.0, (("status", "failed"), ("trigger", "schedule")): 1.0,
            (("status", "interrupted"), ("trigger", "cli")): 1.0} == counted


def test_count_age_comes_from_the_last_full_pass(client, database):
    """A retry over selected tasks leaves broadcaster_count_age_seconds at the last full pass's ages."""
    full = {"youtube": {"tasks": 3, "refreshed": 3, "p50_age_s": 4.0, "p95_age_s": 9.5, "max_age_s": 12.0,
                        "cycle_s": 180.0, "videos": 3},
            "douyin": {"tasks": 0, "refreshed": 0, "p50_age_s": None, "p95_age_s": None, "max_age_s": None,
                       "cycle_s": 180.0, "videos": 0}}
    counts = {"total": 3, "done": 3, "success_count": 3}
    finish_run(database, claim_run(database, "schedule"), "succeeded",
                         {**counts, "freshness": full}, None, deadline_s=1)
    retry = {"youtube": {**full["youtube"], "p50_age_s": 1.0, "p95_age_s": 1.0, "max_age_s": 1.0}}
    finish_run(database, claim_run(database, "manual", [1]), "succeeded",
                         {**counts, "freshness": retry}, None, deadline_s=1)

    parsed = samples(scrape(client))

    ages = {labels: v for (name, labels), v in parsed.items() if name == "broadcaster_count_age_seconds"}
    assert {(("platform", "youtube"), ("quantile", "0.5")): 4.0, (("platform", "youtube"), ("quantile", "0.95")): 9.5,
            (("platform", "youtube"), ("quantile", "1")): 12.0} == ages


def test_every_worker_answers_alike(fake_config, database, database_url, fake):
    """Two apps with their own connection pools (two gunicorn workers) give the same scrape."""
    seed(database, fake)
    sb.broadcast_all_tasks(fake_config, database, trigger="cli")
    other = Database(database_url)
    try:
        first = create_app(fake_config, database=database).test_client()
        second = create_app(fake_config, database=other).test_client()

        bodies = [scrape(first), scrape(second)]
    finally:
        other.close()

    # The database's size is measured at each scrape, and autovacuum may change it in between.
    bodies = ["\n".join(line for line in body.splitlines() if not line.startswith("broadcaster_database_bytes{"))
              for body in bodies]
    assert bodies[0] == bodies[1]
    assert "# TYPE broadcaster_database_bytes gauge" in bodies[0]
    assert "broadcaster_task_deliveries_total{result=\"success\"} 4.0" in bodies[0]


def test_metrics_need_the_api_credentials(client):
    """Without credentials /metrics is a 401 asking for Basic; the token and the password both work."""
    refused = client.get("/metrics")

    assert 401 == refused.status_code
    assert refused.headers["WWW-Authenticate"].startswith("Basic")
    assert refused.get_json()["success"] is False
    assert 200 == client.get("/metrics", headers=basic("test-admin-password")).status_code
    assert 200 == client.get("/metrics", headers=BEARER).status_code
