"""Progress for long fetches: a bar on a terminal, plain log lines otherwise (cron mail, CI logs)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

Update = Callable[[int, int | None], None]


class ProgressReporter:
    """``reporter(label)`` gives an update function ``(done, total)`` for one long piece of work."""

    def __init__(self, stream: TextIO, log: Callable[[str], None]) -> None:
        self.log = log
        self.bar: Progress | None = None
        if stream.isatty():
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=stream),
                transient=True,
            )

    def __enter__(self) -> ProgressReporter:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, label: str) -> Update:
        if self.bar is None:
            return self._lines(label)
        return self._task(self.bar, self.bar.add_task(label, total=None))

    def _lines(self, label: str) -> Update:
        def update(done: int, total: int | None) -> None:
            self.log(f"{label}: {done} of {total if total is not None else '?'} entries")

        return update

    @staticmethod
    def _task(bar: Progress, task: TaskID) -> Update:
        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        return update


class HarvestProgress:
    """Records harvested, records per second and an estimate of the time left, from the days covered so far.

    OAI-PMH no longer says how many records a harvest holds (arxiv-protocol.md §3.3), so the estimate comes
    from how far the datestamps have advanced through the requested days.
    """

    def __init__(self, reporter: ProgressReporter, label: str) -> None:
        self.reporter = reporter
        self.label = label
        self.started = time.monotonic()
        self.task: TaskID | None = None
        if reporter.bar is not None:
            self.task = reporter.bar.add_task(label, total=1.0)

    def __call__(self, records: int, fraction: float, reached: date | None) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = records / elapsed
        left = elapsed * (1 - fraction) / fraction if fraction > 0 else None
        estimate = f", about {_duration(left)} left" if left is not None else ""
        text = f"{self.label}: {records} records ({rate:,.0f} records/s), up to {reached or '?'}{estimate}"
        if self.reporter.bar is not None and self.task is not None:
            self.reporter.bar.update(self.task, completed=fraction, description=text)
        else:
            self.reporter.log(text)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
