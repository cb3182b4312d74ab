"""How fast the reader (``dailypapers serve``) answers over a large archive: p50 and p95 per page.

The archive is ``bench_search.py``'s (synthetic papers with their search index, built once and cached under
``benchmarks/.cache/``), copied and given what a researcher's years of daily runs leave: ten topics whose
queries are common words, ``--matches`` matches in all (found by searching the archive, so each match is a real
one), spread over ``--runs`` daily runs in date order (about 100 a day by default, what ten broad topics bring),
and a few hundred stars, dismissals and reads. The copy is cached too.

The reader then runs for real, as ``dailypapers serve`` does: uvicorn on a socket bound to 127.0.0.1 in a thread,
one store connection, with requests through an ``httpx`` client over that socket (``tests/reader_server.py``).
Each page is asked for once untimed, then ``--rounds`` times for each of its URLs:

- the inbox (``/``), the latest run's papers per topic and each topic's recent ones;
- a paper's page (``/papers/ID``) for papers matched by the runs, with its versions and "more like this";
- "more like this" alone where the reader serves it as its own fragment;
- search (``/search?q=``) over ``bench_search.queries()``'s mix;
- the days, topics, starred and author pages.

Beside them, what a user would do instead: ``dailypapers search`` from the command line, a fresh process per
query (what answering one question costs without the reader).

    python benchmarks/bench_serve.py [--papers 1000000] [--matches 100000] [--runs 1000] [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import bench_search  # noqa: E402

from dailypapers.model import Signal  # noqa: E402
from dailypapers.query import parse  # noqa: E402
from dailypapers.store import Store  # noqa: E402
from reader_server import running_reader  # noqa: E402

TOPICS = {
    "learning": "abs:learning",
    "models": "abs:model",
    "performance": "ti:performance",
    "GPUs": "abs:GPUs",
    "consensus": "abs:consensus",
    "federated": 'abs:"federated learning"',
    "language models": 'abs:"large language models"',
    "energy": 'abs:"energy consumption"',
    "latency": "abs:latency OR abs:throughput",
    "caching": "abs:cache OR abs:caching",
}
END = datetime(2026, 5, 1, 7, tzinfo=UTC)  # the synthetic archive's last day


def config_text(database: Path) -> str:
    topics = "".join(f'\n[[topics]]\nname = "{name}"\nquery = {json.dumps(query)}\n' for name, query in TOPICS.items())
    return f'title = "Reader benchmark"\ndatabase = "{database.name}"\n{topics}'


def build_world(papers: int, matches: int, runs: int, folder: Path) -> tuple[Path, dict[str, Any]]:
    """``folder/dailypapers.toml`` and its database: the search archive with matches, runs and signals."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / f"serve-{papers}-{matches}-{runs}.db"
    report_file = database.with_suffix(".json")
    config = folder / f"serve-{papers}-{matches}-{runs}.toml"
    config.write_text(config_text(database), encoding="utf-8")
    if database.exists() and report_file.exists():
        return config, json.loads(report_file.read_text(encoding="utf-8"))
    source, _ = bench_search.cached_archive(papers)
    partial = database.with_suffix(".partial")
    shutil.copyfile(source, partial)
    started = time.perf_counter()
    with Store.open(partial) as store:
        found = _matches(store, matches // len(TOPICS))
        _record_runs(store, found, runs)
        signals = _record_signals(store, found)
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(database)
    report = {
        "papers": papers,
        "matches": sum(len(keys) for keys in found.values()),
        "runs": runs,
        "signals": signals,
        "seconds": time.perf_counter() - started,
    }
    report_file.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return config, report


def _matches(store: Store, per_topic: int) -> dict[str, list[tuple[str, int, datetime]]]:
    """Each topic's newest ``per_topic`` papers in the archive: real matches of its query."""
    found = {}
    for name, query in TOPICS.items():
        hits = store.search(parse(query), limit=per_topic)
        found[name] = [(paper.id, paper.version, paper.updated) for paper in hits]
        print(f"  {name}: {len(hits):,} matches", file=sys.stderr)
    return found


def _record_runs(store: Store, found: dict[str, list[tuple[str, int, datetime]]], runs: int) -> None:
    """The matches as ``runs`` daily runs would have recorded them: oldest papers in the first run, newest last."""
    every = sorted(
        (updated, name, paper_id, version) for name, keys in found.items() for paper_id, version, updated in keys
    )
    per_run = -(-len(every) // runs)
    for number in range(runs):
        finished = END - timedelta(days=runs - 1 - number)
        with store.transaction():
            run = store.begin_run(finished - timedelta(minutes=5))
            if number == 0:
                for name, query in TOPICS.items():
                    store.set_topic(name, query, run)
            for _, name, paper_id, version in every[number * per_run : (number + 1) * per_run]:
                store.add_match(name, paper_id, version, run, TOPICS[name])
            store.finish_run(run, finished, "new")
        store.mark_published(run)


def _record_signals(store: Store, found: dict[str, list[tuple[str, int, datetime]]]) -> int:
    """Stars, dismissals and reads on matched papers, as a few months of reading leave them."""
    rng = random.Random(1)
    ids = sorted({paper_id for keys in found.values() for paper_id, _, _ in keys})
    chosen = rng.sample(ids, min(len(ids), 800))
    moment = END - timedelta(days=60)
    with store.transaction():
        for number, paper_id in enumerate(chosen):
            signal = (Signal.STAR, Signal.DISMISS, Signal.READ, Signal.READ)[number % 4]
            store.record_signals(signal, [(paper_id, None)], moment + timedelta(minutes=number))
    return len(chosen)


def pages(database: Path) -> dict[str, list[str]]:
    """The URLs each page is measured on."""
    rng = random.Random(2)
    with Store.open(database) as store:
        run = store.last_successful_run()
        assert run is not None
        latest = [match.paper_id for match in store.new_matches(run.id - 1, run.id)]
        older = [match.paper_id for match in store.new_matches(0, max(1, run.id // 2))]
        papers = rng.sample(latest, min(5, len(latest))) + rng.sample(older, min(15, len(older)))
        authors = [store.latest(paper_id).authors[0].name for paper_id in papers[:10]]  # type: ignore[union-attr]
    days = [(END - timedelta(days=n)).date().isoformat() for n in range(0, 30, 3)]
    return {
        "inbox": ["/"],
        "paper page": [f"/papers/{paper_id}" for paper_id in papers],
        "more like this": [f"/papers/{paper_id}/similar" for paper_id in papers],
        "search": [f"/search?q={quote(text)}" for text in bench_search.queries()],
        "days": ["/days", *(f"/days/{day}" for day in days)],
        "topics": ["/topics"],
        "starred": ["/starred"],
        "author": [f"/authors/{quote(name, safe='')}" for name in authors],
    }


FRAGMENTS = {"more like this"}  # asked for as htmx asks for them (a plain GET of a fragment is redirected)


def measure(url: str, urls: list[str], rounds: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Seconds per request after one untimed pass; a page the reader does not serve is reported as such."""
    # TCP_NODELAY as browsers set it: without it, a request on a kept-alive connection waits for the server's
    # delayed acknowledgement (40 ms on Linux), which would be measured instead of the reader.
    transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    with httpx.Client(base_url=url, timeout=60.0, transport=transport, headers=headers) as client:
        statuses = [client.get(path).status_code for path in urls]
        if all(status == 404 for status in statuses):
            return {"urls": len(urls), "served": False}
        seconds = []
        for _ in range(rounds):
            for path in urls:
                clock = time.perf_counter()
                client.get(path)
                seconds.append(time.perf_counter() - clock)
    return {"urls": len(urls), "served": True, "statuses": sorted(set(statuses)), **_percentiles(seconds)}


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]  # nearest rank: a time measured
    return {"p50_ms": statistics.median(seconds) * 1000, "p95_ms": p95 * 1000, "max_ms": max(seconds) * 1000}


def command_line_search(config: Path, rounds: int) -> dict[str, Any]:
    """``dailypapers search`` in a fresh process per query: the answer without the reader."""
    executable = Path(sys.executable).with_name("dailypapers")
    seconds = []
    for text in bench_search.queries()[:: max(1, len(bench_search.queries()) // 5)][:5]:
        for _ in range(max(1, rounds // 2)):
            clock = time.perf_counter()
            command = [str(executable), "search", "--config", str(config), text]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            seconds.append(time.perf_counter() - clock)
    return {"urls": 5, "served": True, **_percentiles(seconds)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    config, world = build_world(args.papers, args.matches, args.runs, args.cache)
    results: dict[str, Any] = {}
    with running_reader(config) as reader:
        for name, urls in pages(Path(reader.database)).items():
            headers = {"HX-Request": "true"} if name in FRAGMENTS else None
            results[name] = measure(reader.url, urls, args.rounds, headers)
            print(f"  {name}: {_line(results[name])}", file=sys.stderr)
    results["`dailypapers search` (a process per query)"] = command_line_search(config, args.rounds)
    return {"machine": bench_search.machine(), "archive": world, "rounds": args.rounds, "pages": results}


def _line(result: dict[str, Any]) -> str:
    if not result["served"]:
        return "not served"
    times = f"p50 {result['p50_ms']:,.1f} ms, p95 {result['p95_ms']:,.1f} ms, max {result['max_ms']:,.1f} ms"
    return f"status {result.get('statuses')}, {times}"


def table(report: dict[str, Any]) -> Iterator[str]:
    m, a = report["machine"], report["archive"]
    yield f"machine  {m['cpu']}, {m['cores']} cores, Python {m['python']}, SQLite {m['sqlite']}"
    yield f"date     {m['date']}"
    yield (
        f"archive  {a['papers']:,} papers, {a['matches']:,} matches over {a['runs']} runs, "
        f"{a['signals']} signals; {report['rounds']} rounds per URL"
    )
    yield ""
    yield f"{'page':<44} {'URLs':>5} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}"
    for name, result in report["pages"].items():
        if result["served"]:
            yield (
                f"{name:<44} {result['urls']:>5} {result['p50_ms']:>9,.1f} {result['p95_ms']:>9,.1f} "
                f"{result['max_ms']:>9,.1f}"
            )
        else:
            yield f"{name:<44} {result['urls']:>5} {'not served':>29}"


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--papers", type=int, default=1_000_000, help="papers in the archive (default 1000000)")
    options.add_argument("--matches", type=int, default=100_000, help="matches over all topics (default 100000)")
    options.add_argument("--runs", type=int, default=1000, help="daily runs holding the matches (default 1000)")
    options.add_argument("--rounds", type=int, default=5, help="timed passes over each page's URLs (default 5)")
    options.add_argument("--cache", type=Path, default=bench_search.CACHE, help="folder for the archives")
    options.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = options.parse_args()
    report = run(args)
    print(json.dumps(report, indent=2) if args.json else "\n".join(table(report)))


if __name__ == "__main__":
    main()
