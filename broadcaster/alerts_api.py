"""GET /api/alerts, POST /api/alerts/test (DESIGN §11), GET /api/digest and POST /api/digest/test (§17), in
their own blueprint.

Authentication is the app's before_request hook, which covers every blueprint.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from broadcaster import notifier, queries
from broadcaster.api_shapes import error_response
from broadcaster.channels import mask_channel
from broadcaster.clock import isoformat

bp = Blueprint("alerts", __name__)

#: The page shows this many of the last 7 days' events.
RECENT_EVENTS = 50


def _state() -> dict:
    return current_app.extensions["broadcaster"]


def alert_json(row: dict) -> dict:
    """ALERT of DESIGN §11."""
    return {"key": row["key"], "summary": row["summary"], "since": isoformat(row["since"]),
            "last_sent_at": isoformat(row["last_sent_at"])}


def event_json(row: dict) -> dict:
    """EVENT of DESIGN §11 (`sent`/`failed` are null while the message is still being sent)."""
    return {"at": isoformat(row["at"]), "key": row["key"], "kind": row["kind"], "summary": row["summary"],
            "sent": row["sent"], "failed": row["failed"], "error": row["error"]}


@bp.get("/api/alerts")
def alerts():
    """The channels (masked), what fires now and since when, the last 7 days' events."""
    config, database = _state()["config"], _state()["database"]
    firing = database.fetch_all(queries.FETCH_FIRING_ALERTS)
    recent = database.fetch_all(queries.FETCH_ALERT_EVENTS, {"limit": RECENT_EVENTS})
    return jsonify({"success": True, "data": {
        "channels": [mask_channel(url) for url in config.alert_urls],
        "firing": [alert_json(row) for row in firing],
        "recent": [event_json(row) for row in recent],
    }})


@bp.get("/api/digest")
def digest_state():
    """The daily digest: its time (DIGEST_AT, Beijing) and how the last one went (the 告警 card shows both)."""
    config, database = _state()["config"], _state()["database"]
    last = database.fetch_one(queries.FETCH_LAST_DIGEST)
    return jsonify({"success": True, "data": {"at": config.digest_at, "last": digest_json(last) if last else None}})


def digest_json(row: dict) -> dict:
    """The last daily digest: its Beijing day, when it was sent, and how many channels took it."""
    return {"day": row["day"].isoformat(), "sent_at": isoformat(row["finished_at"] or row["claimed_at"]),
            "sent": row["sent"], "failed": row["failed"], "error": row["error"]}


@bp.post("/api/alerts/test")
def send_test():
    """A test message to every channel; each channel's result."""
    return _send_to_channels(notifier.send_test_alert)


@bp.post("/api/digest/test")
def send_test_digest():
    """The daily digest now, to every channel (operators only: the auth hook); each channel's result."""
    return _send_to_channels(notifier.send_test_digest)


def _send_to_channels(send):
    config, database = _state()["config"], _state()["database"]
    if not config.alert_urls:
        return error_response("未配置告警渠道：请先设置 ALERT_URLS", 400)
    results = send(config, database)
    return jsonify({"success": all(result.ok for result in results),
                    "data": [{"channel": result.channel, "ok": result.ok, "error": result.error}
                             for result in results]})
