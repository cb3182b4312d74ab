"""From the store to a ``Digest``: what the page and the notification show, chosen by the config.

This is the only place that decides which papers a reader sees: the topic's matches, inside the category
scope, newest first, at most ``max_papers``; and for the notification, the matches first recorded since the
last run whose outputs were published.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from dailypapers.arxiv.calendar import describe
from dailypapers.arxiv.coverage import NO_ANNOUNCEMENT, summary
from dailypapers.config import Config, Topic
from dailypapers.match.verdicts import explanation, in_scope, scope_query
from dailypapers.model import Day, Digest, Listed, Message, Paper, Section
from dailypapers.query import Node
from dailypapers.store import MatchRow, RunRecord, Store
from dailypapers.store.watermark import last_covered


def build_digest(
    store: Store, config: Config, run: RunRecord, archive: bool = False, recent: int | None = None
) -> Digest:
    """Everything the renderers need for ``run``, read from the store; ``archive`` adds every day of the
    archive at once (``archive_days`` reads them one at a time). ``recent`` lists, instead of the page's
    ``max_papers`` latest papers per topic, the ``recent`` latest beyond those the run brought (the reader's
    inbox, which shows those above)."""
    scope = scope_query(config.categories)
    finished = run.finished or run.started
    new = _new(store, config, scope, run)
    brought = {section.topic: len(section.papers) for section in new}
    limits = {
        topic.name: config.max_papers if recent is None else recent + brought.get(topic.name, 0)
        for topic in config.topics
    }
    return Digest(
        title=config.title,
        day=finished.astimezone(config.timezone).date(),
        sections=tuple(_section(store, scope, topic, limits[topic.name]) for topic in config.topics),
        new=new,
        note=_announcement_note(store, run),
        quiet=None if run.outcome == "new" else _nothing_new(store, run, config),
        columns=config.columns,
        generated=finished,
        days=tuple(archive_days(store, config)) if archive else (),
        link=config.link,
    )


def build_message(store: Store, config: Config, digest: Digest, matches: Iterable[MatchRow], limit: int) -> Message:
    """One target's message: ``matches`` (what it has not been sent yet) as sections in the config's order."""
    by_topic = _by_topic(store, config, scope_query(config.categories), matches)
    return Message(
        title=config.title,
        day=digest.day,
        sections=_sections(config, by_topic),
        limit=limit,
        note=digest.note,
        link=config.link,
    )


def _topic(config: Config, name: str) -> Topic:
    return next(topic for topic in config.topics if topic.name == name)


def _listed(paper: Paper, topic: Topic, new_version: bool = False, reason: str | None = None) -> Listed:
    """The paper with the part of the topic's query it satisfies, as the site and messages show it: as the run
    that matched it recorded it, or worked out now (a back-fill's matches, or a database older than reasons)."""
    return Listed(paper, new_version=new_version, reason=reason or explanation(topic, paper))


def _sections(config: Config, by_topic: dict[str, list[Listed]]) -> tuple[Section, ...]:
    queries = {topic.name: topic.source for topic in config.topics}
    return tuple(
        Section(topic=name, papers=tuple(listed), query=queries[name]) for name, listed in by_topic.items() if listed
    )


def _section(store: Store, scope: Node | None, topic: Topic, limit: int) -> Section:
    """The topic's newest ``limit`` papers in scope: the store filters the scope and stops at ``limit``. Each
    is listed with the reason recorded when it matched, so a paper this run analysed is not analysed again."""
    papers = store.newest_matched(topic.name, scope, limit)
    reasons = store.reasons(topic.name, [(paper.id, paper.version) for paper in papers])
    listed = tuple(_listed(paper, topic, reason=reasons.get((paper.id, paper.version))) for paper in papers)
    return Section(topic=topic.name, papers=listed, query=topic.source)


def archive_days(store: Store, config: Config) -> Iterator[Day]:
    """The archive, newest day first, one day at a time: per day (in the config's time zone) of a daily run,
    the papers each topic first listed. Only one day is read at a time, so a site can be written page by page
    whatever the size of the archive."""
    scope = scope_query(config.categories)
    topics = {topic.name: topic for topic in config.topics}
    for day, runs in _runs_by_day(store, config):
        by_topic: dict[str, list[Listed]] = {name: [] for name in topics}
        for match in store.archive.matches_of(runs):
            topic = topics.get(match.topic)
            if topic is None:
                continue
            paper = store.paper(match.paper_id, match.version)
            if in_scope(scope, paper):
                by_topic[topic.name].append(_listed(paper, topic, match.new_version, match.reason))
        sections = _sections(config, by_topic)
        if sections:
            yield Day(day=day, sections=sections)


def _runs_by_day(store: Store, config: Config) -> list[tuple[date, list[int]]]:
    """The daily runs that matched papers, grouped by the day (in the config's time zone) they finished on,
    newest day first."""
    days: dict[date, list[int]] = {}
    for run, finished in store.archive.daily_runs():
        days.setdefault(finished.astimezone(config.timezone).date(), []).append(run)
    return sorted(days.items(), key=lambda item: item[0], reverse=True)


def _new(store: Store, config: Config, scope: Node | None, run: RunRecord) -> tuple[Section, ...]:
    return _sections(config, _by_topic(store, config, scope, store.new_matches(run.notify_after, run.id)))


def _by_topic(store: Store, config: Config, scope: Node | None, matches: Iterable[MatchRow]) -> dict[str, list[Listed]]:
    """``matches`` of the config's topics whose version is in scope, by topic, in their order; the versions
    are read a page at a time, and the scope is filtered by the store before any is read."""
    by_topic: dict[str, list[Listed]] = {topic.name: [] for topic in config.topics}
    owed = [match for match in matches if match.topic in by_topic]
    papers = store.papers(((match.paper_id, match.version) for match in owed), scope)
    for match in owed:
        paper = papers.get((match.paper_id, match.version))
        if paper is not None:
            by_topic[match.topic].append(_listed(paper, _topic(config, match.topic), match.new_version, match.reason))
    return by_topic


def _announcement_note(store: Store, run: RunRecord) -> str | None:
    """The line saying which arXiv announcement the outputs show (category scopes only)."""
    day, _ = last_covered(store, run.started)  # the clock rule: a covered day ahead of the run is not shown
    quiet = run.feed == NO_ANNOUNCEMENT and run.message
    if day is None:
        return run.message if quiet else None
    if store.announcement_source(day) == "feed":
        shown = f"arXiv announcement of {describe(day)}: {summary(store.announced_counts(day))}"
    else:
        shown = f"arXiv announcement of {describe(day)} (recovered from the export API)"
    if quiet:
        return f"{run.message} Showing the {shown}."
    return f"{shown}."


def _nothing_new(store: Store, run: RunRecord, config: Config) -> str:
    if run.feed == NO_ANNOUNCEMENT and run.message:
        return run.message
    if run.announcement is not None:
        return f"No new papers on your topics in the arXiv announcement of {describe(run.announcement)}."
    previous = [r for r in store.runs() if r.id < run.id and r.outcome not in ("failed", "running")]
    if not previous:
        return "No papers on your topics yet."
    last = previous[-1].finished or previous[-1].started
    day = last.astimezone(config.timezone).date().isoformat()
    return f"No new papers since the last run ({day})."
