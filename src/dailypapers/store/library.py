"""The researcher's library (``dailypapers library add``): the papers they keep, as positives for the ranking
(part of ``Store``).

One row per entry of a library file: the arXiv paper it names (``paper_id``, and the version it names or NULL),
or a journal paper known by its title and abstract. ``source`` is the file it came from (its absolute path), so
that adding an export again replaces what the earlier export said instead of counting it twice, and a whole file
can be removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dailypapers.arxiv.dates import iso
from dailypapers.store.door import Door
from dailypapers.store.rows import parse_iso

_COLUMNS = "id, source, line, key, paper_id, version, title, abstract, added"


@dataclass(frozen=True)
class NewEntry:
    """An entry to store (what ``rank.library`` read, without its reading details): ``line`` is where it starts
    in its file."""

    line: int
    key: str | None
    paper_id: str | None
    version: int | None
    title: str
    abstract: str


@dataclass(frozen=True)
class LibraryRow(NewEntry):
    """One stored entry: ``number`` is its row, ``source`` its file, ``added`` when."""

    number: int
    source: str
    added: datetime


class LibraryRows(Door):
    """The ``library`` table."""

    def replace_library(self, source: str, entries: Sequence[NewEntry], when: datetime) -> int:
        """Store the entries read from ``source`` in place of those an earlier reading of it stored; how many
        rows it held before. Runs inside the caller's transaction."""
        before = self._db.execute("SELECT COUNT(*) FROM library WHERE source = ?", (source,)).fetchone()[0]
        self._db.execute("DELETE FROM library WHERE source = ?", (source,))
        self._db.executemany(
            "INSERT INTO library (source, line, key, paper_id, version, title, abstract, added) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(source, e.line, e.key, e.paper_id, e.version, e.title, e.abstract, iso(when)) for e in entries],
        )
        return int(before)

    def library(self) -> list[LibraryRow]:
        """Every entry, file by file in the order they were added, each file's in its order."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM library ORDER BY id")
        return [_row(row) for row in rows]

    def remove_library(self, sources: Sequence[str], paper_ids: Sequence[str]) -> int:
        """Remove every entry from one of ``sources`` or naming one of ``paper_ids``; how many went."""
        removed = 0
        for source in sources:
            removed += self._db.execute("DELETE FROM library WHERE source = ?", (source,)).rowcount
        for paper_id in paper_ids:
            removed += self._db.execute("DELETE FROM library WHERE paper_id = ?", (paper_id,)).rowcount
        return removed

    def library_sources(self) -> list[str]:
        return [str(source) for (source,) in self._db.execute("SELECT DISTINCT source FROM library ORDER BY source")]

    def library_state(self) -> tuple[int, int]:
        """(entries, largest row): changes whenever the library does, for the ranking's cache."""
        count, largest = self._db.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM library").fetchone()
        return int(count), int(largest)


def _row(row: Sequence[object]) -> LibraryRow:
    number, source, line, key, paper_id, version, title, abstract, added = row
    return LibraryRow(
        number=int(str(number)),
        source=str(source),
        line=int(str(line)),
        key=None if key is None else str(key),
        paper_id=None if paper_id is None else str(paper_id),
        version=None if version is None else int(str(version)),
        title=str(title),
        abstract=str(abstract),
        added=parse_iso(str(added)),
    )
