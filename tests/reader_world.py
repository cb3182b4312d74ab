"""An archive to read: the seed papers and hostile ones, matched by two daily runs on two days, in a real SQLite
store, with a commented config that names it. Shared by the reader's tests (``test_serve_*.py``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive_world import Run, write_archive
from arxiv_server import load_seed_papers
from dailypapers.model import Author, Paper

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
BREAKOUT = '"><svg onload=alert(1)>'
HOSTILE_TITLES = (f"{SCRIPT} considered harmful", f"{BREAKOUT} and {IMAGE} in titles")
CONFIG = """# The reader's test archive
title = "Reader test"
database = "dailypapers.db"  # next to this file

[[topics]]
name = "compilers"  # what the seed papers are about
query = "abs:compiler"

[[topics]]
name = "everything"
query = "cat:cs.DC"
"""
DAYS = (datetime(2026, 5, 14, 7, tzinfo=UTC), datetime(2026, 5, 15, 7, tzinfo=UTC))


def latest_seed_papers() -> list[Paper]:
    latest: dict[str, Paper] = {}
    for paper in sorted(load_seed_papers(), key=lambda paper: (paper.id, paper.version)):
        latest[paper.id] = paper
    return list(latest.values())


def hostile_papers() -> list[Paper]:
    """Papers whose title, authors and abstract try to become markup (as ``test_security.py``'s)."""
    moment = DAYS[1] - timedelta(days=1)
    base = Paper(
        id="2605.00001",
        version=1,
        title=HOSTILE_TITLES[0],
        abstract=f"We inject {BREAKOUT} and {IMAGE} into pages.</p>{SCRIPT}",
        authors=(Author(IMAGE), Author(BREAKOUT)),
        categories=("cs.DC",),
        primary_category="cs.DC",
        published=moment,
        updated=moment,
        comment=SCRIPT,
    )
    return [base, replace(base, id="2605.00002", title=HOSTILE_TITLES[1], journal_ref=f"<iframe>{SCRIPT}")]


def seed_archive(folder: Path) -> tuple[Path, Path]:
    """``folder/dailypapers.toml`` and its database: the first run matched half the seed papers, the second the
    rest (on both topics) and the hostile papers (on one)."""
    seeds = latest_seed_papers()
    half = len(seeds) // 2
    first = [("everything", paper, "cat:cs.DC") for paper in seeds[:half]]
    second: list[tuple[str, Paper, str | None]] = [
        (topic, paper, None) for paper in seeds[half:] for topic in ("compilers", "everything")
    ]
    second += [("everything", paper, "cat:cs.DC") for paper in hostile_papers()]
    database = folder / "dailypapers.db"
    topics = {"compilers": "abs:compiler", "everything": "cat:cs.DC"}
    write_archive(database, topics, [Run(DAYS[0], first), Run(DAYS[1], second)])
    config = folder / "dailypapers.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return config, database


def second_run_ids() -> list[str]:
    seeds = latest_seed_papers()
    return [paper.id for paper in seeds[len(seeds) // 2 :]] + [paper.id for paper in hostile_papers()]
