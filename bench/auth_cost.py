"""What authentication costs per request: GET /api/broadcaster/status before and after named accounts.

    python -m bench.auth_cost [--requests 300] [--before-ref 5ba1a0c]

Two gunicorn servers (one worker each) share one fresh database (`bench_auth_cost`) on the
benchmark's embedded server: "before" runs a `git archive` of `--before-ref` (the code without
ADMIN_USERS: a plain-text password compared with hmac.compare_digest), "after" runs this
checkout with an ADMIN_USERS operator whose hash is werkzeug's default (scrypt). Requests
alternate between the two over keep-alive connections, so both see the same machine load.
The scrypt check a request would pay without the per-process cache of verified headers is
timed on its own, in this process.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import requests
from werkzeug.security import generate_password_hash

from bench.database import discard_database, fresh_database, start_database
from bench.workload import ROOT
from broadcaster.engine.freshness import percentile

PASSWORD = "bench-auth-password"  # noqa: S105 - a fixed benchmark password
DB_NAME = "bench_auth_cost"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(code_dir: Path, database_url: str, instance: Path, **settings: str):
    """gunicorn with one worker serving `code_dir`'s admin_api; (process, base URL)."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ADMIN_", "DATABASE_URL"))}
    env.update(DATABASE_URL=database_url, INSTANCE_PATH=str(instance), PYTHONPATH=str(code_dir), **settings)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=code_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn in {code_dir} did not come up")


def export_ref(ref: str, target: Path) -> Path:
    """The tree of git `ref` unpacked under `target`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def timed_get(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=30)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    return elapsed


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):6.2f} ms   p95 {percentile(sorted(values), 0.95):6.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    # The last commit before named accounts (issue 18); any ref without ADMIN_USERS will do.
    parser.add_argument("--before-ref", default="5ba1a0c")
    args = parser.parse_args(argv)

    password_hash = generate_password_hash(PASSWORD)
    server_url = start_database()
    database_url = fresh_database(server_url, DB_NAME)
    processes = []
    with tempfile.TemporaryDirectory() as temp:
        temp_dir = Path(temp)
        try:
            before_dir = export_ref(args.before_ref, temp_dir / "before")
            before, before_base = start_gunicorn(before_dir, database_url, temp_dir / "i1", ADMIN_PASSWORD=PASSWORD)
            processes.append(before)
            after, after_base = start_gunicorn(ROOT, database_url, temp_dir / "i2",
                                               ADMIN_USERS=f"alice:operator:{password_hash}")
            processes.append(after)
            old, new = requests.Session(), requests.Session()
            old.auth, new.auth = ("admin", PASSWORD), ("alice", PASSWORD)
            path = "/api/broadcaster/status"
            for session, base in ((old, before_base), (new, after_base)):
                for _ in range(20):  # warm up: connections, the pool, the first (uncached) scrypt check
                    timed_get(session, base + path)
            times: dict[str, list[float]] = {"before": [], "after": []}
            for _ in range(args.requests):
                times["before"].append(timed_get(old, before_base + path))
                times["after"].append(timed_get(new, after_base + path))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)
            discard_database(server_url, DB_NAME, keep=False)

    from broadcaster.access.auth import Authenticator
    from broadcaster.core.config import Config

    authenticator = Authenticator(Config(admin_users=(("alice", "operator", password_hash),)))
    header = requests.Request("GET", "http://x/", auth=("alice", PASSWORD)).prepare().headers["Authorization"]
    uncached = []
    for _ in range(20):
        authenticator._verified.clear()  # noqa: SLF001 - measuring the path the cache saves
        started = time.perf_counter()
        authenticator.authenticate(header)
        uncached.append((time.perf_counter() - started) * 1000)

    print(f"GET {path}, {args.requests} requests each, alternating, one gunicorn worker each")
    print(f"  before ({args.before_ref}, plain ADMIN_PASSWORD):     {summary(times['before'])}")
    print(f"  after  (ADMIN_USERS scrypt hash, cached): {summary(times['after'])}")
    print(f"  one scrypt check (what the cache saves):  {summary(uncached)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
