"""Searching the local archive: bring the search index up to date when needed, then search it.

A back-fill stores papers without indexing them, so that harvesting stays fast; the first search after it
indexes what is missing (under the database lock, as any write), and later searches only read.
"""

from __future__ import annotations

from collections.abc import Callable

from dailypapers.config import Config
from dailypapers.model import Paper
from dailypapers.query import Node
from dailypapers.store import Store, database_lock, existing_database


def search_archive(
    config: Config, node: Node, *, limit: int = 20, log: Callable[[str], None] = lambda message: None
) -> list[Paper]:
    """The newest ``limit`` papers of the archive that match ``node``, exactly as a topic would."""
    with Store.open(existing_database(config.database)) as store:
        if store.search_index_problem() is not None:
            with database_lock(config.database), store.transaction():
                indexed = store.update_search_index()
            if indexed:
                log(f"indexed {indexed} papers for search")
        return store.search(node, limit=limit)
