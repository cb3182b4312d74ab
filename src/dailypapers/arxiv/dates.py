"""Dates as arXiv's feeds write them, read into aware UTC datetimes; an unreadable date is None, never an error.

A date can be well formed and still unusable: ``0001-01-01T00:00:00+14:00`` or ``Fri, 31 Dec 9999 23:59:59
-2359`` leave the range of ``datetime`` once moved to UTC. Such a date is as unreadable as a malformed one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")


def iso(moment: datetime) -> str:
    """A moment as the store and the logs write it: sortable UTC text, ``2026-01-13T17:37:07Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_utc(text: str | None) -> datetime | None:
    """An ISO 8601 / RFC 3339 date-time (OAI-PMH's UTCdatetime, Atom's dates); without an offset it is UTC."""
    if not text:
        return None
    try:
        return _utc(datetime.fromisoformat(text))
    except (ValueError, OverflowError):
        return None


def rfc822_utc(text: str | None) -> datetime | None:
    """An RFC 822 / RFC 1123 date (RSS ``pubDate``, arXivRaw's version dates); without a zone it is UTC."""
    if not text:
        return None
    try:
        return _utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def eastern_day(moment: datetime | None) -> date | None:
    """The day in US Eastern time, arXiv's calendar, of ``moment``."""
    if moment is None:
        return None
    try:
        return moment.astimezone(EASTERN).date()
    except OverflowError:
        return None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
