"""Requests a daily run makes to arXiv for 1, 10 and 50 topics, and what one query per topic would make.

A local arXiv-compatible server holds the seed papers; after a first run (which back-fills each topic once), a
day of new entries is announced and the daily run is counted. The comparison is the approach of the bot this
project replaces: one search per topic, every day.

    python benchmarks/bench_requests.py [--new 2500]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from arxiv_server import ArxivServer, load_seed_papers  # noqa: E402
from dailypapers.config import load_config  # noqa: E402
from dailypapers.daily import Context, run_daily  # noqa: E402
from dailypapers.model import Paper  # noqa: E402

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


def config_for(folder: Path, url: str, names: list[str]) -> Path:
    lines = ["[scope]", 'categories = ["cs.DC"]', "[arxiv]", f'api_url = "{url}"', "delay = 0"]
    for name in names:
        lines += ["[[topics]]", f"name = {name!r}"]
    path = folder / "dailypapers.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def measure(topic_count: int, new: int) -> tuple[int, int]:
    """(requests of the daily run, requests one search per topic would make for the same day)."""
    with tempfile.TemporaryDirectory() as scratch, ArxivServer(load_seed_papers()) as server:
        config = load_config(config_for(Path(scratch), server.url, topics(topic_count)), environ={})
        run_daily(Context(config=config, now=lambda: NOW))
        server.add(new_day(new))
        summary = run_daily(Context(config=config, now=lambda: NOW + timedelta(days=1)))
    # The seed bot: one search per keyword, each at most 100 results, every day.
    return summary.requests, topic_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--new", type=int, default=2500, help="entries announced on the measured day")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}")
    print(f"a day with {args.new} new entries in scope (page size 2000)")
    print(f"{'topics':>6}  {'dailypapers':>11}  {'one query per topic':>19}")
    for count in (1, 10, 50):
        ours, theirs = measure(count, args.new)
        print(f"{count:>6}  {ours:>11}  {theirs:>19}")


if __name__ == "__main__":
    main()
