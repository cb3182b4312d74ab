"""``run --dry-run`` changes nothing: the database and every output stay as they were, to the byte.

A dry run fetches, matches and renders everything, as a real run does, in the run's one transaction: the
page, the notification, the site and the feeds are staged under ``outbox/`` next to the config instead of at
their places, the email messages and webhook payloads are written there while the transaction still shows the
run's papers, and then the transaction is rolled back. Nothing is recorded, not even a line in ``runs``, so a
real run after a dry run announces and delivers everything.

A database that does not exist yet, or that this version would migrate, is not touched at all: the dry run
works on a scratch copy of it, removed afterwards.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dailypapers.config import Config
from dailypapers.store import Store, database_lock
from dailypapers.store.trouble import opening_would_change, scratch_copy


def outbox(config: Config) -> Path:
    """Where a dry run writes what a real run would publish or send."""
    return config.folder / "outbox"


@contextmanager
def run_database(config: Config, dry_run: bool) -> Iterator[Store]:
    """The database a run works on, under the lock: the real one, or for a dry run that would otherwise
    create or migrate it, a scratch copy."""
    path = config.database
    if dry_run and opening_would_change(path):
        with (
            tempfile.TemporaryDirectory(prefix="dailypapers-dry-run-") as scratch,
            Store.open(scratch_copy(path, Path(scratch) / path.name)) as store,
        ):
            yield store
        return
    with database_lock(path), Store.open(path, config.busy_timeout) as store:
        yield store
