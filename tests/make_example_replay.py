"""Rebuild ``examples/replay/``: what arXiv answered the example config, recorded from the seed papers.

The quick start replays this folder, so its first command works on a machine without network. Two runs are
recorded on the same day: the first back-fills each topic, the second makes the daily query.

    python tests/make_example_replay.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from arxiv_server import ArxivServer, load_seed_papers

ROOT = Path(__file__).resolve().parent.parent
REPLAY = ROOT / "examples" / "replay"
NOW = "2026-05-16T06:00:00+00:00"


def main() -> None:
    shutil.rmtree(REPLAY, ignore_errors=True)
    with tempfile.TemporaryDirectory() as scratch, ArxivServer(load_seed_papers()) as server:
        config = Path(scratch) / "dailypapers.toml"
        shutil.copy(ROOT / "examples" / "dailypapers.toml", config)
        env = {**os.environ, "DAILYPAPERS_API_URL": server.url, "DAILYPAPERS_DELAY": "0", "DAILYPAPERS_NOW": NOW}
        for _ in range(2):
            command = [sys.executable, "-m", "dailypapers", "run", "--config", str(config), "--record", str(REPLAY)]
            subprocess.run(command, check=True, env=env)
    print(f"recorded {len(list(REPLAY.glob('answer-*.json')))} answers in {REPLAY}")


if __name__ == "__main__":
    main()
