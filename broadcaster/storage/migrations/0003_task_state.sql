-- migrate: per-statement
--
-- The broadcaster's own state of each task moves out of drama_tasks into broadcaster_tasks: the
-- platform its link names, and a copy of its video's state (the task list's filters and sorts).
-- That copy changes whenever a pass reads the video, and its columns had indexes on drama_tasks:
-- every pass rewrote the bot's rows with new index entries. Now a pass writes to drama_tasks only
-- the callback columns, in no index, so those updates stay HOT.
--
-- Each statement runs in its own short transaction and is idempotent, so a run cut short is just
-- run again. Only two take a lock the bot's statements queue behind, each for milliseconds and
-- never waiting more than the migrator's lock timeout: creating the triggers, dropping the columns.

-- No index on the copy of the video's state: a pass rewrites it, and fillfactor leaves room on
-- the page for those updates to stay HOT (the task list sorts it without an index).
CREATE TABLE IF NOT EXISTS broadcaster_tasks (
    task_id INTEGER PRIMARY KEY,
    video_fetched_at TIMESTAMPTZ,
    video_view_count BIGINT,
    link_url TEXT,  -- the drama_tasks.video_url parsed ('' for none); NULL: to be parsed
    link_platform TEXT,
    video_fetch_status TEXT
) WITH (fillfactor = 80);

-- The tasks whose link is to be parsed (broadcaster.reports.tasklist.fill_link_platforms): few at a time.
CREATE INDEX IF NOT EXISTS broadcaster_tasks_unparsed_idx ON broadcaster_tasks (task_id) WHERE link_url IS NULL;

-- The bot inserts tasks and edits their links itself; these mark them to be parsed. They run as
-- their owner (SECURITY DEFINER): the bot's own database role need not be granted our tables.
CREATE OR REPLACE FUNCTION broadcaster_track_inserted_tasks() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO broadcaster_tasks (task_id) SELECT task_id FROM inserted_tasks
    ON CONFLICT (task_id) DO UPDATE SET link_url = NULL;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION broadcaster_track_link_change() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO broadcaster_tasks (task_id) VALUES (NEW.task_id)
    ON CONFLICT (task_id) DO UPDATE SET link_url = NULL;
    RETURN NULL;
END $$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'drama_tasks_tracked_inserts'
                   AND tgrelid = 'drama_tasks'::REGCLASS) THEN
        CREATE TRIGGER drama_tasks_tracked_inserts AFTER INSERT ON drama_tasks
            REFERENCING NEW TABLE AS inserted_tasks
            FOR EACH STATEMENT EXECUTE FUNCTION broadcaster_track_inserted_tasks();
        CREATE TRIGGER drama_tasks_tracked_links AFTER UPDATE OF video_url ON drama_tasks
            FOR EACH ROW WHEN (OLD.video_url IS DISTINCT FROM NEW.video_url)
            EXECUTE FUNCTION broadcaster_track_link_change();
    END IF;
END $$;

-- Every task gets its row (after the triggers exist, so none is missed), with what drama_tasks
-- already holds where its link was parsed as it is now.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'drama_tasks'::REGCLASS AND attname = 'link_platform_url'
               AND NOT attisdropped) THEN
        INSERT INTO broadcaster_tasks (task_id, link_url, link_platform, video_fetch_status, video_fetched_at,
                                       video_view_count)
        SELECT task_id, CASE WHEN link_platform_url IS NOT DISTINCT FROM video_url THEN COALESCE(video_url, '') END,
               link_platform, video_fetch_status, video_fetched_at, video_view_count
        FROM drama_tasks
        ON CONFLICT (task_id) DO NOTHING;
    ELSE
        INSERT INTO broadcaster_tasks (task_id) SELECT task_id FROM drama_tasks ON CONFLICT (task_id) DO NOTHING;
    END IF;
END $$;

-- A pass writes a video's state or a task's link: the copy on the tasks showing that video follows.
-- Statement-level: one UPDATE per batch the pass writes, not one per row.
CREATE OR REPLACE FUNCTION broadcaster_copy_video_state() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE broadcaster_tasks s
    SET video_fetch_status = n.fetch_status, video_fetched_at = n.fetched_at, video_view_count = n.view_count
    FROM written_videos n
    JOIN broadcaster_task_videos tv ON tv.platform = n.platform AND tv.video_id = n.video_id
    JOIN drama_tasks d ON d.task_id = tv.task_id AND d.video_url = tv.video_url
    WHERE s.task_id = tv.task_id
      AND (s.video_fetch_status, s.video_fetched_at, s.video_view_count)
          IS DISTINCT FROM (n.fetch_status, n.fetched_at, n.view_count);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION broadcaster_copy_link_state() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE broadcaster_tasks s
    SET video_fetch_status = bv.fetch_status, video_fetched_at = bv.fetched_at, video_view_count = bv.view_count
    FROM written_links tv
    JOIN drama_tasks d ON d.task_id = tv.task_id AND d.video_url = tv.video_url
    LEFT JOIN broadcaster_videos bv ON bv.platform = tv.platform AND bv.video_id = tv.video_id
    WHERE s.task_id = tv.task_id
      AND (s.video_fetch_status, s.video_fetched_at, s.video_view_count)
          IS DISTINCT FROM (bv.fetch_status, bv.fetched_at, bv.view_count);
    RETURN NULL;
END $$;

-- The task counts' triggers (0001) run as their owner too, like the new ones.
ALTER FUNCTION broadcaster_count_inserted_tasks() SECURITY DEFINER SET search_path FROM CURRENT;
ALTER FUNCTION broadcaster_count_deleted_tasks() SECURITY DEFINER SET search_path FROM CURRENT;
ALTER FUNCTION broadcaster_count_status_change() SECURITY DEFINER SET search_path FROM CURRENT;
ALTER FUNCTION broadcaster_count_truncated_tasks() SECURITY DEFINER SET search_path FROM CURRENT;

-- What the broadcaster added to drama_tasks for the task list goes (their indexes with them).
ALTER TABLE drama_tasks
    DROP COLUMN IF EXISTS link_platform, DROP COLUMN IF EXISTS link_platform_url,
    DROP COLUMN IF EXISTS video_fetch_status, DROP COLUMN IF EXISTS video_fetched_at,
    DROP COLUMN IF EXISTS video_view_count;
