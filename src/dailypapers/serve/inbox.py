"""``GET /``: what the latest run brought, per topic, each paper once; then each topic's recent papers.

The digest is the one the notification of that run was built from (``match.digest.build_digest``), so the inbox
and the e-mail agree on what is new. Reading never writes: opening the page changes no state.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dailypapers.match.digest import build_digest
from dailypapers.model import Digest
from dailypapers.serve.cards import Card, cards, merged
from dailypapers.serve.reader import Reader
from dailypapers.store import database_errors


def _inbox(reader: Reader) -> tuple[Digest | None, list[Card], list[Card]]:
    """The latest run's digest, its new papers' cards and the recent ones not among them."""
    with reader.lock, database_errors(reader.store.path):
        reader.refresh()
        run = reader.store.last_successful_run()
        if run is None:
            return None, [], []
        digest = build_digest(reader.store, reader.env.config, run)
        new, recent = merged(digest.new), merged(digest.sections)
        fresh = {listed.paper.id for listed, _ in new}
        recent = [(listed, topics) for listed, topics in recent if listed.paper.id not in fresh]
        states = reader.store.signal_states(listed.paper.id for listed, _ in new + recent)
    return digest, cards(new, states), cards(recent, states)


async def inbox(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    digest, new, recent = _inbox(reader)
    return reader.page(request, "inbox.html.j2", digest=digest, new=new, recent=recent)


ROUTES = [Route("/", inbox, methods=["GET"])]
