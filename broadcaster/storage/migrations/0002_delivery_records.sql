-- The record of each delivery and of each failed fetch, in the broadcaster's own tables,
-- partitioned by day (docs/storage.md#records-and-retention). Until now they went into the bot's webhook_logs and
-- broadcaster_error_logs, whose 4-byte ids run out after 45 days at 100,000 tasks and which
-- could only be pruned with DELETE. Those tables get no new rows from here on; what the
-- broadcaster wrote there stays readable beside the records until it ages out.
-- Only new objects: nothing here locks a table of the bot's except for reading.

-- What a record points to instead of repeating it on every row: the task as it was sent (title,
-- project, callback URL and host, link and platform) and what builds its body again byte for
-- byte (body_format, site name, X2C task id, duration; the counts are on the record). A task
-- gains a new row only when one of these changes; the digest (of them all) finds it.
CREATE TABLE broadcaster_delivery_contexts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    digest UUID NOT NULL UNIQUE,
    task_id INTEGER NOT NULL,
    body_format SMALLINT NOT NULL,
    x2c_task_id BIGINT NOT NULL,
    duration INTEGER,
    last_used_on DATE NOT NULL,  -- the newest day a record points here: older ones are pruned
    site_name TEXT NOT NULL,
    platform TEXT,
    title TEXT,
    project_id TEXT,
    callback_url TEXT,
    callback_host TEXT,
    video_url TEXT
);

-- Ids continue above the bot's webhook_logs ids, so that the log reads one id order across the
-- records moved here and those written there before.
CREATE SEQUENCE broadcaster_deliveries_id_seq AS BIGINT;
SELECT setval('broadcaster_deliveries_id_seq', COALESCE((SELECT MAX(id) FROM webhook_logs), 0) + 1, false);

-- One row per task per pass. Columns are ordered widest first so that no byte is lost to
-- alignment; a row is about 104 bytes. Times are UTC without a zone, like webhook_logs'.
CREATE TABLE broadcaster_deliveries (
    created_at TIMESTAMP NOT NULL,
    id BIGINT NOT NULL DEFAULT nextval('broadcaster_deliveries_id_seq'),
    run_id BIGINT,
    context_id BIGINT NOT NULL,
    views BIGINT,  -- the counts in the body (NULL: not in it)
    likes BIGINT,
    task_id INTEGER NOT NULL,
    latency_ms INTEGER,
    age_s INTEGER,  -- how old those counts were when they went out (NULL: nothing went out)
    batch_lead INTEGER,  -- the first task of a request carrying several (NULL: a request of its own)
    http_status SMALLINT,
    attempts SMALLINT NOT NULL,
    shard_no SMALLINT,
    delivered BOOLEAN NOT NULL,
    attempted BOOLEAN NOT NULL,  -- a webhook was tried: its body is rebuilt from the context
    error TEXT
) PARTITION BY RANGE (created_at);
ALTER SEQUENCE broadcaster_deliveries_id_seq OWNED BY broadcaster_deliveries.id;
-- Rows of one batch share created_at and rows of one task share task_id, so both indexes keep
-- their keys deduplicated: a few bytes per row. The failures' index holds failures only.
CREATE INDEX broadcaster_deliveries_created_at_idx ON broadcaster_deliveries (created_at);
CREATE INDEX broadcaster_deliveries_task_idx ON broadcaster_deliveries (task_id);
CREATE INDEX broadcaster_deliveries_failed_idx ON broadcaster_deliveries (created_at) WHERE NOT delivered;

-- One row per task whose video could not be read in a pass.
CREATE TABLE broadcaster_fetch_failures (
    created_at TIMESTAMP NOT NULL,
    run_id BIGINT,
    context_id BIGINT NOT NULL,
    task_id INTEGER NOT NULL,
    shard_no SMALLINT,
    error_type TEXT NOT NULL,
    message TEXT
) PARTITION BY RANGE (created_at);
CREATE INDEX broadcaster_fetch_failures_created_at_idx ON broadcaster_fetch_failures (created_at);

-- Whether rows the broadcaster wrote into the bot's logs remain: while they do, the webhook log
-- reads them beside the records (broadcaster.storage.queries.records); pruning clears it when none do.
CREATE TABLE broadcaster_storage (
    id SMALLINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    legacy_logs BOOLEAN NOT NULL
);
INSERT INTO broadcaster_storage (legacy_logs)
VALUES (EXISTS (SELECT 1 FROM webhook_logs WHERE run_id IS NOT NULL)
        OR EXISTS (SELECT 1 FROM broadcaster_error_logs WHERE run_id IS NOT NULL));

-- The last failure of each callback host in each closed hour, rolled up with broadcaster_host_hours
-- (GET /api/callback-hosts' last_error without scanning every failure of the window).
CREATE TABLE broadcaster_host_errors (
    host TEXT NOT NULL,
    hour TIMESTAMP NOT NULL,
    at TIMESTAMP NOT NULL,
    error TEXT,
    PRIMARY KEY (host, hour)
);
