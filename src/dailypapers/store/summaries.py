"""The cache of model summaries (part of ``Store``): one row per paper version, model and prompt.

A summary is asked for once: a second run, a re-render or a second recipient reads it here. It is filed under
the model and ``summarise.prompt_key`` as well as the version, so another model or another prompt asks again
and never shows an answer it did not give. Every text passes ``scrub`` before it is written: a server that
echoes the API key into its answer does not get it into the database. A run's costs (requests, cache hits,
missing summaries, tokens) go on its line in ``runs``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from dailypapers.arxiv.dates import iso
from dailypapers.model import Summary
from dailypapers.store.door import Door

_IDS = 400  # paper ids bound per statement, under SQLite's old limit of 999 values
_COLUMNS = "paper_id, version, tldr, problem, method, result"

Key = tuple[str, int]


class SummaryRows(Door):
    """The ``summaries`` table, and the summary counts of a run."""

    scrub: Callable[[str], str]

    def summaries(self, keys: Iterable[Key], model: str, prompt: str) -> dict[Key, Summary]:
        """The cached summaries of these versions by ``model`` and ``prompt``: a statement per 400 papers."""
        wanted = set(keys)
        ids = sorted({paper_id for paper_id, _ in wanted})
        found: dict[Key, Summary] = {}
        for offset in range(0, len(ids), _IDS):
            page = ids[offset : offset + _IDS]
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM summaries WHERE model = ? AND prompt = ? "
                f"AND paper_id IN ({', '.join('?' * len(page))})",
                (model, prompt, *page),
            )
            for paper_id, version, tldr, problem, method, result in rows:
                key = (str(paper_id), int(version))
                if key in wanted:
                    found[key] = Summary(str(tldr), problem, method, result)
        return found

    def save_summaries(
        self, rows: Iterable[tuple[Key, Summary, int]], model: str, prompt: str, created: datetime
    ) -> None:
        """Cache each (version, summary, tokens used), replacing what the same model and prompt said before; a
        version the store lacks is skipped."""
        self._db.executemany(
            "INSERT OR REPLACE INTO summaries (paper_id, version, model, prompt, tldr, problem, method, result, "
            "tokens, created) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
            "WHERE EXISTS (SELECT 1 FROM versions WHERE paper_id = ?1 AND version = ?2)",
            [
                (paper_id, version, model, prompt, *self._scrubbed(summary), tokens, iso(created))
                for (paper_id, version), summary, tokens in rows
            ],
        )

    def _scrubbed(self, summary: Summary) -> tuple[str, str | None, str | None, str | None]:
        parts = (summary.problem, summary.method, summary.result)
        problem, method, result = (None if part is None else self.scrub(part) for part in parts)
        return self.scrub(summary.tldr), problem, method, result

    def unsummarised(
        self, topics: Sequence[str], model: str, prompt: str, since: datetime, until: datetime, limit: int
    ) -> list[Key]:
        """The latest versions of papers matched to ``topics`` and updated from ``since`` to before ``until``
        that ``model`` has not summarised with ``prompt``: newest first, at most ``limit``."""
        if not topics:
            return []
        marks = ", ".join("?" * len(topics))
        rows = self._db.execute(
            "SELECT p.id, p.latest_version FROM papers p WHERE p.updated >= ? AND p.updated < ? "
            f"AND EXISTS (SELECT 1 FROM matches m WHERE m.paper_id = p.id AND m.topic IN ({marks})) "
            "AND NOT EXISTS (SELECT 1 FROM summaries s WHERE s.paper_id = p.id AND s.version = p.latest_version "
            "AND s.model = ? AND s.prompt = ?) ORDER BY p.updated DESC, p.id DESC LIMIT ?",
            (iso(since), iso(until), *topics, model, prompt, limit),
        )
        return [(str(paper_id), int(version)) for paper_id, version in rows]

    def record_summary_counts(self, run: int, requested: int, cached: int, missing: int, tokens: int) -> None:
        """What a run's summaries cost and left out, on its line in ``runs``."""
        self._db.execute(
            "UPDATE runs SET summaries_requested = ?, summaries_cached = ?, summaries_missing = ?, "
            "summary_tokens = ? WHERE id = ?",
            (requested, cached, missing, tokens, run),
        )
