"""A lowercase ``and``, ``or``, ``not`` is a word on arXiv: the query keeps that meaning, and a warning says so.

``ti:compiler and abs:gpu`` is ``ti:compiler OR all:and OR abs:gpu`` on arXiv, so it took in every seed paper.
The warning shows the query with a caret under the word, names the topic and says what to write instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.cli import cli
from dailypapers.config import load_config
from dailypapers.query import Or, Term, lint, parse

NOW = "2026-05-16T06:00:00+00:00"
AND = "lowercase 'and' is a search word on arXiv, not an operator (a missing operator means OR); write AND to require both terms"  # noqa: E501
OR = "lowercase 'or' is a search word on arXiv, not an operator (a missing operator means OR); write OR to accept either term"  # noqa: E501
NOT = (
    "lowercase 'not' is a search word on arXiv, not an operator (a missing operator means OR); "
    "write NOT to exclude the term after it"
)


@pytest.mark.parametrize(
    ("query", "message", "caret"),
    [
        ("ti:compiler and abs:gpu", AND, "            ^^^"),
        ("ti:(compiler and gpu)", AND, "             ^^^"),
        ('abs:"graph" and "neural"', AND, "            ^^^"),
        ("(ti:a) and (ti:b)", AND, "       ^^^"),
        ("ti:compiler and", AND, "            ^^^"),
        ("and abs:gpu", AND, "^^^"),
        ("ti:a or ti:b", OR, "     ^^"),
        ("ti:a not ti:b", NOT, "     ^^^"),
        ("ti:a And abs:b", AND.replace("'and'", "'And'"), "     ^^^"),
        ("ti:a aNd abs:b", AND.replace("'and'", "'aNd'"), "     ^^^"),
        ("ti:a\nand\tabs:b", AND, "     ^^^"),
        (
            "ti:a andnot ti:b",
            "lowercase 'andnot' is a search word on arXiv, not an operator (a missing operator means OR); "
            "write ANDNOT to exclude the term after it",
            "     ^^^^^^",
        ),
        (
            "ti:a and ti:b or ti:c and ti:d",
            "lowercase 'and', 'or' are search words on arXiv, not operators (a missing operator means OR); "
            "write AND, OR",
            "     ^^^      ^^      ^^^",
        ),
    ],
)
def test_a_lowercase_operator_gets_a_caret(query: str, message: str, caret: str) -> None:
    (warning,) = lint(query, "compilers")
    assert str(warning).splitlines() == [
        f"topic 'compilers': {message}",
        "  " + query.replace("\n", " ").replace("\t", " "),
        "  " + caret,
    ]


@pytest.mark.parametrize(
    "query",
    [
        "ti:compiler AND abs:gpu",
        "ti:a OR ti:b ANDNOT ti:c",
        "ti:a AND NOT ti:b",
        'abs:"rock and roll"',
        "ti:and",
        "abs:or AND ti:x",
        "and",
        "ti:(and)",
        "ti:android OR ti:order OR ti:notation",
        "au:del_maestro",
    ],
)
def test_no_warning_where_the_word_is_meant(query: str) -> None:
    assert lint(query) == ()


def test_the_query_keeps_arxivs_meaning() -> None:
    assert parse("ti:compiler and abs:gpu") == Or((Term("ti", "compiler"), Term("all", "and"), Term("abs", "gpu")))


def test_the_config_carries_one_warning_per_topic(tmp_path: Path) -> None:
    path = tmp_path / "dailypapers.toml"
    path.write_text(
        '[[topics]]\nname = "compilers"\nquery = "ti:compiler and abs:gpu and abs:cuda"\n'
        '[[topics]]\nname = "fine"\nquery = "ti:x AND ti:y"\n'
        '[[topics]]\nname = "GPU or TPU"\n'  # a name alone is one phrase: no operator at all
        '[[topics]]\nname = "either"\nquery = "ti:a or ti:b"\n',
        encoding="utf-8",
    )
    config = load_config(path, environ={})
    assert [(w.key, str(w).splitlines()[0]) for w in config.warnings] == [
        ("topics[0].query", f"{path.resolve()}: topics[0].query: topic 'compilers': {AND}"),
        ("topics[3].query", f"{path.resolve()}: topics[3].query: topic 'either': {OR}"),
    ]
    assert str(config.warnings[0]).splitlines()[2] == "              ^^^         ^^^"


CONFIG = """[[topics]]
name = "compilers"
query = "ti:compiler and abs:gpu"

[[topics]]
name = "kernels"
query = "abs:kernel or abs:cuda"

[arxiv]
api_url = "{url}"
"""
WARNINGS = [
    "dailypapers: warning: {path}: topics[0].query: topic 'compilers': " + AND,
    "  ti:compiler and abs:gpu",
    "              ^^^",
    "dailypapers: warning: {path}: topics[1].query: topic 'kernels': " + OR,
    "  abs:kernel or abs:cuda",
    "             ^^",
]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"DAILYPAPERS_DELAY": "0", "DAILYPAPERS_NOW": NOW})


def test_run_render_and_search_print_each_topics_warning_once(tmp_path: Path) -> None:
    path = tmp_path / "dailypapers.toml"
    expected = [line.format(path=path.resolve()) for line in WARNINGS]
    with ArxivServer(load_seed_papers()) as server:
        path.write_text(CONFIG.format(url=server.url), encoding="utf-8")
        run = invoke("run", "--json", "--config", str(path))
    assert run.exit_code == 0, run.stderr
    summary = json.loads(run.stdout)  # stdout stays one JSON object: warnings go to stderr
    assert summary["new"]["compilers"] == summary["received"]  # arXiv's meaning: every paper has "and"
    assert run.stderr.splitlines()[:6] == expected
    assert run.stderr.count("dailypapers: warning:") == 2
    render = invoke("render", "--config", str(path))
    assert render.exit_code == 0
    assert render.stderr.splitlines() == expected
    search = invoke("search", "--config", str(path), "--json", "ti:compiler and abs:gpu")
    assert search.exit_code == 0
    assert search.stderr.splitlines()[:6] == expected
    assert search.stderr.splitlines()[6:9] == [
        f"dailypapers: warning: {AND}",
        "  ti:compiler and abs:gpu",
        "              ^^^",
    ]
    assert all(json.loads(line)["id"] for line in search.stdout.splitlines())


def test_a_config_error_still_wins_over_warnings(tmp_path: Path) -> None:
    path = tmp_path / "dailypapers.toml"
    path.write_text(CONFIG.format(url="ftp://x"), encoding="utf-8")
    result = invoke("render", "--config", str(path))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "arxiv.api_url" in result.stderr


def test_backfill_prints_the_warnings_too_before_its_own_error(tmp_path: Path) -> None:
    path = tmp_path / "dailypapers.toml"
    path.write_text(CONFIG.format(url="http://127.0.0.1:9/api/query"), encoding="utf-8")
    result = invoke("backfill", "--config", str(path), "--from", "2026-05-01", "--set", "nlin")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[:6] == [line.format(path=path.resolve()) for line in WARNINGS]
    assert lines[6:] == [
        "dailypapers: error: command line: --set: unknown arXiv set 'nlin': sets start with a group, one of cs, econ, "
        "eess, math, physics, q-bio, q-fin, stat"
    ]
