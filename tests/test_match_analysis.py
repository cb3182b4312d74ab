"""A daily run analyses each paper version once: its verdicts, its rematch and its page's reasons share it.

Analysis (splitting, folding and stemming a paper's text) is the larger part of matching a paper: before,
one run analysed a paper in its verdicts, again to rematch it, and again to explain on the page why it is
listed. ``DOCUMENTS.watching()`` lists every (id, version) analysed while a block runs.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from arxiv_server import load_seed_papers
from daily_world import NOW, Arxiv, next_day_papers, write_config
from dailypapers.config import Config, load_config
from dailypapers.match.verdicts import DOCUMENTS, DOCUMENTS_KEPT
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.daily import RunSummary, run_daily


@pytest.fixture(autouse=True)
def forget_analyses() -> None:
    """Each test counts its own runs' analyses, not what an earlier test in this process left analysed."""
    DOCUMENTS.clear()


def run(config: Config, now: datetime = NOW) -> RunSummary:
    return run_daily(Environment(config, now=lambda: now))


def twice(seen: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [key for key, count in Counter(seen).items() if count > 1]


def test_a_first_run_analyses_each_version_once(tmp_path: Path) -> None:
    """The first run searches each topic, stores, rematches every paper for the new topics and renders the
    page with a reason for each listed paper: every step reads the one analysis."""
    with Arxiv(load_seed_papers()) as server:
        server.ignore_query = True  # every search answers every paper: many verdicts, many rematches
        config = load_config(write_config(tmp_path, server), environ={})
        with DOCUMENTS.watching() as seen:
            summary = run(config)
    assert summary.outcome == "new" and summary.received > 50
    assert twice(seen) == []
    assert len(seen) <= summary.received + sum(summary.new.values())
    assert "| **[" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_the_next_day_analyses_each_version_once(tmp_path: Path) -> None:
    """Without a scope the daily query brings the day; a new version of a listed paper is rematched and shown."""
    with Arxiv(load_seed_papers()) as server:
        config = load_config(write_config(tmp_path, server, categories=()), environ={})
        run(config)
        server.add(next_day_papers())
        with DOCUMENTS.watching() as seen:
            summary = run(config, now=NOW + timedelta(days=1))
    assert summary.outcome == "new"
    assert twice(seen) == []
    assert ("2511.16964", 3) in seen and ("2605.20001", 1) in seen


def test_a_changed_topic_rematches_the_archive_without_analysing_a_paper_twice(tmp_path: Path) -> None:
    with Arxiv(load_seed_papers()) as server:
        config = load_config(write_config(tmp_path, server), environ={})
        run(config)
        changed = write_config(tmp_path, server, topics=("reinforcement learning", "compilers", "performance"))
        with DOCUMENTS.watching() as seen:
            summary = run(load_config(changed, environ={}), now=NOW + timedelta(minutes=5))
    assert summary.outcome in ("new", "no-announcement", "nothing-new")
    assert twice(seen) == []
    assert len(seen) <= DOCUMENTS_KEPT
