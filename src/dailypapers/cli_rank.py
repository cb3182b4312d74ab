"""The commands of what you read and what the ranking learns from it, part of the face: ``star``, ``unstar``,
``dismiss``, ``undismiss`` and ``stars``; ``library add|list|remove``; ``rank`` (with ``--evaluate``).

They sit beside ``cli.py`` rather than in it to keep each module small; ``cli.py`` imports this module last, and
these commands join its group. Like every command they parse options, call one library function and print.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dailypapers.cli import _environment, _fail, _load, cli, config_option
from dailypapers.errors import DailyPapersError
from dailypapers.pipeline.context import fixed_now
from dailypapers.ui import SIGNAL_COMMANDS, log, print_stars, shown, signal_line, warn

if TYPE_CHECKING:
    from dailypapers.pipeline.context import Environment
    from dailypapers.pipeline.library import Added
    from dailypapers.pipeline.rank import RankedPaper
    from dailypapers.rank.evaluate import Evaluation
    from dailypapers.store.library import LibraryRow


for _name, _summary in SIGNAL_COMMANDS.items():  # star, unstar, dismiss, undismiss: one command each

    @cli.command(name=_name, help=_summary)
    @config_option
    @click.argument("papers", metavar="ID...", nargs=-1, required=True)
    @click.pass_context
    def _signal(ctx: click.Context, config_path: Path, papers: tuple[str, ...], name: str = _name) -> None:
        from dailypapers.pipeline.signals import give_signal

        try:
            env = _environment(ctx, _load(ctx, config_path), now=fixed_now(os.environ))
            click.echo(signal_line(give_signal(env, name, papers)))
        except DailyPapersError as err:
            _fail(err, ctx.obj["debug"])


@cli.command()
@config_option
@click.option("--bibtex", "form", flag_value="bibtex", help="BibTeX entries, as arXiv exports them.")
@click.option("--json", "form", flag_value="json", help="CSL-JSON, as Zotero imports it.")
@click.pass_context
def stars(ctx: click.Context, config_path: Path, form: str | None) -> None:
    """List the starred papers, newest star first: a table, BibTeX or CSL-JSON."""
    from dailypapers.pipeline.signals import starred_papers

    try:
        print_stars(starred_papers(_load(ctx, config_path)), form)
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])


@cli.group()
def library() -> None:
    """Your library (BibTeX, RIS, CSL-JSON or arXiv ids): papers the ranking takes as ones you like."""


@library.command("add")
@config_option
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def library_add(ctx: click.Context, config_path: Path, files: tuple[Path, ...]) -> None:
    """Add library exports: .bib, .ris, .json (CSL-JSON) or .txt (arXiv ids or URLs, one a line). Adding a file
    again replaces what it added; arXiv papers the archive lacks are fetched from arXiv."""
    from dailypapers.pipeline.library import add_library

    try:
        added = add_library(_environment(ctx, _load(ctx, config_path)), files)
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])
    _print_added(added)


def _print_added(added: Added) -> None:
    for file in added.files:
        skipped = f"; {len(file.skipped)} skipped" if file.skipped else ""
        again = f" (replacing {file.replaced} from before)" if file.replaced else ""
        click.echo(
            shown(f"{file.path} ({file.kind}): {file.entries} entries, {file.arxiv} with an arXiv id{skipped}{again}")
        )
        for skip in file.skipped:
            warn(f"{file.path}:{skip.line}: skipped: {skip.reason}")
    if added.requests:
        plural = "s" if added.requests != 1 else ""
        click.echo(f"fetched {added.fetched} papers from arXiv in {added.requests} request{plural}")
    if added.unanswered:
        shown_ids = ", ".join(added.unanswered[:5]) + (", …" if len(added.unanswered) > 5 else "")
        warn(f"arXiv had no paper for {len(added.unanswered)} ids ({shown_ids}); their entries count by their text")


@library.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@click.pass_context
def library_list(ctx: click.Context, config_path: Path, as_json: bool) -> None:
    """List the library: each entry's arXiv id (if any), title and where it came from."""
    from dailypapers.pipeline.library import library_entries

    try:
        rows = library_entries(_load(ctx, config_path))
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])
    for row in rows:
        click.echo(json.dumps(_library_record(row), ensure_ascii=False) if as_json else _library_line(row))
    if not as_json:
        files = len({row.source for row in rows})
        click.echo(f"{len(rows)} entries from {files} file{'s' if files != 1 else ''}")


def _library_record(row: LibraryRow) -> dict[str, Any]:
    return {"id": row.paper_id, "version": row.version, "title": row.title, "key": row.key, "source": row.source,
            "line": row.line, "added": row.added.isoformat().replace("+00:00", "Z")}  # fmt: skip


def _library_line(row: LibraryRow) -> str:
    paper = (row.paper_id + (f"v{row.version}" if row.version else "")) if row.paper_id else "-"
    return f"{paper:<18} {' '.join(row.title.split())[:90] or '(no title)'}  ({Path(row.source).name}:{row.line})"


@library.command("remove")
@config_option
@click.argument("names", metavar="FILE_OR_ID...", nargs=-1, required=True)
@click.pass_context
def library_remove(ctx: click.Context, config_path: Path, names: tuple[str, ...]) -> None:
    """Remove what a file added, or the entries naming an arXiv id."""
    from dailypapers.pipeline.library import remove_library

    try:
        removed = remove_library(_load(ctx, config_path), names)
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])
    click.echo(f"removed {removed} entr{'ies' if removed != 1 else 'y'}")


@cli.command()
@config_option
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD; default: a week ago).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day, included (default: today).")
@click.option("--topic", help="Only the papers this topic matches (its name in the config).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many papers.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a list.")
@click.option("--evaluate", is_flag=True, help="Replay your signals: nDCG@10 and MRR against two other orders.")
@click.pass_context
def rank(
    ctx: click.Context,
    config_path: Path,
    since: datetime | None,
    until: datetime | None,
    topic: str | None,
    limit: int | None,
    as_json: bool,
    evaluate: bool,
) -> None:
    """The archive's papers of a span of days, those most like what you star first, each with why."""
    try:
        env = _environment(ctx, _load(ctx, config_path))
        if evaluate:
            _evaluate(env, as_json)
            return
        _rank(env, _day(since), _day(until), topic, limit, as_json)
    except DailyPapersError as err:
        _fail(err, ctx.obj["debug"])


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


def _rank(
    env: Environment, since: date | None, until: date | None, topic: str | None, limit: int | None, as_json: bool
) -> None:
    from dailypapers.pipeline.rank import rank_papers

    if since is not None and until is not None and until < since:
        raise click.UsageError("--until is before --since")
    ranking = rank_papers(env, since, until, topic, limit)
    if ranking.message is not None:
        log(ranking.message)
        return
    if not ranking.papers and ranking.days is not None:
        scope = f" on {topic!r}" if topic is not None else ""
        log(f"no paper{scope} in the archive was updated from {ranking.days[0]} to {ranking.days[1]}")
    for paper in ranking.papers:
        if as_json:
            click.echo(json.dumps(rank_record(paper), ensure_ascii=False))
        else:
            click.echo(f"{paper.score:6.3f}  {paper.id}v{paper.version}  {' '.join(paper.title.split())}")
            click.echo(f"        why: {paper.reason.line()}")


def rank_record(paper: RankedPaper) -> dict[str, Any]:
    """One line of ``rank --json``."""
    like = paper.reason.like
    return {
        "id": paper.id,
        "version": paper.version,
        "title": paper.title,
        "updated": paper.updated.isoformat().replace("+00:00", "Z"),
        "score": round(paper.score, 4),
        "why": paper.reason.line(),
        "like": None if like is None else {"id": like.key, "title": like.title, "because": like.reason},
        "similarity": paper.reason.similarity,
        "words": list(paper.reason.words),
    }


def _evaluate(env: Environment, as_json: bool) -> None:
    from dailypapers.pipeline.rank import evaluate

    evaluated = evaluate(env)
    if evaluated.message is not None:
        log(evaluated.message)
        return
    _print_evaluation(evaluated.evaluation, as_json)


def _print_evaluation(evaluation: Evaluation, as_json: bool) -> None:
    for row in evaluation.rows():
        if as_json:
            record = {"method": row.method, "ndcg@10": round(row.ndcg, 4), "mrr": round(row.mrr, 4)}
            click.echo(json.dumps(record | {"days": evaluation.days}))
    if as_json:
        return
    click.echo(f"replayed {evaluation.days} day{'s' if evaluation.days != 1 else ''} of stars")
    click.echo(f"{'method':<20} {'nDCG@10':>8} {'MRR':>8}")
    for row in evaluation.rows():
        click.echo(f"{row.method:<20} {row.ndcg:>8.3f} {row.mrr:>8.3f}")
