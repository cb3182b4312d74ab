"""A daily run's local work on a large archive: 10 topics, one announcement of 500 papers, 1,000,000 papers stored.

The archive is the one ``bench_search.py`` builds (``benchmarks/.cache/``); the run adds the announcement's
papers and a run to it. The local server answers the feed and the metadata requests with no delay, so the
time is the run's own work: parse, store, match, index for search, build the digest, render, write. A set-up
run the day before registers the topics while the server holds none of the announcement's papers; they are
added and announced after it, so the timed run is a day that brings new papers (its outcome must be "new").

    python benchmarks/bench_daily.py [--archive benchmarks/.cache/search-1000000-seed1-analysis2.db]
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import synthetic_papers  # noqa: E402

from arxiv_server import ArxivServer  # noqa: E402
from dailypapers.arxiv.calendar import is_announcement_day  # noqa: E402
from dailypapers.config import load_config  # noqa: E402
from dailypapers.pipeline.context import Environment  # noqa: E402
from dailypapers.pipeline.daily import run_daily  # noqa: E402
from dailypapers.store import fts  # noqa: E402
from feed_server import mount_feeds  # noqa: E402

ARCHIVE = ROOT / "benchmarks" / ".cache" / f"search-1000000-seed1-analysis{fts.ANALYSIS}.db"  # bench_search's
TOPICS = [
    "federated learning",
    "large language model",
    "scheduling",
    "compiler",
    "graph neural network",
    "reinforcement learning",
    "serverless",
    "consensus",
    "quantum",
    "cache",
]


def _has_announcements(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'announcements'").fetchone() is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--announced", type=int, default=500)
    args = parser.parse_args()
    if not args.archive.exists():
        raise SystemExit(f"{args.archive}: build it first with python benchmarks/bench_search.py")
    with sqlite3.connect(args.archive) as db:
        papers = db.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
        covered = db.execute("SELECT MAX(day) FROM announcements").fetchone()[0] if _has_announcements(db) else None
    # The next announcement day after any this archive has covered in an earlier run of the benchmark.
    day = date.fromisoformat(covered) + timedelta(days=1) if covered else date(2026, 5, 15)
    while not is_announcement_day(day):
        day += timedelta(days=1)
    now = datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)
    run_number = int(time.time())
    fresh = []
    for n, paper in enumerate(synthetic_papers(args.announced, seed=run_number % 1000 + 7)):
        moment = now - timedelta(hours=10, seconds=n)
        # Ids of a month the archive does not use, different at each run of the benchmark.
        paper_id = f"{90 + run_number % 10}{1 + (run_number // 10) % 12:02d}.{n:05d}"
        categories = ("cs.DC", *paper.categories[1:])
        fresh.append(
            replace(
                paper,
                id=paper_id,
                version=1,
                published=moment,
                updated=moment,
                categories=categories,
                primary_category="cs.DC",
            )
        )
    with tempfile.TemporaryDirectory() as scratch, ArxivServer(now=lambda: now) as server:
        feeds = mount_feeds(server)
        config_path = Path(scratch) / "dailypapers.toml"
        lines = [
            f'database = "{args.archive.resolve()}"',
            "[scope]",
            'categories = ["cs.DC"]',
            "[arxiv]",
            f'api_url = "{server.url}"',
            f'rss_url = "{server.base}"',
            "delay = 0",
        ]
        for topic in TOPICS:
            lines += ["[[topics]]", f"name = {topic!r}"]
        config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        config = load_config(config_path, environ={})
        # Register the topics once, the day before (their back-fill searches are not part of a daily run).
        feeds.today = day - timedelta(days=1)
        run_daily(Environment(config=config, now=lambda: now - timedelta(days=1)))
        server.add(fresh)
        feeds.announce(day, [(paper, "new") for paper in fresh])
        feeds.today = day
        clock = time.perf_counter()
        summary = run_daily(Environment(config=config, now=lambda: now))
        seconds = time.perf_counter() - clock
    if summary.outcome != "new":
        raise SystemExit(f"the timed run's outcome is {summary.outcome!r}, not 'new': it measured no new papers")
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{datetime.now(UTC):%Y-%m-%d}"
    )
    print(
        f"daily run on an archive of {papers:,} papers, {len(TOPICS)} topics, an announcement of "
        f"{args.announced} papers: {seconds:.2f} s ({summary.requests} requests to the local server, "
        f"{summary.kept} versions stored, {summary.new_papers} new papers on the topics, outcome {summary.outcome})"
    )


if __name__ == "__main__":
    main()
