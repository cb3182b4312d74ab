"""The reader's pages beyond the inbox, against the real server: a paper's page, unknown ones, wrong methods, an
archive without a run, a run holding the database while a button is pressed, and what the reader imports."""

from __future__ import annotations

import ast
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from dailypapers.render.assets import HTMX_VERSION
from dailypapers.store import Store
from reader_server import Running, post_headers, running_reader, session
from reader_world import hostile_papers, second_run_ids, seed_archive
from signals_world import signal_rows

SERVE = Path(__file__).resolve().parent.parent / "src" / "dailypapers" / "serve"


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    config, _ = seed_archive(tmp_path_factory.mktemp("routes"))
    with running_reader(config) as running:
        yield running


def test_a_paper_page_shows_its_card_topics_and_buttons(reader: Running) -> None:
    paper_id = second_run_ids()[0]
    page = httpx.get(f"{reader.url}papers/{paper_id}", timeout=5)
    assert page.status_code == 200 and page.text.count(f'data-paper="{paper_id}"') == 1
    assert '<span class="topic">compilers</span>' in page.text and ">Star</button>" in page.text
    assert f"https://arxiv.org/abs/{paper_id}v" in page.text and '<h1 class="title">' in page.text


def test_opening_a_paper_marks_nothing(reader: Running) -> None:
    for paper_id in second_run_ids()[:3]:
        httpx.get(f"{reader.url}papers/{paper_id}", headers={"Origin": "http://evil.example"}, timeout=5)
    assert signal_rows(reader.database) == []


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "papers/2999.99999", 404),
        ("GET", "papers/not-an-id", 404),
        ("GET", "papers/2999.99999v2", 308),
        ("GET", "papers/2601.0880v", 404),
        ("GET", "no/such/page", 404),
        ("GET", "papers/{id}/star", 405),
        ("GET", "papers/{id}/read", 405),
        ("POST", "papers/{id}/explode", 404),
        ("POST", "", 405),
        ("GET", "static/no-such-file.js", 404),
    ],
)
def test_unknown_pages_and_wrong_methods(reader: Running, method: str, path: str, status: int) -> None:
    answer = httpx.request(method, reader.url + path.format(id=second_run_ids()[0]), timeout=5)
    assert answer.status_code == status
    assert "Traceback" not in answer.text and signal_rows(reader.database) == []
    if method == "GET" and status != 308 and not path.startswith("static/"):
        assert answer.headers["content-type"].startswith("text/html") and 'href="/"' in answer.text


def test_static_files_have_their_types(reader: Running) -> None:
    css = httpx.get(f"{reader.url}static/reader.css", timeout=5)
    site = httpx.get(f"{reader.url}site/style.css", timeout=5)
    assert css.headers["content-type"].startswith("text/css") and ".actions" in css.text
    assert site.headers["content-type"].startswith("text/css") and site.status_code == 200


def test_an_archive_without_a_run_says_how_to_get_one(tmp_path: Path) -> None:
    config, database = seed_archive(tmp_path)
    database.unlink()
    Store.open(database).close()
    with running_reader(config) as empty:
        page = httpx.get(empty.url, timeout=5)
    assert page.status_code == 200 and "dailypapers run" in page.text


def test_a_button_pressed_while_a_run_writes_is_503_and_records_nothing(tmp_path: Path) -> None:
    config, database = seed_archive(tmp_path)
    with running_reader(config) as reader, httpx.Client(timeout=5) as client:
        token = session(client, reader.url)
        with closing(sqlite3.connect(database, isolation_level=None)) as run:
            run.execute("BEGIN IMMEDIATE")
            answer = client.post(
                f"{reader.url}papers/{second_run_ids()[0]}/star", headers=post_headers(reader.url, token)
            )
            assert client.get(reader.url).status_code == 200  # reading goes on meanwhile
            run.execute("ROLLBACK")
    assert answer.status_code == 503 and "try again" in answer.text
    assert signal_rows(database) == []


def test_the_reader_imports_neither_the_network_nor_the_command_line() -> None:
    imported = set()
    for path in SERVE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    banned = {"dailypapers.http", "dailypapers.cli", "dailypapers.ui", "httpx", "httpcore"}
    assert not {name for name in imported if name in banned or name.startswith("dailypapers.http.")}


def test_an_old_style_id_with_its_slash_has_a_page_and_buttons(tmp_path: Path) -> None:
    config, database = seed_archive(tmp_path)
    old = replace(hostile_papers()[0], id="hep-th/9901001", title="Strings, the old way")
    with Store.open(database) as store, store.transaction():
        store.add_versions([old], run=None)
    with running_reader(config) as reader, httpx.Client(timeout=5) as client:
        page = client.get(f"{reader.url}papers/hep-th/9901001")
        token = session(client, reader.url)
        star = client.post(f"{reader.url}papers/hep-th/9901001/star", headers=post_headers(reader.url, token))
        versioned = client.get(f"{reader.url}papers/hep-th/9901001v1")
    assert page.status_code == 200 and "Strings, the old way" in page.text
    assert 'action="/papers/hep-th/9901001/star"' in page.text and 'id="p-hep-th-9901001"' in page.text
    assert star.status_code == 303 and star.headers["location"] == "/#p-hep-th-9901001"
    assert [row[1:4:2] for row in signal_rows(database)] == [("hep-th/9901001", "star")]
    assert versioned.status_code == 308 and versioned.headers["location"] == "/papers/hep-th/9901001"


def test_a_database_that_cannot_be_read_is_a_503_line_not_a_traceback(tmp_path: Path) -> None:
    config, database = seed_archive(tmp_path)
    with running_reader(config) as reader:
        with closing(sqlite3.connect(database, isolation_level=None)) as other:
            other.execute("DROP TABLE signals")  # what a damaged or foreign database looks like to the reader
        inbox = httpx.get(reader.url, timeout=5)
        page = httpx.get(f"{reader.url}papers/{second_run_ids()[0]}", timeout=5)
    for answer in (inbox, page):
        assert answer.status_code == 503 and "Traceback" not in answer.text
        assert str(database) in answer.text and "signals" in answer.text


def test_the_page_loads_the_htmx_the_package_ships(reader: Running) -> None:
    """The scripts a page names are served from the package (no CDN), htmx at the pinned version, as JavaScript."""
    page = httpx.get(reader.url, timeout=5).text
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources[0] == f"/assets/vendor/htmx.org-{HTMX_VERSION}/htmx.min.js"
    for source in sources:
        script = httpx.get(reader.url.rstrip("/") + source, timeout=5)
        assert source.startswith("/") and script.status_code == 200 and "javascript" in script.headers["content-type"]
    htmx = httpx.get(reader.url.rstrip("/") + sources[0], timeout=5)
    assert f'version:"{HTMX_VERSION}"' in htmx.text.replace(" ", "")
