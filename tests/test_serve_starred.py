"""The reader's Starred page and its exports, against the real server over a real archive: newest star first, an
unstar that holds after a reload, and ``/starred.bib`` and ``/starred.json`` equal to what ``dailypapers stars
--bibtex`` and ``--json`` print for the same archive, read back by a BibTeX parser and the CSL-JSON schema. The
hostile titles are text on the page (also in Chromium: no dialog) and data in the files."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import bibtexparser
import httpx
import jsonschema
import pytest
from click.testing import CliRunner
from markupsafe import escape

from browser import DESKTOP, PHONE, Watched, launched, screenshot
from dailypapers.cli import cli
from dailypapers.model import Signal
from dailypapers.render.cite import tex_text
from dailypapers.store import Store
from reader_server import Running, post_headers, running_reader, session
from reader_world import BREAKOUT, HOSTILE_TITLES, IMAGE, SCRIPT, hostile_papers, second_run_ids, seed_archive
from signals_world import dump

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SCHEMA = json.loads((Path(__file__).parent / "data" / "csl-data.json").read_text(encoding="utf-8"))
MORNING = datetime(2026, 5, 15, 8, tzinfo=UTC)


def record(database: Path, signal: Signal, paper_id: str, minutes: int) -> None:
    with Store.open(database) as store:
        store.record_signals(signal, [(paper_id, None)], MORNING + timedelta(minutes=minutes))


def starred_archive(folder: Path) -> tuple[Path, list[str]]:
    """The reader's test archive with four papers starred (two hostile), and their ids newest star first. The
    first paper starred is unstarred and starred again last: its newest star is what counts."""
    config, database = seed_archive(folder)
    first, second = second_run_ids()[:2]
    hostile = [paper.id for paper in hostile_papers()]
    for minutes, paper_id in enumerate([first, hostile[0], second, hostile[1]]):
        record(database, Signal.STAR, paper_id, minutes)
    record(database, Signal.UNSTAR, first, 10)
    record(database, Signal.STAR, first, 11)
    return config, [first, hostile[1], second, hostile[0]]


@pytest.fixture()
def starred(tmp_path: Path) -> Iterator[tuple[Running, list[str]]]:
    config, order = starred_archive(tmp_path)
    with running_reader(config) as running:
        yield running, order


def stars(config: Path, form: str) -> str:
    """What ``dailypapers stars --bibtex`` (or ``--json``) prints for this config's archive."""
    result = CliRunner().invoke(cli, ["stars", "--config", str(config), form])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def shown_ids(page: str) -> list[str]:
    return re.findall(r'data-paper="([^"]+)"', page)


def test_starred_lists_every_starred_paper_newest_star_first_with_its_card(
    starred: tuple[Running, list[str]],
) -> None:
    reader, order = starred
    page = httpx.get(f"{reader.url}starred", timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert shown_ids(page.text) == order
    assert "4 starred papers, newest star first" in page.text
    assert page.text.count(">Unstar</button>") == 4 and ">Star</button>" not in page.text
    assert page.text.count('class="paper starred"') == 4
    assert page.text.count('Starred <time datetime="2026-05-15">2026-05-15</time>') == 4  # UTC: no timezone set
    card = page.text.split(f'data-paper="{order[0]}"')[1].split("</li>")[0]
    assert '<span class="topic">compilers</span>' in card and '<span class="topic">everything</span>' in card
    assert f'href="/papers/{order[0]}">Page</a>' in card
    assert 'href="/starred.bib"' in page.text and 'href="/starred.json"' in page.text


def test_unstar_on_the_starred_page_then_reload_and_it_is_gone(starred: tuple[Running, list[str]]) -> None:
    reader, order = starred
    with httpx.Client(timeout=5) as client:
        token = session(client, f"{reader.url}starred")
        form = {"csrf_token": token, "next": "/starred"}
        answer = client.post(f"{reader.url}papers/{order[0]}/unstar", headers=post_headers(reader.url, None), data=form)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/starred#p-" + order[0].replace(".", "-")
        page = client.get(f"{reader.url}starred").text
        bib = client.get(f"{reader.url}starred.bib").text
    assert shown_ids(page) == order[1:] and "3 starred papers" in page
    assert [entry["eprint"] for entry in bibtexparser.loads(bib).entries] == order[1:]


def test_with_nothing_starred_the_page_says_how_to_star(tmp_path: Path) -> None:
    config, _ = seed_archive(tmp_path)
    with running_reader(config) as reader:
        page = httpx.get(f"{reader.url}starred", timeout=5)
        bib = httpx.get(f"{reader.url}starred.bib", timeout=5)
        items = httpx.get(f"{reader.url}starred.json", timeout=5)
    assert page.status_code == 200 and "Nothing starred yet" in page.text
    assert "<strong>Star</strong>" in page.text and "dailypapers star" in page.text
    assert shown_ids(page.text) == [] and 'href="/starred.bib"' not in page.text
    assert (bib.status_code, bib.text, items.status_code, items.json()) == (200, stars(config, "--bibtex"), 200, [])


def exported(folder: Path, name: str, media_type: str, form: str) -> tuple[str, list[str]]:
    """``/<name>`` over the starred archive, checked to be an attachment of ``media_type`` holding exactly what
    ``dailypapers stars <form>`` prints; its text, and the starred ids newest star first."""
    config, order = starred_archive(folder)
    with running_reader(config) as reader:
        answer = httpx.get(reader.url + name, timeout=5)
    assert (answer.status_code, answer.headers["content-type"]) == (200, media_type)
    assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert answer.content == stars(config, form).encode("utf-8")
    return answer.text, order


def test_the_bibtex_export_is_what_stars_bibtex_prints(tmp_path: Path) -> None:
    text, order = exported(tmp_path, "starred.bib", "text/x-bibtex; charset=utf-8", "--bibtex")
    entries = bibtexparser.loads(text).entries
    assert [entry["eprint"] for entry in entries] == order
    titles = {entry["eprint"]: entry["title"] for entry in entries}
    for paper in hostile_papers():
        assert titles[paper.id] == tex_text(paper.title)


def test_the_csl_json_export_is_what_stars_json_prints_and_fits_the_schema(tmp_path: Path) -> None:
    text, order = exported(tmp_path, "starred.json", "application/vnd.citationstyles.csl+json", "--json")
    items = json.loads(text)
    jsonschema.validate(items, SCHEMA)
    assert [item["number"] for item in items] == order
    titles = {item["number"]: item["title"] for item in items}
    assert [titles[paper.id] for paper in hostile_papers()] == list(HOSTILE_TITLES)


def test_hostile_titles_are_text_on_the_page_and_never_sniffed_from_the_files(
    starred: tuple[Running, list[str]],
) -> None:
    reader, _ = starred
    page = httpx.get(f"{reader.url}starred", timeout=5)
    for title in HOSTILE_TITLES:
        assert str(escape(title)) in page.text
    for markup in (SCRIPT, IMAGE, BREAKOUT, "<iframe", "<svg"):
        assert markup not in page.text
    assert page.text.count("<script") == 5  # the frame's own (htmx, KaTeX, tex.js, reader.js), nothing from a paper
    for path in ("starred.bib", "starred.json"):
        answer = httpx.get(reader.url + path, timeout=5)
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "html" not in answer.headers["content-type"] and "attachment" in answer.headers["content-disposition"]


def test_reading_the_page_and_the_exports_writes_nothing(tmp_path: Path) -> None:
    config, _ = starred_archive(tmp_path)
    database = config.parent / "dailypapers.db"
    before = dump(database)
    with running_reader(config) as reader:
        for path in ("starred", "starred.bib", "starred.json"):
            assert httpx.get(reader.url + path, headers={"Origin": "http://evil.example"}, timeout=5).status_code == 200
        refused = httpx.post(f"{reader.url}starred", timeout=5)
    assert refused.status_code == 405 and dump(database) == before


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as running:
        yield running


def test_in_a_browser_unstar_swaps_the_button_and_a_reload_drops_the_card(
    browser: Browser, starred: tuple[Running, list[str]]
) -> None:
    reader, order = starred
    for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(viewport=size)  # type: ignore[arg-type]
        watched = Watched(context.new_page())
        watched.page.goto(f"{reader.url}starred")
        screenshot(watched.page, f"reader-starred-{name}.png")
        context.close()
        assert watched.problems == []
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(f"{reader.url}starred")
    first = page.locator(f'li.paper[data-paper="{order[0]}"]')
    first.get_by_role("button", name="Unstar").click()
    first.get_by_role("button", name="Star", exact=True).wait_for()
    # unstarred: faded until reloaded (once the fade's transition has run)
    page.wait_for_function("card => getComputedStyle(card).opacity === '0.5'", arg=first.element_handle())
    page.reload()
    assert page.locator("li.paper").evaluate_all("cards => cards.map(card => card.dataset.paper)") == order[1:]
    assert page.get_by_text(HOSTILE_TITLES[0]).count() == 1 and watched.problems == []
    context.close()
