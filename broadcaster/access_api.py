"""Routes of access (DESIGN §12): who is signed in (for the page), and the audit trail."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from broadcaster import queries
from broadcaster.accounts import READ_ONLY_MESSAGE
from broadcaster.api_shapes import BadRequest, int_arg, text_arg
from broadcaster.audit import AUDIT_ACTIONS
from broadcaster.clock import isoformat

bp = Blueprint("access", __name__)


@bp.get("/api/me")
def me():
    """The signed-in user and role; `can_change` is false for a viewer, with the reason."""
    account = g.account
    return jsonify({"success": True, "data": {
        "user": account.name, "role": account.role, "can_change": account.may_change,
        "read_only_reason": None if account.may_change else READ_ONLY_MESSAGE}})


@bp.get("/api/audit")
def audit_rows():
    """The audit trail, newest first, filtered by user and action."""
    hours = int_arg("hours", 168, 1, 8760)
    limit = int_arg("limit", 100, 1, 1000)
    user = text_arg("user", 64)
    action = request.args.get("action") or None
    if action is not None and action not in AUDIT_ACTIONS:
        raise BadRequest(f"参数 action 只能是 {'、'.join(AUDIT_ACTIONS)} 之一")
    database = current_app.extensions["broadcaster"]["database"]
    rows = database.fetch_all(queries.FETCH_AUDIT, {"hours": hours, "limit": limit, "user": user, "action": action})
    return jsonify({"success": True, "data": [audit_json(row) for row in rows]})


def audit_json(row: dict) -> dict:
    """ROW of the audit trail."""
    return {"id": row["id"], "at": isoformat(row["at"]), "user": row["user_name"], "role": row["role"],
            "address": row["address"], "action": row["action"], "target": row["target"],
            "detail": row["detail"], "status": row["status"]}
