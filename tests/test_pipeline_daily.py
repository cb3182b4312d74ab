"""The daily run end to end: a real SQLite file, a real HTTP server speaking arXiv's protocol, real files."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from arxiv_server import ArxivServer, load_seed_papers
from daily_world import NOW, SEED_TOPICS, Arxiv, next_day_papers, write_config
from dailypapers.config import Config, load_config
from dailypapers.errors import FetchError
from dailypapers.model import Paper
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.daily import RunSummary, run_daily
from dailypapers.pipeline.outputs import render_outputs
from dailypapers.query import matches, topic_query
from dailypapers.store import MIGRATIONS


def run(config: Config, now: datetime = NOW, log: list[str] | None = None) -> RunSummary:
    messages = log if log is not None else []
    return run_daily(Environment(config=config, now=lambda: now, log=messages.append))


def sections(page: str) -> dict[str, list[str]]:
    """The ids listed under each ``## topic`` heading of a page."""
    found: dict[str, list[str]] = {}
    current = None
    for line in page.splitlines():
        if line.startswith("## "):
            current = line[3:]
            found[current] = []
        elif current and line.startswith("| **["):
            found[current].append(line.split("](https://arxiv.org/abs/")[1].split(")")[0])
    return found


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` except the database's lock, with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def database_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but ``runs``, which a failed run may add to."""
    with sqlite3.connect(path) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
        ]
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables if t != "runs"}


def about(topic: str, paper: Paper) -> bool:
    return matches(topic_query(topic, None), paper)


def test_each_section_holds_only_its_own_papers_when_arxiv_ignores_the_query(tmp_path: Path) -> None:
    """The seed page's failure: the API answered every keyword with the same 20 papers; we verify locally."""
    with Arxiv(load_seed_papers()) as server:
        server.ignore_query = True
        config = load_config(write_config(tmp_path, server), environ={})
        log: list[str] = []
        summary = run(config, log=log)
    assert "arXiv returned 79 entries for 'reinforcement learning'; 1 match the topic (78 dropped)" in log
    page = (tmp_path / "README.md").read_text(encoding="utf-8")
    found = sections(page)
    assert list(found) == list(SEED_TOPICS)
    latest = {
        p.id: p for p in load_seed_papers() if p.version == max(q.version for q in load_seed_papers() if q.id == p.id)
    }
    for topic, listed in found.items():
        expected = sorted(
            (p for p in latest.values() if about(topic, p)), key=lambda p: (p.updated, p.id), reverse=True
        )
        assert listed == [p.versioned_id for p in expected][:100], topic
    assert found["reinforcement learning"] == ["2512.06547v3"]
    assert len(set(map(tuple, found.values()))) == 3
    assert summary.outcome == "new"
    assert summary.new == {topic: len(listed) for topic, listed in found.items()}


def test_first_run_backfills_each_topic_once_and_notifies_what_it_found(tmp_path: Path) -> None:
    with Arxiv(load_seed_papers()) as server:
        config = load_config(write_config(tmp_path, server), environ={})
        summary = run(config)
        queries = [r.params["search_query"] for r in server.requests if r.path == "/api/query"]
    assert summary.requests == 4  # the announcement feed, and one search per topic
    assert queries[0] == '(cat:cs.DC) AND ((ti:"reinforcement learning" OR abs:"reinforcement learning"))'
    notification = (tmp_path / ".github" / "ISSUE_TEMPLATE.md").read_text(encoding="utf-8")
    assert notification.startswith("---\ntitle: ")
    assert "labels: documentation\n---\n" in notification
    for topic in SEED_TOPICS:
        assert f"## {topic}\n" in notification
    page = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "Last update: 2026-05-16\n" in page


def test_a_second_run_the_same_day_changes_nothing_and_notifies_nothing(tmp_path: Path) -> None:
    with Arxiv(load_seed_papers()) as server:
        config = load_config(write_config(tmp_path, server), environ={})
        run(config)
        page = (tmp_path / "README.md").read_bytes()
        server.requests.clear()
        summary = run(config, now=NOW + timedelta(minutes=5))
        assert len(server.requests) == 1  # the feed only: no topic is back-filled twice
    assert summary.outcome == "no-announcement"
    assert summary.new == {}
    assert (tmp_path / "README.md").read_bytes() == page
    notification = (tmp_path / ".github" / "ISSUE_TEMPLATE.md").read_text(encoding="utf-8")
    assert notification == "No arXiv announcement on Sat 16 May 2026.\n"


def test_the_next_day_announces_only_what_is_new_and_marks_new_versions(tmp_path: Path) -> None:
    """Without a category scope there is no announcement feed: the daily query finds the new papers."""
    with Arxiv(load_seed_papers()) as server:
        config = load_config(write_config(tmp_path, server, categories=()), environ={})
        run(config)
        server.add(next_day_papers())
        summary = run(config, now=NOW + timedelta(days=1))
    notification = (tmp_path / ".github" / "ISSUE_TEMPLATE.md").read_text(encoding="utf-8")
    assert summary.outcome == "new"
    assert "2605.20001v1" in notification
    assert "2605.20002" not in notification  # gossip: on no topic
    assert "2511.16964v3)** *(new version v3)*" in notification
    listed = [line for line in notification.splitlines() if line.startswith("| **[")]
    assert len(listed) == sum(summary.new.values())
    page = sections((tmp_path / "README.md").read_text(encoding="utf-8"))
    assert page["compiler"][0] == "2605.20001v1"
    assert "2605.20002v1" not in sum(page.values(), [])


def test_daily_requests_do_not_grow_with_the_number_of_topics(tmp_path: Path) -> None:
    many = SEED_TOPICS + tuple(f"topic number {n}" for n in range(7))
    counts = []
    for name, topics in (("one", SEED_TOPICS[:1]), ("ten", many)):
        folder = tmp_path / name
        folder.mkdir()
        with Arxiv(load_seed_papers()) as server:
            config = load_config(write_config(folder, server, topics=topics, categories=()), environ={})
            run(config)
            server.add(next_day_papers())
            counts.append(run(config, now=NOW + timedelta(days=1)).requests)
    assert counts == [1, 1]


def test_a_paper_outside_the_scope_never_appears(tmp_path: Path) -> None:
    outside = replace(
        load_seed_papers()[0],
        id="2605.30000",
        title="A compiler for quantum circuits",
        categories=("quant-ph",),
        primary_category="quant-ph",
    )
    with Arxiv([*load_seed_papers(), outside]) as server:
        server.ignore_query = True
        config = load_config(write_config(tmp_path, server), environ={})
        run(config)
    assert "2605.30000" not in (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "2605.30000" not in (tmp_path / ".github" / "ISSUE_TEMPLATE.md").read_text(encoding="utf-8")


def test_a_source_that_stays_down_changes_nothing(tmp_path: Path) -> None:
    with Arxiv(load_seed_papers()) as server:
        config = load_config(write_config(tmp_path, server), environ={})
        run(config)
        before_files = snapshot(tmp_path)
        before_rows = database_rows(config.database)
        server.add(next_day_papers())
        server.unavailable(times=None, retry_after=0)
        with pytest.raises(FetchError) as caught:
            run(config, now=NOW + timedelta(days=1))
        assert len(server.requests) == 4 + 3  # the feed and three back-fills, then three attempts
        url = server.base + "/rss/cs.DC"
    assert str(caught.value).startswith(f"{url}: HTTP 503 (Service Unavailable) after 3 attempts")
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("dailypapers.db")} == {
        k: v for k, v in before_files.items() if not k.startswith("dailypapers.db")
    }
    assert database_rows(config.database) == before_rows


def test_a_failure_half_way_through_paging_keeps_nothing_of_the_run(tmp_path: Path) -> None:
    with Arxiv(load_seed_papers()) as server:
        config = load_config(write_config(tmp_path, server, extra="max_papers = 100"), environ={})
        server.internal_error(times=None)
        with pytest.raises(FetchError):
            run(config)
    assert not (tmp_path / "README.md").exists()
    rows = database_rows(config.database)
    assert rows["papers"] == [] and rows["matches"] == [] and rows["topics"] == []


def test_transient_faults_are_retried_and_the_run_completes(tmp_path: Path) -> None:
    with Arxiv(load_seed_papers()) as server:
        config = load_config(write_config(tmp_path, server, topics=("compiler",)), environ={})
        server.unavailable(times=1, retry_after=0)
        server.truncated(times=1)
        summary = run(config)
        assert len(server.requests) == 4  # the feed twice over, then once more, and the back-fill
    assert summary.outcome == "new"
    assert summary.requests == 4


def test_render_rewrites_the_same_bytes_without_network(tmp_path: Path) -> None:
    with Arxiv(load_seed_papers()) as server:
        config = load_config(write_config(tmp_path, server), environ={})
        run(config)
    before = snapshot(tmp_path)
    (tmp_path / "README.md").unlink()
    (tmp_path / ".github" / "ISSUE_TEMPLATE.md").write_text("damaged", encoding="utf-8")
    render_outputs(config)  # the server is gone: any request would fail
    after = snapshot(tmp_path)
    assert after["README.md"] == before["README.md"]
    assert after[".github/ISSUE_TEMPLATE.md"] == before[".github/ISSUE_TEMPLATE.md"]


def test_every_version_is_kept_and_runs_are_counted(tmp_path: Path) -> None:
    with Arxiv(load_seed_papers()) as server:
        config = load_config(write_config(tmp_path, server, categories=()), environ={})
        run(config)
        server.add(next_day_papers())
        run(config, now=NOW + timedelta(days=1))
    with sqlite3.connect(config.database) as db:
        versions = db.execute("SELECT version FROM versions WHERE paper_id = '2511.16964' ORDER BY 1").fetchall()
        runs = db.execute("SELECT outcome, requests, received, kept, dropped, published FROM runs").fetchall()
        schema = db.execute("SELECT version FROM schema_migrations").fetchall()
    assert versions == [(2,), (3,)]
    assert [r[0] for r in runs] == ["new", "new"]
    assert all(r[1] >= 1 and r[5] == 1 for r in runs)
    assert schema == [(number,) for number in range(1, len(MIGRATIONS) + 1)]


def test_a_match_records_why_and_forgets_it_when_the_query_changes(tmp_path: Path, arxiv_server: ArxivServer) -> None:
    """The site and messages show why each paper matched; the run records it so that the archive is not
    analysed again on every run, and a changed query must not leave the old reasons behind."""
    from dailypapers.match.digest import build_digest
    from dailypapers.store import Store

    path = write_config(tmp_path, arxiv_server, topics=(), categories=())
    base = path.read_text(encoding="utf-8")
    path.write_text(base + '[[topics]]\nname = "compiler"\nquery = "all:compiler"\n', encoding="utf-8")
    run(load_config(path, environ={}))
    with sqlite3.connect(tmp_path / "dailypapers.db") as db:
        reasons = {reason for (reason,) in db.execute("SELECT reason FROM matches")}
    assert reasons and reasons <= {"all:compiler"}

    path.write_text(base + '[[topics]]\nname = "compiler"\nquery = "ti:compiler OR abs:compiler"\n', encoding="utf-8")
    config = load_config(path, environ={})
    run(config, NOW + timedelta(hours=1))
    with Store.open(config.database) as store:
        record = store.last_successful_run()
        assert record is not None
        digest = build_digest(store, config, record, archive=True)
    shown = {listed.reason for section in digest.sections for listed in section.papers}
    shown |= {listed.reason for day in digest.days for section in day.sections for listed in section.papers}
    assert shown and all(reason and "all:" not in reason for reason in shown), shown
