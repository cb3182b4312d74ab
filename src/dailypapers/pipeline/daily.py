"""The daily run: fetch → store → match → render → write, all or nothing.

The network comes first and alone (``fetch.py``): nothing is written until every answer is in. Storing and
matching happen in one SQLite transaction; the outputs are rendered from that transaction's view of the store,
written to temporary files, and only renamed into place once the transaction has committed. A run that fails
leaves the database (but for a line in ``runs``) and every output as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dailypapers.arxiv import clock
from dailypapers.arxiv.coverage import NO_ANNOUNCEMENT, STALE
from dailypapers.errors import DailyPapersError, DatabaseBusyError
from dailypapers.files import discard, file_errors, publish
from dailypapers.http import Http
from dailypapers.match.rematch import latest, rematch
from dailypapers.match.verdicts import Verdicts, scope_query
from dailypapers.model import Digest, Paper, RunOutcome
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.delivery import Delivered, Delivery, deliver, failures, register_targets
from dailypapers.pipeline.dryrun import outbox, run_database
from dailypapers.pipeline.fetch import Fetch, new_http
from dailypapers.pipeline.fetch import Plan as _Plan
from dailypapers.pipeline.fetch import Search as _Search
from dailypapers.pipeline.interest import RunInterest
from dailypapers.pipeline.outputs import stage_outputs
from dailypapers.pipeline.preflight import check_outputs, check_secrets, missing_secrets
from dailypapers.pipeline.summaries import Asked, SummaryCounts, ask_for_run
from dailypapers.redact import redactor_for
from dailypapers.store import RunRecord, Store, database_errors, watermark


@dataclass
class RunSummary:
    outcome: RunOutcome
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
    summaries: SummaryCounts | None = None  # None: no [summaries] table

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
            "summaries": None if self.summaries is None else self.summaries.as_json(),
        }


def run_daily(env: Environment) -> RunSummary:
    """The daily job. Raises DailyPapersError (after logging the failed run) when a source fails."""
    config = env.config
    with (
        file_errors(),
        database_errors(config.database, config.busy_timeout),
        run_database(config, env.dry_run) as store,
    ):
        store.scrub = redactor_for(env.config.secrets, env.environ, env.config.addresses)
        return _DailyRun(env, store).run()


class _DailyRun:
    """One daily run over ``store``; ``ctx`` is the environment, which the run reads and never changes."""

    def __init__(self, ctx: Environment, store: Store) -> None:
        self.ctx = ctx
        self.config = ctx.config
        self.store = store
        self.started = ctx.now()
        self.verdicts = Verdicts(self.config.topics, scope_query(self.config.categories))
        known = store.topics()
        # Topics never fetched before, or whose query changed since: each needs a search of its own.
        self.stale = [topic for topic in self.config.topics if known.get(topic.name) != topic.source]
        self.summary = RunSummary(outcome=RunOutcome.NOTHING_NEW)
        self.asked: Asked | None = None
        self.interest = RunInterest(None)

    def run(self) -> RunSummary:
        http = self._http()
        try:
            with file_errors(), database_errors(self.store.path, self.config.busy_timeout):
                self._preflight()
                with http:
                    plan = Fetch(self.ctx, self.store, self.started, self.verdicts, self.stale)(http)
                self.summary.requests = http.requests
                if plan.verdict is not None and plan.verdict.outcome == STALE:
                    return self._stale(plan.verdict.message, http.requests)
                self.interest = RunInterest.of_store(
                    self.store, self.config, self.started, self.ctx.log, keep=not self.ctx.dry_run
                )
                self.asked = self._summaries(plan)
                digest = self._commit(plan)
        except DailyPapersError as err:
            if not self.ctx.dry_run and not isinstance(err, DatabaseBusyError):  # busy: it would wait again
                self.store.log_failed_run(self.started, self.ctx.now(), http.requests, str(err))
            raise
        record = self.store.last_successful_run()
        if record is not None and not self.ctx.dry_run:
            self.summary.deliveries = deliver(self._delivery(record, digest))
        return self.summary

    def _stale(self, message: str, requests: int) -> RunSummary:
        """The feed is not rebuilt yet: nothing is stored but the run's line, to be run again later."""
        if not self.ctx.dry_run:
            self.store.log_run(self.started, self.ctx.now(), RunOutcome.STALE, requests, message)
        self.summary.outcome, self.summary.message = RunOutcome.STALE, message
        return self.summary

    def _summaries(self, plan: _Plan) -> Asked | None:
        """Ask the model, before the transaction, for what the cache lacks (``pipeline/summaries.py``)."""
        received = (paper for search in plan.searches for paper in search.result.papers)
        asked = ask_for_run(self.ctx, self.store, received, self.verdicts, self.interest)
        if asked is not None:
            self.summary.summaries = asked.counts
        return asked

    def _say_missing(self, asked: Asked) -> None:
        line = asked.counts.missing_line()
        if line is not None:
            self.ctx.log(line)

    def _delivery(self, record: RunRecord, digest: Digest) -> Delivery:
        return Delivery(self.ctx, self.store, record, digest, self.interest)

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

    def _http(self) -> Http:
        return new_http(self.ctx)

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
                if self.asked is not None:
                    self.asked.keep(self.store, run, self.ctx.now())
                    self._say_missing(self.asked)
                self._cover(plan, run)
                record = self._finish(run, plan)
                register_targets(self.store, self.config, record)
                outbox = self._outbox if dry else None
                digest, staged = stage_outputs(self.config, self.store, record, outbox, self.interest)
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
        summary.outcome = RunOutcome.NEW if new else RunOutcome.NO_ANNOUNCEMENT if quiet else RunOutcome.NOTHING_NEW
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


def _damaged(count: int) -> str:
    return f"{count} damaged {'entry' if count == 1 else 'entries'}"
