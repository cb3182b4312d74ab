"""The one door to the database: schema, migrations, papers and their versions, topics, matches, runs.

One SQLite file holds everything dailypapers knows. Every version of a paper is kept; a match records the
topic, the paper, the version that matched and the run in which it matched; a run records what it did. The
schema version lives in the database (``schema_migrations``), and migrations run in order on open.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from dailypapers.arxiv.dates import iso
from dailypapers.errors import RunInProgressError, StoreError
from dailypapers.files import advice
from dailypapers.model import Author, Paper
from dailypapers.store import fts
from dailypapers.store.archive import Archive
from dailypapers.store.deliveries import Deliveries
from dailypapers.store.rows import RUN_COLUMNS, UNSUCCESSFUL, MatchRow, RunRecord, parse_iso, run_record
from dailypapers.store.schema import MIGRATIONS
from dailypapers.store.trouble import BUSY_TIMEOUT, database_errors, make_folder, store_error

__all__ = [
    "MIGRATIONS",
    "Deliveries",
    "MatchRow",
    "RunRecord",
    "Store",
    "database_errors",
    "database_lock",
    "existing_database",
    "iso",
    "parse_iso",
]

# SQLite's default limit on bound variables in one statement is 999 before 3.32; stay under it.
_SQL_VARIABLES = 900


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


class Store:
    """A SQLite archive. Use ``Store.open(path)``; writes happen inside ``transaction()``."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path
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
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, commit: bool = True) -> Iterator[None]:
        """All or nothing: every write inside commits together, or none does (``commit=False``: a dry run's).

        A COMMIT that fails (a full disk) rolls back too, if SQLite has not already done so.
        """
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT" if commit else "ROLLBACK")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

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
            self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM state WHERE 0")
        finally:
            self.db.execute("ROLLBACK")

    def _begin_without_waiting(self) -> None:
        self.db.execute("PRAGMA busy_timeout = 0")
        try:
            self.db.execute("BEGIN IMMEDIATE")
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {round(self.busy_timeout * 1000)}")

    def migrate(self) -> None:
        try:
            self.db.execute(
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
                        self.db.execute(statement)
                    self.db.execute(
                        "INSERT INTO schema_migrations (version, applied) VALUES (?, ?)",
                        (number, iso(datetime.now(UTC))),
                    )
        except sqlite3.DatabaseError as err:
            raise store_error(self.path, err, "cannot open the database", self.busy_timeout) from None

    def schema_version(self) -> int:
        row = self.db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
        return int(row[0])

    # --- state -----------------------------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def clear_state(self, key: str) -> None:
        self.db.execute("DELETE FROM state WHERE key = ?", (key,))

    def set_state(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- runs ------------------------------------------------------------------------------------------

    def begin_run(self, started: datetime, kind: str = "daily") -> int:
        cursor = self.db.execute(
            "INSERT INTO runs (started, outcome, notify_after, kind) VALUES (?, 'running', ?, ?)",
            (iso(started), self.last_published_run(), kind),
        )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run: int, finished: datetime, outcome: str, **counts: int | str | None) -> None:
        fields = ("requests", "received", "kept", "dropped", "skipped", "message", "announcement", "feed")
        message = counts.get("message")
        counts["message"] = self.scrub(message) if isinstance(message, str) else message
        values = [counts.get(name) for name in fields]
        self.db.execute(
            "UPDATE runs SET finished = ?, outcome = ?, requests = COALESCE(?, requests), "
            "received = COALESCE(?, received), kept = COALESCE(?, kept), dropped = COALESCE(?, dropped), "
            "skipped = COALESCE(?, skipped), message = ?, announcement = ?, feed = ? WHERE id = ?",
            (iso(finished), outcome, *values, run),
        )

    def log_run(self, started: datetime, finished: datetime, outcome: str, requests: int, message: str) -> None:
        """Record a run that changed nothing (it failed, or the feed was stale) in a transaction of its own."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO runs (started, finished, outcome, notify_after, requests, message) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (iso(started), iso(finished), outcome, self.last_published_run(), requests, self.scrub(message)),
            )

    def log_failed_run(self, started: datetime, finished: datetime, requests: int, message: str) -> bool:
        """Record a failed run if the database lets us; a full or damaged database cannot, and that is said
        by the error itself."""
        try:
            self.log_run(started, finished, "failed", requests, message)
        except sqlite3.Error:
            return False
        return True

    def mark_published(self, run: int) -> None:
        with self.transaction():
            self.db.execute("UPDATE runs SET published = 1 WHERE id = ?", (run,))

    def last_published_run(self) -> int:
        row = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM runs WHERE published = 1 AND kind = 'daily'").fetchone()
        return int(row[0])

    def last_successful_run(self) -> RunRecord | None:
        row = self.db.execute(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE kind = 'daily' AND outcome NOT IN ({UNSUCCESSFUL}) "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else run_record(row)

    def runs(self) -> list[RunRecord]:
        return [run_record(row) for row in self.db.execute(f"SELECT {RUN_COLUMNS} FROM runs ORDER BY id")]

    def run_kind(self, run: int) -> str | None:
        """``daily`` or ``backfill`` for a run that exists, else None."""
        row = self.db.execute("SELECT kind FROM runs WHERE id = ?", (run,)).fetchone()
        return None if row is None else str(row[0])

    # --- search ---------------------------------------------------------------------------------------------

    def search_index_problem(self) -> str | None:
        """Why the search index cannot answer yet (papers not indexed, another analysis), or None."""
        return fts.index_problem(self.db)

    def index_for_search(self, papers: Iterable[Paper]) -> int:
        """Index these stored papers at their latest versions (a daily run's few)."""
        return fts.index_many(self.db, papers)

    def update_search_index(self) -> int:
        """Index every paper not indexed at its latest version (a back-fill leaves them for later)."""
        problem = fts.index_problem(self.db)
        if problem is None:
            return 0
        if "another version" in problem:
            return fts.rebuild(self.db)
        return fts.index_pending(self.db)

    # --- announcements -----------------------------------------------------------------------------------

    def record_announcement(
        self, day: date, counts: dict[str, dict[str, int]], source: str, run: int, categories: Sequence[str]
    ) -> None:
        """Mark the announcement of ``day`` as covered, with its counts per requested category."""
        self.db.executemany(
            "INSERT OR REPLACE INTO announcements (day, category, new, cross_lists, replacements, "
            "replacement_cross_lists, source, run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    day.isoformat(),
                    category,
                    counts.get(category, {}).get("new", 0),
                    counts.get(category, {}).get("cross", 0),
                    counts.get(category, {}).get("replace", 0),
                    counts.get(category, {}).get("replace-cross", 0),
                    source,
                    run,
                )
                for category in categories
            ],
        )

    def record_announced(self, day: date, items: Iterable[tuple[str, int, str]]) -> None:
        """What each paper was announced as on ``day``: (paper id, version, type)."""
        self.db.executemany(
            "INSERT OR REPLACE INTO announced (day, paper_id, version, type) VALUES (?, ?, ?, ?)",
            [(day.isoformat(), paper_id, version, kind) for paper_id, version, kind in items],
        )

    def last_announcement_day(self) -> date | None:
        row = self.db.execute("SELECT MAX(day) FROM announcements").fetchone()
        return None if row[0] is None else date.fromisoformat(str(row[0]))

    def announced_counts(self, day: date) -> dict[str, int]:
        """How many papers the covered announcement of ``day`` listed, by type."""
        rows = self.db.execute("SELECT type, COUNT(*) FROM announced WHERE day = ? GROUP BY type", (day.isoformat(),))
        return {str(kind): int(count) for kind, count in rows}

    def announcement_source(self, day: date) -> str | None:
        row = self.db.execute("SELECT MIN(source) FROM announcements WHERE day = ?", (day.isoformat(),)).fetchone()
        return None if row[0] is None else str(row[0])

    def announcement_days(self) -> list[str]:
        """Every covered day as stored, newest first (text: a value an older version wrote may not be a date)."""
        return [str(row[0]) for row in self.db.execute("SELECT DISTINCT day FROM announcements ORDER BY day DESC")]

    def forget_announcement_days(self, days: Iterable[str]) -> None:
        """Forget that these days (as stored) were covered: the clock rule found them absurd (clock.py)."""
        for day in days:
            self.db.execute("DELETE FROM announcements WHERE day = ?", (day,))
            self.db.execute("DELETE FROM announced WHERE day = ?", (day,))

    # --- papers ----------------------------------------------------------------------------------------

    def has_version(self, paper_id: str, version: int) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM versions WHERE paper_id = ? AND version = ?", (paper_id, version)
        ).fetchone()
        return row is not None

    def known_paper(self, paper_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is not None

    def add_versions(self, papers: Iterable[Paper], run: int | None) -> list[Paper]:
        """Store the versions not stored yet, in bulk; ``papers`` rows follow their latest version.

        Returns the versions that were new. Many papers at once (a back-fill page) cost a handful of
        statements, not a handful per paper.
        """
        batch = list(papers)
        known = self._known_versions({paper.id for paper in batch})
        fresh: list[Paper] = []
        for paper in batch:
            key = (paper.id, paper.version)
            if key not in known:
                known.add(key)
                fresh.append(paper)
        if fresh:
            self._insert_versions(fresh, run)
        return fresh

    def _known_versions(self, paper_ids: set[str]) -> set[tuple[str, int]]:
        known: set[tuple[str, int]] = set()
        ids = sorted(paper_ids)
        for offset in range(0, len(ids), _SQL_VARIABLES):
            chunk = ids[offset : offset + _SQL_VARIABLES]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT paper_id, version FROM versions WHERE paper_id IN ({marks})", chunk)
            known.update((str(paper_id), int(version)) for paper_id, version in rows)
        return known

    def _insert_versions(self, papers: list[Paper], run: int | None) -> None:
        self.db.executemany(
            "INSERT INTO papers (id, latest_version, published, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET latest_version = excluded.latest_version, updated = excluded.updated, "
            "published = MIN(papers.published, excluded.published) "
            "WHERE excluded.latest_version > papers.latest_version",
            [(p.id, p.version, iso(p.published), iso(p.updated)) for p in papers],
        )
        self.db.executemany(
            "INSERT INTO versions (paper_id, version, title, abstract, primary_category, published, updated, "
            "comment, journal_ref, doi, report_no, first_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    p.id,
                    p.version,
                    p.title,
                    p.abstract,
                    p.primary_category,
                    iso(p.published),
                    iso(p.updated),
                    p.comment,
                    p.journal_ref,
                    p.doi,
                    p.report_no,
                    run,
                )
                for p in papers
            ],
        )
        self.db.executemany(
            "INSERT INTO authors (paper_id, version, position, name) VALUES (?, ?, ?, ?)",
            [(p.id, p.version, i, author.name) for p in papers for i, author in enumerate(p.authors)],
        )
        self.db.executemany(
            "INSERT INTO affiliations (paper_id, version, author_position, position, name) VALUES (?, ?, ?, ?, ?)",
            [
                (p.id, p.version, i, j, name)
                for p in papers
                for i, author in enumerate(p.authors)
                for j, name in enumerate(author.affiliations)
            ],
        )
        self.db.executemany(
            "INSERT INTO categories (paper_id, version, position, category) VALUES (?, ?, ?, ?)",
            [(p.id, p.version, i, category) for p in papers for i, category in enumerate(p.categories)],
        )

    def latest(self, paper_id: str) -> Paper | None:
        row = self.db.execute("SELECT latest_version FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return None if row is None else self.paper(paper_id, int(row[0]))

    def paper(self, paper_id: str, version: int) -> Paper:
        row = self.db.execute(
            "SELECT title, abstract, primary_category, published, updated, comment, journal_ref, doi, report_no "
            "FROM versions WHERE paper_id = ? AND version = ?",
            (paper_id, version),
        ).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no version {version} of {paper_id}")
        title, abstract, primary, published, updated, comment, journal_ref, doi, report_no = row
        return Paper(
            id=paper_id,
            version=version,
            title=title,
            abstract=abstract,
            authors=self._authors(paper_id, version),
            categories=tuple(
                str(r[0])
                for r in self.db.execute(
                    "SELECT category FROM categories WHERE paper_id = ? AND version = ? ORDER BY position",
                    (paper_id, version),
                )
            ),
            primary_category=primary,
            published=parse_iso(published),
            updated=parse_iso(updated),
            comment=comment,
            journal_ref=journal_ref,
            doi=doi,
            report_no=report_no,
        )

    def _authors(self, paper_id: str, version: int) -> tuple[Author, ...]:
        affiliations: dict[int, list[str]] = {}
        for position, name in self.db.execute(
            "SELECT author_position, name FROM affiliations WHERE paper_id = ? AND version = ? "
            "ORDER BY author_position, position",
            (paper_id, version),
        ):
            affiliations.setdefault(int(position), []).append(str(name))
        return tuple(
            Author(str(name), tuple(affiliations.get(int(position), ())))
            for position, name in self.db.execute(
                "SELECT position, name FROM authors WHERE paper_id = ? AND version = ? ORDER BY position",
                (paper_id, version),
            )
        )

    def latest_papers(self) -> Iterator[Paper]:
        """Every paper in the archive, at its latest version."""
        rows = self.db.execute("SELECT id, latest_version FROM papers ORDER BY id").fetchall()
        for paper_id, version in rows:
            yield self.paper(str(paper_id), int(version))

    def paper_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM papers").fetchone()[0])

    def newest_update(self, earliest: str, latest: str) -> str | None:
        """The newest ``updated`` stamp of a paper between two stored stamps (``iso``), as stored."""
        row = self.db.execute(
            "SELECT MAX(updated) FROM papers WHERE updated >= ? AND updated <= ?", (earliest, latest)
        ).fetchone()
        return None if row[0] is None else str(row[0])

    def version_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM versions").fetchone()[0])

    # --- topics and matches ------------------------------------------------------------------------------

    def topics(self) -> dict[str, str]:
        return {str(name): str(query) for name, query in self.db.execute("SELECT name, query FROM topics")}

    def set_topic(self, name: str, query: str, run: int) -> None:
        """Add a topic, or replace the query of an existing one (its matches are then re-evaluated, and the
        reasons recorded under the old query are forgotten, to be worked out again when shown)."""
        self.db.execute(
            "INSERT INTO topics (name, query, added_run) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET query = excluded.query, added_run = excluded.added_run",
            (name, query, run),
        )
        self.db.execute("UPDATE matches SET reason = NULL WHERE topic = ? AND reason IS NOT NULL", (name,))

    def remove_topic(self, name: str) -> None:
        self.db.execute("DELETE FROM matches WHERE topic = ?", (name,))
        self.db.execute("DELETE FROM topics WHERE name = ?", (name,))

    def matched_version(self, topic: str, paper_id: str) -> int | None:
        row = self.db.execute(
            "SELECT MAX(version) FROM matches WHERE topic = ? AND paper_id = ?", (topic, paper_id)
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def add_match(self, topic: str, paper_id: str, version: int, run: int, reason: str | None = None) -> bool:
        """Record that ``topic`` matches this version (and why); False when it was recorded before."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO matches (topic, paper_id, version, run, reason) VALUES (?, ?, ?, ?, ?)",
            (topic, paper_id, version, run, reason),
        )
        return cursor.rowcount > 0

    def remove_match(self, topic: str, paper_id: str) -> None:
        self.db.execute("DELETE FROM matches WHERE topic = ? AND paper_id = ?", (topic, paper_id))

    def topic_papers(self, topic: str) -> list[str]:
        """The ids of the papers matching ``topic``, most recently updated first."""
        rows = self.db.execute(
            "SELECT DISTINCT p.id FROM matches m JOIN papers p ON p.id = m.paper_id WHERE m.topic = ? "
            "ORDER BY p.updated DESC, p.id DESC",
            (topic,),
        )
        return [str(row[0]) for row in rows]

    def match_history(self) -> list[tuple[MatchRow, datetime]]:
        """Every match recorded by a daily run, with the time that run finished, latest run first.

        This is the archive by day: a paper appears on the day a topic first listed it, and again, as a new
        version, on the day a later version was matched.
        """
        rows = self.db.execute(
            "SELECT m.topic, m.paper_id, m.version, m.run, EXISTS ("
            "  SELECT 1 FROM matches e WHERE e.topic = m.topic AND e.paper_id = m.paper_id AND e.version < m.version"
            "), m.reason, r.finished FROM matches m JOIN runs r ON r.id = m.run JOIN papers p ON p.id = m.paper_id "
            "WHERE r.kind = 'daily' AND r.finished IS NOT NULL "
            "ORDER BY r.finished DESC, p.updated DESC, p.id DESC"
        )
        return [
            (MatchRow(str(t), str(p), int(v), int(r), bool(n), why), parse_iso(f)) for t, p, v, r, n, why, f in rows
        ]

    def new_matches(self, after_run: int, up_to_run: int) -> list[MatchRow]:
        """Matches first recorded by daily runs ``after_run < run <= up_to_run``, newest paper first.

        A match is a new version when the topic had matched an earlier version before the window (or in a
        back-fill, whose matches are never announced themselves).
        """
        rows = self.db.execute(
            "SELECT m.topic, m.paper_id, m.version, m.run, EXISTS ("
            "  SELECT 1 FROM matches e WHERE e.topic = m.topic AND e.paper_id = m.paper_id AND e.version < m.version"
            "  AND (e.run <= ? OR e.run IN (SELECT id FROM runs WHERE kind = 'backfill'))"
            "), m.reason FROM matches m JOIN papers p ON p.id = m.paper_id "
            "WHERE m.run > ? AND m.run <= ? AND m.run IN (SELECT id FROM runs WHERE kind = 'daily') "
            "AND m.version = (SELECT MAX(version) FROM matches x WHERE x.topic = m.topic AND x.paper_id = m.paper_id) "
            "ORDER BY p.updated DESC, p.id DESC",
            (after_run, after_run, up_to_run),
        )
        return [MatchRow(str(t), str(p), int(v), int(r), bool(n), why) for t, p, v, r, n, why in rows]


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]
