"""The reader in a real browser: Playwright driving Debian's Chromium against ``serve`` on 127.0.0.1 over a real
archive. The buttons keep what they say across a reload, opening a paper marks it read, TeX is typeset as on the
static site (cards htmx swaps in too), hostile titles never run, and a run writing the archive meanwhile never
breaks a page. Screenshots of the inbox at desktop and phone width are kept in ``tests/artifacts/``.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from browser import DESKTOP, PHONE, TEX_SOURCE, screenshot
from dailypapers.store import Store
from reader_browser import (
    TEX_ABSTRACT,
    TEX_TITLES,
    browsing,
    kinds,
    paper_card,
    wait_for_card,
    wait_for_kinds,
)
from reader_server import Running
from reader_world import HOSTILE_TITLES, hostile_papers, latest_seed_papers

pytest_plugins = ("reader_fixtures",)  # the fixtures browser and served

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PAPER = latest_seed_papers()[0].id
TEX, BROKEN = TEX_TITLES


def test_star_then_reload_is_still_starred(browser: Browser, served: Running) -> None:
    with browsing(browser, served.url) as watched:
        page = watched.page
        paper_card(page, PAPER).get_by_role("button", name="Star", exact=True).click()
        wait_for_card(page, PAPER, "starred")
        page.reload()
        button = paper_card(page, PAPER).get_by_role("button", name="Unstar", exact=True)
        assert button.get_attribute("aria-pressed") == "true"
        assert "starred" in (paper_card(page, PAPER).get_attribute("class") or "")
        assert watched.problems == []
    assert kinds(served.database) == [(PAPER, "star")]


def test_dismiss_then_undo_brings_the_paper_back(browser: Browser, served: Running) -> None:
    with browsing(browser, served.url) as watched:
        page = watched.page
        card = paper_card(page, PAPER)
        card.get_by_role("button", name="Dismiss", exact=True).click()
        wait_for_card(page, PAPER, "dismissed")
        assert card.get_by_role("button", name="Undo", exact=True).get_attribute("aria-pressed") == "true"
        card.get_by_role("button", name="Undo", exact=True).click()
        card.get_by_role("button", name="Dismiss", exact=True).wait_for()
        page.wait_for_selector(f'main li.paper[data-paper="{PAPER}"]:not(.dismissed)')  # once htmx has settled
        page.reload()
        assert paper_card(page, PAPER).get_by_role("button", name="Dismiss", exact=True).is_visible()
        assert watched.problems == []
    assert kinds(served.database) == [(PAPER, "dismiss"), (PAPER, "undismiss")]


def test_without_script_the_buttons_are_forms_that_come_back_to_the_card(browser: Browser, served: Running) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto(served.url)
        paper_card(page, PAPER).get_by_role("button", name="Star", exact=True).click()
        page.wait_for_url(f"{served.url}#p-{PAPER.replace('.', '-')}")
        assert paper_card(page, PAPER).get_by_role("button", name="Unstar", exact=True).is_visible()
        assert not page.locator("dialog").is_visible() and not page.locator(".keys-hint").is_visible()
    finally:
        context.close()
    assert kinds(served.database) == [(PAPER, "star")]


def test_opening_the_abstract_marks_the_paper_read_once_and_it_stays_read(browser: Browser, served: Running) -> None:
    with browsing(browser, served.url) as watched:
        page = watched.page
        summary = paper_card(page, PAPER).locator("details.abstract-toggle summary")
        summary.click()
        wait_for_card(page, PAPER, "read")
        summary.click()
        summary.click()  # closed and opened again: still one read
        page.reload()
        assert "read" in (paper_card(page, PAPER).get_attribute("class") or "").split()
        assert watched.problems == []
    assert kinds(served.database) == [(PAPER, "read")]


def test_following_a_link_to_arxiv_marks_the_paper_read(browser: Browser, served: Running) -> None:
    with browsing(browser, served.url) as watched:
        page = watched.page
        paper_card(page, PAPER).get_by_role("link", name="PDF").click()
        page.wait_for_url("https://arxiv.org/pdf/**")
    assert wait_for_kinds(served.database, 1) == [(PAPER, "read")]  # sent as the page was left


def test_a_papers_page_marks_it_read_once_by_script(browser: Browser, served: Running) -> None:
    with browsing(browser, f"{served.url}papers/{PAPER}") as watched:
        page = watched.page
        wait_for_card(page, PAPER, "read")
        page.reload()
        page.goto(served.url)
        assert "read" in (paper_card(page, PAPER).get_attribute("class") or "").split()
        assert watched.problems == []
    assert kinds(served.database) == [(PAPER, "read")]


def test_hostile_titles_never_open_a_dialog_or_log_an_error(browser: Browser, served: Running) -> None:
    with browsing(browser, served.url) as watched:
        page = watched.page
        page.locator("details.abstract-toggle summary").evaluate_all("all => all.forEach(s => s.click())")
        for key in ("j", "j", "?", "Escape"):
            page.keyboard.press(key)
        for paper in hostile_papers():
            page.goto(f"{served.url}papers/{paper.id}")
            assert paper_card(page, paper.id).locator("h1.title").inner_text() in HOSTILE_TITLES
            assert page.locator("main img, main iframe, main svg, .paper script").count() == 0
        page.wait_for_timeout(200)
        assert watched.problems == []


def test_tex_in_a_title_is_typeset_and_what_katex_cannot_parse_stays_as_written(
    browser: Browser, served: Running
) -> None:
    with browsing(browser, served.url) as watched:
        page = watched.page
        title = paper_card(page, TEX).locator(".title")
        assert title.locator(".katex").count() == 2 and title.evaluate(TEX_SOURCE) == TEX_TITLES[TEX]
        assert title.locator(".katex annotation").first.text_content() == "x^2"
        broken = paper_card(page, BROKEN).locator(".title")
        assert broken.inner_text() == TEX_TITLES[BROKEN] and broken.locator(".katex").count() == 0
        abstract = paper_card(page, TEX).locator(".abstract")
        assert abstract.locator(".katex").count() == 2 and abstract.evaluate(TEX_SOURCE) == TEX_ABSTRACT
        assert page.evaluate("document.fonts.check('italic 1em KaTeX_Math')")
        assert watched.problems == []


def test_tex_in_a_card_htmx_swaps_in_is_typeset(browser: Browser, served: Running) -> None:
    with browsing(browser, f"{served.url}papers/{PAPER}") as watched:
        page = watched.page
        swap = "{target: 'main li.paper', swap: 'outerHTML', select: 'li.paper'}"
        page.evaluate(f"htmx.ajax('GET', '/papers/{TEX}', {swap})")
        title = paper_card(page, TEX).locator(".title")
        title.locator(".katex").first.wait_for()
        assert title.locator(".katex").count() == 2 and title.evaluate(TEX_SOURCE) == TEX_TITLES[TEX]
        assert watched.problems == []


def test_a_run_writing_the_archive_meanwhile_never_breaks_a_page(browser: Browser, served: Running) -> None:
    holding, done = threading.Event(), threading.Event()

    def daily_run() -> None:  # a run's transaction: it holds the write lock longer than the reader waits (1 s)
        with Store.open(served.database) as store, store.transaction():
            store.add_versions([replace(latest_seed_papers()[0], version=9)], None)
            holding.set()
            done.wait(5)

    with browsing(browser, served.url) as watched:
        page = watched.page
        run = threading.Thread(target=daily_run)
        run.start()
        try:
            assert holding.wait(5)
            answer = page.reload()
            assert answer is not None and answer.status == 200
            paper_card(page, PAPER).get_by_role("button", name="Star", exact=True).click()
            status = page.locator(".reader-status")
            status.wait_for(state="visible")
            assert "try again" in status.inner_text()
            assert paper_card(page, PAPER).get_by_role("button", name="Star", exact=True).is_visible()
        finally:
            done.set()
            run.join(5)
        paper_card(page, PAPER).get_by_role("button", name="Star", exact=True).click()
        wait_for_card(page, PAPER, "starred")
        assert page.reload() is not None and page.locator("main li.paper").count() > 1
        assert all("503" in problem for problem in watched.problems)  # the refused POST, and nothing else
    assert kinds(served.database) == [(PAPER, "star")]


@pytest.mark.parametrize(("viewport", "dark"), [(DESKTOP, False), (PHONE, False), (PHONE, True)])
def test_screenshots_of_the_inbox(browser: Browser, served: Running, viewport: dict[str, int], dark: bool) -> None:
    with browsing(browser, served.url, viewport, dark) as watched:
        page = watched.page
        paper_card(page, TEX).locator("details.abstract-toggle summary").click()
        page.keyboard.press("j")
        name = f"reader-inbox-{'phone' if viewport == PHONE else 'desktop'}{'-dark' if dark else ''}.png"
        path = screenshot(page, name)
        assert path.stat().st_size > 10_000
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]  # nothing sideways
        assert watched.problems == []
