"""How fast "More like this" answers (``Store.similar_papers``, the paper page's slowest part): p50 and p95 over
papers drawn at random from a large archive.

The archive is ``bench_search.py``'s (synthetic papers, seed 1, indexed; built once under ``benchmarks/.cache/``).
Each sampled paper is read at its latest version, then ``similar_papers(paper, 10)`` runs once untimed and
``--rounds`` times timed; the figure is per call, the store opened once, as the reader keeps it.

    python benchmarks/bench_similar.py [--papers 1000000 | --database FILE] [--sample 200] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from bench_search import CACHE, cached_archive, machine

from dailypapers.model import Paper
from dailypapers.store import Store


def sample(store: Store, count: int, seed: int) -> list[Paper]:
    """``count`` papers of the archive drawn at random, at their latest versions (ids read as bench_search does
    its schema: through the store's connection, which only benchmarks touch)."""
    ids = [str(row[0]) for row in store._db.execute("SELECT id FROM papers ORDER BY id")]
    chosen = random.Random(seed).sample(ids, min(count, len(ids)))
    return [paper for paper in (store.latest(paper_id) for paper_id in chosen) if paper is not None]


def opened(database: Path) -> Store:
    """The archive read-only and immutable: a benchmark may read an archive another program built, and must
    leave it (and its folder: no journal, no lock) exactly as it was."""
    connection = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    return Store(connection, database)


def measure(database: Path, count: int, rounds: int, seed: int = 7) -> dict[str, Any]:
    with opened(database) as store:
        size = store.paper_count()
        papers = sample(store, count, seed)
        found = [len(store.similar_papers(paper, 10)) for paper in papers]
        seconds: list[float] = []
        for _ in range(rounds):
            for paper in papers:
                clock = time.perf_counter()
                store.similar_papers(paper, 10)
                seconds.append(time.perf_counter() - clock)
    ordered = sorted(seconds)
    return {
        "papers_in_archive": size,
        "papers_sampled": len(papers),
        "calls": len(seconds),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "mean_found": round(statistics.fmean(found), 1),
    }


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--papers", type=int, default=1_000_000, help="papers in the archive (default 1000000)")
    options.add_argument("--sample", type=int, default=200, help="papers whose similar papers are asked")
    options.add_argument("--rounds", type=int, default=3)
    options.add_argument("--cache", type=Path, default=CACHE, help="folder of the built archive")
    options.add_argument("--database", type=Path, help="an archive built already (read only), instead of the cache")
    options.add_argument("--json", action="store_true")
    arguments = options.parse_args()
    if arguments.database:
        database, build = arguments.database, {"database": str(arguments.database)}
    else:
        database, build = cached_archive(arguments.papers, cache=arguments.cache)
    report = {"archive": build, "machine": machine(), **measure(database, arguments.sample, arguments.rounds)}
    if arguments.json:
        print(json.dumps(report, indent=2))
    else:
        size, p50, p95 = report["papers_in_archive"], report["p50_ms"], report["p95_ms"]
        print(f"more like this over {size:,} papers: p50 {p50} ms, p95 {p95} ms")


if __name__ == "__main__":
    main()
