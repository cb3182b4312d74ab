"""arXiv's announcement calendar: listing days, holidays, the feed's midnight Eastern and daylight saving time."""

from __future__ import annotations

import locale
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from dailypapers.arxiv.calendar import (
    ET,
    KNOWN_HOLIDAYS,
    announced_at,
    announcement_days_between,
    describe,
    due_announcement,
    feed_time,
    holidays_with,
    is_announcement_day,
    next_announcement,
)

THANKSGIVING_WEEK = [date(2026, 11, 23) + timedelta(days=n) for n in range(8)]  # Mon 23 … Mon 30 Nov 2026


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def eastern(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=ET)


# -- which days have a listing -----------------------------------------------------------------------------------


def test_thanksgiving_week_2026() -> None:
    """Thursday 26 Nov 2026 is an arXiv holiday (availability page); the weekend never has a listing."""
    days = [(describe(day), is_announcement_day(day)) for day in THANKSGIVING_WEEK]
    assert days == [
        ("Mon 23 Nov 2026", True),
        ("Tue 24 Nov 2026", True),
        ("Wed 25 Nov 2026", True),
        ("Thu 26 Nov 2026", False),
        ("Fri 27 Nov 2026", True),
        ("Sat 28 Nov 2026", False),
        ("Sun 29 Nov 2026", False),
        ("Mon 30 Nov 2026", True),
    ]


def test_announcement_days_between_is_exclusive_then_inclusive() -> None:
    assert announcement_days_between(date(2026, 11, 23), date(2026, 11, 30)) == [
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 27),
        date(2026, 11, 30),
    ]
    assert announcement_days_between(date(2026, 11, 25), date(2026, 11, 26)) == []
    assert announcement_days_between(date(2026, 11, 27), date(2026, 11, 27)) == []
    assert announcement_days_between(date(2026, 11, 30), date(2026, 11, 23)) == []


def test_new_year_2026_holidays() -> None:
    """29 and 31 Dec 2026 are holidays besides Christmas; 2027 is not on record, so 1 Jan 2027 is added by hand."""
    assert announcement_days_between(date(2026, 12, 23), date(2027, 1, 5)) == [
        date(2026, 12, 24),
        date(2026, 12, 28),
        date(2026, 12, 30),
        date(2027, 1, 1),
        date(2027, 1, 4),
        date(2027, 1, 5),
    ]
    extra = holidays_with([date(2027, 1, 1)])
    assert announcement_days_between(date(2026, 12, 23), date(2027, 1, 5), extra) == [
        date(2026, 12, 24),
        date(2026, 12, 28),
        date(2026, 12, 30),
        date(2027, 1, 4),
        date(2027, 1, 5),
    ]
    assert due_announcement(eastern(2027, 1, 1, 9, 0), extra) == date(2026, 12, 30)
    assert due_announcement(eastern(2026, 12, 31, 23, 59), extra) == date(2026, 12, 30)
    assert next_announcement(eastern(2026, 12, 30, 12, 0), extra) == date(2027, 1, 4)


@pytest.mark.parametrize(
    "day",
    [date(2026, 1, 1), date(2026, 1, 19), date(2026, 6, 19), date(2026, 7, 3), date(2026, 9, 7)]
    + [date(2026, 11, 26), date(2026, 12, 25), date(2026, 12, 29), date(2026, 12, 31)],
)
def test_the_2026_holidays_of_the_protocol_notes(day: date) -> None:
    assert day in KNOWN_HOLIDAYS
    assert day.weekday() < 5  # each would otherwise be a listing day
    assert not is_announcement_day(day)


def test_known_holidays_of_2025() -> None:
    assert {d for d in KNOWN_HOLIDAYS if d.year == 2025} == {
        date(2025, 1, 1),
        date(2025, 1, 20),
        date(2025, 6, 19),
        date(2025, 7, 6),
        date(2025, 9, 1),
        date(2025, 11, 27),
    }


def test_custom_holidays_replace_the_known_ones() -> None:
    assert is_announcement_day(date(2026, 11, 26), holidays=frozenset())
    assert not is_announcement_day(date(2026, 11, 24), holidays={date(2026, 11, 24)})


# -- which listing is out at a moment -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "due", "upcoming"),
    [
        # Monday's feed appears at midnight Eastern (EST, UTC-5, in late November).
        (utc(2026, 11, 23, 4, 59, 59), date(2026, 11, 20), date(2026, 11, 23)),
        (utc(2026, 11, 23, 5, 0, 0), date(2026, 11, 23), date(2026, 11, 24)),
        # Thanksgiving (Thu 26 Nov) has no listing, so nothing is announced on Wednesday evening and
        # Wednesday's listing stays the latest until Friday's midnight.
        (eastern(2026, 11, 25, 20, 30), date(2026, 11, 25), date(2026, 11, 27)),
        (eastern(2026, 11, 26, 0, 0), date(2026, 11, 25), date(2026, 11, 27)),
        (eastern(2026, 11, 26, 23, 59, 59), date(2026, 11, 25), date(2026, 11, 27)),
        (eastern(2026, 11, 27, 0, 0), date(2026, 11, 27), date(2026, 11, 30)),
        # The weekend: Friday's listing stays the latest until Monday's midnight.
        (eastern(2026, 11, 28, 12, 0), date(2026, 11, 27), date(2026, 11, 30)),
        (eastern(2026, 11, 29, 20, 0), date(2026, 11, 27), date(2026, 11, 30)),
        (eastern(2026, 11, 29, 23, 59, 59), date(2026, 11, 27), date(2026, 11, 30)),
        (eastern(2026, 11, 30, 0, 0), date(2026, 11, 30), date(2026, 12, 1)),
        # A time in another zone is placed in Eastern time first: 01:00 in Shanghai on Tuesday is Monday noon.
        (datetime(2026, 11, 24, 1, 0, tzinfo=timezone(timedelta(hours=8))), date(2026, 11, 23), date(2026, 11, 24)),
    ],
)
def test_due_and_next_announcement(now: datetime, due: date, upcoming: date) -> None:
    assert due_announcement(now) == due
    assert next_announcement(now) == upcoming


@pytest.mark.parametrize(
    ("now", "due"),
    [
        # Daylight saving time starts Sunday 8 March 2026: Monday's midnight is 04:00 UTC, Friday's was 05:00.
        (utc(2026, 3, 6, 4, 59, 59), date(2026, 3, 5)),
        (utc(2026, 3, 6, 5, 0, 0), date(2026, 3, 6)),
        (utc(2026, 3, 9, 3, 59, 59), date(2026, 3, 6)),
        (utc(2026, 3, 9, 4, 0, 0), date(2026, 3, 9)),
        # It ends Sunday 1 November 2026: Friday's midnight is 04:00 UTC, Monday's 05:00.
        (utc(2026, 10, 30, 3, 59, 59), date(2026, 10, 29)),
        (utc(2026, 10, 30, 4, 0, 0), date(2026, 10, 30)),
        (utc(2026, 11, 2, 4, 59, 59), date(2026, 10, 30)),
        (utc(2026, 11, 2, 5, 0, 0), date(2026, 11, 2)),
    ],
)
def test_daylight_saving_time_moves_midnight_in_utc(now: datetime, due: date) -> None:
    assert due_announcement(now) == due


def test_feed_time_and_announced_at_follow_daylight_saving_time() -> None:
    assert feed_time(date(2026, 3, 6)).astimezone(UTC) == utc(2026, 3, 6, 5, 0)
    assert feed_time(date(2026, 3, 9)).astimezone(UTC) == utc(2026, 3, 9, 4, 0)
    assert feed_time(date(2026, 11, 2)).astimezone(UTC) == utc(2026, 11, 2, 5, 0)
    # Monday's listing is announced on Sunday evening, across the change of offset.
    assert announced_at(date(2026, 3, 9)).astimezone(UTC) == utc(2026, 3, 9, 0, 0)
    assert announced_at(date(2026, 11, 2)).astimezone(UTC) == utc(2026, 11, 2, 1, 0)
    # Friday 27 Nov 2026's listing is announced on Thanksgiving evening.
    assert announced_at(date(2026, 11, 27)) == eastern(2026, 11, 26, 20, 0)


def test_a_time_without_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        due_announcement(datetime(2026, 11, 24, 12, 0))


def test_a_calendar_without_announcement_days_is_an_error_not_a_hang() -> None:
    everything = {date(2026, 1, 1) + timedelta(days=n) for n in range(-400, 400)}
    with pytest.raises(ValueError, match="no announcement day"):
        due_announcement(eastern(2026, 1, 1, 12, 0), everything)
    with pytest.raises(ValueError, match="no announcement day"):
        next_announcement(eastern(2026, 1, 1, 12, 0), everything)


# -- describing a day --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 11, 24), "Tue 24 Nov 2026"),
        (date(2026, 12, 1), "Tue 1 Dec 2026"),
        (date(2025, 4, 27), "Sun 27 Apr 2025"),
        (date(2027, 1, 1), "Fri 1 Jan 2027"),
    ],
)
def test_describe(day: date, text: str) -> None:
    assert describe(day) == text


def test_describe_ignores_the_locale() -> None:
    saved = locale.setlocale(locale.LC_TIME)
    try:
        for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"):
            try:
                locale.setlocale(locale.LC_TIME, name)
            except locale.Error:
                continue
            assert describe(date(2026, 11, 24)) == "Tue 24 Nov 2026"
    finally:
        locale.setlocale(locale.LC_TIME, saved)
