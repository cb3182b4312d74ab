"""How fast an export API page is read: dailypapers' parser against feedparser, the arxiv package and bare lxml.

Builds one realistic page in the format arXiv's API has served since 2025-11-11 (arxiv-protocol.md §1.6) with the
test server's serialiser (``tests/arxiv_server.py``): 2,000 entries, each with every field (2-8 authors, 2-4
categories, a comment, an abstract of about 1,200 characters, a journal reference and a DOI on some). Affiliations
are rare in arXiv's metadata: 8 of the 392 authors of the real seed papers have one. So by default 5% of the papers
give each author one or two affiliations; ``--affiliations 1`` gives them to every paper, a page about a fifth
larger than any arXiv sends. Each parser reads the same bytes once as a warm-up, then five times; the best time
gives entries per second. The garbage collector stays on, as in use; the records a parser returns are freed after
the clock stops.

    python benchmarks/bench_parse.py [--entries N] [--affiliations SHARE] [--json]
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sized
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
from lxml import etree

from dailypapers.arxiv.atom import parse_feed
from dailypapers.model import Author, Paper

ATOM = "http://www.w3.org/2005/Atom"
CATEGORIES = ["cs.LG", "cs.AI", "cs.CL", "cs.CV", "stat.ML", "math.OC", "hep-th", "astro-ph.CO", "q-fin.ST"]
WORDS = [
    "we", "propose", "a", "novel", "method", "for", "learning", "sparse", "representations", "of", "graphs",
    "under", "noisy", "supervision", "and", "show", "that", "it", "improves", "robustness", "transformer",
    "models", "on", "benchmark", "tasks", "with", "$O(n", "\\log", "n)$", "cost",
]  # fmt: skip
RUNS = 5


def synthetic_papers(count: int, seed: int = 20260511, affiliations: float = 0.05) -> list[Paper]:
    """``count`` papers with every field the API can carry, reproducible from ``seed``."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    return [_paper(rng, index, start, affiliations) for index in range(count)]


def _paper(rng: random.Random, index: int, start: datetime, affiliations: float) -> Paper:
    version = rng.choice((1, 1, 1, 2, 3))
    published = start + timedelta(minutes=17 * index)
    categories = tuple(rng.sample(CATEGORIES, rng.randint(2, 4)))
    return Paper(
        id=f"2601.{index + 1:05d}",
        version=version,
        title=_words(rng, 12).capitalize(),
        abstract=_abstract(rng, 1200),
        authors=_authors(rng, rng.random() < affiliations),
        categories=categories,
        primary_category=categories[0],
        published=published,
        updated=published + timedelta(days=9 * (version - 1)),
        comment=f"{rng.randint(8, 40)} pages, {rng.randint(1, 12)} figures; code at https://github.com/x/y",
        journal_ref=f"Phys. Rev. D {rng.randint(90, 112)}, {rng.randint(1000, 9999)} (2026)"
        if rng.random() < 0.3
        else None,
        doi=f"10.1103/PhysRevD.{rng.randint(100, 112)}.{rng.randint(10000, 99999)}" if rng.random() < 0.4 else None,
    )


def _authors(rng: random.Random, with_affiliations: bool) -> tuple[Author, ...]:
    return tuple(_author(rng, number, with_affiliations) for number in range(rng.randint(2, 8)))


def _author(rng: random.Random, number: int, with_affiliations: bool) -> Author:
    count = rng.randint(1, 2) if with_affiliations else 0
    affiliations = tuple(f"University of Somewhere {rng.randint(1, 300)}" for _ in range(count))
    return Author(f"Author{number} {_words(rng, 1).capitalize()}son", affiliations)


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _abstract(rng: random.Random, length: int) -> str:
    text = ""
    while len(text) < length:
        text += _words(rng, 14).capitalize() + ". "
    return text.strip()


def build_feed(papers: list[Paper]) -> bytes:
    """The page as the test server serialises it: the new service's layout (arxiv-protocol.md §1.6, §1.10)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    try:
        from arxiv_server import atom_feed
    finally:
        sys.path.pop(0)
    stamp = datetime(2026, 5, 11, 23, 51, 23, tzinfo=UTC)
    return atom_feed(papers, search_query="cat:cs.LG", max_results=len(papers), total=214881, updated=stamp)


def arxiv_package_parser() -> tuple[Callable[[bytes], Sized], str]:
    """What the installed arxiv package does with each page it fetches, without the HTTP request.

    Since 4.0 ``Client._parse_feed`` hands the body to its own lxml reader ``arxiv._feed.parse``; before that
    it ran ``feedparser.parse`` and built one ``Result._from_feed_entry`` per entry.
    """
    import arxiv

    version = importlib.metadata.version("arxiv")
    try:
        from arxiv import _feed
    except ImportError:
        build = arxiv.Result._from_feed_entry
        return (lambda data: [build(e) for e in feedparser.parse(data).entries]), f"arxiv {version}"
    return (lambda data: _feed.parse(data).results), f"arxiv {version} (arxiv._feed.parse, lxml)"


def bare_lxml(data: bytes) -> list[tuple[str | None, str | None, str | None]]:
    """For reference: parse the tree and read three fields per entry, nothing checked, nothing normalised."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return [
        (e.findtext(f"{{{ATOM}}}id"), e.findtext(f"{{{ATOM}}}title"), e.findtext(f"{{{ATOM}}}updated"))
        for e in root.iterfind(f"{{{ATOM}}}entry")
    ]


def best_time(parse: Callable[[bytes], Sized], data: bytes, expected: int) -> float:
    """Seconds of the fastest of ``RUNS`` parses after one warm-up; checks that every entry was read.

    The clock stops when the parser hands back its records; they are released after it, as a caller would
    release them later, so the timing holds the parse alone.
    """
    found = len(parse(data))
    if found != expected:
        raise SystemExit(f"{parse!r} read {found} entries, expected {expected}")
    times = []
    for _ in range(RUNS):
        gc.collect()
        started = time.perf_counter()
        records = parse(data)
        times.append(time.perf_counter() - started)
        del records
    return min(times)


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
        "lxml": ".".join(map(str, etree.LXML_VERSION)),
        "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--entries", type=int, default=2000, help="entries in the page (default 2000)")
    options.add_argument(
        "--affiliations", type=float, default=0.05, help="share of papers whose authors have affiliations (0.05)"
    )
    options.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = options.parse_args()

    data = build_feed(synthetic_papers(args.entries, affiliations=args.affiliations))
    arxiv_parse, arxiv_label = arxiv_package_parser()
    feedparser_label = f"feedparser {importlib.metadata.version('feedparser')}"
    candidates: list[tuple[str, Callable[[bytes], Sized]]] = [
        ("dailypapers parse_feed", lambda d: parse_feed(d).papers),
        (feedparser_label, lambda d: feedparser.parse(d).entries),
        (arxiv_label, arxiv_parse),
        ("bare lxml, 3 fields", bare_lxml),
    ]
    results = []
    for name, parse in candidates:
        seconds = best_time(parse, data, args.entries)
        results.append({"parser": name, "seconds": seconds, "entries_per_second": args.entries / seconds})
    report = {
        "machine": machine(),
        "feed": {
            "entries": args.entries,
            "bytes": len(data),
            "built_by": "tests/arxiv_server.py atom_feed",
            "affiliations": args.affiliations,
            "runs": RUNS,
        },
        "results": results,
    }
    print(json.dumps(report, indent=2) if args.json else table(report))


def table(report: dict[str, Any]) -> str:
    m, feed = report["machine"], report["feed"]
    lines = [
        f"machine  {m['cpu']}, {m['cores']} cores, Python {m['python']}, lxml {m['lxml']} (libxml2 {m['libxml2']})",
        f"date     {m['date']}",
        f"feed     {feed['entries']} entries, {feed['bytes'] / 1e6:.2f} MB, built by {feed['built_by']}, "
        f"{feed['affiliations']:.0%} of papers with affiliations",
        f"method   best of {feed['runs']} after a warm-up, garbage collector on, records freed after the clock",
        "",
        f"{'parser':<44} {'ms':>9} {'entries/s':>11}",
    ]
    for row in report["results"]:
        lines.append(f"{row['parser']:<44} {row['seconds'] * 1000:>9.1f} {row['entries_per_second']:>11,.0f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
