"""Papers and their versions, with authors, affiliations and categories (part of ``Store``).

Every version of a paper is kept; the ``papers`` row follows its latest version. Many papers are written in
a handful of statements, and read in pages (``reading.py``), never a handful of statements per paper.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dailypapers.arxiv.dates import iso
from dailypapers.errors import StoreError
from dailypapers.model import Author, Paper
from dailypapers.query import Node
from dailypapers.store import scope as scopes
from dailypapers.store.door import Door, in_scope_by_matcher
from dailypapers.store.reading import PAGE
from dailypapers.store.rows import parse_iso

# SQLite's default limit on bound variables in one statement is 999 before 3.32; stay under it.
_SQL_VARIABLES = 900


class PaperRows(Door):
    """The ``papers``, ``versions``, ``authors``, ``affiliations`` and ``categories`` tables."""

    def has_version(self, paper_id: str, version: int) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM versions WHERE paper_id = ? AND version = ?", (paper_id, version)
        ).fetchone()
        return row is not None

    def known_paper(self, paper_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is not None

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
            rows = self._db.execute(f"SELECT paper_id, version FROM versions WHERE paper_id IN ({marks})", chunk)
            known.update((str(paper_id), int(version)) for paper_id, version in rows)
        return known

    def _insert_versions(self, papers: list[Paper], run: int | None) -> None:
        self._db.executemany(
            "INSERT INTO papers (id, latest_version, published, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET latest_version = excluded.latest_version, updated = excluded.updated, "
            "published = MIN(papers.published, excluded.published) "
            "WHERE excluded.latest_version > papers.latest_version",
            [(p.id, p.version, iso(p.published), iso(p.updated)) for p in papers],
        )
        self._db.executemany(
            "INSERT INTO versions (paper_id, version, title, abstract, primary_category, published, updated, "
            "comment, journal_ref, doi, report_no, first_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_version_row(p, run) for p in papers],
        )
        self._insert_lists(papers)

    def _insert_lists(self, papers: list[Paper]) -> None:
        """Each version's authors (with their affiliations) and categories, in their order."""
        self._db.executemany(
            "INSERT INTO authors (paper_id, version, position, name) VALUES (?, ?, ?, ?)",
            [(p.id, p.version, i, author.name) for p in papers for i, author in enumerate(p.authors)],
        )
        self._db.executemany(
            "INSERT INTO affiliations (paper_id, version, author_position, position, name) VALUES (?, ?, ?, ?, ?)",
            [
                (p.id, p.version, i, j, name)
                for p in papers
                for i, author in enumerate(p.authors)
                for j, name in enumerate(author.affiliations)
            ],
        )
        self._db.executemany(
            "INSERT INTO categories (paper_id, version, position, category) VALUES (?, ?, ?, ?)",
            [(p.id, p.version, i, category) for p in papers for i, category in enumerate(p.categories)],
        )

    def latest(self, paper_id: str) -> Paper | None:
        row = self._db.execute("SELECT latest_version FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return None if row is None else self.paper(paper_id, int(row[0]))

    def paper(self, paper_id: str, version: int) -> Paper:
        """One stored version; many are read with ``papers``, a page at a time."""
        self.papers_read += 1
        row = self._db.execute(
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
                for r in self._db.execute(
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
        for position, name in self._db.execute(
            "SELECT author_position, name FROM affiliations WHERE paper_id = ? AND version = ? "
            "ORDER BY author_position, position",
            (paper_id, version),
        ):
            affiliations.setdefault(int(position), []).append(str(name))
        return tuple(
            Author(str(name), tuple(affiliations.get(int(position), ())))
            for position, name in self._db.execute(
                "SELECT position, name FROM authors WHERE paper_id = ? AND version = ? ORDER BY position",
                (paper_id, version),
            )
        )

    def latest_papers(self) -> Iterator[Paper]:
        """Every paper in the archive, at its latest version, by id; read a page at a time."""
        rows = self._db.execute("SELECT id, latest_version FROM papers ORDER BY id").fetchall()
        keys = [(str(paper_id), int(version)) for paper_id, version in rows]
        for offset in range(0, len(keys), PAGE):
            yield from self._load(keys[offset : offset + PAGE])

    def papers(self, keys: Iterable[tuple[str, int]], scope: Node | None = None) -> dict[tuple[str, int], Paper]:
        """The stored versions ``keys`` (id, version) that are in ``scope`` (a ``cat:`` query; None: all).

        The scope is decided by SQL on the stored categories (``scope.py``), so that a version out of scope is
        never read whole; the versions in it are read a page at a time.
        """
        wanted = list(dict.fromkeys(keys))
        found: dict[tuple[str, int], Paper] = {}
        for offset in range(0, len(wanted), PAGE):
            page = wanted[offset : offset + PAGE]
            inside = self._in_scope(page, scope)
            found.update(((paper.id, paper.version), paper) for paper in inside)
        return found

    def _in_scope(self, page: list[tuple[str, int]], scope: Node | None) -> list[Paper]:
        written = scopes.condition(scope, "v.paper_id", "v.version")
        if scope is None or written is None:
            papers = self._load(page)
            return papers if scope is None else in_scope_by_matcher(scope, papers)
        sql, values = written
        ids = sorted({paper_id for paper_id, _ in page})
        rows = self._db.execute(
            f"SELECT v.paper_id, v.version FROM versions v WHERE v.paper_id IN ({', '.join('?' * len(ids))}) AND {sql}",
            (*ids, *values),
        )
        inside = {(str(paper_id), int(version)) for paper_id, version in rows}
        return self._load([key for key in page if key in inside])

    def paper_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM papers").fetchone()[0])

    def newest_update(self, earliest: str, latest: str) -> str | None:
        """The newest ``updated`` stamp of a paper between two stored stamps (``iso``), as stored."""
        row = self._db.execute(
            "SELECT MAX(updated) FROM papers WHERE updated >= ? AND updated <= ?", (earliest, latest)
        ).fetchone()
        return None if row[0] is None else str(row[0])

    def version_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM versions").fetchone()[0])


def _version_row(p: Paper, run: int | None) -> tuple[object, ...]:
    """The ``versions`` row of ``p``, first stored by ``run``."""
    published, updated = iso(p.published), iso(p.updated)
    return (p.id, p.version, p.title, p.abstract, p.primary_category, published, updated, p.comment,
            p.journal_ref, p.doi, p.report_no, run)  # fmt: skip
