"""What the ranking reads of the archive: titles, abstracts and dates only, many at a time (part of ``Store``).

The ranking reads thousands of papers to train and score, and never their authors, affiliations or categories, so
it reads the latest version's text from ``versions`` alone instead of whole papers (``reading.py``). Its cache is
keyed by ``rank_state``: what changes when the archive, the signals or the library do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from dailypapers.query.analysis import fold
from dailypapers.store.door import Door
from dailypapers.store.rows import parse_iso

_SQL_VARIABLES = 900
_TEXT = (
    "SELECT p.id, p.latest_version, v.title, v.abstract, p.updated FROM papers p "
    "JOIN versions v ON v.paper_id = p.id AND v.version = p.latest_version"
)


@dataclass(frozen=True)
class PaperText:
    """A paper at its latest version, as the ranking reads it."""

    id: str
    version: int
    title: str
    abstract: str
    updated: datetime


class RankRows(Door):
    """Reads for the ranking over ``papers``, ``versions``, ``authors``, ``signals`` and ``library``."""

    def texts(self, paper_ids: Iterable[str]) -> dict[str, PaperText]:
        """The latest versions of these papers that are in the archive."""
        ids = sorted(set(paper_ids))
        found: dict[str, PaperText] = {}
        for offset in range(0, len(ids), _SQL_VARIABLES):
            chunk = ids[offset : offset + _SQL_VARIABLES]
            rows = self._db.execute(f"{_TEXT} WHERE p.id IN ({', '.join('?' * len(chunk))})", chunk)
            found.update((text.id, text) for text in map(_text, rows))
        return found

    def texts_updated(self, since: str, until: str) -> list[PaperText]:
        """The papers whose latest version was updated from ``since`` up to, not including, ``until`` (stored
        stamps), newest first."""
        rows = self._db.execute(
            f"{_TEXT} WHERE p.updated >= ? AND p.updated < ? ORDER BY p.updated DESC, p.id", (since, until)
        )
        return [_text(row) for row in rows]

    def all_texts(self, since: str = "") -> Iterator[PaperText]:
        """Every paper of the archive updated from ``since`` on (a stored stamp; all without it) at its latest
        version, oldest update first."""
        for row in self._db.execute(f"{_TEXT} WHERE p.updated >= ? ORDER BY p.updated, p.id", (since,)):
            yield _text(row)

    def updated_before(self, until: str) -> list[str]:
        """The ids of the papers last updated before ``until``, by id: what a background sample is drawn from."""
        rows = self._db.execute("SELECT id FROM papers WHERE updated < ? ORDER BY id", (until,))
        return [str(paper_id) for (paper_id,) in rows]

    def newest_updated(self) -> str | None:
        row = self._db.execute("SELECT MAX(updated) FROM papers").fetchone()
        return None if row[0] is None else str(row[0])

    def authored(self, names: Sequence[str]) -> list[PaperText]:
        """The papers with an author of one of these names at their latest version (compared folded: accents,
        case and TeX spellings aside)."""
        wanted = {" ".join(fold(name).split()) for name in names}
        if not wanted:
            return []
        rows = self._db.execute(
            "SELECT DISTINCT a.paper_id, a.name FROM authors a JOIN papers p ON p.id = a.paper_id "
            "AND p.latest_version = a.version"
        )
        ids = {str(paper_id) for paper_id, name in rows if " ".join(fold(str(name)).split()) in wanted}
        return sorted(self.texts(ids).values(), key=lambda text: text.id)

    def rank_state(self) -> tuple[int, ...]:
        """Numbers that change whenever the archive, the signals or the library change. The archive's are the
        last row ids (rows are only ever added: a new paper or version takes a higher one), read from the end of
        each table's b-tree, where a count would read a million rows on every page of the reader."""
        papers, versions = self._db.execute(
            "SELECT (SELECT COALESCE(MAX(rowid), 0) FROM papers), (SELECT COALESCE(MAX(rowid), 0) FROM versions)"
        ).fetchone()
        signals, library, entries = self._db.execute(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM signals), (SELECT COALESCE(MAX(id), 0) FROM library), "
            "(SELECT COUNT(*) FROM library)"
        ).fetchone()
        return int(papers), int(versions), int(signals), int(library), int(entries)


def _text(row: Sequence[object]) -> PaperText:
    paper_id, version, title, abstract, updated = row
    return PaperText(str(paper_id), int(str(version)), str(title), str(abstract), parse_iso(str(updated)))
