-- Insight by drama, the daily digest and the sign-in form (docs/architecture.md#insight-by-drama): the broadcaster's own tables
-- for the projects' figures, their hourly totals, the digest's one row per day and the sessions.

-- Each video's figures over its count history, as of the last refresh (broadcaster.reports.projects):
-- views gained over 24 hours and 7 days (the last point in the window minus the first), whether it
-- stalled (read for STALL_DAYS and no views gained in them), and since when it is unavailable.
CREATE TABLE IF NOT EXISTS broadcaster_video_insight (
    platform TEXT NOT NULL,
    video_id TEXT NOT NULL,
    gain_24h BIGINT NOT NULL DEFAULT 0,
    gain_7d BIGINT NOT NULL DEFAULT 0,
    stalled BOOLEAN NOT NULL DEFAULT FALSE,
    unavailable_since TIMESTAMPTZ,  -- '-infinity': unavailable before insight first looked
    PRIMARY KEY (platform, video_id)
);

-- One row per project (the tasks sharing a project_id) with PROJECT's figures, as of the refresh.
CREATE TABLE IF NOT EXISTS broadcaster_projects (
    project_id TEXT PRIMARY KEY,
    sample_title TEXT,
    tasks INTEGER NOT NULL,
    active_tasks INTEGER NOT NULL,
    videos INTEGER NOT NULL,
    unavailable INTEGER NOT NULL,
    stalled INTEGER NOT NULL,
    views BIGINT,
    likes BIGINT,
    yt_views BIGINT,
    tt_views BIGINT,
    gain_24h BIGINT NOT NULL,
    gain_7d BIGINT NOT NULL,
    last_read_at TIMESTAMPTZ
);

-- A project's totals at the end of each closed hour (the chart of GET /api/projects/<id>), from
-- each of its videos' last reading by then; which hours are done. Kept 31 days.
CREATE TABLE IF NOT EXISTS broadcaster_project_hours (
    project_id TEXT NOT NULL,
    hour TIMESTAMPTZ NOT NULL,  -- the hour's start; its point is at its end
    views BIGINT,
    likes BIGINT,
    PRIMARY KEY (project_id, hour)
);
CREATE TABLE IF NOT EXISTS broadcaster_project_rollups (
    hour TIMESTAMPTZ PRIMARY KEY,
    rolled_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- When the figures above were last computed (one row).
CREATE TABLE IF NOT EXISTS broadcaster_insight_state (
    id SMALLINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    as_of TIMESTAMPTZ,
    refresh_ms INTEGER
);
INSERT INTO broadcaster_insight_state (id) VALUES (1) ON CONFLICT DO NOTHING;

-- The daily digest: a row per Beijing day, claimed by the one process that sends it.
CREATE TABLE IF NOT EXISTS broadcaster_digests (
    day DATE PRIMARY KEY,
    claimed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    finished_at TIMESTAMPTZ,
    sent INTEGER,  -- channels that took it; NULL while it is being sent
    failed INTEGER,
    error TEXT
);

-- Sessions of the sign-in form: a hash of the cookie's random token (never the token), the user
-- and when it ends. Signing out deletes the row, so a copied cookie stops working everywhere.
CREATE TABLE IF NOT EXISTS broadcaster_sessions (
    token_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS broadcaster_sessions_expires_at_idx ON broadcaster_sessions (expires_at);
