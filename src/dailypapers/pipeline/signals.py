"""Signals from scripts: star, unstar, dismiss and undismiss papers of the archive, and list the starred ones.

These are the reader's buttons for the command line (``dailypapers star ID…``), writing the same rows the reader
will (``store/signals.py``), under the database lock like every command that writes. Listing the stars only
reads, as ``search`` does. Neither ever creates a database: a signal is about a paper already archived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dailypapers.config import Config
from dailypapers.errors import ConfigError
from dailypapers.model import Signal, paper_reference
from dailypapers.pipeline.context import Environment
from dailypapers.store import SignalRecord, Starred, Store, database_errors, database_lock, existing_database


@dataclass(frozen=True)
class SignalOutcome:
    """What one command recorded: the signal, the papers named (each once) and the rows written, in order; a
    paper named but not recorded already had that state."""

    signal: Signal
    named: tuple[str, ...]
    recorded: tuple[SignalRecord, ...]

    @property
    def unchanged(self) -> tuple[str, ...]:
        changed = {record.paper_id for record in self.recorded}
        return tuple(paper_id for paper_id in self.named if paper_id not in changed)


def paper_references(texts: Sequence[str]) -> list[tuple[str, int | None]]:
    """Each paper as a person names it (``2601.08800``, ``arXiv:2601.08800v2``, an abs or PDF URL) as its id and
    version (or None); text that names no arXiv paper is an error of the command line, before the database."""
    papers = []
    for text in texts:
        try:
            papers.append(paper_reference(text))
        except ValueError:
            raise ConfigError(
                "command line",
                "ID",
                f"{text!r} is not an arXiv identifier (2601.08800, arXiv:2601.08800v2, or an "
                "https://arxiv.org/abs/… or /pdf/… URL)",
            ) from None
    return papers


def give_signal(env: Environment, signal: Signal | str, references: Sequence[str]) -> SignalOutcome:
    """Record ``signal`` for the papers ``references`` name at the environment's clock, all or nothing: a paper
    not in the archive leaves the database as it was."""
    papers, config, signal = paper_references(references), env.config, Signal(signal)
    database = existing_database(config.database)
    with (
        database_errors(database, config.busy_timeout),
        database_lock(database),
        Store.open(database, config.busy_timeout) as store,
    ):
        recorded = store.record_signals(signal, papers, env.now())
    named = tuple(dict.fromkeys(paper_id for paper_id, _ in papers))
    return SignalOutcome(signal, named, tuple(recorded))


def starred_papers(config: Config) -> list[Starred]:
    """Every starred paper, newest star first, at its latest stored version."""
    database = existing_database(config.database)
    with database_errors(database, config.busy_timeout), Store.open(database, config.busy_timeout) as store:
        return store.starred_papers()
