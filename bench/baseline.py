"""The earlier design (X2C's 2024-12 version 1.0), reimplemented plainly for a side-by-side ratio.

One pass: select the active tasks with a callback URL, then for each task in turn detect the
platform, fetch its counts (YouTube Data API: one videos.list call per video; TikTok and Douyin:
their pages), build the body, POST it signed, record the outcome in ``drama_tasks`` and
``webhook_logs``, and sleep 1 s before the next task. One ``requests.Session``, one database
connection, no threads.

Two deliberate differences from the original, so that it runs on the same fake upstream and its
deliveries can be checked like the new design's: TikTok is read from the post page (the original
used oEmbed, which carries no counts) and Douyin from the iesdouyin share page (the original
used TikHub). The parsers are the project's own (video_stats_fetcher), so both designs read the
same numbers from the same bytes; what differs is the shape of the pass.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import psycopg2
import psycopg2.extras
import requests

import video_stats_fetcher as vsf

SELECT_TASKS = """
SELECT task_id, external_task_id, project_id, title, duration, video_url, callback_url, callback_secret
FROM drama_tasks
WHERE status = 'active' AND COALESCE(callback_url, '') <> '' AND COALESCE(video_url, '') <> ''
ORDER BY task_id
"""

RECORD_TASK = """
UPDATE drama_tasks
SET callback_status = %(status)s, callback_last_attempt = NOW() AT TIME ZONE 'UTC',
    callback_retry_count = CASE WHEN %(ok)s THEN 0 ELSE COALESCE(callback_retry_count, 0) + 1 END
WHERE task_id = %(task_id)s
"""

INSERT_LOG = """
INSERT INTO webhook_logs (task_id, task_title, project_id, callback_url, callback_status, payload, created_at)
VALUES (%(task_id)s, %(title)s, %(project_id)s, %(callback_url)s, %(status)s, %(payload)s, NOW() AT TIME ZONE 'UTC')
"""


def fetch_counts(session: requests.Session, settings: dict, ref: vsf.VideoRef) -> tuple[int | None, int | None]:
    """(views, likes) of one video, one request; raises on any failure."""
    timeout = 10
    if ref.platform == vsf.YOUTUBE:
        params = {"part": "statistics", "id": ref.video_id, "key": settings["youtube_api_key"]}
        response = session.get(settings["youtube_api_url"] + "/videos", params=params, timeout=timeout)
        response.raise_for_status()
        result = vsf.parse_youtube_api_response(response.json(), [ref.video_id])[ref.video_id]
    elif ref.platform == vsf.TIKTOK:
        url = f"{settings['tiktok_web_url']}/@{ref.handle or '_'}/video/{ref.video_id}"
        response = session.get(url, timeout=timeout)
        response.raise_for_status()
        result = vsf.parse_tiktok_page(response.text, ref.video_id)
    else:
        response = session.get(f"{settings['douyin_web_url']}/share/video/{ref.video_id}/", timeout=timeout)
        response.raise_for_status()
        result = vsf.parse_douyin_share_page(response.text, ref.video_id)
    if result.status != vsf.OK:
        raise RuntimeError(f"{result.status}: {result.reason}")
    return result.views, result.likes


def build_entry(task: dict, platform: str, views: int | None, likes: int | None) -> dict:
    """One stats entry, by the same field rules as the contract (docs/webhook.md#the-body)."""
    entry = {
        "project_id": task["project_id"],
        "task_id": task["external_task_id"] if task["external_task_id"] is not None else task["task_id"],
        "duration": task["duration"],
        "account_count": 0,
    }
    entry = {key: value for key, value in entry.items() if value is not None}
    prefix = "tt" if platform == vsf.TIKTOK else "yt"
    counts = {f"{prefix}_view_count": views, f"{prefix}_like_count": likes}
    sent = {key: value for key, value in counts.items() if value}
    if sent:
        entry[f"{prefix}_account_count"] = 0
        entry.update(sent)
    return entry


def post_webhook(session: requests.Session, task: dict, body: bytes, site_secret: str | None) -> int:
    """POST the signed body once; returns the HTTP status."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Webhook-Timestamp": str(int(time.time())),
        "X-Webhook-Event": "task.daily_stats",
        "X-Webhook-Id": f"baseline-task{task['task_id']}-{time.time_ns()}",
        "User-Agent": "DramaRelayBot-Baseline/1.0",
    }
    secret = task["callback_secret"] or site_secret
    if secret:
        headers["X-Webhook-Signature"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    response = session.post(task["callback_url"], data=body, headers=headers, timeout=10, allow_redirects=False)
    return response.status_code


def run_pass(settings: dict, *, sleep_seconds: float = 1.0) -> dict:
    """One sequential pass over every active task; the result counts of docs/http-api.md#the-pass-result."""
    conn = psycopg2.connect(settings["database_url"])
    session = requests.Session()
    success = failed = 0
    try:
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(SELECT_TASKS)
            tasks = cur.fetchall()
        conn.commit()
        for index, task in enumerate(tasks):
            if index:
                time.sleep(sleep_seconds)
            status = "failed"
            payload = None
            try:
                ref = vsf.parse_video_url(task["video_url"])
                views, likes = fetch_counts(session, settings, ref)
                body = {"site_name": settings["site_name"], "stats": [build_entry(task, ref.platform, views, likes)]}
                payload = json.dumps(body, ensure_ascii=False)
                if 200 <= post_webhook(session, task, payload.encode("utf-8"), settings.get("x2c_webhook_secret")) < 300:
                    status = "success"
            except (requests.RequestException, vsf.FetchError, RuntimeError, ValueError):
                status = "failed"
            ok = status == "success"
            success += ok
            failed += not ok
            with conn.cursor() as cur:
                cur.execute(RECORD_TASK, {"status": status, "ok": ok, "task_id": task["task_id"]})
                cur.execute(INSERT_LOG, {
                    "task_id": task["task_id"], "title": task["title"], "project_id": task["project_id"],
                    "callback_url": task["callback_url"], "status": status, "payload": payload,
                })
            conn.commit()
    finally:
        session.close()
        conn.close()
    return {"success": True, "run_id": None, "total": success + failed, "success_count": success,
            "failed_count": failed}
