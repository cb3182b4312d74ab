"""Search the local archive with a topic query: exactly the papers the local matcher selects, newest first.

A query is compiled to an FTS5 expression over the index of ``store/fts.py`` that selects a *superset* of
the matching papers; the candidates stream newest first, each is checked with the matcher itself
(``query.Matcher``), and the search stops at ``limit`` matches. The answer is therefore the matcher's by
construction; the index only decides how few papers are read.

Why each part is a superset (the index holds the matcher's own words, ``store/fts.py``):

- ``ti abs co jr rn`` words and phrases are the same stems in the same positions: exact. A prefix word
  ``net*`` becomes ``(title: net*) OR (words: net*)``: a word starting with ``net`` is its own stem or is
  listed, unstemmed, in ``words`` (which mixes the five fields, so this is a superset).
- ``au``: a phrase or a single word is exact (authors are separated by a token no query word can be);
  several unquoted words become an AND over all authors, a superset of "all in one author".
- ``cat``: exact, through one token per category and per archive; a wildcard is expanded over every
  category ever indexed.
- ``id`` and ``doi``: each literal run of the pattern becomes a phrase whose last token is a prefix (and
  whose first is dropped when it may be the tail of a longer token): a superset. A pattern with no literal
  token restricts nothing.
- ``AND``/``OR`` of supersets are supersets; ``a ANDNOT b`` becomes ``a NOT b`` only when ``b`` compiled
  exactly, and else just ``a``. A term with no words matches nothing, as in the matcher.

When nothing can be restricted (``ANDNOT`` of an inexact part alone, ``id:*``), every paper is a candidate,
read newest first.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from typing import assert_never

from dailypapers.errors import StoreError
from dailypapers.model import Paper, split_id
from dailypapers.query import And, AndNot, Matcher, Node, Not, Or, Term, stem
from dailypapers.query.analysis import split_query_words
from dailypapers.store import fts
from dailypapers.store.door import Door

__all__ = ["Candidates", "SearchPage", "SearchRows", "compile_candidates", "search", "search_page", "search_papers"]

_ALL_FIELDS = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id")  # as query/terms.py reads ``all:``
_ASCII_TOKEN = re.compile(r"[0-9A-Za-z\x80-\U0010ffff]+")  # what FTS5's ascii tokenizer keeps
_FIRST_BATCH_MIN = 20
_BATCH_MAX = 1000
_Papers = Generator[Paper, None, None]
_UNINDEXED = "search_key IS NULL OR search_version != latest_version"  # the partial index papers_unindexed


@dataclass(frozen=True, slots=True)
class Candidates:
    """A compiled query: an FTS5 expression selecting a superset of the matches.

    ``expression`` None means no restriction (every paper); ``""`` means no paper at all. ``exact`` says
    the expression selects exactly the matches, which is what allows it under ``NOT``.
    """

    expression: str | None
    exact: bool

    @property
    def nothing(self) -> bool:
        return self.expression == ""


_NOTHING = Candidates("", exact=True)
_EVERYTHING = Candidates(None, exact=True)
_UNRESTRICTED = Candidates(None, exact=False)


def search(db: sqlite3.Connection, node: Node, *, limit: int = 20) -> list[tuple[str, int]]:
    """(id, latest version) of the first ``limit`` papers that match ``node``, newest first.

    Newest first is by the latest version's ``updated``, then by id, both descending. Raises StoreError
    when the index is incomplete or was built by another analysis.
    """
    return [(paper.id, paper.version) for paper in search_papers(db, node, limit=limit)]


def search_papers(db: sqlite3.Connection, node: Node, *, limit: int = 20) -> list[Paper]:
    """Like ``search``, with each paper's latest version as stored."""
    with closing(_matches(db, node, limit)) as stream:
        return list(islice(stream, max(limit, 0)))


@dataclass(frozen=True, slots=True)
class SearchPage:
    """A page of a search: its papers, and how many papers match in all, counted up to a cap (``complete``
    False: more than ``found`` match)."""

    papers: list[Paper]
    found: int
    complete: bool


def search_page(
    db: sqlite3.Connection, node: Node, *, offset: int, limit: int, cap: int, partial: bool = False
) -> SearchPage:
    """The matches ``offset`` to ``offset + limit`` (newest first), and the count of all matches up to ``cap``.

    When the index selects exactly the matches (``Candidates.exact``), the count is the index's alone; else
    every match counted is read and checked by the matcher. Either way the cost follows ``cap``, not the archive.
    ``partial`` searches the papers indexed so far when some are not (a back-fill's): a reader that must not
    write says so beside the answer. An index of another analysis is a StoreError either way.
    """
    compiled = _compiled(db, node, partial)
    wanted = offset + limit
    with closing(_checked(db, Matcher(node), compiled, wanted)) as stream:
        read = list(islice(stream, wanted if compiled.exact else max(cap, wanted) + 1))
    found = len(read)
    if compiled.exact and not compiled.nothing:
        with closing(fts.candidates(db, compiled.expression)) as keys:
            found = sum(1 for _ in islice(keys, max(cap, wanted) + 1))
    return SearchPage(read[offset:wanted], min(found, cap), found <= cap)


def _compiled(db: sqlite3.Connection, node: Node, partial: bool = False) -> Candidates:
    """The candidates of ``node``; a StoreError when the index cannot answer (with ``partial``, only when it
    was built by another analysis)."""
    problem = fts.index_problem(db)
    if problem and not (partial and index_is_current(db)):
        raise StoreError(problem)
    return compile_candidates(node, lambda: fts.known_categories(db))


def _matches(db: sqlite3.Connection, node: Node, first: int) -> _Papers:
    """Every paper that matches ``node``, newest first, read in batches of ``first`` candidates, then twice
    as many each time, up to ``_BATCH_MAX``. Raises StoreError, at once, when the index cannot answer."""
    return _checked(db, Matcher(node), _compiled(db, node), first)


def _checked(db: sqlite3.Connection, matcher: Matcher, compiled: Candidates, first: int) -> _Papers:
    if compiled.nothing:
        return
    stream = fts.candidates(db, compiled.expression)
    try:
        size = max(first, _FIRST_BATCH_MIN)
        while batch := list(islice(stream, size)):
            yield from (paper for paper in fts.load_papers(db, batch) if matcher.matches(paper))
            size = min(size * 2, _BATCH_MAX)
    finally:
        stream.close()


def index_is_current(db: sqlite3.Connection) -> bool:
    """Whether the index was built by this version's analysis (papers may still be missing from it)."""
    return "another version" not in (fts.index_problem(db) or "")


class SearchRows(Door):
    """Searching with pages and a count, and what the index lacks (part of ``Store``; ``Store.search`` gives the
    first matches alone)."""

    def search_page(
        self, node: Node, *, offset: int = 0, limit: int = 20, cap: int = 500, partial: bool = False
    ) -> SearchPage:
        """``search_page`` over this store: a StoreError when the index was built by another analysis, or, unless
        ``partial``, lacks papers (``update_search_index`` mends both)."""
        return search_page(self._db, node, offset=offset, limit=limit, cap=cap, partial=partial)

    def unindexed_papers(self) -> int:
        """How many papers the search index lacks or holds at an older version (a back-fill leaves them)."""
        return int(self._db.execute(f"SELECT COUNT(*) FROM papers WHERE {_UNINDEXED}").fetchone()[0])

    def search_index_is_current(self) -> bool:
        """Whether the index was built by this version's analysis; when not, it must be rebuilt to answer."""
        return index_is_current(self._db)


def compile_candidates(node: Node, categories: Callable[[], Sequence[str]]) -> Candidates:
    """The FTS5 candidates of ``node``; ``categories`` lists the indexed categories (asked only if needed)."""
    return _Compiler(categories).compile(node)


class _Compiler:
    def __init__(self, categories: Callable[[], Sequence[str]]) -> None:
        self._categories = categories
        self._known: Sequence[str] | None = None

    def compile(self, node: Node) -> Candidates:
        match node:
            case Term():
                return self._term(node)
            case And(operands=operands):
                return _and([self.compile(child) for child in operands])
            case Or(operands=operands):
                return _or([self.compile(child) for child in operands])
            case AndNot(left=left, right=right):
                return _but_not(self.compile(left), self.compile(right))
            case Not(operand=operand):
                return _but_not(_EVERYTHING, self.compile(operand))
            case _:
                assert_never(node)

    def _term(self, term: Term) -> Candidates:
        if term.field == "all":
            return _or([self._term(under) for field in _ALL_FIELDS if (under := term.under(field))])
        if term.field in fts.TEXT_COLUMNS:
            return _text(fts.TEXT_COLUMNS[term.field], term)
        if term.field == "au":
            return _author(term)
        if term.field == "cat":
            return self._category(term.text.lower())
        if term.field == "id":
            return _id(term.text)
        return _pattern("doi", term.text.lower())

    def _category(self, pattern: str) -> Candidates:
        """As ``query/terms.py``: a wildcard, a category (with a dot), or an archive and its categories."""
        if "*" in pattern:
            if self._known is None:
                self._known = self._categories()
            wildcard = re.compile(".*".join(map(re.escape, pattern.split("*"))))
            tokens = [fts.category_token(c) for c in sorted(self._known) if wildcard.fullmatch(c)]
        elif "." in pattern:
            tokens = [fts.category_token(pattern)]
        else:
            tokens = [fts.category_token(pattern), fts.archive_token(pattern)]
        if not tokens:
            return _NOTHING
        return Candidates(f"categories : ({' OR '.join(map(_quote, tokens))})", exact=True)


def _text(column: str, term: Term) -> Candidates:
    words = split_query_words(term.text)
    if not words:
        return _NOTHING
    if not any(prefix for _, prefix in words):
        joiner = " + " if term.phrase else " AND "
        return Candidates(f"{column} : ({joiner.join(_quote(stem(word)) for word, _ in words)})", exact=True)
    if not term.phrase:
        each = [_prefix(column, word) if prefix else f"{column} : {_quote(stem(word))}" for word, prefix in words]
        return Candidates(" AND ".join(f"({part})" for part in each), exact=False)
    parts: list[str] = []
    run: list[str] = []  # a run of whole words inside a phrase is still a phrase
    for word, prefix in words:
        if prefix:
            parts.extend([f"{column} : ({' + '.join(run)})"] if run else [])
            parts.append(_prefix(column, word))
            run = []
        else:
            run.append(_quote(stem(word)))
    parts.extend([f"{column} : ({' + '.join(run)})"] if run else [])
    return Candidates(" AND ".join(f"({part})" for part in parts), exact=False)


def _prefix(column: str, word: str) -> str:
    """Stems of the column that start with ``word``, or unstemmed words of any text field that do."""
    return f"({column} : {_quote(word)} *) OR (words : {_quote(word)} *)"


def _author(term: Term) -> Candidates:
    words = split_query_words(term.text, possessive=False)
    if not words:
        return _NOTHING
    tokens = [_quote(word) + (" *" if prefix else "") for word, prefix in words]
    if term.phrase or len(tokens) == 1:
        return Candidates(f"authors : ({' + '.join(tokens)})", exact=True)
    return Candidates(f"authors : ({' AND '.join(tokens)})", exact=False)


def _id(text: str) -> Candidates:
    if "*" in text:
        return _pattern("ids", text.lower())
    try:
        wanted, version = split_id(text)
    except ValueError:
        return _NOTHING
    spelled = f"{wanted}v{version}" if version is not None else wanted
    tokens = _ASCII_TOKEN.findall(spelled.lower())
    return Candidates(f"ids : ({' + '.join(map(_quote, tokens))})", exact=False)


def _pattern(column: str, pattern: str) -> Candidates:
    """A ``*`` wildcard, fully matched against the column's (lower-case) value, as a superset.

    Each literal run between stars occurs in the value: its tokens stand next to each other there, but its
    last token may go on (a prefix) and, unless the run starts the pattern or starts with a separator, its
    first token may be the tail of a longer one (dropped).
    """
    phrases: list[str] = []
    for index, run in enumerate(pattern.split("*")):
        found = list(_ASCII_TOKEN.finditer(run))
        if index > 0 and found and found[0].start() == 0:
            found = found[1:]
        if found:
            tokens = [_quote(match.group()) for match in found]
            phrases.append(f"{column} : ({' + '.join(tokens)} *)")
    if not phrases:
        return _UNRESTRICTED
    return Candidates(" AND ".join(f"({phrase})" for phrase in phrases), exact=False)


def _quote(token: str) -> str:
    return '"' + fts.fts_word(token).replace('"', '""') + '"'


def _and(parts: list[Candidates]) -> Candidates:
    if any(part.nothing for part in parts):
        return _NOTHING
    exact = all(part.exact for part in parts)
    restricting = [part.expression for part in parts if part.expression is not None]
    if not restricting:
        return Candidates(None, exact)
    return Candidates(" AND ".join(f"({expression})" for expression in restricting), exact)


def _or(parts: list[Candidates]) -> Candidates:
    kept = [part for part in parts if not part.nothing]
    if not kept:
        return _NOTHING
    exact = all(part.exact for part in kept)
    if any(part.expression is None for part in kept):
        return Candidates(None, exact)
    return Candidates(" OR ".join(f"({part.expression})" for part in kept), exact)


def _but_not(wanted: Candidates, unwanted: Candidates) -> Candidates:
    """``wanted ANDNOT unwanted``: FTS5's NOT when ``unwanted`` is exact, else ``wanted`` unrestricted by it."""
    if wanted.nothing or unwanted.nothing:
        return wanted
    if not unwanted.exact:
        return Candidates(wanted.expression, exact=False)
    if unwanted.expression is None:
        return _NOTHING
    left = wanted.expression if wanted.expression is not None else f"categories : {_quote(fts.UNIVERSE)}"
    return Candidates(f"({left}) NOT ({unwanted.expression})", wanted.exact)
