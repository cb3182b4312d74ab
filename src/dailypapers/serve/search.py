"""``GET /search?q=…``: the topics' query language over the whole archive (back-filled papers too), newest first.

The query is read as ``dailypapers search`` reads it (``pipeline.search.read_query``): a malformed one is the
same message and caret, in a ``<pre>`` so that the caret stays under its column, with status 400; its warnings
are shown as the command prints them.

A GET never writes, and a back-fill stores papers without indexing them: while some are not indexed, the page
searches those that are and says how many are not, with a button (``POST /search/index``, guarded) that indexes
them under the database lock, as ``dailypapers search`` would, and comes back to the search. While a run holds
that lock, the button answers 503 "try again"; searching goes on meanwhile (WAL).

A page holds ``PAGE_SIZE`` papers; the count stops at ``CAP``, so a search costs at most ``CAP`` papers whatever
the archive, and its pages end there.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dailypapers.errors import DailyPapersError, DatabaseBusyError, QuerySyntaxError, RunInProgressError
from dailypapers.model import Listed, Paper
from dailypapers.pipeline.search import index_for_search, read_query
from dailypapers.query import Document, Node, explain
from dailypapers.serve.cards import Card, card, matched
from dailypapers.serve.days import page_number
from dailypapers.serve.guard import guarded
from dailypapers.serve.reader import Reader
from dailypapers.store import database_errors
from dailypapers.store.signals import PaperSignals

PAGE_SIZE = 25
CAP = 500
MAX_QUERY = 2000  # characters; a topic query is a line, not a document
EXAMPLES = (
    ("ti:transformer AND cat:cs.LG", "the word in the title, in a category"),
    ('abs:"graph neural network"', "a phrase in the abstract"),
    ("au:del_maestro", "an author (_ joins the words of a name)"),
    ("ti:compil* ANDNOT cat:cs.CL", "a word prefix, without a category"),
    ("(ti:gpu OR abs:gpu) AND cat:cs.DC", "grouping; operators in capitals"),
)
BUSY = "A run is writing the archive; index the papers again once it is done"


@dataclass(frozen=True, slots=True)
class Found:
    """A page of results: its cards (newest first), the count up to ``CAP``, and the page's place."""

    cards: list[Card]
    count: int
    complete: bool
    page: int
    pages: int
    first: int
    unindexed: int = 0  # papers the index lacks, so not searched
    rebuild: bool = False  # the index was built by another version: nothing could be searched


def _card(reader: Reader, node: Node, paper: Paper, names: list[str], state: PaperSignals | None) -> Card:
    """A result's card: the topics that matched the paper, and the part of the search it satisfies."""
    _, topics = matched(reader.store, names, paper)
    return card(Listed(paper, reason=explain(node, Document(paper))), topics, state)


def _search(reader: Reader, node: Node, page: int) -> Found:
    with reader.lock, database_errors(reader.store.path, reader.env.config.busy_timeout):
        reader.refresh()
        unindexed = reader.store.unindexed_papers()
        if not reader.store.search_index_is_current():
            return Found([], 0, True, 1, 1, 1, unindexed, rebuild=True)
        offset = (page - 1) * PAGE_SIZE
        result = reader.store.search_page(node, offset=offset, limit=PAGE_SIZE, cap=CAP, partial=True)
        pages = max(1, -(-result.found // PAGE_SIZE))
        if page > pages:
            raise HTTPException(404, f"this search has {pages} page{'s' if pages > 1 else ''}")
        states = reader.store.signal_states(paper.id for paper in result.papers)
        names = [topic.name for topic in reader.env.config.topics]
        shown = [_card(reader, node, paper, names, states.get(paper.id)) for paper in result.papers]
    return Found(shown, result.found, result.complete, page, pages, offset + 1, unindexed)


def _answer(reader: Reader, request: Request, status: int = 200, **given: object) -> Response:
    """The search page; every variable it reads has a value."""
    context: dict[str, object] = {"query": "", "problem": None, "notice": None, "warnings": (), "found": None}
    context["examples"] = EXAMPLES
    return reader.page(request, "search.html.j2", status, **(context | given))


async def search(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    query = request.query_params.get("q", "")
    if not query.strip():
        return _answer(reader, request, query=query)
    if len(query) > MAX_QUERY:
        problem = f"the query is {len(query)} characters long; a search takes at most {MAX_QUERY}"
        return _answer(reader, request, 400, query=query[:MAX_QUERY], notice=problem)
    page = page_number(request)
    try:
        node, warnings = read_query(query)
    except QuerySyntaxError as err:
        return _answer(reader, request, 400, query=query, problem=str(err))
    found = _search(reader, node, page)
    return _answer(reader, request, query=query, warnings=warnings, found=found)


@guarded
async def index_papers(request: Request) -> Response:
    """Index what the search index lacks (the button beside a search), then come back to that search."""
    reader: Reader = request.app.state.reader
    form = await request.form(max_files=0, max_fields=20)
    query = form.get("q")
    try:
        with reader.lock, database_errors(reader.store.path, reader.env.config.busy_timeout):
            index_for_search(reader.store, reader.store.path, reader.env.log)
    except (RunInProgressError, DatabaseBusyError):
        return reader.page(request, "error.html.j2", 503, code=503, heading="Try again in a moment", detail=BUSY + ".")
    except DailyPapersError as err:
        detail = f"{str(err).splitlines()[0]}."
        return reader.page(request, "error.html.j2", 503, code=503, heading="The archive cannot be read", detail=detail)
    back = f"/search?{urlencode({'q': query})}" if isinstance(query, str) and query else "/search"
    return RedirectResponse(back, 303)


ROUTES = [Route("/search", search, methods=["GET"]), Route("/search/index", index_papers, methods=["POST"])]
