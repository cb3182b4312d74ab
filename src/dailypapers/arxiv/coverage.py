"""Which announcement a run covers: the feed read against arXiv's calendar and what the store already covers.

Three cases must never be confused (https://info.arxiv.org/help/availability.html, rss.html):

- a new announcement: the feed shows a listing day not covered yet (and, if days were missed since the last
  covered one, those are recovered from the export API);
- no announcement: the feed is up to date and empty, as on weekends and holidays, which is not a failure;
- a stale feed: the feed still shows what was covered already although arXiv's schedule says a newer listing
  is due, so the day is not done and the run must be repeated later.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from dailypapers.arxiv.calendar import ET, announcement_days_between, describe, due_announcement
from dailypapers.arxiv.clock import day_ahead, stamp
from dailypapers.model import Paper

if TYPE_CHECKING:  # the feed's reader (lxml, the HTTP door) is not needed to judge what it read: render stays light
    from dailypapers.arxiv.announce import Announcement

COVER = "cover"
COVERED = "covered"
NO_ANNOUNCEMENT = "no-announcement"
STALE = "stale"


@dataclass(frozen=True)
class FeedVerdict:
    outcome: str
    day: date | None
    message: str
    missed: tuple[date, ...] = ()
    ahead: bool = False  # the feed is dated more than a day ahead of the clock: nothing is marked as covered


def judge_feed(feed: Announcement, now: datetime, last: date | None, holidays: Collection[date]) -> FeedVerdict:
    """Decide what ``feed`` means at ``now`` when ``last`` is the newest announcement already covered."""
    due = due_announcement(now, holidays)
    day = feed.day
    if day is None:
        return FeedVerdict(STALE, None, "the announcement feed carries no date; trying again later")
    if day_ahead(day, now, ET):
        return _ahead(feed, day, now)
    behind = day < due
    if behind and (feed.empty or (last is not None and day <= last)):
        return FeedVerdict(
            STALE,
            day,
            f"stale announcement feed: it still shows {describe(day)}, but the announcement of {describe(due)} "
            "is due; nothing was marked as covered, run again later",
        )
    if feed.empty:
        return FeedVerdict(NO_ANNOUNCEMENT, day, f"No arXiv announcement on {describe(day)}.")
    if last is not None and day <= last:
        return FeedVerdict(COVERED, day, f"the announcement of {describe(day)} was covered already")
    missed = () if last is None else tuple(d for d in announcement_days_between(last, day, holidays) if d != day)
    message = f"arXiv announcement of {describe(day)}: {summary(by_type(feed))}"
    if behind:
        message += f" (the feed is behind: the announcement of {describe(due)} is due)"
    return FeedVerdict(COVER, day, message, missed)


def _ahead(feed: Announcement, day: date, now: datetime) -> FeedVerdict:
    """A feed dated more than a day ahead of the clock (the clock rule, clock.py): its papers are taken, but
    its day is not trusted, so no announcement is marked as covered and the export API fills in since the
    last run; otherwise one bad ``pubDate`` would mark every real announcement until then as covered already."""
    message = (
        f"the announcement feed is dated {describe(day)}, more than a day ahead of the clock ({stamp(now)}): "
        f"{summary(by_type(feed))} taken, no announcement marked as covered"
    )
    return FeedVerdict(COVER, day, message, ahead=True)


def by_type(feed: Announcement) -> dict[str, int]:
    """How many items the feed lists as each announcement type (relative to the whole requested scope)."""
    return dict(Counter(item.announce_type for item in feed.items))


def summary(counts: dict[str, int]) -> str:
    """``31 new, 12 cross-lists, 4 replacements``: the counts a reader cares about, in arXiv's order."""
    names = (
        ("new", "new", "new"),
        ("cross", "cross-list", "cross-lists"),
        ("replace", "replacement", "replacements"),
        ("replace-cross", "cross-listed replacement", "cross-listed replacements"),
    )
    parts = [f"{counts[key]} {one if counts[key] == 1 else many}" for key, one, many in names if counts.get(key)]
    return ", ".join(parts) if parts else "no papers"


def derived_type(paper: Paper, in_scope_primary: bool) -> str:
    """The announcement type of a paper found through the export API, as the feeds would have called it."""
    if paper.version == 1:
        return "new" if in_scope_primary else "cross"
    return "replace" if in_scope_primary else "replace-cross"
