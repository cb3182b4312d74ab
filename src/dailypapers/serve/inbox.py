"""``GET /``: what the latest run brought, per topic, each paper once; then each topic's recent papers.

The digest is the one the notification of that run was built from (``match.digest.build_digest``), so the inbox
and the e-mail agree on what is new. A paper several topics list is shown once, under the first of them in the
config's order, and its card names every topic. Within a topic, unread papers come first, dismissed ones last;
once the ranking has a model (``serve/ranking.py``), best first within each of those, each card saying why, and
a For you section after the topics lists the run's days' papers that match no topic but score high. Below what is
new, each topic's ``RECENT`` latest papers not shown above. Reading never writes: opening the page changes no
state (the ranking's model is kept beside the database, as ``dailypapers rank`` keeps it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dailypapers.match.digest import build_digest
from dailypapers.model import Digest, Listed, Section
from dailypapers.rank.model import Scored
from dailypapers.serve.cards import Card, card, merged
from dailypapers.serve.ranking import WAIT, order, scores, why
from dailypapers.serve.reader import Reader
from dailypapers.store import database_errors
from dailypapers.store.signals import PaperSignals

RECENT = 5  # each topic's latest papers listed under what is new: a glance, not the archive (that is /days)


@dataclass(frozen=True, slots=True)
class Group:
    """One topic's cards on the page, and its query (shown on hover)."""

    topic: str
    query: str
    cards: tuple[Card, ...]

    @property
    def anchor(self) -> str:
        return "t-" + "".join(c if c.isalnum() else "-" for c in self.topic.lower())


def groups(
    sections: Iterable[Section],
    topics: Mapping[str, tuple[str, ...]],
    states: Mapping[str, PaperSignals],
    shown: set[str],
    cap: int | None = None,
    score: Mapping[str, Scored] | None = None,
) -> list[Group]:
    """Each section as a group of its first ``cap`` cards not in ``shown`` (which this adds them to), unread
    first, dismissed last, best first by ``score`` within each (the sections' order without one)."""
    score = score or {}
    found = []
    for section in sections:
        fresh = [listed for listed in section.papers if listed.paper.id not in shown][:cap]
        shown.update(listed.paper.id for listed in fresh)
        made = [ranked(card(listed, topics[listed.paper.id], states.get(listed.paper.id)), score) for listed in fresh]
        made.sort(key=lambda made: (made.dismissed, made.read, order(score, made.paper_id)))
        if made:
            found.append(Group(section.topic, section.query, tuple(made)))
    return found


def ranked(shown: Card, score: Mapping[str, Scored]) -> Card:
    """The card with its score's reason, if it has one."""
    found = score.get(shown.paper_id)
    return shown if found is None else replace(shown, why=why(found.reason))


@dataclass(frozen=True)
class Inbox:
    """What the page shows: the latest run's digest, its new papers by topic, For you, each topic's recent papers
    not among them, and why nothing is ranked (too few signals) if so."""

    digest: Digest | None = None
    new: list[Group] = field(default_factory=list)
    picked: tuple[Card, ...] = ()
    recent: list[Group] = field(default_factory=list)
    ranking: str | None = None


def _inbox(reader: Reader) -> Inbox:
    """The latest run's digest, its new papers by topic and each topic's recent papers not among them."""
    with reader.lock, database_errors(reader.store.path):
        reader.refresh()
        store, config = reader.store, reader.env.config
        run = store.last_successful_run()
        if run is None:
            return Inbox()
        digest = build_digest(store, config, run, recent=RECENT)
        every = merged((*digest.new, *digest.sections))
        topics = {listed.paper.id: names for listed, names in every}
        states = store.signal_states(topics)
        standing = reader.ranker.standing(store, config, reader.env.now(), reader.env.log, WAIT)
        score = scores(standing.model, (listed.paper for listed, _ in every), reader.env.log)
        shown: set[str] = set()
        new = groups(digest.new, topics, states, shown, score=score)
        brought = [listed.paper for section in digest.new for listed in section.papers]
        picked = reader.ranker.for_you(store, config, standing.model, brought, set(topics), reader.env.log)
        read = store.signal_states(paper.id for paper, _ in picked)
    recent = groups(digest.sections, topics, states, shown, RECENT, score)
    cards = tuple(replace(card(Listed(p), (), read.get(p.id)), why=why(found.reason)) for p, found in picked)
    return Inbox(digest, new, cards, recent, standing.note if new else None)


async def inbox(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    shown = _inbox(reader)
    count = sum(len(group.cards) for group in shown.new)
    unread = sum(not card.read for group in shown.new for card in group.cards)
    return reader.page(request, "inbox.html.j2", view=shown, count=count, unread=unread)


ROUTES = [Route("/", inbox, methods=["GET"])]
