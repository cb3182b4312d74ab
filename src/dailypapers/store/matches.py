"""Topics and their matches: which version of which paper each topic matched, in which run (part of ``Store``)."""

from __future__ import annotations

from datetime import datetime

from dailypapers.model import Paper
from dailypapers.query import Node
from dailypapers.store import scope as scopes
from dailypapers.store.door import Door, in_scope_by_matcher
from dailypapers.store.reading import PAGE
from dailypapers.store.rows import MatchRow, parse_iso

_NEWEST = (
    "SELECT p.id, p.latest_version FROM papers p WHERE p.id IN (SELECT paper_id FROM matches WHERE topic = ?) "
    "ORDER BY p.updated DESC, p.id DESC"
)
# The scope is tested on the ordered ids, newest first, until ``LIMIT`` pass: ``LIMIT -1`` (no limit) keeps
# SQLite from merging the two queries, which would test the scope on every match before sorting.
_NEWEST_IN_SCOPE = f"SELECT m.id, m.latest_version FROM ({_NEWEST} LIMIT -1) m WHERE {{scope}} LIMIT ?"
_RECENT = (
    "SELECT w.id, w.latest_version, w.updated FROM (SELECT id, latest_version, updated FROM papers "
    "ORDER BY updated DESC LIMIT ?) w WHERE EXISTS (SELECT 1 FROM matches x WHERE x.topic = ? AND x.paper_id = w.id) "
    "AND {scope} ORDER BY w.updated DESC, w.id DESC LIMIT ?"
)
_EDGE = "SELECT updated FROM papers ORDER BY updated DESC LIMIT 1 OFFSET ?"
_MATCHED = "SELECT COUNT(*) FROM matches WHERE topic = ?"
_WINDOW = 20  # papers of the newest part of the archive looked at per paper shown, before the topic's own list


class MatchRows(Door):
    """The ``topics`` and ``matches`` tables."""

    def topics(self) -> dict[str, str]:
        return {str(name): str(query) for name, query in self._db.execute("SELECT name, query FROM topics")}

    def set_topic(self, name: str, query: str, run: int) -> None:
        """Add a topic, or replace the query of an existing one (its matches are then re-evaluated, and the
        reasons recorded under the old query are forgotten, to be worked out again when shown)."""
        self._db.execute(
            "INSERT INTO topics (name, query, added_run) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET query = excluded.query, added_run = excluded.added_run",
            (name, query, run),
        )
        self._db.execute("UPDATE matches SET reason = NULL WHERE topic = ? AND reason IS NOT NULL", (name,))

    def remove_topic(self, name: str) -> None:
        self._db.execute("DELETE FROM matches WHERE topic = ?", (name,))
        self._db.execute("DELETE FROM topics WHERE name = ?", (name,))

    def matched_version(self, topic: str, paper_id: str) -> int | None:
        row = self._db.execute(
            "SELECT MAX(version) FROM matches WHERE topic = ? AND paper_id = ?", (topic, paper_id)
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def add_match(self, topic: str, paper_id: str, version: int, run: int, reason: str | None = None) -> bool:
        """Record that ``topic`` matches this version (and why); False when it was recorded before."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO matches (topic, paper_id, version, run, reason) VALUES (?, ?, ?, ?, ?)",
            (topic, paper_id, version, run, reason),
        )
        return cursor.rowcount > 0

    def remove_match(self, topic: str, paper_id: str) -> None:
        self._db.execute("DELETE FROM matches WHERE topic = ? AND paper_id = ?", (topic, paper_id))

    def reasons(self, topic: str, keys: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
        """Why ``topic`` matched each of these versions, as the run that matched it recorded it; a version
        without a recorded reason (a back-fill's, or one forgotten when the topic's query changed) is left out."""
        found: dict[tuple[str, int], str] = {}
        for offset in range(0, len(keys), PAGE):
            page = keys[offset : offset + PAGE]
            # Each key looked up by the primary key, so the cost is the page's, not the topic's years of matches.
            rows = self._db.execute(
                f"SELECT m.paper_id, m.version, m.reason FROM (VALUES {', '.join(['(?, ?)'] * len(page))}) AS k "
                "JOIN matches AS m ON m.topic = ? AND m.paper_id = k.column1 AND m.version = k.column2 "
                "WHERE m.reason IS NOT NULL",
                (*(value for key in page for value in key), topic),
            )
            found.update(((str(paper_id), int(version)), str(reason)) for paper_id, version, reason in rows)
        return found

    def newest_matched(self, topic: str, scope: Node | None, limit: int) -> list[Paper]:
        """The newest ``limit`` papers matching ``topic`` whose latest version is in ``scope``, at that version.

        Newest first is by the latest ``updated``, then by id, both descending. The scope is decided by SQL on
        the stored categories (``scope.py``) and reading stops at ``limit``: a topic with years of matches
        costs the papers it shows, not its archive.
        """
        if limit <= 0:
            return []
        written = scopes.condition(scope, "m.id", "m.latest_version")
        if scope is not None and written is None:
            return self._newest_by_matcher(topic, scope, limit)
        keys = self._recent_in_scope(topic, scope, limit)
        if keys is None:
            sql, values = written or ("1", ())
            rows = self._db.execute(_NEWEST_IN_SCOPE.format(scope=sql), (topic, *values, limit))
            keys = [(str(paper_id), int(version)) for paper_id, version in rows]
        return self._load(keys)

    def _recent_in_scope(self, topic: str, scope: Node | None, limit: int) -> list[tuple[str, int]] | None:
        """The answer read from the newest part of the archive alone, when that part surely holds it; else None.

        A topic has its newest ``limit`` papers among the archive's newest ``limit * _WINDOW``, or four times
        as many, and so on: then its section costs the day, not its years of matches. Once a window would be
        larger than the topic's list of matches, reading that list is cheaper, and None says so.
        """
        sql, values = scopes.condition(scope, "w.id", "w.latest_version") or ("1", ())
        matched = int(self._db.execute(_MATCHED, (topic,)).fetchone()[0])
        window = limit * _WINDOW
        while window <= matched:
            keys = self._window(topic, (sql, values), limit, window)
            if keys is not None:
                return keys
            window *= 4
        return None

    def _window(self, topic: str, scope: scopes.Condition, limit: int, window: int) -> list[tuple[str, int]] | None:
        """The answer from the archive's newest ``window`` papers, when it is surely the whole answer: the window
        is the whole archive, or the last paper found is strictly newer than the window's oldest (every paper
        outside the window is at most as new as that one, so it would come after)."""
        sql, values = scope
        rows = self._db.execute(_RECENT.format(scope=sql), (window, topic, *values, limit)).fetchall()
        edge = self._db.execute(_EDGE, (window - 1,)).fetchone()
        if edge is not None and (len(rows) < limit or str(rows[-1][2]) <= str(edge[0])):
            return None
        return [(str(paper_id), int(version)) for paper_id, version, _ in rows]

    def _newest_by_matcher(self, topic: str, scope: Node, limit: int) -> list[Paper]:
        """As ``newest_matched`` for a scope SQL cannot decide: a page at a time, until ``limit`` are in it."""
        shown: list[Paper] = []
        rows = self._db.execute(_NEWEST, (topic,))
        try:
            while len(shown) < limit and (page := rows.fetchmany(PAGE)):
                papers = self._load([(str(paper_id), int(version)) for paper_id, version in page])
                shown.extend(in_scope_by_matcher(scope, papers)[: limit - len(shown)])
        finally:
            rows.close()
        return shown

    def match_history(self) -> list[tuple[MatchRow, datetime]]:
        """Every match recorded by a daily run, with the time that run finished, latest run first.

        This is the archive by day: a paper appears on the day a topic first listed it, and again, as a new
        version, on the day a later version was matched.
        """
        rows = self._db.execute(
            "SELECT m.topic, m.paper_id, m.version, m.run, EXISTS ("
            "  SELECT 1 FROM matches e WHERE e.topic = m.topic AND e.paper_id = m.paper_id AND e.version < m.version"
            "), m.reason, r.finished FROM matches m JOIN runs r ON r.id = m.run JOIN papers p ON p.id = m.paper_id "
            "WHERE r.kind = 'daily' AND r.finished IS NOT NULL "
            "ORDER BY r.finished DESC, p.updated DESC, p.id DESC"
        )
        return [
            (MatchRow(str(t), str(p), int(v), int(r), bool(n), why), parse_iso(f)) for t, p, v, r, n, why, f in rows
        ]

    def new_matches(self, after_run: int, up_to_run: int) -> list[MatchRow]:
        """Matches first recorded by daily runs ``after_run < run <= up_to_run``, newest paper first.

        A match is a new version when the topic had matched an earlier version before the window (or in a
        back-fill, whose matches are never announced themselves).
        """
        rows = self._db.execute(
            "SELECT m.topic, m.paper_id, m.version, m.run, EXISTS ("
            "  SELECT 1 FROM matches e WHERE e.topic = m.topic AND e.paper_id = m.paper_id AND e.version < m.version"
            "  AND (e.run <= ? OR e.run IN (SELECT id FROM runs WHERE kind = 'backfill'))"
            "), m.reason FROM matches m JOIN papers p ON p.id = m.paper_id "
            "WHERE m.run > ? AND m.run <= ? AND m.run IN (SELECT id FROM runs WHERE kind = 'daily') "
            "AND m.version = (SELECT MAX(version) FROM matches x WHERE x.topic = m.topic AND x.paper_id = m.paper_id) "
            "ORDER BY p.updated DESC, p.id DESC",
            (after_run, after_run, up_to_run),
        )
        return [MatchRow(str(t), str(p), int(v), int(r), bool(n), why) for t, p, v, r, n, why in rows]
