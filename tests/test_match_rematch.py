"""One rule writes the ``matches`` table (``match.rematch``): the daily run and back-fill record the same matches.

The daily run rematches the latest version of each paper (dropping lapsed matches, recording reasons, heeding
the topics' ``announce``); back-fill only adds the matches of each harvested version in scope. On the same
papers, both end with the same (topic, paper, version) rows, in a real SQLite file.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from arxiv_server import ArxivServer
from dailypapers.config import Topic, load_config
from dailypapers.match.rematch import latest, rematch
from dailypapers.match.verdicts import Documents, Verdicts, scope_query
from dailypapers.model import Paper
from dailypapers.pipeline.backfill import Harvest, backfill
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.daily import run_daily
from dailypapers.query import topic_query
from dailypapers.store import Store
from feed_server import mount_feeds
from oai_server import generate_records, mount_oai

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PAPERS = generate_records(300, date(2026, 1, 5), seed=11)
TOPICS = [
    Topic(name=name, query_text=text, query=topic_query(name, text))
    for name, text in (
        ("scheduling", None),
        ("distributed systems", "cat:cs.DC"),
        ("learning", "abs:learning ANDNOT cat:cs.DC"),
        ("graphs", "ti:graph* OR abs:graph*"),
    )
]
MatchRows = set[tuple[str, str, int]]


def matches(path: Path) -> MatchRows:
    with sqlite3.connect(path) as db:
        return {(str(t), str(p), int(v)) for t, p, v in db.execute("SELECT topic, paper_id, version FROM matches")}


def reasons(path: Path) -> list[str | None]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT reason FROM matches")]


def stored(path: Path, papers: list[Paper], additive: bool, scope: tuple[str, ...] = ("cs",)) -> int:
    """Store ``papers`` in a new archive and rematch them, the daily run's way or back-fill's."""
    with Store.open(path) as store, store.transaction():
        run = store.begin_run(NOW, kind="backfill" if additive else "daily")
        for topic in TOPICS:
            store.set_topic(topic.name, topic.source, run)
        store.add_versions(papers, run)
        verdicts = Verdicts(TOPICS, scope_query(scope), Documents())
        chosen = papers if additive else latest(store, {paper.id for paper in papers})
        return rematch(store, verdicts, chosen, run, additive=additive)


def test_daily_and_backfill_rematch_record_the_same_matches(tmp_path: Path) -> None:
    daily = stored(tmp_path / "daily.db", PAPERS, additive=False)
    harvested = stored(tmp_path / "backfill.db", PAPERS, additive=True)
    assert daily == harvested == len(matches(tmp_path / "daily.db")) > 50
    assert matches(tmp_path / "daily.db") == matches(tmp_path / "backfill.db")
    assert None not in reasons(tmp_path / "daily.db")  # the daily run says why
    assert set(reasons(tmp_path / "backfill.db")) == {None}  # worked out when shown


def test_out_of_scope_versions_gain_no_match_in_a_backfill(tmp_path: Path) -> None:
    """Back-fill stores a whole OAI set but matches only the scope; a narrower scope gives fewer matches."""
    stored(tmp_path / "all.db", PAPERS, additive=True)
    stored(tmp_path / "dc.db", PAPERS, additive=True, scope=("cs.DC",))
    narrow, wide = matches(tmp_path / "dc.db"), matches(tmp_path / "all.db")
    assert narrow < wide
    in_dc = {paper.id for paper in PAPERS if "cs.DC" in paper.categories}
    assert {paper_id for _, paper_id, _ in narrow} <= in_dc


def test_a_lapsed_match_is_dropped_by_the_daily_run_and_kept_by_a_backfill(tmp_path: Path) -> None:
    first = next(paper for paper in PAPERS if "cs.DC" in paper.categories)
    moved = replace(first, version=first.version + 1, categories=("cs.AI",), primary_category="cs.AI")
    for additive, name in ((False, "daily.db"), (True, "backfill.db")):
        path = tmp_path / name
        stored(path, [first], additive=additive)
        with Store.open(path) as store, store.transaction():
            run = store.begin_run(NOW, kind="backfill" if additive else "daily")
            store.add_versions([moved], run)
            papers = [moved] if additive else list(latest(store, [moved.id]))
            rematch(store, Verdicts(TOPICS, None, Documents()), papers, run, additive=additive)
    assert ("distributed systems", first.id, first.version) not in matches(tmp_path / "daily.db")
    assert ("distributed systems", first.id, first.version) in matches(tmp_path / "backfill.db")


def test_a_version_announced_as_a_replacement_waits_for_a_topic_that_chose_new_papers(tmp_path: Path) -> None:
    paper = next(paper for paper in PAPERS if "cs.DC" in paper.categories)
    path = tmp_path / "daily.db"
    with Store.open(path) as store, store.transaction():
        run = store.begin_run(NOW)
        store.set_topic("distributed systems", "cat:cs.DC", run)
        store.add_versions([paper], run)
        verdicts = Verdicts(TOPICS[1:2], None, Documents())
        announced = {(paper.id, paper.version): "replace"}
        assert rematch(store, verdicts, [paper], run, announced=announced) == 0
        assert rematch(store, verdicts, [paper], run, announced={}) == 1  # the topic's own search finds it
        assert rematch(store, verdicts, [paper], run, announced=announced) == 0  # listed: nothing new


def test_a_daily_run_and_a_backfill_of_the_same_papers_match_alike(tmp_path: Path) -> None:
    """The real commands: a first daily run (each topic searched until all its papers are found) and an OAI-PMH
    harvest of the same papers."""
    lines = ["max_papers = 10000", "[scope]", 'categories = ["cs"]', "[arxiv]", "delay = 0"]
    for topic in TOPICS:
        query = [f"query = {topic.query_text!r}"] if topic.query_text else []
        lines += ["[[topics]]", f"name = {topic.name!r}", *query]
    with ArxivServer(PAPERS, now=lambda: NOW) as server:
        mount_oai(server, page_size=100)
        mount_feeds(server)
        urls = [f'api_url = "{server.url}"', f'rss_url = "{server.base}"', f'oai_url = "{server.base}/oai"']
        text = "\n".join(lines[:4] + urls + lines[4:]) + "\n"
        configs = []
        for name in ("daily", "backfill"):
            (tmp_path / name).mkdir()
            (tmp_path / name / "dailypapers.toml").write_text(text, encoding="utf-8")
            configs.append(load_config(tmp_path / name / "dailypapers.toml", environ={}))
        run_daily(Environment(configs[0], now=lambda: NOW))
        backfill(Environment(configs[1], now=lambda: NOW), Harvest(date(2026, 1, 1), date(2026, 2, 28), "cs"))
    daily, harvested = matches(configs[0].database), matches(configs[1].database)
    assert len(daily) > 50
    assert daily == harvested
