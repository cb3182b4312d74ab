"""The clock rule applied to what the database remembers: the API watermark and the covered announcement days.

A stored value that the rule sets aside (unreadable, ahead of the clock, before arXiv) is ignored and, at the
next commit, repaired; see ``arxiv.clock``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from dailypapers.arxiv.calendar import ET
from dailypapers.arxiv.clock import ARXIV_BEGAN, SLACK, WATERMARK, Stored, problem_with, read_day, read_moment
from dailypapers.arxiv.dates import iso
from dailypapers.model import Paper
from dailypapers.store import Store


def watermark(store: Store, now: datetime) -> Stored:
    """Where the daily query may stop: the stored watermark, or, when that is absurd, the newest plausible
    ``updated`` in the archive (the clock itself in an empty one), with the reason."""
    text = store.get_state(WATERMARK)
    if text is None:
        return Stored(None)
    found = read_moment(text, now)
    if found.problem is None:
        return found
    fallback = _newest_update(store, now) or now
    return Stored(
        fallback,
        f"ignoring the stored API watermark {text[:40]!r} ({found.problem}); searching from {iso(fallback)}",
    )


def advance_watermark(store: Store, papers: Iterable[Paper], now: datetime) -> None:
    """Remember the newest plausible entry seen, so the next daily query knows where to stop; a stored
    watermark that is absurd is replaced."""
    current = watermark(store, now)
    seen = [paper.updated for paper in papers if problem_with(paper.updated, now) is None]
    best = max([*seen, *([current.value] if current.value else [])], default=now)
    if current.value is None or current.problem is not None or best > current.value:
        store.set_state(WATERMARK, iso(best))


def _newest_update(store: Store, now: datetime) -> datetime | None:
    text = store.newest_update(iso(ARXIV_BEGAN), iso(now + SLACK))
    return None if text is None else read_moment(text, now).value


def last_covered(store: Store, now: datetime) -> tuple[date | None, list[tuple[str, str]]]:
    """The newest covered announcement day a run may build on, and every stored day it sets aside, each with
    the reason: unreadable, ahead of the clock (a listing day begins at midnight US Eastern), before arXiv."""
    newest: date | None = None
    ignored: list[tuple[str, str]] = []
    for text in store.announcement_days():
        day, problem = read_day(text, now, ET)
        if day is None:
            ignored.append((text, problem or "not a date"))
        elif newest is None or day > newest:
            newest = day
    return newest, ignored
