"""The daily run's network part: every request it makes, made before anything is written.

For a category scope the announcement feed says which announcement is due and what it holds; the export API then
brings the announced papers' full metadata, a search for each topic seen for the first time, and the daily query
where the feed cannot serve (missed days, a feed at its size limit, a feed dated ahead of the clock, no category
scope). What comes back is a ``Plan``: the searches and the announcement they cover, which the run then stores
and matches in one transaction (``daily.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dailypapers.arxiv import clock
from dailypapers.arxiv.announce import AnnouncedItem, Announcement, fetch_announcement
from dailypapers.arxiv.api import ExportApi, SearchResult
from dailypapers.arxiv.calendar import describe, holidays_with
from dailypapers.arxiv.coverage import COVER, STALE, FeedVerdict, derived_type, judge_feed
from dailypapers.config import Topic
from dailypapers.http import Http, user_agent
from dailypapers.match.verdicts import Verdicts
from dailypapers.model import Author, Paper
from dailypapers.pipeline.context import Environment, Update
from dailypapers.query import to_api_query
from dailypapers.store import Store, watermark

FEED_LIMIT = 2000  # arXiv's announcement feeds list at most this many entries (arxiv-protocol.md §2.1)


@dataclass
class Search:
    """One search of the run, and for which topic it was made (None: a search for every topic)."""

    topic: Topic | None
    result: SearchResult
    label: str = "the daily query"


@dataclass
class Plan:
    """What the network brought: the searches, and which announcement they cover."""

    searches: list[Search] = field(default_factory=list)
    verdict: FeedVerdict | None = None
    feed: Announcement | None = None
    recovered: tuple[date, ...] = ()
    forget: tuple[str, ...] = ()  # covered days stored that the clock rule sets aside (watermark.last_covered)
    # The announcement type of each version found by a daily search, for the topics' `announce` choice.
    types: dict[tuple[str, int], str] = field(default_factory=dict)


def new_http(env: Environment) -> Http:
    """The client every command uses to reach arXiv, with the config's politeness settings."""
    settings = env.config.arxiv
    return Http(
        user_agent=user_agent(env.config.contact),
        delay=settings.delay,
        timeout=settings.timeout,
        max_attempts=settings.max_attempts,
        max_wait=settings.max_wait,
        max_bytes=settings.max_bytes,
        recorder=env.recorder,
        replay=env.replay,
        log=env.log,
    )


class Fetch:
    """The requests of one daily run started at ``started``; ``stale`` are the topics that need a search of
    their own (never fetched before, or their query changed since)."""

    def __init__(
        self, env: Environment, store: Store, started: datetime, verdicts: Verdicts, stale: Sequence[Topic]
    ) -> None:
        self.env, self.config, self.store = env, env.config, store
        self.started, self.verdicts, self.stale = started, verdicts, stale
        self.holidays = holidays_with(self.config.arxiv.holidays)

    def __call__(self, http: Http) -> Plan:
        """The run's requests: the announcement feed (for a category scope), one search per topic seen for
        the first time, the announced papers' metadata, and the daily query where the feed cannot serve."""
        settings = self.config.arxiv
        api = ExportApi(http, settings.api_url, settings.page_size, settings.max_pages)
        plan = Plan()
        feed = None
        if self.config.categories:
            feed = fetch_announcement(http, settings.rss_url, self.config.categories)
            self._judge(feed, plan)
            if plan.verdict is not None and plan.verdict.outcome == STALE:
                return plan
        plan.searches = [self._backfill(api, topic) for topic in self.stale]
        if plan.verdict is None:
            self._daily_query(api, plan)
        elif plan.verdict.outcome == COVER and feed is not None:
            self._covered(api, feed, plan)
        return plan

    def _judge(self, feed: Announcement, plan: Plan) -> None:
        """What the feed means against the days the store covers already (``coverage.judge_feed``)."""
        last, ignored = watermark.last_covered(self.store, self.started)
        if ignored:
            self.env.log(clock.ignored_days_line(ignored))
            plan.forget = tuple(text for text, _ in ignored)
        plan.verdict = judge_feed(feed, self.started, last, self.holidays)
        self.env.log(plan.verdict.message)

    def _covered(self, api: ExportApi, feed: Announcement, plan: Plan) -> None:
        """A new announcement: its papers, and the daily query where the feed alone is not enough."""
        verdict = plan.verdict
        self._announced(api, feed, plan)
        if verdict is not None and verdict.missed:
            self._catch_up(api, plan, verdict.missed)
        elif len(feed.items) >= FEED_LIMIT:
            self.env.log(f"the feed lists {FEED_LIMIT:,} entries, its limit: the export API fills in the rest")
            self._daily_query(api, plan)
        elif verdict is not None and verdict.ahead:
            self._daily_query(api, plan)

    def _announced(self, api: ExportApi, feed: Announcement, plan: Plan) -> None:
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
            self.env.log(
                f"the export API had no entry for {len(missing)} announced version{'s' if len(missing) != 1 else ''}"
                f" ({shown}); taken from the announcement feed, without comments or submission times"
            )
        plan.searches.append(Search(None, result, label=f"the announcement of {day}"))
        plan.types.update(((item.id, item.version), item.announce_type) for item in feed.items)
        plan.feed = feed

    def _catch_up(self, api: ExportApi, plan: Plan, missed: tuple[date, ...]) -> None:
        """Days missed since the last run come back from the export API: every paper updated since then."""
        if self._daily_query(api, plan):
            plan.recovered = missed
            self.env.log("recovered the announcements of " + ", ".join(describe(day) for day in missed))

    def _daily_query(self, api: ExportApi, plan: Plan) -> bool:
        """One search for every topic together, newest first, down to what the store already holds."""
        stored = watermark.watermark(self.store, self.started)
        if stored.problem:
            self.env.log(stored.problem)
        if stored.value is None:
            return False
        since = stored.value - timedelta(days=self.config.arxiv.lookback_days)
        query = self._within(" OR ".join(f"({to_api_query(t.query)})" for t in self.config.topics))
        result = api.search(query, stop_before=since, progress=self._bar("daily query"))
        if not result.exhausted:
            self.env.log(f"the daily query stopped after {result.requests} pages; raise [arxiv] max_pages")
        plan.searches.append(Search(None, result))
        for paper in result.papers:
            primary_in = self.verdicts.scope is None or self.verdicts.in_scope_primary(paper)
            plan.types.setdefault((paper.id, paper.version), derived_type(paper, primary_in))
        return True

    def _backfill(self, api: ExportApi, topic: Topic) -> Search:
        """A topic seen for the first time gets its own search, until its latest ``max_papers`` are found."""
        wanted = self.config.max_papers

        def enough(papers: Sequence[Paper]) -> bool:
            return sum(1 for paper in papers if self.verdicts.about(paper, topic)) >= wanted

        query = self._within(to_api_query(topic.query))
        return Search(topic, api.search(query, enough=enough, progress=self._bar(f"new topic {topic.name!r}")))

    def _within(self, query: str) -> str:
        scope = self.verdicts.scope
        return query if scope is None else f"({to_api_query(scope)}) AND ({query})"

    def _bar(self, label: str) -> Update | None:
        return self.env.progress(label) if self.env.progress is not None else None


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
