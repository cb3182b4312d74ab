"""The reader's order by interest: the model of ``pipeline/rank.py``, kept in memory, and what it says of a card.

Training reads the archive and takes seconds on an archive of millions (a background sample of it, then the
regression: about 2.5 s for a million papers on two cores), so a page never waits for it when there is a model
to order by. ``Ranker`` keeps the last model trained; a page finding the state changed (a star, a dismissal, a
library entry, a daily run's papers) orders by that model while a thread trains the new one on its own
connection, and the next page uses it (one training at a time: a change made meanwhile is learnt by the first
page after it ends). The model is cached beside the database (``rank/cache.py``), so a restarted reader orders at
once. Only with no model at all (the first ranking, the file beside the database
missing) does a page wait for training, at most ``WAIT`` seconds, then shows date order and says it is learning.
Ranking never fails a page: anything going wrong is one line in the log, and the page keeps date order.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from dailypapers.arxiv.dates import iso
from dailypapers.config import Config
from dailypapers.match.verdicts import scope_query
from dailypapers.model import Paper
from dailypapers.pipeline.rank import rank_key, read_signals, train_model
from dailypapers.query import Matcher
from dailypapers.rank.cache import cache_path, load_model
from dailypapers.rank.features import paper_text
from dailypapers.rank.model import MIN_POSITIVES, Candidate, Model, Reason, Scored
from dailypapers.store import Store

FOR_YOU = 10  # a screenful of cards
# A paper of the run matching no topic is "for you" when it scores at least as high as the model scores a quarter
# of the papers you liked themselves (their lower quartile: ``Model.liked_level``). A fixed bar would not do: the
# regression is regularised hard, so its probabilities crowd around one half (on the seed papers, 0.49 to 0.50 for
# unrelated ones, 0.52 for the liked ones) and move with the number of signals. A near copy of a liked paper
# scores above the bar whatever its words (``rank/model.py``: ``TWIN``), one of a dismissed paper below.
LIKED_QUANTILE = 0.25
CANDIDATES = 3000  # the newest papers of the run's days scored for For you (a day of all arXiv is about 2,000)
WAIT = 5.0  # seconds a page waits for the first model (a small archive trains in well under one)
TITLE = 80  # characters of the liked paper's title a reason line quotes

Log = Callable[[str], None]


@dataclass(frozen=True)
class Standing:
    """What a page can order by: a model (perhaps one state behind while a newer one trains), or none and the
    line saying why (too few signals, still learning)."""

    model: Model | None
    note: str | None = None


@dataclass
class Ranker:
    """The reader's last model and the key of the state it was trained on (``pipeline.rank.rank_key``)."""

    model: Model | None = None
    key: str | None = None
    note: str | None = None  # why there is no model, said on the inbox
    training: str | None = None  # the key a thread is training for (a change meanwhile waits for it to end)
    failed: str | None = None  # a key whose training failed: not tried again until the state changes
    above: tuple[Model, tuple[str, str], list[tuple[Scored, int]]] | None = None  # For you's candidates, kept
    lock: threading.Lock = field(default_factory=threading.Lock)

    def standing(self, store: Store, config: Config, now: datetime, log: Log, wait: float = 0.0) -> Standing:
        """The model to order by now; training a newer one in a thread when the state changed. Never raises."""
        try:
            return self._standing(store, config, now, log, wait)
        except Exception as err:  # whatever it is, the page shows in date order and the log says why, once
            log(f"ranking failed, the reader keeps date order: {_first_line(err)}")
            return Standing(None)

    def _standing(self, store: Store, config: Config, now: datetime, log: Log, wait: float) -> Standing:
        key = rank_key(store, config)
        with self.lock:
            if key in (self.key, self.failed) or self.training is not None:  # one training at a time
                return Standing(self.model, None if self.model is not None else self.note)
        cached = load_model(cache_path(config.database), key)
        if cached is not None:
            self._keep(key, cached, None)
            return Standing(cached)
        positives = len(read_signals(store, config).positives)
        if positives < MIN_POSITIVES:
            note = f"Ranking starts after {MIN_POSITIVES} stars or library papers; you have {positives}."
            self._keep(key, None, note)
            return Standing(None, note)
        with self.lock:
            self.training, self.note = key, f"Ranking is learning from your {positives} papers; reload in a moment."
            if self.model is None:  # the last model trained, even for another state, beats date order
                self.model = load_model(cache_path(config.database), None)
            last = self.model  # what this page orders by, however soon the new one is ready
        thread = threading.Thread(target=self._train, args=(store, config, now, key, log), daemon=True)
        thread.start()
        if last is not None:
            return Standing(last)
        thread.join(wait)
        with self.lock:
            return Standing(self.model, self.note if self.model is None else None)

    def for_you(
        self, store: Store, config: Config, model: Model | None, brought: Sequence[Paper], listed: set[str], log: Log
    ) -> list[tuple[Paper, Scored]]:
        """For you: the papers of the days the run ``brought`` papers from (``window``), in scope, that match no
        topic and score as high as the liked papers (``above``, kept until the model or the days change: a day of
        2,000 papers takes half a second to score), best first, at most ``FOR_YOU``; never one already
        ``listed``, liked, starred or dismissed. None without a model, or if it fails (logged): the page still
        shows every topic's papers."""
        span = window(brought)
        if model is None or span is None:
            return []
        try:
            with self.lock:
                kept = self.above
            if kept is None or kept[0] is not model or kept[1] != span:
                kept = (model, span, above(store, model, span))
                with self.lock:
                    self.above = kept
            return picked(store, config, [found for found in kept[2] if found[0].key not in listed][: FOR_YOU * 5])
        except Exception as err:
            log(f"ranking failed, the inbox shows no For you: {_first_line(err)}")
            return []

    def _keep(self, key: str, model: Model | None, note: str | None) -> None:
        with self.lock:
            self.key, self.model, self.note = key, model, note

    def _train(self, store: Store, config: Config, now: datetime, key: str, log: Log) -> None:
        """Train on a connection of its own (the reader's serves the pages meanwhile) and keep the model."""
        try:
            with Store.open(store.path, config.busy_timeout) as own:
                model = train_model(own, config, now, key)
        except Exception as err:  # any failure: one line in the log, and the pages keep their order
            log(f"ranking could not train, the reader keeps its order: {_first_line(err)}")
            with self.lock:
                self.failed, self.training = key, None
                self.note = (
                    None if self.model is not None else "Ranking could not learn (the log says why): date order."
                )
            return
        with self.lock:
            self.training = None
            if isinstance(model, Model):
                self.key, self.model, self.note = key, model, None
            else:  # why it cannot learn: too few signals now, or an archive with nothing to tell them from
                self.key, self.model, self.note = key, None, f"Ranking cannot learn yet: {model}; date order."


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def scores(model: Model | None, papers: Iterable[Paper], log: Log) -> dict[str, Scored]:
    """Each paper's score and reason by ``model`` (none without one, or if scoring fails: logged)."""
    try:
        return _scores(model, papers)
    except Exception as err:  # the page keeps date order
        log(f"ranking failed, the reader keeps date order: {_first_line(err)}")
        return {}


MEMO = 20_000  # scores kept per model: a reader's pages ask for the same papers again and again


_memo: tuple[weakref.ref[Model], dict[tuple[str, int], Scored]] | None = None


def _scores(model: Model | None, papers: Iterable[Paper]) -> dict[str, Scored]:
    """Each paper's score by ``model``, each version scored once per model: a reload of the inbox costs lookups,
    not the model's arithmetic (the last model's scores are kept, up to ``MEMO``)."""
    global _memo
    if model is None:
        return {}
    if _memo is None or _memo[0]() is not model or len(_memo[1]) > MEMO:
        _memo = (weakref.ref(model), {})
    kept = _memo[1]
    unique = {paper.id: paper for paper in papers}
    todo = [paper for paper in unique.values() if (paper.id, paper.version) not in kept]
    versions = {paper.id: paper.version for paper in todo}
    for scored in model.score([Candidate(paper.id, paper_text(paper.title, paper.abstract)) for paper in todo]):
        kept[(scored.key, versions[scored.key])] = scored
    return {key: kept[(key, paper.version)] for key, paper in unique.items()}


def why(reason: Reason) -> str | None:
    """A reason as one short line: "Like ‘Title’ (starred) · words: federated, clients"."""
    parts = []
    if reason.like is not None:
        title = " ".join(reason.like.title.split())
        title = title if len(title) <= TITLE else title[: TITLE - 1].rstrip() + "…"
        parts.append(f"Like ‘{title}’ ({reason.like.reason})")
    if reason.words:
        parts.append(f"words: {', '.join(reason.words)}")
    return " · ".join(parts) or None


def order(score: Mapping[str, Scored], paper_id: str) -> float:
    """The sort key of a paper by its score: best first, an unscored paper as if it scored 0."""
    found = score.get(paper_id)
    return -found.score if found is not None else 0.0


def window(papers: Iterable[Paper]) -> tuple[str, str] | None:
    """The days (UTC, whole) the papers' versions were submitted on, as stored stamps: from the first day's start
    to the last one's end; None for no paper."""
    days = [paper.updated.astimezone(UTC).date() for paper in papers]
    if not days:
        return None
    first, last = min(days), max(days) + timedelta(days=1)
    return iso(datetime.combine(first, time(), UTC)), iso(datetime.combine(last, time(), UTC))


def above(store: Store, model: Model, span: tuple[str, str]) -> list[tuple[Scored, int]]:
    """The papers updated in ``span`` (the newest ``CANDIDATES``) that score at least ``LIKED_QUANTILE`` of the
    liked papers, best first, with their versions; never a liked paper itself."""
    liked = {example.key for example in model.positives}
    texts = [text for text in store.texts_updated(*span)[:CANDIDATES] if text.id not in liked]
    found = model.score([Candidate(text.id, paper_text(text.title, text.abstract)) for text in texts])
    bar = model.liked_level(LIKED_QUANTILE)
    versions = {text.id: text.version for text in texts}
    return [(s, versions[s.key]) for s in sorted(found, key=lambda s: (-s.score, s.key)) if s.score >= bar]


def picked(store: Store, config: Config, best: Sequence[tuple[Scored, int]]) -> list[tuple[Paper, Scored]]:
    """The first ``FOR_YOU`` of ``best`` in scope that match no topic and are neither starred nor dismissed."""
    papers = store.papers(((scored.key, version) for scored, version in best), scope_query(config.categories))
    matchers = [Matcher(topic.query) for topic in config.topics]
    states = store.signal_states(scored.key for scored, _ in best)
    chosen = []
    for scored, version in best:
        paper = papers.get((scored.key, version))
        state = states.get(scored.key)
        if paper is None or (state is not None and (state.starred or state.dismissed)):
            continue
        if not any(matcher.matches(paper) for matcher in matchers):
            chosen.append((paper, scored))
    return chosen[:FOR_YOU]
