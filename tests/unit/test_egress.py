"""Egresses, TikHub's share, count age and --plan, in memory: budgets, benches, fair spreading."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from broadcaster.core.config import Config, config_from_mapping
from broadcaster.core.errors import ApiConfigError, ConfigError
from broadcaster.core.states import FetchStatus, Platform
from broadcaster.engine.budget import plan_budget
from broadcaster.engine.freshness import FreshnessTally, cycle_seconds
from broadcaster.engine.planning import PlanFacts, plan_report
from broadcaster.fetching.egress import Egress, EgressPool, build_pools, cooldown_seconds
from broadcaster.fetching.pacing import Pacer
from broadcaster.fetching.proxies import egress_key, mask_proxy
from broadcaster.fetching.results import FetchResult
from broadcaster.fetching.sources import MAX_EGRESS_TRIES, PAGES_SPENT, LocalAllowance, TikHubGate, read_page
from broadcaster.fetching.urls import VideoRef
from fakes.memory import FakeFetcher

TT, DY = Platform.TIKTOK, Platform.DOUYIN
OK, BLOCKED, ERROR = FetchStatus.OK, FetchStatus.BLOCKED, FetchStatus.ERROR
T0 = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = T0):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def pool(budgets, fetchers=None, clock=None) -> EgressPool:
    """A TikTok pool of direct-looking egresses with the given page budgets, unpaced."""
    fetchers = fetchers or [FakeFetcher() for _ in budgets]
    egresses = [Egress(TT, f"http://10.0.0.{i}:8080", fetcher, Pacer(0), budget)
                for i, (budget, fetcher) in enumerate(zip(budgets, fetchers), start=1)]
    return EgressPool(TT, egresses, clock=clock or Clock())


# --------------------------------------------------------------------------------------------
# The pool: budgets, fair spreading, benches


def test_pages_are_spread_fairly_and_stop_at_the_budget():
    """Nine pages over three egresses of 3: each takes one in turn; the tenth finds none."""
    egresses = pool([3, 3, 3])

    taken = [egresses.acquire().egress.url for _ in range(9)]

    assert 9 == egresses.capacity()
    assert len(set(taken[:3])) == 3  # the first three go to three different egresses
    assert {url: 3 for url in taken} == {url: taken.count(url) for url in taken}
    assert egresses.acquire() is None


def test_the_egress_with_most_budget_left_goes_first():
    """Unequal budgets (an egress that was busier): the one with more left is used first."""
    egresses = pool([1, 4])

    first, second = egresses.acquire().egress, egresses.acquire().egress

    assert ("http://10.0.0.2:8080", "http://10.0.0.2:8080") == (first.url, second.url)


def test_unlimited_pages_have_no_capacity_limit():
    """PAGES_PER_MINUTE=0: no budget, and acquiring never runs out."""
    egresses = pool([None, None])

    assert egresses.capacity() is None
    assert all(egresses.acquire() is not None for _ in range(1000))


def test_a_benched_egress_rests_with_a_growing_cooldown_then_comes_back():
    """Blocked: out for 5 minutes, then 10 if blocked again; a good page resets the growth."""
    clock = Clock()
    egresses = pool([5, 5], clock=clock)
    first = egresses.egresses[0]

    assert 300 == egresses.bench(first, "HTTP 429")
    assert 5 == egresses.capacity()
    assert all(egresses.acquire().egress.url != first.url for _ in range(5))
    clock.advance(301)
    assert 10 == egresses.capacity()  # un-benched
    assert 600 == egresses.bench(first, "challenge page")  # blocked again at once: 10 minutes
    clock.advance(601)
    egresses.succeeded(first)
    assert 300 == egresses.bench(first, "HTTP 403")  # a good page in between: back to 5
    assert [300, 600, 1200, 2400, 3600, 3600] == [cooldown_seconds(level) for level in range(1, 7)]


def test_benches_stored_by_earlier_passes_are_respected():
    """An egress benched in the database until later is not usable in this pass."""
    config = Config(tiktok_proxies=("direct", "http://u:pw@10.0.0.1:8080"), tiktok_pages_per_minute=6)
    benched = {egress_key("tiktok", "http://u:pw@10.0.0.1:8080"):
               {"bench_level": 2, "benched_until": T0 + dt.timedelta(minutes=9)}}

    pools = build_pools(config, benched, lambda url: FakeFetcher(), clock=Clock())

    assert 9 == pools["tiktok"].capacity()  # the direct egress only (6/min, half of 3 minutes)
    assert [0, 2] == [egress.level for egress in pools["tiktok"].egresses]
    assert 18 == build_pools(config, {}, lambda url: FakeFetcher(), clock=Clock())["tiktok"].capacity()


def test_concurrent_acquires_never_exceed_the_budget():
    """Many threads taking pages at once take exactly the budget."""
    egresses = pool([50, 50])
    taken = []

    def take():
        while (slot := egresses.acquire()) is not None:
            taken.append(slot.egress)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert 100 == len(taken)
    assert [50, 50] == [egress.used for egress in egresses.egresses]


# --------------------------------------------------------------------------------------------
# Reading a page over the pool


REF = VideoRef(TT, "7504044860782021930")


def test_a_blocked_page_benches_its_egress_and_is_read_on_another():
    """The first egress answers a challenge: it is benched and the second one reads the page."""
    blocked = FakeFetcher({(TT, REF.video_id): FetchResult(BLOCKED, reason="challenge")})
    good = FakeFetcher({(TT, REF.video_id): FetchResult(OK, 10, 2)})
    egresses = pool([3, 3], [blocked, good])

    result, skipped = read_page(egresses, REF, threading.Event())

    assert (FetchResult(OK, 10, 2), None) == (result, skipped)
    assert egresses.egresses[0].benched_until is not None and egresses.egresses[0].blocks
    assert egresses.egresses[1].benched_until is None


def test_a_proxy_that_cannot_connect_benches_its_egress():
    """A proxy failure (egress_fault) benches the egress like a block does."""
    broken = FakeFetcher({(TT, REF.video_id): FetchResult(ERROR, reason="ProxyError", egress_fault=True)})
    good = FakeFetcher({(TT, REF.video_id): FetchResult(OK, 1, 1)})
    egresses = pool([3, 3], [broken, good])

    result, _ = read_page(egresses, REF, threading.Event())

    assert OK == result.status
    assert egresses.egresses[0].benched_until is not None


def test_a_video_is_tried_on_a_few_egresses_at_most():
    """A block that follows the video benches at most three egresses, then the video waits."""
    blocked = [FakeFetcher({(TT, REF.video_id): FetchResult(BLOCKED, reason="10204")}) for _ in range(5)]
    egresses = pool([3] * 5, blocked)

    result, skipped = read_page(egresses, REF, threading.Event())

    assert BLOCKED == result.status and skipped is None
    assert MAX_EGRESS_TRIES == sum(egress.benched_until is not None for egress in egresses.egresses)


def test_no_budget_left_says_so():
    """With every page of the pass taken, the video is skipped with a reason."""
    egresses = pool([0])

    assert (None, PAGES_SPENT) == read_page(egresses, REF, threading.Event())


# --------------------------------------------------------------------------------------------
# TikHub: a share of the day, off after a refused key, 429 waited out


def test_tikhub_spends_its_share_and_then_stops():
    """Two requests allowed for TikTok: the third video is skipped, not requested."""
    fetcher = FakeFetcher({(TT, str(i)): FetchResult(OK, i, i) for i in range(3)})
    gate = TikHubGate(fetcher, LocalAllowance({TT: 2}), threading.Event())

    answers = [gate.read(VideoRef(TT, str(i))) for i in range(3)]

    assert [OK, OK, None] == [result.status if result else None for result, _ in answers]
    assert "额度已用完" in answers[2][1]
    assert 2 == gate.requests


def test_a_refused_key_turns_tikhub_off_for_the_pass():
    """401/403: one request, then no more; the video gets an ordinary error result."""
    fetcher = FakeFetcher({(DY, "1"): ApiConfigError("TikHub API key 无效或无权限 (HTTP 403)"),
                           (DY, "2"): FetchResult(OK, 1, 1)})
    gate = TikHubGate(fetcher, LocalAllowance({DY: 5}), threading.Event())

    first, _ = gate.read(VideoRef(DY, "1"))
    second, why = gate.read(VideoRef(DY, "2"))

    assert ERROR == first.status and "HTTP 403" in first.reason
    assert second is None and "本轮已停用" in why
    assert 1 == gate.requests


def test_a_429_is_waited_out_and_tried_again():
    """A 429 with Retry-After: the request is made again after the wait."""
    answers = iter([FetchResult(BLOCKED, reason="HTTP 429", retry_after=0.05), FetchResult(OK, 3, 4)])

    class Limited(FakeFetcher):
        def fetch_tikhub(self, ref):
            return next(answers)

    gate = TikHubGate(Limited(), LocalAllowance({DY: 5}), threading.Event())

    result, _ = gate.read(VideoRef(DY, "1"))

    assert FetchResult(OK, 3, 4) == result
    assert 2 == gate.requests


def test_tikhub_share_and_the_budget_of_each_platform():
    """TikHub serves Douyin first and adds to TikTok's pages; a day's requests are shared out."""
    config = Config(tikhub_platforms=("douyin", "tiktok"), tikhub_daily_requests=4800)

    budget = plan_budget(config, youtube_api_key=False, quota=(0, False), page_capacity={"youtube": 12, "tiktok": 9,
                         "douyin": 9}, tikhub_key=True, now=T0, steady=True)

    assert {DY: 5, TT: 5} == budget.tikhub  # 4,800 a day over 480 passes, split evenly
    assert {"youtube": 12, "tiktok": 14, "douyin": 5} == budget.refresh_limits
    assert frozenset({DY}) == budget.tikhub_first


# --------------------------------------------------------------------------------------------
# Settings, labels, count age, --plan


def test_a_malformed_proxy_names_the_setting_and_never_the_password():
    """One line naming the setting and the entry; the password is not in it."""
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"TIKTOK_PROXIES": "direct, http://user:s3cret-Pw@proxy.example.com"})

    assert "TIKTOK_PROXIES 第 2 项" in str(caught.value)
    assert "s3cret-Pw" not in str(caught.value)


@pytest.mark.parametrize(("url", "label"), [
    ("http://user:pw@10.0.0.1:8080", "http://***@10.0.0.1:8080"),
    ("socks5h://10.0.0.2:1080", "socks5h://10.0.0.2:1080"),
    ("direct", "direct"),
])
def test_labels_mask_credentials(url, label):
    """What operators see never carries credentials."""
    assert label == mask_proxy(url)


def test_proxy_passwords_are_scrubbed_from_logs():
    """Config.secrets() lists proxy passwords, so the log scrubber hides them."""
    config = config_from_mapping({"DOUYIN_PROXIES": "socks5://u:proxy-pass-1@10.0.0.3:1080"})

    assert "proxy-pass-1" in config.secrets()


def test_count_age_summary():
    """p50/p95/max of the ages sent, how many were fresh, and the cycle at this budget."""
    tally = FreshnessTally()
    for age in range(1, 101):
        tally.add(TT, float(age), refreshed=age <= 9)

    summary = tally.summary({TT: 3000, "youtube": 0}, {TT: 9}, 180)

    assert {"tasks": 100, "refreshed": 9, "p50_age_s": 50.0, "p95_age_s": 95.0, "max_age_s": 100.0,
            "cycle_s": 334 * 180.0, "videos": 3000} == summary[TT]
    assert "youtube" not in summary
    assert cycle_seconds(10, 0, 180) is None and 180.0 == cycle_seconds(10, None, 180)


def test_plan_names_the_change_that_shortens_the_cycle_most():
    """3,000 TikTok videos on one egress: about 16.7 hours; more egresses bring it within an hour."""
    facts = PlanFacts({"tiktok": 3000}, {"tiktok": 3100}, frozenset(), (0, False), 0, T0)

    report = plan_report(Config(), facts)

    assert "TikTok：3,000 个视频（3,100 个任务）" in report
    assert "全部刷新一轮约：16.7 小时" in report
    assert "再加 16 个 TikTok 出口（TIKTOK_PROXIES）可把一轮刷新缩短到约 60 分钟" in report
