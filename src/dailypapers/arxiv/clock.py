"""The clock rule: a date from upstream may be stored, but only a plausible one may move a run's progress.

Runs remember how far they got in dates that come from arXiv: the export API's watermark (the newest
``<updated>`` seen), the announcement days covered (a feed's ``pubDate``), the day an OAI-PMH back-fill reached
(its records' datestamps). One date far in the future would stop every later run for good: the next search
would end at once, the next real announcement would count as covered already. So a date more than a day ahead
of the run's clock (``SLACK``, room for time zones and a clock a little behind) is stored as given with its paper,
but never moves a watermark, a covered day or a checkpoint; nor does one from before arXiv existed. The same rule
is applied to what an older version, or anyone, left in the database: such a value is ignored and repaired.

Every function is pure: the moment is passed in, never read from a clock. What the rule does to the stored
watermark and covered days is in ``store.watermark``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from dailypapers.arxiv.dates import iso
from dailypapers.model import Paper

SLACK = timedelta(days=1)
# arXiv's first paper, hep-th/9108001, was announced in August 1991: nothing a run builds on is older.
ARXIV_BEGAN = datetime(1991, 8, 1, tzinfo=UTC)
WATERMARK = "api_watermark"
SHOWN = 5  # ids named in a log line; the rest are counted


@dataclass(frozen=True)
class Stored:
    """A date read from the database: what a run may build on, and why the stored text was set aside."""

    value: datetime | None
    problem: str | None = None


def ahead(moment: datetime, now: datetime) -> bool:
    """Whether ``moment`` is more than ``SLACK`` ahead of the clock: never trusted for progress."""
    return moment > now + SLACK


def day_ahead(day: date, now: datetime, zone: tzinfo = UTC) -> bool:
    """Whether ``day`` begins (at midnight in ``zone``) more than ``SLACK`` ahead of the clock."""
    return ahead(datetime.combine(day, time(0, 0), tzinfo=zone), now)


def problem_with(moment: datetime, now: datetime) -> str | None:
    """Why ``moment`` cannot be a run's progress, or None when it can."""
    if ahead(moment, now):
        return f"more than a day ahead of the clock ({stamp(now)})"
    if moment < ARXIV_BEGAN:
        return "before arXiv existed"
    return None


def day_problem(day: date, now: datetime, zone: tzinfo = UTC) -> str | None:
    """``problem_with`` for a day that begins at midnight in ``zone`` (arXiv's listings: US Eastern)."""
    return problem_with(datetime.combine(day, time(0, 0), tzinfo=zone), now)


def stamp(moment: datetime) -> str:
    """``2026-05-16 06:00 UTC``: how log lines write the clock."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def read_moment(text: str, now: datetime) -> Stored:
    """A stored timestamp, or None with the reason it is not usable (unreadable, ahead, before arXiv)."""
    try:
        moment = datetime.fromisoformat(text)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return Stored(None, "not a date")
    problem = problem_with(moment, now)
    return Stored(None, problem) if problem else Stored(moment)


def read_day(text: str, now: datetime, zone: tzinfo = UTC) -> tuple[date | None, str | None]:
    """A stored day (``YYYY-MM-DD``), or None with the reason it is not usable."""
    try:
        day = date.fromisoformat(text)
    except (ValueError, TypeError):
        return None, "not a date"
    problem = day_problem(day, now, zone)
    return (None, problem) if problem else (day, None)


def named(ids: Sequence[str]) -> str:
    """``a, b, c, d, e and 3 more``: a capped list of ids for one log line."""
    shown = ", ".join(ids[:SHOWN])
    return shown + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")


# --- the export API's watermark ----------------------------------------------------------------------------


def untrusted(papers: Iterable[Paper], now: datetime) -> list[Paper]:
    """The entries dated (``updated``) more than a day ahead of the clock, in id order."""
    return sorted((paper for paper in papers if ahead(paper.updated, now)), key=lambda paper: paper.versioned_id)


def untrusted_line(papers: Sequence[Paper], now: datetime) -> str:
    """What the run says about entries it stored but did not trust."""
    count = f"{len(papers)} {'entry is' if len(papers) == 1 else 'entries are'}"
    return (
        f"{count} dated more than a day ahead of the clock ({stamp(now)}), stored as given but not trusted to "
        f"move the watermark: {named([f'{p.versioned_id} ({iso(p.updated)})' for p in papers])}"
    )


def ignored_days_line(ignored: Sequence[tuple[str, str]]) -> str:
    """What the run says about covered days it will not build on (and forgets when it commits)."""
    days = [f"{text[:40]!r} ({problem})" for text, problem in ignored]
    return f"ignoring {len(days)} covered announcement day{'s' if len(days) != 1 else ''} stored: {named(days)}"
