"""``GET /papers/{id}``: one paper of the archive, its latest stored version, with the topics that matched it and
its buttons (a versioned id redirects to the bare one), every stored version with its date, its authors linked to
their pages, its BibTeX (``render/cite.py``, the same entry ``dailypapers stars --bibtex`` writes) and "more like
this": the papers of the archive with the most similar title and abstract (``store/similar.py``).

"More like this" is the slowest part (tens of milliseconds over a million papers), so the page is sent without it
and htmx loads it from ``/papers/{id}/similar`` once the page shows; without script a link asks for the page with
it (``?similar=1``). A GET never writes: opening the page does not mark the paper read, and an out-of-date search
index is reported on the page (``dailypapers search`` brings it up to date), never updated by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dailypapers.match.digest import summarised
from dailypapers.model import Listed, Paper
from dailypapers.render.cite import bibtex
from dailypapers.render.site import ARXIV, Entry, entry
from dailypapers.serve import convertors  # noqa: F401 - registers the URL convertors the routes name
from dailypapers.serve.cards import Card, author_path, card, matched
from dailypapers.serve.reader import Reader, is_htmx
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
class Similar:
    """What ``_similar.html.j2`` shows: the papers most like one, or a note on why the index cannot tell."""

    paper_id: str
    papers: tuple[Alike, ...]
    index_note: str | None


@dataclass(frozen=True, slots=True)
class PaperPage:
    """Everything ``paper.html.j2`` shows besides the card; ``similar`` is None until asked for (``?similar=1``)
    or loaded by htmx from ``/papers/{id}/similar``."""

    paper_id: str
    versions: tuple[VersionLine, ...]
    authors: tuple[AuthorLink, ...]
    bibtex: str
    similar: Similar | None


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


def _similar(reader: Reader, paper: Paper) -> Similar:
    """The papers most like ``paper``, and what the page should say about the index (None: nothing)."""
    problem = reader.store.search_index_problem()
    if problem is not None and "another version" in problem:
        return Similar(paper.id, (), _REBUILD)
    found = reader.store.similar_papers(paper, SIMILAR)
    note = None if problem is None else _UNINDEXED
    return Similar(paper.id, tuple(Alike(other.id, entry(Listed(other))) for other in found), note)


def _paper_page(reader: Reader, paper: Paper, with_similar: bool) -> PaperPage:
    return PaperPage(
        paper_id=paper.id,
        versions=_versions(reader, paper),
        authors=tuple(AuthorLink(a.name, author_path(a.name), a.affiliations) for a in paper.authors),
        bibtex=bibtex([paper]),
        similar=_similar(reader, paper) if with_similar else None,
    )


def _card(reader: Reader, paper_id: str, with_similar: bool) -> tuple[Card, PaperPage] | None:
    with reader.lock, database_errors(reader.store.path):
        reader.refresh()
        paper = reader.store.latest(paper_id)
        if paper is None:
            return None
        found, topics = matched(reader.store, (topic.name for topic in reader.env.config.topics), paper)
        state = reader.store.signal_states([paper_id]).get(paper_id)
        page = _paper_page(reader, paper, with_similar)
        listed = summarised(reader.store, reader.env.config, [found])[0]
    return card(listed, topics, state), page


async def paper_page(request: Request) -> Response:
    """The page; "More like this" is part of it only with ``?similar=1`` (the link shown without script)."""
    reader: Reader = request.app.state.reader
    found = _card(reader, request.path_params["paper_id"], request.query_params.get("similar") == "1")
    if found is None:
        raise HTTPException(404, f"{request.path_params['paper_id']} is not in the archive")
    shown, page = found
    return reader.page(request, "paper.html.j2", shown=shown, paper=page, similar=page.similar)


async def similar_fragment(request: Request) -> Response:
    """``/papers/{id}/similar``: the "More like this" section alone, which htmx loads into the page once it shows,
    so that the page answers before the slower search. Without htmx, the page with the section in it."""
    reader: Reader = request.app.state.reader
    paper_id = request.path_params["paper_id"]
    if not is_htmx(request):
        return RedirectResponse(f"/papers/{paper_id}?similar=1#similar", 303)
    with reader.lock, database_errors(reader.store.path):
        paper = reader.store.latest(paper_id)
        if paper is None:
            raise HTTPException(404, f"{paper_id} is not in the archive")
        similar = _similar(reader, paper)
    return reader.page(request, "_similar.html.j2", similar=similar)


async def versioned(request: Request) -> Response:
    """``/papers/2601.08800v2``: the page is the paper's, at its latest stored version."""
    return RedirectResponse(f"/papers/{request.path_params['paper_id']}", 308)


ROUTES = [
    Route("/papers/{paper_id:arxiv}", paper_page, methods=["GET"]),
    Route("/papers/{paper_id:arxiv}v{version:int}", versioned, methods=["GET"]),
    Route("/papers/{paper_id:arxiv}/similar", similar_fragment, methods=["GET"]),
]
