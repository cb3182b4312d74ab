"""The ranking in a run's outputs: the model trained (or loaded) once, each paper scored once, then used three ways.

- **Top picks**: every email and webhook message leads with the ``[ranking] top`` papers it carries that score
  highest, each with its reason (``Message.picks``).
- **Order**: with ``[ranking] order = "interest"`` the page, the notification, the feeds and the messages list
  each topic's papers best first (``Digest.scores``); with "date", the default, they stay newest first.
- **Summaries**: the ``max_papers`` cap of ``[summaries]`` is spent on the best papers first (``by_rank``).

A daily run builds its ``RunInterest`` once, after its fetch and before asking for summaries, from the store as
it was before the run (the model is cached beside the database, ``pipeline/rank.py``); scoring the day's papers
takes milliseconds. Without a trained model (too few signals, ``[ranking] top = 0`` and order "date", or a
failure) everything is as it was without a ranking, to the byte. A ranking failure never fails a run: one line
is logged and the outputs fall back to date order, without picks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from dailypapers.config import Config
from dailypapers.errors import DailyPapersError
from dailypapers.model import Digest, Interest, Listed, Message, Paper, Pick, Section
from dailypapers.pipeline.context import quiet
from dailypapers.store import Store

if TYPE_CHECKING:  # the model needs NumPy and SciPy: imported only by a run that ranks
    from dailypapers.rank.model import Model, Scored

Key = tuple[str, int]
# What training or scoring can raise on a damaged archive or cache: reported in one line, never a failed run.
RANKING_ERRORS = (DailyPapersError, ValueError, ArithmeticError, OSError, MemoryError)


@dataclass
class RunInterest:
    """One run's model (None: no ranking) and the interest of every paper scored so far, by (id, version)."""

    model: Model | None
    top: int = 0
    by_interest: bool = False  # ``[ranking] order = "interest"``
    scored: dict[Key, Interest] = field(default_factory=dict)
    log: Callable[[str], None] = quiet

    @classmethod
    def of_store(
        cls, store: Store, config: Config, now: datetime, log: Callable[[str], None], keep: bool = True
    ) -> RunInterest:
        """The model of the store's signals, when the ranking is used at all and there are enough of them;
        ``keep``: cache a newly trained model beside the database (not in a dry run)."""
        settings = config.ranking
        none = cls(None, log=log)
        if settings.top == 0 and settings.order == "date":
            return none
        _, _, signals, _, library = store.rank_state()
        if not (signals or library or settings.authors):  # nothing to learn from: no import of the model's libraries
            return none
        from dailypapers.pipeline.rank import trained_model

        try:
            model = trained_model(store, config, now, keep=keep)
        except RANKING_ERRORS as err:
            log(f"ranking: not used in this run, the outputs keep date order: {err}")
            return none
        if isinstance(model, str):
            return none
        return cls(model, settings.top, settings.order == "interest", log=log)

    def interests(self, papers: Iterable[Paper]) -> dict[Key, Interest]:
        """The interest of each of ``papers`` (nothing without a model); each version is scored once a run."""
        wanted = {(paper.id, paper.version): paper for paper in papers}
        if self.model is None:
            return {}
        todo = [paper for key, paper in wanted.items() if key not in self.scored]
        if todo:
            from dailypapers.rank.features import paper_text
            from dailypapers.rank.model import Candidate

            try:
                scored = self.model.score([Candidate(p.versioned_id, paper_text(p.title, p.abstract)) for p in todo])
            except RANKING_ERRORS as err:
                self.log(f"ranking: not used in this run, the outputs keep date order: {err}")
                self.model = None
                return {}
            self.scored.update(((p.id, p.version), _interest(s)) for p, s in zip(todo, scored, strict=True))
        return {key: self.scored[key] for key in wanted}

    def by_rank(self, papers: Iterable[Paper]) -> list[Paper]:
        """``papers`` best first with a model, else newest first (ties: newest first)."""
        papers = sorted(papers, key=lambda paper: (paper.updated, paper.id), reverse=True)
        interests = self.interests(papers)
        if not interests:
            return papers
        return sorted(papers, key=lambda paper: -interests[(paper.id, paper.version)].score)

    def ordered(self, digest: Digest) -> Digest:
        """The digest in interest order with its scores (``order = "interest"``); else the digest as it is."""
        if not self.by_interest or self.model is None:
            return digest
        sections = self._ordered(digest.sections)
        new = self._ordered(digest.new)
        listed = [listed.paper for section in (*sections, *new) for listed in section.papers]
        scores = {key[0]: interest.score for key, interest in self.interests(listed).items()}
        return replace(digest, sections=sections, new=new, scores=scores)

    def message(self, message: Message) -> Message:
        """The message with its top picks, and in interest order with ``order = "interest"``."""
        if self.model is None:
            return message
        sections = self._ordered(message.sections) if self.by_interest else message.sections
        return replace(message, sections=sections, picks=self.picks(sections))

    def picks(self, sections: Sequence[Section]) -> tuple[Pick, ...]:
        """The ``top`` best papers of ``sections`` (each once, with every topic it is on), best first; only
        papers with a reason: like a positive, or with words that weighed for them."""
        first: dict[str, Listed] = {}
        topics: dict[str, list[str]] = {}
        for section in sections:
            for listed in section.papers:
                first.setdefault(listed.paper.id, listed)
                topics.setdefault(listed.paper.id, []).append(section.topic)
        interests = self.interests(listed.paper for listed in first.values())
        picks = [
            Pick(listed, tuple(topics[paper_id]), interests[(listed.paper.id, listed.paper.version)])
            for paper_id, listed in first.items()
            if (listed.paper.id, listed.paper.version) in interests  # none if scoring failed
        ]
        # A paper that shares no word with any signal has no reason to be picked, whatever its rank.
        liked = [pick for pick in picks if pick.interest.like_id is not None or pick.interest.words]
        return tuple(sorted(liked, key=_pick_order)[: self.top])

    def _ordered(self, sections: Sequence[Section]) -> tuple[Section, ...]:
        interests = self.interests(listed.paper for section in sections for listed in section.papers)
        if not interests:  # nothing listed, or scoring failed: the order stays as it came
            return tuple(sections)
        return tuple(
            replace(section, papers=tuple(sorted(section.papers, key=lambda listed: _order(listed, interests))))
            for section in sections
        )


def _order(listed: Listed, interests: dict[Key, Interest]) -> tuple[float, float, str]:
    paper = listed.paper
    return -interests[(paper.id, paper.version)].score, -paper.updated.timestamp(), paper.id


def _pick_order(pick: Pick) -> tuple[float, float, str]:
    paper = pick.listed.paper
    return -pick.interest.score, -paper.updated.timestamp(), paper.id


def _interest(scored: Scored) -> Interest:
    like = scored.reason.like
    if like is None:
        return Interest(scored.score, words=scored.reason.words)
    return Interest(scored.score, like.key, like.title, like.reason, scored.reason.words)
