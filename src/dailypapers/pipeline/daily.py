"""The daily run: fetch → store → match → render → write, all or nothing.

The network comes first and alone: nothing is written until every answer is in. Storing and matching happen
in one SQLite transaction; the outputs are rendered from that transaction's view of the store, written to
temporary files, and only renamed into place once the transaction has committed. A run that fails leaves the
database (but for a line in ``runs``) and every output as they were.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from dailypapers.arxiv import clock
from dailypapers.arxiv.announce import AnnouncedItem, Announcement, fetch_announcement
from dailypapers.arxiv.api import ExportApi, SearchResult
from dailypapers.arxiv.calendar import describe, holidays_with
from dailypapers.arxiv.coverage import COVER, NO_ANNOUNCEMENT, STALE, FeedVerdict, derived_type, judge_feed
from dailypapers.config import Config, Topic
from dailypapers.errors import DailyPapersError, DatabaseBusyError
from dailypapers.files import discard, file_errors, publish
from dailypapers.http import Http, Recorder, Replay, user_agent
from dailypapers.match.rematch import latest, rematch
from dailypapers.match.verdicts import Verdicts, scope_query
from dailypapers.model import Author, Digest, Paper
from dailypapers.pipeline.delivery import Delivered, Delivery, deliver, failures, register_targets
from dailypapers.pipeline.dryrun import outbox, run_database
from dailypapers.pipeline.outputs import stage_outputs
from dailypapers.pipeline.preflight import check_outputs, check_secrets, missing_secrets
from dailypapers.query import to_api_query
from dailypapers.redact import redactor_for
from dailypapers.store import RunRecord, Store, database_errors, watermark

FEED_LIMIT = 2000  # arXiv's announcement feeds list at most this many entries (arxiv-protocol.md §2.1)
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
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    dry_run: bool = False  # everything is rendered into outbox/; the database and the outputs stay as they were


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
    announcement: str | None = None
    recovered: list[str] = field(default_factory=list)
    untrusted: int = 0  # entries dated more than a day ahead of the clock (clock.py)
    message: str | None = None
    deliveries: list[Delivered] = field(default_factory=list)

    @property
    def failed_deliveries(self) -> list[Delivered]:
        return list(failures(self.deliveries))

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
            "announcement": self.announcement,
            "recovered": self.recovered,
            "untrusted": self.untrusted,
            "message": self.message,
            "deliveries": [delivered.as_json() for delivered in self.deliveries],
        }


@dataclass
class _Search:
    """One search of the run, and for which topic it was made (None: a search for every topic)."""

    topic: Topic | None
    result: SearchResult
    label: str = "the daily query"


@dataclass
class _Plan:
    """What the network brought: the searches, and which announcement they cover."""

    searches: list[_Search] = field(default_factory=list)
    verdict: FeedVerdict | None = None
    feed: Announcement | None = None
    recovered: tuple[date, ...] = ()
    forget: tuple[str, ...] = ()  # covered days stored that the clock rule sets aside (watermark.last_covered)
    # The announcement type of each version found by a daily search, for the topics' `announce` choice.
    types: dict[tuple[str, int], str] = field(default_factory=dict)


def run_daily(ctx: Context) -> RunSummary:
    """The daily job. Raises DailyPapersError (after logging the failed run) when a source fails."""
    config = ctx.config
    with (
        file_errors(),
        database_errors(config.database, config.busy_timeout),
        run_database(config, ctx.dry_run) as store,
    ):
        store.scrub = redactor_for(ctx.config, ctx.environ)
        return _DailyRun(ctx, store).run()


def new_http(
    config: Config,
    log: Callable[[str], None],
    recorder: Recorder | None = None,
    replay: Replay | None = None,
) -> Http:
    """The client every command uses to reach arXiv, with the config's politeness settings."""
    settings = config.arxiv
    return Http(
        user_agent=user_agent(config.contact),
        delay=settings.delay,
        timeout=settings.timeout,
        max_attempts=settings.max_attempts,
        max_wait=settings.max_wait,
        max_bytes=settings.max_bytes,
        recorder=recorder,
        replay=replay,
        log=log,
    )


class _DailyRun:
    def __init__(self, ctx: Context, store: Store) -> None:
        self.ctx = ctx
        self.config = ctx.config
        self.store = store
        self.started = ctx.now()
        self.verdicts = Verdicts(self.config.topics, scope_query(self.config.categories))
        self.holidays = holidays_with(self.config.arxiv.holidays)
        known = store.topics()
        # Topics never fetched before, or whose query changed since: each needs a search of its own.
        self.stale = [topic for topic in self.config.topics if known.get(topic.name) != topic.source]
        self.summary = RunSummary(outcome="nothing-new")

    def run(self) -> RunSummary:
        http = self._http()
        try:
            with file_errors(), database_errors(self.store.path, self.config.busy_timeout):
                self._preflight()
                with http:
                    plan = self._fetch(http)
                self.summary.requests = http.requests
                if plan.verdict is not None and plan.verdict.outcome == STALE:
                    if not self.ctx.dry_run:
                        self.store.log_run(self.started, self.ctx.now(), STALE, http.requests, plan.verdict.message)
                    self.summary.outcome, self.summary.message = STALE, plan.verdict.message
                    return self.summary
                digest = self._commit(plan)
        except DailyPapersError as err:
            if not self.ctx.dry_run and not isinstance(err, DatabaseBusyError):  # busy: it would wait again
                self.store.log_failed_run(self.started, self.ctx.now(), http.requests, str(err))
            raise
        record = self.store.last_successful_run()
        if record is not None and not self.ctx.dry_run:
            self.summary.deliveries = deliver(self._delivery(record, digest))
        return self.summary

    def _delivery(self, record: RunRecord, digest: Digest) -> Delivery:
        job = Delivery(self.config, self.store, record, digest, self.ctx.environ, self.ctx.now, self.ctx.log)
        job.dry_run = self.ctx.dry_run
        return job

    def _preflight(self) -> None:
        """Whatever can be known to fail is found before the first request (``preflight``)."""
        waited = f"{self.store.path}: the database is busy; waiting up to {self.config.busy_timeout:g} s for it"
        self.store.check_writable(lambda: self.ctx.log(waited))
        if self.ctx.dry_run:
            check_outputs(self.config, self._outbox)
            for secret in missing_secrets(self.config, self.ctx.environ):
                self.ctx.log(f"dry run: {secret.variable} is not set; a real run needs it ({secret.holds})")
            return
        check_outputs(self.config)
        check_secrets(self.config, self.ctx.environ)

    @property
    def _outbox(self) -> Path:
        return outbox(self.config)

    # --- fetch --------------------------------------------------------------------------------------------

    def _http(self) -> Http:
        return new_http(self.config, self.ctx.log, self.ctx.recorder, self.ctx.replay)

    def _fetch(self, http: Http) -> _Plan:
        """The run's requests: the announcement feed (for a category scope), one search per topic seen for
        the first time, the announced papers' metadata, and the daily query where the feed cannot serve."""
        settings = self.config.arxiv
        api = ExportApi(http, settings.api_url, settings.page_size, settings.max_pages)
        plan = _Plan()
        feed = None
        if self.config.categories:
            feed = fetch_announcement(http, settings.rss_url, self.config.categories)
            last, ignored = watermark.last_covered(self.store, self.started)
            if ignored:
                self.ctx.log(clock.ignored_days_line(ignored))
                plan.forget = tuple(text for text, _ in ignored)
            plan.verdict = judge_feed(feed, self.started, last, self.holidays)
            self.ctx.log(plan.verdict.message)
            if plan.verdict.outcome == STALE:
                return plan
        plan.searches = [self._backfill(api, topic) for topic in self.stale]
        if plan.verdict is None:
            self._daily_query(api, plan)
        elif plan.verdict.outcome == COVER and feed is not None:
            self._announced(api, feed, plan)
            if plan.verdict.missed:
                self._catch_up(api, plan, plan.verdict.missed)
            elif len(feed.items) >= FEED_LIMIT:
                self.ctx.log(f"the feed lists {FEED_LIMIT:,} entries, its limit: the export API fills in the rest")
                self._daily_query(api, plan)
            elif plan.verdict.ahead:
                self._daily_query(api, plan)
        return plan

    def _announced(self, api: ExportApi, feed: Announcement, plan: _Plan) -> None:
        """Full metadata of every announced version, which the feed lacks, in ``id_list`` batches.

        A version the export API does not answer for (it can lag the announcement, or its entry can be
        damaged) is taken from the feed's own metadata instead: once the announcement is covered no later run
        asks for it again, so leaving it out would lose it for good.
        """
        result = api.by_ids([item.versioned_id for item in feed.items])
        day = describe(feed.day) if feed.day else "the feed"
        answered = {(paper.id, paper.version) for paper in result.papers}
        missing = [item for item in feed.items if (item.id, item.version) not in answered]
        if missing:
            result.papers.extend(_from_feed(item, feed, self.started) for item in missing)
            shown = ", ".join(item.versioned_id for item in missing[:5]) + (", …" if len(missing) > 5 else "")
            self.ctx.log(
                f"the export API had no entry for {len(missing)} announced version{'s' if len(missing) != 1 else ''}"
                f" ({shown}); taken from the announcement feed, without comments or submission times"
            )
        plan.searches.append(_Search(None, result, label=f"the announcement of {day}"))
        plan.types.update(((item.id, item.version), item.announce_type) for item in feed.items)
        plan.feed = feed

    def _catch_up(self, api: ExportApi, plan: _Plan, missed: tuple[date, ...]) -> None:
        """Days missed since the last run come back from the export API: every paper updated since then."""
        if self._daily_query(api, plan):
            plan.recovered = missed
            self.ctx.log("recovered the announcements of " + ", ".join(describe(day) for day in missed))

    def _daily_query(self, api: ExportApi, plan: _Plan) -> bool:
        """One search for every topic together, newest first, down to what the store already holds."""
        stored = watermark.watermark(self.store, self.started)
        if stored.problem:
            self.ctx.log(stored.problem)
        if stored.value is None:
            return False
        since = stored.value - timedelta(days=self.config.arxiv.lookback_days)
        query = self._within(" OR ".join(f"({to_api_query(t.query)})" for t in self.config.topics))
        result = api.search(query, stop_before=since, progress=self._bar("daily query"))
        if not result.exhausted:
            self.ctx.log(f"the daily query stopped after {result.requests} pages; raise [arxiv] max_pages")
        plan.searches.append(_Search(None, result))
        for paper in result.papers:
            primary_in = self.verdicts.scope is None or self.verdicts.in_scope_primary(paper)
            plan.types.setdefault((paper.id, paper.version), derived_type(paper, primary_in))
        return True

    def _backfill(self, api: ExportApi, topic: Topic) -> _Search:
        """A topic seen for the first time gets its own search, until its latest ``max_papers`` are found."""
        wanted = self.config.max_papers

        def enough(papers: Sequence[Paper]) -> bool:
            return sum(1 for paper in papers if self.verdicts.about(paper, topic)) >= wanted

        query = self._within(to_api_query(topic.query))
        return _Search(topic, api.search(query, enough=enough, progress=self._bar(f"new topic {topic.name!r}")))

    def _within(self, query: str) -> str:
        scope = self.verdicts.scope
        return query if scope is None else f"({to_api_query(scope)}) AND ({query})"

    def _bar(self, label: str) -> Callable[[int, int | None], None] | None:
        return self.ctx.progress(label) if self.ctx.progress is not None else None

    # --- store, match, write ------------------------------------------------------------------------------

    def _commit(self, plan: _Plan) -> Digest:
        """Store, match and stage every output in one transaction; rename the outputs once it has committed.

        A dry run stages into the outbox and writes its messages there while the transaction still shows
        the run's papers, then rolls the transaction back.
        """
        staged: dict[Path, Path] = {}
        dry = self.ctx.dry_run
        try:
            with self.store.transaction(commit=not dry):
                run = self.store.begin_run(self.started)
                self._store_and_match(plan, run)
                self._cover(plan, run)
                record = self._finish(run, plan)
                register_targets(self.store, self.config, record)
                digest, staged = stage_outputs(self.config, self.store, record, self._outbox if dry else None)
                if dry:
                    self.summary.deliveries = deliver(self._delivery(record, digest))
            publish(staged)
        except BaseException:
            discard(staged)
            raise
        if dry:
            self.summary.run = run
            return digest
        self.store.mark_published(run)
        self.summary.run = run
        return digest

    def _store_and_match(self, plan: _Plan, run: int) -> None:
        store, summary = self.store, self.summary
        received: dict[tuple[str, int], Paper] = {}
        if plan.feed is not None and plan.feed.skipped:
            summary.skipped += plan.feed.skipped
            self.ctx.log(f"the announcement feed: skipped {_damaged(plan.feed.skipped)}")
        for search in plan.searches:
            summary.skipped += search.result.skipped
            self._report(search)
            received.update(((paper.id, paper.version), paper) for paper in search.result.papers)
        summary.received = len(received)
        for paper in received.values():
            in_scope, about = self.verdicts.of(paper)
            if in_scope and (about or store.known_paper(paper.id)):
                summary.kept += len(store.add_versions([paper], run))
            else:
                summary.dropped += 1
        for topic in self.stale:
            store.set_topic(topic.name, topic.source, run)
        kept = {paper.id for paper in received.values() if store.known_paper(paper.id)}
        store.index_for_search(paper for paper in received.values() if paper.id in kept)
        rematch(store, self.verdicts, latest(store, kept), run, announced=plan.types)
        if self.stale:
            rematch(store, self.verdicts, store.latest_papers(), run, topics=self.stale)
        ahead = clock.untrusted(received.values(), self.started)
        if ahead:
            summary.untrusted = len(ahead)
            self.ctx.log(clock.untrusted_line(ahead, self.started))
        watermark.advance_watermark(store, received.values(), self.started)

    def _report(self, search: _Search) -> None:
        """Say how many of the entries arXiv returned really are about the topic they were asked for."""
        papers = search.result.papers
        if search.topic is None:
            matching = sum(1 for paper in papers if self.verdicts.relevant(paper))
            message = f"arXiv returned {len(papers)} entries for {search.label}; {matching} match a topic"
        else:
            topic = search.topic
            matching = sum(1 for paper in papers if self.verdicts.about(paper, topic))
            message = f"arXiv returned {len(papers)} entries for {topic.name!r}; {matching} match the topic"
        if matching < len(papers):
            message += f" ({len(papers) - matching} dropped)"
        if search.result.skipped:
            message += f"; skipped {_damaged(search.result.skipped)}"
        self.ctx.log(message)

    def _cover(self, plan: _Plan, run: int) -> None:
        """Mark the announcement (and the days recovered) as covered, with what each paper was announced as."""
        categories = self.config.categories
        self.store.forget_announcement_days(plan.forget)
        ahead = plan.verdict is not None and plan.verdict.ahead
        if plan.feed is not None and plan.feed.day is not None and not ahead:
            day = plan.feed.day
            self.store.record_announcement(day, plan.feed.counts(), "feed", run, categories)
            self.store.record_announced(day, ((i.id, i.version, i.announce_type) for i in plan.feed.items))
            self.summary.announcement = day.isoformat()
        for day in plan.recovered:
            self.store.record_announcement(day, {}, "export API", run, categories)
        self.summary.recovered = [day.isoformat() for day in plan.recovered]

    def _finish(self, run: int, plan: _Plan) -> RunRecord:
        summary, topics = self.summary, {topic.name for topic in self.config.topics}
        new = [match for match in self.store.new_matches(self.store.last_published_run(), run) if match.topic in topics]
        for match in new:
            summary.new[match.topic] = summary.new.get(match.topic, 0) + 1
        summary.new_papers = len({match.paper_id for match in new})
        quiet = plan.verdict is not None and plan.verdict.outcome == NO_ANNOUNCEMENT
        summary.outcome = "new" if new else NO_ANNOUNCEMENT if quiet else "nothing-new"
        if plan.verdict is not None:
            summary.message = plan.verdict.message
        finished = self.ctx.now()
        summary.day = finished.astimezone(self.config.timezone).date().isoformat()
        counts = {name: getattr(summary, name) for name in ("requests", "received", "kept", "dropped", "skipped")}
        self.store.finish_run(
            run,
            finished,
            summary.outcome,
            message=summary.message,
            announcement=summary.announcement,
            feed=plan.verdict.outcome if plan.verdict else None,
            **counts,
        )
        record = self.store.last_successful_run()
        if record is None or record.id != run:
            raise DailyPapersError(f"{self.store.path}: run {run} was not recorded")
        return record


def _from_feed(item: AnnouncedItem, feed: Announcement, started: datetime) -> Paper:
    """A paper from an announcement feed item alone; the feed's build time stands for its dates (the run's
    start when the build time is more than a day ahead of it: the clock rule, clock.py)."""
    moment = feed.built if feed.built is not None and not clock.ahead(feed.built, started) else started
    authors = tuple(
        Author(name, (affiliation,) if affiliation else ())
        for name, affiliation in zip(item.authors, item.affiliations or ("",) * len(item.authors), strict=False)
    )
    return Paper(
        id=item.id,
        version=item.version,
        title=item.title,
        abstract=item.abstract,
        authors=authors,
        categories=item.categories,
        primary_category=item.primary_category or "",
        published=moment,
        updated=moment,
        journal_ref=item.journal_ref,
        doi=item.doi,
    )


def _damaged(count: int) -> str:
    return f"{count} damaged {'entry' if count == 1 else 'entries'}"
