"""The static site: the files it has, what they link to and escape, and how they behave in a real browser.

The browser tests drive Debian's Chromium (``/usr/bin/chromium``, or the path in ``DAILYPAPERS_CHROMIUM``)
with Playwright (``browser.py``), on the site written to a temporary folder and opened from ``file://`` URLs,
as a reader who downloads the site would. Without Chromium or Playwright they fail: a skipped browser test would
hide a broken page. A full-page screenshot of a topic page is left in ``test-artifacts/site-topic.png``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from arxiv_server import load_seed_papers
from browser import TEX_SOURCE, Watched, launched, write_site
from dailypapers.model import Author, Day, Digest, Listed, Paper, Section
from dailypapers.render.assets import KATEX
from dailypapers.render.site import render_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
BLOCKS = {"address", "details", "div", "form", "h1", "h2", "h3", "h4", "ol", "p", "section", "table", "ul"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HOSTILE_TITLE = "<script>alert(1)</script> Sorting in $O(n \\log n)$ & <b>more</b>"
HOSTILE_AUTHOR = "<img src=x onerror=alert(1)>"
HOSTILE_TOPIC = "<svg onload=alert(1)> & friends"
TEX = "$\\mathcal{O}(n^{2})$ when $a<b$ and $\\{x \\mid x > 0\\}$"
LONG_WORD = "https://example.org/" + "a" * 400


# --- data ---


def seed_papers() -> list[Paper]:
    """The latest version of each seed paper, in the seed file's order."""
    latest: dict[str, Paper] = {}
    for paper in load_seed_papers():
        if paper.id not in latest or paper.version > latest[paper.id].version:
            latest[paper.id] = paper
    return list(latest.values())


def hostile_paper() -> Paper:
    """A paper whose every text field tries to become markup, a script or a link."""
    moment = datetime(2026, 5, 14, 18, 0, tzinfo=UTC)
    return Paper(
        id="2605.00001",
        version=2,
        title=HOSTILE_TITLE,
        abstract=f"We show {TEX}.</p><script>alert(2)</script>\nSee {LONG_WORD} and &lt;escaped&gt; text.",
        authors=(Author(HOSTILE_AUTHOR), Author('Eve "quote" O\'Brien')),
        categories=("cs.DS", "cs.DC"),
        primary_category="cs.DC",
        published=moment,
        updated=moment,
        comment='javascript:alert(1) <a href="javascript:alert(3)">click</a>',
        journal_ref="<iframe src=javascript:alert(4)></iframe>",
        doi="javascript:alert(5)",
    )


def listed(papers: list[Paper], reason: str) -> tuple[Listed, ...]:
    return tuple(Listed(paper, new_version=paper.version > 1, reason=reason) for paper in papers)


def make_digest() -> Digest:
    papers = seed_papers()
    training = Section("Distributed training", listed(papers[:30], 'abs:"training"'), total=42, query='abs:"training"')
    consensus = Section("Consensus & BFT", listed(papers[30:45], "ti:consensus"), query="ti:consensus OR abs:BFT")
    hostile = Section(HOSTILE_TOPIC, (Listed(hostile_paper(), True, 'ti:"<script>"'),), query='ti:"<script>"')
    empty = Section("Quantum networks", (), query='abs:"quantum network"')
    days = (
        Day(date(2026, 5, 13), (replace(consensus, papers=consensus.papers[:5]),)),
        Day(date(2026, 5, 15), (replace(training, papers=training.papers[:8]), hostile)),
        Day(date(2026, 5, 14), (replace(training, papers=training.papers[8:12]), consensus)),
    )
    return Digest(
        title="Daily Papers <cs.DC>",
        day=date(2026, 5, 15),
        sections=(training, consensus, hostile, empty),
        note="arXiv announcement of Fri, 15 May 2026 (00:00 UTC)",
        generated=datetime(2026, 5, 15, 6, 30, 5, tzinfo=UTC),
        days=days,
    )


DIGEST = make_digest()
SITE = render_site(DIGEST)
TEXT = {path: text for path, text in SITE.items() if isinstance(text, str)}  # all but KaTeX's vendored files
PAGES = sorted(path for path in SITE if path.endswith(".html"))


# --- reading the pages back ---


class Markup(HTMLParser):
    """The tags, attributes and text of a page, and whether its tags nest as HTML5 requires."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.errors: list[str] = []
        self.feed(text)
        self.close()
        if self.open:
            self.errors.append(f"never closed: {self.open}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in BLOCKS and self.open[-1:] == ["p"]:
            self.errors.append(f"<{tag}> inside <p>: a browser would end the paragraph there")
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def attribute(self, name: str) -> list[str]:
        return [value or "" for _, attrs in self.tags for key, value in attrs.items() if key == name]


def parsed(path: str) -> Markup:
    return Markup(TEXT[path])


def one_space(text: str) -> str:
    return " ".join(text.split())


# --- files and structure ---


def test_site_has_an_index_a_page_per_topic_and_per_day_and_its_assets() -> None:
    assert set(TEXT) == {
        "index.html",
        "style.css",
        "filter.js",
        "tex.js",
        "topics/distributed-training.html",
        "topics/consensus-bft.html",
        "topics/svg-onload-alert-1-friends.html",
        "topics/quantum-networks.html",
        "days/2026-05-13.html",
        "days/2026-05-14.html",
        "days/2026-05-15.html",
    }


def test_index_shows_title_note_generated_topics_with_counts_and_days_newest_first() -> None:
    page = parsed("index.html")
    text = one_space(" ".join(page.text))
    assert "Daily Papers <cs.DC>" in text
    assert DIGEST.note and DIGEST.note in text
    assert "Generated 2026-05-15 06:30 UTC" in text
    for name, count in [("Distributed training", "30 papers (latest of 42)"), ("Consensus & BFT", "15 papers")]:
        assert f"{name} {count}" in text
    assert "Quantum networks 0 papers" in text
    hrefs = page.attribute("href")
    topic_links = [href for href in hrefs if href.startswith("topics/")]
    assert topic_links == [
        "topics/distributed-training.html",
        "topics/consensus-bft.html",
        "topics/svg-onload-alert-1-friends.html",
        "topics/quantum-networks.html",
    ]
    assert [href for href in hrefs if href.startswith("days/")] == [
        "days/2026-05-15.html",
        "days/2026-05-14.html",
        "days/2026-05-13.html",
    ]


@pytest.mark.parametrize("path", PAGES)
def test_page_is_well_formed_html5(path: str) -> None:
    text = TEXT[path]
    page = parsed(path)
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert re.search(r"<title>[^<]+</title>", text)
    assert page.errors == []
    ids = page.attribute("id")
    assert len(ids) == len(set(ids)), "ids must be unique"


@pytest.mark.parametrize("path", PAGES)
def test_links_are_relative_and_lead_to_files_of_the_site_or_to_arxiv_and_doi(path: str) -> None:
    page = parsed(path)
    for target in page.attribute("href") + page.attribute("src"):
        if target.startswith("https://"):
            assert target.startswith(("https://arxiv.org/", "https://doi.org/")), target
        elif target != "data:,":  # the empty icon
            assert ":" not in target and not target.startswith("/"), target
            assert posixpath.normpath(posixpath.join(posixpath.dirname(path), target)) in SITE, target


def test_assets_fetch_nothing() -> None:
    assert not re.search(r"fetch\(|XMLHttpRequest|import\(|https?:", TEXT["filter.js"])
    assert not re.search(r"url\(|@import|https?:", TEXT["style.css"])
    assert "overflow-wrap: anywhere" in TEXT["style.css"]


def test_topic_page_lists_every_paper_with_its_details() -> None:
    text = TEXT["topics/distributed-training.html"]
    paper = DIGEST.sections[0].papers[0].paper
    assert f'<a href="{paper.abs_url}">' in text and f'<a href="{paper.pdf_url}">PDF</a>' in text
    assert text.count('<li class="paper">') == 30
    assert text.count('<details class="abstract-toggle"><summary>Abstract</summary>') == 30
    assert text.count("Matched: <code>abs:&#34;training&#34;</code>") == 30
    assert "Query: <code>abs:&#34;training&#34;</code>" in text
    assert "The latest 30 of 42 papers." in text
    new_versions = sum(1 for item in DIGEST.sections[0].papers if item.new_version)
    assert text.count('<span class="new-version">new version</span>') == new_versions > 0


def test_categories_start_with_the_primary() -> None:
    paper = replace(hostile_paper(), title="Plain", categories=("cs.DS", "cs.DC", "cs.DS"), primary_category="cs.DC")
    site = render_site(replace(DIGEST, sections=(Section("T", (Listed(paper),)),), days=()))
    expected = '<span class="category primary">cs.DC</span>, <span class="category">cs.DS</span></span>'
    assert expected in site["topics/t.html"]


def test_doi_comment_and_journal_ref_are_shown() -> None:
    papers = [paper for paper in seed_papers() if paper.doi]
    assert papers, "the seed has papers with a DOI"
    site = render_site(replace(DIGEST, sections=(Section("DOI", listed(papers, "x")),), days=()))
    for paper in papers:
        assert f'<a href="https://doi.org/{paper.doi}">DOI {paper.doi}</a>' in site["topics/doi.html"]
    paper = replace(papers[0], doi='10.1000/a b#c?d%e"f 10.1000/second', journal_ref="J. Test 1 (2026)", comment="8 p")
    text = render_site(replace(DIGEST, sections=(Section("DOI", (Listed(paper),)),), days=()))["topics/doi.html"]
    assert '<a href="https://doi.org/10.1000/a">' in text and '<a href="https://doi.org/10.1000/second">' in text
    assert '<span class="doi">DOI b#c?d%e&#34;f</span>' in text
    assert "Journal ref: J. Test 1 (2026)" in text and f"Comment: {paper.comment}" in text


def test_doi_is_percent_escaped_in_the_link() -> None:
    paper = replace(hostile_paper(), doi='10.1002/(SICI)1097-0258<>#?%"x')
    text = render_site(replace(DIGEST, sections=(Section("T", (Listed(paper),)),), days=()))["topics/t.html"]
    assert '<a href="https://doi.org/10.1002/(SICI)1097-0258%3C%3E%23%3F%25%22x">' in text


def test_day_pages_group_papers_by_topic_and_link_neighbouring_days() -> None:
    page = parsed("days/2026-05-14.html")
    text = one_space(" ".join(page.text))
    assert "Distributed training 4 papers" in text and "Consensus & BFT 15 papers" in text
    assert text.index("Distributed training 4 papers") < text.index("Consensus & BFT 15 papers")
    hrefs = page.attribute("href")
    assert "../topics/distributed-training.html" in hrefs and "../topics/consensus-bft.html" in hrefs
    assert "2026-05-15.html" in hrefs and "2026-05-13.html" in hrefs
    assert TEXT["days/2026-05-14.html"].count('<li class="paper">') == 19


def test_topics_sharing_a_slug_get_their_own_pages() -> None:
    sections = (Section("GPU kernels", ()), Section("gpu-kernels!", ()), Section("GPU  Kernels", ()))
    site = render_site(replace(DIGEST, sections=sections, days=()))
    pages = {"topics/gpu-kernels.html", "topics/gpu-kernels-ff5e0786.html", "topics/gpu-kernels-747f76fe.html"}
    assert pages <= set(site)
    assert "<h1>gpu-kernels!</h1>" in site["topics/gpu-kernels-ff5e0786.html"]


def test_a_day_listed_twice_is_an_error() -> None:
    day = Day(date(2026, 5, 1), ())
    with pytest.raises(ValueError, match="2026-05-01 is listed twice"):
        render_site(replace(DIGEST, days=(day, day)))


def test_an_empty_digest_renders() -> None:
    site = render_site(Digest("Empty", date(2026, 5, 15), ()))
    own = {path for path in site if not path.startswith("vendor/")}
    assert own == {"index.html", "style.css", "filter.js", "tex.js"}
    assert "No topics." in site["index.html"] and "No days archived yet." in site["index.html"]


def test_output_is_deterministic() -> None:
    again = render_site(make_digest())
    assert again == SITE
    assert list(again) == list(SITE)


# --- escaping ---


OWN_SCRIPTS = ["../filter.js", f"../{KATEX}/katex.min.js", f"../{KATEX}/contrib/auto-render.min.js", "../tex.js"]
HOSTILE_PAGES = ["index.html", "topics/svg-onload-alert-1-friends.html", "days/2026-05-15.html"]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_text_makes_no_tag_no_handler_and_no_link(path: str) -> None:
    page = parsed(path)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"img", "svg", "iframe", "b"}
    assert [attrs.get("src") for tag, attrs in page.tags if tag == "script"] in ([], OWN_SCRIPTS)
    assert not [key for _, attrs in page.tags for key in attrs if key.startswith("on")]
    assert not [href for href in page.attribute("href") if "javascript" in href.lower()]
    assert "&amp;lt;" not in TEXT[path].replace("&amp;lt;escaped&amp;gt;", "")


def test_hostile_text_is_shown_as_written() -> None:
    path = "topics/svg-onload-alert-1-friends.html"
    text = one_space(" ".join(parsed(path).text))
    paper = hostile_paper()
    for shown in (HOSTILE_TOPIC, HOSTILE_TITLE, HOSTILE_AUTHOR, one_space(paper.comment or ""), paper.journal_ref):
        assert shown and shown in text
    assert "DOI javascript:alert(5)" in text
    assert 'Matched: ti:"<script>"' in text
    assert "</p><script>alert(2)</script>" in text
    assert "&lt;escaped&gt;" in text  # an entity in the source text is text, not a character


def test_tex_is_kept_as_written_and_escaped_once() -> None:
    text = TEXT["topics/svg-onload-alert-1-friends.html"]
    assert "Sorting in $O(n \\log n)$ &amp; &lt;b&gt;more&lt;/b&gt;" in text
    assert "$\\mathcal{O}(n^{2})$ when $a&lt;b$ and $\\{x \\mid x &gt; 0\\}$" in text


# --- in a real browser ---


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as browser:
        yield browser


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    return write_site(folder, SITE)


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    yield Watched(context.new_page())
    context.close()


def test_every_page_loads_without_errors_or_dialogs(watched: Watched, site_dir: Path) -> None:
    for path in PAGES:
        page = watched.open(site_dir, path)
        assert page.title()
        assert page.evaluate("getComputedStyle(document.body).overflowWrap") == "anywhere", "style.css applies"
        page.locator("details.abstract-toggle summary").evaluate_all("all => all.forEach(s => s.click())")
    assert watched.problems == []


def expected_matches(section: Section, needle: str) -> int:
    """How many papers the filter should keep: ``needle`` in the title, authors, categories or abstract."""

    def haystack(paper: Paper) -> str:
        parts = [paper.title, ", ".join(a.name for a in paper.authors), ", ".join(paper.categories), paper.abstract]
        return one_space(" ".join(parts)).lower()

    return sum(1 for item in section.papers if one_space(needle).lower() in haystack(item.paper))


def visible_papers(page: Page) -> int:
    return page.locator(".paper:visible").count()


def test_filter_narrows_the_list_and_the_count_as_one_types(watched: Watched, site_dir: Path) -> None:
    page = watched.open(site_dir, "topics/distributed-training.html")
    section = DIGEST.sections[0]
    box, count = page.locator("#filter"), page.locator("#count")
    assert box.is_visible() and count.inner_text() == "30 papers" and visible_papers(page) == 30
    surname = section.papers[4].paper.authors[0].name.split()[-1].upper()
    for needle in ("GPU", surname, "cs.LG", "  Large   LANGUAGE models ", "no paper says zqxj"):
        box.fill(needle)
        shown = expected_matches(section, needle)
        assert visible_papers(page) == shown, needle
        assert count.inner_text() == f"{shown} of 30 papers shown", needle
    assert expected_matches(section, "GPU") not in (0, 30)
    box.fill("")
    assert visible_papers(page) == 30 and count.inner_text() == "30 papers"
    box.press_sequentially("gpu")  # one key at a time, as a reader types
    assert visible_papers(page) == expected_matches(section, "gpu")
    assert watched.problems == []


def test_filter_on_a_day_page_hides_topics_left_empty(watched: Watched, site_dir: Path) -> None:
    page = watched.open(site_dir, "days/2026-05-15.html")
    assert page.locator("section.topic:visible").count() == 2
    page.locator("#filter").fill("onerror")
    assert visible_papers(page) == 1 and page.locator("section.topic:visible").count() == 1
    assert page.locator("#count").inner_text() == "1 of 9 papers shown"
    assert watched.problems == []


def test_abstract_opens_from_its_toggle(watched: Watched, site_dir: Path) -> None:
    page = watched.open(site_dir, "topics/consensus-bft.html")
    first = page.locator(".paper").first
    abstract = first.locator(".abstract")
    assert not abstract.is_visible()
    first.locator("summary", has_text="Abstract").click()
    assert abstract.is_visible()
    shown = abstract.evaluate(TEX_SOURCE)  # the abstract typesets its TeX (20$\\times$)
    assert one_space(shown) == one_space(DIGEST.sections[1].papers[0].paper.abstract)


def test_every_paper_link_points_to_arxiv(watched: Watched, site_dir: Path) -> None:
    for path in ("topics/distributed-training.html", "days/2026-05-14.html"):
        page = watched.open(site_dir, path)
        titles = page.locator(".paper .title a").evaluate_all("links => links.map(a => a.href)")
        assert titles and all(re.fullmatch(r"https://arxiv\.org/abs/\d{4}\.\d{4,5}v\d+", href) for href in titles)
        links = page.locator(".paper a").evaluate_all("links => links.map(a => a.href)")
        assert all(href.startswith(("https://arxiv.org/", "https://doi.org/")) for href in links)


def test_hostile_text_is_text_in_the_browser(watched: Watched, site_dir: Path) -> None:
    page = watched.open(site_dir, "topics/svg-onload-alert-1-friends.html")
    assert page.locator("h1").inner_text() == HOSTILE_TOPIC
    assert page.locator(".paper .title").evaluate(TEX_SOURCE) == HOSTILE_TITLE
    assert HOSTILE_AUTHOR in page.locator(".paper .authors").inner_text()
    assert page.locator("img, svg, iframe, .paper script, .paper b").count() == 0
    page.locator(".paper summary").click()
    assert "\\mathcal{O}(n^{2})$ when $a<b$" in page.locator(".abstract").evaluate(TEX_SOURCE)
    assert watched.problems == []


def test_phone_has_no_horizontal_scroll(browser: Browser, site_dir: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True)
    try:
        watched = Watched(context.new_page())
        for path in PAGES:
            page = watched.open(site_dir, path)
            page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
            width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert width[0] <= width[1], f"{path} scrolls sideways: {width}"
        page = watched.open(site_dir, "topics/consensus-bft.html")
        page.locator(".paper details").first.evaluate("d => d.open = true")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "site-topic.png"), full_page=True)
        assert watched.problems == []
    finally:
        context.close()


def test_without_script_every_paper_shows_and_abstracts_still_open(browser: Browser, site_dir: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = Watched(context.new_page()).open(site_dir, "topics/distributed-training.html")
        assert not page.locator("#filter").is_visible()
        assert visible_papers(page) == 30
        page.locator(".paper summary").first.click()
        assert page.locator(".paper .abstract").first.is_visible()
    finally:
        context.close()
