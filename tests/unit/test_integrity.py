"""Suspect counts (docs/operations.md#suspect-counts) on the fast layer: the rule's edges and a pass in memory."""

import datetime as dt

import pytest

from broadcaster.core.states import FetchStatus
from broadcaster.engine.integrity import Suspicion, Verdict, collapsed, confirms, judge
from broadcaster.engine.pipeline import decide_counts
from broadcaster.engine.recorder import RowBatch, video_row
from broadcaster.fetching.results import FetchResult
from broadcaster.storage import queries
from fakes.memory import NEVER_READ, stored

NOW = dt.datetime(2026, 12, 7, 5, 0, tzinfo=dt.UTC)
OK = FetchStatus.OK


def verdict(last, read, suspicion=None, known=True):
    return judge(*last, known, suspicion, *read, NOW)


@pytest.mark.parametrize("views, held", [(800, False), (799, True), (1000, False), (0, True), (5000, False)])
def test_views_below_80_percent_are_held_exactly_80_is_not(views, held):
    """Exactly 80 % of the last known views goes out; one view fewer is held back."""
    result = verdict((1000, 10), (views, 10))

    assert held == result.held
    assert ((1000, 10) if held else (views, 10)) == (result.views, result.likes)


@pytest.mark.parametrize("last_likes, likes, held", [
    (100, 50, False),  # exactly 50 %
    (100, 49, True),
    (99, 1, False),  # the likes rule needs at least 100 last known likes
    (100, None, False),  # hidden likes: nothing to compare
    (None, 5, False),  # likes were hidden before
])
def test_likes_below_half_are_held_when_at_least_100(last_likes, likes, held):
    """Likes count only from 100 last known likes up, and hidden likes are never a collapse."""
    assert held == verdict((1000, last_likes), (1000, likes)).held


def test_a_first_read_is_never_suspect():
    """A video never read has nothing to compare with: its first counts go out."""
    assert Verdict(5, 1) == verdict((None, None), (5, 1), known=False)
    assert Verdict(5, 1) == judge(None, None, False, None, 5, 1, NOW)


def test_unknown_views_are_not_compared():
    """Douyin without TikHub reads no views: a read without views is judged on likes alone."""
    assert not verdict((90000, 7000), (None, 6900)).held
    assert verdict((90000, 7000), (None, 3000)).held
    assert not verdict((None, 7000), (1200, 7000)).held
    assert not collapsed(None, None, 1, 1)


def test_a_held_read_records_its_numbers_and_time():
    """The suspect numbers and when they were read are what the video keeps."""
    result = verdict((1_200_000, 34_000), (1_200, 34))

    assert (True, 1_200_000, 34_000) == (result.held, result.views, result.likes)
    assert Suspicion(1_200, 34, NOW) == result.suspicion


@pytest.mark.parametrize("read, outcome", [
    ((1_200, 34), "confirmed"),
    ((1_260, 35), "confirmed"),  # within 5 %
    ((1_261, 34), "held"),  # just outside 5 %: a new suspicion
    ((1_150_000, 33_000), "cleared"),  # back near the old numbers
    ((500_000, 34_000), "held"),
])
def test_a_later_read_confirms_clears_or_renews_the_suspicion(read, outcome):
    """Within 5 % of the suspect numbers confirms them; back near the old numbers clears them."""
    suspicion = Suspicion(1_200, 34, NOW - dt.timedelta(minutes=3))

    result = verdict((1_200_000, 34_000), read, suspicion)

    if outcome == "held":
        assert (True, (1_200_000, 34_000), Suspicion(*read, NOW)) == (result.held, (result.views, result.likes),
                                                                       result.suspicion)
    else:
        assert (False, read, None, outcome == "confirmed") == (result.held, (result.views, result.likes),
                                                              result.suspicion, result.confirmed)


def test_confirmation_compares_only_counts_known_on_both_sides():
    """Hidden likes on one side leave the views to decide; nothing comparable confirms nothing."""
    assert confirms(Suspicion(1_000, None, NOW), 1_010, 40)
    assert not confirms(Suspicion(None, None, NOW), 1_010, 40)


def test_decide_counts_sends_the_last_known_counts_with_their_age():
    """A held read goes out as the stored counts, read when they were read: not fresh."""
    before = stored(1_200_000, 34_000, hours_ago=2)

    decision = decide_counts(before, FetchResult(OK, 1_200, 34), now=NOW)

    assert (1_200_000, 34_000, before.fetched_at, False) == (decision.views, decision.likes, decision.read_at,
                                                             decision.fresh)
    assert decision.verdict.held
    unchecked = decide_counts(before, FetchResult(OK, 1_200, 34), now=NOW, check_suspect=False)
    assert (1_200, 34, True) == (unchecked.views, unchecked.likes, unchecked.fresh)
    assert (5, 1) == (decide_counts(NEVER_READ, FetchResult(OK, 5, 1), now=NOW).views, 1)


def test_a_held_read_stores_the_suspicion_and_makes_no_history():
    """The video row keeps the old counts with the suspect numbers; history and counters see it."""
    held = decide_counts(stored(1000, 200), FetchResult(OK, 10, 2), now=NOW).verdict
    normal = decide_counts(stored(1000, 200), FetchResult(OK, 1100, 210), now=NOW).verdict
    batch = RowBatch(videos=[video_row("youtube", "a", FetchResult(OK, 10, 2), held),
                             video_row("tiktok", "b", FetchResult(OK, 1100, 210), normal)])

    assert {"views": 1000, "likes": 200, "held": True, "suspect_views": 10, "suspect_likes": 2}.items() <= \
        batch.videos[0].items()
    rows = {statement: rows for statement, _, rows in batch.statements()}
    assert ["b"] == [row["video_id"] for row in rows[queries.INSERT_COUNT_POINTS]]
    counters = rows[queries.ADD_COUNTERS]
    assert {"metric": "broadcaster_suspect_counts", "labels": '{"platform": "youtube"}', "value": 1} in counters
