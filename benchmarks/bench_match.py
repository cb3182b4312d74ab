"""How matching scales with the number of topics: papers/s at 10, 100, 250 and 500 topics, three ways.

Each figure is ``measurements.py match`` (synthetic papers from ``synthetic.py``, topics of every shape from
``measurements.topics``), run in a fresh interpreter so that its peak memory is its own:

- ``matcher``: one compiled ``Matcher`` per topic, each paper analysed once (the figure in ``run_all``);
- ``verdicts``: the run's own ``match.verdicts.Verdicts``, as a daily run and a back-fill page judge papers;
- ``evaluate``: ``query.evaluate`` on each topic's tree, whose compiled trees sit in a bounded cache.

A run whose matching went through ``evaluate`` slowed down past about 250 topics, as the cache churned; the
run's verdicts must keep the pace of one ``Matcher`` per topic at any count.

    python benchmarks/bench_match.py [--papers 5000] [--topics 10,100,250,500] [--ways matcher,verdicts,evaluate]
        [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measurements import isolated  # noqa: E402

from dailypapers.model import Paper  # noqa: E402

WAYS = ("matcher", "verdicts", "evaluate")


def _topic(name: str, query: str | None) -> Any:
    from dailypapers.config import Topic
    from dailypapers.query import topic_query

    return Topic(name=name, query_text=query, query=topic_query(name, query))


def held(way: str, topics: list[tuple[str, str | None]]) -> Callable[[list[Paper]], int]:
    """How many (paper, topic) matches a batch of papers holds, each paper analysed once and the topics held
    ``way``'s way; ``verdicts`` judges each batch as one run (or one back-fill page) would."""
    from dailypapers.query import Matcher, analyse, evaluate

    chosen = [_topic(name, query) for name, query in topics]
    matchers = [Matcher(topic.query) for topic in chosen] if way == "matcher" else []
    nodes = [topic.query for topic in chosen]
    if way == "verdicts":
        from dailypapers.match.verdicts import Verdicts

    def matched(batch: list[Paper]) -> int:
        if way == "verdicts":
            verdicts = Verdicts(chosen, None)
            return sum(len(verdicts.of(paper)[1]) for paper in batch)
        hits = 0
        for paper in batch:
            document = analyse(paper)
            if way == "evaluate":
                hits += sum(1 for node in nodes if evaluate(node, document))
            else:
                hits += sum(1 for matcher in matchers if matcher(document))
        return hits

    return matched


def measure(papers: int, counts: list[int], ways: list[str]) -> list[dict[str, Any]]:
    return [isolated("match", papers=papers, topic_count=count, way=way) for count in counts for way in ways]


def table(results: list[dict[str, Any]], ways: list[str]) -> str:
    by = {(result["topics"], result["way"]): result for result in results}
    counts = sorted({result["topics"] for result in results})
    papers = results[0]["papers"] if results else 0
    lines = [f"Local matching over {papers:,} papers: papers/s, seconds (papers per CPU second), peak MiB", ""]
    lines.append("| topics | " + " | ".join(ways) + " |")
    lines.append("| --- |" + " --- |" * len(ways))
    for count in counts:
        cells = [by[(count, way)] for way in ways]
        shown = [
            f"{c['papers_per_second']:,.0f} papers/s, {c['seconds']:.1f} s ({c['papers'] / c['cpu_seconds']:,.0f} per "
            f"CPU s), {c['peak_mib']:.0f}"
            for c in cells
        ]
        lines.append(f"| {count} | " + " | ".join(shown) + " |")
    return "\n".join(lines)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--papers", type=int, default=5000, help="synthetic papers per measurement (default 5000)")
    options.add_argument("--topics", default="10,100,250,500", help="topic counts (default 10,100,250,500)")
    options.add_argument("--ways", default=",".join(WAYS), help=f"ways to hold the topics (default {','.join(WAYS)})")
    options.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = options.parse_args()
    counts = [int(count) for count in args.topics.split(",")]
    ways = [way for way in args.ways.split(",") if way]
    unknown = sorted(set(ways) - set(WAYS))
    if unknown:
        raise SystemExit(f"--ways: unknown {', '.join(unknown)} (choose from {', '.join(WAYS)})")
    results = measure(args.papers, counts, ways)
    print(json.dumps(results, indent=2) if args.json else table(results, ways))


if __name__ == "__main__":
    main()
