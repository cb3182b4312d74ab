"""The command line. Thin: parse options, build the environment, call the library, turn its errors into one line
and an exit status.

Each command imports what it runs inside its own body, so a command pays only for its own libraries at start:
``search`` and ``--help`` load neither the network, the XML, the template nor the terminal-bar libraries a daily
run needs (``benchmarks/bench_startup.py`` measures it). Every exit status is decided by ``exit_status``.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from datetime import datetime
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from dailypapers import __version__
from dailypapers.errors import (
    ConfigError,
    DailyPapersError,
    DatabaseBusyError,
    QuerySyntaxError,
    RunInProgressError,
    ServeError,
    StoreError,
)
from dailypapers.model import DeliveryStatus, RunOutcome
from dailypapers.pipeline.context import Environment, fixed_now, load_replay
from dailypapers.ui import (
    command_environment,
    error,
    failed_deliveries_line,
    harvest_target,
    install_spec,
    log,
    shown,
    unexpected_line,
    warn,
)

if TYPE_CHECKING:
    from dailypapers.config import Config
    from dailypapers.pipeline.daily import RunSummary

# The config read when --config is not given: ``config.DEFAULT_CONFIG``, named here so that ``--help`` does not
# load the config package (tests/test_startup.py checks that the two agree).
DEFAULT_CONFIG = "dailypapers.toml"


class ExitStatus(IntEnum):
    """Exit statuses scripts rely on (see the README): 75 is EX_TEMPFAIL, "try again later" (a stale feed, a run
    in progress, a database kept busy by another program)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    TRY_LATER = 75


# How a command can end, and the status each ending gives: errors by class (the first that matches; any other
# error is ERROR), a run's outcome, a delivery's status. click reports bad options itself, with click's own
# status for a ``click.UsageError``, which is USAGE too.
_ERRORS: tuple[tuple[type[BaseException], ExitStatus], ...] = (
    (ConfigError, ExitStatus.USAGE),
    (QuerySyntaxError, ExitStatus.USAGE),
    (click.UsageError, ExitStatus.USAGE),
    (ServeError, ExitStatus.USAGE),
    (RunInProgressError, ExitStatus.TRY_LATER),
    (DatabaseBusyError, ExitStatus.TRY_LATER),
)
_OUTCOMES = {RunOutcome.STALE: ExitStatus.TRY_LATER, RunOutcome.FAILED: ExitStatus.ERROR}
_DELIVERIES = {DeliveryStatus.FAILED: ExitStatus.ERROR}

Ending = BaseException | type[BaseException] | RunOutcome | DeliveryStatus


def exit_status(ending: Ending) -> ExitStatus:
    """The exit status of a command that ended with ``ending`` (an error, or the class of the error a message
    stands for; a run's outcome; a delivery's status): the one place that decides it."""
    if isinstance(ending, RunOutcome):
        return _OUTCOMES.get(ending, ExitStatus.OK)
    if isinstance(ending, DeliveryStatus):
        return _DELIVERIES.get(ending, ExitStatus.OK)
    kind = ending if isinstance(ending, type) else type(ending)
    return next((status for error, status in _ERRORS if issubclass(kind, error)), ExitStatus.ERROR)


def _fail(err: DailyPapersError, debug: bool) -> NoReturn:
    if debug:
        click.echo(shown(traceback.format_exc()), err=True, nl=False)
    error(err)
    raise SystemExit(exit_status(err))


def _load(ctx: click.Context, config_path: Path) -> Config:
    """The config, its warnings printed: every command that reads the topics tells what looks like a slip.
    From here on every line printed and logged is redacted of the secrets the config names."""
    from dailypapers.config import load_config
    from dailypapers.redact import redacting_logs, redactor_for

    config = load_config(config_path)
    redactor = redactor_for(config.secrets, os.environ, config.addresses)
    ctx.obj["redact"] = redactor
    ctx.with_resource(redacting_logs(redactor))
    for warning in config.warnings:
        warn(warning)
    return config


def _environment(ctx: click.Context, config: Config, **options: Any) -> Environment:
    """The command's one environment (``ui.command_environment``), with the command line's ``--debug``."""
    return command_environment(config, debug=ctx.obj["debug"], **options)


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
        click.echo(shown(traceback.format_exc()), err=True, nl=False)
    line = unexpected_line(err)
    if obj.get("json"):  # a script reading run --json gets its failure object whatever failed
        click.echo(json.dumps({"outcome": RunOutcome.FAILED, "message": line}))
    click.echo(f"dailypapers: error: {line}", err=True)
    raise SystemExit(exit_status(err))


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
    callback=lambda ctx, param, value: install_spec(value),
    help="What the workflow installs: dailypapers==VERSION (default: this version, from PyPI), a Git URL such "
    "as git+https://github.com/OWNER/REPO@TAG, or a wheel.",
)
def init(directory: Path, force: bool, install: str | None) -> None:
    """Write a commented dailypapers.toml and a GitHub Actions workflow into DIRECTORY (default: here)."""
    from dailypapers.pipeline.workflow import WORKFLOW, config_template, render_workflow, write_all

    config, workflow = config_template(), render_workflow(install)
    written = {directory / DEFAULT_CONFIG: config, directory / WORKFLOW: workflow}
    try:
        existing = [str(path) for path in written if path.exists()]
    except OSError as err:  # a name too long for the file system
        click.echo(f"dailypapers: error: cannot write into {directory}: {err.strerror or err}", err=True)
        raise SystemExit(exit_status(err)) from None
    if existing and not force:
        verb = "exists" if len(existing) == 1 else "exist"
        click.echo(f"dailypapers: error: {' and '.join(existing)} {verb}; use --force to overwrite", err=True)
        raise SystemExit(exit_status(click.UsageError))
    try:
        write_all(written)
    except DailyPapersError as err:
        _fail(err, debug=False)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(
        f"edit the topics in {directory / DEFAULT_CONFIG}, then run `dailypapers run --config "
        f"{directory / DEFAULT_CONFIG}`"
    )


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
    from dailypapers.files import file_errors
    from dailypapers.pipeline.daily import run_daily
    from dailypapers.ui import ProgressReporter, print_run

    ctx.obj["json"] = as_json
    try:
        config = _load(ctx, config_path)
        replayed = load_replay(replay) if replay is not None else None
        progress = ProgressReporter(sys.stderr, log)
        env = _environment(
            ctx,
            config,
            now=fixed_now(os.environ, replayed),
            progress=progress,
            replay=replayed,
            record=record,
            dry_run=dry_run,
        )
        if env.recorder is not None:
            with file_errors():
                env.recorder.start(env.now().isoformat())
        with progress:
            summary = run_daily(env)
    except DailyPapersError as err:
        if as_json:
            message = (shown(str(err)).splitlines() or [""])[0]
            click.echo(json.dumps({"outcome": RunOutcome.FAILED, "message": message}))
        _fail(err, ctx.obj["debug"])
    print_run(config, summary, as_json)
    _end_run(summary)


def _end_run(summary: RunSummary) -> None:
    """The run's exit: a stale feed is "try again later"; a failed delivery is an error, tried again next run."""
    status = exit_status(summary.outcome)
    if status != ExitStatus.OK:
        raise SystemExit(status)
    line = failed_deliveries_line(summary)
    if line is not None:
        click.echo(line, err=True)
        raise SystemExit(exit_status(DeliveryStatus.FAILED))


@cli.command()
@config_option
@click.pass_context
def render(ctx: click.Context, config_path: Path) -> None:
    """Re-write the page, notification, site and feeds from the database alone (no network, nothing sent)."""
    from dailypapers.pipeline.outputs import render_outputs

    try:
        env = _environment(ctx, _load(ctx, config_path))
        record = render_outputs(env.config, env.log)
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])
    if record is None:
        click.echo("dailypapers: error: the database holds no successful run yet; use `dailypapers run`", err=True)
        raise SystemExit(exit_status(StoreError))
    click.echo(f"re-wrote the outputs of run {record.id}")


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
    from dailypapers.pipeline.backfill import backfill as run_backfill
    from dailypapers.ui import ProgressReporter, backfill_line

    try:
        config = _load(ctx, config_path)
        target = harvest_target(config, start, until, set_spec, category)
        now = fixed_now(os.environ)
        with ProgressReporter(sys.stderr, log) as progress:
            summary = run_backfill(_environment(ctx, config, now=now, progress=progress), target)
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])
    click.echo(backfill_line(summary))


@cli.command()
@config_option
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="At most this many papers.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@click.pass_context
def search(ctx: click.Context, config_path: Path, query: str, limit: int, as_json: bool) -> None:
    """Search the local archive with the topics' query language, newest first."""
    from dailypapers.pipeline.search import read_query, search_archive
    from dailypapers.ui import print_search_table, search_record

    try:
        env = _environment(ctx, _load(ctx, config_path))
        node, warnings = read_query(query)
        for warning in warnings:
            warn(warning)
        papers = search_archive(env.config, node, limit=limit, log=env.log)
    except QuerySyntaxError as err:
        click.echo(f"dailypapers: error: {shown(str(err))}", err=True)
        raise SystemExit(exit_status(err)) from None
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])
    if as_json:
        for paper in papers:
            click.echo(json.dumps(search_record(paper), ensure_ascii=False))
        return
    print_search_table(papers, query)


@cli.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free one.")
@click.option("--open", "open_browser", is_flag=True, help="Open the reader in the web browser.")
@click.pass_context
def serve(ctx: click.Context, config_path: Path, host: str, port: int, open_browser: bool) -> None:
    """Read the archive in a web browser: the latest papers, with Star and Dismiss (stops with Ctrl-C)."""
    from dailypapers.serve.server import serve_forever

    try:
        serve_forever(_environment(ctx, _load(ctx, config_path)), host, port, open_browser, warn=warn)
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="dailypapers")


# the signals' and the ranking's commands, and `summarise`, join the group
from dailypapers import cli_rank, cli_summarise  # noqa: E402, F401
