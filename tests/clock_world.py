"""The worlds of the clock-rule tests: a daily run on the export API alone, or on the announcement feeds.

Each holds a real arXiv server on loopback whose clock the test moves, a config in a temporary folder, the run's
log, and ways to plant a value in the database as an older version (or a hand) could have left it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.config import Config, load_config
from dailypapers.model import Paper
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.daily import RunSummary, run_daily
from feed_server import FeedService, mount_feeds

# Saturday 16 May 2026, 06:00 UTC: after the seed papers, on a day without an announcement.
NOW = datetime(2026, 5, 16, 6, 0, tzinfo=UTC)


def paper(paper_id: str, updated: datetime, title: str = "A compiler for sparse tensors") -> Paper:
    """A new paper on compilers (the topic of every world), dated ``updated`` (also its submission)."""
    base = load_seed_papers()[0]
    return replace(
        base,
        id=paper_id,
        version=1,
        title=title,
        abstract=f"{title}, submitted {updated.isoformat()}.",
        published=updated,
        updated=updated,
    )


def listed(text: str) -> set[str]:
    """The versioned ids a page or notification lists."""
    return {line.split("](https://arxiv.org/abs/")[1].split(")")[0] for line in text.splitlines() if "| **[" in line}


class World:
    """A folder with a config, a database and a server whose clock is ``self.clock``."""

    def __init__(self, tmp_path: Path, scope: str, timezone: str = "Asia/Shanghai") -> None:
        self.clock = NOW
        self.server = ArxivServer(load_seed_papers(), now=lambda: self.clock).start()
        self.feeds: FeedService = mount_feeds(self.server)
        self.folder = tmp_path
        self.config_path = tmp_path / "dailypapers.toml"
        lines = [
            f'timezone = "{timezone}"',
            'contact = "researcher@example.org"',
            scope,
            "[arxiv]",
            f'api_url = "{self.server.url}"',
            f'rss_url = "{self.server.base}"',
            "delay = 0",
            "max_attempts = 2",
            "[[topics]]",
            'name = "compiler"',
        ]
        self.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.config: Config = load_config(self.config_path, environ={})
        self.log: list[str] = []

    def __enter__(self) -> World:
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def run(self, when: datetime) -> RunSummary:
        self.clock = when
        self.log.clear()
        return run_daily(Environment(config=self.config, now=lambda: when, log=self.log.append))

    def notification(self) -> set[str]:
        return listed((self.folder / ".github" / "ISSUE_TEMPLATE.md").read_text(encoding="utf-8"))

    def page(self) -> str:
        return (self.folder / "README.md").read_text(encoding="utf-8")

    def said(self, fragment: str) -> list[str]:
        return [line for line in self.log if fragment in line]

    # the database, as another program sees it

    def sql(self, statement: str, *params: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.config.database) as db:
            return db.execute(statement, params).fetchall()

    def state(self, key: str) -> str | None:
        rows = self.sql("SELECT value FROM state WHERE key = ?", key)
        return None if not rows else str(rows[0][0])

    def plant_state(self, key: str, value: str) -> None:
        self.sql("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", key, value)

    def plant_covered(self, day: str, category: str = "cs.DC") -> None:
        """A covered announcement day, as ``Store.record_announcement`` writes one."""
        run = self.sql("SELECT MAX(id) FROM runs")[0][0]
        self.sql("INSERT INTO announcements VALUES (?, ?, 0, 0, 0, 0, 'feed', ?)", day, category, run)

    def covered(self) -> list[str]:
        return [str(row[0]) for row in self.sql("SELECT DISTINCT day FROM announcements ORDER BY day")]


def api_world(tmp_path: Path) -> World:
    """No category scope: no feed, the daily query on the export API down to the watermark finds what is new."""
    return World(tmp_path, "")


def feed_world(tmp_path: Path) -> World:
    """A category scope: the announcement feed of cs.DC says what was announced, in New York's calendar."""
    return World(tmp_path, '[scope]\ncategories = ["cs.DC"]', timezone="America/New_York")


def morning(day: date) -> datetime:
    """07:00 in New York, after the feed of ``day`` was built at midnight."""
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


def publish(world: World, day: date, prefix: str) -> list[Paper]:
    """Two papers on compilers and one on something else, submitted the evening before and listed on ``day``."""
    submitted = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=8)
    titles = ("A compiler for tensors", "Compilers for GPUs", "Gossip in dynamic graphs")
    papers = [paper(f"{prefix}{n:03d}", submitted + timedelta(minutes=n), title) for n, title in enumerate(titles)]
    world.server.add(papers)
    world.feeds.announce(day, [(p, "new") for p in papers])
    return papers


def compilers(papers: list[Paper]) -> set[str]:
    return {p.versioned_id for p in papers if "ompiler" in p.title}
