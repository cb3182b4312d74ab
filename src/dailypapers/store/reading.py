"""Reading stored versions in pages: a few statements for a page of papers, never a handful per paper.

Every reader of many papers goes through ``load_papers``: the digest's sections and messages, the search's
candidates, the full-text index when it re-keys a paper. A page is at most ``PAGE`` versions, so that a
statement stays under SQLite's old limit of 999 bound values.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from dailypapers.errors import StoreError
from dailypapers.model import Author, Paper
from dailypapers.store.rows import parse_iso

__all__ = ["PAGE", "load_papers"]

PAGE = 450  # two values per paper in some statements; stays under SQLite's old limit of 999
_VERSION_COLUMNS = (
    "paper_id, version, title, abstract, primary_category, published, updated, comment, journal_ref, doi, report_no"
)


def load_papers(db: sqlite3.Connection, keys: Sequence[tuple[str, int]]) -> list[Paper]:
    """The stored versions ``keys`` (id, version), in that order, as ``Store.paper`` returns them."""
    papers: list[Paper] = []
    for offset in range(0, len(keys), PAGE):
        papers.extend(_load_chunk(db, keys[offset : offset + PAGE]))
    return papers


def _load_chunk(db: sqlite3.Connection, keys: Sequence[tuple[str, int]]) -> list[Paper]:
    wanted = set(keys)
    ids = sorted({paper_id for paper_id, _ in keys})
    versions = sorted({version for _, version in keys})
    where = f"paper_id IN ({', '.join('?' * len(ids))}) AND version IN ({', '.join('?' * len(versions))})"
    params = (*ids, *versions)

    def rows(sql: str) -> Iterator[tuple[tuple[str, int], tuple[Any, ...]]]:
        for row in db.execute(sql.format(where=where), params):
            key = (str(row[0]), int(row[1]))
            if key in wanted:
                yield key, row[2:]

    affiliations: dict[tuple[str, int, int], list[str]] = {}
    for (paper_id, version), (position, name) in rows(
        "SELECT paper_id, version, author_position, name FROM affiliations WHERE {where} "
        "ORDER BY paper_id, version, author_position, position"
    ):
        affiliations.setdefault((paper_id, version, int(position)), []).append(str(name))
    authors: dict[tuple[str, int], list[Author]] = {}
    for key, (position, name) in rows(
        "SELECT paper_id, version, position, name FROM authors WHERE {where} ORDER BY paper_id, version, position"
    ):
        named = tuple(affiliations.get((*key, int(position)), ()))
        authors.setdefault(key, []).append(Author(str(name), named))
    categories: dict[tuple[str, int], list[str]] = {}
    for key, (category,) in rows(
        "SELECT paper_id, version, category FROM categories WHERE {where} ORDER BY paper_id, version, position"
    ):
        categories.setdefault(key, []).append(str(category))
    found = {
        key: _paper(key, values, tuple(authors.get(key, ())), tuple(categories.get(key, ())))
        for key, values in rows(f"SELECT {_VERSION_COLUMNS} FROM versions WHERE {{where}}")
    }
    missing = [key for key in keys if key not in found]
    if missing:
        raise StoreError(f"no version {missing[0][1]} of {missing[0][0]} is stored")
    return [found[key] for key in keys]


def _paper(
    key: tuple[str, int], values: tuple[Any, ...], authors: tuple[Author, ...], categories: tuple[str, ...]
) -> Paper:
    title, abstract, primary, published, updated, comment, journal_ref, doi, report_no = values
    return Paper(
        id=key[0],
        version=key[1],
        title=str(title),
        abstract=str(abstract),
        authors=authors,
        categories=categories,
        primary_category=str(primary),
        published=parse_iso(str(published)),
        updated=parse_iso(str(updated)),
        comment=None if comment is None else str(comment),
        journal_ref=None if journal_ref is None else str(journal_ref),
        doi=None if doi is None else str(doi),
        report_no=None if report_no is None else str(report_no),
    )
