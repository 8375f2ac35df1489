"""One pass over several processes and hosts (docs/architecture.md#a-pass-shared-by-several-processes), with PostgreSQL as the coordinator.

The process that claimed a pass plans it once (budgets, the videos to refresh), cuts it into
shards — ranges of the video key, so tasks sharing a video stay together — and records them in
``broadcaster_shards`` (`shards`, `shared_pass`). Every worker (the claiming process, the
PASS_WORKERS − 1 processes it starts, and PASS_HELPER processes on other hosts, `joining`) takes
a slot, then shards with ``FOR UPDATE SKIP LOCKED``, and heartbeats the shard it works on; a
shard whose worker stopped heartbeating is taken again (`worker`). Each slot gets its share of
FETCH_CONCURRENCY and WEBHOOK_CONCURRENCY, and page budgets, pacing and TikHub's allowance live
in the database, so the limits stay global (`limits`).
"""
