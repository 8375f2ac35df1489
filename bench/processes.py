"""The benchmark's child processes: the fake upstream and gunicorn in their own processes, none outliving the benchmark."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

from bench.workload import RECEIVER, ROOT, SECRET, Task


def die_with_parent() -> None:
    """In a child before exec: get SIGTERM when the benchmark dies, so nothing is left running."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def stop_process(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM, and SIGKILL if the process has not exited `grace` seconds later."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class FakeProcess:
    """`python -m fakes.upstream` in a child process, driven through its /_control API."""

    def __init__(self, latency: float, log_path: Path):
        self.log = open(log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fakes.upstream", "--latency", str(latency)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log, preexec_fn=die_with_parent,
        )
        line = self.process.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError(f"the fake upstream did not start; see {log_path}")
        self.info = json.loads(line)
        self.control = self.info["control_url"]
        self.session = requests.Session()
        self.session.trust_env = False
        self.ps = psutil.Process(self.process.pid)

    def callback_url(self, name: str) -> str:
        return self.info["callback_base_url"] + name

    def post(self, path: str, payload) -> dict:
        response = self.session.post(self.control + path, json=payload, timeout=60)
        response.raise_for_status()
        return response.json()

    def get(self, path: str, **params):
        response = self.session.get(self.control + path, params=params, timeout=120)
        response.raise_for_status()
        return response.json()

    def load(self, tasks: list[Task]) -> None:
        """Give the fake the tasks' videos and the signing receiver, and clear its counters."""
        for start in range(0, len(tasks), 5000):
            self.post("/videos", [t.fake_video() for t in tasks[start:start + 5000]])
        self.post("/receivers", [{"name": RECEIVER, "behaviour": "ok", "secret": SECRET}])
        self.post("/reset", {})

    def received(self) -> list[dict]:
        """Every webhook the receiver got, page by page."""
        records, offset = [], 0
        while True:
            page = self.get("/received", name=RECEIVER, offset=offset, limit=2000)
            records += page
            offset += len(page)
            if len(page) < 2000:
                return records

    def cpu(self) -> float:
        """CPU seconds the fake used so far."""
        times = self.ps.cpu_times()
        return times.user + times.system

    def stop(self) -> None:
        stop_process(self.process, 10)
        if self.process.stdout:
            self.process.stdout.close()
        self.log.close()


def free_port() -> int:
    """A local TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], log, workers: int) -> tuple[subprocess.Popen, str]:
    """`gunicorn -c gunicorn.conf.py` with `workers` workers on a free local port, its output into
    the open file `log`; the process and its base URL (not answering yet)."""
    port = free_port()
    executable = Path(sys.executable).parent / "gunicorn"
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "gunicorn"]
    process = subprocess.Popen(
        command + ["-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
    )
    return process, f"http://127.0.0.1:{port}"


def wait_until_healthy(base: str, process: subprocess.Popen, log_path: Path, deadline_s: float = 60.0,
                       poll_s: float = 0.2) -> None:
    """Wait up to `deadline_s` for /healthz to answer 200; RuntimeError if the server exits or never answers."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not come up; see {log_path}")
        time.sleep(poll_s)
