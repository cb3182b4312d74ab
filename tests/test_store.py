"""The SQLite store on a real file: migrations, versions, bulk writes, and clear errors."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from arxiv_server import load_seed_papers
from dailypapers import store as store_module
from dailypapers.errors import StoreError
from dailypapers.store import MIGRATIONS, Store


def test_an_old_database_is_migrated_in_order_and_keeps_its_papers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:1])
    with Store.open(path) as old:
        with old.transaction():
            old.add_versions(load_seed_papers()[:5], run=None)
        assert old.schema_version() == 1
    monkeypatch.undo()
    with Store.open(path) as new:
        assert new.schema_version() == len(MIGRATIONS)
        assert new.paper_count() == 5
        applied = new._db.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert applied == [(n,) for n in range(1, len(MIGRATIONS) + 1)]


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_migrations VALUES (99, '2030-01-01T00:00:00Z')")
    with pytest.raises(StoreError, match="database schema 99 is newer than this dailypapers knows"):
        Store.open(path)


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "papers.db"
    path.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    with pytest.raises(StoreError, match="cannot open the database: file is not a database"):
        Store.open(path)


def test_every_version_is_kept_and_the_paper_follows_the_latest(tmp_path: Path) -> None:
    first = load_seed_papers()[0]
    second = replace(
        first, version=first.version + 1, title="A revised title", updated=first.updated + timedelta(days=3)
    )
    with Store.open(tmp_path / "a.db") as store, store.transaction():
        assert store.add_versions([second, first], run=None) == [second, first]
        assert store.add_versions([first, second], run=None) == []
        assert store.latest(first.id) == second
        assert store.paper(first.id, first.version) == first
        assert store.version_count() == 2 and store.paper_count() == 1


def test_stored_papers_round_trip_every_field(tmp_path: Path) -> None:
    papers = load_seed_papers()
    with Store.open(tmp_path / "a.db") as store:
        with store.transaction():
            store.add_versions(papers, run=None)
        for paper in papers:
            assert store.paper(paper.id, paper.version) == paper


def test_recorded_reasons_are_read_back_for_the_versions_asked_only(tmp_path: Path) -> None:
    """The page lists a paper with the reason its run recorded (so the run's analysis is not done twice); a
    version without one (a back-fill's) is left out, to be worked out when shown."""
    papers = load_seed_papers()[:3]
    later = replace(papers[0], version=papers[0].version + 1, updated=papers[0].updated + timedelta(days=1))
    with Store.open(tmp_path / "a.db") as store, store.transaction():
        store.add_versions([*papers, later], run=None)
        run = store.begin_run(papers[0].updated)
        store.set_topic("gpu", "gpu", run)
        store.add_match("gpu", papers[0].id, papers[0].version, run, "ti:gpu")
        store.add_match("gpu", papers[1].id, papers[1].version, run)
        keys = [(p.id, p.version) for p in (*papers, later)]
        assert store.reasons("gpu", keys) == {(papers[0].id, papers[0].version): "ti:gpu"}
        assert store.reasons("gpu", [(later.id, later.version)]) == {}
        assert store.reasons("other", keys) == {}
        many = [(f"2601.{n:05d}", 1) for n in range(1000)] + [(papers[0].id, papers[0].version)]
        assert store.reasons("gpu", many) == {(papers[0].id, papers[0].version): "ti:gpu"}
