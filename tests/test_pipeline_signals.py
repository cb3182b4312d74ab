"""``dailypapers star``, ``unstar``, ``dismiss``, ``undismiss`` and ``stars``: the real command line over a real
archive. Writes take the database lock, a paper the archive lacks is one line and changes nothing, and the exports
are read back by a BibTeX parser and checked against the CSL-JSON schema."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
from click.testing import CliRunner, Result

from dailypapers.cli import cli
from dailypapers.store import Store, database_lock
from signals_world import dump, latest_papers, make_archive, signal_rows

SCHEMA = json.loads((Path(__file__).parent / "data" / "csl-data.json").read_text(encoding="utf-8"))
NOW = "2026-12-07T09:30:00Z"


def dailypapers(config: Path, *arguments: str, now: str = NOW) -> Result:
    command, *rest = arguments
    return CliRunner().invoke(cli, [command, "--config", str(config), *rest], env={"DAILYPAPERS_NOW": now})


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return make_archive(tmp_path)


def starred_ids(config: Path) -> list[str]:
    result = dailypapers(config, "stars", "--json")
    assert result.exit_code == 0, result.stderr
    return [item["number"] for item in json.loads(result.stdout)]


def test_star_then_stars_lists_it_and_unstar_removes_it(config: Path) -> None:
    first, second = (paper.id for paper in latest_papers()[:2])
    starred = dailypapers(config, "star", first, now="2026-12-07T09:00:00Z")
    assert (starred.exit_code, starred.stdout, starred.stderr) == (0, f"starred 1 paper ({first})\n", "")
    dailypapers(config, "star", second, now="2026-12-07T10:00:00Z")
    assert starred_ids(config) == [second, first]  # newest star first
    again = dailypapers(config, "star", first)
    assert again.exit_code == 0 and again.stdout == f"starred 0 papers; {first} was already starred\n"
    unstarred = dailypapers(config, "unstar", second)
    assert unstarred.exit_code == 0 and unstarred.stdout == f"unstarred 1 paper ({second})\n"
    assert starred_ids(config) == [first]
    assert [row[3] for row in signal_rows(config.parent / "dailypapers.db")] == ["star", "star", "unstar"]


@pytest.mark.parametrize(
    "form",
    [
        "{id}",
        "{id}v{version}",
        "arXiv:{id}",
        "arxiv:{id}v{version}",
        "https://arxiv.org/abs/{id}",
        "http://arxiv.org/abs/{id}v{version}",
        "https://arxiv.org/pdf/{id}v{version}.pdf",
        "https://arxiv.org/pdf/{id}",
        "https://www.arxiv.org/abs/{id}?context=cs",
        "arxiv.org/abs/{id}/",
        "https://export.arxiv.org/abs/{id}#abstract",
        "  {id}  ",
    ],
)
def test_every_way_of_writing_an_id_names_the_same_paper(config: Path, form: str) -> None:
    paper = latest_papers()[0]
    result = dailypapers(config, "star", form.format(id=paper.id, version=paper.version))
    assert result.exit_code == 0, result.stderr
    assert starred_ids(config) == [paper.id]


def test_dismiss_and_undismiss_are_recorded_in_order_with_the_clock(config: Path) -> None:
    paper = latest_papers()[0].id
    assert dailypapers(config, "dismiss", paper, now="2026-12-07T09:00:00Z").stdout == f"dismissed 1 paper ({paper})\n"
    assert dailypapers(config, "undismiss", paper, now="2026-12-07T09:05:00Z").stdout == (
        f"restored 1 paper ({paper})\n"
    )
    assert dailypapers(config, "undismiss", paper).stdout == f"restored 0 papers; {paper} was not dismissed\n"
    rows = signal_rows(config.parent / "dailypapers.db")
    assert [(row[3], row[4]) for row in rows] == [
        ("dismiss", "2026-12-07T09:00:00Z"),
        ("undismiss", "2026-12-07T09:05:00Z"),
    ]


@pytest.mark.parametrize("command", ["star", "unstar", "dismiss", "undismiss"])
@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["2601.99999"], "2601.99999"),
        (["{known}", "2601.99999"], "2601.99999"),
        (["hep-th/9901001v2"], "hep-th/9901001v2"),
        (["{known}v99"], "{known}v99"),
        (["https://arxiv.org/abs/2601.99998", "2601.99999"], "2601.99998 is not in the archive"),
    ],
)
def test_a_paper_the_archive_lacks_is_one_line_and_changes_nothing(
    config: Path, command: str, arguments: list[str], named: str
) -> None:
    known = latest_papers()[0].id
    dailypapers(config, "star", latest_papers()[1].id)
    before = dump(config.parent / "dailypapers.db")
    result = dailypapers(config, command, *(argument.format(known=known) for argument in arguments))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("dailypapers: error: ") and len(result.stderr.splitlines()) == 1
    assert named.format(known=known) in result.stderr and "is not in the archive" in result.stderr
    assert dump(config.parent / "dailypapers.db") == before


@pytest.mark.parametrize("text", ["foo", "2601.0880x", "https://example.org/abs/2601.08800", "arXiv:", "1234", ""])
def test_text_that_is_no_arxiv_id_is_a_usage_error(config: Path, text: str) -> None:
    before = dump(config.parent / "dailypapers.db")
    result = dailypapers(config, "star", latest_papers()[0].id, text)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"dailypapers: error: command line: ID: {text!r} is not an arXiv identifier (2601.08800, "
        "arXiv:2601.08800v2, or an https://arxiv.org/abs/… or /pdf/… URL)\n"
    )
    assert dump(config.parent / "dailypapers.db") == before


def test_star_needs_at_least_one_id(config: Path) -> None:
    result = dailypapers(config, "star")
    assert result.exit_code == 2 and "Missing argument 'ID...'" in result.stderr


@pytest.mark.parametrize("arguments", [["star", "2601.08800"], ["stars"], ["stars", "--bibtex"], ["unstar", "x"]])
def test_without_a_database_nothing_is_created(tmp_path: Path, arguments: list[str]) -> None:
    config = tmp_path / "dailypapers.toml"
    config.write_text('[[topics]]\nname = "compiler"\n', encoding="utf-8")
    result = dailypapers(config, *arguments)
    assert result.exit_code in (1, 2) and len(result.stderr.splitlines()) == 1
    if arguments[-1] != "x":
        assert result.exit_code == 1 and "no database yet" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dailypapers.toml"]


def test_a_signal_while_another_command_writes_is_try_again_later(config: Path) -> None:
    database = config.parent / "dailypapers.db"
    with database_lock(database):
        result = dailypapers(config, "star", latest_papers()[0].id)
    assert result.exit_code == 75
    assert result.stderr == f"dailypapers: error: another run is in progress on {database}\n"
    assert signal_rows(database) == []


def test_stars_bibtex_is_read_back_by_a_bibtex_parser(config: Path) -> None:
    papers = latest_papers()[:6]
    for minute, paper in enumerate(papers):
        dailypapers(config, "star", paper.id, now=f"2026-12-07T09:{minute:02d}:00Z")
    result = dailypapers(config, "stars", "--bibtex")
    assert result.exit_code == 0, result.stderr
    entries = bibtexparser.loads(result.stdout).entries
    assert [entry["eprint"] for entry in entries] == [paper.id for paper in reversed(papers)]
    assert len({entry["ID"] for entry in entries}) == len(papers)
    for entry in entries:
        assert entry["archiveprefix"] == "arXiv" and entry["url"] == f"https://arxiv.org/abs/{entry['eprint']}"
        assert entry["ENTRYTYPE"] in {"misc", "article"}


def test_stars_json_is_csl_json_by_its_schema(config: Path) -> None:
    papers = latest_papers()
    dailypapers(config, "star", *(paper.id for paper in papers))
    result = dailypapers(config, "stars", "--json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    jsonschema.validate(items, SCHEMA)
    assert {item["number"] for item in items} == {paper.id for paper in papers}
    assert all(item["publisher"] == "arXiv" and item["type"] in {"article", "article-journal"} for item in items)


def test_stars_draws_a_table_and_says_when_there_are_none(config: Path) -> None:
    empty = dailypapers(config, "stars")
    assert empty.exit_code == 0 and "0 starred papers" in empty.stdout
    paper = latest_papers()[0]
    dailypapers(config, "star", paper.id)
    table = dailypapers(config, "stars")
    assert table.exit_code == 0 and paper.versioned_id in table.stdout and "2026-12-07" in table.stdout
    assert dailypapers(config, "stars", "--json").stdout.startswith("[")
    assert dailypapers(config, "stars", "--bibtex", "--json").exit_code == 0  # the last one given wins, as in click


def test_a_database_another_program_keeps_locked_is_try_again_later(config: Path) -> None:
    """An ``sqlite3`` shell or a backup holding the write lock: the signal waits ``busy_timeout``, then exit 75."""
    config.write_text("busy_timeout = 0.3\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    database = config.parent / "dailypapers.db"
    with closing(sqlite3.connect(database, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        result = dailypapers(config, "star", latest_papers()[0].id)
        other.execute("ROLLBACK")
    assert result.exit_code == 75 and len(result.stderr.splitlines()) == 1
    assert "the database is busy" in result.stderr and str(database) in result.stderr
    assert signal_rows(database) == []


def test_the_traceback_of_an_unknown_paper_comes_only_with_debug(config: Path) -> None:
    plain = dailypapers(config, "star", "2601.99999")
    debug = CliRunner().invoke(cli, ["--debug", "star", "--config", str(config), "2601.99999"])
    assert plain.exit_code == debug.exit_code == 1
    assert "Traceback" not in plain.stderr and "Traceback" in debug.stderr
    assert debug.stderr.splitlines()[-1] == plain.stderr.strip()


@pytest.mark.parametrize("title", ["[/bold] closes nothing", "[red]red[/red] and [link=https://x.test]link[/link]"])
def test_titles_that_look_like_terminal_markup_are_printed_as_written(config: Path, title: str) -> None:
    paper = replace(latest_papers()[0], version=latest_papers()[0].version + 1, title=title)
    with Store.open(config.parent / "dailypapers.db") as store, store.transaction():
        store.add_versions([paper], run=None)
    dailypapers(config, "star", paper.id)
    table = dailypapers(config, "stars")
    assert table.exit_code == 0, table.stderr
    assert title.split()[0] in table.stdout
    found = dailypapers(config, "search", f"id:{paper.id}")  # search draws the same kind of table
    assert found.exit_code == 0 and title.split()[0] in found.stdout, found.stderr
