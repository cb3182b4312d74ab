"""``GET /papers/{id}``: one paper of the archive, its latest stored version, with the topics that matched it and
its buttons (a versioned id redirects to the bare one). A GET never writes: opening the page does not mark the
paper read.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dailypapers.model import Listed
from dailypapers.serve import convertors  # noqa: F401 - registers the URL convertors the routes name
from dailypapers.serve.cards import Card, card
from dailypapers.serve.reader import Reader
from dailypapers.store import database_errors


def _card(reader: Reader, paper_id: str) -> Card | None:
    with reader.lock, database_errors(reader.store.path):
        reader.refresh()
        paper = reader.store.latest(paper_id)
        if paper is None:
            return None
        topics = [t.name for t in reader.env.config.topics if reader.store.matched_version(t.name, paper_id)]
        reasons = [reader.store.reasons(topic, [(paper.id, paper.version)]) for topic in topics]
        reason = next((found[(paper.id, paper.version)] for found in reasons if found), None)
        state = reader.store.signal_states([paper_id]).get(paper_id)
    return card(Listed(paper, reason=reason), tuple(topics), state)


async def paper_page(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    shown = _card(reader, request.path_params["paper_id"])
    if shown is None:
        raise HTTPException(404, f"{request.path_params['paper_id']} is not in the archive")
    return reader.page(request, "paper.html.j2", shown=shown)


async def versioned(request: Request) -> Response:
    """``/papers/2601.08800v2``: the page is the paper's, at its latest stored version."""
    return RedirectResponse(f"/papers/{request.path_params['paper_id']}", 308)


ROUTES = [
    Route("/papers/{paper_id:arxiv}", paper_page, methods=["GET"]),
    Route("/papers/{paper_id:arxiv}v{version:int}", versioned, methods=["GET"]),
]
