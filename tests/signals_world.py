"""An archive to give signals about: the seed papers stored in a real SQLite file, and a config that names it.

Shared by the store's and the command line's tests of signals (``test_store_signals.py``,
``test_pipeline_signals.py``), which must not import each other.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from arxiv_server import load_seed_papers
from dailypapers.model import Paper
from dailypapers.store import Store

CONFIG = '[[topics]]\nname = "compiler"\n'


def seed_papers() -> list[Paper]:
    """Every version of the seed papers, oldest version first for each."""
    return sorted(load_seed_papers(), key=lambda paper: (paper.id, paper.version))


def latest_papers() -> list[Paper]:
    latest: dict[str, Paper] = {}
    for paper in seed_papers():
        latest[paper.id] = paper
    return list(latest.values())


def make_archive(folder: Path) -> Path:
    """``folder/dailypapers.toml`` over ``folder/dailypapers.db``, which holds every seed paper; the config."""
    with Store.open(folder / "dailypapers.db") as store, store.transaction():
        store.add_versions(seed_papers(), run=None)
    config = folder / "dailypapers.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


def dump(database: Path) -> dict[str, list[str]]:
    """Every table's rows (virtual tables are read through their shadow tables), read without writing: equal
    dumps, equal databases."""
    with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as db:
        tables = [
            str(name)
            for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            if not str(sql).upper().startswith("CREATE VIRTUAL")
        ]
        return {name: sorted(map(repr, db.execute(f'SELECT * FROM "{name}"'))) for name in tables}


def signal_rows(database: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as db:
        return db.execute("SELECT id, paper_id, version, kind, at FROM signals ORDER BY id").fetchall()
