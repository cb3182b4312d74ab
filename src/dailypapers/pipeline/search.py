"""Searching the local archive: read the query as every search does, bring the search index up to date when
needed, then search it.

A back-fill stores papers without indexing them, so that harvesting stays fast; the first search after it
indexes what is missing (under the database lock, as any write), and later searches only read; the reader, whose
GETs never write, indexes only when asked (a button, ``serve/search.py``). The command line and the reader both
read a query with ``read_query``, so a malformed one gets the same message and caret.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dailypapers.arxiv.taxonomy import check_query_categories
from dailypapers.config import Config
from dailypapers.model import Paper
from dailypapers.query import Node, QueryWarning, lint, parse
from dailypapers.store import Store, database_lock, existing_database


def read_query(source: str) -> tuple[Node, tuple[QueryWarning, ...]]:
    """``source`` as a search: its tree and its warnings (``query.lint``). A malformed query, or a ``cat:`` term
    arXiv has no category for, is a QuerySyntaxError whose text is the message, the query and a caret."""
    node = parse(source)
    check_query_categories(source)
    return node, lint(source)


def index_for_search(store: Store, database: Path, log: Callable[[str], None] = lambda message: None) -> None:
    """Index what a back-fill left unindexed, under the database lock; nothing when the index is complete.
    A run holding the lock is a RunInProgressError: the search must wait for it."""
    if store.search_index_problem() is None:
        return
    with database_lock(database), store.transaction():
        indexed = store.update_search_index()
    if indexed:
        log(f"indexed {indexed} papers for search")


def search_archive(
    config: Config, node: Node, *, limit: int = 20, log: Callable[[str], None] = lambda message: None
) -> list[Paper]:
    """The newest ``limit`` papers of the archive that match ``node``, exactly as a topic would."""
    with Store.open(existing_database(config.database)) as store:
        index_for_search(store, config.database, log)
        return store.search(node, limit=limit)
