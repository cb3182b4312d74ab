"""What each delivery target (an email recipient, a webhook) has been sent.

A target is named in the user's words (``email:ada@example.org``, ``slack:DAILYPAPERS_SLACK_WEBHOOK``; never a
secret). Its ``since_run`` is the last run after which everything it takes was sent: what it still lacks is
every match first recorded after that run, less the versions in ``deliveries``. A target seen for the first
time starts from the run before the current one, so a recipient added today gets today's papers, not the
archive. A failed delivery leaves both tables as they were, so the next run sends the same papers again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from dailypapers.arxiv.dates import iso
from dailypapers.store.rows import MatchRow


class Deliveries:
    """The ``targets`` and ``deliveries`` tables; every write happens inside the store's transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def since(self, target: str) -> int | None:
        row = self._db.execute("SELECT since_run FROM targets WHERE name = ?", (target,)).fetchone()
        return None if row is None else int(row[0])

    def start(self, target: str, since_run: int) -> None:
        """Register a target the first time it is configured; a known target keeps its place."""
        self._db.execute("INSERT OR IGNORE INTO targets (name, since_run) VALUES (?, ?)", (target, since_run))

    def unsent(self, target: str, matches: Iterable[MatchRow]) -> list[MatchRow]:
        """``matches`` less the versions ``target`` has been sent (or a later version of the same paper)."""
        sent: dict[str, int] = {}
        for paper_id, version in self._db.execute(
            "SELECT paper_id, MAX(version) FROM deliveries WHERE target = ? GROUP BY paper_id", (target,)
        ):
            sent[str(paper_id)] = int(version)
        return [match for match in matches if sent.get(match.paper_id, 0) < match.version]

    def record(self, target: str, sent: Iterable[tuple[str, int]], run: int, when: datetime) -> None:
        """``target`` got these versions in ``run``; it now lacks nothing first matched up to ``run``."""
        self._db.executemany(
            "INSERT OR IGNORE INTO deliveries (target, paper_id, version, run, sent) VALUES (?, ?, ?, ?, ?)",
            [(target, paper_id, version, run, iso(when)) for paper_id, version in sent],
        )
        self._db.execute("UPDATE targets SET since_run = MAX(since_run, ?) WHERE name = ?", (run, target))

    def count(self, target: str | None = None) -> int:
        if target is None:
            return int(self._db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0])
        return int(self._db.execute("SELECT COUNT(*) FROM deliveries WHERE target = ?", (target,)).fetchone()[0])
