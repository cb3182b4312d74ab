"""How fast ``dailypapers search`` answers over a large archive: p50 and p95 over a fixed mix of queries.

The archive is built once from ``synthetic.py`` (seed 1) into a real store (``Store.open``, versions written
by ``Store.add_versions``, indexed by ``store.fts.index_many`` in the same transaction, as a back-fill page
would be) and kept under ``benchmarks/.cache/`` for later runs; the build's rates are printed and kept next
to it. Each query is parsed and searched with ``limit`` 20; one warm-up pass over all queries, then
``--rounds`` timed passes. Each paper returned is checked with the matcher; that nothing is missing is
what ``tests/test_store_search.py`` checks (against the whole archive, which takes too long at this size).

    python benchmarks/bench_search.py [--papers 1000000] [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from synthetic import load_vocabulary, synthetic_papers

from dailypapers.query import matches, parse
from dailypapers.store import Store, fts
from dailypapers.store.search import search_papers

CACHE = Path(__file__).resolve().parent / ".cache"
BATCH = 5000  # versions per transaction, about a back-fill page's worth of work
LIMIT = 20


def queries() -> list[str]:
    """The fixed mix: words common and rare, phrases, categories, Boolean operators, authors, oddities."""
    words = load_vocabulary().words
    rare = [words[rank] for rank in (8_000, 15_000, 25_000, 35_000, 44_000)]  # made-up words, few papers each
    return [
        # single words, common to rare
        "learning", "abs:model", "ti:performance", "abs:GPUs", "ti:serverless", "abs:consensus",
        "abs:schrodinger", *(f"abs:{word}" for word in rare[:3]), f"all:{rare[3]}", "abs:zyxwvutsrq",
        # phrases
        'abs:"large language models"', 'ti:"federated learning"', 'abs:"energy consumption"',
        'abs:"in this paper, we"', 'ti:"language models"', 'abs:"state-of-the-art"', 'abs:"the model"',
        'ti:"federated learning" OR abs:"federated learning"',
        # a category and a word
        "cat:cs.DC AND abs:scheduling", "cat:hep-th AND ti:model", "cat:cs AND abs:federated",
        "cat:astro-ph AND abs:energy", "cat:quant-ph AND ti:training", "cat:cs.PF AND abs:latency",
        "cat:math.* AND abs:algorithm", "cat:econ.EM", "cat:q-fin", f"cat:cs.LG AND abs:{rare[1]}",
        # Boolean
        "abs:GPU AND abs:memory", "ti:graph OR ti:network", "abs:learning ANDNOT cat:cs.LG",
        'cat:cs.CL AND (ti:llm OR abs:"large language model")', "abs:federated ANDNOT abs:privacy",
        "(abs:cache OR abs:caching) AND (abs:latency OR abs:throughput) ANDNOT cat:cs.AI",
        "abs:inference AND abs:serving AND abs:kv", f"abs:{rare[0]} OR abs:{rare[2]} OR abs:{rare[4]}",
        "ANDNOT cat:cs", "abs:data ANDNOT abs:the",
        # authors
        "au:wang", "au:decouchant", "au:jeremie", "au:muller AND cat:hep-ph", "au:van_der_waals",
        "au:chen AND abs:scheduling", "au:o_brien OR au:orsted",
        # wildcards and ids
        "ti:sched*", "abs:quant*", "id:1901.50123", "id:hep-th/06*",
    ]  # fmt: skip


def build(papers: int, seed: int, path: Path) -> dict[str, Any]:
    """Write the archive to ``path`` (through a temporary name, so a broken build is never reused)."""
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    timings = {"generate": 0.0, "add_versions": 0.0, "index": 0.0}
    versions = 0
    started = time.perf_counter()
    with Store.open(partial) as store:
        _ensure_search_schema(store._db)
        stream = synthetic_papers(papers, seed=seed)
        while True:
            clock = time.perf_counter()
            batch = list(itertools.islice(stream, BATCH))
            timings["generate"] += time.perf_counter() - clock
            if not batch:
                break
            with store.transaction():
                clock = time.perf_counter()
                fresh = store.add_versions(batch, run=None)
                timings["add_versions"] += time.perf_counter() - clock
                clock = time.perf_counter()
                fts.index_many(store._db, fresh)
                timings["index"] += time.perf_counter() - clock
            versions += len(batch)
            if versions % (BATCH * 40) < BATCH:
                print(f"  {store.paper_count():,} papers, {time.perf_counter() - started:,.0f} s", file=sys.stderr)
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(path)
    report = {
        "papers": papers,
        "versions": versions,
        "seconds": time.perf_counter() - started,
        **{f"{stage}_seconds": seconds for stage, seconds in timings.items()},
        "bytes": path.stat().st_size,
        "built": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    path.with_suffix(".json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


def _ensure_search_schema(db: sqlite3.Connection) -> None:
    """Until the store's MIGRATIONS include ``fts.FTS_MIGRATION``, apply it here. Delete once they do."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_index'").fetchone() is None:
        db.executescript(fts.FTS_MIGRATION)


def measure(db: sqlite3.Connection, texts: list[str], rounds: int) -> list[dict[str, Any]]:
    """Seconds per query and round, after one untimed pass; answers checked on what they returned."""
    nodes = [parse(text) for text in texts]
    results = []
    for text, node in zip(texts, nodes, strict=True):
        hits = search_papers(db, node, limit=LIMIT)
        if not all(matches(node, paper) for paper in hits):
            raise SystemExit(f"{text}: a paper that does not match was returned")
        results.append({"query": text, "hits": len(hits), "seconds": []})
    for _ in range(rounds):
        for result, node in zip(results, nodes, strict=True):
            clock = time.perf_counter()
            search_papers(db, node, limit=LIMIT)
            result["seconds"].append(time.perf_counter() - clock)
    return results


def machine() -> dict[str, Any]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def cached_archive(papers: int, seed: int = 1, cache: Path = CACHE) -> tuple[Path, dict[str, Any]]:
    """The archive of ``papers`` synthetic papers in ``cache`` and its build report; built first if missing."""
    path = cache / f"search-{papers}-seed{seed}-analysis{fts.ANALYSIS}.db"
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"  # as pytest and mypy do with their caches: never committed by accident
    if not ignore.exists():
        ignore.write_text("# created by benchmarks/bench_search.py: the archive it builds is never committed\n*\n")
    if path.exists():
        return path, json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    print(f"building {path} ...", file=sys.stderr)
    return path, build(papers, seed, path)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--papers", type=int, default=1_000_000, help="papers in the archive (default 1000000)")
    options.add_argument("--seed", type=int, default=1, help="synthetic data seed (default 1)")
    options.add_argument("--rounds", type=int, default=5, help="timed passes over the queries (default 5)")
    options.add_argument("--cache", type=Path, default=CACHE, help="folder for the archive (default .cache/)")
    options.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = options.parse_args()

    path, archive = cached_archive(args.papers, args.seed, args.cache)
    with Store.open(path) as store:
        results = measure(store._db, queries(), args.rounds)
    all_seconds = [s for result in results for s in result["seconds"]]
    report = {
        "machine": machine(),
        "archive": archive | {"file": str(path)},
        "latency": {
            "queries": len(results),
            "rounds": args.rounds,
            "limit": LIMIT,
            "p50_ms": statistics.median(all_seconds) * 1000,
            "p95_ms": statistics.quantiles(all_seconds, n=20)[-1] * 1000,
            "max_ms": max(all_seconds) * 1000,
        },
        "results": results,
    }
    print(json.dumps(report, indent=2) if args.json else table(report))


def table(report: dict[str, Any]) -> str:
    m, a, lat = report["machine"], report["archive"], report["latency"]
    papers_per_second = a["papers"] / a["add_versions_seconds"]
    lines = [
        f"machine  {m['cpu']}, {m['cores']} cores, Python {m['python']}, SQLite {m['sqlite']}",
        f"date     {m['date']}",
        f"archive  {a['papers']:,} papers, {a['versions']:,} versions, {a['bytes'] / 1e9:.2f} GB, built {a['built']}",
        f"build    {a['seconds']:,.0f} s in all: generate {a['generate_seconds']:,.0f} s, "
        f"Store.add_versions {a['add_versions_seconds']:,.0f} s ({papers_per_second:,.0f} papers/s, "
        f"{a['versions'] / a['add_versions_seconds']:,.0f} versions/s), "
        f"fts.index_many {a['index_seconds']:,.0f} s ({a['papers'] / a['index_seconds']:,.0f} papers/s)",
        f"method   {lat['queries']} queries x {lat['rounds']} rounds after a warm-up pass, limit {lat['limit']}",
        f"latency  p50 {lat['p50_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms, max {lat['max_ms']:.1f} ms",
        "",
        f"{'query':<76} {'hits':>4} {'median ms':>10}",
    ]
    for row in sorted(report["results"], key=lambda r: -statistics.median(r["seconds"])):
        lines.append(f"{row['query'][:76]:<76} {row['hits']:>4} {statistics.median(row['seconds']) * 1000:>10.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
