"""An archive for the topics page and the author pages: the seed papers spread over the last 30 weeks before
``today``, authors whose names try to break URLs and queries, matches recorded as the matcher decides, a full
search index, and a config whose comments and layout an edit must keep. Shared by ``test_serve_topics*.py``
and ``test_serve_authors.py``."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from archive_world import Run, write_archive
from dailypapers.model import Author, Paper
from dailypapers.query import Matcher, parse
from dailypapers.store import Store
from reader_world import hostile_papers, latest_seed_papers

CONFIG = """# Topics of the reader's test archive: every comment and blank line here must survive an edit.
title = "Topics test"   # the heading
database = "dailypapers.db"

# --- what I follow ---

[[topics]]
name = "compilers"  # the seed papers are about them
query = 'abs:compiler'

[[topics]]
# every paper of the archive
name = "everything"
query = "cat:cs.DC"

[outputs]
markdown = "README.md"   # the page
site = false
"""
TOPICS = {"compilers": "abs:compiler", "everything": "cat:cs.DC"}
TRICKY_AUTHORS = (
    'Ada "The Countess" Lovelace',
    "José Ñúñez-García",
    "A/B Tester",
    "100% Sure",
    "محمد علي",
    "O'Brien (Jr.)",
    "Star*Name",
)


def dated(paper: Paper, moment: datetime) -> Paper:
    return replace(paper, published=moment, updated=moment)


def recent_papers(today: date) -> list[Paper]:
    """The seed and hostile papers, one every three days back from ``today``, and one paper per tricky author
    (with Ada Lovelace as a co-author of each)."""
    noon = datetime.combine(today, time(12), UTC)
    papers = [dated(paper, noon - timedelta(days=3 * n)) for n, paper in enumerate(latest_seed_papers())]
    base = papers[0]
    for n, name in enumerate(TRICKY_AUTHORS):
        moment = noon - timedelta(days=2 + 5 * n)
        authors = (Author(name), Author("Ada Lovelace"))
        papers.append(replace(dated(base, moment), id=f"2699.{n:05d}", authors=authors, title=f"On {name}"))
    return papers + [dated(paper, noon - timedelta(days=1)) for paper in hostile_papers()]


def topics_archive(folder: Path, today: date, indexed: bool = True) -> tuple[Path, Path]:
    """``folder/dailypapers.toml`` (``CONFIG``) and its database, each topic's matches as its query decides;
    searchable unless not ``indexed`` (as a back-fill leaves it)."""
    papers = recent_papers(today)
    matchers = {name: Matcher(parse(query)) for name, query in TOPICS.items()}
    matches: list[tuple[str, Paper, str | None]] = [
        (name, paper, None) for paper in papers for name, matcher in matchers.items() if matcher.matches(paper)
    ]
    database = folder / "dailypapers.db"
    write_archive(database, TOPICS, [Run(datetime.combine(today, time(7), UTC), matches)])
    if indexed:
        with Store.open(database) as store, store.transaction():
            store.update_search_index()
    config = folder / "dailypapers.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return config, database


def weekly_truth(today: date, topic: str) -> dict[date, int]:
    """What the plot of ``topic`` must say, counted here from the papers themselves: papers per Monday."""
    matcher = Matcher(parse(TOPICS[topic]))
    counts: dict[date, int] = {}
    for paper in recent_papers(today):
        if matcher.matches(paper):
            day = paper.updated.date()
            monday = day - timedelta(days=day.weekday())
            counts[monday] = counts.get(monday, 0) + 1
    return counts
