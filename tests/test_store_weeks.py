"""The topics page's counts (``store/weeks.py``) against the store's own search and the papers themselves."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from archive_world import Run, write_archive
from dailypapers.query import parse
from dailypapers.store import Store
from topics_world import recent_papers, topics_archive

TODAY = date(2026, 5, 13)  # a Wednesday


@pytest.mark.parametrize(
    "query",
    [
        "abs:compiler",
        "cat:cs.DC",
        'au:"Ada Lovelace"',
        "ti:comp*",
        "cat:cs.DC ANDNOT ti:comp*",
        "id:2699*",
        "all:graph",
    ],
)
def test_a_querys_count_is_the_number_of_papers_search_finds(tmp_path: Path, query: str) -> None:
    _, database = topics_archive(tmp_path, TODAY)
    with Store.open(database) as store:
        found = store.search(parse(query), limit=100_000)
        assert store.count_matching(parse(query)) == (len(found), True)


def test_a_count_that_stops_early_says_it_is_a_lower_bound(tmp_path: Path) -> None:
    _, database = topics_archive(tmp_path, TODAY)
    node = parse("cat:cs.DC ANDNOT ti:comp*")  # inexact: its candidates are checked one by one
    with Store.open(database) as store:
        every = len(store.search(node, limit=100_000))
        count, complete = store.count_matching(node, bound=5)
    assert not complete and count <= 5 < every


def test_a_paper_counts_once_in_the_week_of_its_latest_version(tmp_path: Path) -> None:
    first = recent_papers(TODAY)[0]
    revised = replace(first, version=first.version + 1, updated=first.updated + timedelta(days=14))
    other = replace(recent_papers(TODAY)[1], updated=datetime(2025, 1, 6, tzinfo=UTC))  # before the window
    moment = datetime(2026, 5, 14, tzinfo=UTC)
    matches = [("t", first, None), ("t", revised, None), ("t", other, None)]
    database = tmp_path / "dailypapers.db"
    write_archive(database, {"t": "abs:x"}, [Run(moment, matches)])
    with Store.open(database) as store:
        monday = revised.updated.date() - timedelta(days=revised.updated.weekday())
        assert store.weekly_matches(monday - timedelta(weeks=4)) == {"t": {monday: 1}}
        assert store.matched_papers() == {"t": 2}
