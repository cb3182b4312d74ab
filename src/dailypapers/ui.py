"""What the commands show: log, warning and error lines, progress for long fetches, the summary of a run or a
back-fill, the search results.

Every line passes through ``shown``, which blanks the secrets of the config the command loaded. Progress is a bar
on a terminal and plain log lines otherwise (cron mail, CI logs). The terminal library (rich) is imported only
where a bar or a table is drawn, so a command that draws neither (``search --json``, a run outside a terminal)
does not pay for it at start.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from dailypapers.model import DeliveryStatus, Paper, RunOutcome
from dailypapers.pipeline.context import Environment, HarvestUpdate, Update, fixed_clock, system_clock
from dailypapers.pipeline.context import Progress as RunProgress

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from dailypapers.config import Config
    from dailypapers.http import Replay
    from dailypapers.pipeline.backfill import BackfillSummary, Harvest
    from dailypapers.pipeline.daily import RunSummary
    from dailypapers.pipeline.signals import SignalOutcome
    from dailypapers.redact import Redactor
    from dailypapers.store import Starred


def shown(text: str) -> str:
    """``text`` with every form of the config's secrets blanked: the one filter before stderr and stdout."""
    redactor = redactor_in_use()
    return text if redactor is None else redactor(text)


def command_environment(
    config: Config,
    *,
    debug: bool,
    now: datetime | None = None,
    progress: RunProgress | None = None,
    replay: Replay | None = None,
    record: Path | None = None,
    dry_run: bool = False,
) -> Environment:
    """A command's one environment, built once its config is loaded; the runs read it and never change it."""
    recorder = None
    if record is not None:
        from dailypapers.http import Recorder

        recorder = Recorder(record)
    clock = fixed_clock(now) if now is not None else system_clock
    return Environment(
        config=config,
        now=clock,
        log=log,
        progress=progress,
        environ=os.environ,
        recorder=recorder,
        replay=replay,
        dry_run=dry_run,
        debug=debug,
    )


def install_spec(value: str | None) -> str | None:
    """``init --install``, checked: a bad one is click's usage error naming the option."""
    from dailypapers.pipeline.workflow import check_install

    try:
        return None if value is None else check_install(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


def failed_deliveries_line(summary: RunSummary) -> str | None:
    """The error line of a run whose deliveries (some) failed, or None when none did."""
    failed = summary.failed_deliveries
    if not failed:
        return None
    more = f" (and {len(failed) - 1} more delivery failures)" if len(failed) > 1 else ""
    return f"dailypapers: error: {shown(str(failed[0].detail))}{more}; they will be tried again on the next run"


def redactor_in_use() -> Redactor | None:
    """The redactor of the config the command loaded (None before one is loaded: nothing to blank yet)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.obj.get("redact") if ctx is not None and isinstance(ctx.obj, dict) else None
    return found if callable(found) else None


def log(message: str) -> None:
    click.echo(f"dailypapers: {shown(message)}", err=True)


def warn(warning: object) -> None:
    """A warning: its first line after ``dailypapers: warning:``, the query and caret lines as they are."""
    _lines("warning", shown(str(warning)).splitlines() or [""])


def error(err: BaseException) -> None:
    """An error: its first line after ``dailypapers: error:``, the lines after it (a query and its caret) as
    they are."""
    _lines("error", shown(str(err)).splitlines() or [err.__class__.__name__])


def unexpected_line(err: BaseException) -> str:
    """The one line of an error no code path expected: what the system said about a path, or what to report."""
    if isinstance(err, OSError) and err.strerror:
        where = f": {err.filename}" if err.filename is not None else ""
        said = f"{err.strerror}{where}; check the path and its folder"
    else:
        said = (
            f"internal error: {err.__class__.__name__}: {err}; run again with --debug for the traceback, and report it"
        )
    return " ".join(shown(said).split())[:500]


def _lines(kind: str, lines: list[str]) -> None:
    first, *rest = lines
    click.echo(f"dailypapers: {kind}: {first}", err=True)
    for line in rest:
        click.echo(line, err=True)


class ProgressReporter:
    """``reporter(label)`` gives an update function ``(done, total)`` for one long piece of work;
    ``reporter.harvest(label)`` one for a back-fill (``HarvestProgress``)."""

    def __init__(self, stream: TextIO, log: Callable[[str], None]) -> None:
        self.log = log
        self.bar: Progress | None = _bar(stream) if stream.isatty() else None

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

    def harvest(self, label: str) -> HarvestUpdate:
        return HarvestProgress(self, label)

    def _lines(self, label: str) -> Update:
        def update(done: int, total: int | None) -> None:
            self.log(f"{label}: {done} of {total if total is not None else '?'} entries")

        return update

    @staticmethod
    def _task(bar: Progress, task: TaskID) -> Update:
        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        return update


def _bar(stream: TextIO) -> Progress:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=Console(file=stream), transient=True)


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


# --- what a command prints when it is done --------------------------------------------------------------------


def print_run(config: Config, summary: RunSummary, as_json: bool) -> None:
    """What ``run`` prints on stdout: one JSON object, or the lines of ``run_lines``."""
    if as_json:
        redactor = redactor_in_use()
        said = summary.as_json() if redactor is None else redactor.json(summary.as_json())
        click.echo(json.dumps(said, sort_keys=True))
        return
    for line in run_lines(config, summary):
        click.echo(line)


def run_lines(config: Config, summary: RunSummary) -> Iterator[str]:
    """The lines ``run`` prints: the outcome and its counts, where the outputs are, what each target got;
    the texts that come from outside (messages, delivery details) with their secrets blanked."""
    if summary.outcome == RunOutcome.STALE:
        yield f"stale: {shown(str(summary.message))}"
        return
    new = summary.new_papers
    detail = ", ".join(f"{count} on {topic!r}" for topic, count in summary.new.items())
    yield (
        f"{summary.outcome}: {new} new paper{'s' if new != 1 else ''}{f' ({detail})' if detail else ''}; "
        f"{summary.requests} request{'s' if summary.requests != 1 else ''} to arXiv, "
        f"{summary.received} entries received, {summary.kept} new or revised, {summary.dropped} dropped"
    )
    outputs = config.outputs
    for label, path in (
        ("page", outputs.markdown),
        ("notification", outputs.issue),
        ("site", outputs.site),
        ("feeds", outputs.feeds),
    ):
        if path is not None:
            yield f"{label}: {path}"
    for delivered in summary.deliveries:
        papers = f"{delivered.papers} paper{'s' if delivered.papers != 1 else ''}"
        said = {
            DeliveryStatus.SENT: f"sent {papers}",
            DeliveryStatus.NOTHING: "nothing new to send",
            DeliveryStatus.OUTBOX: f"{papers} written to {delivered.detail}",
        }
        yield shown(f"{delivered.target}: {said.get(delivered.status, 'failed, will be tried again')}")


def backfill_line(summary: BackfillSummary) -> str:
    rate = summary.records / summary.seconds if summary.seconds else 0.0
    return (
        f"back-filled {summary.records} records ({summary.new_versions} new versions, {summary.matched} topic "
        f"matches) in {summary.pages} pages, {summary.requests} requests, {rate:,.0f} records/s"
        + (" (resumed)" if summary.resumed else "")
    )


def search_record(paper: Paper) -> dict[str, Any]:
    """One line of ``search --json``."""
    return {
        "id": paper.id,
        "version": paper.version,
        "title": paper.title,
        "updated": paper.updated.isoformat().replace("+00:00", "Z"),
        "published": paper.published.isoformat().replace("+00:00", "Z"),
        "authors": [author.name for author in paper.authors],
        "categories": list(paper.categories),
        "url": paper.abs_url,
    }


def print_search_table(papers: list[Paper], query: str) -> None:
    """The results of ``search`` as a table on stdout."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(papers)} paper{'s' if len(papers) != 1 else ''} for {query}", title_justify="left")
    for column in ("Date", "arXiv", "Title", "Authors"):
        table.add_column(column, overflow="fold")
    for paper in papers:
        authors = ", ".join(a.name for a in paper.authors[:3]) + (" et al." if len(paper.authors) > 3 else "")
        table.add_row(paper.updated.date().isoformat(), paper.versioned_id, paper.title, authors)
    Console(soft_wrap=False, markup=False).print(table)  # paper text is no markup


# The commands that record a reader's signal, for scripts (``stars`` lists the starred papers), with their help.
SIGNAL_COMMANDS = {
    "star": "Star papers of the archive: IDs such as 2601.08800, arXiv:2601.08800v2 or an abs/pdf URL.",
    "unstar": "Take the star off papers.",
    "dismiss": "Dismiss papers: not for me.",
    "undismiss": "Undo the dismissal of papers.",
}
# What a signal command says: the papers it changed, and those that already had the state (nothing recorded).
_SIGNAL_WORDS = {
    "star": ("starred", "already starred"),
    "unstar": ("unstarred", "not starred"),
    "dismiss": ("dismissed", "already dismissed"),
    "undismiss": ("restored", "not dismissed"),
    "read": ("marked read", "already read"),
}


def signal_line(outcome: SignalOutcome) -> str:
    """The one line ``star``, ``unstar``, ``dismiss`` and ``undismiss`` print."""
    done, state = _SIGNAL_WORDS[outcome.signal]
    changed = [record.paper_id for record in outcome.recorded]
    line = f"{done} {len(changed)} paper{'s' if len(changed) != 1 else ''}"
    line += f" ({', '.join(changed)})" if changed else ""
    if outcome.unchanged:
        line += f"; {', '.join(outcome.unchanged)} {'was' if len(outcome.unchanged) == 1 else 'were'} {state}"
    return line


def print_stars(starred: list[Starred], form: str | None) -> None:
    """The starred papers on stdout: a table (like ``search``'s), BibTeX or CSL-JSON."""
    if form is not None:
        from dailypapers.render.cite import EXPORTS

        click.echo(EXPORTS[form].write([star.paper for star in starred]), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    title = f"{len(starred)} starred paper{'s' if len(starred) != 1 else ''}, newest star first"
    table = Table(title=title, title_justify="left")
    for column in ("Starred", "arXiv", "Title", "Authors"):
        table.add_column(column, overflow="fold")
    for star in starred:
        paper = star.paper
        authors = ", ".join(a.name for a in paper.authors[:3]) + (" et al." if len(paper.authors) > 3 else "")
        table.add_row(star.starred_at.date().isoformat(), paper.versioned_id, paper.title, authors)
    Console(soft_wrap=False, markup=False).print(table)  # paper text is no markup


def harvest_target(
    config: Config, start: datetime, until: datetime | None, set_spec: str | None, category: str | None
) -> Harvest:
    """What ``backfill``'s options ask to harvest: ``--set``, ``--category``, or the scope when it is one archive
    or category; ``click.UsageError`` when they say too little, too much, or days in the wrong order. Option
    checking belongs to the face, so it lives here rather than in the back-fill run."""
    from dailypapers.arxiv.taxonomy import GROUPS
    from dailypapers.pipeline.backfill import Harvest, check_set, set_for_category  # noqa: F811

    if set_spec and category:
        raise click.UsageError("give --set or --category, not both")
    if category:
        set_spec = set_for_category(category)
    elif not set_spec and len(config.categories) == 1:
        only = config.categories[0]
        set_spec = only if only in GROUPS else set_for_category(only)
    elif not set_spec:
        raise click.UsageError("choose what to harvest with --set (e.g. cs) or --category (e.g. cs.DC)")
    else:
        check_set(set_spec)
    if until is not None and until < start:
        raise click.UsageError("--until is before --from")
    return Harvest(start.date(), until.date() if until else None, set_spec)
