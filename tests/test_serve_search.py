"""The reader's search, against the real server over a real archive: back-filled papers found, newest first, in
pages; a malformed query answered with the command line's own message and caret; warnings; hostile text; and a
search while a run writes the archive."""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from markupsafe import escape

from dailypapers.cli import cli
from dailypapers.model import Paper
from dailypapers.pipeline.search import index_for_search
from dailypapers.store import Store, database_lock
from reader_server import Running, post_headers, running_reader, session
from reader_world import HOSTILE_TITLES, hostile_papers, latest_seed_papers, seed_archive
from signals_world import signal_rows

NEWEST = datetime(2026, 5, 20, tzinfo=UTC)


def back_fill(database: Path, paper: Paper) -> None:
    """Store ``paper`` as ``dailypapers backfill`` does: in a back-fill run, matched by no topic, not indexed."""
    with Store.open(database) as store, store.transaction():
        run = store.begin_run(NEWEST, "backfill")
        store.add_versions([paper], run)
        store.finish_run(run, NEWEST, "new")


def zeppelin(number: int = 1) -> Paper:
    base = latest_seed_papers()[0]
    moment = NEWEST - timedelta(hours=number)
    return replace(
        base, id=f"2605.9{number:04d}", version=1, title=f"Zeppelin compilers, part {number}", published=moment,
        updated=moment, abstract="A compiler for airships.",
    )  # fmt: skip


def index_all(database: Path) -> None:
    """Index the archive as ``dailypapers search`` does before it searches."""
    with Store.open(database) as store:
        index_for_search(store, database)


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    config, database = seed_archive(tmp_path_factory.mktemp("search"))
    back_fill(database, zeppelin())
    index_all(database)
    with running_reader(config) as running:
        yield running


def unindexed(database: Path) -> int:
    with Store.open(database) as store:
        return store.unindexed_papers()


def _ids(page: str) -> list[str]:
    return re.findall(r'data-paper="([^"]+)"', page)


def _updated(page: str) -> list[str]:
    return re.findall(r'<span class="updated">updated <time datetime="([^"]+)"', page)


def _pre(page: str, kind: str) -> str:
    found = re.search(rf'<pre class="{kind}"[^>]*>(.*?)</pre>', page, re.S)
    assert found is not None, f"no <pre class={kind}>"
    return html.unescape(found.group(1))


def test_search_finds_back_filled_papers_too_newest_first(reader: Running) -> None:
    page = httpx.get(f"{reader.url}search", params={"q": "abs:compiler"}, timeout=5)
    found = _ids(page.text)
    assert page.status_code == 200 and found[0] == zeppelin().id and len(found) == len(set(found)) > 1
    assert _updated(page.text) == sorted(_updated(page.text), reverse=True)
    assert f"{len(found)} papers match <code>abs:compiler</code>" in page.text
    assert 'value="abs:compiler"' in page.text  # the header's box keeps the query
    assert signal_rows(reader.database) == []


@pytest.mark.parametrize("query", ["cat:cs.DC", "all:a* ANDNOT ti:zeppelin"])  # counted by the index; by the matcher
def test_results_come_in_pages_that_continue_each_other_and_add_up_to_the_count(reader: Running, query: str) -> None:
    first = httpx.get(f"{reader.url}search", params={"q": query}, timeout=5).text
    total = int(re.search(r"(\d+) papers match", first).group(1))  # type: ignore[union-attr]
    last = -(-total // 25)
    pages = [first] + [
        httpx.get(f"{reader.url}search", params={"q": query, "page": n}, timeout=5).text for n in range(2, last + 1)
    ]
    found = [paper for page in pages for paper in _ids(page)]
    dates = [moment for page in pages for moment in _updated(page)]
    assert last > 1 and len(_ids(first)) == 25 and "1–25 shown" in first and 'rel="next"' in first
    assert len(found) == len(set(found)) == total and dates == sorted(dates, reverse=True)
    beyond = [httpx.get(f"{reader.url}search", params={"q": query, "page": n}, timeout=5) for n in (last + 1, 0)]
    assert [answer.status_code for answer in beyond] == [404, 404]


def test_a_malformed_query_is_400_with_the_message_and_caret_the_command_line_prints(
    reader: Running, tmp_path: Path
) -> None:
    query = 'abs:compiler AND ti:(graph "neural'
    page = httpx.get(f"{reader.url}search", params={"q": query}, timeout=5)
    shown = _pre(page.text, "query-error")
    config = reader.database.with_name("dailypapers.toml")
    cli_error = CliRunner().invoke(cli, ["search", "--config", str(config), query]).stderr
    assert page.status_code == 400 and shown.splitlines() == cli_error.removeprefix("dailypapers: error: ").splitlines()
    message, source, caret = shown.splitlines()
    column = int(re.search(r"at column (\d+)$", message).group(1))  # type: ignore[union-attr]
    assert source == f"  {query}" and caret.index("^") == column + 1 and source[caret.index("^")] in '("'


def test_an_unknown_category_and_a_huge_query_are_400_too(reader: Running) -> None:
    unknown = httpx.get(f"{reader.url}search", params={"q": "cat:cs.XY"}, timeout=5)
    assert unknown.status_code == 400 and "unknown arXiv category 'cs.XY'" in html.unescape(unknown.text)
    huge = httpx.get(f"{reader.url}search", params={"q": "ti:a " * 1000}, timeout=5)
    assert huge.status_code == 400 and "a search takes at most 2000" in huge.text


def test_lint_warnings_are_shown_as_the_command_line_shows_them(reader: Running) -> None:
    query = "abs:compiler and cat:cs.DC"
    page = httpx.get(f"{reader.url}search", params={"q": query}, timeout=5)
    warning = _pre(page.text, "query-warning").splitlines()
    cli_warning = CliRunner().invoke(
        cli, ["search", "--config", str(reader.database.with_name("dailypapers.toml")), query]
    )
    assert page.status_code == 200 and _ids(page.text)
    assert warning[0].removeprefix("warning: ") == cli_warning.stderr.splitlines()[0].removeprefix(
        "dailypapers: warning: "
    )
    assert warning[1:] == cli_warning.stderr.splitlines()[1:3] and warning[2].strip() == "^^^"


def test_an_empty_query_shows_the_syntax_with_examples(reader: Running) -> None:
    page = httpx.get(f"{reader.url}search", params={"q": "  "}, timeout=5)
    assert page.status_code == 200 and "How to search" in page.text and not _ids(page.text)
    examples = re.findall(r'<li><a href="/search\?q=([^"]+)"', page.text)
    assert len(examples) >= 4
    for example in examples:
        assert httpx.get(f"{reader.url}search?q={html.unescape(example)}", timeout=5).status_code == 200


@pytest.mark.parametrize(
    "query",
    [HOSTILE_TITLES[0], 'ti:"><svg onload=alert(1)>', "abs:inject", 'ti:"<script>alert(1)</script>'],
)
def test_hostile_text_in_results_and_queries_stays_text(reader: Running, query: str) -> None:
    page = httpx.get(f"{reader.url}search", params={"q": query}, timeout=5)
    assert page.status_code in (200, 400) and "Traceback" not in page.text
    assert "<svg" not in page.text and "<iframe" not in page.text and page.text.count("<script") == 5  # the frame's own
    assert str(escape(query)) in page.text
    if query == "abs:inject":
        assert {paper.id for paper in hostile_papers()} <= set(_ids(page.text))


def test_a_get_never_indexes_and_the_button_indexes_what_a_back_fill_left(tmp_path: Path) -> None:
    config, database = seed_archive(tmp_path)
    back_fill(database, zeppelin())
    waiting = unindexed(database)
    with running_reader(config) as reader, httpx.Client(timeout=5) as client:
        before = client.get(f"{reader.url}search", params={"q": "ti:zeppelin OR abs:compiler"})
        token = session(client, reader.url)
        refused = client.post(f"{reader.url}search/index", data={"q": "x"}, headers={"Origin": "http://evil.example"})
        assert unindexed(database) == waiting > 1 and refused.status_code == 403
        pressed = client.post(
            f"{reader.url}search/index", data={"q": "ti:zeppelin OR abs:compiler", "csrf_token": token},
            headers=post_headers(reader.url, None),
        )  # fmt: skip
        after = client.get(f"{reader.url}{pressed.headers['location'].lstrip('/')}")
    assert before.status_code == 200 and not _ids(before.text)
    assert (
        f"{waiting} papers are not in the search index yet" in before.text and ">Index them now</button>" in before.text
    )
    assert pressed.status_code == 303 and pressed.headers["location"] == "/search?q=ti%3Azeppelin+OR+abs%3Acompiler"
    assert (
        unindexed(database) == 0
        and _ids(after.text)[0] == zeppelin().id
        and "not in the search index" not in after.text
    )


def test_a_search_while_a_run_writes_answers_and_indexing_then_says_to_wait(tmp_path: Path) -> None:
    config, database = seed_archive(tmp_path)
    index_all(database)
    with running_reader(config) as reader, httpx.Client(timeout=5) as client:
        token = session(client, reader.url)
        with closing(sqlite3.connect(database, isolation_level=None)) as run, database_lock(database):
            run.execute("BEGIN IMMEDIATE")
            run.execute("INSERT INTO state (key, value) VALUES ('a run', 'writing')")
            during = client.get(f"{reader.url}search", params={"q": "abs:compiler"})
            run.execute("ROLLBACK")
        back_fill(database, zeppelin(2))
        form = {"q": "ti:zeppelin", "csrf_token": token}
        with database_lock(database):
            busy = client.post(f"{reader.url}search/index", data=form, headers=post_headers(reader.url, None))
        assert unindexed(database) == 1
        client.post(f"{reader.url}search/index", data=form, headers=post_headers(reader.url, None))
        after = client.get(f"{reader.url}search", params={"q": "ti:zeppelin"})
    assert during.status_code == 200 and _ids(during.text)
    assert busy.status_code == 503 and "Try again in a moment" in busy.text and "Traceback" not in busy.text
    assert after.status_code == 200 and _ids(after.text) == [zeppelin(2).id]
