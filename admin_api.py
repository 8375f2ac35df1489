"""The admin app: Flask app factory, the admin blueprint and the JSON API.

The API only writes state (the switch, a manual run) and reads it; scheduled passes are run by
each process's supervisor thread (`stats_broadcaster.Broadcaster`), started after gunicorn
forks (see gunicorn.conf.py), never at import. Who may call it: `broadcaster.access.auth`; answer
shapes and input checks: `broadcaster.web.shapes`; /metrics: `broadcaster.reports.metrics`.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

import stats_broadcaster
from broadcaster.access import audit
from broadcaster.access.auth import Authenticator, ensure_admin_credentials, refuse_unauthorised, security_headers
from broadcaster.core.clock import interval_text, isoformat
from broadcaster.core.config import Config, config_from_mapping, load_config
from broadcaster.core.errors import StorageError
from broadcaster.core.json_schema import (
    BOOLEAN,
    INTEGER,
    STRING,
    TIME,
    array,
    described,
    extend,
    nullable,
    obj,
    one_of_values,
    shaped,
)
from broadcaster.core.states import RunStatus, TaskStatus, Trigger
from broadcaster.engine import lifecycle, planning
from broadcaster.fetching.egress import EGRESS, egress_status
from broadcaster.reports import history, tasklist
from broadcaster.reports.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from broadcaster.reports.metrics import render_metrics
from broadcaster.reports.tasklist import TASK_COUNTS
from broadcaster.storage import db, queries
from broadcaster.storage import sizes as storage
from broadcaster.storage.db import Database
from broadcaster.web import alerts_api, insight_api, openapi, projects_api, signin
from broadcaster.web.access_api import bp as access_bp
from broadcaster.web.inputs import (
    MAX_REQUEST_BYTES,
    TASK_CHANGES,
    TASK_INPUT,
    TRIGGER_INPUT,
    BadRequest,
    IntArg,
    clean_task_ids,
    json_object,
    selection_problem,
    storable_ids,
    trigger_body,
    validate_task,
)
from broadcaster.web.openapi import Answer, documented, envelope, json_answer, media_answer
from broadcaster.web.shapes import (
    LOG_ROW,
    RUN,
    RUN_ITEM,
    TASK,
    error_response,
    http_message,
    log_json,
    run_json,
    task_json,
)
from broadcaster.web.state import EXTENSION, AppState, app_state
from broadcaster.web.task_args import TASK_FILTERS, TASK_PAGING, task_list_query

__all__ = ["bp", "create_app", "ensure_admin_credentials", "start_supervisor", "stop_supervisor"]

logger = logging.getLogger(__name__)

bp = Blueprint("admin", __name__)

TRIGGER_WAIT_SECONDS = 10.0
#: How long a worker's start waits for pending migrations before it serves anyway (/healthz must
#: answer soon even while a migration waits for a lock).
STARTUP_MIGRATION_SECONDS = 5.0


# --------------------------------------------------------------------------------------------
# App factory

# The page's scripts are ES modules, which browsers run only when served with a JavaScript type;
# a host's /etc/mime.types could map .js to something else.
mimetypes.add_type("text/javascript", ".js")


def create_app(config: Config | Mapping[str, Any] | None = None, *, database: Database | None = None) -> Flask:
    """Build the admin app. `config` is a Config, a mapping of settings, or None for the environment."""
    if config is None:
        config = load_config()
    elif not isinstance(config, Config):
        config = config_from_mapping({key: str(value) for key, value in config.items()})
    config = ensure_admin_credentials(config)
    app = Flask(__name__, instance_path=config.instance_path)
    app.config["TRIGGER_WAIT_SECONDS"] = TRIGGER_WAIT_SECONDS
    # One byte over the API's limit: werkzeug refuses a longer Content-Length unread, and
    # api_shapes.request_body refuses a body that reaches this length (a chunked one, cut here).
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES + 1
    app.json.ensure_ascii = False
    schema_ready = False
    if database is None:
        database = Database(db.resolve_database_url(config))
        try:
            # Up to date: one read of the migrations' ledger. Pending and waiting for a lock (a long
            # transaction of someone else's): the supervisor thread carries on with it.
            db.apply_schema(database, deadline_s=STARTUP_MIGRATION_SECONDS)
            schema_ready = True
        except StorageError as exc:
            # Serve anyway (API answers 503); the supervisor applies the schema once it connects.
            logger.warning("database not ready at start: %s", exc)
    app.extensions[EXTENSION] = AppState(config, database, Authenticator(config), schema_ready=schema_ready)
    if config.trusted_proxies:
        # Trust exactly the proxies in front: trusting one more would let a client pick its address.
        # Their X-Forwarded-Proto says whether the browser used HTTPS (the session cookie's Secure).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.trusted_proxies, x_proto=config.trusted_proxies)
    app.register_blueprint(bp)
    app.register_blueprint(insight_api.bp)
    app.register_blueprint(alerts_api.bp)
    app.register_blueprint(projects_api.bp)
    app.register_blueprint(signin.bp)
    app.register_blueprint(access_bp)
    app.before_request(lambda: refuse_unauthorised(app_state().config, app_state().authenticator,
                                                   app_state().database))
    app.after_request(lambda response: audit.record_change(app_state().database, response))
    app.after_request(security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StorageError, _storage_error)
    app.register_error_handler(BadRequest, lambda exc: error_response(str(exc), 400))
    return app


def start_supervisor(app: Flask) -> stats_broadcaster.Broadcaster:
    """Start this process's broadcaster thread (call after forking)."""
    state = app_state(app)
    if state.supervisor is None:
        state.supervisor = stats_broadcaster.Broadcaster(state.config, state.database, schema_ready=state.schema_ready)
    state.supervisor.start()
    return state.supervisor


def stop_supervisor(app: Flask, timeout: float = 8.0) -> None:
    """Stop this process's broadcaster thread and interrupt any pass it runs."""
    supervisor = app_state(app).supervisor
    if supervisor is not None:
        supervisor.stop(timeout)
    lifecycle.interrupt_active_passes()


def _config() -> Config:
    return app_state().config


def _database() -> Database:
    return app_state().database


# --------------------------------------------------------------------------------------------
# Errors


def _http_error(exc: HTTPException):
    response = error_response(http_message(exc.code or 500), exc.code or 500)
    valid_methods = getattr(exc, "valid_methods", None)
    if exc.code == 405 and valid_methods:
        response.headers["Allow"] = ", ".join(valid_methods)  # a 405 must say what is allowed
    return response


def _storage_error(exc: StorageError):
    logger.warning("database error in %s: %s", request.path, exc)
    return error_response("数据库暂时不可用，请稍后重试", 503)


# --------------------------------------------------------------------------------------------
# Answers (the shapes of RUN, TASK and the log rows are api_shapes')

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
RUN_DETAIL = extend(RUN, {"items": described(array(RUN_ITEM), "这一轮每个任务的结果")}, title="RunDetail")
TASK_PAGE = envelope(array(TASK), total=described(INTEGER, "匹配筛选条件的任务数"),
                     counts=described(TASK_COUNTS, "整张表的任务数"), title="TaskPage")
HEALTH = obj({"status": one_of_values(("ok", "unavailable"))}, title="Health")
TASK_NOT_FOUND = "未找到该任务"


# --------------------------------------------------------------------------------------------
# Routes: the page, health, metrics, this API's description


@bp.get("/")
@documented("跳转到管理页面", tag="页面与运维",
            ok={302: Answer("跳转到 /admin", headers={"Location": {"required": True, "schema": STRING}})})
def root():
    """Redirect to the admin page."""
    return redirect(url_for("admin.index"))


@bp.get("/admin")
@documented("管理页面", tag="页面与运维", ok=media_answer("text/html", "管理页面（HTML）"))
def index():
    """The admin page."""
    seconds = _config().broadcast_interval_seconds
    return render_template("admin.html", interval_seconds=seconds, interval_text=interval_text(seconds),
                           signed_in_by_form=g.get("session_token") is not None, stall_days=_config().stall_days)


@bp.get("/healthz")
@documented("健康检查（含数据库），无需认证", tag="页面与运维", public=True,
            ok={200: json_answer(HEALTH, "正常：{\"status\": \"ok\"}"),
                503: json_answer(HEALTH, "数据库不可用：{\"status\": \"unavailable\"}")})
def healthz():
    """Liveness with a database check; no authentication."""
    try:
        _database().check()
    except StorageError:
        return jsonify(shaped(HEALTH, status="unavailable")), 503
    return jsonify(shaped(HEALTH, status="ok"))


@bp.get("/metrics")
@documented("Prometheus 指标（文本格式）", tag="页面与运维", ok=media_answer("text/plain", "Prometheus 文本格式"))
def metrics():
    """Prometheus metrics, read from the database now (every worker answers alike)."""
    return Response(render_metrics(_database(), _config()), content_type=METRICS_CONTENT_TYPE)


@bp.get("/api/openapi.json")
@documented("本接口的 OpenAPI 3.1 文档（含向 X2C 推送的 Webhook）", tag="页面与运维",
            ok=json_answer({"type": "object", "description": "OpenAPI 3.1"}, "OpenAPI 文档"))
def openapi_json():
    """This API's contract, built once per process from the URL map (broadcaster.web.openapi)."""
    state = app_state()
    if state.openapi is None:
        state.openapi = openapi.document(current_app)
    return jsonify(state.openapi)


# --------------------------------------------------------------------------------------------
# Routes: the switch and passes


@bp.post("/api/broadcaster/start")
@documented("打开开关：开始定时回传", tag="开关与回传", ok=json_answer(SWITCH_ANSWER, "已打开，或已在运行中（success 为 false）"))
def start():
    """Switch the service on."""
    if lifecycle.switch_on(_database()):
        interval = interval_text(_config().broadcast_interval_seconds)
        return jsonify(shaped(SWITCH_ANSWER, success=True, message=f"分发数据回传服务已启动，每{interval}自动回传一次"))
    return jsonify(shaped(SWITCH_ANSWER, success=False, message="分发数据回传服务已在运行中"))


@bp.post("/api/broadcaster/stop")
@documented("关闭开关，并中断正在进行的回传", tag="开关与回传",
            ok=json_answer(SWITCH_ANSWER, "已停止，或本来就未运行（success 为 false）"))
def stop():
    """Switch the service off and interrupt a pass in progress."""
    if lifecycle.switch_off(_database()):
        return jsonify(shaped(SWITCH_ANSWER, success=True, message="分发数据回传服务已停止"))
    return jsonify(shaped(SWITCH_ANSWER, success=False, message="分发数据回传服务未运行"))


@bp.get("/api/broadcaster/status")
@documented("开关、下一次回传、正在进行的和上一次的回传", tag="开关与回传", ok=json_answer(envelope(STATUS), "状态"))
def status():
    """The switch, the next slot, the pass in progress and the last finished pass."""
    database = _database()
    interval = _config().broadcast_interval_seconds
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
        stale_warn_hours=_config().stale_warn_hours,
        egresses=egress_status(_config(), database.fetch_all(queries.FETCH_EGRESS_STATUS), state["now"]),
    )
    return jsonify({"success": True, "data": data})


@bp.get("/api/storage")
@documented("数据库各部分的大小，以及按当前任务数和设置估算的稳定后大小", tag="页面与运维",
            ok=json_answer(envelope(storage.STORAGE), "存储空间"))
def storage_size():
    """The database's size by store and its steady-state projection for the current tasks and settings."""
    config = _config()
    facts = planning.load_facts(_database())
    projection = planning.storage_projection(config, facts)
    return jsonify({"success": True, "data": storage.storage_json(
        facts.sizes, projection, tasks=facts.active_tasks, alert_gb=config.alert_database_gb)})


@bp.post("/api/broadcaster/trigger")
@documented("立即回传一轮（不受开关影响），可只回传指定的任务", tag="开关与回传",
            body=TRIGGER_INPUT, body_required=False,
            ok={200: json_answer(envelope(lifecycle.RESULT), "10 秒内完成：这一轮的结果"),
                202: json_answer(envelope(RUN_STARTED), "10 秒内未完成：在后台继续进行")},
            errors={409: "已有一次回传正在进行中"})
def trigger():
    """Run a pass now, whatever the switch, over every active task or the `task_ids` given;
    wait up to 10 s for it."""
    config, database = _config(), _database()
    task_ids = _selected_task_ids(database, trigger_body())
    run_id = lifecycle.claim_run(database, Trigger.MANUAL, task_ids, triggered_by=g.account.name)
    if run_id is None:
        return error_response("已有一次回传正在进行中", 409)
    done = threading.Event()
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["result"] = lifecycle.run_pass_in_subprocess(config, database, run_id)
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


@bp.get("/api/broadcaster/runs")
@documented("最近的回传轮次，最新的在前", tag="开关与回传", query=[IntArg("limit", 50, 1, 500)],
            ok=json_answer(envelope(array(RUN)), "回传轮次"))
def runs(limit: int):
    """Recent passes, newest first."""
    rows = _database().fetch_all(queries.FETCH_RUNS, {"limit": limit})
    return jsonify({"success": True, "data": [run_json(row) for row in rows]})


@bp.get("/api/broadcaster/runs/<int:run_id>")
@documented("一轮回传的详情和每个任务的结果", tag="开关与回传", ok=json_answer(envelope(RUN_DETAIL), "这一轮"),
            errors={404: "未找到该轮回传记录"}, examples={"run_id": 1})
def run_detail(run_id: int):
    """One pass with each task's outcome."""
    database = _database()
    row = database.fetch_one(queries.FETCH_RUN, {"run_id": run_id})
    if row is None:
        return error_response("未找到该轮回传记录", 404)
    items = [log_json(item, RUN_ITEM) for item in database.fetch_all(queries.FETCH_RUN_ITEMS, {"run_id": run_id})]
    return jsonify({"success": True, "data": shaped(RUN_DETAIL, **run_json(row), items=items)})


@bp.get("/api/webhook-logs")
@documented("回传日志：每个任务每轮一行，最新的在前", tag="日志与回调主机",
            query=[*insight_api.LOG_FILTERS, IntArg("limit", 100, 1, 1000)],
            ok=json_answer(envelope(array(LOG_ROW)), "回传日志"))
def webhook_logs(limit: int, **filters):
    """The per-task webhook log, newest first (filters: broadcaster.web.insight_api.LOG_FILTERS)."""
    rows = _database().fetch_all(queries.FETCH_WEBHOOK_LOGS, {**filters, "limit": limit})
    return jsonify({"success": True, "data": [log_json(row) for row in rows]})


# --------------------------------------------------------------------------------------------
# Routes: tasks


@bp.get("/api/tasks")
@documented("任务列表：搜索、筛选、排序和分页（DESIGN §13）", tag="任务", query=[*TASK_FILTERS, *TASK_PAGING],
            ok=json_answer(TASK_PAGE, "这一页的任务，total 为匹配数，counts 为整张表的任务数"))
def list_tasks(**arguments):
    """A page of the tasks matching a search and filters, with the true totals (DESIGN §13)."""
    rows, total, counts = tasklist.list_tasks(_database(), task_list_query(**arguments))
    return jsonify(shaped(TASK_PAGE, success=True, data=[task_json(row) for row in rows], total=total, counts=counts))


@bp.post("/api/tasks")
@documented("注册任务", tag="任务", body=TASK_INPUT, ok={201: json_answer(envelope(TASK), "已注册的任务")})
def create_task():
    """Register a task."""
    fields = validate_task(json_object(), _config(), partial=False)
    fields.setdefault("status", TaskStatus.ACTIVE)
    for optional in ("callback_secret", "project_id", "external_task_id", "duration"):
        fields.setdefault(optional, None)
    database = _database()
    row = database.fetch_one(queries.INSERT_TASK, fields)
    tasklist.fill_link_platforms(database)
    task = database.fetch_one(queries.FETCH_TASK, {"task_id": row["task_id"]})
    return jsonify({"success": True, "data": task_json(task)}), 201


@bp.patch("/api/tasks/<int:task_id>")
@documented("暂停、恢复或修改任务", tag="任务", body=TASK_CHANGES, ok=json_answer(envelope(TASK), "修改后的任务"),
            errors={404: TASK_NOT_FOUND}, examples={"task_id": 1})
def update_task(task_id: int):
    """Pause, resume or edit a task."""
    fields = validate_task(json_object(), _config(), partial=True)
    if not fields:
        raise BadRequest("没有需要修改的字段")
    database = _database()
    count = database.execute(queries.update_task(fields), {**fields, "task_id": task_id})
    if count == 0:
        return error_response(TASK_NOT_FOUND, 404)
    tasklist.fill_link_platforms(database)
    return jsonify({"success": True, "data": task_json(database.fetch_one(queries.FETCH_TASK, {"task_id": task_id}))})


@bp.get("/api/tasks/<int:task_id>/history")
@documented("任务视频的计数走势，最早的在前", tag="任务",
            query=[IntArg("hours", history.DEFAULT_HOURS, 1, history.MAX_HOURS, "最近多少小时")],
            ok=json_answer(envelope(history.HISTORY), "计数走势"), errors={404: TASK_NOT_FOUND},
            examples={"task_id": 1})
def task_history(task_id: int, hours: int):
    """How the task's video counts moved over the last `hours` (default 168), oldest first."""
    data = history.task_history(_database(), task_id, hours)
    if data is None:
        return error_response(TASK_NOT_FOUND, 404)
    return jsonify({"success": True, "data": data})
