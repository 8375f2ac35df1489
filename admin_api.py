"""The admin app: Flask app factory, the admin blueprint, authentication and the JSON API.

The API only writes state (the switch, a manual run) and reads it; scheduled passes are run by
each process's supervisor thread (`stats_broadcaster.Broadcaster`), started after gunicorn
forks (see gunicorn.conf.py), never at import.
"""

from __future__ import annotations

import base64
import hmac
import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

import stats_broadcaster
import video_stats_fetcher as vsf
from broadcaster import db, lifecycle, queries
from broadcaster.clock import interval_text, isoformat
from broadcaster.config import Config, config_from_mapping, load_config
from broadcaster.db import Database
from broadcaster.egress import egress_status
from broadcaster.errors import StorageError
from broadcaster.states import CallbackStatus, RunStatus, TaskStatus, Trigger
from broadcaster.webhooks import CallbackURLError, check_callback_url

logger = logging.getLogger(__name__)

bp = Blueprint("admin", __name__)

TRIGGER_WAIT_SECONDS = 10.0
MAX_REQUEST_BYTES = 1 << 20  # a task is a few KB; larger bodies are refused with 413 unread
PASSWORD_FILE = "admin_password"  # noqa: S105 - a file name, not a password
TASK_STATUSES = tuple(TaskStatus)
MAX_TEXT = {"title": 500, "callback_secret": 512, "project_id": 128}
INT32_MAX = 2**31 - 1

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class BadRequest(Exception):
    """Invalid client input; the message (Chinese) goes back in a 400."""


# --------------------------------------------------------------------------------------------
# App factory


def create_app(config: Config | Mapping[str, Any] | None = None, *, database: Database | None = None) -> Flask:
    """Build the admin app. `config` is a Config, a mapping of settings, or None for the environment."""
    if config is None:
        config = load_config()
    elif not isinstance(config, Config):
        config = config_from_mapping({key: str(value) for key, value in config.items()})
    config = ensure_admin_credentials(config)
    app = Flask(__name__, instance_path=config.instance_path)
    app.config["TRIGGER_WAIT_SECONDS"] = TRIGGER_WAIT_SECONDS
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    if database is None:
        database = Database(db.resolve_database_url(config))
        try:
            db.apply_schema(database)
        except StorageError as exc:
            # Serve anyway (API answers 503); the supervisor applies the schema once it connects.
            logger.warning("database not ready at start: %s", exc)
    app.extensions["broadcaster"] = {"config": config, "database": database, "supervisor": None}
    app.register_blueprint(bp)
    app.before_request(_authenticate)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StorageError, _storage_error)
    app.register_error_handler(BadRequest, lambda exc: _error(str(exc), 400))
    return app


def start_supervisor(app: Flask) -> stats_broadcaster.Broadcaster:
    """Start this process's broadcaster thread (call after forking)."""
    state = app.extensions["broadcaster"]
    if state["supervisor"] is None:
        state["supervisor"] = stats_broadcaster.Broadcaster(state["config"], state["database"])
    state["supervisor"].start()
    return state["supervisor"]


def stop_supervisor(app: Flask, timeout: float = 8.0) -> None:
    """Stop this process's broadcaster thread and interrupt any pass it runs."""
    supervisor = app.extensions["broadcaster"]["supervisor"]
    if supervisor is not None:
        supervisor.stop(timeout)
    lifecycle.interrupt_active_passes()


def ensure_admin_credentials(config: Config) -> Config:
    """With no password and no token configured, generate a password once under instance/."""
    if config.admin_password or config.admin_token:
        return config
    instance = Path(config.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / PASSWORD_FILE
    if not path.exists():
        password = secrets.token_urlsafe(18)
        # mkstemp creates the file 0600 with a unique name, so the password is never readable
        # by others, not even between writing it and a chmod.
        handle, temp_name = tempfile.mkstemp(prefix=f".{PASSWORD_FILE}.", dir=instance)
        temp = Path(temp_name)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(password + "\n")
        try:
            # link() is atomic and fails if the file exists: of several workers starting
            # together exactly one creates the password, and only it prints it.
            os.link(temp, path)
            print(
                f"已生成管理员密码（仅显示一次）: 用户名 {config.admin_username} 密码 {password}\n"
                f"密码保存在 {path}",
                flush=True,
            )
        except FileExistsError:
            pass
        finally:
            temp.unlink(missing_ok=True)
    return config.replace(admin_password=path.read_text(encoding="utf-8").strip())


def _state() -> dict:
    return current_app.extensions["broadcaster"]


def _config() -> Config:
    return _state()["config"]


def _database() -> Database:
    return _state()["database"]


# --------------------------------------------------------------------------------------------
# Authentication, cross-site checks, headers, errors


def _is_public_path(path: str) -> bool:
    return path == "/healthz" or path.startswith("/static/")


def _credentials_ok(header: str, config: Config) -> bool:
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer" and config.admin_token:
        return hmac.compare_digest(value.strip().encode(), config.admin_token.encode())
    if scheme == "basic" and config.admin_password:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except ValueError:  # bad base64 (binascii.Error), non-ASCII header text, non-UTF-8 bytes
            return False
        username, sep, password = decoded.partition(":")
        if not sep:
            return False
        user_ok = hmac.compare_digest(username.encode(), config.admin_username.encode())
        password_ok = hmac.compare_digest(password.encode(), config.admin_password.encode())
        return user_ok and password_ok
    return False


def _authenticate():
    if _is_public_path(request.path):
        return None
    if not _credentials_ok(request.headers.get("Authorization", ""), _config()):
        response = _error("需要登录：请提供正确的用户名和密码", 401)
        if not request.path.startswith("/api/"):
            response.headers["WWW-Authenticate"] = 'Basic realm="Stats Broadcaster", charset="UTF-8"'
        return response
    if request.method not in ("GET", "HEAD", "OPTIONS") and _is_cross_site():
        return _error("拒绝跨站请求", 403)
    return None


def _is_cross_site() -> bool:
    """True when a browser says the request came from another site."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return False  # an API client (curl, scripts): no browser, no cross-site risk
    if source == "null":
        return True  # an opaque origin (sandboxed frame, file:) is never our page
    try:
        origin_host = urlsplit(source).netloc.lower()
    except ValueError:
        return True
    return origin_host != request.host.lower()


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.path.startswith("/api/") or request.path == "/admin":
        response.headers["Cache-Control"] = "no-store"
    return response


def _error(message: str, status: int):
    # A message may echo client input (a field name); an unpaired surrogate in it would make
    # the JSON answer unencodable.
    message = message.encode("utf-8", "replace").decode("utf-8")
    response = jsonify({"success": False, "error": message})
    response.status_code = status
    return response


_HTTP_MESSAGES = {
    400: "请求格式不正确",
    404: "未找到该地址",
    405: "不支持该请求方法",
    413: "请求体过大",
    415: "请求体必须是 JSON",
}


def _http_error(exc: HTTPException):
    response = _error(_HTTP_MESSAGES.get(exc.code or 500, exc.name), exc.code or 500)
    valid_methods = getattr(exc, "valid_methods", None)
    if exc.code == 405 and valid_methods:
        response.headers["Allow"] = ", ".join(valid_methods)  # a 405 must say what is allowed
    return response


def _storage_error(exc: StorageError):
    logger.warning("database error in %s: %s", request.path, exc)
    return _error("数据库暂时不可用，请稍后重试", 503)


# --------------------------------------------------------------------------------------------
# JSON shapes


def run_json(row: dict | None) -> dict | None:
    """RUN of DESIGN.md §6."""
    if row is None:
        return None
    return {
        "id": row["id"],
        "trigger": row["trigger"],
        "scope": row["scope"],
        "status": row["status"],
        "started_at": isoformat(row["started_at"]),
        "finished_at": isoformat(row["finished_at"]),
        "total": row["total"],
        "done": row["done"],
        "success_count": row["success_count"],
        "failed_count": row["failed_count"],
        "error": row.get("error"),
        "freshness": row.get("freshness"),
    }


def task_json(row: dict) -> dict:
    """TASK: a task with its latest counts and delivery status; never its secret."""
    data = {key: row[key] for key in (
        "task_id", "external_task_id", "project_id", "title", "status", "video_url", "platform",
        "duration", "callback_url", "has_callback_secret", "callback_status", "callback_retry_count",
        "view_count", "like_count", "stats_status", "stats_reason",
    )}
    data["callback_last_attempt"] = isoformat(row["callback_last_attempt"])
    data["created_at"] = isoformat(row["created_at"])
    data["stats_fetched_at"] = isoformat(row["stats_fetched_at"])
    return data


def log_json(row: dict) -> dict:
    """One webhook log row."""
    data = dict(row)
    data["created_at"] = isoformat(row["created_at"])
    return data


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"参数 {name} 必须是整数") from None
    if not low <= value <= high:
        raise BadRequest(f"参数 {name} 必须在 {low}–{high} 之间")
    return value


# --------------------------------------------------------------------------------------------
# Routes


@bp.get("/")
def root():
    """Redirect to the admin page."""
    return redirect(url_for("admin.index"))


@bp.get("/admin")
def index():
    """The admin page."""
    seconds = _config().broadcast_interval_seconds
    return render_template("admin.html", interval_seconds=seconds, interval_text=interval_text(seconds))


@bp.get("/healthz")
def healthz():
    """Liveness with a database check; no authentication."""
    try:
        _database().check()
    except StorageError:
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})


@bp.post("/api/broadcaster/start")
def start():
    """Switch the service on."""
    if lifecycle.switch_on(_database()):
        interval = interval_text(_config().broadcast_interval_seconds)
        return jsonify({"success": True, "message": f"分发数据回传服务已启动，每{interval}自动回传一次"})
    return jsonify({"success": False, "message": "分发数据回传服务已在运行中"})


@bp.post("/api/broadcaster/stop")
def stop():
    """Switch the service off and interrupt a pass in progress."""
    if lifecycle.switch_off(_database()):
        return jsonify({"success": True, "message": "分发数据回传服务已停止"})
    return jsonify({"success": False, "message": "分发数据回传服务未运行"})


@bp.get("/api/broadcaster/status")
def status():
    """The switch, the next slot, the pass in progress and the last finished pass."""
    database = _database()
    interval = _config().broadcast_interval_seconds
    state = database.fetch_one(queries.FETCH_STATE)
    due = database.fetch_one(queries.NEXT_DUE, {"interval": interval})
    data = {
        "running": bool(state["enabled"]),
        "interval_seconds": interval,
        "next_run_at": isoformat(due["due"]) if due else None,
        "current_run": run_json(database.fetch_one(queries.FETCH_CURRENT_RUN)),
        "last_run": run_json(database.fetch_one(queries.FETCH_LAST_FINISHED_RUN)),
        "timestamp": isoformat(state["now"]),
        "stale_warn_hours": _config().stale_warn_hours,
        "egresses": egress_status(_config(), database.fetch_all(queries.FETCH_EGRESS_STATUS), state["now"]),
    }
    return jsonify({"success": True, "data": data})


@bp.post("/api/broadcaster/trigger")
def trigger():
    """Run a pass now, whatever the switch; wait up to 10 s for it."""
    config, database = _config(), _database()
    run_id = lifecycle.claim_run(database, Trigger.MANUAL)
    if run_id is None:
        return _error("已有一次回传正在进行中", 409)
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
    return jsonify({"success": True, "data": {"run_id": run_id, "status": RunStatus.RUNNING}}), 202


@bp.get("/api/broadcaster/runs")
def runs():
    """Recent passes, newest first."""
    limit = _int_arg("limit", 50, 1, 500)
    rows = _database().fetch_all(queries.FETCH_RUNS, {"limit": limit})
    return jsonify({"success": True, "data": [run_json(row) for row in rows]})


@bp.get("/api/broadcaster/runs/<int:run_id>")
def run_detail(run_id: int):
    """One pass with each task's outcome."""
    database = _database()
    row = database.fetch_one(queries.FETCH_RUN, {"run_id": run_id})
    if row is None:
        return _error("未找到该轮回传记录", 404)
    data = run_json(row)
    data["items"] = [log_json(item) for item in database.fetch_all(queries.FETCH_RUN_ITEMS, {"run_id": run_id})]
    return jsonify({"success": True, "data": data})


@bp.get("/api/webhook-logs")
def webhook_logs():
    """The per-task webhook log, newest first."""
    hours = _int_arg("hours", 24, 1, 24 * 90)
    limit = _int_arg("limit", 100, 1, 1000)
    status_filter = request.args.get("status") or None
    if status_filter not in (None, CallbackStatus.SUCCESS, CallbackStatus.FAILED):
        raise BadRequest("参数 status 只能是 success 或 failed")
    rows = _database().fetch_all(queries.FETCH_WEBHOOK_LOGS, {"hours": hours, "limit": limit, "status": status_filter})
    return jsonify({"success": True, "data": [log_json(row) for row in rows]})


@bp.get("/api/tasks")
def list_tasks():
    """Tasks with their latest counts and delivery status."""
    limit = _int_arg("limit", 200, 1, 1000)
    offset = _int_arg("offset", 0, 0, 10_000_000)
    status_filter = request.args.get("status") or None
    if status_filter is not None and len(status_filter) > 32:
        raise BadRequest("参数 status 过长")
    if status_filter is not None and "\x00" in status_filter:
        raise BadRequest("参数 status 含有非法字符")  # PostgreSQL text cannot hold NUL: a 500 otherwise
    rows = _database().fetch_all(queries.FETCH_TASKS, {"status": status_filter, "limit": limit, "offset": offset})
    return jsonify({"success": True, "data": [task_json(row) for row in rows]})


@bp.post("/api/tasks")
def create_task():
    """Register a task."""
    fields = validate_task(_json_object(), _config(), partial=False)
    fields.setdefault("status", TaskStatus.ACTIVE)
    for optional in ("callback_secret", "project_id", "external_task_id", "duration"):
        fields.setdefault(optional, None)
    database = _database()
    row = database.fetch_one(queries.INSERT_TASK, fields)
    task = database.fetch_one(queries.FETCH_TASK, {"task_id": row["task_id"]})
    return jsonify({"success": True, "data": task_json(task)}), 201


@bp.patch("/api/tasks/<int:task_id>")
def update_task(task_id: int):
    """Pause, resume or edit a task."""
    fields = validate_task(_json_object(), _config(), partial=True)
    if not fields:
        raise BadRequest("没有需要修改的字段")
    database = _database()
    count = database.execute(queries.update_task(fields), {**fields, "task_id": task_id})
    if count == 0:
        return _error("未找到该任务", 404)
    return jsonify({"success": True, "data": task_json(database.fetch_one(queries.FETCH_TASK, {"task_id": task_id}))})


def _json_object() -> dict:
    try:
        data = request.get_json(silent=True, force=True)
    except RecursionError:  # json.loads gives up on deep nesting with this, not a ValueError
        data = None
    if not isinstance(data, dict):
        raise BadRequest("请求体必须是 JSON 对象")
    return data


def validate_task(data: dict, config: Config, *, partial: bool) -> dict:
    """Check a task's fields; return the clean values or raise BadRequest with the reason."""
    allowed = {"title", "video_url", "callback_url", "callback_secret", "project_id", "external_task_id",
               "duration", "status"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise BadRequest(f"未知字段：{', '.join(unknown)}")
    if not partial:
        missing = [name for name in ("title", "video_url", "callback_url") if data.get(name) in (None, "")]
        if missing:
            raise BadRequest(f"缺少必填字段：{', '.join(missing)}")
    clean: dict[str, Any] = {}
    for name in ("title", "callback_secret", "project_id"):
        if name in data:
            clean[name] = _text_field(name, data[name], required=name == "title")
    if "video_url" in data:
        value = _text_field("video_url", data["video_url"], required=True, limit=2048)
        try:
            vsf.parse_video_url(value)
        except vsf.InvalidVideoURL as exc:
            raise BadRequest(f"video_url 无效：{exc}") from None
        clean["video_url"] = value
    if "callback_url" in data:
        if isinstance(data["callback_url"], str):
            _check_characters("callback_url", data["callback_url"])
        try:
            clean["callback_url"] = check_callback_url(
                data["callback_url"], allow_private=config.webhook_allow_private_networks
            )
        except CallbackURLError as exc:
            raise BadRequest(f"callback_url 无效：{exc}") from None
    if "external_task_id" in data:
        clean["external_task_id"] = _int_field("external_task_id", data["external_task_id"], 0, INT32_MAX)
    if "duration" in data:
        clean["duration"] = _int_field("duration", data["duration"], 0, 36500)
    if "status" in data:
        if data["status"] not in TASK_STATUSES:
            raise BadRequest(f"status 只能是 {' / '.join(TASK_STATUSES)}")
        clean["status"] = data["status"]
    return clean


def _text_field(name: str, value: Any, *, required: bool, limit: int | None = None) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{name} 必须是字符串")
    value = value.strip()
    if required and not value:
        raise BadRequest(f"{name} 不能为空")
    limit = limit or MAX_TEXT.get(name, 500)
    if len(value) > limit:
        raise BadRequest(f"{name} 过长（最多 {limit} 个字符）")
    _check_characters(name, value)
    return value or None


def _check_characters(name: str, value: str) -> None:
    # PostgreSQL text cannot hold NUL, and an unpaired surrogate (valid JSON: "\ud800") cannot
    # be encoded as UTF-8; the driver would fail on either with a 500.
    if "\x00" in value or not _encodable(value):
        raise BadRequest(f"{name} 含有非法字符")


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _int_field(name: str, value: Any, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} 必须是整数")
    if not low <= value <= high:
        raise BadRequest(f"{name} 必须在 {low}–{high} 之间")
    return value
