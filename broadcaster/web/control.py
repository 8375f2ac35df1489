"""The switch and passes by hand: start, stop, status, trigger (/api/broadcaster/…).

The switch only writes state; each process's supervisor thread runs the scheduled passes. A
manual pass runs in a child process (`run_pass_in_subprocess`), and the trigger waits
up to the app's TRIGGER_WAIT_SECONDS (10 s) for it before answering 202.
"""

from __future__ import annotations

import threading

from flask import Blueprint, current_app, g, jsonify

from broadcaster.access import audit
from broadcaster.access.audit import audited
from broadcaster.core.clock import interval_text, isoformat
from broadcaster.core.json_schema import BOOLEAN, INTEGER, STRING, TIME, array, described, nullable, obj, shaped
from broadcaster.core.states import RunStatus, Trigger
from broadcaster.engine.children import run_pass_in_subprocess
from broadcaster.engine.runs import RESULT, claim_run
from broadcaster.engine.switch import switch_off, switch_on
from broadcaster.fetching.egress import EGRESS, egress_status
from broadcaster.storage import queries
from broadcaster.storage.db import Database
from broadcaster.web.inputs import (
    TRIGGER_INPUT,
    BadRequest,
    clean_task_ids,
    selection_problem,
    storable_ids,
    trigger_body,
)
from broadcaster.web.openapi import documented, envelope, json_answer
from broadcaster.web.shapes import RUN, error_response, run_json
from broadcaster.web.state import app_state

bp = Blueprint("control", __name__)

STATUS = obj({
    "running": described(BOOLEAN, "开关：是否定时回传"),
    "interval_seconds": INTEGER,
    "next_run_at": described(nullable(TIME), "下一次定时回传的时间；关闭时为 null"),
    "current_run": described(nullable(RUN), "正在进行的回传"),
    "last_run": described(nullable(RUN), "上一次结束的回传（含 freshness）"),
    "timestamp": TIME,
    "stale_warn_hours": INTEGER,
    "egresses": described(array(EGRESS), "每个平台的出口（直连或代理）"),
}, title="Status")
SWITCH_ANSWER = obj({"success": described(BOOLEAN, "false：已经是这个状态"), "message": STRING},
                    title="SwitchAnswer")
RUN_STARTED = obj({"run_id": INTEGER, "status": {"const": RunStatus.RUNNING}}, title="RunStarted")


@bp.post("/api/broadcaster/start")
@audited(audit.START)
@documented("打开开关：开始定时回传", tag="开关与回传", ok=json_answer(SWITCH_ANSWER, "已打开，或已在运行中（success 为 false）"))
def start():
    """Switch the service on."""
    state = app_state()
    if switch_on(state.database):
        interval = interval_text(state.config.broadcast_interval_seconds)
        return jsonify(shaped(SWITCH_ANSWER, success=True, message=f"分发数据回传服务已启动，每{interval}自动回传一次"))
    return jsonify(shaped(SWITCH_ANSWER, success=False, message="分发数据回传服务已在运行中"))


@bp.post("/api/broadcaster/stop")
@audited(audit.STOP)
@documented("关闭开关，并中断正在进行的回传", tag="开关与回传",
            ok=json_answer(SWITCH_ANSWER, "已停止，或本来就未运行（success 为 false）"))
def stop():
    """Switch the service off and interrupt a pass in progress."""
    if switch_off(app_state().database):
        return jsonify(shaped(SWITCH_ANSWER, success=True, message="分发数据回传服务已停止"))
    return jsonify(shaped(SWITCH_ANSWER, success=False, message="分发数据回传服务未运行"))


@bp.get("/api/broadcaster/status")
@documented("开关、下一次回传、正在进行的和上一次的回传", tag="开关与回传", ok=json_answer(envelope(STATUS), "状态"))
def status():
    """The switch, the next slot, the pass in progress and the last finished pass."""
    config, database = app_state().config, app_state().database
    interval = config.broadcast_interval_seconds
    state = database.fetch_one(queries.FETCH_STATE)
    due = database.fetch_one(queries.NEXT_DUE, {"interval": interval})
    data = shaped(
        STATUS,
        running=bool(state["enabled"]),
        interval_seconds=interval,
        next_run_at=isoformat(due["due"]) if due else None,
        current_run=run_json(database.fetch_one(queries.FETCH_CURRENT_RUN)),
        last_run=run_json(database.fetch_one(queries.FETCH_LAST_FINISHED_RUN)),
        timestamp=isoformat(state["now"]),
        stale_warn_hours=config.stale_warn_hours,
        egresses=egress_status(config, database.fetch_all(queries.FETCH_EGRESS_STATUS), state["now"]),
    )
    return jsonify({"success": True, "data": data})


@bp.post("/api/broadcaster/trigger")
@audited(audit.TRIGGER)
@documented("立即回传一轮（不受开关影响），可只回传指定的任务", tag="开关与回传",
            body=TRIGGER_INPUT, body_required=False,
            ok={200: json_answer(envelope(RESULT), "10 秒内完成：这一轮的结果"),
                202: json_answer(envelope(RUN_STARTED), "10 秒内未完成：在后台继续进行")},
            errors={409: "已有一次回传正在进行中"})
def trigger():
    """Run a pass now, whatever the switch, over every active task or the `task_ids` given;
    wait up to 10 s for it."""
    config, database = app_state().config, app_state().database
    task_ids = _selected_task_ids(database, trigger_body())
    run_id = claim_run(database, Trigger.MANUAL, task_ids, triggered_by=g.account.name)
    if run_id is None:
        return error_response("已有一次回传正在进行中", 409)
    done = threading.Event()
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["result"] = run_pass_in_subprocess(config, database, run_id)
        finally:
            done.set()

    threading.Thread(target=work, name=f"manual-pass-{run_id}", daemon=True).start()
    if done.wait(current_app.config["TRIGGER_WAIT_SECONDS"]) and "result" in outcome:
        return jsonify({"success": True, "data": outcome["result"]})
    return jsonify({"success": True, "data": shaped(RUN_STARTED, run_id=run_id, status=RunStatus.RUNNING)}), 202


def _selected_task_ids(database: Database, body: dict) -> list[int] | None:
    """The checked `task_ids` of a trigger body; None (every active task) without them."""
    if "task_ids" not in body:
        return None
    ids = clean_task_ids(body["task_ids"])
    rows = database.fetch_all(queries.FETCH_SELECTED_TASKS, {"task_ids": storable_ids(ids)})
    problem = selection_problem(ids, rows)
    if problem:
        raise BadRequest(problem)
    return ids
