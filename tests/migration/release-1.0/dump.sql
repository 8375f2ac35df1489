--
-- PostgreSQL database dump
--

\restrict bqDfnIFq26w2NBHOCAE48D0w8JXl80YNMMaDcwOOZDhefdlxTtlRT6mjbyQxoQZ

-- Dumped from database version 18.4
-- Dumped by pg_dump version 18.4

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: broadcaster_copy_link_state(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.broadcaster_copy_link_state() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: broadcaster_copy_video_state(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.broadcaster_copy_video_state() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: broadcaster_count_deleted_tasks(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.broadcaster_count_deleted_tasks() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE broadcaster_task_counts c SET tasks = c.tasks - gone.tasks
    FROM (SELECT COALESCE(status, '') AS status, COUNT(*) AS tasks FROM deleted_tasks GROUP BY 1) gone
    WHERE c.status = gone.status;
    RETURN NULL;
END $$;


--
-- Name: broadcaster_count_inserted_tasks(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.broadcaster_count_inserted_tasks() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO broadcaster_task_counts AS c (status, tasks)
    SELECT COALESCE(status, ''), COUNT(*) FROM inserted_tasks GROUP BY 1
    ON CONFLICT (status) DO UPDATE SET tasks = c.tasks + EXCLUDED.tasks;
    RETURN NULL;
END $$;


--
-- Name: broadcaster_count_status_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.broadcaster_count_status_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE broadcaster_task_counts SET tasks = tasks - 1 WHERE status = COALESCE(OLD.status, '');
    INSERT INTO broadcaster_task_counts AS c (status, tasks) VALUES (COALESCE(NEW.status, ''), 1)
    ON CONFLICT (status) DO UPDATE SET tasks = c.tasks + 1;
    RETURN NULL;
END $$;


--
-- Name: broadcaster_count_truncated_tasks(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.broadcaster_count_truncated_tasks() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM broadcaster_task_counts;
    RETURN NULL;
END $$;


--
-- Name: broadcaster_title_bigrams(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.broadcaster_title_bigrams(title text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    lowered TEXT := lower(title);
    pieces TEXT[] := '{}';
BEGIN
    FOR i IN 1 .. char_length(lowered) - 1 LOOP
        pieces := pieces || substr(lowered, i, 2);
    END LOOP;
    RETURN pieces;
END $$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: broadcaster_alert_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_alert_events (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    key text NOT NULL,
    kind text NOT NULL,
    summary text NOT NULL,
    sent integer,
    failed integer,
    error text
);


--
-- Name: broadcaster_alert_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.broadcaster_alert_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: broadcaster_alert_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.broadcaster_alert_events_id_seq OWNED BY public.broadcaster_alert_events.id;


--
-- Name: broadcaster_alerts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_alerts (
    key text NOT NULL,
    summary text NOT NULL,
    since timestamp with time zone NOT NULL,
    last_sent_at timestamp with time zone NOT NULL
);


--
-- Name: broadcaster_audit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_audit (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    user_name text,
    role text,
    address text,
    action text NOT NULL,
    target text,
    detail jsonb,
    status integer
);


--
-- Name: broadcaster_audit_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.broadcaster_audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: broadcaster_audit_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.broadcaster_audit_id_seq OWNED BY public.broadcaster_audit.id;


--
-- Name: broadcaster_count_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_count_history (
    id bigint NOT NULL,
    platform text NOT NULL,
    video_id text NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    view_count bigint,
    like_count bigint
);


--
-- Name: broadcaster_count_history_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.broadcaster_count_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: broadcaster_count_history_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.broadcaster_count_history_id_seq OWNED BY public.broadcaster_count_history.id;


--
-- Name: broadcaster_counters; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_counters (
    metric text NOT NULL,
    labels jsonb DEFAULT '{}'::jsonb NOT NULL,
    value bigint DEFAULT 0 NOT NULL
);


--
-- Name: broadcaster_egress; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_egress (
    egress_key text NOT NULL,
    platform text NOT NULL,
    label text NOT NULL,
    bench_level integer DEFAULT 0 NOT NULL,
    benched_until timestamp with time zone,
    pages_last_pass integer DEFAULT 0 NOT NULL,
    last_pass_at timestamp with time zone,
    last_error text
);


--
-- Name: broadcaster_egress_blocks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_egress_blocks (
    id bigint NOT NULL,
    egress_key text NOT NULL,
    blocked_at timestamp with time zone DEFAULT now() NOT NULL,
    reason text
);


--
-- Name: broadcaster_egress_blocks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.broadcaster_egress_blocks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: broadcaster_egress_blocks_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.broadcaster_egress_blocks_id_seq OWNED BY public.broadcaster_egress_blocks.id;


--
-- Name: broadcaster_error_logs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_error_logs (
    id integer NOT NULL,
    task_id integer,
    task_title text,
    project_id text,
    video_url text,
    platform text,
    error_type text,
    error_message text,
    callback_url text,
    created_at timestamp without time zone DEFAULT now(),
    run_id bigint,
    shard_no integer
);


--
-- Name: broadcaster_error_logs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.broadcaster_error_logs_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: broadcaster_error_logs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.broadcaster_error_logs_id_seq OWNED BY public.broadcaster_error_logs.id;


--
-- Name: broadcaster_helpers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_helpers (
    runner text NOT NULL,
    seen_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: broadcaster_host_hours; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_host_hours (
    host text NOT NULL,
    hour timestamp without time zone NOT NULL,
    latency_ms integer NOT NULL,
    deliveries integer NOT NULL,
    delivered integer NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_success_at timestamp without time zone
);


--
-- Name: broadcaster_host_rollups; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_host_rollups (
    hour timestamp without time zone NOT NULL,
    rolled_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: broadcaster_host_tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_host_tasks (
    host text NOT NULL,
    task_id integer NOT NULL,
    last_at timestamp without time zone NOT NULL
);


--
-- Name: broadcaster_login_throttle; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_login_throttle (
    address text NOT NULL,
    failures integer DEFAULT 0 NOT NULL,
    window_started_at timestamp with time zone DEFAULT now() NOT NULL,
    block_level integer DEFAULT 0 NOT NULL,
    blocked_until timestamp with time zone
);


--
-- Name: broadcaster_pass_allowance; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_pass_allowance (
    run_id bigint NOT NULL,
    name text NOT NULL,
    remaining integer DEFAULT 0 NOT NULL,
    note text
);


--
-- Name: broadcaster_pass_egress; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_pass_egress (
    run_id bigint NOT NULL,
    egress_key text NOT NULL,
    platform text NOT NULL,
    "position" integer NOT NULL,
    budget integer,
    used integer DEFAULT 0 NOT NULL,
    spacing_s double precision DEFAULT 0 NOT NULL,
    next_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: broadcaster_pass_slots; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_pass_slots (
    run_id bigint NOT NULL,
    slot_no integer NOT NULL,
    runner text,
    seen_at timestamp with time zone
);


--
-- Name: broadcaster_quota; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_quota (
    day date NOT NULL,
    units_used integer DEFAULT 0 NOT NULL,
    exhausted boolean DEFAULT false NOT NULL
);


--
-- Name: broadcaster_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_runs (
    id bigint NOT NULL,
    trigger text NOT NULL,
    status text NOT NULL,
    slot_key text,
    runner text,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    heartbeat_at timestamp with time zone DEFAULT now() NOT NULL,
    total integer DEFAULT 0 NOT NULL,
    done integer DEFAULT 0 NOT NULL,
    success_count integer DEFAULT 0 NOT NULL,
    failed_count integer DEFAULT 0 NOT NULL,
    cancel_requested boolean DEFAULT false NOT NULL,
    error text,
    freshness jsonb,
    scope text DEFAULT 'all'::text NOT NULL,
    task_ids integer[],
    slots integer DEFAULT 1 NOT NULL,
    plan jsonb,
    triggered_by text
);


--
-- Name: broadcaster_runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.broadcaster_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: broadcaster_runs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.broadcaster_runs_id_seq OWNED BY public.broadcaster_runs.id;


--
-- Name: broadcaster_shards; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_shards (
    run_id bigint NOT NULL,
    shard_no integer NOT NULL,
    lo_key text,
    hi_key text,
    status text DEFAULT 'pending'::text NOT NULL,
    runner text,
    attempts integer DEFAULT 0 NOT NULL,
    heartbeat_at timestamp with time zone,
    total integer DEFAULT 0 NOT NULL,
    done integer DEFAULT 0 NOT NULL,
    success_count integer DEFAULT 0 NOT NULL,
    ages jsonb
);


--
-- Name: broadcaster_state; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_state (
    id smallint DEFAULT 1 NOT NULL,
    enabled boolean DEFAULT false NOT NULL,
    enabled_at timestamp with time zone,
    changed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT broadcaster_state_id_check CHECK ((id = 1))
);


--
-- Name: broadcaster_task_counts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_task_counts (
    status text NOT NULL,
    tasks bigint DEFAULT 0 NOT NULL
);


--
-- Name: broadcaster_task_videos; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_task_videos (
    task_id integer NOT NULL,
    video_url text NOT NULL,
    platform text,
    video_id text,
    handle text,
    error text,
    resolved_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: broadcaster_tikhub_usage; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_tikhub_usage (
    day date NOT NULL,
    requests_used integer DEFAULT 0 NOT NULL
);


--
-- Name: broadcaster_videos; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broadcaster_videos (
    platform text NOT NULL,
    video_id text NOT NULL,
    view_count bigint,
    like_count bigint,
    fetch_status text,
    reason text,
    fetched_at timestamp with time zone,
    attempted_at timestamp with time zone,
    suspect_views bigint,
    suspect_likes bigint,
    suspect_at timestamp with time zone
);


--
-- Name: drama_tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.drama_tasks (
    task_id integer NOT NULL,
    external_task_id integer,
    project_id text,
    title text,
    status text DEFAULT 'active'::text,
    video_url text,
    duration integer,
    callback_url text,
    callback_secret text,
    callback_status text DEFAULT 'pending'::text,
    callback_retry_count integer DEFAULT 0,
    callback_last_attempt timestamp without time zone,
    created_at timestamp without time zone DEFAULT now(),
    link_platform text,
    link_platform_url text,
    video_fetch_status text,
    video_fetched_at timestamp with time zone,
    video_view_count bigint
)
WITH (fillfactor='85');


--
-- Name: drama_tasks_task_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.drama_tasks_task_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: drama_tasks_task_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.drama_tasks_task_id_seq OWNED BY public.drama_tasks.task_id;


--
-- Name: webhook_logs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_logs (
    id integer NOT NULL,
    task_id integer,
    task_title text,
    project_id text,
    callback_url text,
    callback_status text,
    payload jsonb,
    created_at timestamp without time zone DEFAULT now(),
    run_id bigint,
    webhook_id text,
    http_status integer,
    attempts integer,
    latency_ms integer,
    error text,
    shard_no integer,
    views bigint,
    likes bigint,
    age_s integer,
    callback_host text
);


--
-- Name: webhook_logs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.webhook_logs_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: webhook_logs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.webhook_logs_id_seq OWNED BY public.webhook_logs.id;


--
-- Name: broadcaster_alert_events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_alert_events ALTER COLUMN id SET DEFAULT nextval('public.broadcaster_alert_events_id_seq'::regclass);


--
-- Name: broadcaster_audit id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_audit ALTER COLUMN id SET DEFAULT nextval('public.broadcaster_audit_id_seq'::regclass);


--
-- Name: broadcaster_count_history id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_count_history ALTER COLUMN id SET DEFAULT nextval('public.broadcaster_count_history_id_seq'::regclass);


--
-- Name: broadcaster_egress_blocks id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_egress_blocks ALTER COLUMN id SET DEFAULT nextval('public.broadcaster_egress_blocks_id_seq'::regclass);


--
-- Name: broadcaster_error_logs id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_error_logs ALTER COLUMN id SET DEFAULT nextval('public.broadcaster_error_logs_id_seq'::regclass);


--
-- Name: broadcaster_runs id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_runs ALTER COLUMN id SET DEFAULT nextval('public.broadcaster_runs_id_seq'::regclass);


--
-- Name: drama_tasks task_id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.drama_tasks ALTER COLUMN task_id SET DEFAULT nextval('public.drama_tasks_task_id_seq'::regclass);


--
-- Name: webhook_logs id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_logs ALTER COLUMN id SET DEFAULT nextval('public.webhook_logs_id_seq'::regclass);


--
-- Data for Name: broadcaster_alert_events; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: broadcaster_alerts; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: broadcaster_audit; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_audit VALUES (1, '2026-12-07 09:29:00.24428+00', 'token', 'operator', '127.0.0.1', 'start', 'service', '{"changes": {"running": [false, true]}, "message": "分发数据回传服务已启动，每3分钟自动回传一次"}', 200);
INSERT INTO public.broadcaster_audit VALUES (2, '2026-12-07 09:29:00.24606+00', 'token', 'operator', '127.0.0.1', 'stop', 'service', '{"changes": {"running": [true, false]}, "message": "分发数据回传服务已停止"}', 200);
INSERT INTO public.broadcaster_audit VALUES (3, '2026-12-07 09:29:02.252229+00', 'token', 'operator', '127.0.0.1', 'trigger', 'run:5', '{"run_id": 5, "task_ids": null}', 200);
INSERT INTO public.broadcaster_audit VALUES (4, '2026-12-07 09:29:02.256807+00', 'token', 'operator', '127.0.0.1', 'task_create', 'task:7', '{"changes": {"title": [null, "新登记的任务"], "status": [null, "active"], "video_url": [null, "https://youtu.be/dQw4w9WgXcQ"], "callback_url": [null, "http://127.0.0.1:45405/x2c/pool"], "has_callback_secret": [null, false]}}', 201);


--
-- Data for Name: broadcaster_count_history; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_count_history VALUES (1, 'youtube', 'dQw4w9WgXcQ', '2026-12-07 06:28:54.41997+00', 12500, 680);
INSERT INTO public.broadcaster_count_history VALUES (2, 'youtube', 'aaaaaaaaaaA', '2026-12-07 06:28:54.41997+00', 900, 12);
INSERT INTO public.broadcaster_count_history VALUES (3, 'douyin', '7535852404919586100', '2026-12-07 06:28:54.41997+00', NULL, 7007);
INSERT INTO public.broadcaster_count_history VALUES (4, 'tiktok', '7504044860782021930', '2026-12-07 06:28:54.41997+00', 1776621, 22609);
INSERT INTO public.broadcaster_count_history VALUES (5, 'douyin', '7535852404919586100', '2026-12-07 06:28:55.969308+00', NULL, 7017);
INSERT INTO public.broadcaster_count_history VALUES (6, 'youtube', 'dQw4w9WgXcQ', '2026-12-07 06:28:55.969308+00', 13500, 690);
INSERT INTO public.broadcaster_count_history VALUES (7, 'youtube', 'aaaaaaaaaaA', '2026-12-07 06:28:55.969308+00', 1900, 22);
INSERT INTO public.broadcaster_count_history VALUES (8, 'tiktok', '7504044860782021930', '2026-12-07 06:28:55.969308+00', 1777621, 22619);
INSERT INTO public.broadcaster_count_history VALUES (9, 'douyin', '7535852404919586100', '2026-12-07 09:28:57.675647+00', NULL, 7027);
INSERT INTO public.broadcaster_count_history VALUES (10, 'tiktok', '7504044860782021930', '2026-12-07 09:28:57.675647+00', 1778621, 22629);
INSERT INTO public.broadcaster_count_history VALUES (11, 'youtube', 'dQw4w9WgXcQ', '2026-12-07 09:28:57.675647+00', 14500, 700);
INSERT INTO public.broadcaster_count_history VALUES (12, 'youtube', 'aaaaaaaaaaA', '2026-12-07 09:28:57.675647+00', 2900, 32);
INSERT INTO public.broadcaster_count_history VALUES (13, 'douyin', '7535852404919586100', '2026-12-07 09:28:59.320595+00', NULL, 7037);
INSERT INTO public.broadcaster_count_history VALUES (14, 'tiktok', '7504044860782021930', '2026-12-07 09:28:59.320595+00', 1779621, 22639);
INSERT INTO public.broadcaster_count_history VALUES (15, 'youtube', 'aaaaaaaaaaA', '2026-12-07 09:28:59.320595+00', 3900, 42);
INSERT INTO public.broadcaster_count_history VALUES (16, 'youtube', 'dQw4w9WgXcQ', '2026-12-07 09:28:59.320595+00', 15500, 710);
INSERT INTO public.broadcaster_count_history VALUES (17, 'youtube', 'aaaaaaaaaaA', '2026-12-03 09:29:00.230579+00', 100, 0);
INSERT INTO public.broadcaster_count_history VALUES (18, 'youtube', 'aaaaaaaaaaA', '2026-12-03 09:49:00.230579+00', 101, 1);
INSERT INTO public.broadcaster_count_history VALUES (19, 'youtube', 'aaaaaaaaaaA', '2026-12-03 10:09:00.230579+00', 102, 2);
INSERT INTO public.broadcaster_count_history VALUES (20, 'youtube', 'aaaaaaaaaaA', '2026-12-03 10:29:00.230579+00', 103, 3);
INSERT INTO public.broadcaster_count_history VALUES (21, 'youtube', 'aaaaaaaaaaA', '2026-12-03 10:49:00.230579+00', 104, 4);
INSERT INTO public.broadcaster_count_history VALUES (22, 'youtube', 'aaaaaaaaaaA', '2026-12-03 11:09:00.230579+00', 105, 5);
INSERT INTO public.broadcaster_count_history VALUES (23, 'youtube', 'aaaaaaaaaaA', '2026-12-03 11:29:00.230579+00', 106, 6);
INSERT INTO public.broadcaster_count_history VALUES (24, 'youtube', 'aaaaaaaaaaA', '2026-12-03 11:49:00.230579+00', 107, 7);
INSERT INTO public.broadcaster_count_history VALUES (25, 'youtube', 'aaaaaaaaaaA', '2026-12-03 12:09:00.230579+00', 108, 8);
INSERT INTO public.broadcaster_count_history VALUES (26, 'youtube', 'aaaaaaaaaaA', '2026-12-03 12:29:00.230579+00', 109, 9);
INSERT INTO public.broadcaster_count_history VALUES (27, 'youtube', 'aaaaaaaaaaA', '2026-12-03 12:49:00.230579+00', 110, 10);
INSERT INTO public.broadcaster_count_history VALUES (28, 'youtube', 'aaaaaaaaaaA', '2026-12-03 13:09:00.230579+00', 111, 11);


--
-- Data for Name: broadcaster_counters; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_counters VALUES ('broadcaster_runs', '{"status": "succeeded", "trigger": "cli"}', 4);
INSERT INTO public.broadcaster_counters VALUES ('broadcaster_fetches', '{"status": "ok", "platform": "douyin"}', 5);
INSERT INTO public.broadcaster_counters VALUES ('broadcaster_fetches', '{"status": "ok", "platform": "tiktok"}', 5);
INSERT INTO public.broadcaster_counters VALUES ('broadcaster_fetches', '{"status": "ok", "platform": "youtube"}', 10);
INSERT INTO public.broadcaster_counters VALUES ('broadcaster_fetches', '{"status": "unavailable", "platform": "youtube"}', 5);
INSERT INTO public.broadcaster_counters VALUES ('broadcaster_task_deliveries', '{"result": "success"}', 20);
INSERT INTO public.broadcaster_counters VALUES ('broadcaster_task_deliveries', '{"result": "failed"}', 10);
INSERT INTO public.broadcaster_counters VALUES ('broadcaster_runs', '{"status": "succeeded", "trigger": "manual"}', 1);


--
-- Data for Name: broadcaster_egress; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_egress VALUES ('youtube:direct', 'youtube', 'direct', 0, NULL, 3, '2026-12-07 09:29:02.070298+00', NULL);
INSERT INTO public.broadcaster_egress VALUES ('tiktok:direct', 'tiktok', 'direct', 0, NULL, 1, '2026-12-07 09:29:02.070298+00', NULL);
INSERT INTO public.broadcaster_egress VALUES ('douyin:direct', 'douyin', 'direct', 0, NULL, 1, '2026-12-07 09:29:02.070298+00', NULL);


--
-- Data for Name: broadcaster_egress_blocks; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: broadcaster_error_logs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_error_logs VALUES (1, 6, '已删除的视频', 'p-3', 'https://youtu.be/bbbbbbbbbbE', 'youtube', 'unavailable', '视频不存在或已删除 (ERROR: This video has been removed by the uploader / This video is no longer available because the YouTube account associated with this video has been terminated.)', 'http://127.0.0.1:45405/x2c/pool', '2026-12-07 06:28:54.41997', 1, NULL);
INSERT INTO public.broadcaster_error_logs VALUES (2, 6, '已删除的视频', 'p-3', 'https://youtu.be/bbbbbbbbbbE', 'youtube', 'unavailable', '视频不存在或已删除 (ERROR: This video has been removed by the uploader / This video is no longer available because the YouTube account associated with this video has been terminated.)', 'http://127.0.0.1:45405/x2c/pool', '2026-12-07 06:28:55.969308', 2, NULL);
INSERT INTO public.broadcaster_error_logs VALUES (3, 6, '已删除的视频', 'p-3', 'https://youtu.be/bbbbbbbbbbE', 'youtube', 'unavailable', '视频不存在或已删除 (ERROR: This video has been removed by the uploader / This video is no longer available because the YouTube account associated with this video has been terminated.)', 'http://127.0.0.1:45405/x2c/pool', '2026-12-07 09:28:57.675647', 3, NULL);
INSERT INTO public.broadcaster_error_logs VALUES (4, 6, '已删除的视频', 'p-3', 'https://youtu.be/bbbbbbbbbbE', 'youtube', 'unavailable', '视频不存在或已删除 (ERROR: This video has been removed by the uploader / This video is no longer available because the YouTube account associated with this video has been terminated.)', 'http://127.0.0.1:45405/x2c/pool', '2026-12-07 09:28:59.320595', 4, NULL);
INSERT INTO public.broadcaster_error_logs VALUES (5, 6, '已删除的视频', 'p-3', 'https://youtu.be/bbbbbbbbbbE', 'youtube', 'unavailable', '视频不存在或已删除 (ERROR: This video has been removed by the uploader / This video is no longer available because the YouTube account associated with this video has been terminated.)', 'http://127.0.0.1:45405/x2c/pool', '2026-12-07 09:29:01.10157', 5, NULL);


--
-- Data for Name: broadcaster_helpers; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: broadcaster_host_hours; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_host_hours VALUES ('127.0.0.1', '2026-12-07 06:00:00', 0, 2, 2, 2, '2026-12-07 06:28:55.969308');
INSERT INTO public.broadcaster_host_hours VALUES ('127.0.0.1', '2026-12-07 06:00:00', 2, 1, 1, 1, '2026-12-07 06:28:55.969308');
INSERT INTO public.broadcaster_host_hours VALUES ('127.0.0.1', '2026-12-07 06:00:00', 13, 1, 1, 1, '2026-12-07 06:28:54.41997');
INSERT INTO public.broadcaster_host_hours VALUES ('127.0.0.1', '2026-12-07 06:00:00', 1310, 1, 0, 3, NULL);
INSERT INTO public.broadcaster_host_hours VALUES ('127.0.0.1', '2026-12-07 06:00:00', 1681, 1, 0, 3, NULL);
INSERT INTO public.broadcaster_host_hours VALUES ('localhost', '2026-12-07 06:00:00', 0, 1, 1, 1, '2026-12-07 06:28:55.969308');
INSERT INTO public.broadcaster_host_hours VALUES ('localhost', '2026-12-07 06:00:00', 1, 1, 1, 1, '2026-12-07 06:28:55.969308');
INSERT INTO public.broadcaster_host_hours VALUES ('localhost', '2026-12-07 06:00:00', 2, 1, 1, 1, '2026-12-07 06:28:54.41997');
INSERT INTO public.broadcaster_host_hours VALUES ('localhost', '2026-12-07 06:00:00', 9, 1, 1, 1, '2026-12-07 06:28:54.41997');


--
-- Data for Name: broadcaster_host_rollups; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_host_rollups VALUES ('2026-12-07 06:00:00', '2026-12-07 09:29:00.232039+00');
INSERT INTO public.broadcaster_host_rollups VALUES ('2026-12-07 07:00:00', '2026-12-07 09:29:00.233072+00');
INSERT INTO public.broadcaster_host_rollups VALUES ('2026-12-07 08:00:00', '2026-12-07 09:29:00.233485+00');


--
-- Data for Name: broadcaster_host_tasks; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_host_tasks VALUES ('127.0.0.1', 1, '2026-12-07 06:28:55.969308');
INSERT INTO public.broadcaster_host_tasks VALUES ('127.0.0.1', 4, '2026-12-07 06:28:55.969308');
INSERT INTO public.broadcaster_host_tasks VALUES ('127.0.0.1', 5, '2026-12-07 06:28:57.15435');
INSERT INTO public.broadcaster_host_tasks VALUES ('localhost', 2, '2026-12-07 06:28:55.969308');
INSERT INTO public.broadcaster_host_tasks VALUES ('localhost', 3, '2026-12-07 06:28:55.969308');


--
-- Data for Name: broadcaster_login_throttle; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: broadcaster_pass_allowance; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: broadcaster_pass_egress; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: broadcaster_pass_slots; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: broadcaster_quota; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: broadcaster_runs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_runs VALUES (5, 'manual', 'succeeded', NULL, 'vm:3900', '2026-12-07 09:29:00.247054+00', '2026-12-07 09:29:02.076778+00', '2026-12-07 09:29:02.076778+00', 6, 6, 4, 2, false, NULL, '{"douyin": {"tasks": 1, "videos": 1, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 1}, "tiktok": {"tasks": 1, "videos": 1, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 1}, "youtube": {"tasks": 3, "videos": 3, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 3}}', 'all', NULL, 1, NULL, 'token');
INSERT INTO public.broadcaster_runs VALUES (1, 'cli', 'succeeded', NULL, 'vm:3900', '2026-12-07 06:28:53.905185+00', '2026-12-07 06:28:55.456823+00', '2026-12-07 06:28:55.456823+00', 6, 6, 4, 2, false, NULL, '{"douyin": {"tasks": 1, "videos": 1, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 1}, "tiktok": {"tasks": 1, "videos": 1, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 1}, "youtube": {"tasks": 3, "videos": 3, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 3}}', 'all', NULL, 1, NULL, NULL);
INSERT INTO public.broadcaster_runs VALUES (2, 'cli', 'succeeded', NULL, 'vm:3900', '2026-12-07 06:28:55.459496+00', '2026-12-07 06:28:57.156813+00', '2026-12-07 06:28:57.156813+00', 6, 6, 4, 2, false, NULL, '{"douyin": {"tasks": 1, "videos": 1, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 1}, "tiktok": {"tasks": 1, "videos": 1, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 1}, "youtube": {"tasks": 3, "videos": 3, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 3}}', 'all', NULL, 1, NULL, NULL);
INSERT INTO public.broadcaster_runs VALUES (3, 'cli', 'succeeded', NULL, 'vm:3900', '2026-12-07 09:28:57.163992+00', '2026-12-07 09:28:58.807229+00', '2026-12-07 09:28:58.807229+00', 6, 6, 4, 2, false, NULL, '{"douyin": {"tasks": 1, "videos": 1, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 1}, "tiktok": {"tasks": 1, "videos": 1, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 1}, "youtube": {"tasks": 3, "videos": 3, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 3}}', 'all', NULL, 1, NULL, NULL);
INSERT INTO public.broadcaster_runs VALUES (4, 'cli', 'succeeded', NULL, 'vm:3900', '2026-12-07 09:28:58.809006+00', '2026-12-07 09:29:00.230037+00', '2026-12-07 09:29:00.230037+00', 6, 6, 4, 2, false, NULL, '{"douyin": {"tasks": 1, "videos": 1, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 1}, "tiktok": {"tasks": 1, "videos": 1, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 1}, "youtube": {"tasks": 3, "videos": 3, "cycle_s": 180.0, "max_age_s": 0.0, "p50_age_s": 0.0, "p95_age_s": 0.0, "refreshed": 3}}', 'all', NULL, 1, NULL, NULL);


--
-- Data for Name: broadcaster_shards; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: broadcaster_state; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_state VALUES (1, false, '2026-12-07 09:29:00.24351+00', '2026-12-07 09:29:00.24551+00');


--
-- Data for Name: broadcaster_task_counts; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_task_counts VALUES ('active', 7);


--
-- Data for Name: broadcaster_task_videos; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_task_videos VALUES (1, 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'youtube', 'dQw4w9WgXcQ', NULL, NULL, '2026-12-07 09:28:53.912616+00');
INSERT INTO public.broadcaster_task_videos VALUES (2, 'https://youtu.be/dQw4w9WgXcQ', 'youtube', 'dQw4w9WgXcQ', NULL, NULL, '2026-12-07 09:28:53.912616+00');
INSERT INTO public.broadcaster_task_videos VALUES (3, 'https://www.youtube.com/shorts/aaaaaaaaaaA', 'youtube', 'aaaaaaaaaaA', NULL, NULL, '2026-12-07 09:28:53.912616+00');
INSERT INTO public.broadcaster_task_videos VALUES (4, 'https://www.tiktok.com/@a/video/7504044860782021930', 'tiktok', '7504044860782021930', 'a', NULL, '2026-12-07 09:28:53.912616+00');
INSERT INTO public.broadcaster_task_videos VALUES (5, '7.93 复制打开抖音，看看【短剧的作品】 https://www.douyin.com/video/7535852404919586100', 'douyin', '7535852404919586100', NULL, NULL, '2026-12-07 09:28:53.912616+00');
INSERT INTO public.broadcaster_task_videos VALUES (6, 'https://youtu.be/bbbbbbbbbbE', 'youtube', 'bbbbbbbbbbE', NULL, NULL, '2026-12-07 09:28:53.912616+00');


--
-- Data for Name: broadcaster_tikhub_usage; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: broadcaster_videos; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.broadcaster_videos VALUES ('douyin', '7535852404919586100', NULL, 7037, 'ok', '抖音不公开播放数，只有点赞数 (play_count=0)', '2026-12-07 09:29:01.10157+00', '2026-12-07 09:29:01.10157+00', NULL, NULL, NULL);
INSERT INTO public.broadcaster_videos VALUES ('youtube', 'bbbbbbbbbbE', NULL, NULL, 'unavailable', '视频不存在或已删除 (ERROR: This video has been removed by the uploader / This video is no longer available because the YouTube account associated with this video has been terminated.)', NULL, '2026-12-07 09:29:01.10157+00', NULL, NULL, NULL);
INSERT INTO public.broadcaster_videos VALUES ('youtube', 'dQw4w9WgXcQ', 15500, 710, 'ok', NULL, '2026-12-07 09:29:01.10157+00', '2026-12-07 09:29:01.10157+00', NULL, NULL, NULL);
INSERT INTO public.broadcaster_videos VALUES ('youtube', 'aaaaaaaaaaA', 3900, 42, 'ok', NULL, '2026-12-07 09:29:01.10157+00', '2026-12-07 09:29:01.10157+00', NULL, NULL, NULL);
INSERT INTO public.broadcaster_videos VALUES ('tiktok', '7504044860782021930', 1779621, 22639, 'ok', NULL, '2026-12-07 09:29:01.10157+00', '2026-12-07 09:29:01.10157+00', NULL, NULL, NULL);


--
-- Data for Name: drama_tasks; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.drama_tasks VALUES (6, 5006, 'p-3', '已删除的视频', 'active', 'https://youtu.be/bbbbbbbbbbE', 30, 'http://127.0.0.1:45405/x2c/pool', NULL, 'pending', 0, NULL, '2026-12-07 09:28:53.903952', 'youtube', 'https://youtu.be/bbbbbbbbbbE', 'unavailable', NULL, NULL);
INSERT INTO public.drama_tasks VALUES (1, 5001, 'p-1', '《霸总的契约》第1集', 'active', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', 30, 'http://127.0.0.1:45405/x2c/pool', NULL, 'success', 0, '2026-12-07 09:29:01.10157', '2026-12-07 09:28:53.891885', 'youtube', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'ok', '2026-12-07 09:29:01.10157+00', 15500);
INSERT INTO public.drama_tasks VALUES (2, 5002, 'p-1', '《霸总的契约》第2集', 'active', 'https://youtu.be/dQw4w9WgXcQ', 30, 'http://localhost:45405/x2c/pool', NULL, 'success', 0, '2026-12-07 09:29:01.10157', '2026-12-07 09:28:53.895583', 'youtube', 'https://youtu.be/dQw4w9WgXcQ', 'ok', '2026-12-07 09:29:01.10157+00', 15500);
INSERT INTO public.drama_tasks VALUES (3, NULL, 'p-2', '《重生之我在短剧》', 'active', 'https://www.youtube.com/shorts/aaaaaaaaaaA', 30, 'http://localhost:45405/x2c/pool', NULL, 'success', 0, '2026-12-07 09:29:01.10157', '2026-12-07 09:28:53.897728', 'youtube', 'https://www.youtube.com/shorts/aaaaaaaaaaA', 'ok', '2026-12-07 09:29:01.10157+00', 3900);
INSERT INTO public.drama_tasks VALUES (4, 5004, 'p-2', 'TikTok 热门', 'active', 'https://www.tiktok.com/@a/video/7504044860782021930', 30, 'http://127.0.0.1:45405/x2c/pool', NULL, 'success', 0, '2026-12-07 09:29:01.10157', '2026-12-07 09:28:53.899994', 'tiktok', 'https://www.tiktok.com/@a/video/7504044860782021930', 'ok', '2026-12-07 09:29:01.10157+00', 1779621);
INSERT INTO public.drama_tasks VALUES (5, 5005, 'p-3', '抖音 分享', 'active', '7.93 复制打开抖音，看看【短剧的作品】 https://www.douyin.com/video/7535852404919586100', 30, 'http://127.0.0.1:45405/x2c/broken', NULL, 'failed', 5, '2026-12-07 09:29:02.070298', '2026-12-07 09:28:53.902209', 'douyin', '7.93 复制打开抖音，看看【短剧的作品】 https://www.douyin.com/video/7535852404919586100', 'ok', '2026-12-07 09:29:01.10157+00', NULL);
INSERT INTO public.drama_tasks VALUES (7, NULL, NULL, '新登记的任务', 'active', 'https://youtu.be/dQw4w9WgXcQ', NULL, 'http://127.0.0.1:45405/x2c/pool', NULL, 'pending', 0, NULL, '2026-12-07 09:29:02.254264', 'youtube', 'https://youtu.be/dQw4w9WgXcQ', NULL, NULL, NULL);


--
-- Data for Name: webhook_logs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.webhook_logs VALUES (1, 6, '已删除的视频', 'p-3', 'http://127.0.0.1:45405/x2c/pool', 'failed', NULL, '2026-12-07 06:28:54.41997', 1, NULL, NULL, 0, NULL, '视频不可用：视频不存在或已删除 (ERROR: This video has been removed by the uploader / This video is no longer available because the YouTube account associated with this video has been terminated.)', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.webhook_logs VALUES (2, 1, '《霸总的契约》第1集', 'p-1', 'http://127.0.0.1:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5001, "duration": 30, "project_id": "p-1", "account_count": 0, "yt_like_count": 680, "yt_view_count": 12500, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 06:28:54.41997', 1, 'run1-task1', 200, 1, 13, NULL, NULL, 12500, 680, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (3, 2, '《霸总的契约》第2集', 'p-1', 'http://localhost:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5002, "duration": 30, "project_id": "p-1", "account_count": 0, "yt_like_count": 680, "yt_view_count": 12500, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 06:28:54.41997', 1, 'run1-task2', 200, 1, 9, NULL, NULL, 12500, 680, 0, 'localhost');
INSERT INTO public.webhook_logs VALUES (4, 3, '《重生之我在短剧》', 'p-2', 'http://localhost:45405/x2c/pool', 'success', '{"stats": [{"task_id": 3, "duration": 30, "project_id": "p-2", "account_count": 0, "yt_like_count": 12, "yt_view_count": 900, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 06:28:54.41997', 1, 'run1-task3', 200, 1, 2, NULL, NULL, 900, 12, 0, 'localhost');
INSERT INTO public.webhook_logs VALUES (5, 4, 'TikTok 热门', 'p-2', 'http://127.0.0.1:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5004, "duration": 30, "project_id": "p-2", "account_count": 0, "tt_like_count": 22609, "tt_view_count": 1776621, "tt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 06:28:54.41997', 1, 'run1-task4', 200, 1, 0, NULL, NULL, 1776621, 22609, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (6, 5, '抖音 分享', 'p-3', 'http://127.0.0.1:45405/x2c/broken', 'failed', '{"stats": [{"task_id": 5005, "duration": 30, "project_id": "p-3", "account_count": 0, "yt_like_count": 7007, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 06:28:55.454142', 1, 'run1-task5', 500, 3, 1310, 'HTTP 500：{"success": false, "error": "internal error"}', NULL, NULL, 7007, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (7, 6, '已删除的视频', 'p-3', 'http://127.0.0.1:45405/x2c/pool', 'failed', NULL, '2026-12-07 06:28:55.969308', 2, NULL, NULL, 0, NULL, '视频不可用：视频不存在或已删除 (ERROR: This video has been removed by the uploader / This video is no longer available because the YouTube account associated with this video has been terminated.)', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.webhook_logs VALUES (8, 4, 'TikTok 热门', 'p-2', 'http://127.0.0.1:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5004, "duration": 30, "project_id": "p-2", "account_count": 0, "tt_like_count": 22619, "tt_view_count": 1777621, "tt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 06:28:55.969308', 2, 'run2-task4', 200, 1, 2, NULL, NULL, 1777621, 22619, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (9, 1, '《霸总的契约》第1集', 'p-1', 'http://127.0.0.1:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5001, "duration": 30, "project_id": "p-1", "account_count": 0, "yt_like_count": 690, "yt_view_count": 13500, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 06:28:55.969308', 2, 'run2-task1', 200, 1, 0, NULL, NULL, 13500, 690, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (10, 3, '《重生之我在短剧》', 'p-2', 'http://localhost:45405/x2c/pool', 'success', '{"stats": [{"task_id": 3, "duration": 30, "project_id": "p-2", "account_count": 0, "yt_like_count": 22, "yt_view_count": 1900, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 06:28:55.969308', 2, 'run2-task3', 200, 1, 1, NULL, NULL, 1900, 22, 0, 'localhost');
INSERT INTO public.webhook_logs VALUES (11, 2, '《霸总的契约》第2集', 'p-1', 'http://localhost:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5002, "duration": 30, "project_id": "p-1", "account_count": 0, "yt_like_count": 690, "yt_view_count": 13500, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 06:28:55.969308', 2, 'run2-task2', 200, 1, 0, NULL, NULL, 13500, 690, 0, 'localhost');
INSERT INTO public.webhook_logs VALUES (12, 5, '抖音 分享', 'p-3', 'http://127.0.0.1:45405/x2c/broken', 'failed', '{"stats": [{"task_id": 5005, "duration": 30, "project_id": "p-3", "account_count": 0, "yt_like_count": 7017, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 06:28:57.15435', 2, 'run2-task5', 500, 3, 1681, 'HTTP 500：{"success": false, "error": "internal error"}', NULL, NULL, 7017, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (13, 6, '已删除的视频', 'p-3', 'http://127.0.0.1:45405/x2c/pool', 'failed', NULL, '2026-12-07 09:28:57.675647', 3, NULL, NULL, 0, NULL, '视频不可用：视频不存在或已删除 (ERROR: This video has been removed by the uploader / This video is no longer available because the YouTube account associated with this video has been terminated.)', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.webhook_logs VALUES (14, 4, 'TikTok 热门', 'p-2', 'http://127.0.0.1:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5004, "duration": 30, "project_id": "p-2", "account_count": 0, "tt_like_count": 22629, "tt_view_count": 1778621, "tt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:28:57.675647', 3, 'run3-task4', 200, 1, 7, NULL, NULL, 1778621, 22629, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (15, 3, '《重生之我在短剧》', 'p-2', 'http://localhost:45405/x2c/pool', 'success', '{"stats": [{"task_id": 3, "duration": 30, "project_id": "p-2", "account_count": 0, "yt_like_count": 32, "yt_view_count": 2900, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:28:57.675647', 3, 'run3-task3', 200, 1, 3, NULL, NULL, 2900, 32, 0, 'localhost');
INSERT INTO public.webhook_logs VALUES (16, 2, '《霸总的契约》第2集', 'p-1', 'http://localhost:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5002, "duration": 30, "project_id": "p-1", "account_count": 0, "yt_like_count": 700, "yt_view_count": 14500, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:28:57.675647', 3, 'run3-task2', 200, 1, 0, NULL, NULL, 14500, 700, 0, 'localhost');
INSERT INTO public.webhook_logs VALUES (17, 1, '《霸总的契约》第1集', 'p-1', 'http://127.0.0.1:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5001, "duration": 30, "project_id": "p-1", "account_count": 0, "yt_like_count": 700, "yt_view_count": 14500, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:28:57.675647', 3, 'run3-task1', 200, 1, 2, NULL, NULL, 14500, 700, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (18, 5, '抖音 分享', 'p-3', 'http://127.0.0.1:45405/x2c/broken', 'failed', '{"stats": [{"task_id": 5005, "duration": 30, "project_id": "p-3", "account_count": 0, "yt_like_count": 7027, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:28:58.803114', 3, 'run3-task5', 500, 3, 1571, 'HTTP 500：{"success": false, "error": "internal error"}', NULL, NULL, 7027, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (19, 6, '已删除的视频', 'p-3', 'http://127.0.0.1:45405/x2c/pool', 'failed', NULL, '2026-12-07 09:28:59.320595', 4, NULL, NULL, 0, NULL, '视频不可用：视频不存在或已删除 (ERROR: This video has been removed by the uploader / This video is no longer available because the YouTube account associated with this video has been terminated.)', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.webhook_logs VALUES (20, 1, '《霸总的契约》第1集', 'p-1', 'http://127.0.0.1:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5001, "duration": 30, "project_id": "p-1", "account_count": 0, "yt_like_count": 710, "yt_view_count": 15500, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:28:59.320595', 4, 'run4-task1', 200, 1, 10, NULL, NULL, 15500, 710, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (21, 4, 'TikTok 热门', 'p-2', 'http://127.0.0.1:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5004, "duration": 30, "project_id": "p-2", "account_count": 0, "tt_like_count": 22639, "tt_view_count": 1779621, "tt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:28:59.320595', 4, 'run4-task4', 200, 1, 9, NULL, NULL, 1779621, 22639, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (22, 3, '《重生之我在短剧》', 'p-2', 'http://localhost:45405/x2c/pool', 'success', '{"stats": [{"task_id": 3, "duration": 30, "project_id": "p-2", "account_count": 0, "yt_like_count": 42, "yt_view_count": 3900, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:28:59.320595', 4, 'run4-task3', 200, 1, 2, NULL, NULL, 3900, 42, 0, 'localhost');
INSERT INTO public.webhook_logs VALUES (23, 2, '《霸总的契约》第2集', 'p-1', 'http://localhost:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5002, "duration": 30, "project_id": "p-1", "account_count": 0, "yt_like_count": 710, "yt_view_count": 15500, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:28:59.320595', 4, 'run4-task2', 200, 1, 10, NULL, NULL, 15500, 710, 0, 'localhost');
INSERT INTO public.webhook_logs VALUES (24, 5, '抖音 分享', 'p-3', 'http://127.0.0.1:45405/x2c/broken', 'failed', '{"stats": [{"task_id": 5005, "duration": 30, "project_id": "p-3", "account_count": 0, "yt_like_count": 7037, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:29:00.22796', 4, 'run4-task5', 500, 3, 1395, 'HTTP 500：{"success": false, "error": "internal error"}', NULL, NULL, 7037, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (25, 6, '已删除的视频', 'p-3', 'http://127.0.0.1:45405/x2c/pool', 'failed', NULL, '2026-12-07 09:29:01.10157', 5, NULL, NULL, 0, NULL, '视频不可用：视频不存在或已删除 (ERROR: This video has been removed by the uploader / This video is no longer available because the YouTube account associated with this video has been terminated.)', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.webhook_logs VALUES (26, 1, '《霸总的契约》第1集', 'p-1', 'http://127.0.0.1:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5001, "duration": 30, "project_id": "p-1", "account_count": 0, "yt_like_count": 710, "yt_view_count": 15500, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:29:01.10157', 5, 'run5-task1', 200, 1, 4, NULL, NULL, 15500, 710, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (27, 3, '《重生之我在短剧》', 'p-2', 'http://localhost:45405/x2c/pool', 'success', '{"stats": [{"task_id": 3, "duration": 30, "project_id": "p-2", "account_count": 0, "yt_like_count": 42, "yt_view_count": 3900, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:29:01.10157', 5, 'run5-task3', 200, 1, 2, NULL, NULL, 3900, 42, 0, 'localhost');
INSERT INTO public.webhook_logs VALUES (28, 4, 'TikTok 热门', 'p-2', 'http://127.0.0.1:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5004, "duration": 30, "project_id": "p-2", "account_count": 0, "tt_like_count": 22639, "tt_view_count": 1779621, "tt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:29:01.10157', 5, 'run5-task4', 200, 1, 5, NULL, NULL, 1779621, 22639, 0, '127.0.0.1');
INSERT INTO public.webhook_logs VALUES (29, 2, '《霸总的契约》第2集', 'p-1', 'http://localhost:45405/x2c/pool', 'success', '{"stats": [{"task_id": 5002, "duration": 30, "project_id": "p-1", "account_count": 0, "yt_like_count": 710, "yt_view_count": 15500, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:29:01.10157', 5, 'run5-task2', 200, 1, 4, NULL, NULL, 15500, 710, 0, 'localhost');
INSERT INTO public.webhook_logs VALUES (30, 5, '抖音 分享', 'p-3', 'http://127.0.0.1:45405/x2c/broken', 'failed', '{"stats": [{"task_id": 5005, "duration": 30, "project_id": "p-3", "account_count": 0, "yt_like_count": 7037, "yt_account_count": 0}], "site_name": "DramaRelayBot"}', '2026-12-07 09:29:02.070298', 5, 'run5-task5', 500, 3, 1455, 'HTTP 500：{"success": false, "error": "internal error"}', NULL, NULL, 7037, 0, '127.0.0.1');


--
-- Name: broadcaster_alert_events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.broadcaster_alert_events_id_seq', 1, false);


--
-- Name: broadcaster_audit_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.broadcaster_audit_id_seq', 4, true);


--
-- Name: broadcaster_count_history_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.broadcaster_count_history_id_seq', 28, true);


--
-- Name: broadcaster_egress_blocks_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.broadcaster_egress_blocks_id_seq', 1, false);


--
-- Name: broadcaster_error_logs_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.broadcaster_error_logs_id_seq', 5, true);


--
-- Name: broadcaster_runs_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.broadcaster_runs_id_seq', 5, true);


--
-- Name: drama_tasks_task_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.drama_tasks_task_id_seq', 7, true);


--
-- Name: webhook_logs_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.webhook_logs_id_seq', 30, true);


--
-- Name: broadcaster_alert_events broadcaster_alert_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_alert_events
    ADD CONSTRAINT broadcaster_alert_events_pkey PRIMARY KEY (id);


--
-- Name: broadcaster_alerts broadcaster_alerts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_alerts
    ADD CONSTRAINT broadcaster_alerts_pkey PRIMARY KEY (key);


--
-- Name: broadcaster_audit broadcaster_audit_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_audit
    ADD CONSTRAINT broadcaster_audit_pkey PRIMARY KEY (id);


--
-- Name: broadcaster_count_history broadcaster_count_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_count_history
    ADD CONSTRAINT broadcaster_count_history_pkey PRIMARY KEY (id);


--
-- Name: broadcaster_counters broadcaster_counters_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_counters
    ADD CONSTRAINT broadcaster_counters_pkey PRIMARY KEY (metric, labels);


--
-- Name: broadcaster_egress_blocks broadcaster_egress_blocks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_egress_blocks
    ADD CONSTRAINT broadcaster_egress_blocks_pkey PRIMARY KEY (id);


--
-- Name: broadcaster_egress broadcaster_egress_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_egress
    ADD CONSTRAINT broadcaster_egress_pkey PRIMARY KEY (egress_key);


--
-- Name: broadcaster_error_logs broadcaster_error_logs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_error_logs
    ADD CONSTRAINT broadcaster_error_logs_pkey PRIMARY KEY (id);


--
-- Name: broadcaster_helpers broadcaster_helpers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_helpers
    ADD CONSTRAINT broadcaster_helpers_pkey PRIMARY KEY (runner);


--
-- Name: broadcaster_host_hours broadcaster_host_hours_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_host_hours
    ADD CONSTRAINT broadcaster_host_hours_pkey PRIMARY KEY (host, hour, latency_ms);


--
-- Name: broadcaster_host_rollups broadcaster_host_rollups_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_host_rollups
    ADD CONSTRAINT broadcaster_host_rollups_pkey PRIMARY KEY (hour);


--
-- Name: broadcaster_host_tasks broadcaster_host_tasks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_host_tasks
    ADD CONSTRAINT broadcaster_host_tasks_pkey PRIMARY KEY (host, task_id);


--
-- Name: broadcaster_login_throttle broadcaster_login_throttle_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_login_throttle
    ADD CONSTRAINT broadcaster_login_throttle_pkey PRIMARY KEY (address);


--
-- Name: broadcaster_pass_allowance broadcaster_pass_allowance_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_pass_allowance
    ADD CONSTRAINT broadcaster_pass_allowance_pkey PRIMARY KEY (run_id, name);


--
-- Name: broadcaster_pass_egress broadcaster_pass_egress_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_pass_egress
    ADD CONSTRAINT broadcaster_pass_egress_pkey PRIMARY KEY (run_id, egress_key);


--
-- Name: broadcaster_pass_slots broadcaster_pass_slots_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_pass_slots
    ADD CONSTRAINT broadcaster_pass_slots_pkey PRIMARY KEY (run_id, slot_no);


--
-- Name: broadcaster_quota broadcaster_quota_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_quota
    ADD CONSTRAINT broadcaster_quota_pkey PRIMARY KEY (day);


--
-- Name: broadcaster_runs broadcaster_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_runs
    ADD CONSTRAINT broadcaster_runs_pkey PRIMARY KEY (id);


--
-- Name: broadcaster_runs broadcaster_runs_slot_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_runs
    ADD CONSTRAINT broadcaster_runs_slot_key_key UNIQUE (slot_key);


--
-- Name: broadcaster_shards broadcaster_shards_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_shards
    ADD CONSTRAINT broadcaster_shards_pkey PRIMARY KEY (run_id, shard_no);


--
-- Name: broadcaster_state broadcaster_state_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_state
    ADD CONSTRAINT broadcaster_state_pkey PRIMARY KEY (id);


--
-- Name: broadcaster_task_counts broadcaster_task_counts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_task_counts
    ADD CONSTRAINT broadcaster_task_counts_pkey PRIMARY KEY (status);


--
-- Name: broadcaster_task_videos broadcaster_task_videos_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_task_videos
    ADD CONSTRAINT broadcaster_task_videos_pkey PRIMARY KEY (task_id);


--
-- Name: broadcaster_tikhub_usage broadcaster_tikhub_usage_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_tikhub_usage
    ADD CONSTRAINT broadcaster_tikhub_usage_pkey PRIMARY KEY (day);


--
-- Name: broadcaster_videos broadcaster_videos_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broadcaster_videos
    ADD CONSTRAINT broadcaster_videos_pkey PRIMARY KEY (platform, video_id);


--
-- Name: drama_tasks drama_tasks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.drama_tasks
    ADD CONSTRAINT drama_tasks_pkey PRIMARY KEY (task_id);


--
-- Name: webhook_logs webhook_logs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_logs
    ADD CONSTRAINT webhook_logs_pkey PRIMARY KEY (id);


--
-- Name: broadcaster_alert_events_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX broadcaster_alert_events_at_idx ON public.broadcaster_alert_events USING btree (at);


--
-- Name: broadcaster_audit_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX broadcaster_audit_at_idx ON public.broadcaster_audit USING btree (at);


--
-- Name: broadcaster_count_history_recorded_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX broadcaster_count_history_recorded_at_idx ON public.broadcaster_count_history USING btree (recorded_at);


--
-- Name: broadcaster_count_history_video_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX broadcaster_count_history_video_idx ON public.broadcaster_count_history USING btree (platform, video_id, recorded_at);


--
-- Name: broadcaster_egress_blocks_key_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX broadcaster_egress_blocks_key_idx ON public.broadcaster_egress_blocks USING btree (egress_key, blocked_at);


--
-- Name: broadcaster_error_logs_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX broadcaster_error_logs_created_at_idx ON public.broadcaster_error_logs USING btree (created_at);


--
-- Name: broadcaster_host_hours_hour_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX broadcaster_host_hours_hour_idx ON public.broadcaster_host_hours USING btree (hour);


--
-- Name: broadcaster_runs_one_running; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX broadcaster_runs_one_running ON public.broadcaster_runs USING btree ((true)) WHERE (status = 'running'::text);


--
-- Name: broadcaster_runs_started_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX broadcaster_runs_started_at_idx ON public.broadcaster_runs USING btree (started_at);


--
-- Name: broadcaster_task_videos_video_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX broadcaster_task_videos_video_idx ON public.broadcaster_task_videos USING btree (platform, video_id);


--
-- Name: drama_tasks_external_task_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX drama_tasks_external_task_id_idx ON public.drama_tasks USING btree (external_task_id);


--
-- Name: drama_tasks_link_unparsed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX drama_tasks_link_unparsed_idx ON public.drama_tasks USING btree (task_id) WHERE (link_platform_url IS DISTINCT FROM video_url);


--
-- Name: drama_tasks_project_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX drama_tasks_project_id_idx ON public.drama_tasks USING btree (project_id);


--
-- Name: drama_tasks_title_bigrams_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX drama_tasks_title_bigrams_idx ON public.drama_tasks USING gin (public.broadcaster_title_bigrams(title));


--
-- Name: drama_tasks_video_fetched_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX drama_tasks_video_fetched_at_idx ON public.drama_tasks USING btree (video_fetched_at, task_id);


--
-- Name: drama_tasks_video_view_count_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX drama_tasks_video_view_count_idx ON public.drama_tasks USING btree (video_view_count DESC NULLS LAST, task_id DESC);


--
-- Name: webhook_logs_callback_host_failed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_logs_callback_host_failed_idx ON public.webhook_logs USING btree (callback_host, created_at) WHERE ((callback_host IS NOT NULL) AND (callback_status = 'failed'::text));


--
-- Name: webhook_logs_callback_time_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_logs_callback_time_idx ON public.webhook_logs USING btree (created_at) INCLUDE (callback_host, task_id, callback_status, latency_ms, attempts) WHERE (callback_host IS NOT NULL);


--
-- Name: webhook_logs_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_logs_created_at_idx ON public.webhook_logs USING btree (created_at);


--
-- Name: webhook_logs_run_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_logs_run_id_idx ON public.webhook_logs USING btree (run_id);


--
-- Name: webhook_logs_task_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_logs_task_id_idx ON public.webhook_logs USING btree (task_id, created_at);


--
-- Name: broadcaster_task_videos broadcaster_task_videos_inserted_copy; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER broadcaster_task_videos_inserted_copy AFTER INSERT ON public.broadcaster_task_videos REFERENCING NEW TABLE AS written_links FOR EACH STATEMENT EXECUTE FUNCTION public.broadcaster_copy_link_state();


--
-- Name: broadcaster_task_videos broadcaster_task_videos_updated_copy; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER broadcaster_task_videos_updated_copy AFTER UPDATE ON public.broadcaster_task_videos REFERENCING NEW TABLE AS written_links FOR EACH STATEMENT EXECUTE FUNCTION public.broadcaster_copy_link_state();


--
-- Name: broadcaster_videos broadcaster_videos_inserted_copy; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER broadcaster_videos_inserted_copy AFTER INSERT ON public.broadcaster_videos REFERENCING NEW TABLE AS written_videos FOR EACH STATEMENT EXECUTE FUNCTION public.broadcaster_copy_video_state();


--
-- Name: broadcaster_videos broadcaster_videos_updated_copy; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER broadcaster_videos_updated_copy AFTER UPDATE ON public.broadcaster_videos REFERENCING NEW TABLE AS written_videos FOR EACH STATEMENT EXECUTE FUNCTION public.broadcaster_copy_video_state();


--
-- Name: drama_tasks drama_tasks_counted_deletes; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER drama_tasks_counted_deletes AFTER DELETE ON public.drama_tasks REFERENCING OLD TABLE AS deleted_tasks FOR EACH STATEMENT EXECUTE FUNCTION public.broadcaster_count_deleted_tasks();


--
-- Name: drama_tasks drama_tasks_counted_inserts; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER drama_tasks_counted_inserts AFTER INSERT ON public.drama_tasks REFERENCING NEW TABLE AS inserted_tasks FOR EACH STATEMENT EXECUTE FUNCTION public.broadcaster_count_inserted_tasks();


--
-- Name: drama_tasks drama_tasks_counted_status; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER drama_tasks_counted_status AFTER UPDATE OF status ON public.drama_tasks FOR EACH ROW WHEN ((old.status IS DISTINCT FROM new.status)) EXECUTE FUNCTION public.broadcaster_count_status_change();


--
-- Name: drama_tasks drama_tasks_counted_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER drama_tasks_counted_truncate AFTER TRUNCATE ON public.drama_tasks FOR EACH STATEMENT EXECUTE FUNCTION public.broadcaster_count_truncated_tasks();


--
-- PostgreSQL database dump complete
--

\unrestrict bqDfnIFq26w2NBHOCAE48D0w8JXl80YNMMaDcwOOZDhefdlxTtlRT6mjbyQxoQZ

