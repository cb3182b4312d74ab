"""``dailypapers summarise``: fill the summary cache for older papers, part of the face.

It sits beside ``cli.py`` rather than in it to keep each module small; ``cli.py`` imports this module last, and
the command joins its group. Like every command it parses options, calls one library function and prints.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from dailypapers.cli import _environment, _fail, _load, cli, config_option, exit_status
from dailypapers.errors import DailyPapersError, FetchError
from dailypapers.pipeline.context import fixed_now

_DAY = click.DateTime(["%Y-%m-%d"])


@cli.command()
@config_option
@click.option("--since", type=_DAY, help="Papers updated on or after this day (YYYY-MM-DD; default: all).")
@click.option("--until", type=_DAY, help="Papers updated up to this day, included (default: today).")
@click.option("--limit", type=click.IntRange(min=0), help="At most this many requests (default: max_papers).")
@click.pass_context
def summarise(
    ctx: click.Context, config_path: Path, since: datetime | None, until: datetime | None, limit: int | None
) -> None:
    """Ask the [summaries] model for the TL;DRs the archive's matched papers lack, newest first.

    Exit 1 when some are still missing (the endpoint failed, or gave no usable answer): run it again later."""
    from dailypapers.pipeline.summaries import summarise_archive

    try:
        env = _environment(ctx, _load(ctx, config_path), now=fixed_now(os.environ))
        start = since.replace(tzinfo=UTC) if since else None
        end = until.replace(tzinfo=UTC) + timedelta(days=1) if until else None
        counts = summarise_archive(env, start, end, limit)
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])
    click.echo(counts.line())
    if counts.missing:  # the endpoint failed or answered nothing usable: say so to a script, as a failed source
        raise SystemExit(exit_status(FetchError))
