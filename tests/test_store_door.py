"""The store is the one door to the database: no connection or cursor leaves ``store/``, no SQL lives outside it.

The rest of dailypapers asks ``Store`` methods (searching too: ``Store.search``), so that the schema can change
in one folder and every reader's cost is visible there. The store's own modules stay small.
"""

from __future__ import annotations

import ast
import re
import sqlite3
import typing
from pathlib import Path

import pytest

from arxiv_server import load_seed_papers
from dailypapers.errors import StoreError
from dailypapers.query import Matcher, parse
from dailypapers.store import Store

SRC = Path(__file__).resolve().parent.parent / "src" / "dailypapers"
STORE = SRC / "store"
SQL = re.compile(
    r"\bSELECT\b[^\n]*\bFROM\b|\bINSERT\s+(OR\s+[A-Z]+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\bCREATE\s+(TABLE|INDEX|UNIQUE|VIRTUAL)\b|\bPRAGMA\s+\w+|\bBEGIN\s+IMMEDIATE\b|\bexecute(many|script)?\("
)


def outside_store() -> list[Path]:
    return [path for path in sorted(SRC.rglob("*.py")) if STORE not in path.parents]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_outside_the_store_imports_sqlite3() -> None:
    offenders = [str(path.relative_to(SRC)) for path in outside_store() if "sqlite3" in imported_modules(path)]
    assert offenders == []


def test_no_module_outside_the_store_holds_sql() -> None:
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in outside_store()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SQL.search(line)
    ]
    assert found == []


def test_the_sql_pattern_finds_sql_where_it_is() -> None:
    """The check above would pass on an empty pattern; it must see the store's own statements."""
    assert any(SQL.search(line) for line in (STORE / "matches.py").read_text(encoding="utf-8").splitlines())
    assert SQL.search('db.execute("SELECT id FROM papers")')
    assert not SQL.search("Select the papers from the archive, newest first.")


def test_an_open_store_hands_out_no_connection_or_cursor(tmp_path: Path) -> None:
    with Store.open(tmp_path / "dailypapers.db") as store:
        for owner in (store, store.deliveries):
            public = {name: value for name, value in vars(owner).items() if not name.startswith("_")}
            leaks = [name for name, value in public.items() if isinstance(value, sqlite3.Connection | sqlite3.Cursor)]
            assert leaks == [], f"{type(owner).__name__} exposes {leaks}"


def test_no_store_method_returns_a_connection_or_cursor() -> None:
    for name in dir(Store):
        method = getattr(Store, name)
        if name.startswith("_") or not callable(method):
            continue
        returned = str(typing.get_type_hints(method).get("return", ""))
        assert "Connection" not in returned and "Cursor" not in returned, name


def test_search_runs_through_a_store_method(tmp_path: Path) -> None:
    papers = load_seed_papers()
    with Store.open(tmp_path / "dailypapers.db") as store:
        with store.transaction():
            store.add_versions(papers, run=None)
        with pytest.raises(StoreError, match="some papers are not in the search index yet"):
            store.search(parse("abs:learning"))
        with store.transaction():
            store.update_search_index()
        node = parse("abs:learning OR ti:compiler")
        found = store.search(node, limit=3)
        latest = {paper.id: paper for paper in sorted(papers, key=lambda p: p.version)}
        expected = sorted((p for p in latest.values() if Matcher(node).matches(p)), key=lambda p: (p.updated, p.id))
        assert found == expected[::-1][:3]
        assert store.search(node, limit=0) == []


@pytest.mark.parametrize("path", sorted(STORE.glob("*.py")), ids=lambda path: path.name)
def test_store_modules_and_functions_stay_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 400
    long = [
        f"{node.name}: {(node.end_lineno or node.lineno) - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef) and (node.end_lineno or node.lineno) - node.lineno + 1 > 40
    ]
    assert long == []
