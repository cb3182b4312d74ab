"""A paper's stored versions, and the papers of the archive most like it (part of ``Store``).

"More like this" asks the full-text index (``fts.py``) one question: which papers share the most distinctive
words of this paper's title and abstract. The words are the paper's own stems, analysed as the index analyses
them; how distinctive each is comes from its document frequency among the papers indexed around the paper's
own date (``WINDOW`` papers on either side, found by rowid, which orders by recency). Counting a word over a
window costs at most the window, however common the word is in the archive, and a window keeps the estimate
true to the vocabulary of the paper's time. The ``TERMS`` words with the highest tf·idf then make one
``MATCH '{title abstract}: (a OR b OR …)'`` over the whole archive, ordered by ``bm25()`` with the title
weighted above the abstract (https://www.sqlite.org/fts5.html#the_bm25_function). Only words rare enough in
the window (``COMMON``) take part, so the rows the final query scores stay a small share of the archive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from dailypapers.errors import StoreError
from dailypapers.model import Paper
from dailypapers.query.analysis import analyse
from dailypapers.query.porter import stem
from dailypapers.store import fts
from dailypapers.store.door import Door
from dailypapers.store.rows import parse_iso

WINDOW = 2500
"""Papers on each side of the paper whose words are counted to weigh its own."""
TERMS = 16
"""Words of the paper that make the query."""
COMMON = 250
"""A word in more than this many papers of the window (5% of a full one) is left out: it says little, and in a
large archive it would bring tens of thousands of papers to score. In a small archive no word is left out."""
TITLE_WEIGHT = 2.0
"""A word of the title counts this many times one of the abstract, in choosing words and in ranking."""

# bm25's weight of each column of ``search_index`` (in ``fts.FTS_MIGRATION``'s order): title, abstract, no other.
_COLUMN_WEIGHTS = (TITLE_WEIGHT, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
# Lucene's English stop words (and a few more), as stems: in nearly every abstract, never worth counting.
_STOP_WORDS = ("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no",
               "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
               "to", "was", "will", "with", "we", "our", "has", "have", "which", "from", "can")  # fmt: skip
_STOP = frozenset(stem(word) for word in _STOP_WORDS)


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """One stored version of a paper: its number and when it was submitted (``updated`` of that version)."""

    version: int
    submitted: datetime


class SimilarRows(Door):
    """Reads of ``versions`` and ``search_index`` for a paper's page."""

    def stored_versions(self, paper_id: str) -> list[StoredVersion]:
        """Every stored version of ``paper_id``, oldest first (none when the paper is not stored)."""
        rows = self._db.execute(
            "SELECT version, updated FROM versions WHERE paper_id = ? ORDER BY version", (paper_id,)
        )
        return [StoredVersion(int(version), parse_iso(str(updated))) for version, updated in rows]

    def similar_papers(self, paper: Paper, limit: int = 10) -> list[Paper]:
        """Up to ``limit`` papers (latest versions) whose title and abstract are most like ``paper``'s, most
        alike first, never ``paper`` itself. A StoreError when the index was built by another analysis."""
        problem = fts.index_problem(self._db)
        if problem is not None and "another version" in problem:
            raise StoreError(f"{self.path}: {problem}")
        words = _weighted_words(paper)
        if not words:
            return []
        chosen = self._distinctive_words(paper, words)
        if not chosen:
            return []
        keys = self._most_alike_keys(chosen, paper.id, limit)
        return self._load(keys)

    def _distinctive_words(self, paper: Paper, words: dict[str, float]) -> list[str]:
        """The ``TERMS`` words of ``words`` with the highest weight × idf over the window around ``paper``."""
        low, high, size = self._around(paper)
        scored: list[tuple[float, str]] = []
        for word, weight in words.items():
            count = self._count_around(word, low, high, cap=COMMON + 1)
            if count > COMMON:
                continue
            idf = math.log(1 + (size - count + 0.5) / (count + 0.5))
            scored.append((weight * idf, word))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [word for _, word in scored[:TERMS]]

    def _around(self, paper: Paper) -> tuple[int, int, int]:
        """The rowids bounding ``WINDOW`` indexed papers on each side of ``paper``'s time, and how many it holds."""
        middle = int(paper.updated.timestamp() // 60) << 20
        low, below = self._side(middle, "<=", "DESC")
        high, above = self._side(middle, ">", "ASC")
        return low, high, max(below + above, 1)

    def _side(self, middle: int, compare: str, order: str) -> tuple[int, int]:
        """The rowid ``WINDOW`` papers away from ``middle`` on one side (or the end of the index) and how many
        papers lie between; counted only when the side holds fewer, which only a small archive's does."""
        found = self._db.execute(
            f"SELECT search_key FROM papers WHERE search_key {compare} ? ORDER BY search_key {order} LIMIT 1 OFFSET ?",
            (middle, WINDOW),
        ).fetchone()
        if found is not None:
            return int(found[0]), WINDOW + 1
        count = self._db.execute(f"SELECT COUNT(*) FROM papers WHERE search_key {compare} ?", (middle,)).fetchone()
        return (-(1 << 62) if order == "DESC" else 1 << 62), int(count[0])

    def _count_around(self, word: str, low: int, high: int, cap: int) -> int:
        """Papers between rowids ``low`` and ``high`` with ``word`` in title or abstract, counted up to ``cap``."""
        row = self._db.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM search_index WHERE search_index MATCH ? "
            "AND rowid BETWEEN ? AND ? LIMIT ?)",
            (f"{{title abstract}}: {_quoted(word)}", low, high, cap),
        ).fetchone()
        return int(row[0])

    def _most_alike_keys(self, words: list[str], paper_id: str, limit: int) -> list[tuple[str, int]]:
        """(id, latest version) of the ``limit`` best papers by bm25 over ``words``, without ``paper_id``."""
        query = "{title abstract}: (" + " OR ".join(map(_quoted, words)) + ")"
        weights = ", ".join("?" * len(_COLUMN_WEIGHTS))
        rows = self._db.execute(
            "SELECT p.id, p.latest_version FROM (SELECT rowid, "
            f"bm25(search_index, {weights}) AS score FROM search_index WHERE search_index MATCH ? "
            "ORDER BY score LIMIT ?) s JOIN papers p ON p.search_key = s.rowid ORDER BY s.score, p.id",
            (*_COLUMN_WEIGHTS, query, limit + 1),
        )
        found = [(str(found_id), int(version)) for found_id, version in rows if found_id != paper_id]
        return found[:limit]


def _weighted_words(paper: Paper) -> dict[str, float]:
    """The stems of the title (each ``TITLE_WEIGHT``) and abstract (each 1), as index tokens; no stop words."""
    document = analyse(paper)
    words: dict[str, float] = {}
    for field, weight in (("ti", TITLE_WEIGHT), ("abs", 1.0)):
        for word in document.text(field).stems:
            if word not in _STOP and len(word) > 1:
                token = fts.fts_word(word)
                words[token] = words.get(token, 0.0) + weight
    return words


def _quoted(word: str) -> str:
    """``word`` as an FTS5 string: one token (``fts_word`` leaves no ASCII punctuation in it), quotes doubled."""
    return '"' + word.replace('"', '""') + '"'
