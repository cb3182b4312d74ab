"""The TL;DR on the static site's cards in a real headless Chromium (``browser.py``), opened from ``file://``: its
TeX typeset like a title's, a hostile summary inert, the filter finding words only the TL;DR has, and the card
readable at desktop and phone width (screenshots left in ``tests/artifacts/`` for a person to look at)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from browser import DESKTOP, PHONE, TEX_SOURCE, Watched, screenshot, write_site
from dailypapers.model import Author, Digest, Listed, Paper, Section, Summary
from dailypapers.render.site import render_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser

MOMENT = datetime(2026, 5, 14, 18, 0, tzinfo=UTC)
PAGE = "topics/collectives.html"
TEX_TLDR = "Ring pipelining makes all-reduce $O(\\log n)$ deep and twice as fast on $p \\geq 64$ GPUs."
HOSTILE_TLDR = '<script>alert(1)</script> "><img src=x onerror=alert(2)> $\\href{javascript:alert(3)}{click}$ @channel'
SUMMARIES = (
    Summary(TEX_TLDR, problem="Slow all-reduce", method="Ring pipelining", result="2x faster at 1024 GPUs"),
    Summary(HOSTILE_TLDR, problem="<b>bold</b>", method=None, result="$\\frac{1}{2}$ the memory"),
    None,
)
pytest_plugins = ("reader_fixtures",)  # the fixture browser


def paper(number: int) -> Paper:
    return Paper(
        id=f"2605.{number:05d}",
        version=1,
        title=f"Collective communication for large models, part {number}",
        abstract="We study collectives.",
        authors=(Author("Ada Lovelace"), Author("Alan Turing")),
        categories=("cs.DC", "cs.LG"),
        primary_category="cs.DC",
        published=MOMENT,
        updated=MOMENT,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    papers = tuple(Listed(paper(number + 1), summary=summary) for number, summary in enumerate(SUMMARIES))
    digest = Digest("Daily Papers", date(2026, 5, 15), (Section("collectives", papers, query="abs:all-reduce"),))
    folder = tmp_path_factory.mktemp("site")
    return write_site(folder, render_site(digest))


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    """A desktop-wide page of its own."""
    page = browser.new_page(viewport=DESKTOP)  # type: ignore[arg-type]
    page.set_default_timeout(5000)
    yield Watched(page)
    page.close()


def test_tex_in_a_tldr_is_typeset_and_a_hostile_one_stays_text(watched: Watched, site: Path) -> None:
    page = watched.open(site, PAGE)
    first, second, third = (page.locator(".paper").nth(index) for index in range(3))
    tldr = first.locator(".tldr")
    assert tldr.locator(".katex").count() == 2
    assert tldr.evaluate(TEX_SOURCE) == f"TL;DR: {TEX_TLDR}"
    hostile = second.locator(".summary")
    assert hostile.locator(".katex a, img, script, b, [onerror]").count() == 0
    assert second.locator(".tldr").inner_text() == f"TL;DR: {HOSTILE_TLDR}", "a command needing trust stays as written"
    assert second.locator(".facets .katex").count() == 1
    assert third.locator(".summary").count() == 0
    page.wait_for_timeout(100)
    assert watched.problems == [] and watched.navigations == [(site / PAGE).as_uri()]


def test_the_filter_finds_words_only_the_tldr_has(watched: Watched, site: Path) -> None:
    page = watched.open(site, PAGE)
    for needle, shown in (("ring pipelining", 1), ("onerror", 1), ("1024 gpus", 1), ("collectives", 3)):
        page.locator("#filter").fill(needle)
        assert page.locator(".paper:visible").count() == shown, needle


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots_of_a_card_with_a_tldr(browser: Browser, site: Path, name: str, viewport: dict[str, int]) -> None:
    context = browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=viewport == PHONE)  # type: ignore[arg-type]
    try:
        watched = Watched(context.new_page())
        page = watched.open(site, PAGE)
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"the page scrolls sideways: {width}"
        title = page.locator(".paper .title").first.bounding_box()
        tldr = page.locator(".paper .tldr").first.bounding_box()
        assert title is not None and tldr is not None and tldr["y"] >= title["y"] + title["height"], "under the title"
        assert screenshot(page, f"site-tldr-{name}.png").stat().st_size > 1000
        assert watched.problems == []
    finally:
        context.close()
