"""``GET /days`` and ``GET /days/YYYY-MM-DD``: the archive by day, each day what the daily runs brought.

A day means what a run "brought" means for the inbox: with a category scope, the arXiv announcement the run
covered (``runs.announcement``); without one, or for a run that covered none, the day it finished in the
config's time zone, as the inbox's "New on …" names it. A day's papers are the matches its runs first recorded
(a paper comes again on the day a later version was matched), in the config's topics and scope, as the site's
day pages list them (``match.digest.archive_days``). A GET never writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dailypapers.arxiv.calendar import ET, describe
from dailypapers.arxiv.clock import read_day
from dailypapers.arxiv.coverage import summary
from dailypapers.config import Config
from dailypapers.match.digest import summarised
from dailypapers.match.verdicts import explanation, scope_query
from dailypapers.model import Listed, Section
from dailypapers.serve.cards import merged
from dailypapers.serve.inbox import Group, groups
from dailypapers.serve.ranking import scores
from dailypapers.serve.reader import Reader
from dailypapers.store import Store, database_errors
from dailypapers.store.days import DayRun

DAYS_PER_PAGE = 60  # a quarter of a year of announcements: every day of years is a few pages away
CARDS_PER_PAGE = 100
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Calendar:
    """The archive's days, newest first, each with the daily runs that make it up (none for an announcement
    covered without a match), and which of them are covered announcements."""

    runs: dict[date, list[int]]
    covered: frozenset[date]

    def neighbours(self, day: date) -> tuple[date | None, date | None]:
        """The nearest older and newer days that hold papers."""
        holding = [other for other, runs in self.runs.items() if runs]
        older = max((other for other in holding if other < day), default=None)
        newer = min((other for other in holding if other > day), default=None)
        return older, newer


@dataclass(frozen=True, slots=True)
class DayCount:
    """A day on the list: how many papers it brought in all and per topic (each paper counted once)."""

    day: date
    label: str
    papers: int
    topics: tuple[tuple[str, int], ...]
    covered: bool


def page_number(request: Request) -> int:
    """``?page=N`` (1 when absent); anything but a positive number is a 404 naming it."""
    text = request.query_params.get("page", "1")
    if not text.isascii() or not text.isdigit() or int(text) < 1 or len(text) > 6:
        raise HTTPException(404, f"page={text[:20]!r} is not a page: pages are numbered from 1")
    return int(text)


def _day_of(run: DayRun, config: Config, now: datetime) -> date:
    if run.announcement:
        day, problem = read_day(run.announcement, now, ET)
        if day is not None and problem is None:
            return day
    return run.finished.astimezone(config.timezone).date()


def calendar(store: Store, config: Config, now: datetime) -> Calendar:
    """Every day of the archive: the days of the runs that matched the config's topics, and, with a category
    scope, every covered announcement (one the clock rule sets aside, ``arxiv.clock``, is not a day)."""
    days: dict[date, list[int]] = {}
    for run in store.day_runs([topic.name for topic in config.topics]):
        days.setdefault(_day_of(run, config, now), []).append(run.run)
    covered: set[date] = set()
    for text in store.announcement_days() if config.categories else ():
        day, problem = read_day(text, now, ET)
        if day is not None and problem is None:
            covered.add(day)
            days.setdefault(day, [])
    return Calendar(dict(sorted(days.items(), reverse=True)), frozenset(covered))


def day_counts(store: Store, config: Config, days: Sequence[tuple[date, list[int]]], known: Calendar) -> list[DayCount]:
    """The counts of ``days`` (a page of the calendar), read in one pass over their matches."""
    day_of = {run: day for day, runs in days for run in runs}
    topics = [topic.name for topic in config.topics]
    found: dict[date, dict[str, set[str]]] = {}
    for run, topic, paper in store.day_matches(list(day_of), topics, scope_query(config.categories)):
        found.setdefault(day_of[run], {}).setdefault(topic, set()).add(paper)
    shown = []
    for day, _ in days:
        by_topic = found.get(day, {})
        papers = set().union(*by_topic.values())
        per_topic = tuple((name, len(by_topic[name])) for name in topics if name in by_topic)
        shown.append(DayCount(day, describe(day), len(papers), per_topic, day in known.covered))
    return shown


def day_sections(store: Store, config: Config, runs: Sequence[int]) -> tuple[Section, ...]:
    """What ``runs`` first matched, per topic in the config's order, in scope, latest run and newest paper first."""
    scope = scope_query(config.categories)
    topics = {topic.name: topic for topic in config.topics}
    matches = [match for match in store.archive.matches_of(runs) if match.topic in topics]
    papers = store.papers(((match.paper_id, match.version) for match in matches), scope)
    by_topic: dict[str, list[Listed]] = {name: [] for name in topics}
    for match in matches:
        paper = papers.get((match.paper_id, match.version))
        if paper is not None:
            reason = match.reason or explanation(topics[match.topic], paper)
            by_topic[match.topic].append(Listed(paper, new_version=match.new_version, reason=reason))
    return tuple(
        Section(topic=name, papers=tuple(summarised(store, config, found)), query=topics[name].source)
        for name, found in by_topic.items()
        if found
    )


def _note(store: Store, day: date) -> str | None:
    """The line naming the announcement a covered day shows, as the inbox writes it."""
    source = store.announcement_source(day)
    if source is None:
        return None
    if source == "feed":
        return f"arXiv announcement of {describe(day)}: {summary(store.announced_counts(day))}."
    return f"arXiv announcement of {describe(day)} (recovered from the export API)."


def _days_page(reader: Reader, page: int) -> tuple[list[DayCount], int, int]:
    """A page of the list, the number of days and of pages."""
    with reader.lock, database_errors(reader.store.path):
        reader.refresh()
        config = reader.env.config
        known = calendar(reader.store, config, reader.env.now())
        every = list(known.runs.items())
        pages = max(1, -(-len(every) // DAYS_PER_PAGE))
        if page > pages:
            raise HTTPException(404, f"the list of days has {pages} page{'s' if pages > 1 else ''}")
        shown = every[(page - 1) * DAYS_PER_PAGE : page * DAYS_PER_PAGE]
        return day_counts(reader.store, config, shown, known), len(every), pages


async def days_list(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    page = page_number(request)
    days, total, pages = _days_page(reader, page)
    return reader.page(request, "days.html.j2", days=days, total=total, page=page, pages=pages)


@dataclass(frozen=True, slots=True)
class DayView:
    """One day's page: its count, a page of its cards by topic, the line naming its announcement, and its
    neighbours."""

    count: DayCount
    groups: list[Group]
    note: str | None
    older: date | None
    newer: date | None
    page: int = 1
    pages: int = 1


def _day_view(reader: Reader, day: date, page: int) -> DayView | None:
    """The day as the inbox shows a run (``inbox.groups``): each paper once, under the first of its topics in
    the config's order, naming every topic; unread first within a topic, best first once the ranking has a model
    (the last one trained: a day's page never waits for training)."""
    with reader.lock, database_errors(reader.store.path):
        reader.refresh()
        store, config = reader.store, reader.env.config
        known = calendar(store, config, reader.env.now())
        runs = known.runs.get(day)
        if runs is None:
            return None
        sections = day_sections(store, config, runs)
        topics = {listed.paper.id: names for listed, names in merged(sections)}
        states = store.signal_states(topics)
        count = day_counts(store, config, [(day, runs)], known)[0]
        model = reader.ranker.standing(store, config, reader.env.now(), reader.env.log).model
        score = scores(model, (listed.paper for section in sections for listed in section.papers), reader.env.log)
        shown, pages = _page_of(groups(sections, topics, states, set(), score=score), page)
        note = _note(store, day) if day in known.covered else None
        return DayView(count, shown, note, *known.neighbours(day), page, pages)


def _page_of(every: list[Group], page: int) -> tuple[list[Group], int]:
    """Page ``page`` of a day's groups, ``CARDS_PER_PAGE`` cards a page, and the number of pages (a day a new
    topic was back-filled can hold thousands); a page beyond the last is a 404."""
    total = sum(len(group.cards) for group in every)
    pages = max(1, -(-total // CARDS_PER_PAGE))
    if page > pages:
        raise HTTPException(404, f"this day has {pages} page{'s' if pages > 1 else ''}")
    start, end, seen, shown = (page - 1) * CARDS_PER_PAGE, page * CARDS_PER_PAGE, 0, []
    for group in every:
        part = group.cards[max(start - seen, 0) : max(end - seen, 0)]
        seen += len(group.cards)
        if part:
            shown.append(replace(group, cards=part))
    return shown, pages


async def day_page(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    text = request.path_params["day"]
    try:
        day = date.fromisoformat(text) if _DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise HTTPException(404, f"{text[:40]!r} is not a day: write it as YYYY-MM-DD, such as 2026-05-15")
    view = _day_view(reader, day, page_number(request))
    if view is None:
        raise HTTPException(404, f"the archive holds no papers for {describe(day)}; /days lists the days it holds")
    return reader.page(request, "day_page.html.j2", view=view)


ROUTES = [Route("/days", days_list, methods=["GET"]), Route("/days/{day}", day_page, methods=["GET"])]
