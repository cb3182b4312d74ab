"""The arXiv the daily-run tests meet: the seed papers on a loopback server whose clock stands at NOW, and a config.

Shared by the daily run's tests and the delivery, GitHub, crash and dry-run tests that build on the same day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.model import Paper
from feed_server import mount_feeds

NOW = datetime(2026, 5, 16, 6, 0, tzinfo=UTC)
SEED_TOPICS = ("reinforcement learning", "compiler", "performance")


class Arxiv(ArxivServer):
    """The export API and the announcement feeds, on a server whose clock stands at NOW."""

    def __init__(self, papers: list[Paper]) -> None:
        super().__init__(papers, now=lambda: NOW)

    def start(self) -> Arxiv:
        super().start()
        self.feeds = mount_feeds(self)
        return self


def write_config(
    folder: Path,
    server: ArxivServer,
    topics: tuple[str, ...] = SEED_TOPICS,
    categories: tuple[str, ...] = ("cs.DC",),
    extra: str = "",
) -> Path:
    lines = [
        'title = "Daily Papers"',
        'timezone = "Asia/Shanghai"',
        'contact = "researcher@example.org"',
        extra,
        "[scope]",
        f"categories = [{', '.join(repr(c) for c in categories)}]",
        "[arxiv]",
        f'api_url = "{server.url}"',
        f'rss_url = "{server.base}"',
        "delay = 0",
        "max_attempts = 3",
    ]
    for topic in topics:
        lines += ["[[topics]]", f"name = {topic!r}"]
    path = folder / "dailypapers.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def next_day_papers() -> list[Paper]:
    """Two new papers and a new version of a known one, announced the day after NOW."""
    seeds = {p.versioned_id: p for p in load_seed_papers()}
    base = seeds["2605.13319v2"]
    later = NOW + timedelta(hours=20)
    compiler = replace(
        base,
        id="2605.20001",
        version=1,
        title="A Compiler for Sparse Collectives",
        abstract="We present a compiler that lowers sparse collective operations to RDMA.",
        published=later,
        updated=later,
    )
    unrelated = replace(
        base,
        id="2605.20002",
        version=1,
        title="Gossip in Dynamic Graphs",
        abstract="We study gossip.",
        published=later,
        updated=later,
    )
    revised = replace(seeds["2511.16964v2"], version=3, updated=later)
    return [compiler, unrelated, revised]
