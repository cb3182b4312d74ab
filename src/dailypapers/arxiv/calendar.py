"""arXiv's announcement calendar: which listing is out at a given moment, and which days have one.

arXiv announces Sunday to Thursday at 20:00 US Eastern, never on Friday or Saturday
(https://info.arxiv.org/help/availability.html, "Announcement Schedule"). The announcement made on the evening of
day X is the listing dated X + 1, and the announcement feeds are rebuilt at the following midnight Eastern, with
that midnight as their ``pubDate`` (https://info.arxiv.org/help/rss.html; rss_specifications, ``<pubDate>``). So
the *announcement days* used here are listing dates: Monday to Friday, except arXiv's holidays. The feed for day D
is out from D 00:00 America/New_York until the next midnight; on a Saturday, a Sunday or a holiday it is empty.

Holidays come from arXiv's availability page, "On Deferred Mailings", which lists them per year as dates. Each
listed date is taken as a day without a listing: the 2026 list holds three Fridays, which only make sense as
listing dates (no announcement is ever made on a Friday evening). The page has only ever listed the current
year, so ``KNOWN_HOLIDAYS`` holds the years whose lists could be read; any other year has no known holidays and
must be extended with the config's ``[arxiv] holidays`` (pass ``KNOWN_HOLIDAYS | extra`` as ``holidays``).

Every function is pure: the moment is passed in, never read from a clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "ANNOUNCEMENT_TIME",
    "ET",
    "KNOWN_HOLIDAYS",
    "announced_at",
    "announcement_days_between",
    "describe",
    "due_announcement",
    "feed_time",
    "holidays_with",
    "is_announcement_day",
    "next_announcement",
]

ET = ZoneInfo("America/New_York")
ANNOUNCEMENT_TIME = time(20, 0)

# arXiv availability page (arXiv/arxiv-docs source/help/availability.md), one list per snapshot:
#  2023: the snapshot at commit 01871500.
#  2025: the snapshot at commit 782dfdf0, which adds "December Holidays are not yet scheduled"; none are known.
#        It lists Sunday 6 July, a day that never has a listing anyway.
#  2026: arxiv-protocol.md §2.3 (snapshot 8332d7e6, 2026-07-24).
KNOWN_HOLIDAYS: frozenset[date] = frozenset(
    {
        date(2023, 1, 16),
        date(2023, 6, 14),
        date(2023, 6, 19),
        date(2023, 7, 4),
        date(2023, 9, 4),
        date(2023, 11, 23),
        date(2023, 12, 25),
        date(2023, 12, 27),
        date(2025, 1, 1),
        date(2025, 1, 20),
        date(2025, 6, 19),
        date(2025, 7, 6),
        date(2025, 9, 1),
        date(2025, 11, 27),
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 6, 19),
        date(2026, 7, 3),
        date(2026, 9, 7),
        date(2026, 11, 26),
        date(2026, 12, 25),
        date(2026, 12, 29),
        date(2026, 12, 31),
    }
)

# A week has at least one announcement day unless a whole week is declared holidays; a search that walks further
# than this is looking at a calendar with no announcements at all.
_SEARCH_LIMIT = 366

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def holidays_with(extra: Iterable[date]) -> frozenset[date]:
    """The known holidays and ``extra`` (the config's ``[arxiv] holidays``), for the ``holidays`` arguments."""
    return KNOWN_HOLIDAYS | frozenset(extra)


def is_announcement_day(day: date, holidays: Collection[date] = KNOWN_HOLIDAYS) -> bool:
    """Whether arXiv has a listing dated ``day``: Monday to Friday, not a holiday."""
    return day.weekday() < 5 and day not in holidays


def feed_time(day: date) -> datetime:
    """Midnight America/New_York starting ``day``: when the feed for ``day`` is built, its ``pubDate``."""
    return datetime.combine(day, time(0, 0), tzinfo=ET)


def announced_at(day: date) -> datetime:
    """When the listing dated ``day`` is made public: 20:00 Eastern the evening before."""
    return datetime.combine(day - timedelta(days=1), ANNOUNCEMENT_TIME, tzinfo=ET)


def due_announcement(now: datetime, holidays: Collection[date] = KNOWN_HOLIDAYS) -> date:
    """The latest announcement day whose feed is out at ``now``: the feed for D is out from D 00:00 Eastern.

    On a Saturday, a Sunday or a holiday this is the last announcement day before it, which a fresh feed does
    not serve any more (it is empty that day); a run then has nothing new to read, not a failure.
    """
    return _first_announcement_day(_eastern_date(now), -1, holidays)


def next_announcement(now: datetime, holidays: Collection[date] = KNOWN_HOLIDAYS) -> date:
    """The first announcement day whose feed is not out yet at ``now`` (its feed appears at its midnight)."""
    return _first_announcement_day(_eastern_date(now) + timedelta(days=1), 1, holidays)


def announcement_days_between(after: date, up_to: date, holidays: Collection[date] = KNOWN_HOLIDAYS) -> list[date]:
    """The announcement days d with ``after < d <= up_to``, oldest first: the listings a catch-up must cover."""
    days: list[date] = []
    day = after + timedelta(days=1)
    while day <= up_to:
        if is_announcement_day(day, holidays):
            days.append(day)
        day += timedelta(days=1)
    return days


def describe(day: date) -> str:
    """``Tue 24 Nov 2026``: English names whatever the locale, as arXiv's own pages write dates."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _first_announcement_day(start: date, step: int, holidays: Collection[date]) -> date:
    """The first announcement day from ``start`` on, walking ``step`` days at a time (1 or -1)."""
    day = start
    for _ in range(_SEARCH_LIMIT):
        if is_announcement_day(day, holidays):
            return day
        day += timedelta(days=step)
    direction = "after" if step > 0 else "before"
    raise ValueError(f"no announcement day within {_SEARCH_LIMIT} days {direction} {start}: check the holidays")


def _eastern_date(now: datetime) -> date:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"a time without a time zone cannot be placed in arXiv's day: {now.isoformat()}")
    return now.astimezone(ET).date()
