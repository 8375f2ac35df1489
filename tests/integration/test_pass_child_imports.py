"""Layers hold in a real pass child: it imports no Flask, no web layer, no entry point."""

from __future__ import annotations

import re

import pytest

from broadcaster.core import states
from broadcaster.engine.children import run_pass_in_subprocess
from broadcaster.engine.runs import claim_run
from tests.conftest import insert_task

#: What a pass never loads: the web framework, the web layer, and the top-level entry points.
WEB_AND_ENTRY_MODULES = ("flask", "werkzeug", "jinja2", "broadcaster.web", "broadcaster.access",
                         "admin_api", "stats_broadcaster", "video_stats_fetcher")


#: Plain Python without Flask: the settings check ADMIN_USERS with it.
ACCOUNTS_MODULES = ("broadcaster.access", "broadcaster.access.accounts")


# One line of Python's import log (-X importtime): self and cumulative microseconds, then the module.
IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \| *(\S+)$", re.M)


@pytest.mark.slow
def test_the_pass_child_imports_no_web_code(database, fake, fake_config, monkeypatch, capfd):
    """A pass child started as the supervisor starts it loads neither Flask nor werkzeug nor the
    web layer nor an entry point: Python's own import log (-X importtime, asked for through the
    environment the child inherits) lists every module the child imported."""
    fake.add_video("youtube", "dQw4w9WgXcQ", 10, 2)
    fake.set_receiver("r")
    insert_task(database, callback_url=fake.callback_url("r"))
    run_id = claim_run(database, states.Trigger.MANUAL)
    monkeypatch.setenv("PYTHONPROFILEIMPORTTIME", "1")

    result = run_pass_in_subprocess(fake_config, database, run_id)

    imported = set(IMPORT_LINE.findall(capfd.readouterr().err))
    assert (True, 1, 1) == (result["success"], result["total"], result["success_count"])
    assert {"broadcaster.cli", "broadcaster.engine.execution", "psycopg2"} <= imported  # the child's log, whole
    assert [] == sorted(name for name in imported - set(ACCOUNTS_MODULES)
                        if any(name == top or name.startswith(f"{top}.") for top in WEB_AND_ENTRY_MODULES))
