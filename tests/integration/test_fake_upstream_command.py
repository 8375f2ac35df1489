"""The fake upstream's command line: it serves and stops on SIGTERM."""

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.unit.test_fake_upstream import TT_ID  # noqa: F401 - the unit tests' fixtures and helpers

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_command_line_serves_and_stops_on_sigterm():
    """The CLI prints its JSON line, obeys the control API and exits 0 on SIGTERM."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "fakes.upstream", "--port", "0"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 15)
        assert ready, "no JSON line within 15 s"
        info = json.loads(proc.stdout.readline())
        control = f"{info['base_url']}/_control"
        assert info["env"]["TIKTOK_WEB_URL"] == info["tiktok_web_url"]

        videos = [{"platform": "tiktok", "video_id": TT_ID, "views": 9, "likes": 3}]
        assert requests.post(f"{control}/videos", json=videos, timeout=5).json()["count"] == 1
        requests.post(f"{control}/receivers", json=[{"name": "pool", "behaviour": "gone"}], timeout=5)
        page = requests.get(f"{info['tiktok_web_url']}/@_/video/{TT_ID}", timeout=5)
        hook = requests.post(f"{info['base_url']}/x2c/pool", json={"n": 1}, timeout=5)
        stats = requests.get(f"{control}/stats", timeout=5).json()
        received = requests.get(f"{control}/received", params={"name": "pool"}, timeout=5).json()

        assert page.status_code == 200 and hook.status_code == 410
        assert stats["request_counts"]["tt"] == 1 and stats["received"] == {"pool": 1}
        assert received[0]["status"] == 410 and json.loads(received[0]["body"]) == {"n": 1}

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
