"""When the database fails: one line naming the file, what went wrong and what to do; and scratch copies.

SQLite reports a full disk, a damaged file, a file that is not a database, a folder that cannot be written
and a lock held by another program each with its own result code (https://sqlite.org/rescode.html). Each
becomes a ``StoreError`` here (``DatabaseBusyError`` for a lock: exit 75, try again later), with advice
checked against the file system where SQLite's own words are vague ("unable to open database file").

A dry run must leave the database as it was, to the byte. On a current database it rolls its transaction
back; a database that does not exist yet, or one that would need a migration, is copied to a scratch file
first (``scratch_copy``), so that the dry run neither creates nor migrates it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from dailypapers.errors import DatabaseBusyError, StoreError
from dailypapers.files import advice
from dailypapers.store.schema import MIGRATIONS

BUSY_TIMEOUT = 5.0  # seconds to wait for another program writing to the database, then exit 75

_ADVICE = {
    sqlite3.SQLITE_FULL: "no space left on the device; free some space and run again",
    sqlite3.SQLITE_CORRUPT: "the database is damaged; restore it from a backup, or move it away to start anew",
    sqlite3.SQLITE_NOTADB: "this is not a dailypapers database; fix `database` in the config, or move the file away",
    sqlite3.SQLITE_IOERR: "an input/output error; check the disk (is it full or read-only?), then run again",
    sqlite3.SQLITE_PERM: "permission denied; make the file and its folder readable and writable",
}


@contextmanager
def database_errors(path: Path, busy_timeout: float = BUSY_TIMEOUT) -> Iterator[None]:
    """Turn an ``sqlite3`` error raised inside into a ``StoreError`` about ``path``."""
    try:
        yield
    except sqlite3.Error as err:
        raise store_error(path, err, busy_timeout=busy_timeout) from None


def store_error(path: Path, err: sqlite3.Error, doing: str = "", busy_timeout: float = BUSY_TIMEOUT) -> StoreError:
    """The one line for ``err``: the database, SQLite's words, and what to do."""
    code = getattr(err, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return DatabaseBusyError(
            f"{path}: the database is busy: another program kept it locked for {busy_timeout:g} s; "
            "run again later (or raise busy_timeout in the config)"
        )
    advice = _ADVICE.get(code) or _open_advice(path)
    return StoreError(f"{path}: {doing or 'database error'}: {err}; {advice}")


def _open_advice(path: Path) -> str:
    """For "unable to open", "read-only" and the rest, whatever the file system says is wrong."""
    folder = path.parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist; create it, or fix `database` in the config"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder} is not writable (the database needs to create files beside it); make it writable"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return "the file is not readable and writable; fix its permissions"
    return "check that the file and its folder can be written (a read-only or full file system?)"


def make_folder(path: Path) -> None:
    """Create the database's folder if need be (the quick start keeps it in ``output/``); a folder that cannot
    be created (a file in the way, a read-only or missing disk) is one line."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"{path}: cannot create the folder {path.parent}: {advice(err)}") from None


def opening_would_change(path: Path) -> bool:
    """Whether opening ``path`` would create it or migrate it. A database that cannot be read, or is newer
    than this version, is opened as it is, so that its error names the real file."""
    if not path.exists():
        return True
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    except sqlite3.Error:
        return False
    return int(row[0]) < len(MIGRATIONS)


def scratch_copy(path: Path, copy: Path) -> Path:
    """A copy of ``path`` at ``copy`` (nothing, when ``path`` does not exist), read without writing to it."""
    if path.exists():
        try:
            with (
                closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as source,
                closing(sqlite3.connect(copy)) as target,
            ):
                source.backup(target)
        except sqlite3.Error as err:
            raise store_error(path, err, "cannot read the database") from None
    return copy
