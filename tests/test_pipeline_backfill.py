"""Back-fill with OAI-PMH into a real archive: pages, resumption after a failure or a kill, no notification."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from arxiv_server import ArxivServer
from dailypapers.arxiv.oai import ResumptionTokenExpired
from dailypapers.config import load_config
from dailypapers.errors import ConfigError, FetchError
from dailypapers.pipeline.backfill import Harvest, backfill, set_for_category
from dailypapers.pipeline.context import Environment
from oai_server import generate_records, mount_oai

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PAPERS = generate_records(600, date(2026, 1, 5), seed=7)
TARGET = Harvest(date(2026, 1, 1), date(2026, 2, 28), "cs")


def write_config(folder: Path, server: ArxivServer) -> Path:
    path = folder / "dailypapers.toml"
    path.write_text(
        "\n".join(
            [
                "[scope]",
                'categories = ["cs"]',
                "[arxiv]",
                f'api_url = "{server.url}"',
                f'rss_url = "{server.base}"',
                f'oai_url = "{server.base}/oai"',
                "delay = 0",
                "max_attempts = 2",
                "[[topics]]",
                'name = "scheduling"',
                "[[topics]]",
                "name = 'distributed systems'",
                "query = 'cat:cs.DC'",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def archive(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row that describes papers and matches (runs and the checkpoint aside)."""
    tables = ("papers", "versions", "authors", "affiliations", "categories", "topics", "matches")
    with sqlite3.connect(path) as db:
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


def harvest_all(folder: Path, server: ArxivServer) -> Path:
    folder.mkdir()
    config = load_config(write_config(folder, server), environ={})
    backfill(Environment(config, now=lambda: NOW), TARGET)
    return config.database


@pytest.mark.parametrize(
    ("category", "set_spec"),
    [
        ("cs.DC", "cs:cs:DC"),
        ("hep-th", "physics:hep-th"),
        ("astro-ph.EP", "physics:astro-ph:EP"),
        ("math.NA", "math:math:NA"),
    ],
)
def test_a_category_names_its_oai_set(category: str, set_spec: str) -> None:
    assert set_for_category(category) == set_spec


def test_a_bad_category_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"--category: unknown arXiv category 'cs DC' \(did you mean 'cs.DC'"):
        set_for_category("cs DC")


def test_every_harvested_record_is_stored_once_and_matched(tmp_path: Path) -> None:
    with ArxivServer(PAPERS) as server:
        oai = mount_oai(server, page_size=100)
        config = load_config(write_config(tmp_path, server), environ={})
        summary = backfill(Environment(config, now=lambda: NOW), TARGET)
        assert oai.requests == summary.requests == summary.pages
    rows = archive(config.database)
    assert summary.records == len(rows["papers"]) == len(PAPERS)
    assert summary.pages >= 6
    stored = {row[0] for row in rows["papers"]}
    assert stored == {p.id for p in PAPERS}
    topics = {row[0] for row in rows["matches"]}
    assert topics == {"scheduling", "distributed systems"}
    assert summary.matched == len(rows["matches"])


def test_back_filled_papers_are_never_notified(tmp_path: Path) -> None:
    from dailypapers.pipeline.daily import run_daily
    from feed_server import mount_feeds

    with ArxivServer(PAPERS, now=lambda: NOW) as server:
        mount_oai(server, page_size=200)
        mount_feeds(server)
        config = load_config(write_config(tmp_path, server), environ={})
        backfill(Environment(config, now=lambda: NOW), TARGET)
        summary = run_daily(Environment(config=config, now=lambda: NOW))
    notification = (tmp_path / ".github" / "ISSUE_TEMPLATE.md").read_text(encoding="utf-8")
    assert summary.new == {}
    assert "| **[" not in notification
    page = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert page.count("| **[") > 10  # the page shows what the back-fill matched


def test_a_failed_harvest_resumes_where_it_stopped_with_the_same_result(tmp_path: Path) -> None:
    with ArxivServer(PAPERS) as server:
        mount_oai(server, page_size=100)
        expected = archive(harvest_all(tmp_path / "whole", server))
    with ArxivServer(PAPERS) as server:
        oai = mount_oai(server, page_size=100)
        (tmp_path / "parts").mkdir()
        config = load_config(write_config(tmp_path / "parts", server), environ={})
        oai.fail_after(3)
        with pytest.raises(FetchError):
            backfill(Environment(config, now=lambda: NOW), TARGET)
        partial = archive(config.database)
        assert 0 < len(partial["papers"]) < len(PAPERS)
        server.clear_faults()
        resumed = backfill(Environment(config, now=lambda: NOW), TARGET)
    assert resumed.resumed
    assert resumed.records == len(PAPERS) - len(partial["papers"])
    assert archive(config.database) == expected


def test_an_expired_token_restarts_from_the_last_day_reached(tmp_path: Path) -> None:
    with ArxivServer(PAPERS) as server:
        mount_oai(server, page_size=100)
        expected = archive(harvest_all(tmp_path / "whole", server))
    with ArxivServer(PAPERS) as server:
        oai = mount_oai(server, page_size=100)
        (tmp_path / "parts").mkdir()
        config = load_config(write_config(tmp_path / "parts", server), environ={})
        oai.fail_after(2)
        with pytest.raises(FetchError):
            backfill(Environment(config, now=lambda: NOW), TARGET)
        server.clear_faults()
        oai.expire_tokens()
        log: list[str] = []
        backfill(Environment(config, now=lambda: NOW, log=log.append), TARGET)
    assert any("the resumption token expired; harvesting again from 2026-" in line for line in log)
    assert archive(config.database) == expected


def test_tokens_that_keep_expiring_within_one_day_stop_the_harvest(tmp_path: Path) -> None:
    """A day of 25 records on pages of 20 can only be crossed with a resumption token. When every token was
    refused, the harvest started over from that day, stored the same page and was refused again, forever.
    It now stops with the error, keeps its pages, and the same command completes later."""
    with ArxivServer(PAPERS) as server:
        mount_oai(server, page_size=20)
        expected = archive(harvest_all(tmp_path / "whole", server))
    with ArxivServer(PAPERS) as server:
        oai = mount_oai(server, page_size=20)
        (tmp_path / "refused").mkdir()
        config = load_config(write_config(tmp_path / "refused", server), environ={})
        oai.expire_tokens()
        with pytest.raises(ResumptionTokenExpired, match="again after starting over from 2026-01-"):
            backfill(Environment(config, now=lambda: NOW), TARGET)
        oai.expired = False
        resumed = backfill(Environment(config, now=lambda: NOW), TARGET)
    assert resumed.resumed
    assert archive(config.database) == expected


def test_a_killed_backfill_run_again_ends_with_the_same_archive(tmp_path: Path) -> None:
    """SIGKILL in the middle of the harvest, then the same command again."""
    with ArxivServer(PAPERS) as server:
        mount_oai(server, page_size=50)
        expected = archive(harvest_all(tmp_path / "whole", server))
    with ArxivServer(PAPERS) as server:
        mount_oai(server, page_size=50)
        (tmp_path / "killed").mkdir()
        path = write_config(tmp_path / "killed", server)
        server.slow(0.15, times=None)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
        command = [
            sys.executable,
            "-m",
            "dailypapers",
            "backfill",
            "--config",
            str(path),
            "--from",
            "2026-01-01",
            "--until",
            "2026-02-28",
            "--set",
            "cs",
        ]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        database = tmp_path / "killed" / "dailypapers.db"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _papers(database) < 100:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        killed_at = _papers(database)
        assert 0 < killed_at < len(PAPERS)
        server.clear_faults()
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "(resumed)" in again.stdout
    progress = [line for line in again.stderr.splitlines() if "records/s" in line]
    assert progress and "left" in progress[0]  # records, records/s and an estimate of the time left
    assert archive(database) == expected


def _papers(database: Path) -> int:
    try:
        with sqlite3.connect(database, timeout=1) as db:
            return int(db.execute("SELECT COUNT(*) FROM papers").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_the_cli_needs_a_set_or_a_category_when_the_scope_is_not_one(tmp_path: Path) -> None:
    path = tmp_path / "dailypapers.toml"
    path.write_text('[scope]\ncategories = ["cs.DC", "cs.PF"]\n[[topics]]\nname = "x"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "dailypapers", "backfill", "--config", str(path), "--from", "2026-01-01"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "choose what to harvest with --set (e.g. cs) or --category (e.g. cs.DC)" in result.stderr


@pytest.mark.parametrize(
    "query",
    ["scheduling", 'abs:"federated learning"', "ti:graph-neural OR au:chen", "cat:cs.DC ANDNOT abs:GPU"],
)
def test_search_after_a_backfill_gives_what_the_matcher_selects(tmp_path: Path, query: str) -> None:
    """The archive is indexed on the first search; the answer is the matcher's, newest first, as JSON lines."""
    import json

    from dailypapers.query import matches, parse

    with ArxivServer(PAPERS) as server:
        mount_oai(server, page_size=200)
        path = write_config(tmp_path, server)
        backfill(Environment(load_config(path, environ={}), now=lambda: NOW), TARGET)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    command = [sys.executable, "-m", "dailypapers", "search", "--config", str(path), "--json", "--limit", "15"]
    result = subprocess.run([*command, query], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    found = [json.loads(line) for line in result.stdout.splitlines()]
    node = parse(query)
    newest = sorted(PAPERS, key=lambda p: (p.updated, p.id), reverse=True)
    expected = [p for p in newest if matches(node, p)][:15]
    assert [(r["id"], r["version"]) for r in found] == [(p.id, p.version) for p in expected]
    assert all({"id", "version", "title", "updated"} <= set(r) for r in found)


def test_search_shows_a_table_and_names_a_bad_query(tmp_path: Path) -> None:
    with ArxivServer(PAPERS) as server:
        mount_oai(server, page_size=200)
        path = write_config(tmp_path, server)
        backfill(Environment(load_config(path, environ={}), now=lambda: NOW), TARGET)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    base = [sys.executable, "-m", "dailypapers", "search", "--config", str(path)]
    table = subprocess.run([*base, "scheduling", "--limit", "3"], capture_output=True, text=True, env=env, timeout=60)
    assert table.returncode == 0, table.stderr
    assert "papers for scheduling" in table.stdout
    bad = subprocess.run([*base, "ti:(graph"], capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 2
    assert "unbalanced '('" in bad.stderr and "^" in bad.stderr
