"""Suspect counts (docs/operations.md#suspect-counts): a fresh read that collapses against the last known counts is held back.

X2C pays and ranks on these numbers, so one wrong count does more harm than a late one. A read
whose views fall below 80 % of the last known views, or whose likes fall below 50 % of the last
known likes when those are at least 100, is *suspect*: the last known counts go out instead, and
the video keeps the suspect numbers and when they were read. A later read within 5 % of the
suspect numbers confirms them (a real drop: they go out from then on); a read that is not
suspect against the last known counts (back near the old numbers) clears the suspicion.

`judge` is pure: it sees the video's stored state and the fresh read and says what to send and
what to store. The pass calls it where the last known counts are read (`pipeline.decide_counts`),
once per video, so it holds across passes and processes: the state lives in `broadcaster_videos`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

VIEWS_FLOOR = 0.80  # a read below this share of the last known views is suspect
LIKES_FLOOR = 0.50  # a read below this share of the last known likes is suspect ...
LIKES_MINIMUM = 100  # ... when the last known likes are at least this many
CONFIRM_TOLERANCE = 0.05  # a later read this close to the suspect numbers confirms them


@dataclasses.dataclass(frozen=True, slots=True)
class Suspicion:
    """Numbers read but held back, and when."""

    views: int | None
    likes: int | None
    at: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """What a fresh read becomes: the counts to send, and whether they are held-back old ones."""

    views: int | None
    likes: int | None
    held: bool = False  # True: the last known counts go out; `suspicion` is stored
    suspicion: Suspicion | None = None  # what the video records (None clears it)
    confirmed: bool = False  # the read confirmed an earlier suspicion


def collapsed(last_views: int | None, last_likes: int | None, views: int | None, likes: int | None) -> bool:
    """True when a read falls below the floors against the last known counts.

    A count unknown on either side (hidden likes, Douyin without views) is not compared.
    """
    if last_views is not None and views is not None and views < VIEWS_FLOOR * last_views:
        return True
    return (last_likes is not None and likes is not None and last_likes >= LIKES_MINIMUM
            and likes < LIKES_FLOOR * last_likes)


def near(value: int | None, target: int | None) -> bool | None:
    """Whether `value` is within 5 % of `target`; None when either is unknown."""
    if value is None or target is None:
        return None
    return abs(value - target) <= CONFIRM_TOLERANCE * target


def confirms(suspicion: Suspicion, views: int | None, likes: int | None) -> bool:
    """True when a read is within 5 % of the suspect numbers on every count known on both sides
    (and at least one count could be compared)."""
    checks = [check for check in (near(views, suspicion.views), near(likes, suspicion.likes)) if check is not None]
    return bool(checks) and all(checks)


def judge(last_views: int | None, last_likes: int | None, known: bool, suspicion: Suspicion | None,
          views: int | None, likes: int | None, now: dt.datetime) -> Verdict:
    """Decide what a fresh read of a video sends.

    `last_views`/`last_likes` are the last known (sent) counts and `known` says whether the video
    was ever read successfully; `suspicion` is what the video holds back now, if anything.
    """
    if not known:
        return Verdict(views, likes)  # a first read has nothing to be compared with
    if suspicion is not None and confirms(suspicion, views, likes):
        return Verdict(views, likes, confirmed=True)
    if not collapsed(last_views, last_likes, views, likes):
        return Verdict(views, likes)  # normal, or back near the old numbers: any suspicion clears
    return Verdict(last_views, last_likes, held=True, suspicion=Suspicion(views, likes, now))
