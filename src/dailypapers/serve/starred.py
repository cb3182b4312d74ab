"""``GET /starred``: every starred paper, newest star first, with its card; and its exports, ``/starred.bib``
(BibTeX) and ``/starred.json`` (CSL-JSON, what Zotero imports).

The exports are the very text ``dailypapers stars --bibtex`` and ``--json`` print: both take the store's
``starred_papers`` and hand them to ``render.cite``, so a file saved from the reader and one written by a script
are the same bytes. They are served as attachments (``Content-Disposition``), never as a page: paper text in them
is whatever its authors wrote. Reading never writes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dailypapers.model import Paper
from dailypapers.render.cite import EXPORTS, Export
from dailypapers.serve.cards import Card, card, matched
from dailypapers.serve.reader import Reader
from dailypapers.store import database_errors

# Each export at its path: /starred.bib, /starred.json.
FILES = {f"/starred.{export.suffix}": export for export in EXPORTS.values()}


def _cards(reader: Reader) -> list[tuple[Card, str]]:
    """The starred papers' cards, newest star first, each with the topics that matched it and the day it was
    starred (in the config's time zone, as the run's days are)."""
    with reader.lock, database_errors(reader.store.path):
        reader.refresh()
        starred = reader.store.starred_papers()
        states = reader.store.signal_states(star.paper.id for star in starred)
        topics = [topic.name for topic in reader.env.config.topics]
        listings = [matched(reader.store, topics, star.paper) for star in starred]
    zone = reader.env.config.timezone
    return [
        (card(listed, names, states.get(listed.paper.id)), star.starred_at.astimezone(zone).date().isoformat())
        for (listed, names), star in zip(listings, starred, strict=True)
    ]


def _papers(reader: Reader) -> list[Paper]:
    with reader.lock, database_errors(reader.store.path):
        return [star.paper for star in reader.store.starred_papers()]


async def starred(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    return reader.page(request, "starred.html.j2", starred=_cards(reader), files=FILES)


def download(name: str, export: Export) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint of one export: every starred paper's citation, as an attachment called ``name``."""
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}

    async def starred_file(request: Request) -> Response:
        text = export.write(_papers(request.app.state.reader))
        return Response(text, media_type=export.media_type, headers=headers)

    return starred_file


ROUTES = [
    Route("/starred", starred, methods=["GET"]),
    *(Route(path, download(path[1:], export), methods=["GET"]) for path, export in FILES.items()),
]
