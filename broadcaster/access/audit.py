"""The audit trail (docs/access.md#audit): who changed what, from where, and what they were answered.

One after_request hook (`record_change`) writes a row for every request that is not a read,
under the action its view names where its route is declared (`@audited(START)`), whatever it
was answered: a refused change (403, 400, 409) is recorded too. What changed is kept as
`{"changes": {field: [before, after]}}`, read before the view runs (`remember_before`, called
by the auth hook once the request may go on) and after it. Secrets
never get in: a task's callback secret is only ever "set" or "changed", and a URL loses its
user:password part.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, g, request
from werkzeug.exceptions import HTTPException

from broadcaster.access.accounts import SAFE_METHODS
from broadcaster.core.errors import StorageError
from broadcaster.storage import queries
from broadcaster.storage.db import Database
from broadcaster.web.inputs import BadRequest, json_object
from broadcaster.web.shapes import task_json

logger = logging.getLogger(__name__)

START, STOP, TRIGGER = "start", "stop", "trigger"
TASK_CREATE, TASK_UPDATE, ALERT_TEST, LOGIN_BLOCKED = "task_create", "task_update", "alert_test", "login_blocked"
LOGIN, LOGOUT, DIGEST_TEST = "login", "logout", "digest_test"
AUDIT_ACTIONS = (START, STOP, TRIGGER, TASK_CREATE, TASK_UPDATE, ALERT_TEST, DIGEST_TEST, LOGIN, LOGOUT, LOGIN_BLOCKED)

#: Where `audited` keeps a view's action.
ACTION_ATTRIBUTE = "audit_action"
#: What an audit row shows of a task (TASK without counts and delivery state).
TASK_FIELDS = ("title", "status", "video_url", "callback_url", "project_id", "external_task_id", "duration",
               "has_callback_secret")
SECRET_SET, SECRET_CHANGED = "已设置", "已更改"


def audited(action: str) -> Callable:
    """Name the audit action of a state-changing view; put it right under its route.

    A view without one is still recorded (under its endpoint name); tests/unit/test_access.py walks
    the URL map so that a new route is given its proper action. (POST /login's rows are written
    by the form itself, `record_sign_in`: nobody is signed in yet when the hook runs.)
    """

    def decorate(view: Callable) -> Callable:
        setattr(view, ACTION_ATTRIBUTE, action)
        return view

    return decorate


def declared_actions(app: Flask) -> dict[tuple[str, str], str]:
    """{(method, URL rule): action} of every state-changing route whose view names its action."""
    actions = {}
    for rule in app.url_map.iter_rules():
        action = getattr(app.view_functions.get(rule.endpoint), ACTION_ATTRIBUTE, None)
        if action is not None:
            actions.update({(method, rule.rule): action for method in set(rule.methods or ()) - set(SAFE_METHODS)})
    return actions


def route_action() -> str | None:
    """The audit action of the current request; None for a read."""
    if request.method in SAFE_METHODS:
        return None
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, ACTION_ATTRIBUTE, None) or request.endpoint or rule


def remember_before(database: Database) -> None:
    """Read what the current change may change, before the view runs."""
    g.audit_before = _snapshot(database, route_action())


def record_change(database: Database, response):
    """after_request: one audit row for a state-changing request by a signed-in user."""
    account = g.get("account")
    action = route_action()
    if account is None or action is None or request.url_rule is None:
        return response  # reads, and requests refused before anyone signed in (401, 429)
    try:
        before = g.get("audit_before")
        body = _response_body(response)
        if before is None or response.status_code >= 400:
            after = before
        elif action == TASK_UPDATE and body.get("data"):
            after = _task_fields(body["data"])  # the answer is the task as saved: no second read
        else:
            after = _snapshot(database, action)
        detail = _detail(action, before, after, body)
        _insert(database, user=account.name, role=account.role, action=action,
                target=_target(action, body), detail=detail, status=response.status_code)
    except StorageError as exc:
        logger.warning("audit row not written for %s %s: %s", request.method, request.path, exc)
    except Exception:  # noqa: BLE001 - the change is made: its answer must not become a 500
        logger.exception("audit row not written for %s %s", request.method, request.path)
    return response


def record_login_block(database: Database, address: str, user: str | None, role: str | None, seconds: int) -> None:
    """The row of a client address blocked after too many failed logins (user: a known name tried)."""
    try:
        _insert(database, user=user, role=role, action=LOGIN_BLOCKED, target=address,
                detail={"blocked_seconds": seconds}, status=429)
    except StorageError as exc:
        logger.warning("audit row not written for the block of %s: %s", address, exc)


def record_sign_in(database: Database, *, user: str | None, role: str | None, status: int,
                   error: str | None = None) -> None:
    """The row of a sign-in through the form (303), or of a refused one (user: a known name tried)."""
    try:
        _insert(database, user=user, role=role, action=LOGIN, target="session",
                detail={"error": error} if error else {}, status=status)
    except StorageError as exc:
        logger.warning("audit row not written for a sign-in from %s: %s", request.remote_addr, exc)


def _insert(database: Database, **row) -> None:
    row["address"] = request.remote_addr
    if row["detail"] is not None:
        # Text from a refused request may hold lone surrogates, which neither UTF-8 nor JSONB takes.
        text = json.dumps(row["detail"], ensure_ascii=False)
        row["detail"] = text.encode("utf-8", "replace").decode("utf-8")
    database.execute(queries.INSERT_AUDIT, row)


def _snapshot(database: Database, action: str | None) -> dict | None:
    """The state an action changes: the switch, or the task edited."""
    if action in (START, STOP):
        return {"running": bool(database.fetch_one(queries.FETCH_STATE)["enabled"])}
    if action == TASK_UPDATE:
        row = database.fetch_one(queries.FETCH_TASK, {"task_id": request.view_args.get("task_id")})
        return _task_fields(task_json(row)) if row else None
    return None


def _task_fields(task: dict) -> dict:
    fields = {name: task.get(name) for name in TASK_FIELDS}
    fields["callback_url"] = without_credentials(fields["callback_url"])
    fields["video_url"] = without_credentials(fields["video_url"])
    return fields


def _detail(action: str, before: dict | None, after: dict | None, body: dict) -> dict:
    detail: dict = {}
    if action == TASK_CREATE and body.get("success"):
        before, after = {}, _task_fields(body.get("data") or {})
    if after is not None:
        changes = {name: [(before or {}).get(name), value] for name, value in after.items()
                   if (before or {}).get(name) != value}
        sent = _sent_json()
        if action == TASK_UPDATE and sent.get("callback_secret") and before:
            # The secret itself is never read back: say that it changed, not what it is.
            changes["callback_secret"] = [SECRET_SET if before.get("has_callback_secret") else None, SECRET_CHANGED]
            changes.pop("has_callback_secret", None)
        detail["changes"] = changes
    if action == TRIGGER:
        task_ids = _sent_json().get("task_ids")
        # Only a list of numbers is kept: anything else was refused, and the error says why.
        detail["task_ids"] = task_ids if isinstance(task_ids, list) and all(
            isinstance(task_id, int) for task_id in task_ids[:1000]) else None
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        if data.get("run_id") is not None:
            detail["run_id"] = data["run_id"]
    if not body.get("success", True) or body.get("error"):
        detail["error"] = body.get("error") or body.get("message")
    elif body.get("message"):
        detail["message"] = body["message"]
    return detail


def _sent_json() -> dict:
    """The request's JSON object; empty when there is none or its body was refused unread (413)."""
    try:
        return json_object()  # as the views read it, within the same size limit
    except (BadRequest, HTTPException):
        return {}


def _target(action: str, body: dict) -> str | None:
    if action in (START, STOP):
        return "service"
    if action in (LOGIN, LOGOUT):
        return "session"
    if action == TASK_UPDATE:
        return f"task:{request.view_args.get('task_id')}"
    if action == TASK_CREATE:
        task_id = (body.get("data") or {}).get("task_id") if body.get("success") else None
        return f"task:{task_id}" if task_id is not None else "task"
    if action == TRIGGER:
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        run_id = data.get("run_id", data.get("id"))
        return f"run:{run_id}" if run_id is not None else "run"
    return request.path


def _response_body(response) -> dict:
    if response.is_json and not response.direct_passthrough:
        body = response.get_json(silent=True)
        if isinstance(body, dict):
            return body
    return {}


def without_credentials(url: str | None) -> str | None:
    """A URL without its user:password part."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, "***@" + netloc, parts.path, parts.query, parts.fragment))
    except ValueError:
        return "（无法解析的地址）"
