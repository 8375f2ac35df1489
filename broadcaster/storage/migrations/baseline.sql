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

-- Counters behind /metrics (broadcaster.storage.counters). Each is added to in the transaction that
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

-- The task list at any size (GET /api/tasks: search, filters and sorts over 100,000 tasks, each
-- answered from drama_tasks alone through its indexes, without joining every task to its video).
-- link_platform: the platform the task's link names, parsed by the service's own URL parser;
-- link_platform_url: the video_url it was parsed from. The bot inserts and edits tasks itself, so
-- a link not parsed yet (or changed since) is found through the partial index and parsed before
-- the list is read (broadcaster.reports.tasklist.fill_link_platforms).
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS link_platform TEXT;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS link_platform_url TEXT;
-- A copy of the task's video's state (broadcaster_videos, through broadcaster_task_videos for
-- the task's current link), for the stats_status filter and the stale and views sorts. Kept by
-- the triggers below whenever a pass writes a video or a link, and by fill_link_platforms when
-- a task's link changes.
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS video_fetch_status TEXT;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS video_fetched_at TIMESTAMPTZ;
ALTER TABLE drama_tasks ADD COLUMN IF NOT EXISTS video_view_count BIGINT;
-- Every pass rewrites each active task's delivery columns (callback_*, in no index): room left on
-- each page lets PostgreSQL write the new row version beside the old one (a HOT update), with no
-- new entry in any of these indexes.
DO $$
BEGIN
    IF NOT 'fillfactor=85' = ANY(COALESCE((SELECT reloptions FROM pg_class WHERE oid = 'drama_tasks'::regclass), '{}')) THEN
        ALTER TABLE drama_tasks SET (fillfactor = 85);  -- only once: it locks out VACUUM meanwhile
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS drama_tasks_link_unparsed_idx
    ON drama_tasks (task_id) WHERE link_platform_url IS DISTINCT FROM video_url;
CREATE INDEX IF NOT EXISTS drama_tasks_external_task_id_idx ON drama_tasks (external_task_id);
CREATE INDEX IF NOT EXISTS drama_tasks_project_id_idx ON drama_tasks (project_id);
-- Title search without pg_trgm: the set of two-character pieces of the lower-cased title, in a
-- GIN index. A title contains the searched text only if it has every piece of the text, so the
-- index narrows 100,000 titles to a few candidates, which strpos then checks; Chinese text,
-- `%` and `_` are characters like any other. (Text of one character has no pieces: a scan.)
-- (PL/pgSQL: ten times faster here than the same in SQL, and it runs for every new row version.
-- The index holds its results: change what it returns only together with a REINDEX.)
CREATE OR REPLACE FUNCTION broadcaster_title_bigrams(title TEXT) RETURNS TEXT[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    lowered TEXT := lower(title);
    pieces TEXT[] := '{}';
BEGIN
    FOR i IN 1 .. char_length(lowered) - 1 LOOP
        pieces := pieces || substr(lowered, i, 2);
    END LOOP;
    RETURN pieces;
END $$;
CREATE INDEX IF NOT EXISTS drama_tasks_title_bigrams_idx ON drama_tasks USING GIN (broadcaster_title_bigrams(title));
CREATE INDEX IF NOT EXISTS drama_tasks_video_fetched_at_idx ON drama_tasks (video_fetched_at, task_id);
CREATE INDEX IF NOT EXISTS drama_tasks_video_view_count_idx
    ON drama_tasks (video_view_count DESC NULLS LAST, task_id DESC);

-- Statement-level: one UPDATE per batch the pass writes, not one per row.
CREATE OR REPLACE FUNCTION broadcaster_copy_video_state() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE drama_tasks d
    SET video_fetch_status = n.fetch_status, video_fetched_at = n.fetched_at, video_view_count = n.view_count
    FROM written_videos n
    JOIN broadcaster_task_videos tv ON tv.platform = n.platform AND tv.video_id = n.video_id
    WHERE d.task_id = tv.task_id AND d.video_url = tv.video_url
      AND (d.video_fetch_status, d.video_fetched_at, d.video_view_count)
          IS DISTINCT FROM (n.fetch_status, n.fetched_at, n.view_count);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION broadcaster_copy_link_state() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE drama_tasks d
    SET video_fetch_status = bv.fetch_status, video_fetched_at = bv.fetched_at, video_view_count = bv.view_count
    FROM written_links tv
    LEFT JOIN broadcaster_videos bv ON bv.platform = tv.platform AND bv.video_id = tv.video_id
    WHERE d.task_id = tv.task_id AND d.video_url = tv.video_url
      AND (d.video_fetch_status, d.video_fetched_at, d.video_view_count)
          IS DISTINCT FROM (bv.fetch_status, bv.fetched_at, bv.view_count);
    RETURN NULL;
END $$;

-- A trigger with a transition table takes one event, hence two of each. CREATE OR REPLACE
-- TRIGGER needs PostgreSQL 14; the bot's server may be older.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'broadcaster_videos_inserted_copy'
                   AND tgrelid = 'broadcaster_videos'::REGCLASS) THEN
        CREATE TRIGGER broadcaster_videos_inserted_copy AFTER INSERT ON broadcaster_videos
            REFERENCING NEW TABLE AS written_videos
            FOR EACH STATEMENT EXECUTE FUNCTION broadcaster_copy_video_state();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'broadcaster_videos_updated_copy'
                   AND tgrelid = 'broadcaster_videos'::REGCLASS) THEN
        CREATE TRIGGER broadcaster_videos_updated_copy AFTER UPDATE ON broadcaster_videos
            REFERENCING NEW TABLE AS written_videos
            FOR EACH STATEMENT EXECUTE FUNCTION broadcaster_copy_video_state();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'broadcaster_task_videos_inserted_copy'
                   AND tgrelid = 'broadcaster_task_videos'::REGCLASS) THEN
        CREATE TRIGGER broadcaster_task_videos_inserted_copy AFTER INSERT ON broadcaster_task_videos
            REFERENCING NEW TABLE AS written_links
            FOR EACH STATEMENT EXECUTE FUNCTION broadcaster_copy_link_state();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'broadcaster_task_videos_updated_copy'
                   AND tgrelid = 'broadcaster_task_videos'::REGCLASS) THEN
        CREATE TRIGGER broadcaster_task_videos_updated_copy AFTER UPDATE ON broadcaster_task_videos
            REFERENCING NEW TABLE AS written_links
            FOR EACH STATEMENT EXECUTE FUNCTION broadcaster_copy_link_state();
    END IF;
END $$;

-- How many tasks have each status, kept by triggers on drama_tasks, so that the task list's
-- totals (共 N 个任务 · 进行中 · 已暂停) cost one small read instead of a scan of every task.
-- A status with no row has no tasks. The pass's own updates (callback_*) do not set status, so
-- the row trigger never fires for them.
CREATE TABLE IF NOT EXISTS broadcaster_task_counts (
    status TEXT PRIMARY KEY,
    tasks BIGINT NOT NULL DEFAULT 0
);

CREATE OR REPLACE FUNCTION broadcaster_count_inserted_tasks() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO broadcaster_task_counts AS c (status, tasks)
    SELECT COALESCE(status, ''), COUNT(*) FROM inserted_tasks GROUP BY 1
    ON CONFLICT (status) DO UPDATE SET tasks = c.tasks + EXCLUDED.tasks;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION broadcaster_count_deleted_tasks() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE broadcaster_task_counts c SET tasks = c.tasks - gone.tasks
    FROM (SELECT COALESCE(status, '') AS status, COUNT(*) AS tasks FROM deleted_tasks GROUP BY 1) gone
    WHERE c.status = gone.status;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION broadcaster_count_status_change() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE broadcaster_task_counts SET tasks = tasks - 1 WHERE status = COALESCE(OLD.status, '');
    INSERT INTO broadcaster_task_counts AS c (status, tasks) VALUES (COALESCE(NEW.status, ''), 1)
    ON CONFLICT (status) DO UPDATE SET tasks = c.tasks + 1;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION broadcaster_count_truncated_tasks() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM broadcaster_task_counts;
    RETURN NULL;
END $$;

-- Counted and armed in one transaction, with writers to drama_tasks held off meanwhile, so no
-- task is counted twice or missed.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'drama_tasks_counted_inserts'
                   AND tgrelid = 'drama_tasks'::REGCLASS) THEN
        LOCK TABLE drama_tasks IN SHARE ROW EXCLUSIVE MODE;
        DELETE FROM broadcaster_task_counts;
        INSERT INTO broadcaster_task_counts (status, tasks)
        SELECT COALESCE(status, ''), COUNT(*) FROM drama_tasks GROUP BY 1;
        CREATE TRIGGER drama_tasks_counted_inserts AFTER INSERT ON drama_tasks
            REFERENCING NEW TABLE AS inserted_tasks
            FOR EACH STATEMENT EXECUTE FUNCTION broadcaster_count_inserted_tasks();
        CREATE TRIGGER drama_tasks_counted_deletes AFTER DELETE ON drama_tasks
            REFERENCING OLD TABLE AS deleted_tasks
            FOR EACH STATEMENT EXECUTE FUNCTION broadcaster_count_deleted_tasks();
        CREATE TRIGGER drama_tasks_counted_status AFTER UPDATE OF status ON drama_tasks
            FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
            EXECUTE FUNCTION broadcaster_count_status_change();
        CREATE TRIGGER drama_tasks_counted_truncate AFTER TRUNCATE ON drama_tasks
            FOR EACH STATEMENT EXECUTE FUNCTION broadcaster_count_truncated_tasks();
    END IF;
END $$;

-- Alerts (docs/operations.md#alerts): one row per alert firing now, keyed like `callback_host_down:<host>`.
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

-- Access (docs/access.md). Who asked for a manual pass (NULL for a scheduled or CLI one).
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

-- Integrity and delivery insight (docs/operations.md#integrity). A read held back as suspect: its numbers and when
-- (broadcaster.engine.integrity); NULL while nothing is held back.
ALTER TABLE broadcaster_videos ADD COLUMN IF NOT EXISTS suspect_views BIGINT;
ALTER TABLE broadcaster_videos ADD COLUMN IF NOT EXISTS suspect_likes BIGINT;
ALTER TABLE broadcaster_videos ADD COLUMN IF NOT EXISTS suspect_at TIMESTAMPTZ;
-- What X2C received: the counts in the body sent and their age (NULL when no body went out), and
-- the callback URL's host as written, set only when a webhook was attempted.
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS views BIGINT;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS likes BIGINT;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS age_s INTEGER;
ALTER TABLE webhook_logs ADD COLUMN IF NOT EXISTS callback_host TEXT;
-- GET /api/callback-hosts (broadcaster.reports.hosts): rows by time with what the figures need (index-only
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
