"""A folder a researcher runs ``dailypapers run`` in, for the disk and dry-run tests.

The command runs as a real process (``python -m dailypapers``) against the local arXiv server, so that a test
can give it its own umask or file-size limit. ``Baseline`` makes the first day's run once; each test copies
its folder and runs the second day, on which arXiv has two new papers on the topics and a new version.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from arxiv_server import load_seed_papers
from daily_world import NOW, Arxiv, next_day_papers, write_config

DAY2 = NOW + timedelta(days=1)
DATABASE = ("dailypapers.db", "dailypapers.db-wal", "dailypapers.db-shm", "dailypapers.db.lock")


@dataclass
class Ran:
    status: int
    stdout: str
    stderr: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("dailypapers: error:")]

    @property
    def summary(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.stdout.splitlines()[-1])
        return found

    def failed_with_one_line(self, status: int = 1) -> str:
        """Assert the exit status and a single error line, the last one, with no traceback; return it."""
        assert self.status == status, (self.status, self.stderr)
        assert len(self.errors) == 1 and self.stderr.splitlines()[-1] == self.errors[0], self.stderr
        assert "Traceback" not in self.stderr, self.stderr
        return self.errors[0]


def run_command(
    config: Path,
    *args: str,
    now: datetime = DAY2,
    environ: dict[str, str] | None = None,
    umask: int | None = None,
    file_size: int | None = None,
) -> Ran:
    """``dailypapers run --config CONFIG --json ARGS`` as a process, with the clock at ``now``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env |= {"DAILYPAPERS_NOW": now.isoformat(), "DAILYPAPERS_DELAY": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    env |= environ or {}

    def limits() -> None:
        if umask is not None:
            os.umask(umask)
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    command = [sys.executable, "-m", "dailypapers", "run", "--config", str(config), "--json", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, preexec_fn=limits)
    return Ran(done.returncode, done.stdout, done.stderr)


def outputs(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but the database and the config, with its bytes (links followed)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in (*DATABASE, "dailypapers.toml")
    }


def database_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but ``runs``; the connection is closed, so SQLite's -wal and -shm go too."""
    with closing(sqlite3.connect(path)) as db:
        tables = [
            str(r[0])
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
        ]
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables if t != "runs"}


def runs(database: Path) -> list[tuple[str, int | None, str | None]]:
    """(outcome, requests, message) of every run, in order."""
    with closing(sqlite3.connect(database)) as db:
        return [(str(o), r, m) for o, r, m in db.execute("SELECT outcome, requests, message FROM runs ORDER BY id")]


@dataclass
class State:
    """What a failed run must leave as it was: the outputs, the database's rows (but ``runs``), its runs."""

    outputs: dict[str, bytes]
    rows: dict[str, list[tuple[object, ...]]]
    runs: list[tuple[str, int | None, str | None]]

    @classmethod
    def of(cls, folder: Path, database: str = "dailypapers.db") -> State:
        path = folder / database
        assert path.is_file(), path
        return cls(outputs(folder), database_rows(path), runs(path))


class Baseline:
    """The arXiv server, and a folder after the first day's run; ``copy`` gives each test its own."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.server = Arxiv(load_seed_papers())

    def prepare(self, extra: str = "", environ: dict[str, str] | None = None) -> None:
        self.folder = self.root / "day1"
        self.folder.mkdir()
        self.extra = extra
        self.config = write_config(self.folder, self.server, categories=(), extra=extra)
        first = run_command(self.config, now=NOW, environ=environ)
        assert first.status == 0, first.stderr
        self.server.add(next_day_papers())

    def copy(self, folder: Path) -> Path:
        shutil.copytree(self.folder, folder, symlinks=True)
        return folder / "dailypapers.toml"

    def configure(self, folder: Path, extra: str) -> Path:
        """Rewrite the copied config with ``extra`` (top-level keys and tables) in place of the baseline's."""
        return write_config(folder, self.server, categories=(), extra=extra)

    def api_requests(self) -> int:
        return sum(1 for request in self.server.requests if request.path == "/api/query")
