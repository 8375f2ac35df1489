"""A local HTTP server standing in for a notification service (behind json://) or Healthchecks
(used by tests/unit/test_alerts.py and `bench.run_bench --alerts`)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Records each JSON message POSTed to it and each GET path; answers as `mode` says:
    ``ok`` (200), ``fail`` (500), ``hang`` (no answer until released), ``429`` (429 with
    Retry-After: `retry_after`, then 200)."""

    def __init__(self, mode: str = "ok", retry_after: int = 1):
        self.mode = mode
        self.retry_after = retry_after
        self.messages: list[dict] = []
        self.pings: list[str] = []
        self.arrived = threading.Condition()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with receiver.arrived:
                    receiver.messages.append(body)
                    first = len(receiver.messages) == 1
                    receiver.arrived.notify_all()
                if receiver.mode == "hang":
                    receiver.release.wait(30)
                status = {"fail": 500, "429": 429 if first else 200}.get(receiver.mode, 200)
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", str(receiver.retry_after))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                with receiver.arrived:
                    receiver.pings.append(self.path)
                    receiver.arrived.notify_all()
                self.send_response(500 if receiver.mode == "fail" else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"json://127.0.0.1:{self.port}/alerts"
        self.base = f"http://127.0.0.1:{self.port}/ping/0b9e3f3c-61cd-4a38-a7e6-5f1a0d9c1e2f"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, name="alert-receiver", daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 15.0, pings: bool = False) -> bool:
        """Wait until `count` messages (or pings) have arrived."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.pings if pings else self.messages) >= count, timeout)

    def titles(self) -> list[str]:
        """The titles of the messages received, in order."""
        return [message.get("title", "") for message in self.messages]
