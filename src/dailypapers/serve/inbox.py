"""``GET /``: what the latest run brought, per topic, each paper once; then each topic's recent papers.

The digest is the one the notification of that run was built from (``match.digest.build_digest``), so the inbox
and the e-mail agree on what is new. A paper several topics list is shown once, under the first of them in the
config's order, and its card names every topic. Within a topic, unread papers come first, dismissed ones last.
Below what is new, each topic's ``RECENT`` latest papers not shown above. Reading never writes: opening the page
changes no state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dailypapers.match.digest import build_digest
from dailypapers.model import Digest, Section
from dailypapers.serve.cards import Card, card, merged
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
) -> list[Group]:
    """Each section as a group of its first ``cap`` cards not in ``shown`` (which this adds them to), unread
    first."""
    found = []
    for section in sections:
        fresh = [listed for listed in section.papers if listed.paper.id not in shown][:cap]
        shown.update(listed.paper.id for listed in fresh)
        made = [card(listed, topics[listed.paper.id], states.get(listed.paper.id)) for listed in fresh]
        made.sort(key=lambda shown_card: (shown_card.dismissed, shown_card.read))
        if made:
            found.append(Group(section.topic, section.query, tuple(made)))
    return found


def _inbox(reader: Reader) -> tuple[Digest | None, list[Group], list[Group]]:
    """The latest run's digest, its new papers by topic and each topic's recent papers not among them."""
    with reader.lock, database_errors(reader.store.path):
        reader.refresh()
        run = reader.store.last_successful_run()
        if run is None:
            return None, [], []
        digest = build_digest(reader.store, reader.env.config, run, recent=RECENT)
        every = merged((*digest.new, *digest.sections))
        topics = {listed.paper.id: names for listed, names in every}
        states = reader.store.signal_states(topics)
    shown: set[str] = set()
    return digest, groups(digest.new, topics, states, shown), groups(digest.sections, topics, states, shown, RECENT)


async def inbox(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    digest, new, recent = _inbox(reader)
    count = sum(len(group.cards) for group in new)
    unread = sum(not shown.read for group in new for shown in group.cards)
    return reader.page(request, "inbox.html.j2", digest=digest, new=new, recent=recent, count=count, unread=unread)


ROUTES = [Route("/", inbox, methods=["GET"])]
