"""The store's small tables: state, runs and the announcements a run covered (part of ``Store``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

from dailypapers.arxiv.dates import iso
from dailypapers.store.door import Door
from dailypapers.store.rows import RUN_COLUMNS, UNSUCCESSFUL, RunRecord, run_record


class RunRows(Door):
    """Key-value state, the ``runs`` table, and which announcement days are covered."""

    scrub: Callable[[str], str]

    # --- state -----------------------------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def clear_state(self, key: str) -> None:
        self._db.execute("DELETE FROM state WHERE key = ?", (key,))

    def set_state(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- runs ------------------------------------------------------------------------------------------

    def begin_run(self, started: datetime, kind: str = "daily") -> int:
        cursor = self._db.execute(
            "INSERT INTO runs (started, outcome, notify_after, kind) VALUES (?, 'running', ?, ?)",
            (iso(started), self.last_published_run(), kind),
        )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run: int, finished: datetime, outcome: str, **counts: int | str | None) -> None:
        fields = ("requests", "received", "kept", "dropped", "skipped", "message", "announcement", "feed")
        message = counts.get("message")
        counts["message"] = self.scrub(message) if isinstance(message, str) else message
        values = [counts.get(name) for name in fields]
        self._db.execute(
            "UPDATE runs SET finished = ?, outcome = ?, requests = COALESCE(?, requests), "
            "received = COALESCE(?, received), kept = COALESCE(?, kept), dropped = COALESCE(?, dropped), "
            "skipped = COALESCE(?, skipped), message = ?, announcement = ?, feed = ? WHERE id = ?",
            (iso(finished), outcome, *values, run),
        )

    def log_run(self, started: datetime, finished: datetime, outcome: str, requests: int, message: str) -> None:
        """Record a run that changed nothing (it failed, or the feed was stale) in a transaction of its own."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO runs (started, finished, outcome, notify_after, requests, message) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (iso(started), iso(finished), outcome, self.last_published_run(), requests, self.scrub(message)),
            )

    def log_failed_run(self, started: datetime, finished: datetime, requests: int, message: str) -> bool:
        """Record a failed run if the database lets us; a full or damaged database cannot, and that is said
        by the error itself."""
        try:
            self.log_run(started, finished, "failed", requests, message)
        except sqlite3.Error:
            return False
        return True

    def mark_published(self, run: int) -> None:
        with self.transaction():
            self._db.execute("UPDATE runs SET published = 1 WHERE id = ?", (run,))

    def last_published_run(self) -> int:
        row = self._db.execute(
            "SELECT COALESCE(MAX(id), 0) FROM runs WHERE published = 1 AND kind = 'daily'"
        ).fetchone()
        return int(row[0])

    def last_successful_run(self) -> RunRecord | None:
        row = self._db.execute(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE kind = 'daily' AND outcome NOT IN ({UNSUCCESSFUL}) "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else run_record(row)

    def runs(self) -> list[RunRecord]:
        return [run_record(row) for row in self._db.execute(f"SELECT {RUN_COLUMNS} FROM runs ORDER BY id")]

    def run_kind(self, run: int) -> str | None:
        """``daily`` or ``backfill`` for a run that exists, else None."""
        row = self._db.execute("SELECT kind FROM runs WHERE id = ?", (run,)).fetchone()
        return None if row is None else str(row[0])

    # --- announcements -----------------------------------------------------------------------------------

    def record_announcement(
        self, day: date, counts: dict[str, dict[str, int]], source: str, run: int, categories: Sequence[str]
    ) -> None:
        """Mark the announcement of ``day`` as covered, with its counts per requested category."""
        self._db.executemany(
            "INSERT OR REPLACE INTO announcements (day, category, new, cross_lists, replacements, "
            "replacement_cross_lists, source, run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    day.isoformat(),
                    category,
                    counts.get(category, {}).get("new", 0),
                    counts.get(category, {}).get("cross", 0),
                    counts.get(category, {}).get("replace", 0),
                    counts.get(category, {}).get("replace-cross", 0),
                    source,
                    run,
                )
                for category in categories
            ],
        )

    def record_announced(self, day: date, items: Iterable[tuple[str, int, str]]) -> None:
        """What each paper was announced as on ``day``: (paper id, version, type)."""
        self._db.executemany(
            "INSERT OR REPLACE INTO announced (day, paper_id, version, type) VALUES (?, ?, ?, ?)",
            [(day.isoformat(), paper_id, version, kind) for paper_id, version, kind in items],
        )

    def last_announcement_day(self) -> date | None:
        row = self._db.execute("SELECT MAX(day) FROM announcements").fetchone()
        return None if row[0] is None else date.fromisoformat(str(row[0]))

    def announced_counts(self, day: date) -> dict[str, int]:
        """How many papers the covered announcement of ``day`` listed, by type."""
        rows = self._db.execute("SELECT type, COUNT(*) FROM announced WHERE day = ? GROUP BY type", (day.isoformat(),))
        return {str(kind): int(count) for kind, count in rows}

    def announcement_source(self, day: date) -> str | None:
        row = self._db.execute("SELECT MIN(source) FROM announcements WHERE day = ?", (day.isoformat(),)).fetchone()
        return None if row[0] is None else str(row[0])

    def announcement_days(self) -> list[str]:
        """Every covered day as stored, newest first (text: a value an older version wrote may not be a date)."""
        return [str(row[0]) for row in self._db.execute("SELECT DISTINCT day FROM announcements ORDER BY day DESC")]

    def forget_announcement_days(self, days: Iterable[str]) -> None:
        """Forget that these days (as stored) were covered: the clock rule found them absurd (clock.py)."""
        for day in days:
            self._db.execute("DELETE FROM announcements WHERE day = ?", (day,))
            self._db.execute("DELETE FROM announced WHERE day = ?", (day,))
