"""Passes that ran: the recent ones, and one with each task's outcome (/api/broadcaster/runs…)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from broadcaster.core.json_schema import array, described, extend, shaped
from broadcaster.storage import queries
from broadcaster.web.inputs import IntArg
from broadcaster.web.openapi import documented, envelope, json_answer
from broadcaster.web.shapes import RUN, RUN_ITEM, error_response, log_json, run_json
from broadcaster.web.state import app_state

bp = Blueprint("runs", __name__)

RUN_DETAIL = extend(RUN, {"items": described(array(RUN_ITEM), "这一轮每个任务的结果")}, title="RunDetail")


@bp.get("/api/broadcaster/runs")
@documented("最近的回传轮次，最新的在前", tag="开关与回传", query=[IntArg("limit", 50, 1, 500)],
            ok=json_answer(envelope(array(RUN)), "回传轮次"))
def runs(limit: int):
    """Recent passes, newest first."""
    rows = app_state().database.fetch_all(queries.FETCH_RUNS, {"limit": limit})
    return jsonify({"success": True, "data": [run_json(row) for row in rows]})


@bp.get("/api/broadcaster/runs/<int:run_id>")
@documented("一轮回传的详情和每个任务的结果", tag="开关与回传", ok=json_answer(envelope(RUN_DETAIL), "这一轮"),
            errors={404: "未找到该轮回传记录"}, examples={"run_id": 1})
def run_detail(run_id: int):
    """One pass with each task's outcome."""
    database = app_state().database
    row = database.fetch_one(queries.FETCH_RUN, {"run_id": run_id})
    if row is None:
        return error_response("未找到该轮回传记录", 404)
    items = [log_json(item, RUN_ITEM) for item in database.fetch_all(queries.FETCH_RUN_ITEMS, {"run_id": run_id})]
    return jsonify({"success": True, "data": shaped(RUN_DETAIL, **run_json(row), items=items)})
