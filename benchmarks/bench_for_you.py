"""How well the reader's For you bar picks: what passes it on ``bench_rank.py``'s generated reader, for a few bars.

For you (``serve/ranking.py``) lists a paper when it scores at least the ``LIKED_QUANTILE`` of the model's own
probabilities for the papers the reader liked (``Model.liked_level``). On ``bench_rank.py``'s data set (generated
papers about 40 topics, a reader who likes three and stars about a third of their papers), the model is trained on
what the reader said before each of a few days and scores that day's papers; a paper is right for the reader when
its topic is one they like. For each bar: how many papers pass, and how many of those are right (precision),
against how many right papers the day held (recall).

    python benchmarks/bench_for_you.py [--json]
"""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from typing import Any

import numpy as np
from bench_rank import START, World, signals, world

from dailypapers.rank.evaluate import ArchivePaper, Event
from dailypapers.rank.features import paper_text
from dailypapers.rank.model import Candidate, Example, Model, train
from dailypapers.rank.sample import background_size, sample

DAYS = (40, 45, 50, 55)
QUANTILES = (0.1, 0.25, 0.5)


def model_before(made: World, events: list[Event], day: int) -> Model:
    """The model of what the reader said before ``day``, with the archive older than a week before as background."""
    cut = START + timedelta(days=day)
    papers = {paper.key: paper for paper in made.papers}
    said = [event for event in events if event.at < cut]

    def example(event: Event) -> Example:
        paper = papers[event.key]
        return Example(event.key, paper.title, paper_text(paper.title, paper.abstract), event.kind, event.at)

    stars = [example(event) for event in said if event.kind == "star"]
    dismissed = [example(event) for event in said if event.kind == "dismiss"]
    taken = {event.key for event in said}
    pool = [p for p in made.papers if p.updated < cut - timedelta(days=7) and p.key not in taken]
    background = [paper_text(p.title, p.abstract) for p in sample(pool, background_size(len(stars)))]
    return train(stars, dismissed, background, cut)


def day_counts(made: World, model: Model, day: int) -> dict[float, tuple[int, int, int]]:
    """For each quantile's bar: papers passing it, right ones among them, right ones that day."""
    cut = START + timedelta(days=day)
    index = {paper.key: n for n, paper in enumerate(made.papers)}
    today: list[ArchivePaper] = [p for p in made.papers if cut <= p.updated < cut + timedelta(days=1)]
    scores = np.array(
        [s.score for s in model.score([Candidate(p.key, paper_text(p.title, p.abstract)) for p in today])]
    )
    liked = made.liked_later if day >= 30 else made.liked
    right = np.array([int(made.topics[index[p.key]][0]) in liked for p in today])
    counts = {}
    for quantile in QUANTILES:
        passed = scores >= model.liked_level(quantile)
        counts[quantile] = (int(passed.sum()), int(right[passed].sum()), int(right.sum()))
    return counts


def run() -> dict[str, Any]:
    made = world(12000, 60)
    events = signals(made, 60)
    totals = {quantile: [0, 0, 0] for quantile in QUANTILES}
    for day in DAYS:
        for quantile, counts in day_counts(made, model_before(made, events, day), day).items():
            totals[quantile] = [a + b for a, b in zip(totals[quantile], counts, strict=True)]
    rows = []
    for quantile, (passed, right, held) in totals.items():
        precision = right / passed if passed else 0.0
        rows.append({"quantile": quantile, "passed": passed, "right": right, "held": held,
                     "precision": round(precision, 3), "recall": round(right / held, 3)})  # fmt: skip
    return {"days": list(DAYS), "rows": rows}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--json", action="store_true")
    report = run()
    if options.parse_args().json:
        print(json.dumps(report))
        return
    print(f"days {', '.join(map(str, report['days']))} of bench_rank.py's data set (200 papers a day)")
    print("| bar: quantile of the liked papers' scores | passing | of the reader's topics | precision | recall |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for row in report["rows"]:
        print(
            f"| {row['quantile']} | {row['passed']} | {row['right']} | {row['precision']:.0%} | {row['recall']:.0%} |"
        )


if __name__ == "__main__":
    main()
