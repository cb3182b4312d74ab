"""The archive by day for the reader: which daily runs brought papers, and what each brought (part of ``Store``).

A day of the reader is what the daily runs of that day first matched: the arXiv announcement a run covered
(with a category scope), or else the day it finished, in the config's time zone. Both depend on the config,
so the caller groups the runs (``day_runs``: one small row a run, for years of runs) and then asks what a page
of days brought (``day_matches``): one row a match of those days, never the whole archive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dailypapers.query import Node
from dailypapers.store import scope as scopes
from dailypapers.store.door import Door, in_scope_by_matcher
from dailypapers.store.rows import parse_iso

_SQL_VARIABLES = 900  # under SQLite's old limit of 999 bound values
_RUNS = (
    "SELECT r.id, r.finished, r.announcement FROM runs r WHERE r.kind = 'daily' AND r.finished IS NOT NULL "
    "AND EXISTS (SELECT 1 FROM matches m WHERE m.run = r.id AND m.topic IN ({topics})) "
    "ORDER BY r.finished DESC, r.id DESC"
)
_MATCHES = (
    "SELECT m.run, m.topic, m.paper_id, m.version FROM matches m WHERE m.run IN ({runs}) AND m.topic IN ({topics})"
)


@dataclass(frozen=True, slots=True)
class DayRun:
    """A finished daily run that matched papers: when it finished, and the announcement it covered as stored
    (text: a value an older version wrote may not be a date)."""

    run: int
    finished: datetime
    announcement: str | None


class DayRows(Door):
    """Reads of ``runs`` and ``matches`` by day; nothing here writes."""

    def day_runs(self, topics: Sequence[str]) -> list[DayRun]:
        """Every finished daily run that recorded a match for one of ``topics``, latest first."""
        if not topics:
            return []
        rows = self._db.execute(_RUNS.format(topics=", ".join("?" * len(topics))), tuple(topics))
        return [DayRun(int(run), parse_iso(str(finished)), announcement) for run, finished, announcement in rows]

    def day_matches(self, runs: Sequence[int], topics: Sequence[str], scope: Node | None) -> list[tuple[int, str, str]]:
        """(run, topic, paper id) of each match ``runs`` recorded for ``topics`` whose matched version is in
        ``scope`` (None: every version). The scope is decided by SQL on the stored categories (``scope.py``);
        one SQL cannot write is asked of the matcher, a page of versions at a time."""
        if not runs or not topics:
            return []
        written = scopes.condition(scope, "m.paper_id", "m.version")
        sql, values = written or ("1", ())
        found: list[tuple[int, str, str, int]] = []
        step = _SQL_VARIABLES - len(topics) - len(values)
        for start in range(0, len(runs), max(step, 1)):
            turn = tuple(runs[start : start + max(step, 1)])
            query = _MATCHES.format(runs=", ".join("?" * len(turn)), topics=", ".join("?" * len(topics)))
            rows = self._db.execute(f"{query} AND {sql}", (*turn, *topics, *values))
            found += [(int(run), str(topic), str(paper), int(version)) for run, topic, paper, version in rows]
        if scope is not None and written is None:
            inside = self._versions_in_scope([(paper, version) for _, _, paper, version in found], scope)
            found = [row for row in found if (row[2], row[3]) in inside]
        return [(run, topic, paper) for run, topic, paper, _ in found]

    def _versions_in_scope(self, keys: list[tuple[str, int]], scope: Node) -> set[tuple[str, int]]:
        papers = self._load(list(dict.fromkeys(keys)))
        return {(paper.id, paper.version) for paper in in_scope_by_matcher(scope, papers)}
