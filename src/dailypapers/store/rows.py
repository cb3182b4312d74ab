"""The store's records: runs and matches as the database holds them, and its timestamp format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from dailypapers.errors import StoreError


def parse_iso(text: str) -> datetime:
    """A stored timestamp. One that is unreadable or out of range (changed by hand or by another program) is
    a ``StoreError`` saying so, not a ``ValueError`` or ``OverflowError`` traceback from deep inside a run."""
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError, TypeError):
        raise StoreError(
            f"the database holds a time that cannot be read ({str(text)[:40]!r}); it was changed outside "
            "dailypapers: restore a backup of the database or correct that value"
        ) from None


@dataclass(frozen=True)
class RunRecord:
    id: int
    started: datetime
    finished: datetime | None
    outcome: str
    notify_after: int
    published: bool
    requests: int
    received: int
    kept: int
    dropped: int
    skipped: int
    message: str | None
    kind: str = "daily"
    announcement: date | None = None
    feed: str | None = None  # what the announcement feed said: cover, covered, no-announcement


@dataclass(frozen=True)
class MatchRow:
    topic: str
    paper_id: str
    version: int
    run: int
    new_version: bool
    reason: str | None = None


RUN_COLUMNS = (
    "id, started, finished, outcome, notify_after, published, requests, received, kept, dropped, skipped, message, "
    "kind, announcement, feed"
)
UNSUCCESSFUL = "'failed', 'running', 'stale'"


def run_record(row: Sequence[Any]) -> RunRecord:
    value = dict(zip(RUN_COLUMNS.replace(" ", "").split(","), row, strict=True))
    return RunRecord(
        id=int(value["id"]),
        started=parse_iso(value["started"]),
        finished=parse_iso(value["finished"]) if value["finished"] else None,
        outcome=str(value["outcome"]),
        notify_after=int(value["notify_after"]),
        published=bool(value["published"]),
        requests=int(value["requests"]),
        received=int(value["received"]),
        kept=int(value["kept"]),
        dropped=int(value["dropped"]),
        skipped=int(value["skipped"]),
        message=value["message"],
        kind=str(value["kind"]),
        announcement=_day(value["announcement"]),
        feed=value["feed"],
    )


def _day(text: str | None) -> date | None:
    """A run's announcement day; one an older version wrote unreadably is no day, not a failed command."""
    try:
        return date.fromisoformat(text) if text else None
    except (ValueError, TypeError):
        return None
