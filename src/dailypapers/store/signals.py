"""What the reader said about papers: stars, dismissals and their undoing, papers read (part of ``Store``).

The ``signals`` table is a log, one row per change of state, in the order it happened: the ranking replays it
(``signal_history``), and a paper's state is the last row on each of its three axes (starred, dismissed, read).
A signal that would change nothing (a star on a starred paper, an undo of no dismissal, a second read) is not
recorded, so that every row is a decision. Only papers in the archive can be signalled, and a version named must
be stored: a signal about a paper the archive lacks would point at nothing the ranking could read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from dailypapers.arxiv.dates import iso
from dailypapers.errors import StoreError, UnknownPaperError
from dailypapers.model import Paper, Signal
from dailypapers.store.door import Door
from dailypapers.store.rows import parse_iso

_SQL_VARIABLES = 900  # under SQLite's old limit of 999 bound values

# The three axes of a paper's state, and the signal that sets each to "on" and to "off" (read never goes off).
_AXES = {Signal.STAR: 0, Signal.UNSTAR: 0, Signal.DISMISS: 1, Signal.UNDISMISS: 1, Signal.READ: 2}
_ON = frozenset({Signal.STAR, Signal.DISMISS, Signal.READ})
_AXIS_SQL = "CASE WHEN kind IN ('star', 'unstar') THEN 0 WHEN kind IN ('dismiss', 'undismiss') THEN 1 ELSE 2 END"
_STARRED = (
    "SELECT s.paper_id, p.latest_version, s.at FROM signals s JOIN papers p ON p.id = s.paper_id "
    "WHERE s.id IN (SELECT MAX(id) FROM signals WHERE kind IN ('star', 'unstar') GROUP BY paper_id) "
    "AND s.kind = 'star' ORDER BY s.at DESC, s.id DESC"
)


@dataclass(frozen=True)
class SignalRecord:
    """One row of the log: its place in it (``number``, increasing), the paper and the version the reader had
    (the latest stored when none was named), what was said and when (UTC)."""

    number: int
    paper_id: str
    version: int
    kind: Signal
    at: datetime


@dataclass(frozen=True)
class PaperSignals:
    """A paper's state after its whole log: starred (since ``starred_at``), dismissed, read."""

    paper_id: str
    starred: bool = False
    dismissed: bool = False
    read: bool = False
    starred_at: datetime | None = None

    def after(self, kind: Signal, at: datetime) -> PaperSignals:
        """The state once ``kind`` is recorded at ``at``."""
        on = kind in _ON
        if _AXES[kind] == 0:
            return replace(self, starred=on, starred_at=at if on else None)
        return replace(self, dismissed=on) if _AXES[kind] == 1 else replace(self, read=True)

    def changed_by(self, kind: Signal) -> bool:
        """Whether ``kind`` changes this state: only then is it recorded."""
        now = (self.starred, self.dismissed, self.read)[_AXES[kind]]
        return now != (kind in _ON)


@dataclass(frozen=True)
class Starred:
    """A starred paper at its latest stored version, and when it was (last) starred."""

    paper: Paper
    starred_at: datetime


class SignalRows(Door):
    """The ``signals`` table."""

    def record_signals(
        self, kind: Signal, papers: Sequence[tuple[str, int | None]], when: datetime
    ) -> list[SignalRecord]:
        """Record ``kind`` for each paper (id, version or None for the latest stored), at ``when``; the rows
        written, in order. A paper whose state it would not change gets none. Every paper is checked before
        anything is written: one not in the archive (or not at that version) is an ``UnknownPaperError`` naming
        it, and nothing is recorded. Runs in its own transaction unless the caller's is open."""
        if self._db.in_transaction:
            return self._record(kind, papers, when)
        with self.transaction():
            return self._record(kind, papers, when)

    def _record(self, kind: Signal, papers: Sequence[tuple[str, int | None]], when: datetime) -> list[SignalRecord]:
        versions = self._signalled_versions(papers)
        states = self.signal_states(paper_id for paper_id, _ in versions)
        written: list[SignalRecord] = []
        for paper_id, version in versions:
            state = states.get(paper_id, PaperSignals(paper_id))
            if not state.changed_by(kind):
                continue
            cursor = self._db.execute(
                "INSERT INTO signals (paper_id, version, kind, at) VALUES (?, ?, ?, ?)",
                (paper_id, version, str(kind), iso(when)),
            )
            at = parse_iso(iso(when))
            states[paper_id] = state.after(kind, at)
            written.append(SignalRecord(int(cursor.lastrowid or 0), paper_id, version, kind, at))
        return written

    def _signalled_versions(self, papers: Sequence[tuple[str, int | None]]) -> list[tuple[str, int]]:
        """Each paper with the version its signal names: the one given, which must be stored, or the latest."""
        latest = self._latest_versions({paper_id for paper_id, _ in papers})
        unknown = [(paper_id, version) for paper_id, version in papers if paper_id not in latest]
        if unknown:
            raise self._unknown(unknown)
        for paper_id, version in papers:
            if version is not None and not self._stored(paper_id, version):
                raise UnknownPaperError(
                    f"{paper_id}v{version} is not in the archive ({self.path}), which holds {paper_id} up to "
                    f"v{latest[paper_id]}; give the id without a version for the latest one"
                )
        return [(paper_id, latest[paper_id] if version is None else version) for paper_id, version in papers]

    def _stored(self, paper_id: str, version: int) -> bool:
        row = self._db.execute("SELECT 1 FROM versions WHERE paper_id = ? AND version = ?", (paper_id, version))
        return row.fetchone() is not None

    def _unknown(self, unknown: list[tuple[str, int | None]]) -> UnknownPaperError:
        paper_id, version = unknown[0]
        named = paper_id if version is None else f"{paper_id}v{version}"
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        return UnknownPaperError(
            f"{named} is not in the archive ({self.path}){more}; nothing was recorded. `dailypapers search` "
            "finds archived papers, `dailypapers backfill` adds more"
        )

    def _latest_versions(self, paper_ids: Iterable[str]) -> dict[str, int]:
        ids = sorted(set(paper_ids))
        found: dict[str, int] = {}
        for offset in range(0, len(ids), _SQL_VARIABLES):
            chunk = ids[offset : offset + _SQL_VARIABLES]
            rows = self._db.execute(
                f"SELECT id, latest_version FROM papers WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            )
            found.update((str(paper_id), int(version)) for paper_id, version in rows)
        return found

    def signal_states(self, paper_ids: Iterable[str]) -> dict[str, PaperSignals]:
        """The state of each of these papers that has any signal (a paper without one is absent: all off)."""
        ids = sorted(set(paper_ids))
        states: dict[str, PaperSignals] = {}
        for offset in range(0, len(ids), _SQL_VARIABLES):
            chunk = ids[offset : offset + _SQL_VARIABLES]
            rows = self._db.execute(
                "SELECT paper_id, kind, at FROM signals WHERE id IN (SELECT MAX(id) FROM signals WHERE paper_id IN "
                f"({', '.join('?' * len(chunk))}) GROUP BY paper_id, {_AXIS_SQL}) ORDER BY id",
                chunk,
            )
            for paper_id, kind, at in rows:
                state = states.get(str(paper_id), PaperSignals(str(paper_id)))
                states[str(paper_id)] = state.after(_signal(kind), parse_iso(str(at)))
        return states

    def starred_papers(self) -> list[Starred]:
        """Every paper starred now, newest star first, at its latest stored version."""
        rows = [(str(p), int(v), parse_iso(str(at))) for p, v, at in self._db.execute(_STARRED)]
        papers = self._load([(paper_id, version) for paper_id, version, _ in rows])
        return [Starred(paper, at) for paper, (_, _, at) in zip(papers, rows, strict=True)]

    def signal_history(self, after: int = 0) -> list[SignalRecord]:
        """Every signal recorded after row ``after`` (0: from the start), in the order given: for replaying."""
        rows = self._db.execute(
            "SELECT id, paper_id, version, kind, at FROM signals WHERE id > ? ORDER BY id", (after,)
        )
        return [
            SignalRecord(int(number), str(paper_id), int(version), _signal(kind), parse_iso(str(at)))
            for number, paper_id, version, kind, at in rows
        ]


def _signal(text: object) -> Signal:
    """A stored kind; one this version does not know (changed by hand, or a newer version's) is one line."""
    try:
        return Signal(str(text))
    except ValueError:
        raise StoreError(
            f"the database holds a signal {str(text)[:40]!r} this dailypapers does not know; it was changed "
            "outside dailypapers or by a newer version: upgrade, or restore a backup"
        ) from None
