"""Archives such as daily runs leave, written straight into a real SQLite store, for the site's tests.

A day is one daily run (or several): it stores its papers and records its matches, then finishes. Building the
database this way, rather than by running a day against the arXiv server for each day, keeps a 60-day archive
to a fraction of a second, and lets a test place runs where the time zone splits or joins days.

``python tests/archive_world.py CONFIG`` re-writes the outputs of CONFIG from its database, as
``dailypapers render`` does, and prints the process's own peak memory (``VmHWM``) in KiB: the memory test runs
it in a fresh interpreter, so the archive built by the test is not counted.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dailypapers.model import Author, Paper
from dailypapers.store import Store

WORDS = ["graph", "neural", "network", "training", "inference", "compiler", "kernel", "cache", "memory", "latency",
         "throughput", "scheduling", "distributed", "consensus", "protocol", "quantum", "sparse", "dense"]  # fmt: skip


@dataclass(frozen=True)
class Run:
    """A daily run: when it finished, and each match it recorded as (topic, paper, reason or None)."""

    finished: datetime
    matches: Sequence[tuple[str, Paper, str | None]]
    kind: str = "daily"


def write_archive(database: Path, topics: dict[str, str], runs: Sequence[Run]) -> None:
    """The runs into a new store at ``database``, in order; every topic in ``topics`` (name: query) is known."""
    with Store.open(database) as store:
        for number, run in enumerate(runs):
            with store.transaction():
                started = run.finished - timedelta(minutes=5)
                record = store.begin_run(started, run.kind)
                if number == 0:
                    for name, query in topics.items():
                        store.set_topic(name, query, record)
                store.add_versions([paper for _, paper, _ in run.matches], record)
                for topic, paper, reason in run.matches:
                    store.add_match(topic, paper.id, paper.version, record, reason)
                store.finish_run(record, run.finished, "new")
            if run.kind == "daily":
                store.mark_published(record)


def synthetic_paper(number: int, rng: random.Random, version: int = 1) -> Paper:
    """A paper of about 1.5 kB of text, in cs.DC, with a few authors; ``number`` makes its id."""
    moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=number)
    return Paper(
        id=f"2601.{number:05d}",
        version=version,
        title=" ".join(rng.choice(WORDS) for _ in range(9)).capitalize(),
        abstract=" ".join(rng.choice(WORDS) for _ in range(200)),
        authors=tuple(Author(f"Author {rng.randrange(10_000)}") for _ in range(rng.randrange(1, 6))),
        categories=("cs.DC", "cs.LG"),
        primary_category="cs.DC",
        published=moment,
        updated=moment + timedelta(days=version - 1),
        comment="12 pages, 4 figures",
    )


def growing_archive(database: Path, topics: Sequence[str], days: int, per_day: int) -> None:
    """``days`` daily runs of ``per_day`` new papers each, every paper on one topic: an archive that grows by days."""
    rng = random.Random(days)
    first = datetime(2026, 1, 1, 12, tzinfo=UTC)
    runs = [
        Run(
            first + timedelta(days=day),
            [(rng.choice(topics), synthetic_paper(day * per_day + n, rng), "abs:graph") for n in range(per_day)],
        )
        for day in range(days)
    ]
    write_archive(database, {topic: "abs:graph" for topic in topics}, runs)


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("/proc/self/status has no VmHWM")


def main(config: str) -> None:
    from dailypapers.config import load_config
    from dailypapers.pipeline.outputs import render_outputs

    if render_outputs(load_config(Path(config))) is None:
        raise SystemExit("no successful run to render")
    print(peak_kib())


if __name__ == "__main__":
    main(sys.argv[1])
