"""The reader: a local web app over the archive, to read what the runs brought and star or dismiss papers.

``create_app`` builds the ASGI app (Starlette) from an environment and an open store; ``server.py`` binds the
socket and runs it with uvicorn. The reader sits above the pipeline: it reads the store and writes only the
reader's signals, never fetches from arXiv (it imports neither ``http`` nor the command line).

Routes come from one module each (``ROUTES``); every POST is ``guard.guarded``; ``guard.HostGuard`` wraps the
whole app.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.resources import files

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dailypapers.errors import DailyPapersError
from dailypapers.pipeline.context import Environment
from dailypapers.serve import authors, days, inbox, papers, search, signals, starred, topics
from dailypapers.serve.guard import HostGuard, Sessions
from dailypapers.serve.reader import Reader
from dailypapers.store import Store

STATIC_MAX_AGE = "public, max-age=3600"


SITE_FILES = {"style.css": "text/css", "tex.js": "text/javascript"}
"""The static site's own files the reader loads as the site ships them: its stylesheet, so reader and site look
alike, and the script that typesets TeX, so both typeset it the same way."""


async def site_file(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in SITE_FILES:
        raise HTTPException(404, f"the site has no file {name[:80]!r}")
    text = files("dailypapers").joinpath("render/templates/site", name).read_text(encoding="utf-8")
    return Response(text, media_type=SITE_FILES[name], headers={"Cache-Control": STATIC_MAX_AGE})


_HEADINGS = {404: "Not here", 405: "Not that way"}


async def error_page(request: Request, exc: Exception) -> Response:
    """404, 405 and the like in the reader's frame (a page) or as one line (anything else asked)."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "the reader failed"
    if request.method != "GET" or request.url.path.startswith(("/static/", "/site/", "/assets/")):
        return PlainTextResponse(f"{detail}\n", status)
    reader: Reader = request.app.state.reader
    heading = _HEADINGS.get(status, "Something went wrong")
    return reader.page(request, "error.html.j2", status, code=status, heading=heading, detail=f"{detail}.")


async def trouble_page(request: Request, exc: Exception) -> Response:
    """A database that cannot be read (damaged, changed by a newer version): the store's one line, which names
    the file and what to do, as a 503 page; never a traceback."""
    line = (str(exc).splitlines() or ["the archive cannot be read"])[0]
    reader: Reader = request.app.state.reader
    return reader.page(request, "error.html.j2", 503, code=503, heading="The archive cannot be read", detail=line)


def create_app(env: Environment, store: Store, allowed_hosts: Iterable[str]) -> Starlette:
    """The reader over ``store``, answering only requests whose Host is in ``allowed_hosts`` (``name:port``)."""
    sessions = Sessions()
    routes = [
        *inbox.ROUTES,
        *signals.ROUTES,
        *papers.ROUTES,
        *starred.ROUTES,
        *days.ROUTES,
        *search.ROUTES,
        *topics.ROUTES,
        *authors.ROUTES,
        Route("/site/{name}", site_file, methods=["GET"]),
        Mount("/static", StaticFiles(packages=[("dailypapers", "serve/static")]), name="static"),
        Mount("/assets", StaticFiles(packages=[("dailypapers", "render/static")]), name="assets"),
    ]
    app = Starlette(
        debug=False,
        routes=routes,
        middleware=[Middleware(HostGuard, hosts=allowed_hosts)],
        exception_handlers={HTTPException: error_page, DailyPapersError: trouble_page},
    )
    app.state.reader = Reader(env, store, sessions)
    app.state.sessions = sessions
    return app
