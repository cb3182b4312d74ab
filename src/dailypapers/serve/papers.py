"""``GET /papers/{id}``: one paper of the archive, its latest stored version, with the topics that matched it and
its buttons (a versioned id redirects to the bare one), every stored version with its date, its authors linked to
their pages, its BibTeX (``render/cite.py``, the same entry ``dailypapers stars --bibtex`` writes) and "more like
this": the papers of the archive with the most similar title and abstract (``store/similar.py``).

A GET never writes: opening the page does not mark the paper read, and an out-of-date search index is reported
on the page (``dailypapers search`` brings it up to date), never updated by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dailypapers.model import Listed, Paper
from dailypapers.render.cite import bibtex
from dailypapers.render.site import ARXIV, Entry, entry
from dailypapers.serve import convertors  # noqa: F401 - registers the URL convertors the routes name
from dailypapers.serve.cards import Card, card
from dailypapers.serve.reader import Reader
from dailypapers.store import database_errors

SIMILAR = 10
"""Papers under "More like this"."""
_REBUILD = "The search index was built by another version of dailypapers: run `dailypapers search` once to rebuild it."
_UNINDEXED = (
    "Some papers are not in the search index yet and cannot show here: run `dailypapers search` once to index them."
)
_ID_SAFE = "/."  # old-scheme ids (hep-th/9901001) keep their slash, as on the site


@dataclass(frozen=True, slots=True)
class VersionLine:
    """A stored version as the page lists it: ``v2``, arXiv's page of that version, its date and time (UTC)."""

    label: str
    url: str
    stamp: str
    shown: str
    latest: bool


@dataclass(frozen=True, slots=True)
class AuthorLink:
    """An author as stored, and the reader's page of that name (``/authors/`` + the name percent-encoded)."""

    name: str
    href: str
    affiliations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Alike:
    """A paper under "More like this": its bare id (for its page) and the site's flattened entry."""

    paper_id: str
    entry: Entry


@dataclass(frozen=True, slots=True)
class PaperPage:
    """Everything ``paper.html.j2`` shows besides the card."""

    versions: tuple[VersionLine, ...]
    authors: tuple[AuthorLink, ...]
    bibtex: str
    similar: tuple[Alike, ...]
    index_note: str | None


def author_href(name: str) -> str:
    """``/authors/Ada%20Lovelace``: the name exactly as stored, every reserved character escaped (``/`` too)."""
    return "/authors/" + quote(name, safe="")


def _versions(reader: Reader, paper: Paper) -> tuple[VersionLine, ...]:
    lines = []
    for stored in reader.store.stored_versions(paper.id):
        moment = stored.submitted.astimezone(UTC)
        path = quote(f"{paper.id}v{stored.version}", safe=_ID_SAFE)
        lines.append(
            VersionLine(
                label=f"v{stored.version}",
                url=f"{ARXIV}abs/{path}",
                stamp=moment.isoformat().replace("+00:00", "Z"),
                shown=moment.strftime("%Y-%m-%d %H:%M UTC"),
                latest=stored.version == paper.version,
            )
        )
    return tuple(lines)


def _similar(reader: Reader, paper: Paper) -> tuple[tuple[Alike, ...], str | None]:
    """The papers most like ``paper``, and what the page should say about the index (None: nothing)."""
    problem = reader.store.search_index_problem()
    if problem is not None and "another version" in problem:
        return (), _REBUILD
    found = reader.store.similar_papers(paper, SIMILAR)
    note = None if problem is None else _UNINDEXED
    return tuple(Alike(other.id, entry(Listed(other))) for other in found), note


def _paper_page(reader: Reader, paper: Paper) -> PaperPage:
    similar, note = _similar(reader, paper)
    return PaperPage(
        versions=_versions(reader, paper),
        authors=tuple(AuthorLink(a.name, author_href(a.name), a.affiliations) for a in paper.authors),
        bibtex=bibtex([paper]),
        similar=similar,
        index_note=note,
    )


def _card(reader: Reader, paper_id: str) -> tuple[Card, PaperPage] | None:
    with reader.lock, database_errors(reader.store.path):
        reader.refresh()
        paper = reader.store.latest(paper_id)
        if paper is None:
            return None
        topics = [t.name for t in reader.env.config.topics if reader.store.matched_version(t.name, paper_id)]
        reasons = [reader.store.reasons(topic, [(paper.id, paper.version)]) for topic in topics]
        reason = next((found[(paper.id, paper.version)] for found in reasons if found), None)
        state = reader.store.signal_states([paper_id]).get(paper_id)
        page = _paper_page(reader, paper)
    return card(Listed(paper, reason=reason), tuple(topics), state), page


async def paper_page(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    found = _card(reader, request.path_params["paper_id"])
    if found is None:
        raise HTTPException(404, f"{request.path_params['paper_id']} is not in the archive")
    shown, page = found
    return reader.page(request, "paper.html.j2", shown=shown, paper=page)


async def versioned(request: Request) -> Response:
    """``/papers/2601.08800v2``: the page is the paper's, at its latest stored version."""
    return RedirectResponse(f"/papers/{request.path_params['paper_id']}", 308)


ROUTES = [
    Route("/papers/{paper_id:arxiv}", paper_page, methods=["GET"]),
    Route("/papers/{paper_id:arxiv}v{version:int}", versioned, methods=["GET"]),
]
