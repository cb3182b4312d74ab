"""The topic editor in a real browser (Playwright driving Debian's Chromium) against the real reader: typing a
query shows what it matches, Save writes the config keeping its comments; screenshots at desktop and phone width
are kept in tests/artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from browser import PHONE, screenshot
from dailypapers.config import load_config
from dailypapers.query import parse
from dailypapers.store import Store
from reader_browser import browsing
from reader_server import running_reader
from topics_world import CONFIG, topics_archive

if TYPE_CHECKING:
    from playwright.sync_api import Browser


pytest_plugins = ("reader_fixtures",)  # the fixture browser


def test_type_a_query_see_its_count_save_and_the_config_keeps_its_comments(browser: Browser, tmp_path: Path) -> None:
    config, database = topics_archive(tmp_path, datetime.now(UTC).date())
    query = "cat:cs.DC ANDNOT abs:compiler"
    with Store.open(database) as store:
        count = len(store.search(parse(query), limit=10_000))
    with running_reader(config) as reader, browsing(browser, reader.url + "topics") as watched:
        page = watched.page
        page.get_by_label("Name").fill("not compilers")
        page.get_by_label("Query").press_sequentially(query, delay=5)
        page.get_by_text(f"matches {count} papers in the archive").wait_for(timeout=5000)
        assert page.locator("#topic-preview li.compact").count() == 10
        page.get_by_label("Query").press_sequentially(" AND (", delay=5)
        page.locator("#topic-preview pre.query-error").wait_for(timeout=5000)
        for _ in " AND (":
            page.get_by_label("Query").press("Backspace")
        page.get_by_text(f"matches {count} papers in the archive").wait_for(timeout=5000)
        screenshot(page, "topics-editor-desktop.png")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Saved the topic “not compilers”").wait_for(timeout=5000)
        page.set_viewport_size(PHONE)  # type: ignore[arg-type]
        screenshot(page, "topics-saved-phone.png")
        assert watched.problems == []
    text = config.read_text(encoding="utf-8")
    for line in CONFIG.splitlines():
        assert line in text  # every comment and setting as it was
    head, tail = CONFIG.split("[outputs]")
    assert text == head + f"[[topics]]\nname = \"not compilers\"\nquery = '{query}'\n\n[outputs]" + tail
    assert load_config(config).topics[-1].source == query
