"""Checking a scenario's outcome: every webhook the fake receiver got, and what the pass left in the database."""

from __future__ import annotations

import hashlib
import hmac
import json

from bench.workload import SECRET, SITE_NAME, Task


def verify_deliveries(tasks: list[Task], records: list[dict]) -> dict:
    """Check that every task reached the receiver once, accepted, signed, with exactly its entry."""
    expected = {t.external_task_id: t.expected_entry() for t in tasks}
    delivered: dict[int, int] = {}
    problems: list[str] = []
    bad_signatures = unaccepted = wrong = unknown = bad_site = 0
    entries_per_request = []
    for record in records:
        if record["status"] is None or not 200 <= record["status"] < 300:
            unaccepted += 1
            continue
        raw = record["body"].encode("utf-8")
        signature = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        if record["signature_ok"] is not True or record["headers"].get("x-webhook-signature") != signature:
            bad_signatures += 1
        body = json.loads(record["body"])
        if body.get("site_name") != SITE_NAME:
            bad_site += 1
        entries_per_request.append(len(body["stats"]))
        for entry in body["stats"]:
            task_id = entry.get("task_id")
            if task_id not in expected:
                unknown += 1
                continue
            delivered[task_id] = delivered.get(task_id, 0) + 1
            if entry != expected[task_id]:
                wrong += 1
                if len(problems) < 5:
                    problems.append(f"task {task_id}: got {entry}, expected {expected[task_id]}")
    missing = [task_id for task_id in expected if task_id not in delivered]
    duplicates = sum(count - 1 for count in delivered.values() if count > 1)
    if missing:
        problems.append(f"{len(missing)} tasks never delivered, e.g. {missing[:5]}")
    for label, count in (("requests not accepted", unaccepted), ("bad signatures", bad_signatures),
                         ("entries of unknown tasks", unknown), ("wrong entries", wrong),
                         ("bodies with a wrong site_name", bad_site)):
        if count:
            problems.append(f"{count} {label}")
    ok = not missing and not wrong and not unknown and not bad_signatures and not bad_site
    return {
        "ok": ok, "delivered": len(delivered), "missing": len(missing), "wrong": wrong, "duplicates": duplicates,
        "requests": len(records), "entries_per_request_max": max(entries_per_request, default=0),
        "problems": problems,
    }


def verify_database(facts: dict, count: int) -> list[str]:
    """What is wrong in the database after a pass over `count` tasks (nothing when all were delivered)."""
    problems = []
    if facts["callback_status"].get("success", 0) != count:
        problems.append(f"drama_tasks.callback_status: {facts['callback_status']} (expected {count} success)")
    if facts["recorded_tasks"] != count:
        problems.append(f"delivery records cover {facts['recorded_tasks']} tasks (expected {count})")
    if facts["fetch_failures"]:
        problems.append(f"{facts['fetch_failures']} fetch failure records")
    return problems
