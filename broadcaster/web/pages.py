"""The admin page and what operations read: /, /admin, /healthz, /metrics, /api/openapi.json, /api/storage.

/metrics is `broadcaster.reports.metrics`'s text; the storage sizes and their projection are
`broadcaster.storage.sizes` and `broadcaster.engine.planning`'s.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, redirect, render_template, url_for

from broadcaster.core.clock import interval_text
from broadcaster.core.errors import StorageError
from broadcaster.core.json_schema import STRING, obj, one_of_values, shaped
from broadcaster.engine import planning
from broadcaster.reports.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from broadcaster.reports.metrics import render_metrics
from broadcaster.storage import sizes as storage
from broadcaster.web import openapi
from broadcaster.web.openapi import Answer, documented, envelope, json_answer, media_answer
from broadcaster.web.state import app_state

bp = Blueprint("pages", __name__)

HEALTH = obj({"status": one_of_values(("ok", "unavailable"))}, title="Health")


@bp.get("/")
@documented("跳转到管理页面", tag="页面与运维",
            ok={302: Answer("跳转到 /admin", headers={"Location": {"required": True, "schema": STRING}})})
def root():
    """Redirect to the admin page."""
    return redirect(url_for("pages.index"))


@bp.get("/admin")
@documented("管理页面", tag="页面与运维", ok=media_answer("text/html", "管理页面（HTML）"))
def index():
    """The admin page."""
    config = app_state().config
    seconds = config.broadcast_interval_seconds
    return render_template("admin.html", interval_seconds=seconds, interval_text=interval_text(seconds),
                           signed_in_by_form=g.get("session_token") is not None, stall_days=config.stall_days)


@bp.get("/healthz")
@documented("健康检查（含数据库），无需认证", tag="页面与运维", public=True,
            ok={200: json_answer(HEALTH, "正常：{\"status\": \"ok\"}"),
                503: json_answer(HEALTH, "数据库不可用：{\"status\": \"unavailable\"}")})
def healthz():
    """Liveness with a database check; no authentication."""
    try:
        app_state().database.check()
    except StorageError:
        return jsonify(shaped(HEALTH, status="unavailable")), 503
    return jsonify(shaped(HEALTH, status="ok"))


@bp.get("/metrics")
@documented("Prometheus 指标（文本格式）", tag="页面与运维", ok=media_answer("text/plain", "Prometheus 文本格式"))
def metrics():
    """Prometheus metrics, read from the database now (every worker answers alike)."""
    state = app_state()
    return Response(render_metrics(state.database, state.config), content_type=METRICS_CONTENT_TYPE)


@bp.get("/api/openapi.json")
@documented("本接口的 OpenAPI 3.1 文档（含向 X2C 推送的 Webhook）", tag="页面与运维",
            ok=json_answer({"type": "object", "description": "OpenAPI 3.1"}, "OpenAPI 文档"))
def openapi_json():
    """This API's contract, built once per process from the URL map (broadcaster.web.openapi)."""
    state = app_state()
    if state.openapi is None:
        state.openapi = openapi.document(current_app)
    return jsonify(state.openapi)


@bp.get("/api/storage")
@documented("数据库各部分的大小，以及按当前任务数和设置估算的稳定后大小", tag="页面与运维",
            ok=json_answer(envelope(storage.STORAGE), "存储空间"))
def storage_size():
    """The database's size by store and its steady-state projection for the current tasks and settings."""
    config = app_state().config
    facts = planning.load_facts(app_state().database)
    projection = planning.storage_projection(config, facts)
    return jsonify({"success": True, "data": storage.storage_json(
        facts.sizes, projection, tasks=facts.active_tasks, alert_gb=config.alert_database_gb)})
