"""The fake upstream's HTTP side: connections, a lean request parser, replies written whole,
trickled or never, and counters of the traffic.

Nothing here decides what to answer: the server is handed the callables that do.
"""

from __future__ import annotations

import socket
import sys
import threading
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fakes.replies import HANG, NOT_FOUND, TRICKLE, Reply

PREFIXES = ("yt-api", "yt", "tt", "dy", "tikhub", "x2c")
TRICKLE_INTERVAL = 0.5


class Headers(dict):
    """A header dict with lower-case keys whose lookups ignore case."""

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: str | None = None) -> str | None:
        return super().get(key.lower(), default)


# (prefix, method, path, query, headers, body) -> the reply to an upstream request
Answer = Callable[[str, str, str, str, Headers, bytes], Reply]
# (method, path, query, body, client ip) -> the reply to a control request
Control = Callable[[str, str, str, bytes, str], Reply]


class Traffic:
    """Requests per path prefix (counted, in flight, peak) and connections, for tests and the benchmark."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(PREFIXES, 0)
        self._in_flight = dict.fromkeys(PREFIXES, 0)
        self._peaks = dict.fromkeys(PREFIXES, 0)
        self._connections_accepted = 0
        self._open: set[socket.socket] = set()

    def track(self, sock: socket.socket) -> None:
        """Count a new connection and keep it until it closes."""
        with self._lock:
            self._open.add(sock)
            self._connections_accepted += 1

    def untrack(self, sock: socket.socket) -> None:
        """Forget a closed connection."""
        with self._lock:
            self._open.discard(sock)

    def open_connections(self) -> list[socket.socket]:
        """Return the connections open now."""
        with self._lock:
            return list(self._open)

    def enter(self, prefix: str) -> None:
        """Count a request that starts being answered."""
        with self._lock:
            self._counts[prefix] += 1
            self._in_flight[prefix] += 1
            self._peaks[prefix] = max(self._peaks[prefix], self._in_flight[prefix])

    def leave(self, prefix: str) -> None:
        """Note that a request was answered (or given up)."""
        with self._lock:
            self._in_flight[prefix] -= 1

    def counts(self) -> dict[str, int]:
        """Return the requests seen per prefix since the last reset."""
        with self._lock:
            return dict(self._counts)

    def peaks(self) -> dict[str, int]:
        """Return the most requests in flight at once per prefix since the last reset."""
        with self._lock:
            return dict(self._peaks)

    def in_flight(self) -> dict[str, int]:
        """Return the requests being answered right now per prefix."""
        with self._lock:
            return dict(self._in_flight)

    def connections_accepted(self) -> int:
        """Return how many connections were accepted since the last reset."""
        with self._lock:
            return self._connections_accepted

    def reset(self) -> None:
        """Zero the request counts; peaks restart from what is in flight now."""
        with self._lock:
            self._counts = dict.fromkeys(PREFIXES, 0)
            self._peaks = dict(self._in_flight)
            self._connections_accepted = 0


class UpstreamServer(ThreadingHTTPServer):
    """The listening socket; one daemon thread per connection.

    ``answer`` and ``control`` decide every reply, ``latency`` is read for each request,
    ``stopping`` ends waits and keep-alive loops, ``note_error`` keeps the fake's own bugs.
    """

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], *, answer: Answer, control: Control, latency: Callable[[], float],
                 traffic: Traffic, stopping: threading.Event, note_error: Callable[[str], None]):
        self.answer = answer
        self.control = control
        self.latency = latency
        self.traffic = traffic
        self.stopping = stopping
        self.note_error = note_error
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        """Ignore clients that hang up; note anything else for the test to see."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            self.note_error(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    """Parses requests and writes prepared replies; all decisions come from the server's callables."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 120  # an idle keep-alive connection gives its thread back eventually
    server_version = "FakeUpstream/1.0"

    server: UpstreamServer

    def setup(self) -> None:
        super().setup()
        self.server.traffic.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.traffic.untrack(self.connection)

    def handle(self) -> None:
        """Serve requests on this connection until it closes or the fake stops."""
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection and not self.server.stopping.is_set():
            self.handle_one_request()

    def parse_request(self) -> bool:
        """Parse the request line and headers; the stdlib's email-based parser is most of a request's CPU."""
        self.command, self.request_version, self.close_connection = None, "HTTP/1.0", True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1"):
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request line")
            return False
        self.command, self.path, self.request_version = words
        self.headers = headers = Headers()
        while (line := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
            if len(headers) >= 100:
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
                return False
            name, colon, value = line.decode("iso-8859-1").partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        connection = (headers.get("connection") or "").lower()
        if self.request_version == "HTTP/1.1":
            self.close_connection = "close" in connection
            if (headers.get("expect") or "").lower() == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        else:
            self.close_connection = "keep-alive" not in connection
        return True

    def log_message(self, format: str, *args: object) -> None:
        """Stay silent: hundreds of requests a second would drown the test output."""

    def do_GET(self) -> None:
        """Answer a GET."""
        self._dispatch(b"")

    def do_POST(self) -> None:
        """Answer a POST."""
        self._dispatch(self._read_body())

    def _read_body(self) -> bytes:
        """Read the request body, so the next request on the connection starts clean."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, body: bytes) -> None:
        """Route one request to the fake and send its answer."""
        path, _, query = self.path.partition("?")
        prefix, _, rest = path.lstrip("/").partition("/")
        rest = "/" + rest.lstrip("/")
        server = self.server
        if prefix == "_control":
            self._send(server.control(self.command, rest, query, body, self.client_address[0]))
            return
        if prefix not in PREFIXES:
            self._send(NOT_FOUND)
            return
        server.traffic.enter(prefix)
        try:
            latency = server.latency()
            if latency > 0 and server.stopping.wait(latency):
                self.close_connection = True
                return
            self._send(server.answer(prefix, self.command, rest, query, self.headers, body))
        finally:
            server.traffic.leave(prefix)

    def _send(self, reply: Reply) -> None:
        """Write a reply, after its delay, whole or one byte at a time; a hang never writes."""
        stopping = self.server.stopping
        if (reply.delay and stopping.wait(reply.delay)) or reply.mode == HANG:
            stopping.wait()
            self.close_connection = True
            return
        if reply.mode == TRICKLE:
            self.wfile.write(reply.head)
            for i in range(len(reply.body)):
                self.wfile.write(reply.body[i:i + 1])
                if stopping.wait(TRICKLE_INTERVAL):
                    self.close_connection = True
                    return
        elif len(reply.body) <= 65_536:
            self.wfile.write(reply.head + reply.body)
        else:
            self.wfile.write(reply.head)
            self.wfile.write(reply.body)
