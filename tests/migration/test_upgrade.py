"""Upgrade in place: a database the last release made and used (release-1.0/, made by
make_release_fixture.py with that release's code) is upgraded by this checkout's migrations, and
every page the release showed about it shows the same rows and points."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest

import stats_broadcaster as sb
from admin_api import create_app
from broadcaster.core.config import Config
from broadcaster.storage import migrations, retention
from broadcaster.storage.db import Database
from broadcaster.storage.partitions import HOURLY
from tests.conftest import run_outside_transaction, with_database

FIXTURE = Path(__file__).resolve().parent / "release-1.0"
TOKEN = "fixture-token-0123456789"
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?\+00:00")
# Lines of pg_dump's plain format that are psql's, or settings an older server would not know.
_NOT_SQL = re.compile(r"^(\\|SET transaction_timeout)", re.M)


@pytest.fixture(scope="module")
def fixture_answers() -> dict:
    return json.loads((FIXTURE / "answers.json").read_text(encoding="utf-8"))


@pytest.fixture
def release_database(database_url, fixture_answers):
    """A database of its own holding the release's dump, every time moved forward to now (as if
    the release had just written it); yields its URL and how far the times moved."""
    name = f"broadcaster_upgrade_{os.getpid()}"
    admin_url = with_database(database_url, "postgres")
    run_outside_transaction(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    url = with_database(database_url, name)
    dump = _NOT_SQL.sub("-- ", (FIXTURE / "dump.sql").read_text(encoding="utf-8"))
    with contextlib.closing(psycopg2.connect(url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(dump)
            cur.execute("SELECT NOW()")
            shift = cur.fetchone()[0] - dt.datetime.fromisoformat(fixture_answers["made_at"])
            cur.execute("SET search_path = public")
            cur.execute("""SELECT table_name, column_name FROM information_schema.columns c
                           JOIN information_schema.tables t USING (table_schema, table_name)
                           WHERE table_schema = 'public' AND t.table_type = 'BASE TABLE'
                             AND data_type LIKE 'timestamp%'""")
            for table, column in cur.fetchall():
                cur.execute(f'UPDATE "{table}" SET "{column}" = "{column}" + %s', (shift,))
            # The callback hosts' roll-up is a cache of whole hours of the log: moved by a shift that is
            # not whole hours it would be wrong, so it goes, and is rolled up again from the moved log.
            cur.execute("DELETE FROM broadcaster_host_hours; DELETE FROM broadcaster_host_tasks;"
                        " DELETE FROM broadcaster_host_rollups")
    yield url, shift
    run_outside_transaction(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def shifted(value, shift: dt.timedelta):
    """An answer of the release with every time in it moved by `shift`."""
    if isinstance(value, dict):
        return {key: shifted(item, shift) for key, item in value.items()}
    if isinstance(value, list):
        return [shifted(item, shift) for item in value]
    if isinstance(value, str):
        return ISO.sub(lambda m: (dt.datetime.fromisoformat(m.group(0)) + shift).isoformat(), value)
    return value


def thinned(points: list[dict], now: dt.datetime) -> list[dict]:
    """History points as count history keeps them: the last reading per hour on days thinned hourly."""
    kept: dict = {}
    for point in points:
        at = dt.datetime.fromisoformat(point["at"])
        hourly = retention.resolution_for(at.date(), now) == HOURLY
        kept[at.replace(minute=0, second=0, microsecond=0) if hourly else at] = point
    return list(kept.values())


def test_a_release_database_upgrades_with_nothing_lost(release_database, fixture_answers, fake):
    """Every migration applies to the release's database; the log tab, run details, task list,
    history charts, callback-host figures, audit and CSV answer as the release did; then a pass of
    this version adds its records beside the release's."""
    url, shift = release_database
    database = Database(url)
    applied = migrations.migrate(database, say=lambda line: None)
    config = Config(database_url=url, admin_token=TOKEN, webhook_allow_private_networks=True,
                    youtube_pages_per_minute=0, tiktok_pages_per_minute=0, douyin_pages_per_minute=0,
                    **{name.lower(): value for name, value in fake.settings_env().items()})
    client = create_app(config, database=database).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    now = dt.datetime.now(dt.UTC)

    assert [m.version for m in migrations.discover()] == [a.migration.version for a in applied]
    assert "已有该版本的全部结构，未做改动" == applied[0].note
    for path, answer in fixture_answers["answers"].items():
        response = client.get(path)
        assert 200 == response.status_code, path
        expected = shifted(answer, shift)
        if "/history" in path:
            expected["data"]["points"] = thinned(expected["data"]["points"], now)
            assert expected == response.get_json(), path
        elif path.endswith(".csv") or ".csv?" in path:
            assert expected == response.get_data(as_text=True), path
        else:
            assert expected == response.get_json(), path
    history = [answer for path, answer in fixture_answers["answers"].items() if "/history" in path]
    assert any(len(thinned(h["data"]["points"], now)) < len(h["data"]["points"]) for h in history)  # it was thinned

    for platform, video_id, views, likes in [("youtube", "dQw4w9WgXcQ", 99_000, 900), ("youtube", "aaaaaaaaaaA", 999, 13),
                                             ("tiktok", "7504044860782021930", 1_800_000, 23_000),
                                             ("douyin", "7535852404919586100", None, 7100)]:
        fake.add_video(platform, video_id, views, likes)
    database.execute("UPDATE drama_tasks SET callback_url = regexp_replace(callback_url, ':[0-9]+/', %s)",
                     (f":{urlsplit(fake.base_url).port}/",))
    result = sb.broadcast_all_tasks(config, database, trigger="cli")
    logs = client.get("/api/webhook-logs?hours=2160&limit=1000").get_json()["data"]
    old_logs = fixture_answers["answers"]["/api/webhook-logs?hours=2160&limit=1000"]["data"]

    assert result["success"] and result["total"] == 7
    assert len(old_logs) + 7 == len(logs)
    assert {log["run_id"] for log in logs[:7]} == {result["run_id"]}  # the new records come first
    assert shifted(old_logs, shift) == logs[7:]
    assert 0 == database.fetch_one("SELECT COUNT(*) AS n FROM webhook_logs WHERE run_id = %s",
                                   (result["run_id"],))["n"]  # nothing new in the bot's table
    database.close()
