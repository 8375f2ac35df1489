"""The counters behind /metrics, kept in `broadcaster_counters` so that they only ever grow.

Each counter is added to in the transaction that writes what it counts: a run when it ends
(`queries.FINISH_RUN`) or is marked abandoned (`queries.MARK_ABANDONED_RUNS`), each task's
outcome and each video fetched with the recorder's batch (`counter_rows`). Pruning old runs and
logs therefore never makes a counter go down. Labels are stored as a JSON object.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from broadcaster.core.states import CallbackStatus, FetchStatus, Platform, RunStatus, Trigger

RUNS = "broadcaster_runs"  # {trigger, status}: one per finished or abandoned run
DELIVERIES = "broadcaster_task_deliveries"  # {result}: one per task per pass
FETCHES = "broadcaster_fetches"  # {platform, status}: one per video fetched
LOGIN_FAILURES = "broadcaster_login_failures"  # {}: one per wrong credential (broadcaster.access.throttle)
LOGIN_BLOCKS = "broadcaster_login_blocks"  # {}: one per client address blocked
ALERT_NOTIFICATIONS = "broadcaster_alert_notifications"  # {result}: one per message per channel
SENT, NOT_SENT = "sent", "failed"  # its results: the channel took the message, or did not
SUSPECTS = "broadcaster_suspect_counts"  # {platform}: one per read held back as suspect (docs/operations.md#suspect-counts)

#: Every label set each counter can have; /metrics shows them all, 0 until first counted, so
#: that rate() and increase() work from the first scrape.
KNOWN_LABELS = {
    RUNS: [{"trigger": trigger, "status": status}
           for trigger in Trigger for status in RunStatus if status != RunStatus.RUNNING],
    DELIVERIES: [{"result": result} for result in (CallbackStatus.SUCCESS, CallbackStatus.FAILED)],
    FETCHES: [{"platform": platform, "status": status} for platform in Platform for status in FetchStatus],
    LOGIN_FAILURES: [{}],
    LOGIN_BLOCKS: [{}],
    ALERT_NOTIFICATIONS: [{"result": SENT}, {"result": NOT_SENT}],
    SUSPECTS: [{"platform": platform} for platform in Platform],
}


def counter_rows(records: Iterable[dict], videos: Iterable[dict]) -> list[dict]:
    """`COUNTER_ROW`s adding a batch's task outcomes (delivery records) and video fetches (video
    rows), with the reads held back as suspect among them."""
    tally: Counter = Counter()
    for row in records:
        result = CallbackStatus.SUCCESS if row["delivered"] else CallbackStatus.FAILED
        tally[(DELIVERIES, (("result", result),))] += 1
    for row in videos:
        tally[(FETCHES, (("platform", row["platform"]), ("status", row["status"])))] += 1
        if row.get("held"):
            tally[(SUSPECTS, (("platform", row["platform"]),))] += 1
    # One row per counter: an upsert may not touch the same row twice in one statement.
    return [{"metric": metric, "labels": json.dumps(dict(labels)), "value": value}
            for (metric, labels), value in sorted(tally.items())]
