"""Where the daily run's cost grows: its time and peak memory as the topics and the archive grow.

Two sweeps of the real command, ``dailypapers run --json``, each run in a fresh interpreter that reports its own
peak resident set (``VmHWM``, read by the process itself as it exits) and its time from start to exit, imports
included:

- topics: 10, 100 and 500 topics (``measurements.topics``: names, phrases, Boolean queries, ``cat:`` wildcards,
  authors) on a fixed archive of 100,000 papers;
- archive: 10,000, 100,000 and 1,000,000 archived papers with the 10 first of those topics.

The archives are ``bench_search.py``'s (synthetic papers with their search index), built once and cached under
``benchmarks/.cache/`` (1,000,000 papers take about 11 minutes); each measurement works on a fresh copy. The
config is what ``dailypapers init`` writes: a category scope (``cs.DC``), the page, the notification, the site
and the feeds. A local arXiv server (``tests/arxiv_server.py``, with the announcement feeds of
``tests/feed_server.py``) answers without delay, so the figures are the run's own work. Each measurement is two
runs:

1. the first run with these topics, the day before: each topic is new, so it is searched once (the server holds
   nothing yet) and matched against the whole archive;
2. the daily run: 500 new papers announced in ``cs.DC``, fetched, stored, matched, indexed, and every output
   rendered and written. Its outcome must be ``new``.

A third table gives matching throughput per topic count: papers analysed once, then tested against every topic,
through ``query.evaluate`` (what the daily run calls today, through its cache of compiled queries) and through one
compiled ``query.Matcher`` per topic.

    python benchmarks/bench_scaling.py [--quick] [--json] [--topics 10,100,500] [--archives 10000,100000,1000000]
                                       [--fixed-archive 100000] [--fixed-topics 10] [--match-papers 10000]

``--quick`` takes small sizes (topics on 2,000 papers; archives of 2,000, 5,000 and 20,000) for a check in about
two minutes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_search  # noqa: E402
from measurements import latest_versions, peak_mib, topics  # noqa: E402
from synthetic import synthetic_papers  # noqa: E402

from arxiv_server import ArxivServer  # noqa: E402
from dailypapers.model import Paper  # noqa: E402
from feed_server import mount_feeds  # noqa: E402


@dataclass(frozen=True)
class Sizes:
    topics: tuple[int, ...]  # topic counts of the first sweep
    archives: tuple[int, ...]  # archive sizes of the second sweep
    fixed_archive: int  # the archive of the first sweep
    match: int  # papers of the matching table


FULL = Sizes(topics=(10, 100, 500), archives=(10_000, 100_000, 1_000_000), fixed_archive=100_000, match=10_000)
QUICK = Sizes(topics=(10, 100, 500), archives=(2_000, 5_000, 20_000), fixed_archive=2_000, match=2_000)
DAY = date(2026, 5, 15)  # a Friday, after the synthetic archive's last paper (2026-05-01)
ANNOUNCED = 500
SCOPE = "cs.DC"

# The measured process: the real command (``python -m dailypapers``), which writes its own time and peak memory
# to $DAILYPAPERS_BENCH_REPORT as it exits.
CHILD = """
import atexit, json, os, runpy, sys, time
started = time.perf_counter()
def report():
    status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
    peak = int(status["VmHWM"].split()[0]) / 1024
    figures = {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time(), "peak_mib": peak}
    with open(os.environ["DAILYPAPERS_BENCH_REPORT"], "w") as out:
        json.dump(figures, out)
atexit.register(report)
sys.argv = ["dailypapers", *sys.argv[1:]]
runpy.run_module("dailypapers", run_name="__main__", alter_sys=True)
"""


# --- one measured command -----------------------------------------------------------------------------------------


def command(arguments: list[str], now: datetime, scratch: Path) -> dict[str, Any]:
    """Run ``dailypapers ARGUMENTS`` at ``now`` in a fresh interpreter: its time, peak and ``--json`` summary."""
    report = scratch / "report.json"
    report.unlink(missing_ok=True)
    environ = {key: value for key, value in os.environ.items() if not key.startswith("DAILYPAPERS_")}
    environ |= {"DAILYPAPERS_NOW": now.isoformat(), "DAILYPAPERS_BENCH_REPORT": str(report)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *arguments], env=environ, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"dailypapers {' '.join(arguments)}: exit {done.returncode}\n{done.stderr[-2000:]}")
    measured: dict[str, Any] = json.loads(report.read_text())
    summary = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return measured | {"summary": json.loads(summary[-1]) if summary else {}}


# --- a day on a copy of the archive --------------------------------------------------------------------------------


def announced_papers(count: int, now: datetime) -> list[Paper]:
    """``count`` new papers in the scope, with ids of a month the synthetic archive does not reach."""
    fresh: list[Paper] = []
    for n, paper in enumerate(synthetic_papers(count, seed=77)):
        if paper.version != 1:
            continue
        moment = now - timedelta(hours=10, seconds=n)
        fresh.append(
            replace(
                paper,
                id=f"2605.{len(fresh):05d}",
                published=moment,
                updated=moment,
                categories=(SCOPE, *paper.categories[1:]),
                primary_category=SCOPE,
            )
        )
    return fresh


def write_config(folder: Path, database: Path, server: ArxivServer, topic_count: int) -> Path:
    """The config ``dailypapers init`` would write for these topics, every output on, pointed at the server."""
    lines = [
        f'database = "{database}"',
        "[scope]",
        f'categories = ["{SCOPE}"]',
        "[outputs]",
        'markdown = "README.md"',
        'issue = "ISSUE_TEMPLATE.md"',
        'site = "site/"',
        'feeds = "feeds/"',
        "[arxiv]",
        f'api_url = "{server.url}"',
        f'rss_url = "{server.base}"',
        "delay = 0",
    ]
    for name, query in distinct_topics(topic_count):
        lines += ["[[topics]]", f"name = {json.dumps(name)}"]
        if query is not None:
            lines.append(f"query = {json.dumps(query)}")
    path = folder / "dailypapers.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def distinct_topics(count: int) -> list[tuple[str, str | None]]:
    """``measurements.topics``, where a name alone drawn twice becomes a named query with the same meaning (the
    config refuses a name written twice)."""
    chosen: list[tuple[str, str | None]] = []
    for n, (name, query) in enumerate(topics(count)):
        if query is None and any(name == other for other, _ in chosen):
            name, query = f"topic {n}", f'ti:"{name}" OR abs:"{name}"'
        chosen.append((name, query))
    return chosen


@contextmanager
def archive_copy(papers: int, cache: Path) -> Iterator[tuple[Path, Path]]:
    """A scratch folder holding a copy of the cached archive of ``papers`` papers (built first if missing)."""
    source, _ = bench_search.cached_archive(papers, cache=cache)
    with tempfile.TemporaryDirectory(prefix="bench-scaling-", dir=cache) as scratch:
        folder = Path(scratch)
        database = folder / "dailypapers.db"
        shutil.copyfile(source, database)
        yield folder, database


def matched(database: Path) -> int | None:
    """Matches recorded in the archive after the runs (None where the schema has no such table)."""
    try:
        with sqlite3.connect(database) as db:
            return int(db.execute("SELECT COUNT(*) FROM matches").fetchone()[0])
    except sqlite3.Error:
        return None


def day(papers: int, topic_count: int, cache: Path) -> dict[str, Any]:
    """The first run with ``topic_count`` topics on an archive of ``papers``, then a daily run with new papers."""
    now = datetime(DAY.year, DAY.month, DAY.day, 12, 0, tzinfo=UTC)
    fresh = announced_papers(ANNOUNCED, now)
    with archive_copy(papers, cache) as (folder, database), ArxivServer(now=lambda: now) as server:
        feeds = mount_feeds(server)
        config = write_config(folder, database, server, topic_count)
        arguments = ["run", "--config", str(config), "--json"]
        feeds.today = DAY - timedelta(days=1)
        first = command(arguments, now - timedelta(days=1), folder)
        server.add(fresh)
        feeds.announce(DAY, [(paper, "new") for paper in fresh])
        feeds.today = DAY
        daily = command(arguments, now, folder)
        files = sum(1 for path in (folder / "site").rglob("*") if path.is_file())
        count = matched(database)
    outcome = daily["summary"].get("outcome")
    if outcome != "new":
        raise SystemExit(f"{papers} papers, {topic_count} topics: the daily run's outcome is {outcome!r}, not 'new'")
    return {"papers": papers, "topics": topic_count, "first": first, "daily": daily, "site_files": files} | {
        "matches": count
    }


# --- matching throughput, in a process of its own -------------------------------------------------------------------


def match_rates(papers: int, topic_counts: list[int]) -> dict[str, Any]:
    """Papers/s of analysing each paper once and testing it against every topic, as a run does, through
    ``evaluate`` and through one ``Matcher`` per topic. Each measurement analyses the papers afresh: a document
    may keep what its first test worked out, and that work belongs to every measurement alike."""
    from dailypapers import query

    chosen = list(latest_versions(papers, 5))
    gc.collect()
    gc.freeze()  # the papers are built: no collection should walk them inside the clock
    rows = []
    for count in topic_counts:
        nodes = [query.topic_query(name, text) for name, text in topics(count)]
        row: dict[str, Any] = {"topics": count}
        evaluate = getattr(query, "evaluate", None)
        if evaluate is not None:
            row["evaluate"] = _rate(query.analyse, chosen, [partial(evaluate, node) for node in nodes])
        row["matcher"] = _rate(query.analyse, chosen, [query.Matcher(node) for node in nodes])
        rows.append(row)
    return {"papers": len(chosen), "rows": rows, "peak_mib": peak_mib()}


def _rate(analyse: Callable[[Paper], Any], papers: list[Paper], tests: list[Callable[[Any], bool]]) -> float:
    """Papers/s of processor time (the machine may be shared; the loop is one thread), after a warm-up on the first
    hundred papers, which fills any cache of compiled queries."""
    for paper in papers[:100]:
        document = analyse(paper)
        for test in tests:
            test(document)
    clock = time.process_time()
    for paper in papers:
        document = analyse(paper)
        for test in tests:
            test(document)
    return len(papers) / (time.process_time() - clock)


def isolated_match_rates(papers: int, topic_counts: list[int]) -> dict[str, Any]:
    options = json.dumps({"papers": papers, "topic_counts": topic_counts})
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure-matching", options],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


# --- the tables -------------------------------------------------------------------------------------------------------


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _growth(value: float, base: float) -> str:
    return f"x{value / base:.1f}" if base else ""


def sweep_table(title: str, rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        title,
        f"  {'papers':>9}  {'topics':>6}  {'first run s':>11}  {'cpu s':>6}  {'peak MiB':>8}  {'daily run s':>11}"
        f"  {'cpu s':>6}  {'growth':>6}  {'peak MiB':>8}  {'new':>4}  {'matches':>9}  {'site files':>10}",
    ]
    base = rows[0]["daily"]["cpu_seconds"] if rows else 0.0
    for row in rows:
        first, daily = row["first"], row["daily"]
        lines.append(
            f"  {row['papers']:>9,}  {row['topics']:>6}  {first['seconds']:>11.1f}  {first['cpu_seconds']:>6.1f}"
            f"  {first['peak_mib']:>8.0f}  {daily['seconds']:>11.2f}  {daily['cpu_seconds']:>6.2f}"
            f"  {_growth(daily['cpu_seconds'], base):>6}  {daily['peak_mib']:>8.0f}"
            f"  {daily['summary'].get('new_papers', 0):>4}  {_count(row['matches']):>9}  {row['site_files']:>10,}"
        )
    return lines


def match_table(result: dict[str, Any]) -> list[str]:
    lines = [
        f"Matching: {result['papers']:,} papers, each analysed once and tested against every topic, papers/s of "
        f"processor time (peak {result['peak_mib']:.0f} MiB)",
        f"  {'topics':>6}  {'evaluate papers/s':>17}  {'Matcher papers/s':>16}",
    ]
    for row in result["rows"]:
        evaluate = f"{row['evaluate']:,.0f}" if "evaluate" in row else "-"
        lines.append(f"  {row['topics']:>6}  {evaluate:>17}  {row['matcher']:>16,.0f}")
    return lines


def table(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"machine  {m['cpu']}, {m['cores']} cores, Python {m['python']}, SQLite {m['sqlite']}, {m['date']}",
        f"each run: a fresh `dailypapers run --json`; s = wall time from start to exit, imports included; cpu s = "
        "its processor time (steadier on a shared machine; growth is the daily run's, against the first row); "
        f"peak = its own VmHWM in MiB; the daily run brings {ANNOUNCED} papers announced in {SCOPE}",
        "",
        *sweep_table(f"Topics on {report['fixed_archive']:,} archived papers", report["by_topics"]),
        "",
        *sweep_table(f"Archive with {report['fixed_topics']} topics", report["by_archive"]),
        "",
        *match_table(report["matching"]),
        "",
        f"total {report['seconds'] / 60:.1f} min",
    ]
    return "\n".join(lines)


# --- the command ---------------------------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part]


def arguments() -> argparse.Namespace:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--quick", action="store_true", help="small sizes, for a check in about two minutes")
    options.add_argument("--json", action="store_true", help="print one JSON object instead of the tables")
    options.add_argument("--topics", type=_sizes, help="topic counts of the first sweep (default 10,100,500)")
    options.add_argument("--archives", type=_sizes, help="archive sizes of the second sweep (default 10k,100k,1M)")
    options.add_argument("--fixed-archive", type=int, help="archive of the topic sweep (default 100000)")
    options.add_argument("--fixed-topics", type=int, default=10, help="topics of the archive sweep (default 10)")
    options.add_argument("--match-papers", type=int, help="papers of the matching table (default 10000)")
    options.add_argument("--cache", type=Path, default=bench_search.CACHE, help="folder for the archives")
    options.add_argument("--measure-matching", help=argparse.SUPPRESS)
    return options.parse_args()


def main() -> None:
    args = arguments()
    if args.measure_matching:
        print(json.dumps(match_rates(**json.loads(args.measure_matching))))
        return
    sizes = QUICK if args.quick else FULL
    topic_counts = args.topics or list(sizes.topics)
    archives = args.archives or list(sizes.archives)
    fixed_archive = args.fixed_archive or sizes.fixed_archive
    started = time.perf_counter()
    done: dict[tuple[int, int], dict[str, Any]] = {}

    def measured(papers: int, count: int) -> dict[str, Any]:
        if (papers, count) not in done:  # the sweeps share a point: measure it once
            print(f"{papers:,} papers, {count} topics ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
            done[papers, count] = day(papers, count, args.cache)
        return done[papers, count]

    report: dict[str, Any] = {"machine": bench_search.machine(), "quick": args.quick}
    report |= {"fixed_archive": fixed_archive, "fixed_topics": args.fixed_topics}
    report["by_topics"] = [measured(fixed_archive, count) for count in topic_counts]
    report["by_archive"] = [measured(papers, args.fixed_topics) for papers in archives]
    print(f"matching ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    report["matching"] = isolated_match_rates(args.match_papers or sizes.match, topic_counts)
    report["seconds"] = time.perf_counter() - started
    print(json.dumps(report, indent=2) if args.json else table(report))


if __name__ == "__main__":
    main()
