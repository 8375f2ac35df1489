"""The scenarios of `python -m bench.longevity` (its docstring says what each measures); each prints its figures
and returns False when a check failed."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator

import psycopg2

from bench import beside_bot, records
from bench.database import (
    PGDATA,
    discard_database,
    fresh_database,
    postgres_cpu,
    run_outside_transaction,
    seed,
    with_database,
)
from bench.longevity import GROWTH, STORES, UPGRADE_FIXTURE, print_context
from bench.measure import pass_spec, run_child
from bench.processes import FakeProcess
from bench.scenario import Scenario, run_scenario
from bench.sizes import by_store, human, project_steady_state, table_sizes
from bench.status_load import service_env
from bench.workload import OUT, RECEIVER, Task, make_tasks

ROW_BYTES_NOW = 130  # a delivery record with its indexes (about 120 measured), for the disk check
DISK_MARGIN = 15e9  # what a fill leaves free on the shared disk at least


def storage(args, server_url: str) -> bool:
    """Seed, a warm-up pass, VACUUM, sizes; `--passes` passes with every video's counts changed before each,
    VACUUM, sizes again; the growth per delivery by table and store, and the steady-state projection."""
    count = args.tasks or 2000
    print_context(f"storage: {count:,} tasks, a warm-up pass, then {args.passes} passes with counts changing on "
                  f"every read (batch 1)")
    name = "bench_longevity_storage"
    with _seeded(args, server_url, name, count) as (url, tasks, fake):
        spec = pass_spec(url, fake, args)
        _one_pass(spec, name, "warm-up")
        run_outside_transaction(url, "VACUUM (ANALYZE)")
        before = table_sizes(url)
        delivered = 0
        for n in range(1, args.passes + 1):
            _change_counts(fake, tasks, n)
            delivered += _one_pass(spec, name, f"pass {n}")["success_count"]
        run_outside_transaction(url, "VACUUM (ANALYZE)")
        after = table_sizes(url)
    _print_storage(before, after, delivered, count, args)
    return delivered == count * args.passes


@contextlib.contextmanager
def _seeded(args, server_url: str, name: str, count: int) -> Iterator[tuple[str, list[Task], FakeProcess]]:
    """A fresh database `name` with `count` seeded tasks, and the fake upstream serving their videos and
    taking their webhooks: the database's URL, the tasks, the fake. Both go afterwards (the database
    unless --keep-db)."""
    tasks = make_tasks(count)
    fake = FakeProcess(args.latency, OUT / f"{name}.fake.log")
    try:
        url = fresh_database(server_url, name)
        seed(url, tasks, fake.callback_url(RECEIVER))
        fake.load(tasks)
        yield url, tasks, fake
    finally:
        fake.stop()
        discard_database(server_url, name, keep=args.keep_db)


def _one_pass(spec: dict, name: str, label: str) -> dict:
    child = run_child(spec, OUT / f"{name}.child.log")
    print(f"   {label}: {child['result']['success_count']}/{child['result']['total']} delivered in "
          f"{child['wall']:.1f} s", flush=True)
    return child["result"]


def _change_counts(fake: FakeProcess, tasks: list[Task], n: int) -> None:
    """Every video's views and likes up (the fake serves the new counts from now on)."""
    videos = [{**t.fake_video(), "views": None if t.views is None else t.views + 1000 * n, "likes": t.likes + 10 * n}
              for t in tasks]
    for start in range(0, len(videos), 5000):
        fake.post("/videos", videos[start:start + 5000])


def _print_storage(before, after, delivered: int, count: int, args) -> None:
    (sizes0, _, db0), (sizes1, parts, db1) = before, after
    print(f"\n   {delivered:,} deliveries measured; sizes after VACUUM (ANALYZE), table + indexes + TOAST")
    print(f"   {'table':<36}{'store':<16}{'before':>10}{'after':>10}{'bytes/delivery':>16}{'relations':>10}")
    growth = {name: sizes1.get(name, 0) - sizes0.get(name, 0) for name in sizes1}
    unchanged = [name for name in sizes1 if not growth[name]]
    for name in sorted(set(sizes1) - set(unchanged), key=lambda n: (-growth[n], n)):
        print(f"   {name:<36}{STORES.get(name, 'rest'):<16}{human(sizes0.get(name, 0)):>10}"
              f"{human(sizes1[name]):>10}{growth[name] / delivered:>16.1f}{parts[name]:>10}")
    print(f"   ({len(unchanged)} more tables did not grow: {human(sum(sizes1[name] for name in unchanged))} in all)")
    per_delivery = {store: size / delivered for store, size in by_store(growth, STORES).items()}
    per_task = {store: size / count for store, size in by_store(sizes1, STORES).items()}
    print(f"\n   {'store':<16}{'bytes/delivery':>16}{'bytes/task after':>18}")
    for store in per_delivery:
        print(f"   {store:<16}{per_delivery[store]:>16.1f}{per_task[store]:>18.1f}")
    print(f"   {'all tables':<16}{sum(per_delivery.values()):>16.1f}{sum(per_task.values()):>18.1f}")
    print(f"   whole database (pg_database_size): {human(db0)} → {human(db1)}, {(db1 - db0) / delivered:.1f} bytes "
          "per delivery")
    _print_projection(per_delivery, per_task, args)


def _print_projection(per_delivery: dict, per_task: dict, args) -> None:
    print(f"\n   steady state (LOG_RETENTION_DAYS {args.retention_days}, COUNT_HISTORY_DAYS {args.history_days} "
          f"{'at full resolution' if args.history == 'full' else 'thinned as docs/storage.md#count-history'}, a pass every "
          f"{args.interval} s; model: bench/sizes.py project_steady_state)")
    print(f"   {'store':<16}{'10,000 tasks':>14}{'100,000 tasks':>15}")
    projections = {tasks: project_steady_state(per_delivery, per_task, GROWTH, tasks,
                                               retention_days=args.retention_days, history_days=args.history_days,
                                               interval_s=args.interval, history=args.history)
                   for tasks in (10_000, 100_000)}
    for store in GROWTH:
        print(f"   {store:<16}{human(projections[10_000][store]):>14}{human(projections[100_000][store]):>15}")
    print(f"   {'total':<16}{human(sum(projections[10_000].values())):>14}"
          f"{human(sum(projections[100_000].values())):>15}")


def pass_cost(args, server_url: str) -> bool:
    """A pass over --tasks tasks at batch 1, --runs times (bench/scenario.py, verified as in run_bench)."""
    count = args.tasks or 10_000
    print_context(f"pass: {count:,} tasks at WEBHOOK_BATCH_SIZE 1, {args.runs} runs"
                  + (", every video read before (hours ago)" if args.prior_counts else ", on a fresh database"))
    outcomes = [run_scenario(Scenario(count, 1, prior_counts=args.prior_counts, label=f"run{n}"), args, server_url)
                for n in range(1, args.runs + 1)]
    print(f"\n   {'run':<6}{'wall':>9}{'wall/1k':>9}{'pass CPU/1k':>13}{'PostgreSQL CPU/1k':>19}  verified")
    for n, o in enumerate(outcomes, start=1):
        print(f"   {n:<6}{o['wall']:>8.2f}s{o['wall'] * 1000 / count:>8.2f}s{o['cpu_per_1k']:>12.2f}s"
              f"{o['postgres_cpu'] * 1000 / count:>18.2f}s  {'ok' if o['ok'] else 'FAILED'}")
    return all(o["ok"] for o in outcomes)


def prune(args, server_url: str, count: int | None = None) -> bool:
    """One whole day of delivery records at --tasks tasks, every moment of it older than
    LOG_RETENTION_DAYS, dropped by the real upkeep (broadcaster.storage.retention.upkeep): its time."""
    count = count or args.tasks or 10_000
    rows = count * records.PASSES_PER_DAY
    print_context(f"prune: {rows:,} delivery records (a day of passes at {count:,} tasks), all older than "
                  f"LOG_RETENTION_DAYS {args.retention_days}")
    if not _fits_on_disk(rows * ROW_BYTES_NOW):
        return False
    name = f"bench_longevity_prune_{count}"
    url = fresh_database(server_url, name)
    try:
        started = time.monotonic()
        filled = records.seed_records(url, tasks=count, days=1, end_days_ago=args.retention_days + 1,
                                      say=lambda line: print(line, flush=True))
        print(f"   filled {filled:,} records in {time.monotonic() - started:.0f} s; database "
              f"{human(table_sizes(url)[2])}", flush=True)
        done, seconds, pg_cpu = _time_upkeep(url, args.retention_days, args.history_days)
        left = _records_left(url)
    finally:
        discard_database(server_url, name, keep=args.keep_db)
    print(f"   the upkeep dropped {done['days_dropped']} day partitions ({filled:,} records) in {seconds:.2f} s; "
          f"PostgreSQL CPU {pg_cpu:.2f} s; {left:,} records left; no VACUUM needed (nothing was deleted)")
    return left == 0 and done["days_dropped"] >= 1


def prune_big(args, server_url: str) -> bool:
    """`all --big`: prune a day at 100,000 tasks."""
    return prune(args, server_url, 100_000)


def _time_upkeep(url: str, retention_days: int, history_days: int) -> tuple[dict, float, float]:
    """The supervisor's upkeep on its own pool: what it did, seconds, PostgreSQL CPU seconds."""
    from broadcaster.core.config import Config
    from broadcaster.storage import retention
    from broadcaster.storage.db import Database

    database = Database(url)
    try:
        pg_cpu, started = postgres_cpu(), time.monotonic()
        done = retention.upkeep(database, Config(log_retention_days=retention_days, count_history_days=history_days))
        return done, time.monotonic() - started, postgres_cpu() - pg_cpu
    finally:
        database.close()


def _records_left(url: str) -> int:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM broadcaster_deliveries")
        return cur.fetchone()[0]


def _fits_on_disk(needed: float) -> bool:
    free = shutil.disk_usage(PGDATA).free
    if needed + DISK_MARGIN > free:
        print(f"   SKIPPED: needs about {human(needed)} and {human(DISK_MARGIN)} must stay free; {human(free)} free")
        return False
    print(f"   disk: about {human(needed)} needed, {human(free)} free")
    return True


def upgrade(args, server_url: str) -> bool:
    """The migrations timed on a database the release made and used (see bench/longevity.py's docstring):
    `stats_broadcaster.py --init-db` of this code, its output (each migration's time and lock waits),
    the stores before and after, then --init-db again (up to date: no DDL)."""
    url = args.fixture_url or with_database(server_url, UPGRADE_FIXTURE)
    print_context(f"upgrade: the migrations on the release's database {url}")
    if args.copy:
        sizes, _, database = table_sizes(url)
        if not _fits_on_disk(database):
            return False
        source = url.rsplit("/", 1)[1].split("?")[0]
        name = "bench_longevity_upgrade_copy"
        started = time.monotonic()
        run_outside_transaction(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                                f"CREATE DATABASE {name} TEMPLATE {source}")
        url = with_database(server_url, name)
        print(f"   copied in {time.monotonic() - started:.0f} s", flush=True)
    sizes, _, database = table_sizes(url)
    print("   before: " + ", ".join(f"{store} {human(size)}" for store, size in by_store(sizes, STORES).items())
          + f"; database {human(database)}", flush=True)
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": str(OUT / "instance")}
    ok = True
    for n in (1, 2):
        timed = beside_bot.time_init_db(env, timeout=7200)
        print(f"   stats_broadcaster.py --init-db ({n}): {timed['init_db_s']:.2f} s, exit {timed['exit']}:\n      "
              + timed["output"].replace("\n", "\n      "), flush=True)
        ok = ok and timed["exit"] == 0
    sizes, _, database = table_sizes(url)
    print("   after: " + ", ".join(f"{store} {human(size)}" for store, size in by_store(sizes, STORES).items())
          + f"; database {human(database)}")
    if args.copy:
        discard_database(server_url, "bench_longevity_upgrade_copy", keep=args.keep_db)
    return ok


def beside_the_bot(args, server_url: str) -> bool:
    """The bot's INSERT and SELECT every 100 ms while (a) a worker boots and (b) --init-db runs beside a reader
    holding drama_tasks for --hold seconds, and (c) during a pass over --tasks tasks (no reader)."""
    count, name = args.tasks or 4000, "bench_longevity_beside"
    print_context(f"beside-the-bot: {count:,} tasks; the bot's INSERT + SELECT every 100 ms; a reader holding "
                  f"drama_tasks for {args.hold:g} s")
    try:
        with _seeded(args, server_url, name, count) as (url, _, fake), beside_bot.BotSimulator(url) as bot:
            env = service_env(args, fake, url)
            time.sleep(3.0)
            _print_bot("idle, 3 s", bot.summary(0.0))
            boot = beside_bot.boot_beside_reader(url, env, bot, args.hold, OUT / f"{name}.gunicorn.log")
            _print_bot(f"(a) a worker boots beside the reader: /healthz after {_seconds(boot['healthz_s'])}", boot["bot"])
            init_db = beside_bot.init_db_beside_reader(url, env, bot, args.hold)
            _print_bot(f"(b) --init-db beside the reader: {init_db['init_db_s']:.2f} s, exit {init_db['exit']}",
                       init_db["bot"])
            since = bot.now()
            child = run_child(pass_spec(url, fake, args), OUT / f"{name}.child.log")
            bot.wait_past(bot.now())
            _print_bot(f"(c) during a {count:,}-task pass ({child['wall']:.1f} s, "
                       f"{child['result']['success_count']}/{child['result']['total']} delivered)", bot.summary(since))
    except psycopg2.Error as exc:
        print(f"   FAILED: {exc}")
        return False
    return boot["healthz_s"] is not None and init_db["exit"] == 0


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


def _print_bot(what: str, bot: dict) -> None:
    print(f"   {what}\n      bot: slowest statement {bot['slowest_s']:.3f} s ({bot['slowest_kind']}, "
          f"{bot['slowest_began_s']:.1f} s in), {bot['over_1s']} of {bot['statements']} statements over 1 s"
          + (f" (began at, took: {', '.join(f'{at} s, {took} s' for at, took in bot['waits'])})" if bot["waits"] else "")
          + f", mean {bot['mean_ms']:.1f} ms", flush=True)
