"""The CPU floor of a pass's HTTP work alone, through requests and through bare urllib3.

    python -m bench.http_floor                 # 10,000 webhooks, 3,000 TikTok and 2,000 Douyin pages
    python -m bench.http_floor --scale 0.3     # the same mix, 30 % of the counts

A batch-1 pass over 10,000 benchmark tasks makes 10,000 webhook POSTs and reads 3,000 TikTok
pages (200 KB) and 2,000 Douyin pages (40 KB); YouTube goes through 100 API calls, too few to
matter. This script makes exactly those requests against the same fake upstream (its own
process, 100 ms latency), 64 threads at a time, with nothing else: no database, no pipeline.
Each workload runs twice:

    requests   the production clients: WebhookSender.deliver (signing, retries, capped read)
               and VideoStatsFetcher (streamed capped read, page parser)
    urllib3    a bare urllib3 PoolManager doing the same requests and the same parsing; this is
               the transport requests itself uses, without requests' sessions and models

The CPU seconds of this process per workload give the CPU per 1,000 tasks that HTTP alone costs
(one webhook, 0.3 TikTok page and 0.2 Douyin page per task), which bounds what any pass built on
that client can reach on this machine.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import resource
import sys
import time
from pathlib import Path

import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import video_stats_fetcher as vsf  # noqa: E402
from bench.run_bench import OUT, FakeProcess  # noqa: E402
from broadcaster import webhooks  # noqa: E402

THREADS = 64
SECRET = "floor-secret"  # noqa: S105 - a fixed test secret
TIKTOK_BASE = 7_300_000_000_000_000_000
DOUYIN_BASE = 7_400_000_000_000_000_000
# Per 1,000 benchmark tasks: webhooks, TikTok pages, Douyin pages.
MIX = {"webhook": 1000, "tiktok": 300, "douyin": 200}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(job, count: int) -> tuple[float, float]:
    """Run `job(i)` for i in range(count) on THREADS threads; return (CPU s, wall s)."""
    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(job, range(min(count, THREADS))))  # warm up connections and threads
        cpu, started = cpu_seconds(), time.monotonic()
        list(pool.map(job, range(count)))
        return cpu_seconds() - cpu, time.monotonic() - started


def requests_jobs(fake: FakeProcess) -> dict:
    sender = webhooks.WebhookSender(allow_private=True, pool_maxsize=THREADS)
    fetcher = vsf.VideoStatsFetcher(tiktok_web_url=fake.info["tiktok_web_url"],
                                    douyin_web_url=fake.info["douyin_web_url"])
    url = fake.callback_url("pool")

    def webhook(i: int) -> None:
        body = webhooks.serialize_body({"site_name": "floor", "stats": [{"task_id": i, "views": 1, "likes": 1}]})
        assert sender.deliver(url, body, secret=SECRET, webhook_id=f"floor-{i}").ok

    def tiktok(i: int) -> None:
        assert fetcher.fetch_tiktok_page(str(TIKTOK_BASE + i)).status == vsf.OK

    def douyin(i: int) -> None:
        assert fetcher.fetch_douyin_page(str(DOUYIN_BASE + i)).status == vsf.OK

    return {"webhook": webhook, "tiktok": tiktok, "douyin": douyin}


def urllib3_jobs(fake: FakeProcess) -> dict:
    pool = urllib3.PoolManager(maxsize=THREADS, retries=False, timeout=urllib3.Timeout(connect=3.05, read=10))
    sender = webhooks.WebhookSender(allow_private=True)  # only for its header builder
    url = fake.callback_url("pool")

    def get(page_url: str, headers: dict) -> str:
        response = pool.request("GET", page_url, headers=headers, redirect=False, preload_content=False)
        try:
            return response.read().decode("utf-8", errors="replace")
        finally:
            response.release_conn()

    def webhook(i: int) -> None:
        body = webhooks.serialize_body({"site_name": "floor", "stats": [{"task_id": i, "views": 1, "likes": 1}]})
        response = pool.request("POST", url, body=body, headers=sender.headers(body, SECRET, f"floor-{i}"),
                                redirect=False, preload_content=False)
        response.read()
        response.release_conn()
        assert response.status == 200

    def tiktok(i: int) -> None:
        video_id = str(TIKTOK_BASE + i)
        html = get(f"{fake.info['tiktok_web_url']}/@_/video/{video_id}", dict(vsf.DESKTOP_HEADERS))
        assert vsf.parse_tiktok_page(html, video_id).status == vsf.OK

    def douyin(i: int) -> None:
        video_id = str(DOUYIN_BASE + i)
        html = get(f"{fake.info['douyin_web_url']}/share/video/{video_id}/", dict(vsf.DOUYIN_HEADERS))
        assert vsf.parse_douyin_share_page(html, video_id).status == vsf.OK

    return {"webhook": webhook, "tiktok": tiktok, "douyin": douyin}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=10.0,
                        help="thousands of benchmark tasks whose HTTP work to replay (default 10)")
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args(argv)
    counts = {kind: max(1, int(per_1k * args.scale)) for kind, per_1k in MIX.items()}
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"HTTP floor — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, urllib3 {urllib3.__version__}, "
          f"latency {args.latency * 1000:.0f} ms, {THREADS} threads; "
          f"{counts['webhook']} webhooks, {counts['tiktok']} TikTok pages, {counts['douyin']} Douyin pages")
    fake = FakeProcess(args.latency, OUT / "http_floor.fake.log")
    try:
        videos = [{"platform": "tiktok", "video_id": str(TIKTOK_BASE + i), "views": 10 + i, "likes": i}
                  for i in range(counts["tiktok"])]
        videos += [{"platform": "douyin", "video_id": str(DOUYIN_BASE + i), "views": 10 + i, "likes": i}
                   for i in range(counts["douyin"])]
        for start in range(0, len(videos), 5000):
            fake.post("/videos", videos[start:start + 5000])
        fake.post("/receivers", [{"name": "pool", "behaviour": "ok", "secret": SECRET}])
        results = {}
        for client, make_jobs in (("requests", requests_jobs), ("urllib3", urllib3_jobs)):
            jobs = make_jobs(fake)
            per_1k = 0.0
            for kind, count in counts.items():
                cpu, wall = measure(jobs[kind], count)
                ms = cpu * 1000 / count
                per_1k += ms * MIX[kind] / 1000
                results[f"{client}.{kind}"] = {"count": count, "cpu": cpu, "wall": wall, "ms_per_request": ms}
                print(f"   {client:8s} {kind:8s} {count:6d} requests  CPU {cpu:6.2f} s = {ms:.3f} ms each  "
                      f"(wall {wall:.1f} s)")
            results[f"{client}.per_1k"] = per_1k
            print(f"   {client:8s} HTTP alone: {per_1k:.2f} CPU-s per 1,000 tasks (target for the whole pass: 2)")
        (OUT / "http_floor.json").write_text(json.dumps(results, indent=1))
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
