"""``Store.stored_versions`` and ``Store.similar_papers`` over a real store: versions in order with their dates;
the papers most like a paper first, by its distinctive title and abstract words, never the paper itself; an index
that lacks papers or was built by another analysis."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from dailypapers.errors import StoreError
from dailypapers.store import Store
from reader_world import seed_archive
from similar_world import add_papers, near_duplicate, older_versions, seed, unrelated


@pytest.fixture
def database(tmp_path: Path) -> Path:
    _, database = seed_archive(tmp_path)
    add_papers(database, [*older_versions(seed()), near_duplicate(), unrelated()])
    return database


def test_every_stored_version_is_listed_oldest_first_with_its_date(database: Path) -> None:
    paper = seed()
    with Store.open(database) as store:
        versions = store.stored_versions(paper.id)
        assert store.stored_versions("2999.99999") == []
    assert [stored.version for stored in versions] == list(range(1, paper.version + 1))
    assert versions[-1].submitted == paper.updated and versions[0].submitted == paper.published


def test_the_near_duplicate_comes_first_and_the_paper_itself_never(database: Path) -> None:
    with Store.open(database) as store:
        alike = store.similar_papers(seed(), 10)
        back = store.similar_papers(near_duplicate(), 10)
    assert alike[0].id == near_duplicate().id and back[0].id == seed().id
    assert seed().id not in [paper.id for paper in alike] and len(alike) == 10
    assert unrelated().id not in [paper.id for paper in alike + back]


def test_a_paper_about_something_else_finds_nothing(database: Path) -> None:
    with Store.open(database) as store:
        assert store.similar_papers(unrelated(), 10) == []


def test_limit_is_honoured_and_papers_come_at_their_latest_version(database: Path) -> None:
    with Store.open(database) as store:
        three = store.similar_papers(near_duplicate(), 3)
        latest = [store.latest(paper.id) for paper in three]
    assert [paper.version for paper in three] == [paper.version for paper in latest if paper is not None]
    assert len(three) == 3 and three[0].id == seed().id


def test_an_archive_never_indexed_answers_nothing_and_does_not_fail(tmp_path: Path) -> None:
    _, database = seed_archive(tmp_path)
    with Store.open(database) as store:
        assert store.search_index_problem() is not None
        assert store.similar_papers(seed(), 10) == []


def test_a_paper_not_yet_indexed_is_still_compared_by_its_own_words(database: Path) -> None:
    later = replace(near_duplicate(), id="2606.00009")
    add_papers(database, [later], index=False)
    with Store.open(database) as store:
        alike = store.similar_papers(later, 10)
    assert {paper.id for paper in alike[:2]} == {seed().id, near_duplicate().id}


def test_an_index_of_another_analysis_is_an_error_that_says_rebuild(database: Path) -> None:
    with closing(sqlite3.connect(database, isolation_level=None)) as other:
        other.execute("UPDATE state SET value = '1' WHERE key = 'search_analysis'")
    with Store.open(database) as store, pytest.raises(StoreError, match="rebuild it"):
        store.similar_papers(seed(), 10)
