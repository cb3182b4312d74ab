"""The daily run: fetch → store → match → render → write, all or nothing.

The network comes first and alone: nothing is written until every answer is in. Storing and matching happen
in one SQLite transaction; the outputs are rendered from that transaction's view of the store, written to
temporary files, and only renamed into place once the transaction has committed. A run that fails leaves the
database (but for a line in ``runs``) and every output as they were.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from dailypapers.arxiv.api import ExportApi, SearchResult
from dailypapers.config import Config, Topic
from dailypapers.digest import build_digest, scope_query
from dailypapers.errors import DailyPapersError, RunInProgressError
from dailypapers.files import discard, publish, stage
from dailypapers.http import Http, Recorder, Replay, user_agent
from dailypapers.model import Paper
from dailypapers.query import Node, analyse, evaluate, to_api_query
from dailypapers.render import render_notification, render_page
from dailypapers.store import RunRecord, Store, iso, parse_iso

WATERMARK = "api_watermark"
Progress = Callable[[str], Callable[[int, int | None], None]]


@dataclass
class Context:
    """What a run needs from the outside world; tests build one with a fixed clock and a local server."""

    config: Config
    now: Callable[[], datetime]
    log: Callable[[str], None] = lambda message: None
    progress: Progress | None = None
    recorder: Recorder | None = None
    replay: Replay | None = None


@dataclass
class RunSummary:
    outcome: str
    run: int | None = None
    requests: int = 0
    received: int = 0
    kept: int = 0
    dropped: int = 0
    skipped: int = 0
    new: dict[str, int] = field(default_factory=dict)
    new_papers: int = 0
    day: str | None = None
    message: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "run": self.run,
            "day": self.day,
            "requests": self.requests,
            "received": self.received,
            "kept": self.kept,
            "dropped": self.dropped,
            "skipped": self.skipped,
            "new": self.new,
            "new_papers": self.new_papers,
            "message": self.message,
        }


@dataclass
class _Search:
    """One search of the run, and for which topic it was made (None: the daily query for every topic)."""

    topic: Topic | None
    result: SearchResult


def run_daily(ctx: Context) -> RunSummary:
    """The daily job. Raises DailyPapersError (after logging the failed run) when a source fails."""
    config = ctx.config
    with _lock(config.database), Store.open(config.database) as store:
        started = ctx.now()
        stale_topics = _changed_topics(config, store)
        http = _http(ctx)
        try:
            with http:
                searches = _fetch(ctx, store, stale_topics, http, started)
        except DailyPapersError as err:
            store.log_failed_run(started, ctx.now(), http.requests, str(err))
            raise
        return _commit(ctx, store, searches, stale_topics, started, http.requests)


def render_outputs(config: Config) -> RunRecord | None:
    """Re-write every output from the database alone, as the latest successful run left it."""
    with Store.open(config.database) as store:
        run = store.last_successful_run()
        if run is None:
            return None
        staged = _stage_outputs(config, store, run)
        publish(staged)
        return run


def _changed_topics(config: Config, store: Store) -> list[Topic]:
    """Topics never fetched before, or whose query changed since: each needs a search of its own."""
    known = store.topics()
    return [topic for topic in config.topics if known.get(topic.name) != topic.source]


# --- fetch ------------------------------------------------------------------------------------------------


def _http(ctx: Context) -> Http:
    settings = ctx.config.arxiv
    return Http(
        user_agent=user_agent(ctx.config.contact),
        delay=settings.delay,
        timeout=settings.timeout,
        max_attempts=settings.max_attempts,
        max_wait=settings.max_wait,
        recorder=ctx.recorder,
        replay=ctx.replay,
        log=ctx.log,
    )


def _fetch(ctx: Context, store: Store, stale: Sequence[Topic], http: Http, now: datetime) -> list[_Search]:
    """Make the run's searches: one per topic seen for the first time, then one for every topic together."""
    config = ctx.config
    api = ExportApi(http, config.arxiv.api_url, config.arxiv.page_size, config.arxiv.max_pages)
    scope = scope_query(config.categories)
    searches = [_backfill(ctx, api, scope, topic) for topic in stale]
    watermark = store.get_state(WATERMARK)
    if watermark is not None:
        since = parse_iso(watermark) - timedelta(days=config.arxiv.lookback_days)
        query = _within(scope, " OR ".join(f"({to_api_query(t.query)})" for t in config.topics))
        result = api.search(query, stop_before=since, progress=_bar(ctx, "daily query"))
        requests = f"{result.requests} request{'s' if result.requests != 1 else ''}"
        ctx.log(f"arXiv returned {len(result.papers)} entries for the daily query ({requests})")
        searches.append(_Search(None, result))
    return searches


def _backfill(ctx: Context, api: ExportApi, scope: Node | None, topic: Topic) -> _Search:
    """A topic seen for the first time gets its own search, until its latest ``max_papers`` are found."""
    wanted = ctx.config.max_papers

    def enough(papers: Sequence[Paper]) -> bool:
        return sum(1 for paper in papers if _matches(topic.query, scope, paper)) >= wanted

    query = _within(scope, to_api_query(topic.query))
    result = api.search(query, enough=enough, progress=_bar(ctx, f"new topic {topic.name!r}"))
    return _Search(topic, result)


def _within(scope: Node | None, query: str) -> str:
    return query if scope is None else f"({to_api_query(scope)}) AND ({query})"


def _bar(ctx: Context, label: str) -> Callable[[int, int | None], None] | None:
    return ctx.progress(label) if ctx.progress is not None else None


def _matches(query: Node, scope: Node | None, paper: Paper) -> bool:
    document = analyse(paper)
    return (scope is None or evaluate(scope, document)) and evaluate(query, document)


# --- store and match --------------------------------------------------------------------------------------


def _commit(
    ctx: Context,
    store: Store,
    searches: list[_Search],
    stale: Sequence[Topic],
    started: datetime,
    requests: int,
) -> RunSummary:
    config = ctx.config
    summary = RunSummary(outcome="nothing-new", requests=requests)
    staged: dict[Path, Path] = {}
    try:
        with store.transaction():
            run = store.begin_run(started)
            _store_and_match(ctx, store, searches, stale, run, summary)
            record = _finish(ctx, store, run, summary)
            staged = _stage_outputs(config, store, record)
        publish(staged)
    except BaseException:
        discard(staged)
        raise
    store.mark_published(run)
    summary.run = run
    return summary


def _store_and_match(
    ctx: Context, store: Store, searches: list[_Search], stale: Sequence[Topic], run: int, summary: RunSummary
) -> None:
    config = ctx.config
    scope = scope_query(config.categories)
    received: dict[tuple[str, int], Paper] = {}
    for search in searches:
        summary.skipped += search.result.skipped
        _report(ctx, search, scope)
        for paper in search.result.papers:
            received[(paper.id, paper.version)] = paper
    summary.received = len(received)
    for paper in received.values():
        document = analyse(paper)
        in_scope = scope is None or evaluate(scope, document)
        relevant = any(evaluate(topic.query, document) for topic in config.topics)
        if in_scope and (relevant or store.known_paper(paper.id)):
            summary.kept += store.add_versions([paper], run)
        else:
            summary.dropped += 1
    for topic in stale:
        store.set_topic(topic.name, topic.source, run)
    _rematch(store, config.topics, {paper.id for paper in received.values() if store.known_paper(paper.id)}, run)
    if stale:
        _rematch(store, stale, {paper.id for paper in store.latest_papers()}, run)
    _advance_watermark(store, received.values(), started=ctx.now())


def _report(ctx: Context, search: _Search, scope: Node | None) -> None:
    """Say how many of the entries arXiv returned for a topic really are about it."""
    if search.topic is None:
        return
    count = len(search.result.papers)
    matching = sum(1 for paper in search.result.papers if _matches(search.topic.query, scope, paper))
    message = f"arXiv returned {count} entries for {search.topic.name!r}; {matching} match the topic"
    if matching < count:
        message += f" ({count - matching} dropped)"
    ctx.log(message)


def _rematch(store: Store, topics: Sequence[Topic], paper_ids: set[str], run: int) -> None:
    """Evaluate ``topics`` on the latest version of each paper; record new matches, drop lapsed ones."""
    for paper_id in sorted(paper_ids):
        paper = store.latest(paper_id)
        if paper is None:
            continue
        document = analyse(paper)
        for topic in topics:
            if evaluate(topic.query, document):
                store.add_match(topic.name, paper.id, paper.version, run)
            elif store.matched_version(topic.name, paper.id) is not None:
                store.remove_match(topic.name, paper.id)


def _advance_watermark(store: Store, papers: Iterable[Paper], started: datetime) -> None:
    """Remember the newest entry seen, so the next daily query knows where to stop."""
    newest = max((paper.updated for paper in papers), default=None)
    previous = store.get_state(WATERMARK)
    if newest is None:
        if previous is not None:
            return
        newest = started
    if previous is None or newest > parse_iso(previous):
        store.set_state(WATERMARK, iso(newest))


def _finish(ctx: Context, store: Store, run: int, summary: RunSummary) -> RunRecord:
    notify_after = store.last_published_run()
    new = store.new_matches(notify_after, run)
    topics = {topic.name for topic in ctx.config.topics}
    for match in new:
        if match.topic in topics:
            summary.new[match.topic] = summary.new.get(match.topic, 0) + 1
    summary.new_papers = len({m.paper_id for m in new if m.topic in topics})
    summary.outcome = "new" if summary.new else "nothing-new"
    finished = ctx.now()
    summary.day = finished.astimezone(ctx.config.timezone).date().isoformat()
    store.finish_run(
        run,
        finished,
        summary.outcome,
        requests=summary.requests,
        received=summary.received,
        kept=summary.kept,
        dropped=summary.dropped,
        skipped=summary.skipped,
        message=None,
    )
    record = store.last_successful_run()
    if record is None or record.id != run:
        raise DailyPapersError(f"{store.path}: run {run} was not recorded")
    return record


# --- outputs ----------------------------------------------------------------------------------------------


def _stage_outputs(config: Config, store: Store, run: RunRecord) -> dict[Path, Path]:
    digest = build_digest(store, config, run)
    staged: dict[Path, Path] = {}
    try:
        if config.outputs.markdown is not None:
            staged[config.outputs.markdown] = stage(
                config.outputs.markdown, render_page(digest, max_papers=config.max_papers)
            )
        if config.outputs.issue is not None:
            staged[config.outputs.issue] = stage(config.outputs.issue, render_notification(digest))
    except BaseException:
        discard(staged)
        raise
    return staged


@contextmanager
def _lock(database: Path) -> Iterator[None]:
    """One run per database at a time; a second one is told so instead of waiting forever."""
    database.parent.mkdir(parents=True, exist_ok=True)
    path = database.with_name(database.name + ".lock")
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgressError(f"another run is in progress on {database}") from None
        yield
    finally:
        os.close(handle)
