"""The ``signals`` table on a real SQLite file: one row per change of state, replayed in order, and the state and
the starred papers read back from it; papers the archive lacks are refused with nothing written."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dailypapers import store as store_module
from dailypapers.errors import StoreError, UnknownPaperError
from dailypapers.model import Signal
from dailypapers.store import MIGRATIONS, PaperSignals, Store
from signals_world import dump, latest_papers, make_archive, seed_papers, signal_rows

T0 = datetime(2026, 12, 7, 9, 30, 15, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    make_archive(tmp_path)
    with Store.open(tmp_path / "dailypapers.db") as opened:
        yield opened


def ids(count: int) -> list[str]:
    return [paper.id for paper in latest_papers()[:count]]


def test_a_star_lists_the_paper_and_a_second_star_records_nothing(store: Store) -> None:
    first, second = ids(2)
    written = store.record_signals(Signal.STAR, [(first, None)], T0)
    assert [(r.paper_id, r.kind, r.at) for r in written] == [(first, Signal.STAR, T0)]
    store.record_signals(Signal.STAR, [(second, None)], T0 + timedelta(minutes=1))
    assert store.record_signals(Signal.STAR, [(first, None), (second, None)], T0 + timedelta(minutes=2)) == []
    starred = store.starred_papers()
    assert [(s.paper.id, s.starred_at) for s in starred] == [(second, T0 + timedelta(minutes=1)), (first, T0)]
    assert len(store.signal_history()) == 2


def test_unstar_removes_the_star_and_an_unstar_of_no_star_records_nothing(store: Store) -> None:
    first, second = ids(2)
    assert store.record_signals(Signal.UNSTAR, [(first, None)], T0) == []
    store.record_signals(Signal.STAR, [(first, None), (second, None)], T0)
    store.record_signals(Signal.UNSTAR, [(first, None)], T0 + timedelta(seconds=1))
    assert [s.paper.id for s in store.starred_papers()] == [second]
    store.record_signals(Signal.STAR, [(first, None)], T0 + timedelta(seconds=2))
    assert [s.paper.id for s in store.starred_papers()] == [first, second]  # starred again: the newest star


def test_the_history_keeps_every_change_in_the_order_given(store: Store) -> None:
    paper, other = ids(2)
    steps = [
        (Signal.STAR, paper),
        (Signal.DISMISS, other),
        (Signal.READ, paper),
        (Signal.UNSTAR, paper),
        (Signal.UNDISMISS, other),
        (Signal.READ, paper),  # read already: no row
        (Signal.STAR, paper),
    ]
    for minute, (kind, paper_id) in enumerate(steps):
        store.record_signals(kind, [(paper_id, None)], T0 + timedelta(minutes=minute))
    history = store.signal_history()
    assert [(r.kind, r.paper_id) for r in history] == [step for i, step in enumerate(steps) if i != 5]
    assert [r.at for r in history] == [T0 + timedelta(minutes=m) for m in (0, 1, 2, 3, 4, 6)]
    assert [r.number for r in history] == sorted(r.number for r in history)
    assert store.signal_history(after=history[2].number) == history[3:]  # replay from where the ranking stopped


def test_the_state_is_the_last_change_on_each_axis(store: Store) -> None:
    starred, dismissed, untouched = ids(3)
    store.record_signals(Signal.STAR, [(starred, None)], T0)
    store.record_signals(Signal.READ, [(starred, None)], T0 + timedelta(hours=1))
    store.record_signals(Signal.UNSTAR, [(starred, None)], T0 + timedelta(hours=2))
    store.record_signals(Signal.STAR, [(starred, None)], T0 + timedelta(hours=3))
    store.record_signals(Signal.DISMISS, [(dismissed, None)], T0)
    states = store.signal_states([starred, dismissed, untouched])
    assert states == {
        starred: PaperSignals(starred, starred=True, read=True, starred_at=T0 + timedelta(hours=3)),
        dismissed: PaperSignals(dismissed, dismissed=True),
    }
    store.record_signals(Signal.UNDISMISS, [(dismissed, None)], T0 + timedelta(hours=4))
    assert store.signal_states([dismissed]) == {dismissed: PaperSignals(dismissed)}


def test_a_signal_records_the_version_named_or_the_latest_stored(store: Store) -> None:
    twice = next(paper_id for paper_id, n in Counter(p.id for p in seed_papers()).items() if n > 1)
    versions = sorted(p.version for p in seed_papers() if p.id == twice)
    store.record_signals(Signal.READ, [(twice, versions[0])], T0)
    store.record_signals(Signal.STAR, [(twice, None)], T0)
    assert [r.version for r in store.signal_history()] == [versions[0], versions[-1]]
    assert store.starred_papers()[0].paper.version == versions[-1]


def test_a_starred_paper_is_listed_at_its_latest_version_once_revised(store: Store) -> None:
    paper = latest_papers()[0]
    store.record_signals(Signal.STAR, [(paper.id, None)], T0)
    revised = replace(paper, version=paper.version + 1, title="Revised", updated=paper.updated + timedelta(days=1))
    with store.transaction():
        store.add_versions([revised], run=None)
    assert store.starred_papers()[0].paper == revised


KNOWN = "known"  # stands for a paper of the archive, whose id the seed decides


@pytest.mark.parametrize(
    ("papers", "named"),
    [
        ([("2601.99999", None)], "2601.99999"),
        ([("hep-th/9901001", None)], "hep-th/9901001"),
        ([("2601.99999", 1)], "2601.99999v1"),
        ([(KNOWN, None), ("2601.99999", None)], "2601.99999"),  # a known paper first: still nothing recorded
        ([(KNOWN, None), (KNOWN, 99)], "v99"),  # a version the archive does not hold
    ],
)
def test_a_paper_the_archive_lacks_is_refused_and_nothing_is_written(
    tmp_path: Path, store: Store, papers: list[tuple[str, int | None]], named: str
) -> None:
    known = latest_papers()[0].id
    asked = [(known if paper_id == KNOWN else paper_id, version) for paper_id, version in papers]
    store.record_signals(Signal.STAR, [(latest_papers()[1].id, None)], T0)
    before = dump(tmp_path / "dailypapers.db")
    with pytest.raises(UnknownPaperError) as raised:
        store.record_signals(Signal.STAR, asked, T0)
    message = str(raised.value)
    assert "\n" not in message and "is not in the archive" in message and named in message
    assert dump(tmp_path / "dailypapers.db") == before


def test_a_signal_inside_the_callers_transaction_rolls_back_with_it(tmp_path: Path, store: Store) -> None:
    paper = ids(1)[0]
    with pytest.raises(RuntimeError), store.transaction():
        store.record_signals(Signal.STAR, [(paper, None)], T0)
        raise RuntimeError("the caller failed after the signal")
    assert signal_rows(tmp_path / "dailypapers.db") == []


def test_many_papers_at_once_in_one_call(store: Store) -> None:
    every = [paper.id for paper in latest_papers()]
    written = store.record_signals(Signal.DISMISS, [(paper_id, None) for paper_id in every * 2], T0)
    assert [r.paper_id for r in written] == every  # each once, in the order named
    assert len(store.signal_states(every)) == len(every)


def test_an_old_database_is_migrated_and_keeps_its_papers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:5])
    with Store.open(path) as old, old.transaction():
        old.add_versions(seed_papers(), run=None)
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'signals'").fetchall() == []
    monkeypatch.undo()
    with Store.open(path) as new:
        assert new.schema_version() == len(MIGRATIONS)
        assert new.paper_count() == len(latest_papers())
        new.record_signals(Signal.STAR, [(ids(1)[0], None)], T0)
        assert [s.paper.id for s in new.starred_papers()] == ids(1)


def test_a_signal_kind_changed_by_hand_is_one_clear_error(tmp_path: Path, store: Store) -> None:
    store.record_signals(Signal.STAR, [(ids(1)[0], None)], T0)
    with closing(sqlite3.connect(tmp_path / "dailypapers.db")) as db, db:
        db.execute("UPDATE signals SET kind = 'love'")
    with pytest.raises(StoreError, match="holds a signal 'love' this dailypapers does not know"):
        store.signal_history()


def test_times_are_stored_as_the_other_timestamps(tmp_path: Path, store: Store) -> None:
    store.record_signals(Signal.STAR, [(ids(1)[0], None)], datetime(2026, 12, 7, 10, 30, 15, 999, tzinfo=UTC))
    assert [row[4] for row in signal_rows(tmp_path / "dailypapers.db")] == ["2026-12-07T10:30:15Z"]
