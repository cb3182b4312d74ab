"""The one environment every run is given: what it needs from the outside world, built once by the command line.

httpie's ``Environment`` is the model: the config, the clock, where messages and progress go, the process's
environment variables, the recorder or replay the network goes through, and the switches (``dry_run``,
``debug``). The command line builds it once, after the config is loaded; the daily run, the back-fill and the
deliveries read it and never change it (it is frozen, and its ``environ`` a read-only copy), so what a stage sees
cannot depend on what an earlier stage did to it. Tests build one with a temporary folder, a fixed clock and a
local server's URLs instead of patching globals.

What belongs to one run only (its store, its record, its digest) is not here: it is passed explicitly.

This module is imported by every command, so it imports nothing heavy: the types it names are read by the type
checker only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from dailypapers.errors import ConfigError, FetchError

if TYPE_CHECKING:
    from dailypapers.config import Config
    from dailypapers.http import Recorder, Replay

Update = Callable[[int, int | None], None]  # entries done, and the total when known
HarvestUpdate = Callable[[int, float, date | None], None]  # records stored, fraction of the days done, day reached


class Progress(Protocol):
    """Where long work reports how far it is: a bar on a terminal, log lines otherwise (``ui.ProgressReporter``)."""

    def __call__(self, label: str) -> Update:
        """An update function for one long fetch (entries out of a total that may be unknown)."""

    def harvest(self, label: str) -> HarvestUpdate:
        """An update function for a back-fill, whose total is known only as a span of days."""


def quiet(message: str) -> None:
    """The log of a run nobody watches."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Callable[[], datetime]:
    """A clock that always says ``moment`` (``DAILYPAPERS_NOW``, a replay's recording time, a test's day)."""
    return lambda: moment


def fixed_now(environ: Mapping[str, str], replay: Replay | None = None) -> datetime | None:
    """The time ``DAILYPAPERS_NOW`` sets, else the time a replay was recorded at, else None (the system clock)."""
    raw = environ.get("DAILYPAPERS_NOW")
    where, key = ("environment", "DAILYPAPERS_NOW")
    if not raw and replay is not None:
        raw, where, key = str(replay.now or ""), str(replay.folder / "recording.json"), "now"
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
        moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        in_range = _EARLIEST <= moment.astimezone(UTC) <= _LATEST
    except (ValueError, OverflowError):
        in_range = False
    if not in_range:
        raise ConfigError(where, key, f"expected an ISO 8601 time, got {raw!r} (a time from 1991 to 9000)")
    return moment


# A fixed clock outside these years overflows the date arithmetic every run does (a day's slack, look-back days).
_EARLIEST = datetime(1991, 1, 1, tzinfo=UTC)
_LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def load_replay(folder: Path) -> Replay:
    """The recorded answers. Their files are read as JSON and indexed by key: one damaged, cut short or not
    from a recording at all (a list, a body not in base64, a folder named like an answer) is one line."""
    from dailypapers.http import Replay

    try:
        return Replay.load(folder)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:  # binascii.Error is a ValueError
        raise FetchError(
            str(folder), 0, None, f"a file in this replay folder is damaged ({type(err).__name__}); record it again"
        ) from None


@dataclass(frozen=True)
class Environment:
    """What a run needs from the outside world, fixed for the whole run."""

    config: Config
    now: Callable[[], datetime] = system_clock
    log: Callable[[str], None] = quiet
    progress: Progress | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    recorder: Recorder | None = None  # every answer received is saved (``run --record``)
    replay: Replay | None = None  # every request is answered from a recording (``run --replay``)
    dry_run: bool = False  # everything is rendered into outbox/; the database and the outputs stay as they were
    debug: bool = False  # errors come with their traceback

    def __post_init__(self) -> None:
        # A copy, read-only: a run can neither change the process's variables nor see them change under it.
        object.__setattr__(self, "environ", MappingProxyType(dict(self.environ)))
