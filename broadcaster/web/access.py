"""Routes of access (docs/access.md): who is signed in (for the page), and the audit trail."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from broadcaster.access.accounts import READ_ONLY_MESSAGE, ROLES
from broadcaster.access.audit import AUDIT_ACTIONS
from broadcaster.core.json_schema import (
    ANY,
    BOOLEAN,
    INTEGER,
    STRING,
    TIME,
    array,
    described,
    nullable,
    obj,
    one_of_values,
    project,
    shaped,
)
from broadcaster.storage import queries
from broadcaster.web.inputs import ChoiceArg, IntArg, TextArg
from broadcaster.web.openapi import documented, envelope, json_answer
from broadcaster.web.state import app_state

bp = Blueprint("access", __name__)

ME = obj({
    "user": STRING,
    "role": one_of_values(ROLES, "operator 操作员 / viewer 只读"),
    "can_change": BOOLEAN,
    "read_only_reason": described(nullable(STRING), "只读账号时为不能修改的原因"),
}, title="Me")
AUDIT_ROW = obj({
    "id": INTEGER,
    "at": TIME,
    "user": nullable(STRING),
    "role": nullable(STRING),
    "address": nullable(STRING),
    "action": described(STRING, "、".join(AUDIT_ACTIONS)),
    "target": nullable(STRING),
    "detail": described(ANY, "改了什么（修改前 → 修改后），从不含密钥"),
    "status": described(nullable(INTEGER), "应答的 HTTP 状态码"),
}, title="AuditRow", description="操作记录的一行")
AUDIT_FILTERS = (
    IntArg("hours", 168, 1, 8760, "最近多少小时"),
    IntArg("limit", 100, 1, 1000),
    TextArg("user", 64, "用户名"),
    ChoiceArg("action", AUDIT_ACTIONS),
)


@bp.get("/api/me")
@documented("当前登录的用户和角色", tag="账号与操作记录", ok=json_answer(envelope(ME), "当前用户"))
def me():
    """The signed-in user and role; `can_change` is false for a viewer, with the reason."""
    account = g.account
    return jsonify({"success": True, "data": shaped(
        ME, user=account.name, role=account.role, can_change=account.may_change,
        read_only_reason=None if account.may_change else READ_ONLY_MESSAGE)})


@bp.get("/api/audit")
@documented("操作记录，最新的在前", tag="账号与操作记录", query=AUDIT_FILTERS,
            ok=json_answer(envelope(array(AUDIT_ROW)), "操作记录"))
def audit_rows(hours: int, limit: int, user: str | None, action: str | None):
    """The audit trail, newest first, filtered by user and action."""
    database = app_state().database
    rows = database.fetch_all(queries.FETCH_AUDIT, {"hours": hours, "limit": limit, "user": user, "action": action})
    return jsonify({"success": True, "data": [audit_json(row) for row in rows]})


def audit_json(row: dict) -> dict:
    """ROW of the audit trail."""
    return project(AUDIT_ROW, row, user=row["user_name"])
