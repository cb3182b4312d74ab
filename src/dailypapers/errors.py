"""The exceptions dailypapers raises. Library code raises them; only the CLI turns them into messages."""

from __future__ import annotations

from pathlib import Path


class DailyPapersError(Exception):
    """Base of every error dailypapers reports to a user."""


class ConfigError(DailyPapersError):
    """The config file is missing, unreadable or has a wrong key or value."""

    def __init__(self, file: Path | str, key: str | None, message: str) -> None:
        self.file = str(file)
        self.key = key
        self.message = message
        where = f"{self.file}: {key}" if key else self.file
        super().__init__(f"{where}: {message}")


class QuerySyntaxError(DailyPapersError):
    """A topic query that is not valid arXiv ``search_query`` syntax.

    ``start`` and ``end`` are 0-based character offsets into ``source``; the message shows the query with a
    caret under the bad span, the way httpie reports nested-JSON errors.
    """

    def __init__(self, source: str, start: int, end: int, message: str, topic: str | None = None) -> None:
        self.source = source
        self.start = start
        self.end = max(end, start + 1)
        self.message = message
        self.topic = topic
        super().__init__(self._format())

    def with_topic(self, topic: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.source, self.start, self.end, self.message, topic)

    def _format(self) -> str:
        head = f"topic {self.topic!r}: " if self.topic else ""
        caret = " " * self.start + "^" * (self.end - self.start)
        return f"{head}{self.message} at column {self.start + 1}\n  {self.source}\n  {caret}"


class FetchError(DailyPapersError):
    """A source could not be read: the URL, how many attempts were made and the last status."""

    def __init__(self, url: str, attempts: int, status: int | None, reason: str) -> None:
        self.url = url
        self.attempts = attempts
        self.status = status
        self.reason = reason
        shown = f"HTTP {status}" if status is not None else reason
        tail = f" ({reason})" if status is not None and reason else ""
        tries = f" after {attempts} attempt{'s' if attempts != 1 else ''}" if attempts else ""
        super().__init__(f"{url}: {shown}{tail}{tries}")


class UnconfirmedError(FetchError):
    """A POST that may have reached the server, with no complete answer to say so: it is not sent again in
    this run (the target counts as failed and gets it once more on the next run)."""


class FeedError(DailyPapersError):
    """A feed that cannot be used: malformed XML, or arXiv's error feed carrying arXiv's own message."""

    def __init__(self, message: str, url: str | None = None) -> None:
        self.url = url
        self.message = message
        super().__init__(f"{url}: {message}" if url else message)


class StoreError(DailyPapersError):
    """The SQLite archive cannot be opened or is of an unknown schema."""


class DeliveryError(DailyPapersError):
    """An output could not be delivered to a channel (a file, a mail server, a webhook)."""

    def __init__(self, channel: str, recipient: str, message: str) -> None:
        self.channel = channel
        self.recipient = recipient
        super().__init__(f"{channel} to {recipient}: {message}")


class RunInProgressError(DailyPapersError):
    """Another run on the same config holds the lock."""


class ArxivApiError(FeedError):
    """arXiv answered with its error feed (one entry titled ``Error``): a definite answer, not worth a retry."""


class OutputError(DailyPapersError):
    """A file or folder a run writes cannot be written: the path, why, and what to do about it."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class DatabaseBusyError(StoreError):
    """Another program kept the database locked for longer than the run waits: try again later."""


class UnknownPaperError(DailyPapersError):
    """A paper named by a reader (``dailypapers star ID``) that is not in the archive, or not at that version."""


class ServeError(DailyPapersError):
    """The reader cannot start: its port is in use, or its address is not one of this machine."""
