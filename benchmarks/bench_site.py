#!/usr/bin/env python3
"""The static site from a real archive: time and peak memory of ``dailypapers render`` as the archive grows.

An archive of N matched papers is a SQLite database such as daily runs leave: one daily run a day, each storing
and matching ``PER_DAY`` synthetic papers (``synthetic.py``), each paper on one of 100 topics (one in ten on a
second one), so an archive grows by days, as a researcher's does. Each archive is built once and kept in
``benchmarks/.cache/``. The measured process is a fresh interpreter (``measurements.py``) that re-writes the
site from the database alone, as ``dailypapers render`` does, and reads its own peak (``VmHWM``); the site is
written to a fresh folder each time.

    python benchmarks/bench_site.py [--quick] [--json]     # 10k, 50k, 100k papers (--quick: 2k, 8k)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measurements import peak_mib  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
FULL, QUICK = (10_000, 50_000, 100_000), (2_000, 8_000)
PER_DAY, TOPICS, SEED = 400, 100, 13
LAST_DAY = date(2026, 5, 15)


def config_text(database: Path, site: Path, topic_count: int = TOPICS) -> str:
    """A config with only the site as output, over the archive's topics, without a scope."""
    from measurements import topics

    lines = [
        'title = "Daily Papers"',
        'timezone = "UTC"',
        f"database = {json.dumps(str(database))}",
        "[outputs]",
        "markdown = false",
        "issue = false",
        f"site = {json.dumps(str(site))}",
    ]
    for name, query in topics(topic_count):
        lines += ["[[topics]]", f"name = {json.dumps(name)}"]
        if query is not None:
            lines.append(f"query = {json.dumps(query)}")
    return "\n".join(lines) + "\n"


def build(path: Path, papers: int, per_day: int = PER_DAY, topic_count: int = TOPICS) -> dict[str, Any]:
    """An archive of ``papers`` papers matched by ``papers // per_day`` daily runs, one a day up to ``LAST_DAY``."""
    import random

    from measurements import _source, latest_versions, topics

    from dailypapers.store import Store

    chosen = topics(topic_count)
    rng = random.Random(SEED)
    days = max(papers // per_day, 1)
    stream = latest_versions(papers, SEED)
    clock = time.perf_counter()
    with Store.open(path) as store:
        for number in range(days):
            moment = datetime.combine(LAST_DAY - timedelta(days=days - 1 - number), datetime.min.time(), UTC)
            chunk = list(islice(stream, per_day if number < days - 1 else papers))
            with store.transaction():
                run = store.begin_run(moment + timedelta(hours=12))
                if number == 0:
                    for topic in chosen:
                        store.set_topic(topic[0], _source(topic), run)
                store.add_versions(chunk, run)
                for paper in chunk:
                    picked = {rng.randrange(topic_count), rng.randrange(topic_count) if rng.random() < 0.1 else -1}
                    for t in sorted(picked - {-1}):
                        store.add_match(chosen[t][0], paper.id, paper.version, run, _source(chosen[t]))
                store.finish_run(run, moment + timedelta(hours=12, minutes=5), "new")
            store.mark_published(run)
    return {"papers": papers, "days": days, "build_seconds": time.perf_counter() - clock}


def cached_archive(papers: int, cache: Path = CACHE) -> tuple[Path, dict[str, Any]]:
    """The archive of ``papers`` papers and its build report, built first if missing."""
    path = cache / f"site-{papers}-per{PER_DAY}-seed{SEED}.db"
    report = path.with_suffix(".json")
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    if not path.exists() or not report.exists():
        partial = path.with_suffix(".partial")
        for leftover in (partial, partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm")):
            leftover.unlink(missing_ok=True)
        built = build(partial, papers)
        partial.rename(path)
        report.write_text(json.dumps(built))
    result: dict[str, Any] = json.loads(report.read_text())
    return path, result


def render_site(database: str) -> dict[str, Any]:
    """The measurement, run in a fresh interpreter (``--measure``): the site re-written from the database."""
    from dailypapers.config import load_config
    from dailypapers.pipeline.outputs import render_outputs

    folder = Path(tempfile.mkdtemp(prefix="bench-site-"))
    try:
        config = folder / "dailypapers.toml"
        config.write_text(config_text(Path(database), folder / "site"))
        settings = load_config(config)
        clock = time.perf_counter()
        render_outputs(settings)
        seconds = time.perf_counter() - clock
        written = [path for path in (folder / "site").rglob("*") if path.is_file()]
        return {"seconds": seconds, "files": len(written), "bytes": sum(path.stat().st_size for path in written)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def isolated(database: Path) -> dict[str, Any]:
    """``render_site`` in a fresh interpreter, which reports its own peak: the archive was built in this one."""
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", str(database)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"rendering the site of {database} failed with exit status {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def measure(sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    """The site's time and peak for an archive of each size (built first if missing)."""
    results = []
    for papers in sizes:
        path, archive = cached_archive(papers)
        results.append(archive | isolated(path))
    return results


def table(results: list[dict[str, Any]]) -> str:
    lines = ["papers    days   files   MB     seconds   peak MiB"]
    for r in results:
        lines.append(
            f"{r['papers']:>7,}  {r['days']:>5}  {r['files']:>6}  {r['bytes'] / 1e6:>5.0f}  "
            f"{r['seconds']:>8.1f}  {r['peak_mib']:>9.0f}"
        )
    return "\n".join(lines)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--quick", action="store_true", help="2,000 and 8,000 papers instead of 10k, 50k, 100k")
    options.add_argument("--json", action="store_true", help="print the figures as JSON")
    options.add_argument("--measure", metavar="DATABASE", help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.measure:
        print(json.dumps(render_site(args.measure) | {"peak_mib": peak_mib()}))
        return
    results = measure(QUICK if args.quick else FULL)
    print(json.dumps(results, indent=2) if args.json else table(results))


if __name__ == "__main__":
    main()
