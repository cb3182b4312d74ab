"""The measurements behind ``run_all``, each run alone in a fresh interpreter so that its peak memory is its own.

    python benchmarks/measurements.py NAME ['{"option": value, ...}']     # prints one JSON object

Each measurement reuses the benchmark that owns it (``bench_parse.py``, ``bench_requests.py``, ``bench_search.py``,
``synthetic.py``) and returns what it measured. Two figures of memory are added: ``before_mib``, the resident set
when the clock starts (the interpreter, the imports and the data built for the measurement), and ``peak_mib``, the
largest resident set of the process (``VmHWM`` in ``/proc/self/status``), read by the process itself when the
measurement ends. Not ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries it over a fork and an exec, so a
process started by ``run_all`` would report ``run_all``'s own peak (85 MiB) whenever its own is smaller.
Imports happen inside each measurement, so a process loads only what its own measurement needs.

``daily_update`` is the exception: it runs in the caller, because it hosts the local arXiv server that the
measured clients (``daily-dailypapers``, ``daily-bot``) talk to, each in a process of its own.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from itertools import groupby, islice
from pathlib import Path
from typing import Any

from dailypapers.model import Day, Digest, Listed, Paper, Section

_PLAIN = re.compile(r"[A-Za-z]{4,}")


def isolated(name: str, **options: Any) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its result; its errors go to our stderr."""
    command = [sys.executable, str(Path(__file__).resolve()), name, json.dumps(options)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"measurement {name} {options} failed with exit status {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def _status_mib(key: str) -> float:
    """One of this process's memory figures in ``/proc/self/status`` (``VmRSS``, ``VmHWM``), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"/proc/self/status has no {key}: peak memory is measured on Linux only")


def _rss_mib() -> float:
    return _status_mib("VmRSS")


def peak_mib() -> float:
    """This process's own peak resident set: the high-water mark of its own address space, which an exec
    starts afresh, unlike ``ru_maxrss``."""
    return _status_mib("VmHWM")


# --- the data: synthetic papers and topics --------------------------------------------------------------------


def latest_versions(count: int, seed: int) -> Iterator[Paper]:
    """The latest version of each of ``count`` synthetic papers, oldest paper first."""
    from synthetic import synthetic_papers

    for _, versions in groupby(synthetic_papers(count, seed=seed), key=lambda paper: paper.id):
        *_, latest = versions
        yield latest


# Topic shapes besides a name alone: {w} a word, {p} a phrase, {a} an author's last name, each drawn anew.
SHAPES = (
    'abs:"{p}"',
    "ti:{w} AND abs:{w}",
    "abs:{w} OR abs:{w} OR ti:{w}",
    'abs:"{p}" ANDNOT cat:cs.LG',
    "cat:cs.* AND (abs:{w} OR abs:{w})",
    "cat:math.* AND ti:{w4}*",
    "au:{a} OR au:{a}",
    '(ti:"{p}" OR abs:"{p}") AND cat:cs.DC',
    "all:{w} ANDNOT (cat:hep-th OR cat:hep-ph)",
)


def topics(count: int = 100, seed: int = 11) -> list[tuple[str, str | None]]:
    """``count`` topics ``(name, query)`` in the synthetic papers' words: one in ten a name alone (``ti:"…" OR
    abs:"…"``, as most configs' topics are), the others of each of ``SHAPES`` in turn."""
    from synthetic import load_vocabulary

    vocabulary = load_vocabulary()
    words = [word for word in vocabulary.words[30:6000] if _PLAIN.fullmatch(word)]
    phrases = [unit for unit in vocabulary.units if " " in unit and all(map(_PLAIN.fullmatch, unit.split()))]
    pools = {
        "w": words,
        "w4": [word[:4] for word in words],
        "p": phrases[:3000],
        "a": [name for name in vocabulary.last_names if _PLAIN.fullmatch(name)],
    }
    rng = random.Random(seed)

    def fill(template: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda slot: rng.choice(pools[slot[1]]), template)

    return [(fill("{p}"), None) if n % 10 == 0 else (f"topic {n}", fill(SHAPES[n % 10 - 1])) for n in range(count)]


def _source(topic: tuple[str, str | None]) -> str:
    name, query = topic
    return query if query is not None else f'ti:"{name}" OR abs:"{name}"'


# --- 1. Atom parsing --------------------------------------------------------------------------------------------


def parse(parser: str, entries: int = 2000) -> dict[str, Any]:
    """Entries/s of one parser on bench_parse.py's page, timed by its ``best_time``."""
    import bench_parse

    data = bench_parse.build_feed(bench_parse.synthetic_papers(entries))
    if parser == "dailypapers":
        from dailypapers.arxiv.atom import parse_feed

        read, label = (lambda page: parse_feed(page).papers), f"dailypapers {version('dailypapers')}"
    elif parser == "feedparser":
        import feedparser

        read, label = (lambda page: feedparser.parse(page).entries), f"feedparser {version('feedparser')}"
    else:
        read, label = bench_parse.arxiv_package_parser()
    before = _rss_mib()
    seconds = bench_parse.best_time(read, data, entries)
    return {
        "label": label,
        "entries": entries,
        "bytes": len(data),
        "runs": bench_parse.RUNS,
        "seconds": seconds,
        "entries_per_second": entries / seconds,
        "before_mib": before,
    }


# --- 2. a daily update against the local server ----------------------------------------------------------------


def daily_update(topic_count: int, new: int, latency: float, delay: float) -> dict[str, Any]:
    """bench_requests.py's day (``new`` entries announced after a first run), answered after ``latency`` seconds:
    dailypapers' ``run_daily`` with a category scope and without, and the seed bot's loop, each in its own process;
    the bot's requests are those the server received."""
    import bench_requests

    from arxiv_server import ArxivServer, load_seed_papers
    from dailypapers.query import matches
    from dailypapers.query import parse as parse_query

    runs = {}
    for label, scope in (("scope", True), ("no scope", False)):
        with bench_requests.announced_day(topic_count, new, scope) as (server, path, moment):
            server.slow(latency, times=None)
            runs[label] = isolated("daily-dailypapers", config=str(path), now=moment.isoformat(), delay=delay)
    fresh = bench_requests.new_day(new)
    keywords = bench_requests.topics(topic_count)
    with ArxivServer(load_seed_papers(), now=lambda: bench_requests.NOW) as server:
        server.add(fresh)
        server.slow(latency, times=None)
        bot = isolated("daily-bot", url=server.url, keywords=keywords, delay=delay)
        bot["requests"] = len(server.requests)
    queries = [parse_query(_source((keyword, None))) for keyword in keywords]
    wanted = {paper.id for paper in fresh if any(matches(query, paper) for query in queries)}
    bot["new_received"] = len(wanted & set(bot.pop("ids")))
    bot["new_matching"] = len(wanted)
    return {"topics": topic_count, "new": new, "latency": latency, "delay": delay, "dailypapers": runs, "bot": bot}


def daily_dailypapers(config: str, now: str, delay: float) -> dict[str, Any]:
    """One ``run_daily`` with the politeness delay set as the environment would set it."""
    from dailypapers.config import load_config
    from dailypapers.pipeline.context import Environment
    from dailypapers.pipeline.daily import run_daily

    settings = load_config(Path(config), environ={"DAILYPAPERS_DELAY": repr(delay)})
    moment = datetime.fromisoformat(now)
    before = _rss_mib()
    clock = time.perf_counter()
    summary = run_daily(Environment(config=settings, now=lambda: moment))
    seconds = time.perf_counter() - clock
    return {
        "requests": summary.requests,
        "seconds": seconds,
        "received": summary.received,
        "new_papers": summary.new_papers,
        "outcome": summary.outcome,
        "before_mib": before,
    }


def daily_bot(url: str, keywords: list[str], delay: float, max_results: int = 100) -> dict[str, Any]:
    """seed_bot.py's loop; its requests are counted by the server, not here."""
    from seed_bot import bot_loop

    before = _rss_mib()
    clock = time.perf_counter()
    entries = bot_loop(url, keywords, delay, max_results)
    seconds = time.perf_counter() - clock
    ids = {re.sub(r"v\d+$", "", entry.id.rsplit("/abs/", 1)[-1]) for entry in entries}
    return {"seconds": seconds, "entries": len(entries), "ids": sorted(ids), "before_mib": before}


# --- 3. local matching --------------------------------------------------------------------------------------------


def match(
    papers: int = 100_000, topic_count: int = 100, seed: int = 5, batch: int = 5000, way: str = "matcher"
) -> dict[str, Any]:
    """Papers/s of analysing each paper once and testing it against every topic; the papers are generated in
    batches outside the clock and dropped after, as a harvest streams them. ``way`` is how the topics are held:
    ``matcher``, one compiled ``Matcher`` each; ``verdicts``, the run's own ``Verdicts`` (``match.verdicts``);
    ``evaluate``, ``query.evaluate`` on each topic's tree, compiled through its bounded cache (``bench_match.py``)."""
    from bench_match import held

    test = held(way, topics(topic_count))
    stream = latest_versions(papers, seed)
    spent, cpu, done, hits, before = 0.0, 0.0, 0, 0, None
    while chunk := list(islice(stream, batch)):
        before = before or _rss_mib()
        clock, cpu_clock = time.perf_counter(), time.process_time()
        hits += test(chunk)
        spent += time.perf_counter() - clock
        cpu += time.process_time() - cpu_clock
        done += len(chunk)
    return {
        "papers": done,
        "topics": topic_count,
        "way": way,
        "matches": hits,
        "seconds": spent,
        "papers_per_second": done / spent,
        "cpu_seconds": cpu,  # on a busy machine, the fairer figure to compare
        "before_mib": before,
    }


# --- 4. search ------------------------------------------------------------------------------------------------------


def search_archive(papers: int) -> dict[str, Any]:
    """bench_search.py's archive of ``papers`` papers, built (in this process, not the measured one) if missing."""
    import bench_search

    path, report = bench_search.cached_archive(papers)
    return report | {"file": str(path)}


def search(papers: int, rounds: int = 5) -> dict[str, Any]:
    """bench_search.py's query mix on its archive: p50, p95 and slowest, in ms."""
    import statistics

    import bench_search

    from dailypapers.store import Store

    path, archive = bench_search.cached_archive(papers)
    with Store.open(path) as store:
        before = _rss_mib()
        results = bench_search.measure(store._db, bench_search.queries(), rounds)
    seconds = [s for result in results for s in result["seconds"]]
    return {
        "papers": archive["papers"],
        "versions": archive["versions"],
        "bytes": path.stat().st_size,
        "queries": len(results),
        "rounds": rounds,
        "limit": bench_search.LIMIT,
        "p50_ms": statistics.median(seconds) * 1000,
        "p95_ms": statistics.quantiles(seconds, n=20)[-1] * 1000,
        "max_ms": max(seconds) * 1000,
        "before_mib": before,
    }


# --- 5. rendering ---------------------------------------------------------------------------------------------------


def _listed(paper: Paper, topic: tuple[str, str | None]) -> Listed:
    return Listed(paper, new_version=paper.version > 1, reason=_source(topic))


def render_page(topic_count: int = 100, per_topic: int = 100, seed: int = 9) -> dict[str, Any]:
    """Seconds of ``render_page`` for ``topic_count`` topics of ``per_topic`` papers each, all different."""
    from dailypapers.render import render_page as render

    chosen = topics(topic_count)
    papers = list(latest_versions(topic_count * per_topic, seed))
    sections = tuple(
        Section(
            topic=topic[0],
            papers=tuple(_listed(p, topic) for p in reversed(papers[n * per_topic : (n + 1) * per_topic])),
            query=_source(topic),
        )
        for n, topic in enumerate(chosen)
    )
    digest = Digest(title="Daily Papers", day=date(2026, 5, 15), sections=sections)
    before = _rss_mib()
    clock = time.perf_counter()
    text = render(digest, max_papers=per_topic)
    seconds = time.perf_counter() - clock
    listed = sum(len(section.papers) for section in sections)
    return {
        "topics": topic_count,
        "papers": listed,
        "seconds": seconds,
        "bytes": len(text.encode()),
        "before_mib": before,
    }


def site_digest(papers: int, days: int, topic_count: int, seed: int = 13) -> Digest:
    """A digest whose archive holds ``papers`` papers over ``days`` days; each paper is listed under one topic,
    one in ten under a second one, and each topic's page shows its latest 100."""
    chosen = topics(topic_count)
    rng = random.Random(seed)
    first = date(2026, 5, 15) - timedelta(days=days - 1)
    by_day: list[dict[int, list[Listed]]] = [{} for _ in range(days)]
    by_topic: list[list[Listed]] = [[] for _ in chosen]
    for index, paper in enumerate(latest_versions(papers, seed)):
        picked = {rng.randrange(topic_count)} | ({rng.randrange(topic_count)} if rng.random() < 0.1 else set())
        for t in sorted(picked):
            listed = _listed(paper, chosen[t])
            by_day[index * days // papers].setdefault(t, []).append(listed)
            by_topic[t].append(listed)
    archive = tuple(
        Day(
            day=first + timedelta(days=d),
            sections=tuple(
                Section(chosen[t][0], tuple(reversed(listed)), query=_source(chosen[t]))
                for t, listed in sorted(day.items())
            ),
        )
        for d, day in enumerate(by_day)
    )
    sections = tuple(
        Section(topic[0], tuple(reversed(listed[-100:])), total=len(listed), query=_source(topic))
        for topic, listed in zip(chosen, by_topic, strict=True)
    )
    moment = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
    return Digest(title="Daily Papers", day=moment.date(), sections=sections, generated=moment, days=archive)


def render_site(papers: int = 100_000, days: int = 250, topic_count: int = 100) -> dict[str, Any]:
    """Seconds of ``render_site`` (every file's text, in memory) for ``site_digest``'s archive."""
    from dailypapers.render.site import render_site as render

    digest = site_digest(papers, days, topic_count)
    before = _rss_mib()
    clock = time.perf_counter()
    site = render(digest)
    seconds = time.perf_counter() - clock
    return {
        "papers": papers,
        "days": days,
        "topics": topic_count,
        "listings": sum(len(s.papers) for day in digest.days for s in day.sections),
        "seconds": seconds,
        "files": len(site),
        "bytes": sum(len(text.encode()) for text in site.values()),
        "before_mib": before,
    }


# --- the command ------------------------------------------------------------------------------------------------------


def idle() -> dict[str, Any]:
    """An interpreter with all of dailypapers imported: the floor under every figure of memory."""
    import dailypapers.pipeline.daily  # noqa: F401  (it imports the store, the query package, the renderers, the network)

    return {"before_mib": _rss_mib()}


MEASUREMENTS: dict[str, Callable[..., dict[str, Any]]] = {
    "idle": idle,
    "parse": parse,
    "daily-dailypapers": daily_dailypapers,
    "daily-bot": daily_bot,
    "match": match,
    "search-archive": search_archive,
    "search": search,
    "render-page": render_page,
    "render-site": render_site,
}


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in MEASUREMENTS:
        raise SystemExit(f"usage: measurements.py {{{','.join(MEASUREMENTS)}}} ['{{JSON options}}']")
    result = MEASUREMENTS[argv[1]](**json.loads(argv[2] if len(argv) > 2 else "{}"))
    result["peak_mib"] = peak_mib()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
