"""The one door to the database: schema, migrations, papers and their versions, topics, matches, runs.

One SQLite file holds everything dailypapers knows. Every version of a paper is kept; a match records the
topic, the paper, the version that matched and the run in which it matched; a run records what it did. The
schema version lives in the database (``schema_migrations``), and migrations run in order on open.

``Store`` is the only way in: its connection stays inside this package, and no module outside it holds SQL.
Its methods live in one module per group of tables (``runs.py``, ``papers.py``, ``matches.py``, ``signals.py``),
each a part of the one class; searching goes through ``Store.search`` (the compiler is ``search.py``).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from dailypapers.arxiv.dates import iso
from dailypapers.errors import RunInProgressError, StoreError
from dailypapers.files import advice
from dailypapers.model import Paper
from dailypapers.query import Node
from dailypapers.store import fts
from dailypapers.store.archive import Archive
from dailypapers.store.days import DayRows
from dailypapers.store.deliveries import Deliveries
from dailypapers.store.library import LibraryRows
from dailypapers.store.matches import MatchRows
from dailypapers.store.papers import PaperRows
from dailypapers.store.ranking import RankRows
from dailypapers.store.rows import MatchRow, RunRecord, parse_iso
from dailypapers.store.runs import RunRows
from dailypapers.store.schema import MIGRATIONS
from dailypapers.store.search import SearchRows, search_papers
from dailypapers.store.signals import PaperSignals, SignalRecord, SignalRows, Starred
from dailypapers.store.similar import SimilarRows, StoredVersion
from dailypapers.store.summaries import SummaryRows
from dailypapers.store.trouble import BUSY_TIMEOUT, database_errors, make_folder, store_error
from dailypapers.store.weeks import TopicWeeks

__all__ = [
    "MIGRATIONS",
    "Deliveries",
    "MatchRow",
    "PaperSignals",
    "RunRecord",
    "SignalRecord",
    "Starred",
    "Store",
    "StoredVersion",
    "database_errors",
    "database_lock",
    "existing_database",
    "iso",
    "parse_iso",
]


@contextmanager
def database_lock(database: Path) -> Iterator[None]:
    """One command writing to a database at a time; a second one is told so instead of waiting forever."""
    make_folder(database)
    path = database.with_name(database.name + ".lock")
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise StoreError(f"{path}: cannot open the lock file: {advice(err)}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgressError(f"another run is in progress on {database}") from None
        yield
    finally:
        os.close(handle)


def existing_database(database: Path) -> Path:
    """``database``, which must exist: a command that only reads it (``render``, ``search``) would otherwise leave
    an empty database, and maybe its folder, where the config points, and report nothing useful."""
    if not database.exists():
        raise StoreError(f"{database}: no database yet; `dailypapers run` (or `backfill`) creates it")
    return database


class Store(
    RunRows,
    PaperRows,
    MatchRows,
    SignalRows,
    DayRows,
    SearchRows,
    TopicWeeks,
    SimilarRows,
    SummaryRows,
    LibraryRows,
    RankRows,
):
    """A SQLite archive. Use ``Store.open(path)``; writes happen inside ``transaction()``."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        super().__init__(connection, path)
        self.deliveries = Deliveries(connection)
        self.archive = Archive(connection)  # the archive by day, for the site (store/archive.py)
        self.busy_timeout = BUSY_TIMEOUT
        # Free text from errors (a run's message) passes through this before it is written: see redact.py.
        self.scrub: Callable[[str], str] = lambda text: text

    @classmethod
    def open(cls, path: Path, busy_timeout: float = BUSY_TIMEOUT) -> Store:
        """Open (or create, with its folder) the database; wait ``busy_timeout`` s for another writer."""
        make_folder(path)
        try:
            connection = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as err:
            raise store_error(path, err, "cannot open the database", busy_timeout) from None
        store = cls(connection, path)
        store.busy_timeout = busy_timeout
        try:
            store.migrate()
        except BaseException:
            connection.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check_writable(self, waiting: Callable[[], None] = lambda: None) -> None:
        """Take the write lock and let it go: a busy, read-only or unwritable database shows before any request.

        When another program holds the lock, ``waiting`` is called before waiting ``busy_timeout`` seconds for
        it, so that the wait is not silent. BEGIN IMMEDIATE alone succeeds on a database SQLite could open only
        for reading; a write, even one that changes no row, does not.
        """
        try:
            self._begin_without_waiting()
        except sqlite3.OperationalError as err:
            if getattr(err, "sqlite_errorcode", 0) & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            waiting()
            self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("DELETE FROM state WHERE 0")
        finally:
            self._db.execute("ROLLBACK")

    def _begin_without_waiting(self) -> None:
        self._db.execute("PRAGMA busy_timeout = 0")
        try:
            self._db.execute("BEGIN IMMEDIATE")
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {round(self.busy_timeout * 1000)}")

    def migrate(self) -> None:
        try:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
            )
            current = self.schema_version()
            if current > len(MIGRATIONS):
                raise StoreError(
                    f"{self.path}: database schema {current} is newer than this dailypapers knows "
                    f"({len(MIGRATIONS)}); upgrade dailypapers"
                )
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                with self.transaction():
                    for statement in _statements(script):
                        self._db.execute(statement)
                    self._db.execute(
                        "INSERT INTO schema_migrations (version, applied) VALUES (?, ?)",
                        (number, iso(datetime.now(UTC))),
                    )
        except sqlite3.DatabaseError as err:
            raise store_error(self.path, err, "cannot open the database", self.busy_timeout) from None

    def schema_version(self) -> int:
        row = self._db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
        return int(row[0])

    # --- search ---------------------------------------------------------------------------------------------

    def search_index_problem(self) -> str | None:
        """Why the search index cannot answer yet (papers not indexed, another analysis), or None."""
        return fts.index_problem(self._db)

    def index_for_search(self, papers: Iterable[Paper]) -> int:
        """Index these stored papers at their latest versions (a daily run's few)."""
        return fts.index_many(self._db, papers)

    def update_search_index(self) -> int:
        """Index every paper not indexed at its latest version (a back-fill leaves them for later)."""
        problem = fts.index_problem(self._db)
        if problem is None:
            return 0
        if "another version" in problem:
            return fts.rebuild(self._db)
        return fts.index_pending(self._db)

    def search(self, node: Node, *, limit: int = 20) -> list[Paper]:
        """The newest ``limit`` papers of the archive that match ``node`` (latest versions), exactly as a topic
        would select them; a StoreError when the index is incomplete or was built by another analysis."""
        return search_papers(self._db, node, limit=limit)


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]
