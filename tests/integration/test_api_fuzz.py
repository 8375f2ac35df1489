"""Issue #25: no input breaks the API (docs/http-api.md#no-input-breaks-it). schemathesis generates requests for every
operation of the published document and sends them to a live gunicorn on the test database (a
scratch database of its own, emptied before and after), then hand-picked inputs that generators
rarely try go to the same server: every answer is documented, none is a 5xx, every 4xx is JSON
with a Chinese `error`.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from broadcaster.storage.db import Database
from fakes.alert_receiver import Receiver
from fakes.upstream import FakeUpstream
from tests.conftest import (
    ADMIN_PASSWORD,
    ADMIN_TOKEN,
    ROOT,
    command_env,
    reset_database,
    stop_process_group,
    wait_until,
)
from tests.contract import answer_validator, seed_tasks

pytestmark = pytest.mark.slow

#: What schemathesis checks on every answer: all its checks but positive_data_acceptance (a
#: request the schema allows may still be refused: a link that names no video, an unknown task).
CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance", "content_type_conformance",
          "response_headers_conformance", "negative_data_rejection", "missing_required_header",
          "unsupported_method", "allow_header_conformance", "ignored_auth", "use_after_free",
          "ensure_resource_availability")
#: Examples per operation are set in schemathesis.toml; API_FUZZ_EXAMPLES overrides them to explore.
EXPLORE = ["--max-examples", os.environ["API_FUZZ_EXAMPLES"]] if os.environ.get("API_FUZZ_EXAMPLES") else []
#: A fixed seed keeps the suite passing every time; set API_FUZZ_SEED to explore other inputs.
SEED = int(os.environ.get("API_FUZZ_SEED", "2025"))
CONFIG = Path(__file__).with_name("schemathesis.toml")
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CHINESE = re.compile("[\u4e00-\u9fff]")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Live:
    """The live server and what stands behind it."""

    base: str
    port: int
    database: Database
    fake: FakeUpstream
    document: dict

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.base + path, headers={**AUTH, **kwargs.pop("headers", {})}, timeout=30, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return requests.post(self.base + path, headers={**AUTH, **kwargs.pop("headers", {})}, timeout=30, **kwargs)


@pytest.fixture(scope="module")
def live(database_url, tmp_path_factory):
    """gunicorn (2 workers) on the emptied test database, seeded with a real pass over tasks of
    every fate and a test alert, the platforms and X2C faked, alerts to a local receiver."""
    reset_database(database_url)
    database = Database(database_url)
    alerts = Receiver()
    process = None
    with FakeUpstream() as fake, alerts:
        seed_tasks(database, fake)
        port = free_port()
        env = command_env(
            database_url, fake, tmp_path_factory.mktemp("fuzz") / "instance",
            ADMIN_PASSWORD=ADMIN_PASSWORD, ADMIN_TOKEN=ADMIN_TOKEN, ALERT_URLS=alerts.url,
            # Generated requests carry wrong credentials on purpose (ignored_auth); a block of
            # 127.0.0.1 would turn every later answer into a 429 (checked after the run).
            LOGIN_MAX_FAILURES="1000",
            WEBHOOK_TIMEOUT_SECONDS="1", WEBHOOK_MAX_ATTEMPTS="2", X2C_WEBHOOK_SECRET="fuzz-secret",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "--workers", "2"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            assert wait_until(lambda: _healthy(base), 30), "gunicorn did not come up"
            document = requests.get(f"{base}/api/openapi.json", headers=AUTH, timeout=10).json()
            server = Live(base, port, database, fake, document)
            passed = server.post("/api/broadcaster/trigger")
            assert 200 == passed.status_code and passed.json()["data"]["success_count"] == 3, passed.text
            assert server.post("/api/alerts/test").json()["success"] is True
            yield server
        finally:
            stop_process_group(process)
            database.close()
            reset_database(database_url)


def _healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


# --------------------------------------------------------------------------------------------
# schemathesis


def test_schemathesis_finds_no_answer_outside_the_document(live, tmp_path):
    """Every operation, state-changing ones included, through the examples, coverage, fuzzing and
    stateful phases: no server error, every status documented, every body matching its schema."""
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(live.document, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "report.json"
    started = time.monotonic()
    run = subprocess.run(
        [str(Path(sys.executable).parent / "st"), "--config-file", str(CONFIG), "run", str(schema), "--url", live.base,
         "-H", f"Authorization: Bearer {ADMIN_TOKEN}", "--checks", ",".join(CHECKS),
         "--phases", "examples,coverage,fuzzing,stateful", *EXPLORE,
         "--seed", str(SEED), "--workers", "2", "--request-timeout", "30",
         "--report", "json", "--report-json-path", str(report), "--no-color"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    seconds = time.monotonic() - started

    assert 0 == run.returncode, run.stdout[-20000:] + run.stderr[-3000:]
    figures = json.loads(report.read_text(encoding="utf-8"))
    operations = {f"{method.upper()} {path}" for path, item in live.document["paths"].items() for method in item}
    accepted = {name for name, phases in figures["valid_rates"].items()
                if any(phase["accepted"] for phase in phases.values())}
    print(f"schemathesis: {len(operations)} operations, {figures['test_cases']['generated']} test cases "
          f"in {seconds:.1f} s (seed {SEED})")
    assert len(operations) == figures["operations"]["tested"]
    # A sign-in is accepted only with a real password, which neither the document nor the fuzzer
    # knows: POST /login is reached past its checks by tests/unit/test_signin.py instead.
    assert set() == operations - accepted - {"POST /login"}, "operations never reached past their input checks"
    blocked = live.database.fetch_one("SELECT COUNT(*) AS n FROM broadcaster_login_throttle WHERE blocked_until > NOW()")
    assert 0 == blocked["n"], "127.0.0.1 was blocked: later answers were 429s, not the API's"


# --------------------------------------------------------------------------------------------
# What generators rarely try


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def exchange(port: int, raw: bytes) -> Answer:
    """Send raw bytes as one HTTP request and read the whole answer (the connection closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(raw)
        except OSError:  # the server answered and closed before the body was all sent
            pass
        data = bytearray()
        while chunk := _receive(sock):
            data += chunk
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        body = _unchunk(body)
    return Answer(int(lines[0].split(" ")[1]), headers, body)


def _receive(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


def _unchunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size, _, body = body.partition(b"\r\n")
        length = int(size.split(b";")[0], 16)
        if length == 0:
            break
        out += body[:length]
        body = body[length + 2:]
    return bytes(out)


def request(method: str, target: str, body: bytes | None = None, *, headers: dict[str, str] | None = None,
            auth: bool = True) -> bytes:
    """A raw HTTP/1.1 request; `target` and header values may hold any bytes (latin-1)."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if auth:
        lines.append(f"Authorization: Bearer {ADMIN_TOKEN}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body is not None and "Transfer-Encoding" not in (headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + (body or b"")


def json_request(method: str, target: str, body: bytes, content_type: str = "application/json") -> bytes:
    return request(method, target, body, headers={"Content-Type": content_type})


def chunked_request(method: str, target: str, body: bytes) -> bytes:
    """The body as one chunk, without a Content-Length."""
    return request(method, target, b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body),
                   headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})


TWO_MB = b'{"title": "' + b"x" * (2 << 20) + b'"}'
TASK = json.dumps({"title": "《边界》", "video_url": "https://youtu.be/dQw4w9WgXcQ",
                   "callback_url": "https://x2c.example.com/hook"}, ensure_ascii=False).encode()
LONG_SEARCH = "/api/tasks?" + "&".join(f"platform{n}=youtube" for n in range(400))  # over 4094 bytes
#: (case, the operation whose documented answers it must match or None, the raw request, the status)
CASES = [
    ("malformed JSON", ("POST", "/api/tasks"), json_request("POST", "/api/tasks", b'{"title": '), 400),
    ("malformed JSON, PATCH", ("PATCH", "/api/tasks/{task_id}"), json_request("PATCH", "/api/tasks/1", b"{,}"), 400),
    ("malformed JSON, trigger", ("POST", "/api/broadcaster/trigger"),
     json_request("POST", "/api/broadcaster/trigger", b'{"task_ids": [1,'), 400),
    ("JSON that is not an object", ("POST", "/api/tasks"), json_request("POST", "/api/tasks", b"[1, 2]"), 400),
    ("JSON null", ("PATCH", "/api/tasks/{task_id}"), json_request("PATCH", "/api/tasks/1", b"null"), 400),
    ("JSON nested 100,000 deep", ("POST", "/api/broadcaster/trigger"),
     json_request("POST", "/api/broadcaster/trigger", b"[" * 100_000), 400),
    ("a number too large for a float", ("POST", "/api/tasks"),
     json_request("POST", "/api/tasks", TASK[:-1] + b', "duration": 1e400}'), 400),
    ("an integer of 4,000 digits in JSON", ("POST", "/api/tasks"),
     json_request("POST", "/api/tasks", TASK[:-1] + b', "external_task_id": ' + b"9" * 4000 + b"}"), 400),
    ("form-encoded body", ("POST", "/api/tasks"),
     json_request("POST", "/api/tasks", b"title=a&video_url=b", "application/x-www-form-urlencoded"), 400),
    ("multipart body", ("POST", "/api/tasks"),
     json_request("POST", "/api/tasks", b"--x\r\n\r\n{}\r\n--x--\r\n", "multipart/form-data; boundary=x"), 400),
    ("JSON sent as text/plain is read as JSON", ("POST", "/api/tasks"),
     json_request("POST", "/api/tasks", TASK, "text/plain"), 201),
    ("a body that is not UTF-8", ("POST", "/api/tasks"), json_request("POST", "/api/tasks", b'{"title": "\xff\xfe"}'), 400),
    ("a 2 MB body", ("POST", "/api/tasks"), json_request("POST", "/api/tasks", TWO_MB), 413),
    ("a 2 MB body, PATCH", ("PATCH", "/api/tasks/{task_id}"), json_request("PATCH", "/api/tasks/1", TWO_MB), 413),
    ("a 2 MB body, trigger", ("POST", "/api/broadcaster/trigger"),
     json_request("POST", "/api/broadcaster/trigger", TWO_MB), 413),
    ("a 2 MB chunked body", ("POST", "/api/tasks"), chunked_request("POST", "/api/tasks", TWO_MB), 413),
    ("a 2 MB chunked body whose first megabyte is JSON", ("PATCH", "/api/tasks/{task_id}"),
     chunked_request("PATCH", "/api/tasks/1", b'{"status": "paused"}'.ljust(2 << 20)), 413),
    ("a huge integer argument", ("GET", "/api/broadcaster/runs"),
     request("GET", "/api/broadcaster/runs?limit=" + "9" * 40), 400),
    ("an integer argument of 4,000 digits", ("GET", "/api/webhook-logs"),
     request("GET", "/api/webhook-logs?task_id=" + "9" * 4000), 400),
    ("an integer with an underscore", ("GET", "/api/audit"), request("GET", "/api/audit?limit=1_0"), 400),
    ("full-width digits", ("GET", "/api/tasks"), request("GET", "/api/tasks?limit=%EF%BC%95"), 400),
    ("a huge run id", ("GET", "/api/broadcaster/runs/{run_id}"), request("GET", "/api/broadcaster/runs/" + "9" * 40), 404),
    ("a huge task id", ("GET", "/api/tasks/{task_id}/history"), request("GET", f"/api/tasks/{'9' * 40}/history"), 404),
    ("a huge task id, PATCH", ("PATCH", "/api/tasks/{task_id}"),
     json_request("PATCH", "/api/tasks/" + "9" * 40, b'{"status": "paused"}'), 404),
    ("huge task ids, trigger", ("POST", "/api/broadcaster/trigger"),
     json_request("POST", "/api/broadcaster/trigger", b'{"task_ids": [' + b"9" * 40 + b", -1]}"), 400),
    ("a repeated filter", ("GET", "/api/tasks"), request("GET", "/api/tasks?status=active&status=paused"), 400),
    ("NUL in a search", ("GET", "/api/tasks"), request("GET", "/api/tasks?q=a%00b"), 400),
    ("control characters in a search", ("GET", "/api/tasks"), request("GET", "/api/tasks?q=%01%1F%7F"), 200),
    ("NUL in a title", ("POST", "/api/tasks"),
     json_request("POST", "/api/tasks", TASK.replace("边界".encode(), b"\\u0000")), 400),
    ("an unpaired surrogate in a title", ("POST", "/api/tasks"),
     json_request("POST", "/api/tasks", TASK.replace("边界".encode(), b"\\ud800")), 400),
    ("NUL in the audit's user", ("GET", "/api/audit"), request("GET", "/api/audit?user=%00"), 400),
    ("invalid UTF-8 in the query, escaped", ("GET", "/api/tasks"), request("GET", "/api/tasks?q=%FF%FE%C3"), 200),
    ("invalid UTF-8 in the query, raw", ("GET", "/api/tasks"), request("GET", "/api/tasks?q=\xff\xfe"), 400),
    ("invalid UTF-8 in a choice", ("GET", "/api/webhook-logs"), request("GET", "/api/webhook-logs?status=%C3%28"), 400),
    ("invalid UTF-8 in the path, escaped", None, request("GET", "/api/tasks/%FF%FE/history"), 404),
    ("invalid UTF-8 in a static path", ("GET", "/static/{filename}"), request("GET", "/static/%C3%28.js"), 404),
    ("invalid UTF-8 in the path, raw", None, request("GET", "/api/tasks/\xc3\x28/history"), 400),
    ("a control character in the path", None, request("GET", "/api/ta\x01sks"), 400),
    ("a path out of the static folder", ("GET", "/static/{filename}"), request("GET", "/static/..%2Fadmin_api.py"), 404),
    ("a request line over 4,094 bytes", ("GET", "/api/tasks"), request("GET", LONG_SEARCH), 414),
    ("a header over 8,190 bytes", ("GET", "/api/tasks"), request("GET", "/api/tasks", headers={"X-Big": "x" * 9000}), 431),
    ("101 header fields", ("GET", "/api/me"),
     request("GET", "/api/me", headers={f"X-H{n}": "1" for n in range(101)}), 431),
    ("an unknown transfer coding", ("POST", "/api/tasks"),  # gunicorn's own answer: 501
     request("POST", "/api/tasks", b"{}", headers={"Transfer-Encoding": "foo"}), 400),
    ("a compressed transfer coding without chunked", ("POST", "/api/tasks"),
     request("POST", "/api/tasks", b"{}", headers={"Transfer-Encoding": "gzip"}), 400),
    ("a Content-Length that is no number", ("POST", "/api/tasks"),
     request("POST", "/api/tasks", headers={"Content-Length": "abc"}), 400),
    ("a request line that is no HTTP", None, b"HELLO\r\n\r\n", 400),
    ("an unknown method", None, request("BREW", "/api/tasks"), 405),
    ("garbage credentials", ("GET", "/api/me"),
     request("GET", "/api/me", auth=False, headers={"Authorization": "Basic \xff\xfe!!"}), 401),
    ("no credentials on the page", ("GET", "/admin"), request("GET", "/admin", auth=False), 401),
    ("a body on a read", ("GET", "/api/me"), request("GET", "/api/me", b'{"x": 1}'), 200),
    ("a cross-site change", ("POST", "/api/broadcaster/stop"),
     request("POST", "/api/broadcaster/stop", headers={"Origin": "https://evil.example"}), 403),
]


@pytest.mark.parametrize(("operation", "raw", "status"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_inputs_generators_rarely_try(live, operation, raw, status):
    """Each answer has the expected status and a documented shape: no 5xx; every 4xx the API's
    JSON error with a Chinese reason, whoever answered it (the app, or gunicorn for what it
    refuses before the app sees it)."""
    answer = exchange(live.port, raw)

    assert status == answer.status, answer.body[:300]
    if status >= 400:
        assert answer.headers["content-type"].startswith("application/json"), answer.body[:300]
        body = answer.json()
        assert body["success"] is False and CHINESE.search(body["error"]), body
    if operation is not None and answer.headers.get("content-type", "").startswith("application/json"):
        method, path = operation
        errors = list(answer_validator(live.document, path, method, status).iter_errors(answer.json()))
        assert [] == [error.message for error in errors], answer.json()
