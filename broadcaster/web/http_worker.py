"""gunicorn's gthread worker, answering the requests it refuses itself in the API's JSON.

gunicorn reads each request before the app sees it and refuses some on its own: a request line
over `limit_request_line` (414: a search with many repeated filters, say), too many or too large
header fields (431), a malformed request line or header (400). Its answer is a small HTML page,
which no client of a JSON API expects. This worker lets gunicorn decide as it always does (the
status, the warning in its log, the access-log line, closing the connection) and replaces only
what goes to the client: `{"success": false, "error": "<中文原因>"}` (docs/http-api.md, docs/http-api.md#the-openapi-document).

The limits stay gunicorn's: they bound what a request may make a worker buffer before anything
could refuse it (`limit_request_line = 0` would let one request line grow without bound in
memory). gunicorn.conf.py selects this worker.
"""

from __future__ import annotations

import http
import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from broadcaster.web.shapes import error_body, http_message

#: gunicorn answers a transfer coding it does not know with 501, as RFC 9112 suggests; for this
#: API it is bad input like any other, and no input may earn a server error (docs/http-api.md#no-input-breaks-it).
CLIENT_STATUS = {501: 400}


class _ErrorPage:
    """Stands in for the client socket while gunicorn writes its error page, and keeps it."""

    def __init__(self):
        self.data = bytearray()

    def gettimeout(self) -> float:
        return 0.0  # non-blocking already: gunicorn writes at once

    def sendall(self, data: bytes) -> None:
        self.data += data


def _status_of(page: bytes) -> int | None:
    """The status of an HTTP answer's first line (`HTTP/1.1 414 URI Too Long`), or None."""
    parts = bytes(page).split(b"\r\n", 1)[0].split(b" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    return int(parts[1])


def json_error_answer(status: int) -> bytes:
    """A whole HTTP/1.1 answer with the API's error body, closing the connection."""
    status = CLIENT_STATUS.get(status, status)
    body = json.dumps(error_body(http_message(status)), ensure_ascii=False).encode("utf-8")
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class JSONErrorWorker(ThreadWorker):
    """gunicorn's gthread worker whose own refusals are the API's JSON errors."""

    def handle_error(self, req, client, addr, exc):
        page = _ErrorPage()
        super().handle_error(req, page, addr, exc)
        status = _status_of(page.data)
        if status is None:
            return
        try:
            util.write_nonblock(client, json_error_answer(status))
        except Exception:  # the client is gone; gunicorn gives up the same way
            self.log.debug("Failed to send error message.")
