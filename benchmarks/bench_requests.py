"""Requests a daily run makes to arXiv for 1, 10 and 50 topics, and what the seed bot's loop makes.

A local arXiv-compatible server holds the seed papers; after a first run (which back-fills each topic once), a
day of new entries is announced and the daily run is counted. The comparison is the loop of the bot this
project replaces (one search per topic, every day), run against the same server on the same day: the server
counts the requests it receives.

    python benchmarks/bench_requests.py [--new 2500]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from seed_bot import bot_loop  # noqa: E402

from arxiv_server import ArxivServer, load_seed_papers  # noqa: E402
from dailypapers.config import load_config  # noqa: E402
from dailypapers.model import Paper  # noqa: E402
from dailypapers.pipeline.context import Environment  # noqa: E402
from dailypapers.pipeline.daily import run_daily  # noqa: E402
from feed_server import mount_feeds  # noqa: E402

NOW = datetime(2026, 5, 16, 6, 0, tzinfo=UTC)
WORDS = ["compiler", "performance", "scheduling", "consensus", "serverless", "federated", "sparse", "cache"]


def topics(count: int) -> list[str]:
    base = ["reinforcement learning", "compiler", "performance", *WORDS[2:]]
    return [base[i] if i < len(base) else f"{WORDS[i % len(WORDS)]} topic {i}" for i in range(count)]


def new_day(count: int) -> list[Paper]:
    """``count`` entries announced the day after NOW, shaped like the seed papers."""
    seeds = load_seed_papers()
    papers = []
    for n in range(count):
        seed = seeds[n % len(seeds)]
        moment = NOW + timedelta(hours=12, seconds=n)
        papers.append(
            replace(
                seed,
                id=f"2605.{30000 + n}",
                version=1,
                published=moment,
                updated=moment,
                title=f"{seed.title} ({WORDS[n % len(WORDS)]})",
            )
        )
    return papers


def config_for(folder: Path, server: ArxivServer, names: list[str], scope: bool) -> Path:
    categories = '["cs.DC"]' if scope else "[]"
    lines = [
        "[scope]",
        f"categories = {categories}",
        "[arxiv]",
        f'api_url = "{server.url}"',
        f'rss_url = "{server.base}"',
        "delay = 0",
    ]
    for name in names:
        lines += ["[[topics]]", f"name = {name!r}"]
    path = folder / "dailypapers.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextmanager
def announced_day(topic_count: int, new: int, scope: bool) -> Iterator[tuple[ArxivServer, Path, datetime]]:
    """The local server and a config after a first run (which back-fills each topic once), with a day of ``new``
    entries then announced: yields the server, the config file and the time of the daily run to measure."""
    with tempfile.TemporaryDirectory() as scratch, ArxivServer(load_seed_papers(), now=lambda: NOW) as server:
        feeds = mount_feeds(server)
        path = config_for(Path(scratch), server, topics(topic_count), scope)
        config = load_config(path, environ={})
        feeds.today = NOW.date()  # Saturday: no announcement
        run_daily(Environment(config=config, now=lambda: NOW))
        papers = new_day(new)
        server.add(papers)
        monday = date(2026, 5, 18)
        feeds.announce(monday, [(paper, "new") for paper in papers])
        feeds.today = monday
        yield server, path, datetime(2026, 5, 18, 12, 0, tzinfo=UTC)


def measure(topic_count: int, new: int, scope: bool) -> int:
    """Requests of the daily run after the first: with a category scope (the announcement feed and the
    announced papers' metadata) or without (one search for every topic)."""
    with announced_day(topic_count, new, scope) as (_, path, later):
        config = load_config(path, environ={})
        return run_daily(Environment(config=config, now=lambda: later)).requests


def measure_with_bot(topic_count: int, new: int) -> tuple[int, int]:
    """``measure`` without a scope, then, on the same server and day, the requests the server receives from the
    seed bot's loop (with no delay): counted where they arrive, not assumed from the number of topics."""
    with announced_day(topic_count, new, scope=False) as (server, path, later):
        config = load_config(path, environ={})
        ours = run_daily(Environment(config=config, now=lambda: later)).requests
        before = len(server.requests)
        bot_loop(server.url, topics(topic_count), delay=0)
        return ours, len(server.requests) - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--new", type=int, default=2500, help="entries announced on the measured day")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}")
    print(f"a day with {args.new} new entries in scope (page size 2000)")
    print(f"{'topics':>6}  {'with a category scope':>21}  {'without a scope':>15}  {'the seed bot':>12}")
    for count in (1, 10, 50):
        feed, (query, bot) = measure(count, args.new, True), measure_with_bot(count, args.new)
        print(f"{count:>6}  {feed:>21}  {query:>15}  {bot:>12}")


if __name__ == "__main__":
    main()
