"""The full-text index behind ``dailypapers search``: an FTS5 table over each paper's latest version.

The index holds text already analysed by the query package (``query/analysis.py``), not raw text, and
tokenises it with FTS5's plain ``ascii`` tokenizer, which splits only at ASCII punctuation and spaces. A word
may hold ASCII punctuation (``e.g``, ``3.5``, ``1,000``, ``don't``, ``x_1``: Unicode's word-boundary rules join
them), so each ASCII character other than a letter or digit is written as a private-use character
(``fts_word``), which no analysed word contains, in the index and in every query alike. Each indexed token is
therefore exactly one word as the local matcher sees it: a Porter stem from
``query/porter.py`` for titles, abstracts, comments, journal references and report numbers, a folded word
for author names. SQLite's own ``porter unicode61`` would disagree with the matcher on TeX accents
(``Schr\\"odinger`` gives ``schr`` and ``oding``), on possessives (``Bob's`` gives ``bob`` and ``s``), on
letters such as ``ø`` and ``æ``, and on a few stems (``ies``, ``eed``); analysing in Python on both sides
removes every such difference instead of working around each. ``search.py`` compiles a query against the
same layout.

Columns (``search_index``):

- ``title abstract comment journal_ref report_no``: the stems of each field, in order, so that an FTS5
  phrase is the matcher's phrase.
- ``words``: the words of those five fields whose stem differs from the word (``networks``), unstemmed. A
  prefix query ``ti:net*`` compares unstemmed words; a word that starts with ``net`` is either its own stem
  (found by ``title: net*``) or listed here (found by ``words: net*``).
- ``authors``: each author's folded words, authors separated by ``¦``, which no query word can contain, so
  a phrase never runs from one author into the next.
- ``categories``: one token per category, the hex of its lower-case name (``cs.dc`` is ``63732e6463``),
  ``x`` + hex of its archive when it has one, and ``all`` in every row (the universe that ``NOT`` needs).
- ``ids``: ``2401.12345 2401.12345v2``; ``doi``: the DOI in lower case.

The table is contentless: deleting a row needs the values it was indexed with, and these are recomputed
from the stored version. ``ANALYSIS`` names the analysis an index was built with; when the analysis
changes, the whole index must be rebuilt (``rebuild``), as both deletes and queries depend on it.

Rowids order by recency (``_key``): the minute of the paper's latest ``updated``, shifted left 20 bits,
plus 20 bits of ``crc32(id)``, moved on at a collision. ``ORDER BY rowid DESC`` then streams newest first
without sorting, and ``candidates`` sorts each minute exactly by (``updated``, ``id``) descending.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Generator, Iterable
from datetime import datetime

from dailypapers.errors import StoreError
from dailypapers.model import Paper
from dailypapers.query.analysis import Document, analyse
from dailypapers.store.reading import load_papers

__all__ = [
    "ANALYSIS",
    "AUTHOR_BREAK",
    "FTS_MIGRATION",
    "TEXT_COLUMNS",
    "UNIVERSE",
    "archive_token",
    "candidates",
    "category_token",
    "fts_word",
    "index_many",
    "index_paper",
    "index_pending",
    "index_problem",
    "known_categories",
    "load_papers",
    "rebuild",
    "remove_paper",
]

ANALYSIS = "2"
"""Bump whenever ``query/analysis.py`` or ``query/porter.py`` change the words of a field."""

FTS_MIGRATION = """
    ALTER TABLE papers ADD COLUMN search_key INTEGER;
    ALTER TABLE papers ADD COLUMN search_version INTEGER;
    CREATE UNIQUE INDEX papers_search_key ON papers (search_key);
    CREATE VIRTUAL TABLE search_index USING fts5 (
        title, abstract, comment, journal_ref, report_no, words, authors, categories, ids, doi,
        content = '', columnsize = 0, detail = full, tokenize = 'ascii'
    );
    CREATE TABLE search_categories (category TEXT PRIMARY KEY) WITHOUT ROWID;
"""

TEXT_COLUMNS = {"ti": "title", "abs": "abstract", "co": "comment", "jr": "journal_ref", "rn": "report_no"}
AUTHOR_BREAK = "¦"
UNIVERSE = "all"

_COLUMNS = "title, abstract, comment, journal_ref, report_no, words, authors, categories, ids, doi"
_INSERT = f"INSERT INTO search_index (rowid, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_DELETE = (
    f"INSERT INTO search_index (search_index, rowid, {_COLUMNS}) VALUES ('delete', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SHIFT = 20
_LOW = (1 << _SHIFT) - 1
_STATE_KEY = "search_analysis"
_SQL_VARIABLES = 450  # two per paper in some statements; stays under SQLite's old limit of 999


_PRIVATE = {code: 0xE000 + code for code in range(0x80) if not chr(code).isalnum()}


def fts_word(word: str) -> str:
    """``word`` as one token of the ``ascii`` tokenizer: ASCII punctuation (and space) as private-use characters.

    Private-use characters are never part of a word (Unicode gives them no word-boundary class), so two
    different words stay different.
    """
    return word.translate(_PRIVATE)


def category_token(category: str) -> str:
    """One token per category, whatever characters it has: hex of the lower-case name's UTF-8."""
    return category.lower().encode("utf-8").hex()


def archive_token(archive: str) -> str:
    """The token every category of ``archive`` carries (``cs`` for ``cs.DC``); ``x`` is not a hex digit."""
    return "x" + category_token(archive)


def _row(paper: Paper) -> tuple[str, ...]:
    """The column values of ``paper``, computed by the matcher's own analysis, always in the same order."""
    document = analyse(paper)
    stems = [" ".join(map(fts_word, document.text(field).stems)) for field in TEXT_COLUMNS]
    words: dict[str, None] = {}
    for field in TEXT_COLUMNS:
        analysed = document.text(field)
        words.update(dict.fromkeys(w for w, s in zip(analysed.tokens, analysed.stems, strict=True) if w != s))
    authors = f" {AUTHOR_BREAK} ".join(" ".join(map(fts_word, name.tokens)) for name in document.authors)
    ids = f"{paper.id} {paper.versioned_id}".lower()
    return (*stems, " ".join(map(fts_word, words)), authors, _categories(document), ids, (paper.doi or "").lower())


def _categories(document: Document) -> str:
    tokens = [UNIVERSE]
    for category in sorted(document.categories):
        tokens.append(category_token(category))
        if "." in category:
            tokens.append(archive_token(category.split(".", 1)[0]))
    return " ".join(dict.fromkeys(tokens))


def _minute(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def _key(db: sqlite3.Connection, paper: Paper, taken: set[int]) -> int:
    """A free rowid in the paper's minute: ``crc32(id)``'s low bits, or the next free one after them."""
    base = _minute(paper.updated) << _SHIFT
    used = taken | {
        int(row[0])
        for row in db.execute("SELECT search_key FROM papers WHERE search_key BETWEEN ? AND ?", (base, base + _LOW))
    }
    low = zlib.crc32(paper.id.encode("utf-8")) & _LOW
    for step in range(_LOW + 1):
        key = base + ((low + step) & _LOW)
        if key not in used:
            return key
    raise StoreError(f"more than {_LOW + 1} papers updated in the minute of {paper.id}; cannot index it")


# --- writing -------------------------------------------------------------------------------------------


def index_paper(db: sqlite3.Connection, paper: Paper) -> None:
    """Index the latest stored version of ``paper``'s paper; call it in the transaction that stored ``paper``.

    ``paper`` must be a stored version. If it is the latest, it is indexed as given; if a newer version is
    stored, that one is read and indexed. A paper indexed at an older version is re-keyed (its row deleted
    and indexed again under the rowid of its new ``updated``). Indexing a paper twice changes nothing.
    """
    index_many(db, [paper])


def index_many(db: sqlite3.Connection, papers: Iterable[Paper]) -> int:
    """``index_paper`` for many stored versions at once, in a few statements; returns the rows written."""
    given: dict[str, Paper] = {}
    for paper in papers:
        known = given.get(paper.id)
        if known is None or paper.version > known.version:
            given[paper.id] = paper
    state = _index_state(db, list(given))
    _record_analysis_of_a_new_index(db)
    rows: list[tuple[object, ...]] = []
    keys: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for paper_id, (latest, key, indexed) in state.items():
        if key is not None and indexed == latest:
            continue
        if key is not None and indexed is not None:
            _delete(db, key, load_papers(db, [(paper_id, indexed)])[0])
        paper = given[paper_id]
        if paper.version != latest:
            paper = load_papers(db, [(paper_id, latest)])[0]
        new_key = _key(db, paper, taken)
        taken.add(new_key)
        rows.append((new_key, *_row(paper)))
        keys.append((new_key, latest, paper_id))
        _remember_categories(db, paper)
    db.executemany(_INSERT, rows)
    db.executemany("UPDATE papers SET search_key = ?, search_version = ? WHERE id = ?", keys)
    return len(rows)


def _record_analysis_of_a_new_index(db: sqlite3.Connection) -> None:
    """An index that holds no paper yet is about to be built with this analysis: say so.

    An index without a record was built before analyses were recorded (``ANALYSIS`` "1"), unless it is empty.
    """
    if db.execute("SELECT 1 FROM state WHERE key = ?", (_STATE_KEY,)).fetchone() is not None:
        return
    if not _any_indexed(db):
        db.execute("INSERT INTO state (key, value) VALUES (?, ?)", (_STATE_KEY, ANALYSIS))


def _any_indexed(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM papers WHERE search_key IS NOT NULL LIMIT 1").fetchone() is not None


def _index_state(db: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[int, int | None, int | None]]:
    """Each paper's latest version, rowid and indexed version; a paper not stored is an error."""
    state: dict[str, tuple[int, int | None, int | None]] = {}
    for offset in range(0, len(ids), _SQL_VARIABLES):
        chunk = ids[offset : offset + _SQL_VARIABLES]
        marks = ", ".join("?" * len(chunk))
        for paper_id, latest, key, indexed in db.execute(
            f"SELECT id, latest_version, search_key, search_version FROM papers WHERE id IN ({marks})", chunk
        ):
            state[str(paper_id)] = (int(latest), key, indexed)
    missing = [paper_id for paper_id in ids if paper_id not in state]
    if missing:
        raise StoreError(f"cannot index {missing[0]}: the paper is not stored")
    return state


def _remember_categories(db: sqlite3.Connection, paper: Paper) -> None:
    """Keep every category ever indexed, so that ``cat:`` wildcards can be expanded to the categories."""
    listed = {category.lower() for category in (paper.primary_category, *paper.categories)}
    db.executemany("INSERT OR IGNORE INTO search_categories (category) VALUES (?)", [(c,) for c in listed])


def _delete(db: sqlite3.Connection, key: int, indexed: Paper) -> None:
    db.execute(_DELETE, (key, *_row(indexed)))


def remove_paper(db: sqlite3.Connection, paper_id: str) -> None:
    """Take a paper out of the index (before its rows are deleted from the store)."""
    row = db.execute("SELECT search_key, search_version FROM papers WHERE id = ?", (paper_id,)).fetchone()
    if row is None or row[0] is None:
        return
    key, indexed = int(row[0]), int(row[1])
    _delete(db, key, load_papers(db, [(paper_id, indexed)])[0])
    db.execute("UPDATE papers SET search_key = NULL, search_version = NULL WHERE id = ?", (paper_id,))


def index_pending(db: sqlite3.Connection, batch: int = 2000) -> int:
    """Index every paper stored without ``index_paper`` (before the index existed); returns how many."""
    pending = [
        (str(paper_id), int(version))
        for paper_id, version in db.execute(
            "SELECT id, latest_version FROM papers WHERE search_key IS NULL OR search_version != latest_version"
        )
    ]
    for offset in range(0, len(pending), batch):
        index_many(db, load_papers(db, pending[offset : offset + batch]))
    return len(pending)


def rebuild(db: sqlite3.Connection) -> int:
    """Index every paper again from the store, with this version's analysis; returns how many."""
    db.execute("INSERT INTO search_index (search_index) VALUES ('delete-all')")
    db.execute("UPDATE papers SET search_key = NULL, search_version = NULL")
    count = index_pending(db)
    db.execute(
        "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_STATE_KEY, ANALYSIS),
    )
    return count


# --- reading -------------------------------------------------------------------------------------------


def index_problem(db: sqlite3.Connection) -> str | None:
    """Why the index cannot answer exactly yet, or None. Cheap: a few indexed lookups."""
    row = db.execute("SELECT value FROM state WHERE key = ?", (_STATE_KEY,)).fetchone()
    if (row[0] if row else "1" if _any_indexed(db) else ANALYSIS) != ANALYSIS:
        return "the search index was built by another version of dailypapers; rebuild it"
    if db.execute("SELECT 1 FROM papers WHERE search_key IS NULL LIMIT 1").fetchone():
        return "some papers are not in the search index yet; index them"
    return None


def known_categories(db: sqlite3.Connection) -> list[str]:
    """Every category (lower case) a paper in the index has had; a superset of those it has now."""
    return [str(row[0]) for row in db.execute("SELECT category FROM search_categories")]


def candidates(db: sqlite3.Connection, fts_query: str | None) -> Generator[tuple[str, int], None, None]:
    """(id, latest version) of the papers whose row matches ``fts_query``, newest first; all when None.

    Newest first means by the latest ``updated``, then by id, both descending. Rowids already order by the
    minute of ``updated``; each minute's rows are read whole and sorted exactly.
    """
    if fts_query is None:
        rows = db.execute(
            "SELECT search_key, updated, id, latest_version FROM papers WHERE search_key IS NOT NULL "
            "ORDER BY search_key DESC"
        )
    else:
        rows = db.execute(
            "SELECT s.rowid, p.updated, p.id, p.latest_version FROM search_index s "
            "JOIN papers p ON p.search_key = s.rowid WHERE search_index MATCH ? ORDER BY s.rowid DESC",
            (fts_query,),
        )
    try:
        minute: list[tuple[str, str, int]] = []
        current = None
        for key, updated, paper_id, version in rows:
            if key >> _SHIFT != current:
                minute.sort(reverse=True)
                yield from ((paper_id_, version_) for _, paper_id_, version_ in minute)
                minute, current = [], key >> _SHIFT
            minute.append((updated, paper_id, version))
        minute.sort(reverse=True)
        yield from ((paper_id_, version_) for _, paper_id_, version_ in minute)
    finally:
        rows.close()
