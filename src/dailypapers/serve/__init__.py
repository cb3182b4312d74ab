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
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dailypapers.pipeline.context import Environment
from dailypapers.serve import inbox, signals
from dailypapers.serve.guard import HostGuard, Sessions
from dailypapers.serve.reader import Reader
from dailypapers.store import Store

STATIC_MAX_AGE = "public, max-age=3600"


async def stylesheet(request: Request) -> Response:
    """The static site's stylesheet, as the site ships it: reader and site look alike."""
    text = files("dailypapers").joinpath("render/templates/site/style.css").read_text(encoding="utf-8")
    return Response(text, media_type="text/css", headers={"Cache-Control": STATIC_MAX_AGE})


def create_app(env: Environment, store: Store, allowed_hosts: Iterable[str]) -> Starlette:
    """The reader over ``store``, answering only requests whose Host is in ``allowed_hosts`` (``name:port``)."""
    sessions = Sessions()
    routes = [
        *inbox.ROUTES,
        *signals.ROUTES,
        Route("/site/style.css", stylesheet, methods=["GET"]),
        Mount("/static", StaticFiles(packages=[("dailypapers", "serve/static")]), name="static"),
    ]
    app = Starlette(debug=False, routes=routes, middleware=[Middleware(HostGuard, hosts=allowed_hosts)])
    app.state.reader = Reader(env, store, sessions)
    app.state.sessions = sessions
    return app
