"""The archive by day, read a day at a time: what the site's day pages show, without holding the whole archive.

A paper appears in the archive on the day a daily run first matched it for a topic, and again, as a new version,
on the day a run matched a later version. Which runs make up a day depends on the config's time zone, so the
caller groups the runs (``daily_runs``, one small row a run) and then reads one day's matches at a time
(``matches_of``): memory follows the largest day, not the archive.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from dailypapers.store.rows import MatchRow, parse_iso

_SQL_VARIABLES = 900  # under SQLite's old default limit of 999 bound variables a statement

# A match is a new version when the topic had matched an earlier version of the paper before.
_MATCHES = (
    "SELECT m.topic, m.paper_id, m.version, m.run, EXISTS ("
    "  SELECT 1 FROM matches e WHERE e.topic = m.topic AND e.paper_id = m.paper_id AND e.version < m.version"
    "), m.reason FROM matches m JOIN runs r ON r.id = m.run JOIN papers p ON p.id = m.paper_id "
    "WHERE m.run IN ({marks}) ORDER BY r.finished DESC, p.updated DESC, p.id DESC"
)


class Archive:
    """Reads of the ``runs`` and ``matches`` tables for the archive; nothing here writes."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def daily_runs(self) -> list[tuple[int, datetime]]:
        """Every finished daily run that recorded a match, with the time it finished, latest first."""
        rows = self._db.execute(
            "SELECT r.id, r.finished FROM runs r WHERE r.kind = 'daily' AND r.finished IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM matches m WHERE m.run = r.id) ORDER BY r.finished DESC, r.id DESC"
        )
        return [(int(run), parse_iso(finished)) for run, finished in rows]

    def matches_of(self, runs: Sequence[int]) -> list[MatchRow]:
        """The matches these daily runs (latest first, as ``daily_runs`` lists them) recorded: latest run first,
        then the most recently updated paper first. A day of more runs than a statement may name is read in
        turns of runs, in the order given."""
        found: list[MatchRow] = []
        for start in range(0, len(runs), _SQL_VARIABLES):
            turn = list(runs[start : start + _SQL_VARIABLES])
            rows = self._db.execute(_MATCHES.format(marks=", ".join("?" * len(turn))), turn)
            found += [MatchRow(str(t), str(p), int(v), int(r), bool(n), why) for t, p, v, r, n, why in rows]
        return found
