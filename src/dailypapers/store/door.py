"""The connection every part of the ``Store`` shares, and the one way to write: ``transaction()``.

The connection never leaves the ``store`` package: the rest of dailypapers asks ``Store`` methods, so that no
module outside this folder holds SQL or a cursor.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from dailypapers.errors import StoreError
from dailypapers.model import Paper
from dailypapers.query import Matcher, Node
from dailypapers.store.reading import load_papers


class Door:
    """The database connection (private) and its file; the base of each part of ``Store``."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self.papers_read = 0
        """How many paper versions this store has read whole: what a reader costs, as its tests count it."""

    @contextmanager
    def transaction(self, commit: bool = True) -> Iterator[None]:
        """All or nothing: every write inside commits together, or none does (``commit=False``: a dry run's).

        A COMMIT that fails (a full disk) rolls back too, if SQLite has not already done so.
        """
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT" if commit else "ROLLBACK")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _load(self, keys: Sequence[tuple[str, int]]) -> list[Paper]:
        """The stored versions ``keys`` (id, version), in that order, a page of statements at a time."""
        try:
            papers = load_papers(self._db, keys)
        except StoreError as err:
            raise StoreError(f"{self.path}: {err}") from None
        self.papers_read += len(papers)
        return papers


def in_scope_by_matcher(scope: Node, papers: list[Paper]) -> list[Paper]:
    """The papers in a scope that SQL cannot decide (``scope.condition`` is None): the matcher's verdict."""
    matcher = Matcher(scope)
    return [paper for paper in papers if matcher.matches(paper)]
