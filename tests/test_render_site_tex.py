"""TeX in the static site: typeset by the KaTeX shipped in the package, the source kept where KaTeX cannot parse
it, hostile TeX and markup inert, nothing fetched from outside the site; and the vendored files themselves.

The site is written to a temporary folder and opened from ``file://`` URLs in Debian's Chromium (``browser.py``),
with every request that is not for a file aborted and recorded. Screenshots at desktop and phone width are left
in ``tests/artifacts/``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from browser import DESKTOP, PHONE, TEX_SOURCE, Offline, Watched, launched, screenshot, write_site
from dailypapers.model import Author, Digest, Listed, Paper, Section
from dailypapers.render.assets import HTMX, HTMX_VERSION, KATEX, KATEX_VERSION, katex_files, static
from dailypapers.render.site import render_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "dailypapers"
VENDOR = PACKAGE / "render" / "static" / "vendor"
TOPIC_PAGE = "topics/tex.html"
MOMENT = datetime(2026, 5, 14, 18, 0, tzinfo=UTC)

TITLES = {
    "2605.10001": "Squares $x^2$ and roots $\\sqrt{y}$",
    "2605.10002": "Broken $\\frac{$ stays as written",
    "2605.10003": "<script>alert(1)</script><img src=x onerror=alert(2)> $\\href{javascript:alert(3)}{click}$",
    "2605.10004": "Links $\\url{javascript:alert(4)}$ and \\(\\htmlId{x}{y}\\) and $\\includegraphics{x.png}$",
    "2605.10005": "Macros $\\def\\a{\\a\\a}\\a$ and a rule $\\rule{100000em}{100000em}$ then text",
    "2605.10006": "Display \\[\\sum_{i=1}^{n} i\\] and $$\\int_0^1 f$$ and \\(a+b\\)",
    "2605.10008": "Inside $\\text{<img src=x onerror=alert(6)>}$ and $\\textbf{</a><script>alert(7)</script>}$",
    "2605.10009": "Styles $\\htmlStyle{background:url(javascript:alert(8))}{x}$ $\\htmlData{onclick=alert(9)}{y}$",
    "2605.10010": "Class \\(\\htmlClass{katex-error}{z}\\) and $\\href{https://example.org}{w}$",
    "2605.10007": "Wide $$" + "+".join(f"x_{{{i}}}" for i in range(80)) + "$$ and $" + "=".join("ab" * 40) + "$",
}
ABSTRACT = "We bound $\\mathcal{O}(n^{2})$ when $a<b$; a bad one: $\\frac{1}{$ and $\\undefinedmacro{x}$ stay."


def paper(paper_id: str, title: str) -> Paper:
    return Paper(
        id=paper_id,
        version=1,
        title=title,
        abstract=ABSTRACT,
        authors=(Author("Ada Lovelace"),),
        categories=("math.CO",),
        primary_category="math.CO",
        published=MOMENT,
        updated=MOMENT,
    )


def digest() -> Digest:
    listed = tuple(Listed(paper(pid, title), False, "ti:x") for pid, title in TITLES.items())
    return Digest("TeX", date(2026, 5, 15), (Section("TeX", listed, query="ti:x"),))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    return write_site(folder, render_site(digest()))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as browser:
        yield browser


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    context.set_default_timeout(5000)
    yield context
    context.close()


def title(watched: Watched, paper_id: str) -> str:
    return f".paper:has(a[href$='{paper_id}v1']) .title"


# --- in the browser ---


def test_tex_in_a_title_is_typeset_and_readable(context: BrowserContext, site: Path) -> None:
    watched = Watched(context.new_page())
    page = watched.open(site, TOPIC_PAGE)
    heading = page.locator(title(watched, "2605.10001"))
    formulas = heading.locator(".katex")
    assert formulas.count() == 2
    box = formulas.first.bounding_box()
    assert box is not None and box["width"] > 5 and box["height"] > 5
    assert formulas.first.locator(".katex-html").is_visible()
    assert formulas.first.locator("annotation").text_content() == "x^2"
    assert formulas.first.locator("math").get_attribute("xmlns") == "http://www.w3.org/1998/Math/MathML"
    assert page.evaluate("document.fonts.check('1em KaTeX_Main') && document.fonts.check('italic 1em KaTeX_Math')")
    assert heading.evaluate(TEX_SOURCE) == TITLES["2605.10001"]
    assert watched.problems == []


def test_tex_katex_cannot_parse_stays_as_its_source(context: BrowserContext, site: Path) -> None:
    watched = Watched(context.new_page())
    page = watched.open(site, TOPIC_PAGE)
    broken = page.locator(title(watched, "2605.10002"))
    assert broken.inner_text() == TITLES["2605.10002"] and broken.locator(".katex, .katex-error").count() == 0
    abstract = page.locator(".abstract").first
    text = abstract.text_content() or ""
    assert "$\\frac{1}{$" in text and "$\\undefinedmacro{x}$" in text
    assert abstract.locator(".katex").count() == 2 and abstract.locator(".katex-error").count() == 0
    assert abstract.evaluate(TEX_SOURCE) == ABSTRACT
    assert watched.problems == []


def test_hostile_titles_and_tex_never_run_link_or_navigate(context: BrowserContext, site: Path) -> None:
    watched = Watched(context.new_page())
    page = watched.open(site, TOPIC_PAGE)
    page.locator("details.abstract-toggle summary").evaluate_all("all => all.forEach(s => s.click())")
    for paper_id in ("2605.10003", "2605.10004", "2605.10005", "2605.10008", "2605.10009", "2605.10010"):
        heading = page.locator(title(watched, paper_id))
        assert heading.locator(".katex a, .katex img, .katex [id], .katex [onerror]").count() == 0, paper_id
    assert page.locator("main img, main iframe, main svg image, .paper script").count() == 0
    trusted_only = ("2605.10003", "2605.10004", "2605.10009", "2605.10010")
    for paper_id in trusted_only:  # a command that needs trust keeps its expression as written
        heading = page.locator(title(watched, paper_id))
        assert heading.inner_text() == TITLES[paper_id] and heading.locator(".katex").count() == 0
    hrefs = page.locator("main a").evaluate_all("all => all.map(a => a.href)")
    assert not [href for href in hrefs if not href.startswith(("https://arxiv.org/", "file://"))]
    inside = page.locator(title(watched, "2605.10008"))
    assert inside.locator(".katex").count() == 2 and inside.evaluate(TEX_SOURCE) == TITLES["2605.10008"]
    assert "<img src=x onerror=alert(6)>" in inside.inner_text().replace("\xa0", " ")
    macros = page.locator(title(watched, "2605.10005"))
    assert (macros.text_content() or "").endswith("then text")
    box = macros.bounding_box()
    assert box is not None and box["height"] < 120, "a huge \\rule is bounded by maxSize"
    page.wait_for_timeout(100)
    assert watched.problems == [] and watched.navigations == [(site / TOPIC_PAGE).as_uri()]
    assert "\\def\\a{\\a\\a}\\a" in (macros.text_content() or ""), "endless expansion stops: the source stays"


def test_display_and_inline_delimiters_of_arxiv(context: BrowserContext, site: Path) -> None:
    page = Watched(context.new_page()).open(site, TOPIC_PAGE)
    heading = page.locator(title(Watched(page), "2605.10006"))
    assert heading.locator(".katex-display").count() == 2
    assert heading.locator(".katex").count() == 3
    assert heading.evaluate(TEX_SOURCE) == "Display $$\\sum_{i=1}^{n} i$$ and $$\\int_0^1 f$$ and $a+b$"


@pytest.mark.parametrize("path", ["index.html", TOPIC_PAGE])
def test_the_site_works_offline(context: BrowserContext, site: Path, path: str) -> None:
    offline = Offline(context)
    watched = Watched(context.new_page())
    page = watched.open(site, path)
    page.evaluate("document.fonts.ready.then(() => true)")  # the fonts the typeset TeX asked for are in
    assert offline.attempted == []
    if path == TOPIC_PAGE:
        assert page.locator(".katex").count() > 0
        assert any(url.endswith(".woff2") for url in offline.loaded), "KaTeX's fonts load from the site"
    assert watched.problems == []


def test_the_filter_reads_tex_as_written(context: BrowserContext, site: Path) -> None:
    """filter.js runs before KaTeX, so the text it searches is the source a reader would type, not glyphs."""
    page = Watched(context.new_page()).open(site, TOPIC_PAGE)
    assert page.locator(".katex").count() > 0
    for needle, shown in (("x^2", 1), ("\\sqrt{y}", 1), ("\\href{javascript", 1), ("\\mathcal{O}", len(TITLES))):
        page.locator("#filter").fill(needle)
        assert page.locator(".paper:visible").count() == shown, needle


@pytest.mark.parametrize(
    ("name", "viewport", "scheme"), [("desktop", DESKTOP, "light"), ("phone", PHONE, "light"), ("dark", PHONE, "dark")]
)
def test_screenshots_and_no_sideways_scroll(
    browser: Browser, site: Path, name: str, viewport: dict[str, int], scheme: str
) -> None:
    context = browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        device_scale_factor=1,
        is_mobile=viewport == PHONE,
        color_scheme=scheme,  # type: ignore[arg-type]
    )
    try:
        watched = Watched(context.new_page())
        page = watched.open(site, TOPIC_PAGE)
        page.locator("details.abstract-toggle").first.evaluate("d => d.open = true")
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"the page scrolls sideways: {width}"
        color = "getComputedStyle(document.querySelector('.abstract .katex')).color"
        assert page.evaluate(color) == page.evaluate("getComputedStyle(document.querySelector('.abstract')).color")
        assert screenshot(page, f"site-tex-{name}.png").stat().st_size > 1000
        assert watched.problems == []
    finally:
        context.close()


# --- the vendored files ---


def test_vendored_files_are_the_pinned_versions() -> None:
    katex = (VENDOR / f"katex-{KATEX_VERSION}").resolve()
    assert static().joinpath(*KATEX.split("/"), "katex.min.js").read_bytes() == (katex / "katex.min.js").read_bytes()
    assert f'version:"{KATEX_VERSION}"' in (katex / "katex.min.js").read_text(encoding="utf-8")
    assert f'content:"{KATEX_VERSION}"' in (katex / "katex.min.css").read_text(encoding="utf-8")
    htmx = VENDOR.parent / HTMX
    assert htmx.parent.name == f"htmx.org-{HTMX_VERSION}"
    assert f'version:"{HTMX_VERSION}"' in htmx.read_text(encoding="utf-8")
    assert sorted(path.name for path in VENDOR.iterdir()) == sorted(
        [f"katex-{KATEX_VERSION}", f"htmx.org-{HTMX_VERSION}", "SHA256SUMS", "SOURCES"]
    )
    sources = (VENDOR / "SOURCES").read_text(encoding="utf-8").split()
    assert f"katex@{KATEX_VERSION}" in sources and f"htmx.org@{HTMX_VERSION}" in sources
    assert (katex / "LICENSE").read_text(encoding="utf-8").startswith("The MIT License")
    assert (htmx.parent / "LICENSE").read_text(encoding="utf-8").startswith("Zero-Clause BSD")


def test_vendored_files_are_as_fetched() -> None:
    """``tools/vendor-assets`` records a checksum of every file it copies: an edit by hand fails here."""
    listed = {}
    for line in (VENDOR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest_hex, name = line.split("  ", 1)
        listed[name] = digest_hex
    present = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()} - {"SHA256SUMS", "SOURCES"}
    assert set(listed) == present
    for name, expected in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == expected, name


def test_the_site_copies_every_katex_file_and_every_font_its_stylesheet_names() -> None:
    copied = dict(katex_files())
    css = copied[f"{KATEX}/katex.min.css"].decode()
    fonts = set(re.findall(r"url\((fonts/[^)]+\.woff2)\)", css))
    assert len(fonts) == 20 and {f"{KATEX}/{font}" for font in fonts} <= set(copied)
    assert f"{KATEX}/LICENSE" in copied
    site = render_site(digest())
    assert all(site[path] == data for path, data in copied.items())


EXTERNAL = re.compile(
    r"""<script[^>]*\ssrc=["']?(?:https?:)?//|<link[^>]*\shref=["']?(?:https?:)?//[^>]*stylesheet"""
    r"""|rel=["']?stylesheet[^>]*href=["']?(?:https?:)?//|@import|url\(\s*["']?(?:https?:)?//"""
    r"""|cdn\.jsdelivr|unpkg\.com|cdnjs|googleapis""",
    re.IGNORECASE,
)


def test_nothing_in_the_package_loads_a_script_or_a_style_from_elsewhere() -> None:
    checked = 0
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in {".j2", ".html", ".css", ".js", ".py"}:
            found = EXTERNAL.search(path.read_text(encoding="utf-8"))
            assert found is None, f"{path.relative_to(ROOT)}: {found.group(0) if found else ''}"
            checked += 1
    assert checked > 50
    site = render_site(digest())
    assert not [path for path, text in site.items() if isinstance(text, str) and EXTERNAL.search(text)]
