"""``dailypapers library add|list|remove``: the researcher's library, a source of positives for the ranking.

Adding reads every file first (an unreadable one is an error before anything changes), then fetches the arXiv
papers the archive lacks from the export API in ``id_list`` batches (network first, as a daily run does), then
stores the papers and the entries in one transaction, under the database lock. Adding a file again replaces what
it added before. The fetched papers join the archive and its search index, but match no topic: they are not news.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dailypapers.arxiv.api import ExportApi
from dailypapers.config import Config
from dailypapers.errors import ConfigError
from dailypapers.model import Paper, paper_reference
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.fetch import new_http
from dailypapers.rank.library import LibraryFile, Skipped, read_library
from dailypapers.store import Store, database_errors, database_lock, existing_database
from dailypapers.store.library import LibraryRow, NewEntry


@dataclass(frozen=True)
class AddedFile:
    """What one file added: its entries, how many name an arXiv paper, and what was skipped."""

    path: Path
    kind: str
    entries: int
    arxiv: int
    replaced: int
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class Added:
    files: tuple[AddedFile, ...]
    fetched: int  # papers brought from the export API
    unanswered: tuple[str, ...]  # ids the export API had no paper for (kept by their entry's own text)
    requests: int


def add_library(env: Environment, paths: Sequence[Path]) -> Added:
    """Read ``paths`` and store their entries (and the arXiv papers they name that the archive lacks)."""
    files = [read_library(path) for path in paths]
    config = env.config
    with (
        database_errors(config.database, config.busy_timeout),
        database_lock(config.database),
        Store.open(config.database, config.busy_timeout) as store,
    ):
        named = sorted({e.paper_id for f in files for e in f.entries if e.paper_id is not None})
        missing = [paper_id for paper_id in named if not store.known_paper(paper_id)]
        papers, requests = _fetch(env, missing) if missing else ([], 0)
        with store.transaction():
            store.add_versions(papers, run=None)
            store.index_for_search(papers)
            replaced = [store.replace_library(_source(f.path), _rows(f), env.now()) for f in files]
    answered = {paper.id for paper in papers}
    return Added(
        files=tuple(_added(f, before) for f, before in zip(files, replaced, strict=True)),
        fetched=len(answered),
        unanswered=tuple(paper_id for paper_id in missing if paper_id not in answered),
        requests=requests,
    )


def _fetch(env: Environment, ids: list[str]) -> tuple[list[Paper], int]:
    settings = env.config.arxiv
    with new_http(env) as http:
        api = ExportApi(http, settings.api_url, settings.page_size, settings.max_pages)
        result = api.by_ids(ids)
    latest: dict[str, Paper] = {}
    for paper in result.papers:
        if paper.id not in latest or paper.version > latest[paper.id].version:
            latest[paper.id] = paper
    return list(latest.values()), result.requests


def _source(path: Path) -> str:
    return str(path.expanduser().resolve())


def _rows(file: LibraryFile) -> list[NewEntry]:
    return [NewEntry(e.line, e.key, e.paper_id, e.version, e.title, e.abstract) for e in file.entries]


def _added(file: LibraryFile, replaced: int) -> AddedFile:
    arxiv = sum(entry.paper_id is not None for entry in file.entries)
    return AddedFile(file.path, file.kind, len(file.entries), arxiv, replaced, file.skipped)


def library_entries(config: Config) -> list[LibraryRow]:
    database = existing_database(config.database)
    with database_errors(database, config.busy_timeout), Store.open(database, config.busy_timeout) as store:
        return store.library()


def remove_library(config: Config, names: Sequence[str]) -> int:
    """Remove the entries added from these files, or naming these arXiv papers; how many went. A name that is
    neither a file that was added nor an arXiv id is an error before anything changes."""
    database = existing_database(config.database)
    with (
        database_errors(database, config.busy_timeout),
        database_lock(database),
        Store.open(database, config.busy_timeout) as store,
    ):
        sources = set(store.library_sources())
        files = [_source(Path(name)) for name in names if _source(Path(name)) in sources]
        ids = [_paper_id(name) for name in names if _source(Path(name)) not in sources]
        with store.transaction():
            return store.remove_library(files, ids)


def _paper_id(name: str) -> str:
    try:
        return paper_reference(name)[0]
    except ValueError:
        raise ConfigError(
            "command line",
            "FILE_OR_ID",
            f"{name!r} is neither a file added to the library nor an arXiv id; `dailypapers library list` shows both",
        ) from None
