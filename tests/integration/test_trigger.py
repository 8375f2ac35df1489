"""POST /api/broadcaster/trigger with the pass in a real child process: its result, 202 when slow, a selection, the switch."""

import time

import pytest

from broadcaster.storage import queries
from broadcaster.storage.db import Database
from tests.conftest import insert_task
from tests.unit.test_api import YT, YT_URL, add_delivering_tasks, app, client, is_utc_iso, switch_enabled  # noqa: F401 - the unit tests' fixtures and helpers

RESULT_KEYS = {"success", "run_id", "total", "success_count", "failed_count", "timestamp"}


def wait_until_finished(database: Database, run_id: int, timeout: float = 20.0) -> dict:
    """Poll the run row until it is no longer running; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        row = database.fetch_one(queries.FETCH_RUN, {"run_id": run_id})
        if row["status"] != "running":
            return row
        assert time.monotonic() < deadline, f"run {run_id} still running after {timeout} s"
        time.sleep(0.05)


@pytest.mark.slow
def test_trigger_returns_the_result_when_the_pass_finishes(client, database, fake):
    """A small pass finishing within the wait answers 200 with RESULT; the run is recorded as manual."""
    add_delivering_tasks(database, fake, count=2)
    fake.set_receiver("bad", "gone")
    insert_task(database, video_url=YT_URL, callback_url=fake.callback_url("bad"))

    response = client.post("/api/broadcaster/trigger")

    assert 200 == response.status_code
    body = response.get_json()
    assert body["success"] is True
    result = body["data"]
    assert RESULT_KEYS == set(result)
    assert (True, 3, 2, 1) == (result["success"], result["total"], result["success_count"], result["failed_count"])
    assert is_utc_iso(result["timestamp"])
    run = database.fetch_one(queries.FETCH_RUN, {"run_id": result["run_id"]})
    assert ("manual", "succeeded", 3) == (run["trigger"], run["status"], run["done"])
    assert 2 == len(fake.received("ok"))


@pytest.mark.slow
def test_trigger_answers_202_when_the_pass_is_slow(app, client, database, fake):
    """A pass still running after the wait answers 202 with its run id; it then finishes by itself."""
    add_delivering_tasks(database, fake, count=2)
    fake.latency = 0.4
    app.config["TRIGGER_WAIT_SECONDS"] = 0.05

    response = client.post("/api/broadcaster/trigger")
    current = client.get("/api/broadcaster/status").get_json()["data"]["current_run"]

    assert 202 == response.status_code
    body = response.get_json()
    run_id = body["data"]["run_id"]
    assert {"success": True, "data": {"run_id": run_id, "status": "running"}} == body
    assert current is None or current["id"] == run_id
    run = wait_until_finished(database, run_id)
    assert ("manual", "succeeded", 2) == (run["trigger"], run["status"], run["success_count"])


@pytest.mark.slow
def test_trigger_over_selected_tasks(client, database, fake):
    """task_ids runs a manual pass over just those tasks (duplicates folded); RUN says scope 'selected'."""
    ids = add_delivering_tasks(database, fake, count=3)

    response = client.post("/api/broadcaster/trigger", json={"task_ids": [ids[2], ids[0], ids[2]]})

    assert 200 == response.status_code, response.get_json()
    result = response.get_json()["data"]
    assert RESULT_KEYS == set(result)
    assert (True, 2, 2, 0) == (result["success"], result["total"], result["success_count"], result["failed_count"])
    assert [0, 2] == sorted(r.json["stats"][0]["task_id"] for r in fake.received("ok"))  # external ids 0 and 2
    row = database.fetch_one("SELECT trigger, scope, task_ids FROM broadcaster_runs WHERE id = %s", (result["run_id"],))
    assert ("manual", "selected", [ids[2], ids[0]]) == (row["trigger"], row["scope"], row["task_ids"])
    run = client.get(f"/api/broadcaster/runs/{result['run_id']}").get_json()["data"]
    assert ("selected", 2) == (run["scope"], len(run["items"]))


@pytest.mark.slow
def test_trigger_runs_whatever_the_switch(client, database):
    """Trigger works while the switch is off and leaves it off."""
    response = client.post("/api/broadcaster/trigger")

    assert 200 == response.status_code
    assert 0 == response.get_json()["data"]["total"]
    assert switch_enabled(database) is False
