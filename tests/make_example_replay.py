"""Rebuild ``examples/replay/``: what arXiv answered the example config, recorded from the seed papers.

The quick start replays this folder, so its first command works on a machine without network. It records
two runs on Friday 15 May 2026, after the announcement of that day: the first reads the announcement feed,
back-fills each topic and fetches the announced papers; the second, the same morning, finds the announcement
covered already.

    python tests/make_example_replay.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.model import Paper
from feed_server import mount_feeds

ROOT = Path(__file__).resolve().parent.parent
REPLAY = ROOT / "examples" / "replay"
NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)  # Friday, 08:00 in New York
DAY = date(2026, 5, 15)
# The listing of Friday 15 May holds what was submitted from Wednesday 14:00 to Thursday 14:00 (New York).
WINDOW = (datetime(2026, 5, 13, 18, 0, tzinfo=UTC), datetime(2026, 5, 14, 18, 0, tzinfo=UTC))


def announced(papers: list[Paper]) -> list[tuple[Paper, str]]:
    latest: dict[str, Paper] = {}
    for paper in papers:
        if paper.id not in latest or paper.version > latest[paper.id].version:
            latest[paper.id] = paper
    chosen = [p for p in latest.values() if WINDOW[0] <= p.updated < WINDOW[1]]
    return [(p, "new" if p.version == 1 else "replace") for p in chosen]


def main() -> None:
    shutil.rmtree(REPLAY, ignore_errors=True)
    papers = load_seed_papers()
    with tempfile.TemporaryDirectory() as scratch, ArxivServer(papers, now=lambda: NOW) as server:
        feeds = mount_feeds(server)
        feeds.announce(DAY, announced(papers))
        config = Path(scratch) / "dailypapers.toml"
        shutil.copy(ROOT / "examples" / "dailypapers.toml", config)
        env = {
            **os.environ,
            "DAILYPAPERS_API_URL": server.url,
            "DAILYPAPERS_RSS_URL": server.base,
            "DAILYPAPERS_DELAY": "0",
            "DAILYPAPERS_NOW": NOW.isoformat(),
        }
        for _ in range(2):
            command = [sys.executable, "-m", "dailypapers", "run", "--config", str(config), "--record", str(REPLAY)]
            subprocess.run(command, check=True, env=env)
    print(f"recorded {len(list(REPLAY.glob('answer-*.json')))} answers in {REPLAY}")


if __name__ == "__main__":
    main()
