"""Back-fill: harvest months of arXiv with OAI-PMH into the archive, resumable, without notifying anything.

Every page of the harvest is one transaction: its records, their topic matches, and the checkpoint (the
resumption token and the day reached) commit together. Killed at any point, the harvest resumes from the
last committed page and ends with the same archive, with no record stored twice. A token that has expired
(arXiv's expire daily) restarts the harvest from the last day reached; records are idempotent upserts. A
day with more records than a page can only be crossed with tokens, so when a restart would begin on the same
day as the previous one, the harvest stops with the error instead of asking for the same page forever.
Matches made by a back-fill belong to a back-fill run, which notifications never list.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date

from dailypapers.arxiv.clock import day_ahead, day_problem, named, stamp
from dailypapers.arxiv.oai import OaiPage, ResumptionTokenExpired, harvest
from dailypapers.arxiv.taxonomy import oai_set, scope_problem, set_problem
from dailypapers.errors import ConfigError
from dailypapers.http import Http
from dailypapers.match.rematch import rematch
from dailypapers.match.verdicts import Documents, Verdicts, scope_query
from dailypapers.model import RunOutcome
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.fetch import new_http
from dailypapers.store import Store, database_lock

CHECKPOINT = "backfill_checkpoint"


@dataclass(frozen=True)
class Harvest:
    """What to harvest: the days (by OAI datestamp, the last modification) and the set."""

    start: date
    until: date | None
    set_spec: str | None

    def key(self) -> str:
        return json.dumps([self.start.isoformat(), self.until.isoformat() if self.until else None, self.set_spec])


@dataclass(frozen=True)
class Checkpoint:
    """Where an interrupted harvest stands: its back-fill run, the next token and the last day reached."""

    target: str
    run: int
    token: str | None
    day: date | None

    def dumps(self) -> str:
        day = self.day.isoformat() if self.day else None
        return json.dumps({"target": self.target, "run": self.run, "token": self.token, "day": day})

    @classmethod
    def loads(cls, text: str) -> Checkpoint | None:
        """The checkpoint ``dumps`` wrote, or None for text it cannot have written (an older version, a hand)."""
        try:
            raw = json.loads(text)
            day = date.fromisoformat(raw["day"]) if raw.get("day") else None
            token = raw.get("token")
            if not isinstance(token, str | None) or isinstance(raw["run"], bool):
                return None
            return cls(str(raw["target"]), int(raw["run"]), token, day)
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
            return None


@dataclass
class BackfillSummary:
    records: int = 0
    new_versions: int = 0
    matched: int = 0
    pages: int = 0
    requests: int = 0
    skipped: int = 0  # damaged records, left out
    untrusted: int = 0  # records whose datestamp is more than a day ahead of the clock (clock.py)
    resumed: bool = False
    seconds: float = 0.0


def _stuck(expired: ResumptionTokenExpired, day: date) -> ResumptionTokenExpired:
    """The error of a harvest that cannot get past ``day``: its tokens keep expiring within that day."""
    text = (
        f"{expired.text} (again after starting over from {day.isoformat()}, whose records span more than one "
        "page; run the same command again later)"
    )
    return ResumptionTokenExpired(expired.code, text, expired.url)


def set_for_category(category: str) -> str:
    """The OAI-PMH set of an arXiv category: ``cs.DC`` → ``cs:cs:DC``, ``hep-th`` → ``physics:hep-th``.

    The group comes from arXiv's taxonomy (protocol notes §3.2, §4.2); a name it does not know is refused with
    the nearest real names, before any request.
    """
    spec = oai_set(category)
    if spec is None:
        raise ConfigError("command line", "--category", scope_problem(category) or f"{category!r} has no OAI-PMH set")
    return spec


def check_set(spec: str) -> str:
    """``spec`` when arXiv has such an OAI-PMH set; else the error, before any request is made."""
    problem = set_problem(spec)
    if problem is not None:
        raise ConfigError("command line", "--set", problem)
    return spec


def backfill(env: Environment, target: Harvest, *, http: Http | None = None) -> BackfillSummary:
    """Harvest ``target`` into the archive, resuming a harvest of the same target that was interrupted.

    ``http`` is the client to use instead of the environment's (a benchmark's own server)."""
    database = env.config.database
    with database_lock(database), Store.open(database) as store:
        client = http or new_http(env)
        with client:
            summary = _Backfill(env, store, target, client).run()
        summary.requests = client.requests
        return summary


class _Backfill:
    """One harvest into ``store``; ``env`` is the environment, which the harvest reads and never changes."""

    def __init__(self, env: Environment, store: Store, target: Harvest, http: Http) -> None:
        self.config, self.store, self.target, self.http = env.config, store, target, http
        self.now, self.log = env.now, env.log
        label = f"back-fill {target.set_spec or 'all'}"
        self.progress = env.progress.harvest(label) if env.progress is not None else None
        self.scope = scope_query(self.config.categories)
        self.summary = BackfillSummary()
        self.started = time.monotonic()

    def run(self) -> BackfillSummary:
        checkpoint = self._checkpoint()
        run = checkpoint.run if checkpoint else None
        token = checkpoint.token if checkpoint else None
        start = checkpoint.day if checkpoint and checkpoint.day else self.target.start
        if checkpoint:
            self.summary.resumed = True
            self.log(f"resuming the back-fill from {start.isoformat()} (run {run})")
        restarted: date | None = None
        while True:
            try:
                for page in self._pages(start, token):
                    run = self._store(page, run)
                break
            except ResumptionTokenExpired as expired:
                checkpoint = self._checkpoint()
                start = checkpoint.day if checkpoint and checkpoint.day else start
                if start == restarted:
                    raise _stuck(expired, start) from None
                token, restarted = None, start
                self.log(f"the resumption token expired; harvesting again from {start.isoformat()}")
        if self.summary.skipped:
            self.log(f"skipped {self.summary.skipped} damaged record{'s' if self.summary.skipped != 1 else ''}")
        self._finish(run)
        self.summary.seconds = time.monotonic() - self.started
        return self.summary

    def _pages(self, start: date, token: str | None) -> Iterator[OaiPage]:
        return harvest(
            self.http,
            self.config.arxiv.oai_url,
            from_=start,
            until=self.target.until,
            set_spec=self.target.set_spec,
            resume_token=token,
        )

    def _checkpoint(self, repair: bool = True) -> Checkpoint | None:
        """The checkpoint of an interrupted harvest of this target. One this version cannot resume (unreadable,
        or naming a run that is not a back-fill) is forgotten, and a day reached that is outside the target or
        implausible (the clock rule, clock.py) is dropped: harvesting again costs requests, never records.
        Each repair is logged and committed, unless ``repair`` is False (inside a page's transaction)."""
        raw = self.store.get_state(CHECKPOINT)
        if raw is None:
            return None
        checkpoint = Checkpoint.loads(raw)
        if checkpoint is None or self.store.run_kind(checkpoint.run) != "backfill":
            if not repair:
                return None
            self.log(f"forgetting the stored back-fill checkpoint {raw[:80]!r}: it cannot be resumed")
            with self.store.transaction():
                self.store.clear_state(CHECKPOINT)
            return None
        if checkpoint.target != self.target.key():
            return None
        problem = self._day_problem(checkpoint.day) if checkpoint.day else None
        if problem is None:
            return checkpoint
        if not repair:
            return replace(checkpoint, day=None)
        self.log(f"the back-fill checkpoint's day {checkpoint.day} is {problem}: it restarts from {self.target.start}")
        checkpoint = replace(checkpoint, day=None)
        with self.store.transaction():
            self.store.set_state(CHECKPOINT, checkpoint.dumps())
        return checkpoint

    def _day_problem(self, day: date) -> str | None:
        """Why a day cannot be where the harvest stands: outside the target, or implausible (clock.py)."""
        problem = day_problem(day, self.now())
        if problem is None and day < self.target.start:
            return f"before --from ({self.target.start})"
        if problem is None and self.target.until is not None and day > self.target.until:
            return f"after --until ({self.target.until})"
        return problem

    def _reached(self, page: OaiPage, before: date | None) -> date | None:
        """The day the harvest has reached with ``page``, never going back. Records come in datestamp order, so
        every day before the last record's is complete; the earlier of the last two plausible datestamps is
        taken, so that one wrong datestamp cannot carry the checkpoint past records not yet harvested, and
        never a day after the clock's.

        A record dated ahead of the clock is stored as given but moves nothing (clock.py); starting over from a
        day too early costs requests, from one too late would lose records, so every doubt errs early.
        """
        now = self.now()
        ahead = sorted(paper_id for paper_id, day in page.datestamps.items() if day_ahead(day, now))
        if ahead:
            self.summary.untrusted += len(ahead)
            self.log(
                f"{len(ahead)} record(s) with a datestamp more than a day ahead of the clock ({stamp(now)}), "
                f"stored as given but not trusted as the day reached: {named(ahead)}"
            )
        days = [day for day in page.datestamps.values() if self._day_problem(day) is None]
        reached = min([*days[-2:], now.astimezone(UTC).date()]) if days else None
        return max([day for day in (reached, before) if day is not None], default=None)

    def _store(self, page: OaiPage, run: int | None) -> int:
        """One page, its matches and the checkpoint, in one transaction."""
        with self.store.transaction():
            run_id = run if run is not None else self.store.begin_run(self.now(), kind="backfill")
            self._register_topics(run_id)
            fresh = self.store.add_versions(page.papers, run_id)
            verdicts = Verdicts(self.config.topics, self.scope, Documents(limit=0))  # memory stays flat
            self.summary.matched += rematch(self.store, verdicts, page.papers, run_id, additive=True)
            previous = self._checkpoint(repair=False)
            day = self._reached(page, previous.day if previous else None)
            self.store.set_state(CHECKPOINT, Checkpoint(self.target.key(), run_id, page.token, day).dumps())
        self.summary.records += len(page.papers)
        self.summary.skipped += page.skipped
        self.summary.new_versions += len(fresh)
        self.summary.pages += 1
        if self.progress is not None:
            self.progress(self.summary.records, self._fraction(day), day)
        return run_id

    def _register_topics(self, run: int) -> None:
        """Topics the archive does not know yet are registered, so matches can name them; also when a resumed
        harvest meets a topic added to the config since it was interrupted."""
        known = self.store.topics()
        for topic in self.config.topics:
            if topic.name not in known:
                self.store.set_topic(topic.name, topic.source, run)

    def _fraction(self, reached: date | None) -> float:
        end = self.target.until or self.now().date()
        span = (end - self.target.start).days + 1
        if reached is None or span <= 0:
            return 0.0
        return min(1.0, max(0.0, ((reached - self.target.start).days + 1) / span))

    def _finish(self, run: int | None) -> None:
        with self.store.transaction():
            if run is not None:
                self.store.finish_run(
                    run, self.now(), RunOutcome.BACKFILL, received=self.summary.records, kept=self.summary.new_versions
                )
            self.store.clear_state(CHECKPOINT)
