"""``/authors/{name}``: an author's papers in the archive, and a button to follow them.

The name is the one stored with the papers, percent-encoded in the path (``/authors/Ada%20Lovelace``; a slash
is ``%2F``). The papers are those of the query ``au:"<name>"`` through ``Store.search``: exactly what the topic
that **Follow** adds (``POST /authors/{name}/follow``, guarded) will match, as the config editor writes it
(``config.edit``). Once a topic of the config has that query, the button reads **Following**, beside an
**Unfollow** (``POST /authors/{name}/unfollow``) that removes the topic again.

A name becomes a query only when the query means that name: quotes and ``*`` (which no name's words hold, and
which would end the phrase or make a word a prefix) become spaces, and the phrase's words must then be the
name's words exactly; a name that cannot be written so is refused, never searched for something else.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dailypapers.config.edit import TopicExists, add_topic, remove_topic
from dailypapers.config.table import one_line
from dailypapers.errors import DailyPapersError, QuerySyntaxError
from dailypapers.query import Term, parse
from dailypapers.query.analysis import split_query_words, split_words
from dailypapers.serve.cards import author_path
from dailypapers.serve.guard import guarded
from dailypapers.serve.reader import Reader
from dailypapers.serve.topics import Compact, archive_answer, compact, without_file

MAX_NAME = 300  # characters; arXiv's longest author names are far shorter
SHOWN = 50  # papers listed on an author's page, newest first


class UnquotableName(ValueError):
    """An author name no ``au:`` phrase can stand for; the message says why, for the page."""


@dataclass(frozen=True)
class Author:
    """An author as the page shows them: the name, its path, its query, and the topic following it if any."""

    name: str
    path: str
    query: str
    term: Term
    topic: str | None = None


def author_query(name: str) -> tuple[str, Term]:
    """The query ``au:"<name>"`` that matches exactly the papers with an author of this name, and its term."""
    if not name.strip() or len(name) > MAX_NAME or not one_line(name):
        raise UnquotableName(f"an author's name is one line of at most {MAX_NAME} characters")
    phrase = " ".join(name.replace('"', " ").replace("*", " ").split())
    wanted = [(word, False) for word in split_words(name, possessive=False)]
    if not wanted:
        raise UnquotableName(f"the name {name!r} has no letter or digit to search for")
    query = f'au:"{phrase}"'
    try:
        node = parse(query)
    except QuerySyntaxError:
        node = None
    if not isinstance(node, Term) or node.field != "au" or not node.phrase:
        raise UnquotableName(f"the name {name!r} cannot be written as an author query")
    if split_query_words(node.text, possessive=False) != wanted:
        raise UnquotableName(f"the name {name!r} cannot be written as an author query that means it")
    return query, node


def author_of(reader: Reader, name: str) -> Author:
    """The author ``name``, with the config's topic following them (one whose query is their query)."""
    query, term = author_query(name)
    reader.refresh()
    topic = next((topic.name for topic in reader.env.config.topics if topic.query == term), None)
    return Author(name, author_path(name), query, term, topic)


def _page(request: Request, name: str, status: int = 200, error: str | None = None) -> Response:
    reader: Reader = request.app.state.reader
    try:
        with reader.lock:
            author = author_of(reader, name)
    except UnquotableName as err:
        return reader.page(request, "error.html.j2", 400, code=400, heading="Not an author's name", detail=f"{err}.")
    count, complete, papers, problem = archive_answer(reader, author.term, SHOWN)
    shown: list[Compact] = [compact(paper) for paper in papers]
    return reader.page(
        request,
        "author.html.j2",
        status,
        author=author,
        papers=shown,
        count=count,
        complete=complete,
        problem=problem,
        error=error,
    )


async def author_page(request: Request) -> Response:
    return _page(request, request.path_params["name"])


async def _change(request: Request, follow: bool) -> Response:
    reader: Reader = request.app.state.reader
    name = request.path_params["name"]
    try:
        with reader.lock:
            author = author_of(reader, name)
            path, environ = reader.env.config.path, reader.env.environ
            if follow and author.topic is None:
                add_topic(path, name.strip(), author.query, environ=environ)
            elif not follow and author.topic is not None:
                remove_topic(path, author.topic, environ)
            reader.refresh()
    except UnquotableName:
        return _page(request, name)
    except TopicExists:
        taken = f"a topic named {name.strip()!r} exists already, with another query; change it on the Topics page"
        return _page(request, name, 409, taken)
    except DailyPapersError as err:
        return _page(request, name, 409, without_file(err))
    return RedirectResponse(author.path, 303)


@guarded
async def follow(request: Request) -> Response:
    return await _change(request, follow=True)


@guarded
async def unfollow(request: Request) -> Response:
    return await _change(request, follow=False)


ROUTES = [
    Route("/authors/{name:path}", author_page, methods=["GET"]),
    Route("/authors/{name:path}/follow", follow, methods=["POST"]),
    Route("/authors/{name:path}/unfollow", unfollow, methods=["POST"]),
]
