"""``dailypapers library``: hand-written exports in the forms Zotero, Better BibTeX, Mendeley and Google Scholar
produce (``tests/data/library/``), read entry by entry; the papers the archive lacks fetched from the loopback
arXiv server in one ``id_list`` request; broken entries skipped with their line; listing and removing."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.cli import cli
from dailypapers.errors import ConfigError
from dailypapers.model import Paper
from dailypapers.rank.library import read_library
from signals_world import make_archive

LIBRARY = Path(__file__).parent / "data" / "library"
NOW = "2026-05-15T09:00:00Z"


def _paper(paper_id: str, version: int, title: str) -> Paper:
    seed = load_seed_papers()[0]
    day = datetime(1999, 1, 4, tzinfo=UTC)
    return replace(seed, id=paper_id, version=version, title=title, published=day, updated=day, categories=("hep-th",),
                   primary_category="hep-th")  # fmt: skip


# Papers the seed archive lacks, which the fixtures name: the loopback arXiv server has them.
MALDACENA = _paper("hep-th/9901001", 1, "The Large N Limit of Superconformal Field Theories and Supergravity")
HOLOMORPHIC = _paper("math/0611800", 2, "Limits of holomorphic functions")


@pytest.mark.parametrize(
    ("name", "kind", "found", "skipped"),
    [
        (
            "zotero.bib",
            "BibTeX",
            [("2308.04604", 2), ("2401.16685", None), ("2210.06154", None), ("2505.01821", None),
             ("2503.04971", None), ("hep-th/9901001", 1), (None, None), ("2412.15411", 5)],
            [(66, "@inproceedings entry never closes"), (77, "no arXiv id and no title"),
             (82, "@misc entry: a field has no value")],
        ),
        (
            "zotero.ris",
            "RIS",
            [("2406.17298", None), ("2508.07640", None), ("2511.21431", None), ("math/0611800", 2), (None, None),
             ("2511.14608", None)],
            [(36, "RIS record without its ER line"), (43, "RIS tag AU outside a record (before TY)")],
        ),
        (
            "zotero.json",
            "CSL-JSON",
            [("2601.08800", None), ("2412.15411", None), ("2502.00340", 2), (None, None), ("hep-th/9901001", None)],
            [(32, "not a CSL-JSON item (an object)"), (33, "no arXiv id and no title")],
        ),
        (
            "ids.txt",
            "ids",
            [("2601.08800", None), ("2601.08082", 2), ("2603.05766", None), ("2603.06350", 1),
             ("hep-th/9901001", None), ("2603.17456", None)],
            [(9, "no arXiv id in 'not an arXiv paper at all'")],
        ),
    ],
)  # fmt: skip
def test_each_export_gives_its_ids_from_every_field_and_counts_the_broken_entries_by_line(
    name: str, kind: str, found: list[tuple[str | None, int | None]], skipped: list[tuple[int, str]]
) -> None:
    read = read_library(LIBRARY / name)
    assert read.kind == kind
    assert [(entry.paper_id, entry.version) for entry in read.entries] == found
    assert [(skip.line, skip.reason) for skip in read.skipped] == skipped


def test_an_entry_without_an_id_keeps_its_title_and_abstract() -> None:
    journal = [entry for entry in read_library(LIBRARY / "zotero.bib").entries if entry.paper_id is None]
    assert [entry.title for entry in journal] == ["Federated Learning: Challenges, Methods, and Future Directions"]
    assert journal[0].abstract.startswith("Federated learning trains statistical models over remote devices")
    assert journal[0].key == "li_federated_2020"


def dailypapers(config: Path, *arguments: str, server: ArxivServer | None = None) -> Result:
    command, *rest = arguments
    env = {"DAILYPAPERS_NOW": NOW, "DAILYPAPERS_DELAY": "0"}
    env["DAILYPAPERS_API_URL"] = server.url if server is not None else "http://127.0.0.1:9/api/query"
    args = [*command.split(), "--config", str(config), *rest]
    return CliRunner().invoke(cli, args, env=env)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return make_archive(tmp_path)


@pytest.fixture
def server() -> Iterator[ArxivServer]:
    with ArxivServer([*load_seed_papers(), MALDACENA, HOLOMORPHIC]) as running:
        yield running


def test_add_fetches_what_the_archive_lacks_in_one_id_list_request_and_lists_every_entry(
    config: Path, server: ArxivServer
) -> None:
    files = [str(LIBRARY / name) for name in ("zotero.bib", "zotero.ris", "zotero.json", "ids.txt")]
    added = dailypapers(config, "library add", *files, server=server)
    assert added.exit_code == 0, added.stderr
    assert f"{LIBRARY / 'zotero.bib'} (BibTeX): 8 entries, 7 with an arXiv id; 3 skipped" in added.stdout
    assert f"{LIBRARY / 'ids.txt'} (ids): 6 entries, 6 with an arXiv id; 1 skipped" in added.stdout
    assert "fetched 2 papers from arXiv in 1 request" in added.stdout
    assert f"dailypapers: warning: {LIBRARY / 'zotero.bib'}:66: skipped: @inproceedings entry never closes" in (
        added.stderr
    )
    [request] = [r for r in server.requests if "id_list" in r.params]
    assert sorted(request.params["id_list"].split(",")) == ["hep-th/9901001", "math/0611800"]
    listed = dailypapers(config, "library list", "--json")
    records = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(records) == 8 + 6 + 5 + 6
    assert {"id": "hep-th/9901001", "version": 1, "source": str(LIBRARY / "zotero.bib"), "line": 41}.items() <= (
        records[5].items()
    )
    found = dailypapers(config, "search", "ti:holomorphic", "--json")
    assert [json.loads(line)["id"] for line in found.stdout.splitlines()] == ["math/0611800"]


def test_adding_a_file_again_replaces_its_entries_and_remove_takes_a_file_or_an_id(
    config: Path, server: ArxivServer
) -> None:
    ids = str(LIBRARY / "ids.txt")
    assert dailypapers(config, "library add", ids, server=server).exit_code == 0
    again = dailypapers(config, "library add", ids, server=server)
    assert again.exit_code == 0 and "(replacing 6 from before)" in again.stdout
    assert "fetched" not in again.stdout  # every paper is in the archive by now: no request
    listed = dailypapers(config, "library list")
    assert listed.stdout.splitlines()[-1] == "6 entries from 1 file"
    assert dailypapers(config, "library remove", "arXiv:2603.05766").stdout == "removed 1 entry\n"
    assert dailypapers(config, "library remove", ids).stdout == "removed 5 entries\n"
    wrong = dailypapers(config, "library remove", "no-such-thing")
    assert wrong.exit_code == 2
    assert wrong.stderr.strip().splitlines() == [
        "dailypapers: error: command line: FILE_OR_ID: 'no-such-thing' is neither a file added to the library nor "
        "an arXiv id; `dailypapers library list` shows both"
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("library.docx", b"PK", "cannot tell what this file holds; name it .bib, .bibtex, .ris, .json, .txt"),
        ("library.json", b'{"items": []}', "expected a list of CSL-JSON items"),
        ("library.json", b'[{"title": "x"},', "not valid JSON (line 1); export the library again as CSL JSON"),
        ("library.bib", b"@misc{a,\n title = {caf\xe9}}\n", "not UTF-8 text (line 2); export it again as UTF-8"),
        ("missing.ris", None, "no such file; give the path of your library export"),
        ("fifo.bib", "fifo", "cannot read: not a regular file"),
        ("folder.txt", "folder", "cannot read: "),
    ],
)
def test_an_unreadable_file_is_one_line_and_changes_nothing(
    config: Path, tmp_path: Path, name: str, content: bytes | str | None, message: str
) -> None:
    path = tmp_path / name
    if content == "fifo":
        os.mkfifo(path)
    elif content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    result = dailypapers(config, "library add", str(LIBRARY / "ids.txt"), str(path))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"dailypapers: error: {path}: ") and message in line
    assert dailypapers(config, "library list").stdout == "0 entries from 0 files\n"


def test_an_unreachable_arxiv_is_an_error_and_stores_nothing(config: Path) -> None:
    result = dailypapers(config, "library add", str(LIBRARY / "zotero.json"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("dailypapers: error: http://127.0.0.1:9/api/query:")
    assert dailypapers(config, "library list").stdout == "0 entries from 0 files\n"


def test_an_id_arxiv_does_not_answer_for_is_kept_by_its_entry_and_said(
    config: Path, server: ArxivServer, tmp_path: Path
) -> None:
    ids = tmp_path / "later.txt"
    ids.write_text("2612.00001\n2601.08800\n", encoding="utf-8")
    result = dailypapers(config, "library add", str(ids), server=server)
    assert result.exit_code == 0, result.stderr
    assert "dailypapers: warning: arXiv had no paper for 1 ids (2612.00001)" in result.stderr
    listed = [json.loads(line) for line in dailypapers(config, "library list", "--json").stdout.splitlines()]
    assert [record["id"] for record in listed] == ["2612.00001", "2601.08800"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(alphabet=st.sampled_from(list('@{}(),="#\\\n -ATYERUIDO0123456789.abcxv/:[]')), max_size=400),
    suffix=st.sampled_from([".bib", ".ris", ".json", ".txt"]),
)
def test_no_text_makes_the_reader_crash(tmp_path: Path, text: str, suffix: str) -> None:
    """Whatever a file holds, reading it gives entries and skips, or one ``ConfigError`` for the whole file."""
    path = tmp_path / f"library{suffix}"
    path.write_text(text, encoding="utf-8")
    try:
        read = read_library(path)
    except ConfigError as err:
        assert str(err).startswith(f"{path}: ") and "\n" not in str(err)
        return
    lines = text.count("\n") + 1
    assert all(1 <= entry.line <= lines for entry in read.entries)
    assert all(1 <= skip.line <= lines for skip in read.skipped)
