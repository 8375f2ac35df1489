-- Stats Broadcaster schema. Idempotent and safe on the bot's existing database: it creates
-- what is missing and adds missing columns; it never drops or retypes anything.
-- Applied by `python3 stats_broadcaster.py --init-db` and at every start, under an advisory
-- lock so that several processes starting together do not race each other.

-- The bot's tasks (created here only when the bot's database does not have them yet).
CREATE TABLE IF NOT EXISTS drama_tasks (
    task_id SERIAL PRIMARY KEY
);
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS external_task_id INTEGER;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS project_id TEXT;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS title TEXT;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS status TEXT DEFAULT 'active';
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS video_url TEXT;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS duration INTEGER;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS callback_url TEXT;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS callback_secret TEXT;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS callback_status TEXT DEFAULT 'pending';
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS callback_retry_count INTEGER DEFAULT 0;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS callback_last_attempt TIMESTAMP;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS created_at TIMESTAMP DEFAULT NOW();

-- The bot's per-push log, reused for each task's outcome in each pass.
CREATE TABLE IF NOT EXISTS webhook_logs (
    id SERIAL PRIMARY KEY,
    task_id INTEGER,
    task_title TEXT,
    project_id TEXT,
    callback_url TEXT,
    callback_status TEXT,
    payload JSONB,
    created_at TIMESTAMP DEFAULT NOW()
);
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS run_id BIGINT;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS webhook_id TEXT;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS http_status INTEGER;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS attempts INTEGER;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS latency_ms INTEGER;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS error TEXT;
CREATE INDEX IF NOT EXISTS webhook_logs_created_at_idx ON webhook_logs (created_at);
CREATE INDEX IF NOT EXISTS webhook_logs_run_id_idx ON webhook_logs (run_id);

-- The bot's record of stats fetch failures.
CREATE TABLE IF NOT EXISTS broadcaster_error_logs (
    id SERIAL PRIMARY KEY,
    task_id INTEGER,
    task_title TEXT,
    project_id TEXT,
    video_url TEXT,
    platform TEXT,
    error_type TEXT,
    error_message TEXT,
    callback_url TEXT,
    created_at TIMESTAMP DEFAULT NOW()
);
ALTER TABLE broadcaster_error_logs ADD COLUMN IF NOT EXISTS run_id BIGINT;
CREATE INDEX IF NOT EXISTS broadcaster_error_logs_created_at_idx ON broadcaster_error_logs (created_at);

-- The on/off switch: one row. `enabled_at` marks the last switch-on.
CREATE TABLE IF NOT EXISTS broadcaster_state (
    id SMALLINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    enabled_at TIMESTAMPTZ,
    changed_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
INSERT INTO broadcaster_state (id) VALUES (1) ON CONFLICT DO NOTHING;

-- One row per pass. `slot_key` makes each scheduled slot claimable once; the partial unique
-- index below allows a single running pass among all processes.
CREATE TABLE IF NOT EXISTS broadcaster_runs (
    id BIGSERIAL PRIMARY KEY,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL,
    slot_key TEXT UNIQUE,
    runner TEXT,
    started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    finished_at TIMESTAMPTZ,
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    total INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    success_count INTEGER NOT NULL DEFAULT 0,
    failed_count INTEGER NOT NULL DEFAULT 0,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    error TEXT
);
ALTER TABLE broadcaster_runs ADD COLUMN IF NOT EXISTS freshness JSONB;
-- A pass over selected tasks (POST /api/broadcaster/trigger with task_ids) keeps their ids.
ALTER TABLE broadcaster_runs ADD COLUMN IF NOT EXISTS scope TEXT NOT NULL DEFAULT 'all';
ALTER TABLE broadcaster_runs ADD COLUMN IF NOT EXISTS task_ids INTEGER[];
CREATE UNIQUE INDEX IF NOT EXISTS broadcaster_runs_one_running
    ON broadcaster_runs ((TRUE)) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS broadcaster_runs_started_at_idx ON broadcaster_runs (started_at);

-- What each task's video URL resolved to (short links are resolved once and kept).
CREATE TABLE IF NOT EXISTS broadcaster_task_videos (
    task_id INTEGER PRIMARY KEY,
    video_url TEXT NOT NULL,
    platform TEXT,
    video_id TEXT,
    handle TEXT,
    error TEXT,
    resolved_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- The last known counts of each video, and when it was last read or tried.
CREATE TABLE IF NOT EXISTS broadcaster_videos (
    platform TEXT NOT NULL,
    video_id TEXT NOT NULL,
    view_count BIGINT,
    like_count BIGINT,
    fetch_status TEXT,
    reason TEXT,
    fetched_at TIMESTAMPTZ,
    attempted_at TIMESTAMPTZ,
    PRIMARY KEY (platform, video_id)
);

-- YouTube Data API units spent per Pacific-time day.
CREATE TABLE IF NOT EXISTS broadcaster_quota (
    day DATE PRIMARY KEY,
    units_used INTEGER NOT NULL DEFAULT 0,
    exhausted BOOLEAN NOT NULL DEFAULT FALSE
);

-- Scale-out (PASS_WORKERS, PASS_HELPER): a pass shared by several processes is cut into shards,
-- ranges of the video key (platform/video_id) so that tasks sharing a video stay together.
ALTER TABLE broadcaster_runs ADD COLUMN IF NOT EXISTS slots INTEGER NOT NULL DEFAULT 1;
ALTER TABLE broadcaster_runs ADD COLUMN IF NOT EXISTS plan JSONB;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS shard_no INTEGER;
ALTER TABLE broadcaster_error_logs ADD COLUMN IF NOT EXISTS shard_no INTEGER;
CREATE TABLE IF NOT EXISTS broadcaster_shards (
    run_id BIGINT NOT NULL,
    shard_no INTEGER NOT NULL,
    lo_key TEXT,  -- inclusive; NULL: from the start
    hi_key TEXT,  -- exclusive; NULL: to the end
    status TEXT NOT NULL DEFAULT 'pending',
    runner TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    heartbeat_at TIMESTAMPTZ,
    total INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    success_count INTEGER NOT NULL DEFAULT 0,
    ages JSONB,  -- the count ages it sent, per platform, merged into the run's freshness
    PRIMARY KEY (run_id, shard_no)
);
-- The processes working on a pass: each takes a slot, and its share of the concurrency limits.
CREATE TABLE IF NOT EXISTS broadcaster_pass_slots (
    run_id BIGINT NOT NULL,
    slot_no INTEGER NOT NULL,
    runner TEXT,
    seen_at TIMESTAMPTZ,
    PRIMARY KEY (run_id, slot_no)
);
-- Page budgets and pacing of each egress, shared by every process of a pass.
CREATE TABLE IF NOT EXISTS broadcaster_pass_egress (
    run_id BIGINT NOT NULL,
    egress_key TEXT NOT NULL,
    platform TEXT NOT NULL,
    position INTEGER NOT NULL,
    budget INTEGER,  -- NULL: unlimited
    used INTEGER NOT NULL DEFAULT 0,
    spacing_s DOUBLE PRECISION NOT NULL DEFAULT 0,
    next_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (run_id, egress_key)
);
-- Allowances shared by every process of a pass (TikHub requests per platform; a refused key).
CREATE TABLE IF NOT EXISTS broadcaster_pass_allowance (
    run_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    remaining INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    PRIMARY KEY (run_id, name)
);
-- Helper processes (PASS_HELPER=true) announce themselves here every second.
CREATE TABLE IF NOT EXISTS broadcaster_helpers (
    runner TEXT PRIMARY KEY,
    seen_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS broadcaster_task_videos_video_idx ON broadcaster_task_videos (platform, video_id);

-- TikHub requests made per UTC day (TIKHUB_DAILY_REQUESTS is shared across passes).
CREATE TABLE IF NOT EXISTS broadcaster_tikhub_usage (
    day DATE PRIMARY KEY,
    requests_used INTEGER NOT NULL DEFAULT 0
);

-- Each egress (direct, or a proxy of *_PROXIES) of a platform's pages and its bench. The key
-- is a hash of the proxy URL; the label has its credentials masked.
CREATE TABLE IF NOT EXISTS broadcaster_egress (
    egress_key TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    label TEXT NOT NULL,
    bench_level INTEGER NOT NULL DEFAULT 0,
    benched_until TIMESTAMPTZ,
    pages_last_pass INTEGER NOT NULL DEFAULT 0,
    last_pass_at TIMESTAMPTZ,
    last_error TEXT
);

-- When an egress was blocked (status shows the blocks of the last hour).
CREATE TABLE IF NOT EXISTS broadcaster_egress_blocks (
    id BIGSERIAL PRIMARY KEY,
    egress_key TEXT NOT NULL,
    blocked_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    reason TEXT
);
CREATE INDEX IF NOT EXISTS broadcaster_egress_blocks_key_idx ON broadcaster_egress_blocks (egress_key, blocked_at);

-- Counters behind /metrics (broadcaster.counters). Each is added to in the transaction that
-- writes what it counts, and nothing prunes them, so a Prometheus counter never goes down.
CREATE TABLE IF NOT EXISTS broadcaster_counters (
    metric TEXT NOT NULL,
    labels JSONB NOT NULL DEFAULT '{}'::JSONB,
    value BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (metric, labels)
);

-- A point per video whenever a refresh changes its counts; kept COUNT_HISTORY_DAYS.
CREATE TABLE IF NOT EXISTS broadcaster_count_history (
    id BIGSERIAL PRIMARY KEY,
    platform TEXT NOT NULL,
    video_id TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    view_count BIGINT,
    like_count BIGINT
);
CREATE INDEX IF NOT EXISTS broadcaster_count_history_video_idx
    ON broadcaster_count_history (platform, video_id, recorded_at);
CREATE INDEX IF NOT EXISTS broadcaster_count_history_recorded_at_idx ON broadcaster_count_history (recorded_at);

-- Alerts (DESIGN §11): one row per alert firing now, keyed like `callback_host_down:<host>`.
-- Every process evaluates the alerts; the row is what makes each message go out once: the
-- process whose INSERT, UPDATE or DELETE changed it sends the firing, repeat or resolved message.
CREATE TABLE IF NOT EXISTS broadcaster_alerts (
    key TEXT PRIMARY KEY,
    summary TEXT NOT NULL,
    since TIMESTAMPTZ NOT NULL,
    last_sent_at TIMESTAMPTZ NOT NULL
);

-- Each message sent (or due) for an alert, and how its channels took it; kept 7 days.
-- `sent`/`failed` are channel counts, NULL while the message is still being sent.
CREATE TABLE IF NOT EXISTS broadcaster_alert_events (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    sent INTEGER,
    failed INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS broadcaster_alert_events_at_idx ON broadcaster_alert_events (at);

-- Access (DESIGN §12). Who asked for a manual pass (NULL for a scheduled or CLI one).
ALTER TABLE broadcaster_runs ADD COLUMN IF NOT EXISTS triggered_by TEXT;

-- Failed logins per client address, shared by every process and host. `failures` counts
-- within the 15-minute window from `window_started_at`; `block_level` is how many blocks in a
-- row (each doubles the last), forgotten a day after the last block ended.
CREATE TABLE IF NOT EXISTS broadcaster_login_throttle (
    address TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    window_started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    block_level INTEGER NOT NULL DEFAULT 0,
    blocked_until TIMESTAMPTZ
);

-- The audit trail: every state change (refused ones too) and every login block.
CREATE TABLE IF NOT EXISTS broadcaster_audit (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    user_name TEXT,
    role TEXT,
    address TEXT,
    action TEXT NOT NULL,
    target TEXT,
    detail JSONB,
    status INTEGER
);
CREATE INDEX IF NOT EXISTS broadcaster_audit_at_idx ON broadcaster_audit (at);

-- Integrity and delivery insight (DESIGN §13). A read held back as suspect: its numbers and when
-- (broadcaster.integrity); NULL while nothing is held back.
ALTER TABLE broadcaster_videos ADD COLUMN IF NOT EXISTS suspect_views BIGINT;
ALTER TABLE broadcaster_videos ADD COLUMN IF NOT EXISTS suspect_likes BIGINT;
ALTER TABLE broadcaster_videos ADD COLUMN IF NOT EXISTS suspect_at TIMESTAMPTZ;
-- What X2C received: the counts in the body sent and their age (NULL when no body went out), and
-- the callback URL's host as written, set only when a webhook was attempted.
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS views BIGINT;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS likes BIGINT;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS age_s INTEGER;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS callback_host TEXT;
-- GET /api/callback-hosts (broadcaster.hosts): rows by time with what the figures need (index-only
-- scans), each host's newest failure, and the task filter of the log. The first two are partial,
-- so rows written before callback_host existed cost nothing to index.
CREATE INDEX IF NOT EXISTS webhook_logs_callback_time_idx ON webhook_logs (created_at)
    INCLUDE (callback_host, task_id, callback_status, latency_ms, attempts) WHERE callback_host IS NOT NULL;
CREATE INDEX IF NOT EXISTS webhook_logs_callback_host_failed_idx ON webhook_logs (callback_host, created_at)
    WHERE callback_host IS NOT NULL AND callback_status = 'failed';
CREATE INDEX IF NOT EXISTS webhook_logs_task_id_idx ON webhook_logs (task_id, created_at);
-- Closed hours of that log rolled up once, so a week's figures do not rescan 30 million rows:
-- per host, hour and latency (exact percentiles merge from these), each host's tasks with their
-- last delivery, and which hours are done. Pruned with the logs.
CREATE TABLE IF NOT EXISTS broadcaster_host_hours (
    host TEXT NOT NULL,
    hour TIMESTAMP NOT NULL,  -- UTC, like webhook_logs.created_at
    latency_ms INTEGER NOT NULL,  -- -1: none recorded
    deliveries INTEGER NOT NULL,
    delivered INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,  -- HTTP requests, retries within a pass included
    last_success_at TIMESTAMP,
    PRIMARY KEY (host, hour, latency_ms)
);
CREATE INDEX IF NOT EXISTS broadcaster_host_hours_hour_idx ON broadcaster_host_hours (hour);
CREATE TABLE IF NOT EXISTS broadcaster_host_tasks (
    host TEXT NOT NULL,
    task_id INTEGER NOT NULL,
    last_at TIMESTAMP NOT NULL,
    PRIMARY KEY (host, task_id)
);
CREATE TABLE IF NOT EXISTS broadcaster_host_rollups (
    hour TIMESTAMP PRIMARY KEY,
    rolled_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
