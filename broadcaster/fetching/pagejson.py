"""Cut the JSON data out of platform HTML pages and walk it safely."""

from __future__ import annotations

import json
from urllib.parse import unquote

_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


class BrokenJSON(Exception):
    """A data marker is present but the JSON after it is cut or corrupt."""


def _skip_ws(text: str, i: int) -> int:
    """Return the index of the first non-whitespace character at or after ``i``."""
    n = len(text)
    while i < n and text[i] in _WS:
        i += 1
    return i


def _decode_object(text: str, i: int) -> dict:
    """Decode the JSON object starting at ``text[i]``; raise BrokenJSON if it is not one."""
    try:
        obj, _ = _DECODER.raw_decode(text, i)
    except (ValueError, RecursionError):
        raise BrokenJSON from None
    if not isinstance(obj, dict):
        raise BrokenJSON
    return obj


def json_assigned(text: str, marker: str, max_hits: int = 16) -> dict | None:
    """Return the object in ``marker = {...}`` (or ``marker"] = {...}``), None if absent; raise BrokenJSON if cut."""
    # raw_decode from the "{" rather than a regex up to "};": strings inside may contain "};".
    # Mentions of the marker that are not assignments (e.g. "if (window.marker)") are skipped.
    start, broken = 0, False
    for _ in range(max_hits):
        i = text.find(marker, start)
        if i < 0:
            break
        start = i + len(marker)
        j = _skip_ws(text, start)
        if text.startswith('"]', j):
            j = _skip_ws(text, j + 2)
        if not text.startswith("=", j):
            continue
        j = _skip_ws(text, j + 1)
        if not text.startswith("{", j):
            continue
        try:
            return _decode_object(text, j)
        except BrokenJSON:
            broken = True
    if broken:
        raise BrokenJSON
    return None


def json_script(text: str, marker: str) -> dict | None:
    """Return the object inside ``<script marker ...>{...}</script>``; None if the tag is absent."""
    i = text.find(marker)
    if i < 0:
        return None
    gt = text.find(">", i)
    if gt < 0:
        raise BrokenJSON
    j = _skip_ws(text, gt + 1)
    if not text.startswith("{", j):
        raise BrokenJSON
    return _decode_object(text, j)


def json_script_urlencoded(text: str, marker: str, limit: int = 8_000_000) -> dict | None:
    """Return the object in ``<script marker ...>%7B...%7D</script>`` (URL-encoded JSON); None if the tag is absent."""
    i = text.find(marker)
    if i < 0:
        return None
    gt = text.find(">", i)
    end = text.find("</script>", gt, gt + limit) if gt >= 0 else -1
    if end < 0:
        raise BrokenJSON
    raw = text[gt + 1:end].strip()
    try:
        obj = json.loads(unquote(raw, errors="strict"))
    except (ValueError, RecursionError):
        raise BrokenJSON from None
    if not isinstance(obj, dict):
        raise BrokenJSON
    return obj


def dig(obj, *path):
    """Return ``obj[path[0]][path[1]]...`` or None when any step is missing or of the wrong type."""
    for key in path:
        if isinstance(key, int):
            if not isinstance(obj, list) or not -len(obj) <= key < len(obj):
                return None
        elif not isinstance(obj, dict):
            return None
        obj = obj[key] if isinstance(key, int) else obj.get(key)
    return obj


def as_text(html: str | bytes) -> str:
    """Return page text; bytes are decoded as UTF-8 with replacement so bad bytes never crash."""
    if isinstance(html, bytes):
        return html.decode("utf-8", errors="replace")
    return html


def looks_like_html(text: str) -> bool:
    """Return True if the start of ``text`` has HTML markup (a challenge page), not random bytes."""
    head = text[:65536].lower()
    return "<html" in head or "<script" in head or "<!doctype html" in head


def runs_text(node) -> str:
    """Return the text of a YouTube ``{"simpleText": ...}`` or ``{"runs": [...]}`` node."""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    if isinstance(node.get("simpleText"), str):
        return node["simpleText"]
    runs = node.get("runs")
    if isinstance(runs, list):
        return "".join(r.get("text", "") for r in runs if isinstance(r, dict) and isinstance(r.get("text"), str))
    return ""
