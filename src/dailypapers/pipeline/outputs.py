"""The files a run writes: rendered from the store, staged as temporary files, renamed after the commit.

``stage_outputs`` renders every configured output of a run into temporary files next to their destinations
(``files.stage``), one file at a time (the site page by page, never the whole archive in memory); the daily
run renames them into place only once its transaction has committed, and
``render_outputs`` does the same from the database alone, for ``dailypapers render``. The ranking
(``interest.py``) orders the page, the notification and the feeds with ``[ranking] order = "interest"``; the
site keeps date order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from dailypapers.config import Config
from dailypapers.files import Leftovers, discard, publish, stage
from dailypapers.match.digest import archive_days, build_digest
from dailypapers.model import Digest
from dailypapers.pipeline.context import quiet
from dailypapers.pipeline.interest import RunInterest
from dailypapers.render import render_notification, render_page
from dailypapers.render.feed import render_feeds
from dailypapers.render.site import site_files
from dailypapers.store import RunRecord, Store, database_errors, database_lock, existing_database


def render_outputs(config: Config, log: Callable[[str], None] = quiet) -> RunRecord | None:
    """Re-write every output from the database alone, as the latest successful run left it."""
    existing_database(config.database)
    with (
        database_errors(config.database, config.busy_timeout),
        database_lock(config.database),
        Store.open(config.database, config.busy_timeout) as store,
    ):
        run = store.last_successful_run()
        if run is None:
            return None
        interest = RunInterest.of_store(store, config, run.finished or run.started, log)
        publish(stage_outputs(config, store, run, interest=interest)[1])
        return run


def in_outbox(config: Config, path: Path, outbox: Path | None) -> Path:
    """Where a dry run writes the output ``path``: at the same place under ``outbox`` (by its name when it
    lies outside the config's folder); without an outbox, ``path`` itself."""
    if outbox is None:
        return path
    return outbox / (path.relative_to(config.folder) if path.is_relative_to(config.folder) else path.name)


def stage_outputs(
    config: Config, store: Store, run: RunRecord, outbox: Path | None = None, interest: RunInterest | None = None
) -> tuple[Digest, dict[Path, Path]]:
    """Render every output of ``run`` to temporary files; the caller renames them once the run is committed.

    Each file is staged as soon as it is rendered and its text dropped, the site's day pages as the archive is
    read a day at a time, so memory does not grow with the archive; a failure part way removes what was staged.
    With ``outbox`` (a dry run) each output is staged under it instead of at its place (``in_outbox``).
    ``interest`` orders the page, the notification and the feeds (``order = "interest"``); the digest returned,
    which the messages are built from, stays in date order.
    """
    digest = build_digest(store, config, run)
    staged: dict[Path, Path] = {}
    leftovers = Leftovers()
    try:
        for path, text in _rendered(config, store, digest, outbox, interest):
            staged[path] = stage(path, text, leftovers)
    except BaseException:
        discard(staged)
        raise
    return digest, staged


def _rendered(
    config: Config, store: Store, digest: Digest, outbox: Path | None, interest: RunInterest | None
) -> Iterator[tuple[Path, str | bytes]]:
    """Each output file of the run with its text (bytes for the site's fonts), one at a time."""
    outputs = config.outputs
    ordered = digest if interest is None else interest.ordered(digest)
    if outputs.markdown is not None:
        yield in_outbox(config, outputs.markdown, outbox), render_page(ordered, max_papers=config.max_papers)
    if outputs.issue is not None:
        notification = render_notification(ordered, page_url=config.link, limit=outputs.issue_limit)
        yield in_outbox(config, outputs.issue, outbox), notification
    if outputs.site is not None:
        site = in_outbox(config, outputs.site, outbox)
        for name, text in site_files(digest, archive_days(store, config)):
            yield site / name, text
    if outputs.feeds is not None:
        feeds = in_outbox(config, outputs.feeds, outbox)
        for name, text in render_feeds(ordered).items():
            yield feeds / name, text
