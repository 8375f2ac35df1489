"""An installed copy runs: the package built as a wheel, installed outside the repository, migrates a
fresh database from the SQL it carries, runs a pass and serves the page from its own templates and
static files."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ADMIN_PASSWORD, ROOT, basic, command_env, run_outside_transaction, with_database
from tests.integration.test_cli import seeded  # noqa: F401 - the fixture: two deliverable tasks and a bad link

pytestmark = pytest.mark.slow  # builds a wheel and runs the installed commands as processes

FRESH_DB = "broadcaster_installed_copy"
# What the wheel must carry besides Python modules: the migrations' SQL, the page's files.
CARRIED = ("broadcaster/storage/migrations/baseline.sql", "broadcaster/storage/migrations/0002_delivery_records.sql",
           "broadcaster/web/templates/admin.html", "broadcaster/web/templates/login.html",
           "broadcaster/web/static/admin.css", "broadcaster/web/static/js/main.js")
PAGES = ("/admin", "/static/js/main.js", "/static/admin.css", "/static/css/tables.css")
PAGE_CHECK = """
import admin_api, broadcaster
client = admin_api.create_app().test_client()
for path in %r:
    answer = client.get(path, headers=%r)
    print(path, answer.status_code, len(answer.data))
print("from", broadcaster.__file__, admin_api.__file__)
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The package built from a copy of the sources (the checkout stays clean) and installed into a
    folder of its own; the virtualenv gives only the dependencies."""
    work = tmp_path_factory.mktemp("installed")
    source = work / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "instance", "tests", "bench", "fakes", "docs", "build", "*.egg-info", "__pycache__",
        ".hypothesis", ".pytest_cache", ".ruff_cache", "node_modules"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(work / "dist"), str(source)], check=True, capture_output=True, timeout=120)
    wheel = next((work / "dist").glob("*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(work / "site"), str(wheel)], check=True, capture_output=True, timeout=120)
    return wheel, work / "site"


def run_installed(site, args, env, cwd):
    """A command of the installed copy, started outside the repository, which is not on its path."""
    env = {**env, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_wheel_carries_the_sql_templates_and_static_files(installed):
    wheel, _ = installed

    names = set(zipfile.ZipFile(wheel).namelist())

    assert [] == [name for name in CARRIED if name not in names]
    assert "admin_api.py" in names and "stats_broadcaster.py" in names and "video_stats_fetcher.py" in names


def test_an_installed_copy_migrates_runs_a_pass_and_serves_the_page(installed, seeded, fake,  # noqa: F811
                                                                    database_url, tmp_path):
    _, site = installed
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = command_env(database_url, fake, tmp_path / "instance", ADMIN_PASSWORD=ADMIN_PASSWORD)
    admin_url = with_database(database_url, "postgres")
    run_outside_transaction(admin_url, f"DROP DATABASE IF EXISTS {FRESH_DB} WITH (FORCE)", f"CREATE DATABASE {FRESH_DB}")
    try:
        migrated = run_installed(site, ["-m", "broadcaster", "--init-db"],
                                 {**env, "DATABASE_URL": with_database(database_url, FRESH_DB)}, outside)
    finally:
        run_outside_transaction(admin_url, f"DROP DATABASE IF EXISTS {FRESH_DB} WITH (FORCE)")
    once = run_installed(site, ["-m", "stats_broadcaster", "--once"], env, outside)
    page = run_installed(site, ["-c", PAGE_CHECK % (PAGES, basic(ADMIN_PASSWORD))], env, outside)

    assert 0 == migrated.returncode, migrated.stderr
    assert "已应用 0002 delivery_records" in migrated.stdout
    assert 0 == once.returncode, once.stderr
    assert ["总任务数: 3", "成功: 2", "失败: 1"] == once.stdout.splitlines()[:3]
    assert 2 == len(fake.received("cli"))
    assert 0 == page.returncode, page.stderr
    lines = page.stdout.splitlines()
    assert [f"{path} 200" for path in PAGES] == [line.rsplit(" ", 1)[0] for line in lines[:4]], lines
    assert all(int(line.rsplit(" ", 1)[1]) > 0 for line in lines[:4])
    assert lines[4].startswith(f"from {site}{os.sep}broadcaster") and f" {site}{os.sep}admin_api.py" in lines[4]
