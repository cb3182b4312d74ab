"""A paper's page in the reader, against the real server over a real store: its versions with their dates, its
authors linked to their pages, its BibTeX (the entry ``dailypapers stars --bibtex`` writes), "More like this",
hostile text, and archives whose search index cannot answer. One short browser test copies the BibTeX."""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import quote, unquote

import bibtexparser
import httpx
import pytest
from click.testing import CliRunner
from markupsafe import escape

from browser import DESKTOP, PHONE, Watched, launched, screenshot
from dailypapers.cli import cli
from reader_server import Running, running_reader
from reader_world import HOSTILE_TITLES, hostile_papers, seed_archive
from similar_world import (
    AWKWARD_NAMES,
    add_papers,
    awkward_authors,
    many_authors,
    near_duplicate,
    older_versions,
    seed,
    unrelated,
)


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    config, database = seed_archive(tmp_path_factory.mktemp("papers"))
    add_papers(database, [*older_versions(seed()), near_duplicate(), unrelated(), awkward_authors(), many_authors()])
    with running_reader(config) as running:
        yield running


def page_of(reader: Running, paper_id: str, query: str = "") -> str:
    answer = httpx.get(f"{reader.url}papers/{paper_id}{query}", timeout=5)
    assert answer.status_code == 200 and "Traceback" not in answer.text
    return answer.text


def similar_of(reader: Running, paper_id: str) -> str:
    """The "More like this" section as htmx loads it into the page."""
    answer = httpx.get(f"{reader.url}papers/{paper_id}/similar", headers={"HX-Request": "true"}, timeout=5)
    assert answer.status_code == 200 and answer.text.lstrip().startswith("<section")
    return answer.text


def section(page: str, name: str) -> str:
    found = re.search(rf'<section class="{name}".*?</section>', page, re.DOTALL)
    assert found is not None, f"the page has no {name} section"
    return found.group(0)


def similar_ids(page: str) -> list[str]:
    return re.findall(r'<li class="alike" data-paper="([^"]+)">', section(page, "similar"))


def test_every_stored_version_is_listed_with_its_date_and_arxiv_page(reader: Running) -> None:
    paper = seed()
    versions = section(page_of(reader, paper.id), "paper-versions")
    listed = re.findall(
        r'<a href="https://arxiv.org/abs/([^"]+)">(v\d+)</a> (submitted|revised)\n<time datetime="([^"]+)">', versions
    )
    moments = [older.updated for older in older_versions(paper)] + [paper.updated]
    expected = [
        (
            f"{paper.id}v{number}",
            f"v{number}",
            "submitted" if number == 1 else "revised",
            moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        for number, moment in enumerate(moments, start=1)
    ]
    assert listed == expected and versions.count('class="latest"') == 1


def test_the_page_comes_first_and_htmx_loads_more_like_this_into_it(reader: Running) -> None:
    page = page_of(reader, seed().id)
    placeholder = section(page, "similar")
    assert f'hx-get="/papers/{seed().id}/similar" hx-trigger="load"' in placeholder and similar_ids(page) == []
    assert f'href="/papers/{seed().id}?similar=1#similar"' in placeholder  # without script: a link
    plain = httpx.get(f"{reader.url}papers/{seed().id}/similar", timeout=5)
    assert plain.status_code == 303 and plain.headers["location"] == f"/papers/{seed().id}?similar=1#similar"
    whole = page_of(reader, seed().id, "?similar=1")
    assert section(whole, "similar") == section(similar_of(reader, seed().id), "similar")
    assert httpx.get(f"{reader.url}papers/2999.99999/similar", headers={"HX-Request": "true"}).status_code == 404


def test_more_like_this_puts_the_near_duplicate_first_and_never_the_paper(reader: Running) -> None:
    page = similar_of(reader, seed().id)
    shown = similar_ids(page)
    assert shown[0] == near_duplicate().id and len(shown) == 10
    assert seed().id not in shown and unrelated().id not in shown
    first = section(page, "similar").split("</li>")[0]
    assert f'href="/papers/{near_duplicate().id}"' in first and "Grace Hopper" in first and "cs.DC" in first


def test_a_paper_on_nothing_else_in_the_archive_says_so(reader: Running) -> None:
    page = similar_of(reader, unrelated().id)
    assert similar_ids(page) == [] and "No other paper in the archive" in section(page, "similar")


def test_author_links_carry_each_name_as_stored_percent_encoded(reader: Running) -> None:
    authors = section(page_of(reader, awkward_authors().id), "paper-authors")
    links = [
        (html.unescape(href), html.unescape(text))
        for href, text in re.findall(r'<a href="([^"]+)">([^<]*)</a>', authors)
    ]
    assert [text for _, text in links] == list(AWKWARD_NAMES)
    for href, name in links:
        assert href == "/authors/" + quote(name, safe="") and unquote(href.removeprefix("/authors/")) == name
        assert re.fullmatch(r"/authors/[A-Za-z0-9%._~-]+", href), href


def test_a_long_author_list_shows_twenty_and_folds_the_rest(reader: Running) -> None:
    authors = section(page_of(reader, many_authors().id), "paper-authors")
    shown, folded = authors.split('<details class="more-authors"><summary>and 10 more</summary>')
    assert shown.count('href="/authors/') == 20 and folded.count('href="/authors/') == 10
    assert 'href="/authors/Physicist%2021"' in folded


def test_the_bibtex_parses_and_is_what_stars_bibtex_writes(reader: Running) -> None:
    paper = awkward_authors()
    found = re.search(r'<pre id="bibtex" class="bibtex">(.*?)</pre>', page_of(reader, paper.id), re.DOTALL)
    assert found is not None
    shown = html.unescape(found.group(1))
    config = reader.database.parent / "dailypapers.toml"
    runner = CliRunner()
    assert runner.invoke(cli, ["star", paper.id, "--config", str(config)]).exit_code == 0
    stars = runner.invoke(cli, ["stars", "--bibtex", "--config", str(config)])
    runner.invoke(cli, ["unstar", paper.id, "--config", str(config)])
    assert stars.exit_code == 0 and shown == stars.stdout
    entry = bibtexparser.loads(shown).entries[0]
    assert entry["eprint"] == paper.id and entry["archiveprefix"] == "arXiv"
    assert "Lovelace, Ada" in entry["author"] and "Núñez-Pérez, José" in entry["author"]


def test_a_hostile_paper_page_is_text(reader: Running) -> None:
    paper = hostile_papers()[1]
    page = page_of(reader, paper.id, "?similar=1")
    assert str(escape(HOSTILE_TITLES[1])) in page and "<iframe" not in page and "<svg" not in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert '<script src="/static/paper.js' in page and "<img" not in page
    assert all(re.fullmatch(r'<script src="/[^/"][^"]*"( defer)?>', tag) for tag in scripts)  # own files only
    assert str(escape(HOSTILE_TITLES[0])) in section(page, "similar")  # its twin is the paper most like it


def test_an_archive_without_a_search_index_still_shows_the_page(tmp_path: Path) -> None:
    config, _ = seed_archive(tmp_path)
    with running_reader(config) as bare:
        page = page_of(bare, seed().id, "?similar=1")
    similar = section(page, "similar")
    assert "not in the search index yet" in similar and "dailypapers search" in similar
    assert similar_ids(page) == [] and 'data-paper="2210.06154"' in page and "@misc{" in page


def test_an_index_of_another_version_is_named_on_the_page(tmp_path: Path) -> None:
    config, database = seed_archive(tmp_path)
    add_papers(database, [near_duplicate()])
    with closing(sqlite3.connect(database, isolation_level=None)) as other:
        other.execute("UPDATE state SET value = '1' WHERE key = 'search_analysis'")
    with running_reader(config) as stale:
        page = similar_of(stale, seed().id)
    assert "another version of dailypapers" in section(page, "similar") and similar_ids(page) == []


def test_more_like_this_loads_and_copy_puts_the_bibtex_on_the_clipboard(reader: Running) -> None:
    with launched() as browser:
        context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=reader.url.rstrip("/"))
        watched = Watched(context.new_page())
        page = watched.page
        page.goto(f"{reader.url}papers/{seed().id}")
        page.locator(".similar-papers .alike").nth(9).wait_for(timeout=5000)  # htmx loaded "More like this"
        page.get_by_role("button", name="Copy").click()
        page.get_by_role("status").filter(has_text="Copied").wait_for(timeout=3000)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("pre.bibtex").text_content() and copied.startswith("@misc{cox2022")
        screenshot(page, "paper-desktop.png")
        page.set_viewport_size(PHONE)  # type: ignore[arg-type]
        screenshot(page, "paper-phone.png")
        assert watched.problems == []
        context.close()
