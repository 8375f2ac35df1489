"""The control API (``/_control/...``) through which another process drives a fake upstream.

The benchmark runs ``python -m fakes.upstream`` in a child process and uses these routes to add
videos and receivers, change the latency, read the counters and page through the webhooks::

    POST /_control/videos      [{"platform": ..., "id": ..., "views": ..., ...}, ...]
    POST /_control/receivers   [{"name": ..., "behaviour": ..., "secret": ...}, ...]
    POST /_control/latency     {"latency": 0.1}
    GET  /_control/stats
    GET  /_control/received?name=N&offset=O&limit=L
    POST /_control/reset       counters and recorded webhooks
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from fakes.replies import NOT_FOUND, Reply, json_reply

if TYPE_CHECKING:
    from fakes.upstream import FakeUpstream


def control_reply(fake: FakeUpstream, method: str, path: str, query: str, body: bytes, client_ip: str) -> Reply:
    """Answer one control request to ``fake``; only loopback clients may drive it."""
    if not (client_ip.startswith("127.") or client_ip == "::1"):
        return json_reply(403, {"error": "control API is for loopback clients only"})
    try:
        route = (method, path.rstrip("/"))
        if route == ("POST", "/videos"):
            return json_reply(200, {"ok": True, "count": fake.add_videos(_json_list(body))})
        if route == ("POST", "/receivers"):
            items = _json_list(body)
            for item in items:
                fake.set_receiver(**item)
            return json_reply(200, {"ok": True, "count": len(items)})
        if route == ("POST", "/latency"):
            fake.latency = float(json.loads(body)["latency"])
            return json_reply(200, {"ok": True, "latency": fake.latency})
        if route == ("GET", "/stats"):
            return json_reply(200, fake.stats())
        if route == ("GET", "/received"):
            return json_reply(200, _received_page(fake, parse_qs(query)))
        if route == ("POST", "/reset"):
            fake.reset_counters()
            fake.clear_received()
            return json_reply(200, {"ok": True})
        return NOT_FOUND
    except (ValueError, TypeError, KeyError) as error:
        return json_reply(400, {"error": f"{type(error).__name__}: {error}"})


def _received_page(fake: FakeUpstream, params: dict) -> list[dict]:
    """Return recorded webhooks as JSON dicts, filtered by name and sliced by offset/limit."""
    name = (params.get("name") or [None])[0]
    offset = int((params.get("offset") or ["0"])[0])
    limit = int((params.get("limit") or ["0"])[0]) or None
    records = fake.received(name)[offset:]
    return [r.to_dict() for r in records[:limit]]


def _json_list(body: bytes) -> list:
    """Parse a request body that must be a JSON list."""
    items = json.loads(body or b"[]")
    if not isinstance(items, list):
        raise ValueError("expected a JSON list")
    return items
