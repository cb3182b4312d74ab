"""Progress for long fetches: a bar on a terminal, plain log lines otherwise (cron mail, CI logs)."""

from __future__ import annotations

from collections.abc import Callable
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
