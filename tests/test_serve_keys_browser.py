"""The reader's keys in a real browser (Debian's Chromium, against ``serve`` on 127.0.0.1): ``j``/``k`` move
between papers, ``s`` stars, ``x`` dismisses and undoes, ``o`` opens the paper on arXiv in a new tab, ``/`` goes
to the search box and ``?`` shows the keys; nothing happens while typing or with a modifier held.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_browser import browsing, kinds, paper_card, wait_for_card
from reader_server import Running

pytest_plugins = ("reader_fixtures",)  # the fixtures browser and served

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CURRENT = "document.activeElement.closest('li.paper')?.dataset.paper ?? null"


def card_ids(page: Page) -> list[str]:
    ids: list[str] = page.locator("main li.paper").evaluate_all("all => all.map(card => card.dataset.paper)")
    return ids


def in_view(page: Page, paper_id: str) -> bool:
    box = paper_card(page, paper_id).bounding_box()
    height = page.viewport_size["height"] if page.viewport_size else 0
    return box is not None and box["y"] < height and box["y"] + min(box["height"], height) > 0


def test_j_and_k_move_the_focus_between_papers_and_keep_it_in_view(browser: Browser, served: Running) -> None:
    with browsing(browser, served.url) as watched:
        page = watched.page
        ids = card_ids(page)
        page.keyboard.press("j")
        assert page.evaluate(CURRENT) == ids[0]
        for _ in range(len(ids) + 2):  # past the last one: it stays there
            page.keyboard.press("j")
        assert page.evaluate(CURRENT) == ids[-1] and in_view(page, ids[-1])
        page.keyboard.press("k")
        assert page.evaluate(CURRENT) == ids[-2] and in_view(page, ids[-2])
        assert page.locator("main li.paper.current").count() == 1
        assert watched.problems == []


def test_s_and_x_star_dismiss_and_undo_the_current_paper(browser: Browser, served: Running) -> None:
    with browsing(browser, served.url) as watched:
        page = watched.page
        first, second = card_ids(page)[:2]
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("s")
        wait_for_card(page, second, "starred")
        page.keyboard.press("x")
        wait_for_card(page, second, "dismissed")
        page.keyboard.press("x")
        paper_card(page, second).get_by_role("button", name="Dismiss", exact=True).wait_for()
        assert paper_card(page, second).get_by_role("button", name="Unstar", exact=True).is_visible()
        assert "starred" not in (paper_card(page, first).get_attribute("class") or "")
        assert watched.problems == []
    assert kinds(served.database) == [(second, "star"), (second, "dismiss"), (second, "undismiss")]


def test_o_opens_the_current_paper_on_arxiv_in_a_new_tab_and_marks_it_read(browser: Browser, served: Running) -> None:
    with browsing(browser, served.url) as watched:
        page = watched.page
        first = card_ids(page)[0]
        page.keyboard.press("j")
        with page.context.expect_page() as opened:
            page.keyboard.press("o")
        opened.value.wait_for_load_state()
        assert opened.value.url.startswith(f"https://arxiv.org/abs/{first}v")
        assert page.url == served.url  # the reader stays open where it was
        wait_for_card(page, first, "read")
        assert watched.problems == []
    assert kinds(served.database) == [(first, "read")]


def test_slash_goes_to_the_search_box_and_keys_typed_there_are_text(browser: Browser, served: Running) -> None:
    with browsing(browser, served.url) as watched:
        page = watched.page
        page.keyboard.press("/")
        search = page.get_by_role("searchbox", name="Search the archive")
        assert search.evaluate("box => box === document.activeElement") and search.input_value() == ""
        page.keyboard.type("jksxo?")
        assert search.input_value() == "jksxo?"
        page.locator("main h1").first.click()
        page.keyboard.press("Control+j")
        page.keyboard.press("Alt+s")
        assert page.locator("main li.paper.current").count() == 0 and not page.locator("dialog[open]").count()
        assert watched.problems == []
    assert kinds(served.database) == []


def test_question_mark_shows_the_keys_in_a_dialog_that_escape_closes(browser: Browser, served: Running) -> None:
    with browsing(browser, served.url) as watched:
        page = watched.page
        page.keyboard.press("?")
        dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
        assert dialog.is_visible()
        assert dialog.get_by_role("heading", name="Keyboard shortcuts").is_visible()
        keys = dialog.locator("kbd").all_inner_texts()
        assert {"j", "k", "s", "x", "o", "/", "?"} <= set(keys)
        page.keyboard.press("j")  # the keys wait while the help is open
        assert page.locator("main li.paper.current").count() == 0
        page.keyboard.press("Escape")
        assert not dialog.is_visible()
        page.keyboard.press("j")
        assert page.locator("main li.paper.current").count() == 1
        assert watched.problems == []
