"""Measured, not hoped: the reader's own signals replayed in time order.

For each day, every method is trained on the signals given before that day began and ranks that day's
candidates: the papers updated that day (the day's announcement, as the reader saw it), less those already
starred or dismissed, plus any older paper starred that day. The relevant ones are those starred that day or
later. A day counts when it has a relevant paper and the model has ``MIN_POSITIVES`` to learn from; the last
``limit`` such days are replayed. The scores are
nDCG@10 (binary relevance) and MRR (one over the rank of the first relevant paper), averaged over the days, for
three methods:

- **model**: ours (``model.py``), its background sample drawn from papers older than the day, so that no
  candidate is ever a training negative;
- **newest first**: the order without a ranking;
- **arxiv-sanity-lite**: its recipe (``baseline.py``), trained as it trains, on every paper up to that day.

The library and the ``[ranking] authors`` papers count on every day (they stand for long-held interests), except
a paper starred that day, which is never its own training example.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from dailypapers.rank.baseline import SanityRecipe, sanity_text
from dailypapers.rank.features import paper_text
from dailypapers.rank.model import MIN_POSITIVES, Candidate, Example, train
from dailypapers.rank.sample import background_size, sample

WINDOW_DAYS = 7  # what ``dailypapers rank`` shows by default, and how new a paper must be to stay out of the sample
CUTOFF = 10
METHODS = ("model", "newest first", "arxiv-sanity-lite")


@dataclass(frozen=True)
class ArchivePaper:
    key: str
    title: str
    abstract: str
    updated: datetime


@dataclass(frozen=True)
class Event:
    """One signal of the log, in order: ``kind`` is ``star``, ``unstar``, ``dismiss`` or ``undismiss``."""

    at: datetime
    key: str
    kind: str


@dataclass(frozen=True)
class Row:
    method: str
    ndcg: float
    mrr: float


@dataclass
class Evaluation:
    days: int = 0
    totals: dict[str, list[float]] = field(default_factory=lambda: {m: [0.0, 0.0] for m in METHODS})

    def add(self, method: str, ranked: Sequence[str], relevant: set[str]) -> None:
        self.totals[method][0] += ndcg(ranked, relevant)
        self.totals[method][1] += reciprocal_rank(ranked, relevant)

    def rows(self) -> list[Row]:
        days = max(self.days, 1)
        return [Row(method, ndcg / days, mrr / days) for method, (ndcg, mrr) in self.totals.items()]


def ndcg(ranked: Sequence[str], relevant: set[str], cutoff: int = CUTOFF) -> float:
    gain = sum(1 / math.log2(n + 2) for n, key in enumerate(ranked[:cutoff]) if key in relevant)
    ideal = sum(1 / math.log2(n + 2) for n in range(min(len(relevant), cutoff)))
    return gain / ideal if ideal else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    return next((1 / (n + 1) for n, key in enumerate(ranked) if key in relevant), 0.0)


@dataclass
class SignalState:
    """Which papers are starred and dismissed after some events, and since when."""

    starred: dict[str, datetime] = field(default_factory=dict)
    dismissed: dict[str, datetime] = field(default_factory=dict)

    def apply(self, event: Event) -> None:
        if event.kind == "star":
            self.starred[event.key] = event.at
        elif event.kind == "unstar":
            self.starred.pop(event.key, None)
        elif event.kind == "dismiss":
            self.dismissed[event.key] = event.at
        elif event.kind == "undismiss":
            self.dismissed.pop(event.key, None)


@dataclass(frozen=True)
class _Day:
    day: date
    relevant: set[str]
    candidates: list[str]
    state: SignalState


class Replay:
    """The replay of one archive and one log of signals."""

    def __init__(self, papers: Sequence[ArchivePaper], events: Sequence[Event], standing: Sequence[Example]) -> None:
        self.papers = sorted(papers, key=lambda paper: (paper.updated, paper.key))
        self.by_key = {paper.key: paper for paper in self.papers}
        self.row = {paper.key: n for n, paper in enumerate(self.papers)}
        self.events = sorted(events, key=lambda event: event.at)
        self.standing = list(standing)
        self.sanity: SanityRecipe | None = None

    def days(self) -> Iterator[_Day]:
        """Each day with a relevant paper among its candidates, and what was known before it."""
        stars = [event for event in self.events if event.kind == "star" and event.key in self.by_key]
        listed: dict[date, list[str]] = {}
        for paper in self.papers:
            listed.setdefault(paper.updated.date(), []).append(paper.key)
        state, pending = SignalState(), list(self.events)
        for day in sorted(listed.keys() | {event.at.date() for event in stars}):
            start = datetime.combine(day, time(), UTC)
            while pending and pending[0].at < start:
                state.apply(pending.pop(0))
            starred_today = {e.key for e in stars if start <= e.at < start + timedelta(days=1)}
            known = state.starred.keys() | state.dismissed.keys()
            candidates = sorted((set(listed.get(day, [])) | starred_today) - known)
            later = {e.key for e in stars if e.at >= start}
            relevant = {key for key in candidates if key in later}
            if relevant:
                yield _Day(day, relevant, candidates, _copy(state))

    def run(self, limit: int | None = None, since: date | None = None) -> Evaluation:
        """The scores over the last ``limit`` days that can be evaluated (all without it), from ``since`` on."""
        plans = [
            (plan, positives)
            for plan in self.days()
            if since is None or plan.day >= since
            if len(positives := self._positives(plan)) >= MIN_POSITIVES and len(plan.candidates) >= 2
        ]
        evaluation = Evaluation()
        for plan, positives in plans[-limit:] if limit else plans:
            self._score_day(plan, positives, evaluation)
            evaluation.days += 1
        return evaluation

    def _positives(self, plan: _Day) -> list[Example]:
        starred = [self._example(key, "starred", at) for key, at in plan.state.starred.items() if key in self.by_key]
        return starred + [example for example in self.standing if example.key not in plan.relevant]

    def _example(self, key: str, reason: str, at: datetime) -> Example:
        paper = self.by_key[key]
        return Example(key, paper.title, paper_text(paper.title, paper.abstract), reason, at)

    def _score_day(self, plan: _Day, positives: list[Example], evaluation: Evaluation) -> None:
        end = datetime.combine(plan.day, time(), UTC) + timedelta(days=1)
        dismissed = [self._example(k, "dismissed", at) for k, at in plan.state.dismissed.items() if k in self.by_key]
        model = train(positives, dismissed, self._background(plan, positives), end)
        candidates = [Candidate(key, self._example(key, "", end).text) for key in plan.candidates]
        scored = {item.key: item.score for item in model.score(candidates)}
        evaluation.add("model", _order(plan.candidates, scored, self.by_key), plan.relevant)
        newest = {key: self.by_key[key].updated.timestamp() for key in plan.candidates}
        evaluation.add("newest first", _order(plan.candidates, newest, self.by_key), plan.relevant)
        sanity = self._sanity_scores(plan, positives, end)
        evaluation.add("arxiv-sanity-lite", _order(plan.candidates, sanity, self.by_key), plan.relevant)

    def _background(self, plan: _Day, positives: list[Example]) -> list[str]:
        taken = {example.key for example in positives} | plan.state.dismissed.keys()
        older = [p for p in self.papers if p.updated.date() < plan.day and p.key not in taken]
        chosen = sample(older, background_size(len(positives)), seed=plan.day.toordinal())
        return [paper_text(p.title, p.abstract) for p in chosen]

    def _sanity_scores(self, plan: _Day, positives: list[Example], end: datetime) -> dict[str, float]:
        if self.sanity is None:
            self.sanity = SanityRecipe([sanity_text(p.title, p.abstract) for p in self.papers])
        training = [n for n, paper in enumerate(self.papers) if paper.updated < end]
        tagged = [self.row[example.key] for example in positives if example.key in self.row]
        rows = [self.row[key] for key in plan.candidates]
        values = self.sanity.scores(training, tagged, rows)
        return {key: float(value) for key, value in zip(plan.candidates, values, strict=True)}


def _copy(state: SignalState) -> SignalState:
    return SignalState(dict(state.starred), dict(state.dismissed))


def _order(keys: Sequence[str], scores: dict[str, float], papers: dict[str, ArchivePaper]) -> list[str]:
    """Best first; ties newest first, then by id, so that every method's order is deterministic."""
    return sorted(keys, key=lambda key: (-scores[key], -papers[key].updated.timestamp(), key))
