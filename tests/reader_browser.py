"""The reader in a real browser: an archive with TeX and hostile titles, a page of Debian's Chromium watched for
anything that goes wrong, and the signals the reader stored. Shared by ``test_serve_browser.py`` and
``test_serve_keys_browser.py``, which must not import each other; their fixtures are in ``reader_fixtures.py``.

arXiv itself is never reached: a context answers every ``https://arxiv.org/`` request with a small page of its
own, so a test can follow a card's link to arXiv offline.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from archive_world import Run, write_archive
from browser import DESKTOP, Watched
from dailypapers.model import Author, Paper
from reader_world import CONFIG, DAYS, hostile_papers, latest_seed_papers
from signals_world import signal_rows

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Route

TEX_TITLES = {
    "2605.20001": "Squares $x^2$ and roots $\\sqrt{y}$",
    "2605.20002": "Broken $\\frac{$ stays as written",
}
TEX_ABSTRACT = "We bound $\\mathcal{O}(n^{2})$ when $a<b$; a bad one: $\\frac{1}{$ stays."
TOPICS = {"compilers": "abs:compiler", "everything": "cat:cs.DC"}
SEEDS = 6  # seed papers in the archive besides the TeX and hostile ones: enough cards to move between
ARXIV_PAGE = "<!DOCTYPE html><title>arXiv</title><p>arXiv, as far as this test knows</p>"


def tex_papers() -> list[Paper]:
    base = hostile_papers()[0]
    return [
        replace(base, id=paper_id, title=title, abstract=TEX_ABSTRACT, authors=(Author("Ada Lovelace"),), comment=None)
        for paper_id, title in TEX_TITLES.items()
    ]


def browser_archive(folder: Path) -> Path:
    """``folder/dailypapers.toml`` over one daily run that matched a few seed papers, the TeX papers and the
    hostile ones (reader_world's): every card is on the inbox."""
    papers = latest_seed_papers()[:SEEDS] + tex_papers() + hostile_papers()
    database = folder / "dailypapers.db"
    write_archive(database, TOPICS, [Run(DAYS[1], [("everything", paper, "cat:cs.DC") for paper in papers])])
    config = folder / "dailypapers.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


def _arxiv(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html", body=ARXIV_PAGE)


@contextmanager
def browsing(browser: Browser, url: str, viewport: dict[str, int] = DESKTOP, dark: bool = False) -> Iterator[Watched]:
    """A new context with a page open at ``url``, watched; arXiv answered offline."""
    context = browser.new_context(viewport=viewport, color_scheme="dark" if dark else "light")  # type: ignore[arg-type]
    context.set_default_timeout(5000)
    context.route("https://arxiv.org/**", _arxiv)
    try:
        watched = Watched(context.new_page())
        watched.page.goto(url)
        yield watched
    finally:
        context.close()


def paper_card(page: Page, paper_id: str) -> Locator:
    return page.locator(f'main li.paper[data-paper="{paper_id}"]')


def wait_for_card(page: Page, paper_id: str, state: str) -> None:
    """Until the card carries the class ``state`` (read, starred, dismissed, current)."""
    page.wait_for_selector(f'main li.paper[data-paper="{paper_id}"].{state}')


def kinds(database: Path) -> list[tuple[object, object]]:
    """The signals stored, in order, as (paper, kind)."""
    return [(row[1], row[3]) for row in signal_rows(database)]


def wait_for_kinds(database: Path, count: int) -> list[tuple[object, object]]:
    """The signals once at least ``count`` are stored (a request the page sent may still be on its way)."""
    for _ in range(100):
        found = kinds(database)
        if len(found) >= count:
            return found
        threading.Event().wait(0.05)
    return kinds(database)
