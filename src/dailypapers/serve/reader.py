"""What every page of the reader shares: the environment, the store behind a lock, and the templates.

One connection serves the whole reader. Every endpoint is ``async`` and runs on the event loop's thread, and
uses the store under ``Reader.lock``, so the connection is never used by two requests at once; a query takes
milliseconds and the reader has one user. SQLite's WAL gives each read a snapshot: a daily run writing the
archive meanwhile never breaks a page. The reader never takes the run's lock, so a run can start while it is open.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from dailypapers import __version__
from dailypapers.config import load_config
from dailypapers.errors import DailyPapersError
from dailypapers.pipeline.context import Environment as RunEnvironment
from dailypapers.render.assets import HTMX, KATEX
from dailypapers.serve.guard import Sessions
from dailypapers.serve.ranking import Ranker
from dailypapers.store import Store


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


@cache
def templates() -> Environment:
    """The reader's templates first, then the static site's, so a page can reuse the site's macros."""
    loader = ChoiceLoader(
        [PackageLoader("dailypapers", "serve/templates"), PackageLoader("dailypapers", "render/templates/site")]
    )
    environment = Environment(
        loader=loader,
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    environment.globals["htmx"] = f"/assets/{HTMX}"  # the vendored copy the package ships (render/static/)
    environment.globals["katex"] = f"/assets/{KATEX}"
    return environment


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (it then swaps a fragment instead of following a redirect)."""
    return request.headers.get("hx-request") == "true"


def local_path(text: str) -> str | None:
    """``text`` as a path of this reader (``/papers/2601.08800``), or None when it is not one: a full URL, a
    protocol-relative ``//host``, a backslash some browsers read as a slash, a control character."""
    path = urlsplit(text).path if text.startswith(("http://", "https://")) else text
    if not path.startswith("/") or path.startswith("//") or "\\" in path or not path.isprintable():
        return None
    return path


def here(request: Request) -> str:
    """The page a button bar sits on: where its plain form comes back to. For htmx's POSTs, the page that sent
    them (``HX-Current-URL``), not the POST's own path."""
    if is_htmx(request):
        return local_path(request.headers.get("hx-current-url", "")) or "/"
    return request.url.path


@dataclass
class Reader:
    """The state of one server: what it reads, and the secret behind its pages' tokens."""

    env: RunEnvironment
    store: Store
    sessions: Sessions
    lock: threading.Lock = field(default_factory=threading.Lock)
    stamp: tuple[int, int] | None = None
    ranker: Ranker = field(default_factory=Ranker)  # the ranking's last model (serve/ranking.py)

    def __post_init__(self) -> None:
        self.stamp = _stamp(self.env.config.path)

    def refresh(self) -> None:
        """Read the config again when its file changed (a topic added by hand or by ``dailypapers``), so the next
        page shows its topics. A config that no longer loads is logged once and the last good one kept; the
        database stays the one opened at the start."""
        stamp = _stamp(self.env.config.path)
        if stamp == self.stamp:
            return
        self.stamp = stamp
        try:
            config = load_config(self.env.config.path, self.env.environ)
        except DailyPapersError as err:
            self.env.log(f"{str(err).splitlines()[0]}; the reader keeps the config it read before")
            return
        self.env = replace(self.env, config=config)

    def page(self, request: Request, name: str, status: int = 200, **context: object) -> HTMLResponse:
        """A template rendered for this request's session (set as a cookie when new) with its token."""
        session, new = self.sessions.session(request)
        shared = {"token": self.sessions.token(session), "version": __version__, "here": here(request)}
        html = templates().get_template(name).render(**shared, title=self.env.config.title, **context)
        response = HTMLResponse(html, status, headers={"Vary": "HX-Request", "Cache-Control": "no-store"})
        if new:
            self.sessions.set_cookie(response, session)
        return response
