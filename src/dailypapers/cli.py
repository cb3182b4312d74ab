"""The command line. Thin: parse options, call the library, turn its errors into one line and an exit status."""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from enum import IntEnum
from importlib.resources import files
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.table import Table

from dailypapers import __version__
from dailypapers.arxiv.coverage import STALE
from dailypapers.arxiv.taxonomy import GROUPS, check_query_categories
from dailypapers.config import DEFAULT_CONFIG, Config, load_config
from dailypapers.errors import (
    ConfigError,
    DailyPapersError,
    DatabaseBusyError,
    FetchError,
    QuerySyntaxError,
    RunInProgressError,
)
from dailypapers.files import discard, file_errors, publish, stage
from dailypapers.http import Recorder, Replay
from dailypapers.model import Paper
from dailypapers.pipeline.backfill import Harvest, check_set, set_for_category
from dailypapers.pipeline.backfill import backfill as run_backfill
from dailypapers.pipeline.daily import Context, RunSummary, run_daily
from dailypapers.pipeline.outputs import render_outputs
from dailypapers.pipeline.search import search_archive
from dailypapers.pipeline.workflow import check_install, render_workflow
from dailypapers.query import lint
from dailypapers.query import parse as parse_query
from dailypapers.redact import Redactor, redacting_logs, redactor_for
from dailypapers.ui import HarvestProgress, ProgressReporter


class ExitStatus(IntEnum):
    """Exit statuses scripts rely on (see the README): 75 is EX_TEMPFAIL, "try again later" (a stale feed, a run
    in progress, a database kept busy by another program)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    TRY_LATER = 75


def _fail(err: DailyPapersError, debug: bool) -> NoReturn:
    if debug:
        click.echo(_shown(traceback.format_exc()), err=True, nl=False)
    first, *rest = _shown(str(err)).splitlines() or [err.__class__.__name__]
    click.echo(f"dailypapers: error: {first}", err=True)
    for line in rest:
        click.echo(line, err=True)
    if isinstance(err, ConfigError | QuerySyntaxError):
        raise SystemExit(ExitStatus.USAGE)
    if isinstance(err, RunInProgressError | DatabaseBusyError):
        raise SystemExit(ExitStatus.TRY_LATER)
    raise SystemExit(ExitStatus.ERROR)


def _log(message: str) -> None:
    click.echo(f"dailypapers: {_shown(message)}", err=True)


def _shown(text: str) -> str:
    """``text`` with every form of the config's secrets blanked: the one filter before stderr and stdout."""
    return _redactor()(text)


def _redactor() -> Redactor:
    ctx = click.get_current_context(silent=True)
    found = ctx.obj.get("redact") if ctx is not None and isinstance(ctx.obj, dict) else None
    return found if isinstance(found, Redactor) else Redactor()


def _load(ctx: click.Context, config_path: Path) -> Config:
    """The config, its warnings printed: every command that reads the topics tells what looks like a slip.
    From here on every line printed and logged is redacted of the secrets the config names."""
    config = load_config(config_path)
    redactor = redactor_for(config.secrets, os.environ, config.addresses)
    ctx.obj["redact"] = redactor
    ctx.with_resource(redacting_logs(redactor))
    for warning in config.warnings:
        _warn(warning)
    return config


def _warn(warning: object) -> None:
    """A warning: its first line after ``dailypapers: warning:``, the query and caret lines as they are."""
    first, *rest = _shown(str(warning)).splitlines() or [""]
    click.echo(f"dailypapers: warning: {first}", err=True)
    for line in rest:
        click.echo(line, err=True)


def _clock(fixed: datetime | None) -> Callable[[], datetime]:
    if fixed is not None:
        return lambda: fixed
    return lambda: datetime.now(UTC)


def _replay(folder: Path) -> Replay:
    """The recorded answers. Their files are read as JSON and indexed by key: one damaged, cut short or not
    from a recording at all (a list, a body not in base64, a folder named like an answer) is one line."""
    try:
        return Replay.load(folder)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:  # binascii.Error is a ValueError
        raise FetchError(
            str(folder), 0, None, f"a file in this replay folder is damaged ({type(err).__name__}); record it again"
        ) from None


def _fixed_now(replay: Replay | None) -> datetime | None:
    """DAILYPAPERS_NOW replaces the clock; a replay brings the time it was recorded at."""
    raw = os.environ.get("DAILYPAPERS_NOW")
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


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The config file; paths inside it are relative to its folder.",
)


class _Guarded(click.Group):
    """The command group with a last resort: an exception no code path maps to a message is still one line
    (redacted, exit 1), with the traceback only under ``--debug``; the specific cause gets fixed where it arises."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as err:  # noqa: BLE001 - the last resort before a bare traceback
            _unexpected(err, ctx.obj if isinstance(ctx.obj, dict) else {})


def _unexpected(err: BaseException, obj: dict[str, Any]) -> NoReturn:
    if obj.get("debug"):
        click.echo(_shown(traceback.format_exc()), err=True, nl=False)
    if isinstance(err, OSError) and err.strerror:
        where = f": {err.filename}" if err.filename is not None else ""
        said = f"{err.strerror}{where}; check the path and its folder"
    else:
        said = (
            f"internal error: {err.__class__.__name__}: {err}; run again with --debug for the traceback, and report it"
        )
    line = " ".join(_shown(said).split())[:500]
    if obj.get("json"):  # a script reading run --json gets its failure object whatever failed
        click.echo(json.dumps({"outcome": "failed", "message": line}))
    click.echo(f"dailypapers: error: {line}", err=True)
    raise SystemExit(ExitStatus.ERROR)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dailypapers")
@click.option("--debug", is_flag=True, help="Show a traceback with errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Which new arXiv papers are about your topics: verified locally, announced once."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--force", is_flag=True, help="Overwrite an existing dailypapers.toml and workflow.")
@click.option(
    "--install",
    metavar="SPEC",
    callback=lambda ctx, param, value: _install_spec(value),
    help="What the workflow installs: dailypapers==VERSION (default: this version, from PyPI), a Git URL such "
    "as git+https://github.com/OWNER/REPO@TAG, or a wheel.",
)
def init(directory: Path, force: bool, install: str | None) -> None:
    """Write a commented dailypapers.toml and a GitHub Actions workflow into DIRECTORY (default: here)."""
    config, workflow = _template("dailypapers.toml"), render_workflow(install)
    written = {directory / DEFAULT_CONFIG: config, directory / WORKFLOW: workflow}
    try:
        existing = [str(path) for path in written if path.exists()]
    except OSError as err:  # a name too long for the file system
        click.echo(f"dailypapers: error: cannot write into {directory}: {err.strerror or err}", err=True)
        raise SystemExit(ExitStatus.ERROR) from None
    if existing and not force:
        verb = "exists" if len(existing) == 1 else "exist"
        click.echo(f"dailypapers: error: {' and '.join(existing)} {verb}; use --force to overwrite", err=True)
        raise SystemExit(ExitStatus.USAGE)
    _write_all(written)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(
        f"edit the topics in {directory / DEFAULT_CONFIG}, then run `dailypapers run --config "
        f"{directory / DEFAULT_CONFIG}`"
    )


WORKFLOW = Path(".github/workflows/dailypapers.yml")


def _write_all(written: dict[Path, str]) -> None:
    """Every file staged first, then renamed: a destination that cannot be written leaves neither file, no
    temporary file, and one line naming the path (a file where a folder goes, a folder where a file goes)."""
    staged: dict[Path, Path] = {}
    try:
        with file_errors():
            for path, text in written.items():
                staged[path] = stage(path, text)
            publish(staged)
    except DailyPapersError as err:
        discard(staged)
        _fail(err, debug=False)


def _template(name: str) -> str:
    return files("dailypapers").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _install_spec(value: str | None) -> str | None:
    try:
        return None if value is None else check_install(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object summarising the run.")
@click.option("--record", type=click.Path(path_type=Path, file_okay=False), help="Save every answer received.")
@click.option(
    "--replay",
    type=click.Path(path_type=Path, file_okay=False),
    help="Answer every request from a recorded folder instead of the network.",
)
@click.option("--dry-run", is_flag=True, help="Render everything into outbox/; change no output, database or target.")
@click.pass_context
def run(
    ctx: click.Context, config_path: Path, as_json: bool, record: Path | None, replay: Path | None, dry_run: bool
) -> None:
    """Fetch from arXiv, store, match the topics, write every output and deliver what is new."""
    debug = ctx.obj["debug"]
    ctx.obj["json"] = as_json
    try:
        config = _load(ctx, config_path)
        replayed = _replay(replay) if replay is not None else None
        now = _clock(_fixed_now(replayed))
        recorder = Recorder(record) if record is not None else None
        if recorder is not None:
            with file_errors():
                recorder.start(now().isoformat())
        with ProgressReporter(sys.stderr, _log) as progress:
            context = Context(config=config, now=now, log=_log, progress=progress, recorder=recorder, replay=replayed)
            context.dry_run = dry_run
            summary = run_daily(context)
    except DailyPapersError as err:
        if as_json:
            click.echo(json.dumps({"outcome": "failed", "message": (_shown(str(err)).splitlines() or [""])[0]}))
        _fail(err, debug)
    _print_summary(config, summary, as_json)
    if summary.outcome == STALE:
        raise SystemExit(ExitStatus.TRY_LATER)
    failed = summary.failed_deliveries
    if failed:
        more = f" (and {len(failed) - 1} more delivery failures)" if len(failed) > 1 else ""
        detail = _shown(str(failed[0].detail))
        click.echo(f"dailypapers: error: {detail}{more}; they will be tried again on the next run", err=True)
        raise SystemExit(ExitStatus.ERROR)


def _print_summary(config: Config, summary: RunSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(_redactor().json(summary.as_json()), sort_keys=True))
        return
    if summary.outcome == STALE:
        click.echo(f"stale: {_shown(str(summary.message))}")
        return
    new = summary.new_papers
    detail = ", ".join(f"{count} on {topic!r}" for topic, count in summary.new.items())
    click.echo(
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
            click.echo(f"{label}: {path}")
    for delivered in summary.deliveries:
        papers = f"{delivered.papers} paper{'s' if delivered.papers != 1 else ''}"
        said = {
            "sent": f"sent {papers}",
            "nothing": "nothing new to send",
            "outbox": f"{papers} written to {delivered.detail}",
        }
        click.echo(_shown(f"{delivered.target}: {said.get(delivered.status, 'failed, will be tried again')}"))


@cli.command()
@config_option
@click.pass_context
def render(ctx: click.Context, config_path: Path) -> None:
    """Re-write the page, notification, site and feeds from the database alone (no network, nothing sent)."""
    try:
        config = _load(ctx, config_path)
        record = render_outputs(config)
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])
    if record is None:
        click.echo("dailypapers: error: the database holds no successful run yet; use `dailypapers run`", err=True)
        raise SystemExit(ExitStatus.ERROR)
    click.echo(f"re-wrote the outputs of run {record.id}")


_GROUPS = GROUPS


def _harvest_target(
    config: Config, start: datetime, until: datetime | None, set_spec: str | None, category: str | None
) -> Harvest:
    if set_spec and category:
        raise click.UsageError("give --set or --category, not both")
    if category:
        set_spec = set_for_category(category)
    elif not set_spec and len(config.categories) == 1:
        only = config.categories[0]
        set_spec = only if only in _GROUPS else set_for_category(only)
    elif not set_spec:
        raise click.UsageError("choose what to harvest with --set (e.g. cs) or --category (e.g. cs.DC)")
    else:
        check_set(set_spec)
    if until is not None and until < start:
        raise click.UsageError("--until is before --from")
    return Harvest(start.date(), until.date() if until else None, set_spec)


@cli.command()
@config_option
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day, included (default: today).")
@click.option("--set", "set_spec", help="An OAI-PMH set: cs, math, physics:hep-th, cs:cs:DC …")
@click.option("--category", help="An arXiv category, e.g. cs.DC (its OAI-PMH set is used).")
@click.pass_context
def backfill(
    ctx: click.Context,
    config_path: Path,
    start: datetime,
    until: datetime | None,
    set_spec: str | None,
    category: str | None,
) -> None:
    """Harvest every paper announced or changed in a span of days into the archive (OAI-PMH).

    Resumable: run the same command again after an interruption and it goes on where it stopped.
    Back-filled papers are matched to the topics but never notified as new.
    """
    try:
        config = _load(ctx, config_path)
        target = _harvest_target(config, start, until, set_spec, category)
        now = _clock(_fixed_now(None))
        with ProgressReporter(sys.stderr, _log) as reporter:
            progress = HarvestProgress(reporter, f"back-fill {target.set_spec or 'all'}")
            summary = run_backfill(config, target, now=now, log=_log, progress=progress)
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])
    rate = summary.records / summary.seconds if summary.seconds else 0.0
    click.echo(
        f"back-filled {summary.records} records ({summary.new_versions} new versions, {summary.matched} topic "
        f"matches) in {summary.pages} pages, {summary.requests} requests, {rate:,.0f} records/s"
        + (" (resumed)" if summary.resumed else "")
    )


@cli.command()
@config_option
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="At most this many papers.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@click.pass_context
def search(ctx: click.Context, config_path: Path, query: str, limit: int, as_json: bool) -> None:
    """Search the local archive with the topics' query language, newest first."""
    try:
        config = _load(ctx, config_path)
        node = parse_query(query)
        check_query_categories(query)
        for warning in lint(query):
            _warn(warning)
        papers = search_archive(config, node, limit=limit, log=_log)
    except QuerySyntaxError as err:
        click.echo(f"dailypapers: error: {_shown(str(err))}", err=True)
        raise SystemExit(ExitStatus.USAGE) from None
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])
    if as_json:
        for paper in papers:
            click.echo(json.dumps(_search_record(paper), ensure_ascii=False))
        return
    _search_table(papers, query)


def _search_record(paper: Paper) -> dict[str, Any]:
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


def _search_table(papers: list[Paper], query: str) -> None:
    table = Table(title=f"{len(papers)} paper{'s' if len(papers) != 1 else ''} for {query}", title_justify="left")
    for column in ("Date", "arXiv", "Title", "Authors"):
        table.add_column(column, overflow="fold")
    for paper in papers:
        authors = ", ".join(a.name for a in paper.authors[:3]) + (" et al." if len(paper.authors) > 3 else "")
        table.add_row(paper.updated.date().isoformat(), paper.versioned_id, paper.title, authors)
    Console(soft_wrap=False).print(table)


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="dailypapers")
